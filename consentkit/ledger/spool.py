"""The local spool: where records wait, on disk, while the store is down.

A spool is a directory of append-only JSON-lines files. Every write is flushed and
fsynced before it returns, so a record the spool accepted survives a crash. Each
process writes its own file and holds an exclusive ``flock`` on it while it does;
a replayer only takes files it can lock, so it never reads a file still being
written, and two replayers never take the same one. A file is removed only after
every entry in it is in the store. A line cut short by a crash is skipped.

A spool belongs to one store: the first writer or replayer claims the directory
by creating ``OWNER`` (exclusively, so two kits cannot both claim it) with the
store's identity; a kit of another store never writes there nor replays from it.
"""

from __future__ import annotations

import itertools
import json
import logging
import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from .base import LedgerError

try:
    import fcntl
except ImportError:  # Windows: no flock; a process then only replays files it does not hold open
    fcntl = None  # type: ignore[assignment]

logger = logging.getLogger("consentkit.ledger")

Entry = dict[str, Any]
SUFFIX = ".jsonl"
# A new file after this many entries, so that replay reads a bounded file at a time.
ROTATE_AFTER = 5000
OWNER_FILE = "OWNER"


@dataclass(slots=True)
class Claim:
    """A sealed spool file this process has locked for replay, and its entries."""

    path: Path
    entries: list[Entry]
    handle: IO[bytes] | None = field(default=None, repr=False)


class Spool:
    """The spool directory. Methods block on the disk: call them from a thread."""

    def __init__(self, directory: str | Path, *, owner: str | None = None) -> None:
        self.directory = Path(directory)
        self.owner = owner
        self._owned = owner is None
        self._lock = threading.Lock()
        self._active: IO[bytes] | None = None
        self._active_path: Path | None = None
        self._written = 0
        self._counter = itertools.count()

    # -- writing ---------------------------------------------------------------

    def write(self, entries: list[Entry]) -> None:
        """Append entries durably (fsync); LedgerError if the disk refuses."""
        data = b"".join(json.dumps(e, separators=(",", ":")).encode() + b"\n" for e in entries)
        with self._lock:
            try:
                handle = self._active or self._open_new()
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            except OSError as exc:
                # A half-written line must not swallow the next entry: start a new file.
                self._seal_locked()
                raise LedgerError(f"cannot write to the ledger spool in {self.directory}: {exc}") from exc
            self._written += len(entries)
            if self._written >= ROTATE_AFTER:
                self._seal_locked()

    def _claim(self, *, create: bool) -> bool:
        """Whether the directory is this store's, claiming it first if no store has
        (when ``create``). LedgerError when another store holds it and we must write."""
        if self._owned:
            return True
        assert self.owner is not None
        path = self.directory / OWNER_FILE
        try:
            if create:
                self.directory.mkdir(parents=True, exist_ok=True)
                try:
                    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
                except FileExistsError:
                    pass
                else:
                    with os.fdopen(fd, "w", encoding="utf-8") as handle:
                        handle.write(self.owner + "\n")
                        handle.flush()
                        os.fsync(handle.fileno())
                    _sync_directory(self.directory)
            found = path.read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return False
        except OSError as exc:
            raise LedgerError(f"cannot claim the ledger spool {self.directory}: {exc}") from exc
        if found != self.owner:
            raise LedgerError(f"the ledger spool {self.directory} belongs to another store ({found.split('?')[0]}); "
                              "give each store its own spool_dir")
        self._owned = True
        return True

    def _open_new(self) -> IO[bytes]:
        self.directory.mkdir(parents=True, exist_ok=True)
        self._claim(create=True)
        name = f"{time.time_ns():020d}-{os.getpid()}-{next(self._counter)}{SUFFIX}"
        path = self.directory / name
        handle = open(path, "ab")  # noqa: SIM115 - held open across writes until sealed
        if fcntl is not None:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        _sync_directory(self.directory)  # the new name itself must survive a crash
        self._active, self._active_path, self._written = handle, path, 0
        return handle

    def seal(self) -> None:
        """Close the file being written, so that a replayer may take it."""
        with self._lock:
            self._seal_locked()

    def _seal_locked(self) -> None:
        if self._active is not None:
            try:
                self._active.close()  # closing releases the flock
            except OSError:
                logger.warning("closing ledger spool file %s failed", self._active_path)
        self._active, self._active_path, self._written = None, None, 0

    def close(self) -> None:
        self.seal()

    # -- reading and replay ----------------------------------------------------

    def files(self) -> list[Path]:
        """Every spool file of this store, oldest first; none when another store
        holds the directory (logged: those records wait for their own kit)."""
        try:
            found = sorted(p for p in self.directory.iterdir() if p.name.endswith(SUFFIX))
        except FileNotFoundError:
            return []
        if not found:
            return []
        try:
            self._claim(create=True)
        except LedgerError as exc:
            logger.error("%s", exc)
            return []
        return found

    def pending(self) -> bool:
        return bool(self.files())

    def claim(self, path: Path) -> Claim | None:
        """Lock a sealed file for replay and read it; None if someone holds it."""
        if path == self._active_path:
            return None
        try:
            handle = open(path, "rb")  # noqa: SIM115 - the lock lives as long as the claim
        except FileNotFoundError:
            return None
        if fcntl is not None:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                handle.close()
                return None
        return Claim(path, list(_parse(path, handle.read())), handle)

    def release(self, claim: Claim, *, done: bool) -> None:
        """Give the file back; remove it first when every entry is in the store."""
        try:
            if done:
                claim.path.unlink(missing_ok=True)
                _sync_directory(self.directory)
        finally:
            if claim.handle is not None:
                claim.handle.close()

    def entries(self) -> Iterator[Entry]:
        """Every entry of every file (including the one being written), oldest first."""
        for path in self.files():
            try:
                data = path.read_bytes()
            except FileNotFoundError:
                continue
            yield from _parse(path, data)


def _parse(path: Path, data: bytes) -> Iterator[Entry]:
    for number, line in enumerate(data.splitlines(), 1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
        except ValueError:
            # A crash in the middle of a write leaves a partial last line: that write
            # was never acknowledged, so skipping it loses nothing that was promised.
            logger.warning("skipping an unreadable line %d in ledger spool file %s", number, path.name)
            continue
        if isinstance(entry, dict):
            yield entry


def _sync_directory(directory: Path) -> None:
    if os.name != "posix":
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
