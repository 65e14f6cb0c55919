"""The application, domain and command-line packages keep to their layers.

``domain`` (rules) imports only ``core``; ``app`` (use cases) imports no
presentation (``cli``, ``web``); nothing below ``app`` imports ``app``, ``domain``
or ``cli``; and no import cycle runs through these packages. The modules left at
old paths only to re-export a moved module are allowed to point at their new home.
"""

from __future__ import annotations

import grimp
import pytest

# Old module paths that only re-export their new home (removed once callers move).
SHIMS: set[str] = set()
SHIM_PACKAGES: tuple[str, ...] = ()
BELOW_APP = ("core", "dsp", "io", "gait", "summary", "pipeline", "video", "report", "store")


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph("retrowalk", cache_dir=None)


def _top(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def _is_shim(module: str) -> bool:
    return (
        module in SHIMS
        or module.startswith(tuple(p + "." for p in SHIM_PACKAGES))
        or (module in SHIM_PACKAGES)
    )


def _imports(graph: grimp.ImportGraph, package: str) -> list[tuple[str, str]]:
    return [
        (m, imported)
        for m in sorted(graph.modules)
        if m == package or m.startswith(package + ".")
        for imported in sorted(graph.find_modules_directly_imported_by(m))
    ]


def test_domain_imports_only_core(graph: grimp.ImportGraph) -> None:
    bad = [
        (a, b) for a, b in _imports(graph, "retrowalk.domain") if _top(b) not in ("core", "domain")
    ]
    assert bad == []


def test_app_imports_no_presentation(graph: grimp.ImportGraph) -> None:
    bad = [(a, b) for a, b in _imports(graph, "retrowalk.app") if _top(b) in ("cli", "web")]
    assert bad == []


def test_nothing_below_app_imports_app_domain_or_cli(graph: grimp.ImportGraph) -> None:
    bad = [
        (a, b)
        for layer in BELOW_APP
        for a, b in _imports(graph, f"retrowalk.{layer}")
        if _top(b) in ("app", "domain", "cli") and not _is_shim(a)
    ]
    assert bad == []


def test_no_cycle_through_app_domain_or_cli(graph: grimp.ImportGraph) -> None:
    mine = [
        m for m in sorted(graph.modules) if _top(m) in ("app", "domain", "cli") and not _is_shim(m)
    ]
    cycles = []
    for module in mine:
        for imported in graph.find_modules_directly_imported_by(module):
            if _is_shim(imported):
                continue
            back = graph.find_shortest_chain(importer=imported, imported=module)
            if back is not None:
                cycles.append((module, *back))
    assert cycles == []
