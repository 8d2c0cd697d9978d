"""Load: the app under uvicorn with two workers on the real PostgreSQL ledger, driven
from a separate process on loopback.

Two servers run side by side, the same app and page with ConsentMiddleware on and off
(``benchmarks/load_app.py``). A driver process (this file, ``drive``) speaks HTTP/1.1
over raw keep-alive sockets, so that it spends little of the machine's CPU, with a
mix of page views (GET HTML with the visitor's consent cookie) and consent decisions
(POST /consentkit/consent with the site's Origin), bounded in requests and seconds.

Figures, each against its target:
- throughput, p50 and p99 latency of the mix;
- errors (any status but 200, a failed connection, a decision not reflected in the
  answered state, a tracker served live against the visitor's choice): target 0;
- ledger records in PostgreSQL against the decisions the driver saw acknowledged
  (a 200 received), counted after both servers stopped cleanly: target exactly equal,
  in total and per visitor;
- page-view throughput with the middleware against without, in alternating rounds
  of the same run, for returning visitors (a consent cookie) and for new ones (none,
  on every page view): target >= 0.9 for each (#16 target 3); and the same comparison
  in server CPU time per page view (from /proc), which other load on the machine
  barely moves: with the servers not saturated, throughput alone understates the
  middleware's cost. The load average is printed with the figures.

    python benchmarks/load.py [--seconds 20] [--requests 100000] [--concurrency 32]
                              [--rounds 5] [--round-seconds 3]
                              [--postgres postgresql://postgres@127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
USER_AGENT = b"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36"
OPTIONAL = ("analytics", "captcha", "advertising")
# What the page carries for each category when it is live (see load_app.PAGE).
# (An inert tag keeps its URL in data-src: the space before "src" tells them apart.)
LIVE_MARKS = {
    "advertising": b' src="https://pixel.localhost/p.gif',
    "analytics": b' src="https://www.googletagmanager.com/gtag/js',
    "captcha": b' src="https://www.google.com/recaptcha/',
}
# What a new visitor (no consent cookie) gets live under the demo's opt_out policy:
# every optional category but advertising, whose sale or sharing tags wait for the
# widget to read the GPC signal (middleware._gate_grants).
NEW_VISITOR_LIVE = {"analytics": True, "captcha": True, "advertising": False}
# Share of requests that are decisions by a returning visitor, and share after which
# a visitor leaves and a new one (whose first request is a decision) arrives.
DECISION_SHARE = 0.15
NEW_VISITOR_SHARE = 0.05
REQUEST_TIMEOUT = 10.0

# -- the driver (a separate process) --------------------------------------------------


@dataclass
class Reply:
    status: int
    headers: dict[bytes, bytes]
    cookies: list[bytes]
    body: bytes


class Connection:
    """One keep-alive HTTP/1.1 connection; reconnects after a close."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def exchange(self, request: bytes) -> Reply:
        if self.writer is None or self.reader is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        self.writer.write(request)
        try:
            reply = await self._read(self.reader)
        except BaseException:
            self.close()
            raise
        if reply.headers.get(b"connection", b"").lower() == b"close":
            self.close()
        return reply

    @staticmethod
    async def _read(reader: asyncio.StreamReader) -> Reply:
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head[:-4].split(b"\r\n")
        status = int(lines[0].split(b" ", 2)[1])
        headers: dict[bytes, bytes] = {}
        cookies: list[bytes] = []
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            name, value = name.strip().lower(), value.strip()
            if name == b"set-cookie":
                cookies.append(value)
            headers[name] = value
        if b"content-length" in headers:
            body = await reader.readexactly(int(headers[b"content-length"]))
        elif headers.get(b"transfer-encoding", b"").lower() == b"chunked":
            parts = []
            while True:
                size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
                if size == 0:
                    await reader.readuntil(b"\r\n")
                    break
                parts.append((await reader.readexactly(size + 2))[:-2])
            body = b"".join(parts)
        else:
            body = await reader.read()
        return Reply(status, headers, cookies, body)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.transport.abort()
        self.reader = self.writer = None


