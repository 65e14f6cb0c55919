"""The algorithm contract, checked over every algorithm class.

An algorithm (see :mod:`retrowalk.core.algorithm`) is a class with an action
method (``detect``, ``estimate``, ``classify``, ``analyze``, ``fit``,
``filter``, ``check``) that returns ``self``. Every such class in ``gait``, ``dsp``,
``pipeline`` and ``video`` is found by walking the packages, and each must:

- document every ``__init__`` parameter under numpydoc ``Parameters``;
- take keyword parameters and store each unchanged under its own name;
- return ``self`` from its action method (every ``return`` of it);
- document every result (``self.name_ = ...`` in the action) under ``Attributes``;
- give its parameters back with ``get_params`` and copy itself without
  results with ``clone``.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import re
import textwrap
from typing import Any

import pytest

import retrowalk
from retrowalk.core.algorithm import ACTION_METHODS, Algorithm, clone, get_params, param_names

PACKAGES = ("gait", "dsp", "pipeline", "video")


def _modules() -> list[Any]:
    out = []
    for package in PACKAGES:
        root = importlib.import_module(f"retrowalk.{package}")
        out.append(root)
        for info in pkgutil.walk_packages(root.__path__, prefix=f"retrowalk.{package}."):
            out.append(importlib.import_module(info.name))
    return out


def _action(cls: type) -> str | None:
    for name in ACTION_METHODS:
        method = cls.__dict__.get(name)
        if method is None or not inspect.isfunction(method):
            continue
        returns = inspect.signature(method).return_annotation
        if returns in ("Self", cls.__name__, cls) or getattr(returns, "__name__", "") == "Self":
            return name
    return None


def _algorithms() -> list[tuple[type, str]]:
    found: dict[str, tuple[type, str]] = {}
    for module in _modules():
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ != module.__name__ or getattr(cls, "_is_protocol", False):
                continue
            action = _action(cls)
            if action is not None:
                found[f"{cls.__module__}.{cls.__qualname__}"] = (cls, action)
    return [found[k] for k in sorted(found)]


ALGORITHMS = _algorithms()
IDS = [f"{c.__module__.removeprefix('retrowalk.')}.{c.__name__}" for c, _ in ALGORITHMS]


def _section(doc: str, title: str) -> set[str]:
    """Names documented in one numpydoc section (``a, b`` lines give both)."""
    doc = inspect.cleandoc(doc)
    match = re.search(rf"^{title}\n-+\n(.*?)(?=^\S[^\n]*\n-+\n|\Z)", doc, re.M | re.S)
    if match is None:
        return set()
    names: set[str] = set()
    for line in match.group(1).splitlines():
        if line and not line[0].isspace():
            head = line.split(" : ")[0]
            names.update(n.strip() for n in head.split(","))
    return names


def _required(cls: type) -> dict[str, Any]:
    """Values for parameters without a default (none of the algorithms has many)."""
    values = {"placement": "lower_back"}
    signature = inspect.signature(cls.__init__)
    return {
        name: values[name]
        for name, p in signature.parameters.items()
        if name != "self" and p.default is inspect.Parameter.empty and name in values
    }


def test_every_package_has_algorithms():
    modules = {c.__module__.split(".")[1] for c, _ in ALGORITHMS}
    assert {"gait", "pipeline", "video"} <= modules, modules
    assert len(ALGORITHMS) >= 12


@pytest.mark.parametrize(("cls", "action"), ALGORITHMS, ids=IDS)
def test_parameters_documented_and_stored_unchanged(cls: type, action: str) -> None:
    params = param_names(cls)
    documented = _section(cls.__doc__ or "", "Parameters")
    missing = [p for p in params if p not in documented]
    assert not missing, f"{cls.__name__}: parameters not documented: {missing}"
    signature = inspect.signature(cls.__init__)
    for name, p in signature.parameters.items():
        if name == "self":
            continue
        assert p.kind in (p.KEYWORD_ONLY, p.POSITIONAL_OR_KEYWORD), f"{cls.__name__}.{name}"
    obj = cls(**_required(cls))
    for name, p in signature.parameters.items():
        if name != "self" and p.default is not inspect.Parameter.empty:
            assert getattr(obj, name) is p.default, f"{cls.__name__}.{name} not stored unchanged"
    marker = object()
    for name in params:
        try:
            other = cls(**{**_required(cls), name: marker})
        except (TypeError, ValueError):
            continue  # a parameter checked at construction
        assert getattr(other, name) is marker, f"{cls.__name__}.{name} not stored unchanged"


def _method_ast(cls: type, name: str) -> ast.FunctionDef:
    source = textwrap.dedent(inspect.getsource(getattr(cls, name)))
    node = ast.parse(source).body[0]
    assert isinstance(node, ast.FunctionDef)
    return node


def _result_names(cls: type) -> set[str]:
    """``self.<name>_`` assigned in any method of the class (streaming algorithms set
    results while fed, and finish in the action)."""
    names: set[str] = set()
    for klass in cls.__mro__:
        if klass.__module__.split(".")[0] != "retrowalk":
            continue
        for method in vars(klass).values():
            if not inspect.isfunction(method):
                continue
            tree = ast.parse(textwrap.dedent(inspect.getsource(method)))
            for node in ast.walk(tree):
                targets: list[ast.expr] = []
                if isinstance(node, ast.Assign):
                    targets = list(node.targets)
                elif isinstance(node, ast.AnnAssign | ast.AugAssign):
                    targets = [node.target]
                for target in targets:
                    elts = target.elts if isinstance(target, ast.Tuple) else [target]
                    for t in elts:
                        if (
                            isinstance(t, ast.Attribute)
                            and isinstance(t.value, ast.Name)
                            and t.value.id == "self"
                            and t.attr.endswith("_")
                            and not t.attr.startswith("_")
                        ):
                            names.add(t.attr)
    return names


def _returns_self(cls: type, value: ast.expr | None) -> bool:
    """``return self``, or ``return self.other(...)`` where ``other`` returns self too."""
    if isinstance(value, ast.Name) and value.id == "self":
        return True
    if (
        isinstance(value, ast.Call)
        and isinstance(value.func, ast.Attribute)
        and isinstance(value.func.value, ast.Name)
        and value.func.value.id == "self"
    ):
        other = getattr(cls, value.func.attr, None)
        if inspect.isfunction(other):
            returns = inspect.signature(other).return_annotation
            return returns in ("Self", cls.__name__)
    return False


@pytest.mark.parametrize(("cls", "action"), ALGORITHMS, ids=IDS)
def test_action_returns_self_and_results_documented(cls: type, action: str) -> None:
    node = _method_ast(cls, action)
    returns = [n for n in ast.walk(node) if isinstance(n, ast.Return)]
    assert returns, f"{cls.__name__}.{action} has no return"
    for r in returns:
        ok = _returns_self(cls, r.value)
        assert ok, f"{cls.__name__}.{action} returns {ast.unparse(r)!r}, not self"
    results = _result_names(cls)
    assert results, f"{cls.__name__}.{action} sets no result attribute"
    documented = _section(cls.__doc__ or "", "Attributes")
    missing = sorted(results - documented)
    assert not missing, f"{cls.__name__}: results not documented under Attributes: {missing}"


@pytest.mark.parametrize(("cls", "action"), ALGORITHMS, ids=IDS)
def test_get_params_and_clone(cls: type, action: str) -> None:
    obj = cls(**_required(cls))
    params = get_params(obj)
    assert list(params) == param_names(cls)
    copy = clone(obj)
    assert type(copy) is cls and copy is not obj
    assert get_params(copy).keys() == params.keys()
    for name, value in params.items():
        if isinstance(value, int | float | str | bool | tuple | type(None)):
            assert get_params(copy)[name] == value
    obj.contract_probe_ = 1  # a result set by a run ...
    assert not hasattr(clone(obj), "contract_probe_")  # ... is not copied
    if isinstance(obj, Algorithm):
        assert obj.get_params() == params
        assert type(obj.clone()) is cls


def test_retrowalk_is_importable():
    assert retrowalk.__version__
