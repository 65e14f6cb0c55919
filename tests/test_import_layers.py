"""The package keeps its layering: import-linter contracts hold and no module import cycle.

The contracts live in ``pyproject.toml`` (``[tool.importlinter]``); ``make test``
also runs ``lint-imports`` on its own.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import grimp

REPO = Path(__file__).resolve().parents[1]


def test_import_linter_contracts_hold() -> None:
    exe = shutil.which("lint-imports") or str(Path(sys.executable).with_name("lint-imports"))
    proc = subprocess.run(
        [exe, "--no-cache"], cwd=REPO, capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]


def test_no_module_import_cycle() -> None:
    graph = grimp.build_graph("retrowalk", cache_dir=None)
    modules = sorted(graph.modules)
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(module: str, path: list[str]) -> None:
        state[module] = 1
        for nxt in sorted(graph.find_modules_directly_imported_by(module)):
            if state.get(nxt) == 1:
                cycles.append([*path[path.index(nxt) :], nxt] if nxt in path else [module, nxt])
            elif nxt not in state:
                visit(nxt, [*path, nxt])
        state[module] = 2

    for module in modules:
        if module not in state:
            visit(module, [module])
    # A package's __init__ re-exporting its own submodules is not a cycle of meaning.
    real = [
        c
        for c in cycles
        if not any(a.startswith(b + ".") for a, b in zip(c[1:], c[:-1], strict=True))
    ]
    assert not real, "\n".join(" -> ".join(c) for c in real[:10])