@dataclass
class Tally:
    """What one driver run saw."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: {"page": [], "decision": []})
    errors: Counter[str] = field(default_factory=Counter)
    acknowledged: Counter[str] = field(default_factory=Counter)  # visitor id -> decisions answered 200
    issued: int = 0


def _page_request(port: int, cookie: bytes | None) -> bytes:
    lines = [b"GET / HTTP/1.1", b"Host: 127.0.0.1:%d" % port, b"User-Agent: " + USER_AGENT,
             b"Accept: text/html", b"Accept-Language: en-US,en;q=0.9"]
    # Other cookies a real site's visitors carry, beside consent's.
    lines.append(b"Cookie: theme=dark; " + (cookie + b"; " if cookie else b"") + b"session=s-0123456789abcdef")
    return b"\r\n".join(lines) + b"\r\n\r\n"


def _decision_request(port: int, cookie: bytes | None, choices: dict[str, bool], source: str,
                      confirm: str | None = None) -> bytes:
    body = json.dumps({"confirm": confirm} if confirm else {"choices": choices, "source": source}).encode()
    lines = [b"POST /consentkit/consent HTTP/1.1", b"Host: 127.0.0.1:%d" % port, b"User-Agent: " + USER_AGENT,
             b"Origin: http://127.0.0.1:%d" % port, b"Content-Type: application/json",
             b"Content-Length: %d" % len(body)]
    if cookie:
        lines.append(b"Cookie: " + cookie)
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


class Visitor:
    """A browser: its consent cookie and what it chose, on one connection."""

    def __init__(self, conn: Connection, rng: random.Random) -> None:
        self.conn = conn
        self.rng = rng
        self.cookie: bytes | None = None
        self.choices: dict[str, bool] = {}

    async def decide(self, tally: Tally, port: int) -> None:
        choices = {c: self.rng.random() < 0.5 for c in OPTIONAL}
        # A new visitor answers the banner; a returning one changes their mind in the
        # preferences (the banner may not undo an opt-out of sale: rule 5).
        source = "preferences" if self.cookie else "banner"
        started = time.perf_counter()
        request = _decision_request(port, self.cookie, choices, source)
        reply = await asyncio.wait_for(self.conn.exchange(request), REQUEST_TIMEOUT)
        if reply.status == 202:
            # Opting back in to sale or sharing within 12 months of an opt-out takes a
            # second, separate step (rule R38): the visitor confirms with the token.
            token = json.loads(reply.body)["confirm"]["token"]
            request = _decision_request(port, self.cookie, choices, source, confirm=token)
            reply = await asyncio.wait_for(self.conn.exchange(request), REQUEST_TIMEOUT)
        tally.latencies["decision"].append(time.perf_counter() - started)
        if reply.status != 200:
            tally.errors[f"decision status {reply.status}"] += 1
            return
        state = json.loads(reply.body)
        tally.acknowledged[state["visitor_id"]] += 1
        if any(state["categories"][c] is not v for c, v in choices.items()):
            tally.errors["decision not reflected in the state answered"] += 1
        fresh = [c.split(b";", 1)[0] for c in reply.cookies if c.startswith(b"consentkit=")]
        if not fresh:
            tally.errors["decision answered without a consent cookie"] += 1
            return
        self.cookie, self.choices = fresh[0], choices

    async def view(self, tally: Tally, port: int, *, gated: bool) -> None:
        started = time.perf_counter()
        reply = await asyncio.wait_for(self.conn.exchange(_page_request(port, self.cookie)), REQUEST_TIMEOUT)
        tally.latencies["page"].append(time.perf_counter() - started)
        if reply.status != 200:
            tally.errors[f"page status {reply.status}"] += 1
            return
        if gated:
            if b'id="consentkit-state"' not in reply.body:
                tally.errors["page without the consent state"] += 1
            for category, mark in LIVE_MARKS.items():
                if (mark in reply.body) is not self.choices.get(category, False):
                    tally.errors[f"{category} served {'live' if mark in reply.body else 'inert'} against the choice"] += 1


async def drive(args: argparse.Namespace) -> dict[str, Any]:
    """Run visitors against the server until the request or time budget is spent."""
    tally = Tally()
    deadline = time.monotonic() + args.seconds
    cookie_port = args.cookie_port or args.port
    gated = args.cookie_port is None
    given: list[tuple[bytes, dict[str, bool]]] = []
    if args.cookies:
        given = [(cookie.encode("latin-1"), choices) for cookie, choices in json.loads(Path(args.cookies).read_text())]
    made: list[tuple[str, dict[str, bool]]] = []

    async def visitor_loop(number: int) -> None:
        rng = random.Random(args.seed * 1000 + number)
        visitor = Visitor(Connection(args.port), rng)
        cookies_from = Visitor(Connection(cookie_port), rng) if args.mode in ("pages", "cookies") else visitor
        if given:  # cookies decided before the run: the server's CPU counts page views only
            visitor.cookie, visitor.choices = given[number % len(given)]
        while time.monotonic() < deadline and tally.issued < args.requests:
            try:
                if args.mode == "cookies":  # decide once, hand the cookie to later runs
                    await cookies_from.decide(tally, cookie_port)
                    if cookies_from.cookie is not None:
                        made.append((cookies_from.cookie.decode("latin-1"), cookies_from.choices))
                    break
                if args.mode == "new":  # a new visitor on every page view: no consent cookie
                    tally.issued += 1
                    visitor.choices = NEW_VISITOR_LIVE
                    await visitor.view(tally, args.port, gated=gated)
                    continue
                if args.mode == "pages":
                    if visitor.cookie is None:  # before the clock matters: where the cookie comes from
                        await cookies_from.decide(tally, cookie_port)
                        visitor.cookie, visitor.choices = cookies_from.cookie, cookies_from.choices
                        tally.latencies["decision"].clear()
                        continue
                    tally.issued += 1
                    await visitor.view(tally, args.port, gated=gated)
                    continue
                tally.issued += 1
                if visitor.cookie is None or rng.random() < DECISION_SHARE:
                    await visitor.decide(tally, args.port)
                else:
                    await visitor.view(tally, args.port, gated=True)
                if rng.random() < NEW_VISITOR_SHARE:
                    visitor.cookie, visitor.choices = None, {}
            except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError, KeyError) as exc:
                tally.errors[f"{type(exc).__name__}"] += 1
                visitor.conn.close()
            except TimeoutError:
                tally.errors["timeout"] += 1
                visitor.conn.close()
        visitor.conn.close()
        cookies_from.conn.close()

    started, cpu = time.perf_counter(), time.process_time()
    await asyncio.gather(*(visitor_loop(i) for i in range(args.concurrency)))
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu
    done = {kind: len(values) for kind, values in tally.latencies.items()}
    every = sorted(v for values in tally.latencies.values() for v in values)
    return {
        "elapsed": elapsed,
        "requests": sum(done.values()),
        "by_kind": done,
        "throughput": sum(done.values()) / elapsed if elapsed else 0.0,
        # Near 1.0, the driver itself is the bottleneck and the comparison understates the difference.
        "driver_cpu": cpu / elapsed if elapsed else 0.0,
        "p50_ms": _quantile(every, 0.50) * 1000,
        "p99_ms": _quantile(every, 0.99) * 1000,
        "errors": dict(tally.errors),
        "acknowledged": dict(tally.acknowledged),
        "cookies": made,
    }


def _quantile(ordered: list[float], q: float) -> float:
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


# -- the orchestrator ----------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Server:
    """``uvicorn --workers 2 --factory load_app:create_app`` in its own process."""

    def __init__(self, name: str, env: dict[str, str], log_dir: Path) -> None:
        self.name = name
        self.port = free_port()
        self.log = log_dir / f"{name}.log"
        command = [
            sys.executable, "-m", "uvicorn", "--factory", "--app-dir", str(HERE), "load_app:create_app",
            "--host", "127.0.0.1", "--port", str(self.port), "--workers", "2", "--lifespan", "on",
            "--no-access-log", "--log-level", "info", "--timeout-graceful-shutdown", "20",
        ]
        full_env = {**os.environ, **env, "PYTHONPATH": str(ROOT)}
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(command, cwd=ROOT, env=full_env, stdout=log, stderr=subprocess.STDOUT)

    def wait_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the {self.name} server exited: {self.log.read_text()[-2000:]}")
            # Both workers have run their start-up (and opened the ledger).
            if self.log.read_text().count("Application startup complete") >= 2:
                return
            time.sleep(0.1)
        raise RuntimeError(f"the {self.name} server did not start: {self.log.read_text()[-2000:]}")

    def stop(self, timeout: float = 60.0) -> tuple[int, int]:
        """SIGTERM, then wait: (exit code, workers whose shutdown completed)."""
        self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(timeout)
        return code, self.log.read_text().count("Application shutdown complete")

    def cpu_seconds(self) -> float:
        """CPU time its worker processes have used so far (Linux /proc): unlike
        throughput, this barely moves when other programs load the machine."""
        master = self.process.pid
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        total = 0
        for pid in children:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
        return total / os.sysconf("SC_CLK_TCK")

    def problems(self) -> list[str]:
        """Tracebacks, errors and dead workers in the server's log, each with what follows it."""
        lines = self.log.read_text().splitlines()
        marks = [i for i, line in enumerate(lines) if "Traceback" in line or " died" in line or "ERROR" in line]
        return ["\n".join(lines[i:i + 30]) for i in marks]


