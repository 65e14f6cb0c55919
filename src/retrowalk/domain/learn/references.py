"""Find the Learn entries other packages' data files refer to (``learn = [...]``)."""

from __future__ import annotations

import json
import tomllib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from retrowalk.domain.learn.content import DATA_ROOT, LearnError, Usage


def _label_of(node: dict[str, Any], where: str) -> str:
    for key in ("title", "name", "label", "id", "key"):
        value = node.get(key)
        if isinstance(value, str | int) and str(value).strip():
            return str(value)
    return where


def _walk(node: Any, where: str) -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(node, dict):
        if "learn" in node:
            yield where, node
        for key, value in node.items():
            if key != "learn":
                yield from _walk(value, f"{where}.{key}" if where else str(key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _walk(value, f"{where}[{i}]")


def _refs(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list):
        return tuple(str(v) for v in value)
    return ()


def find_learn_references(data_root: Path | None = None) -> list[Usage]:
    """Every ``learn = [...]`` reference in TOML/JSON files under ``data_root``.

    The Learn folder itself is skipped (entries link with ``related``). A
    ``learn`` value may be one id or a list of ids, at any depth.

    Raises
    ------
    LearnError
        When a data file cannot be parsed (a broken file must not hide links).
    """
    root = data_root or DATA_ROOT
    usages: list[Usage] = []
    for path in sorted(root.rglob("*")):
        if path.suffix not in (".toml", ".json") or not path.is_file():
            continue
        rel = path.relative_to(root)
        if rel.parts[0] == "learn":
            continue
        try:
            if path.suffix == ".toml":
                data: Any = tomllib.loads(path.read_text(encoding="utf-8"))
            else:
                data = json.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise LearnError(f"{rel}: cannot read it to check Learn links ({exc})") from None
        area = rel.parts[0] if len(rel.parts) > 1 else ""
        for where, node in _walk(data, ""):
            refs = _refs(node["learn"])
            if refs:
                usages.append(
                    Usage(
                        area=area,
                        path=rel.as_posix(),
                        where=where or "(top level)",
                        label=_label_of(node, where or rel.stem),
                        learn=refs,
                    )
                )
    return usages


def backlinks(usages: Iterable[Usage]) -> dict[str, list[Usage]]:
    """Usages grouped by the entry id they refer to."""
    out: dict[str, list[Usage]] = {}
    for usage in usages:
        for ref in dict.fromkeys(usage.learn):
            out.setdefault(ref, []).append(usage)
    return out
