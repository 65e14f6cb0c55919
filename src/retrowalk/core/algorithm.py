"""The shape every algorithm class shares, and the helpers that rely on it.

An algorithm is a small class (the convention of gaitmap and mobgap, Küderle
et al. 2024, "Gaitmap - An Open Ecosystem for IMU-based Human Gait Analysis
and Algorithm Benchmarking", IEEE Open J Eng Med Biol):

- ``__init__`` takes keyword parameters only and stores each unchanged under
  its own name;
- one action method (``detect``, ``estimate``, ``classify``, ``analyze``,
  ``fit``, ``filter``, ``check``) computes and returns ``self``;
- results live in attributes whose names end with ``_``.

Because the parameters are exactly the ``__init__`` arguments, an algorithm
can be described (:func:`get_params`) and copied without its results
(:func:`clone`), which is what lets a pipeline take an algorithm instance as a
setting and run it many times.
"""

from __future__ import annotations

import copy
import functools
import inspect
from typing import Any, ClassVar, Self, TypeVar

__all__ = ["ACTION_METHODS", "Algorithm", "clone", "get_params", "param_names"]

#: The names an action method may have.
ACTION_METHODS: tuple[str, ...] = (
    "detect",
    "estimate",
    "classify",
    "analyze",
    "fit",
    "filter",
    "check",
)

T = TypeVar("T")


def param_names(cls: type) -> list[str]:
    """The keyword parameters of ``cls.__init__``, in order."""
    return list(_param_names(cls))


@functools.cache
def _param_names(cls: type) -> tuple[str, ...]:
    # read once per class: inspecting a signature costs more than a short recording's step
    signature = inspect.signature(cls.__init__)  # type: ignore[misc]
    return tuple(
        name
        for name, p in signature.parameters.items()
        if name != "self" and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
    )


def get_params(algorithm: object) -> dict[str, Any]:
    """The parameters an algorithm was made with: ``{name: value}``."""
    return {name: getattr(algorithm, name) for name in param_names(type(algorithm))}


def clone(algorithm: T) -> T:
    """A new instance with (deep copies of) the same parameters and no results."""
    params = {k: copy.deepcopy(v) for k, v in get_params(algorithm).items()}
    return type(algorithm)(**params)


class Algorithm:
    """Base of the algorithm classes: parameter access and cloning.

    Subclasses declare their parameters in ``__init__`` (keyword-only, stored
    unchanged) and name their action method in ``action_method``.
    """

    #: The method that computes the results (returns ``self``).
    action_method: ClassVar[str] = ""

    def get_params(self) -> dict[str, Any]:
        """The parameters this instance was made with."""
        return get_params(self)

    def set_params(self, **params: Any) -> Self:
        """Change parameters in place (names must be ``__init__`` parameters)."""
        allowed = set(param_names(type(self)))
        unknown = sorted(set(params) - allowed)
        if unknown:
            raise ValueError(f"{type(self).__name__} has no parameter {', '.join(unknown)}")
        for name, value in params.items():
            setattr(self, name, value)
        return self

    def clone(self) -> Self:
        """A fresh copy with the same parameters and no results."""
        return clone(self)

    def results(self) -> dict[str, Any]:
        """The results of the last action: attributes ending with ``_``."""
        return {k: v for k, v in vars(self).items() if k.endswith("_") and not k.startswith("_")}