def run_driver(port: int, mode: str, seconds: float, requests: int, concurrency: int, seed: int,
               cookie_port: int | None = None, cookies: Path | None = None) -> dict[str, Any]:
    command = [sys.executable, str(Path(__file__).resolve()), "drive", "--port", str(port), "--mode", mode,
               "--seconds", str(seconds), "--requests", str(requests), "--concurrency", str(concurrency),
               "--seed", str(seed)]
    if cookie_port is not None:
        command += ["--cookie-port", str(cookie_port)]
    if cookies is not None:
        command += ["--cookies", str(cookies)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 120, check=True)
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def ledger_counts(postgres: str, schema: str) -> tuple[int, int, Counter[str]]:
    """(records, distinct receipt ids, records per visitor) in the schema."""
    import psycopg
    from psycopg import sql

    table = sql.Identifier(schema, "consentkit_records")
    with psycopg.connect(postgres) as conn:
        total, distinct = conn.execute(sql.SQL("SELECT COUNT(*), COUNT(DISTINCT receipt_id) FROM {}").format(table)
                                       ).fetchone() or (0, 0)
        rows = conn.execute(sql.SQL("SELECT visitor_id, COUNT(*) FROM {} GROUP BY visitor_id").format(table))
        per_visitor = Counter({visitor: count for visitor, count in rows})
    return total, distinct, per_visitor


