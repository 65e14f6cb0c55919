"""How many usable steps a calibration walk needs: the calibrator's ``min_steps``
chosen leave-one-person-out.

Every calibration of the calibrated benchmark column (:mod:`direction`: the
person's own labelled forward walk with the same device and place) is cut to
its first ``k`` usable labelled steps (straight, not turning), the calibrator
asked for no more, and the calibrated analyses run again. Wrong, per person:
steps called backward in the forward walks (phone-steps, mobgap-lab, ipol-gait)
and, in mocap-backward, bout calls opposite to the labels and, for the backward
walker's whole take, steps called against their label. For each person left
out, ``k`` is the smallest with nothing wrong for anyone else; the table shows
what that ``k`` does to the person left out.
"""

from __future__ import annotations

from types import ModuleType

CANDIDATES = (5, 6, 7, 8)
"""Usable steps a calibration walk is cut to (the shipped ``min_steps`` is 8)."""


def _wrong(bench: ModuleType) -> tuple[dict[str, int], list[tuple[str, str, str, object]]]:
    """Per person, wrong calls of one calibrated run of the benchmark; and its rows."""
    rows = bench.collect(calibrated=True)
    wrong: dict[str, int] = {p: n for p, n in bench.BACKWARD_STEPS.items()}
    for name, calls in bench.CALLS.items():
        if name.startswith("mocap"):
            for _, ok, key in calls:
                person = f"mocap {key[:2]}"
                wrong[person] = wrong.get(person, 0) + (not ok)
    for name, figure, _, value in rows:
        if name.startswith("mocap 09_12 whole") and ("called" in figure):
            wrong["mocap 09"] = wrong.get("mocap 09", 0) + int(
                isinstance(value, float) and value > 0
            )
    return wrong, rows


def calibration_steps_table(bench: ModuleType) -> None:
    """Print, per ``k``, what goes wrong for whom, then the leave-one-person-out choice."""
    by_k: dict[int, dict[str, int]] = {}
    refused: dict[int, dict[str, str]] = {}
    rows: dict[int, list[tuple[str, str, str, object]]] = {}
    try:
        for k in CANDIDATES:
            setattr(bench, "CALIBRATION_STEPS", k)  # noqa: B010  (the benchmark's module)
            by_k[k], rows[k] = _wrong(bench)
            refused[k] = dict(bench.REFUSED)
    finally:
        setattr(bench, "CALIBRATION_STEPS", None)  # noqa: B010
    people = sorted({p for w in by_k.values() for p in w})
    print(
        "\n== CALIBRATION WALK: cut to its first k usable labelled steps (calibrator min_steps = k)"
    )
    print("   wrong per person: steps backward in forward walks; mocap: opposite bout calls,")
    print("   09_12 whole: rows with a step called against its label")
    print(f"{'person':<22}" + "".join(f"{f'k={k}':>8}" for k in CANDIDATES))
    for person in people:
        cells = "".join(f"{by_k[k].get(person, 0):>8}" for k in CANDIDATES)
        print(f"{person:<22}{cells}")
    print(f"{'calibrations refused':<22}" + "".join(f"{len(refused[k]):>8}" for k in CANDIDATES))
    watch = ("mocap pocket runs", "mocap lower_back runs", "mocap 09_12 whole, pocket")
    for name, figure, _, _ in rows[CANDIDATES[0]]:
        if name.startswith(watch) and ("right" in figure or "called" in figure):
            cells = ""
            for k in CANDIDATES:
                value = next(v for n, f, _, v in rows[k] if n == name and f == figure)
                cells += f"{value:>8.1f}" if isinstance(value, float) else f"{value!s:>8}"
            print(f"  {name} {figure}"[:60].ljust(60) + cells)
    print("\n   each person left out: k = the smallest with nothing wrong for anyone else")
    for person in people:
        others = [k for k in CANDIDATES if all(n == 0 for p, n in by_k[k].items() if p != person)]
        if not others:
            print(f"  {person:<22} no candidate leaves the others without a wrong call")
            continue
        k = others[0]
        print(f"  {person:<22} k = {k}: wrong for them {by_k[k].get(person, 0)}")
    for k in CANDIDATES:
        for who, why in refused[k].items():
            print(f"  k={k} refused {who}: {why}")
