"""Each reason of the uncertain bouts once, with its bouts, for the CLI and the report."""

from __future__ import annotations

from retrowalk.summary.contract import uncertain_reasons


def test_reasons_are_grouped_in_the_order_of_their_first_bout() -> None:
    bouts = [
        ("forward", "trunk flexion"),
        ("uncertain", "too few straight steps (4)"),
        ("backward", None),
        ("uncertain", "a turn"),
        ("uncertain", "too few straight steps (4)"),
        ("uncertain", None),
        ("uncertain", ""),
    ]
    assert uncertain_reasons(bouts) == [
        ("too few straight steps (4)", [1, 4]),
        ("a turn", [3]),
        ("no reason given", [5, 6]),
    ]


def test_no_uncertain_bout_gives_no_reason() -> None:
    assert uncertain_reasons([("forward", "x"), ("backward", "y")]) == []
    assert uncertain_reasons([]) == []
