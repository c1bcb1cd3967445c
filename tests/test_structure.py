"""The package's drawn structure: no import circle, and no arrow that runs back up the layers
(every import counts, those inside functions too: a lazy import is still a dependency)."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "redactor"

#: Lowest first.  A module may import its own layer and the ones below, never above.
LAYERS = [
    {"errors", "config", "procs"},
    {"detect", "ingest", "policy", "transform", "safe_harbor", "transforms", "backends", "audit"},
    {"guard", "redact", "evaluate"},
    {"prepare"},  # the one prepare stage every face uses
    {"pipeline", "workers", "frames", "spark", "batch", "rundir", "redact_files", "preflight"},  # faces
    {"serve", "cli"},  # faces with their own process
]


def _modules() -> dict[str, Path]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        out[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return out


def _graph() -> dict[str, set[str]]:
    mods = _modules()
    graph: dict[str, set[str]] = {m: set() for m in mods}
    for name, path in mods.items():
        package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                base = package.split(".")[: len(package.split(".")) - node.level + 1] if node.level else []
                target = ".".join(base + ([node.module] if node.module else [])) if node.level else node.module or ""
                found = [f"{target}.{a.name}" if f"{target}.{a.name}" in mods else target for a in node.names]
            elif isinstance(node, ast.Import):
                found = [a.name for a in node.names]
            else:
                continue
            graph[name] |= {t for t in found if t in mods and t not in (name, "redactor")}
    return graph


def _layer(module: str) -> int:
    top = module.split(".")[1]
    return next(i for i, names in enumerate(LAYERS) if top in names)


def test_every_module_has_a_layer():
    assert all(_layer(m) is not None for m in _graph() if m != "redactor")


def test_no_arrow_runs_back_up():
    graph = _graph()
    up = sorted((a, b) for a, targets in graph.items() if a != "redactor" for b in targets if _layer(b) > _layer(a))
    assert up == []


def test_no_import_circle():
    graph = _graph()
    done: set[str] = set()
    circles = []

    def visit(node: str, path: list[str]) -> None:
        if node in path:
            circles.append(path[path.index(node):])
            return
        if node in done:
            return
        for nxt in sorted(graph[node]):
            visit(nxt, path + [node])
        done.add(node)

    for node in sorted(graph):
        if node != "redactor":
            visit(node, [])
    assert circles == []
