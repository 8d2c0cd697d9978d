"""MkDocs hooks: pages made from the code at build time, so that they cannot drift
from it. ``reference/endpoints.md`` and ``openapi.json`` come from the OpenAPI
document (``consentkit.openapi``) of the demo's policy."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from mkdocs.structure.files import File, Files

ROOT = Path(__file__).resolve().parent.parent
_METHODS = ("get", "post", "put", "patch", "delete")


def _document() -> dict[str, Any]:
    from consentkit import ConsentKit, Policy
    from consentkit.minors.notifiers import MemoryNotifier
    from consentkit.openapi import document

    policy = Policy.from_toml(ROOT / "demo_site" / "policy.toml")
    kit = ConsentKit(policy, secret_keys=["documentation-only-key-0123"], store="memory://", notifier=MemoryNotifier())
    return document(kit)


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def endpoints_page(doc: dict[str, Any]) -> str:
    lines = [
        "# Endpoints",
        "",
        "Every endpoint consentkit answers, from its [OpenAPI document](../openapi.json) (the one a",
        "running site serves at `/consentkit/openapi.json`, for the demo's policy here). The prefix",
        "`/consentkit` is `ConsentKit(prefix=...)`; under a sub-path it follows the app's `root_path`.",
        "",
        "| method | path | what it does | answers |",
        "|---|---|---|---|",
    ]
    for path, item in doc["paths"].items():
        for method in _METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            answers = ", ".join(sorted(operation.get("responses", {})))
            lines.append(f"| {method.upper()} | `{path}` | {_cell(operation.get('summary', ''))} | {answers} |")
    return "\n".join(lines) + "\n"


def on_files(files: Files, config: Any) -> Files:
    doc = _document()
    files.append(File.generated(config, "reference/endpoints.md", content=endpoints_page(doc)))
    files.append(File.generated(config, "openapi.json", content=json.dumps(doc, indent=1)))
    return files