def drop_schema(postgres: str, schema: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(postgres, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))


def _line(label: str, value: str, target: str, ok: bool) -> str:
    return f"{label:<44} {value:>16}   target {target:<18} {'ok' if ok else 'MISSED'}"


def orchestrate(args: argparse.Namespace) -> int:
    schema = f"ck_load_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    store = f"{args.postgres}?schema={schema}"
    acknowledged: Counter[str] = Counter()
    results: list[str] = []
    misses = 0
    with tempfile.TemporaryDirectory(prefix="consentkit-load-") as tmp:
        work = Path(tmp)
        base_env = {"CONSENTKIT_BENCH_STORE": store, "CONSENTKIT_BENCH_SPOOL": str(work / "spool"),
                    "CONSENTKIT_BENCH_SECRET": uuid.uuid4().hex}
        gated = Server("with-middleware", {**base_env, "CONSENTKIT_BENCH_MIDDLEWARE": "1"}, work)
        bare = Server("without-middleware", {**base_env, "CONSENTKIT_BENCH_MIDDLEWARE": "0"}, work)
        try:
            gated.wait_ready()
            bare.wait_ready()
            print(f"servers: uvicorn --workers 2 on 127.0.0.1:{gated.port} (middleware) and :{bare.port} (none); "
                  f"ledger schema {schema}; load average {', '.join(f'{x:.2f}' for x in os.getloadavg())} "
                  f"({os.cpu_count()} CPUs)", flush=True)
            # Warm both (imports, pools, caches) before anything is measured.
            acknowledged.update(run_driver(gated.port, "mixed", 2, 10**6, args.concurrency, 1)["acknowledged"])
            acknowledged.update(run_driver(bare.port, "pages", 2, 10**6, args.concurrency, 2,
                                           cookie_port=gated.port)["acknowledged"])

            mixed = run_driver(gated.port, "mixed", args.seconds, args.requests, args.concurrency, 3)
            acknowledged.update(mixed["acknowledged"])
            errors = sum(mixed["errors"].values())
            print(f"\nmix: {mixed['requests']} requests in {mixed['elapsed']:.1f} s "
                  f"({mixed['by_kind']['page']} page views, {mixed['by_kind']['decision']} decisions), "
                  f"{args.concurrency} connections; bounds {args.requests} requests / {args.seconds:g} s")
            if mixed["errors"]:
                print(f"errors: {mixed['errors']}")

            # Returning visitors' cookies, decided once now: the rounds count page views only.
            decided = run_driver(gated.port, "cookies", 30, 10**6, args.concurrency, 4)
            acknowledged.update(decided["acknowledged"])
            errors += sum(decided["errors"].values())
            cookies_file = work / "cookies.json"
            cookies_file.write_text(json.dumps(decided["cookies"]))
            variants = (("with", gated, "pages"), ("without", bare, "pages"),
                        ("with/new", gated, "new"), ("without/new", bare, "new"))
            rates: dict[str, list[float]] = {label: [] for label, *_ in variants}
            cpu_per_view: dict[str, list[float]] = {label: [] for label, *_ in variants}
            driver_cpu: list[float] = []
            for round_ in range(args.rounds):
                for label, server, mode in variants:
                    cpu_before = server.cpu_seconds()
                    # A returning visitor's cookie comes from the server with the middleware;
                    # a new visitor brings none (and the server without it checks nothing).
                    # (cookie_port marks the server without it, whose pages are not checked.)
                    run = run_driver(server.port, mode, args.round_seconds, 10**7, args.concurrency,
                                     10 + round_, cookie_port=gated.port if server is bare else None,
                                     cookies=cookies_file if mode == "pages" else None)
                    cpu_per_view[label].append((server.cpu_seconds() - cpu_before) / max(1, run["requests"]))
                    acknowledged.update(run["acknowledged"])
                    errors += sum(run["errors"].values())
                    if run["errors"]:
                        print(f"errors ({label} middleware, round {round_ + 1}): {run['errors']}")
                    rates[label].append(run["throughput"])
                    driver_cpu.append(run["driver_cpu"])
            rate = {label: statistics.median(values) for label, values in rates.items()}
            cpu = {label: statistics.median(values) for label, values in cpu_per_view.items()}
        finally:
            stopped = {server.name: server.stop() for server in (gated, bare)}
            logs = {server.name: server.problems() for server in (gated, bare)}
        total, distinct, per_visitor = ledger_counts(args.postgres, schema)
        if not args.keep_schema:
            drop_schema(args.postgres, schema)

    acked = sum(acknowledged.values())
    per_visitor_equal = per_visitor == acknowledged
    capacity = []
    for visitor, suffix in (("returning", ""), ("new", "/new")):
        with_rate, without_rate = rate["with" + suffix], rate["without" + suffix]
        with_cpu, without_cpu = cpu["with" + suffix], cpu["without" + suffix]
        capacity += [
            (f"page views/s with middleware ({visitor})", f"{with_rate:.0f}", "(reported)", True),
            (f"page views/s without middleware ({visitor})", f"{without_rate:.0f}", "(reported)", True),
            (f"ratio with / without ({visitor})", f"{with_rate / without_rate:.2f}x", ">= 0.9x",
             with_rate / without_rate >= 0.9),
            (f"server CPU per page view with ({visitor})", f"{with_cpu * 1e3:.2f} ms", "(reported)", True),
            (f"server CPU per page view without ({visitor})", f"{without_cpu * 1e3:.2f} ms", "(reported)", True),
            (f"capacity ratio, CPU without / with ({visitor})", f"{without_cpu / with_cpu:.2f}x", ">= 0.9x",
             without_cpu / with_cpu >= 0.9),
        ]
    checks = [
        ("throughput of the mix", f"{mixed['throughput']:.0f} req/s", "(reported)", True),
        ("p50 latency of the mix", f"{mixed['p50_ms']:.1f} ms", "(reported)", True),
        ("p99 latency of the mix", f"{mixed['p99_ms']:.1f} ms", "(reported)", True),
        ("errors (every run)", str(errors), "0", errors == 0),
        ("ledger records / acknowledged decisions", f"{total} / {acked}", "exactly equal", total == acked),
        ("duplicate receipt ids", str(total - distinct), "0", total == distinct),
        ("visitors whose record count differs", str(sum(1 for v in per_visitor.keys() | acknowledged.keys()
                                                         if per_visitor[v] != acknowledged[v])), "0",
         per_visitor_equal),
        *capacity,
    ]
    for name, (code, shutdowns) in stopped.items():
        clean = code == 0 and shutdowns == 2
        checks.append((f"clean stop of the {name} server", f"exit {code}, {shutdowns}/2", "exit 0, 2/2", clean))
        checks.append((f"tracebacks or dead workers ({name})", str(len(logs[name])), "0", not logs[name]))
    print()
    for label, value, target, ok in checks:
        results.append(_line(label, value, target, ok))
        misses += not ok
    print("\n".join(results))
    for name, found in logs.items():
        for problem in found[:3]:
            print(f"\n--- {name} server log ---\n{problem}")
    print("\nrounds (page views/s): " + "; ".join(f"{label} {', '.join(f'{r:.0f}' for r in values)}"
                                              for label, values in rates.items())
          + f"; the driver used at most {max(driver_cpu):.0%} of a core (mix: {mixed['driver_cpu']:.0%})")
    print(f"load average when done: {', '.join(f'{x:.2f}' for x in os.getloadavg())} ({os.cpu_count()} CPUs)")
    return 1 if misses else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    sub = parser.add_subparsers(dest="command")
    driver = sub.add_parser("drive", help="the load generator (run by the orchestrator in its own process)")
    driver.add_argument("--port", type=int, required=True)
    driver.add_argument("--cookie-port", type=int, help="get consent cookies here (page views of another server)")
    driver.add_argument("--mode", choices=["mixed", "pages", "new", "cookies"], default="mixed")
    driver.add_argument("--cookies", help="a JSON file of [cookie, choices] the visitors of 'pages' bring")
    driver.add_argument("--seconds", type=float, default=20.0)
    driver.add_argument("--requests", type=int, default=100_000)
    driver.add_argument("--concurrency", type=int, default=32)
    driver.add_argument("--seed", type=int, default=0)
    parser.add_argument("--seconds", type=float, default=20.0, help="time bound of the mixed run")
    parser.add_argument("--requests", type=int, default=100_000, help="request bound of the mixed run")
    parser.add_argument("--concurrency", type=int, default=32, help="connections the driver keeps open")
    parser.add_argument("--rounds", type=int, default=5, help="alternating rounds of the with/without comparison")
    parser.add_argument("--round-seconds", type=float, default=3.0)
    parser.add_argument("--postgres", default=os.environ.get("CONSENTKIT_TEST_POSTGRES_URL",
                                                             "postgresql://postgres@127.0.0.1:5432/test"))
    parser.add_argument("--keep-schema", action="store_true", help="leave the ledger schema for inspection")
    args = parser.parse_args()
    if args.command == "drive":
        print(json.dumps(asyncio.run(drive(args))))
        return 0
    return orchestrate(args)


if __name__ == "__main__":
    sys.exit(main())
