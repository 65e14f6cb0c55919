"""retrowalk against the reference gait tools, measured side by side on the same hour.

Run: ``make bench-anchors`` (installs the anchors into ``.bench-venv/`` first), or
``python benchmarks/anchors.py --anchor-python .bench-venv/bin/python [--rounds 5]``.

The anchors are installed from the package registry into their own virtual
environment, never into retrowalk's: mobgap (Mobilise-D full pipeline,
``MobilisedPipelineHealthy``; Kirk et al. 2024, Mobilise-D insights to estimate
real-world walking speed in multiple conditions with a wearable device, Sci Rep
14:1754), scikit-digital-health (its gait classifier ``PredictGaitLumbarLgbm``, then
``skdh.gait.GaitLumbar``; Adamowicz et al. 2022, SciKit Digital Health: Python package
for streamlined wearable inertial sensor data processing, JMIR mHealth uHealth
10:e36762) and gaitmap (Barth DTW stride segmentation,
Rampp event detection and temporal parameters, both feet; with
``--gaitmap-trajectory`` also the stride-level trajectory and spatial
parameters, which cost far more than the rest; Küderle et al. 2024, Gaitmap -
an open ecosystem for IMU-based human gait analysis and algorithm benchmarking,
IEEE Open J Eng Med Biol 5:163).

The data: one hour at 100 Hz tiled from the real ipol-gait trials (Voisard et
al. 2023, IPOL 13:497), the lower-back sensor for retrowalk, mobgap and
scikit-digital-health, the two foot sensors of the same trials (same samples)
for gaitmap. Every tool runs on one core (BLAS, OpenMP and numba limited to one
thread).

Two comparisons, each interleaved round by round (one run of every tool per
round, so all see the same load on a shared machine):

- **warm, in process**: each tool in its own long-lived process, data in memory,
  one warm-up run (numba compilation, caches), then the timed call of its
  analysis function;
- **cold, whole process**: a fresh interpreter per run that imports the tool,
  reads the same 1-hour CSV file and analyses it (``retrowalk analyze FILE
  --json -`` for retrowalk). retrowalk's modules are compiled to bytecode
  first, as an installed package's are (the anchors' are, by pip): an editable
  install run with ``PYTHONDONTWRITEBYTECODE`` set would otherwise compile its
  hundred-odd modules again in every run.

It prints the median of each tool and the ratio of the medians (anchor median
over retrowalk median), beside the targets, and as the floor one zero-phase
6-channel Butterworth low-pass (4th order, 20 Hz, ``scipy.signal.sosfiltfilt``)
over the same hour. Each figure is given as wall time and, in brackets, as CPU
time (of the process; in the cold comparison, of the whole child process),
which a machine busy with other work inflates less. No anchor figure is written
down anywhere: every number printed was measured in this run.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

FS = 100.0
SINGLE_CORE = {
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "NUMEXPR_NUM_THREADS": "1",
    "NUMBA_NUM_THREADS": "1",
}
TARGET_WARM = {"mobgap": 50.0, "gaitmap": 15.0}
TARGET_COLD = {"mobgap": 10.0}
TARGET_FLOOR_RATIO = 4.0


def tiled_hour(hours: float = 1.0) -> dict[str, np.ndarray]:
    """Lower back and both feet of the ipol-gait trials, tiled to ``hours`` (same samples)."""
    import _data

    ids = _data.ipol_trial_ids()
    if not ids:
        raise SystemExit(f"no ipol-gait recordings under {_data.data_root()}")
    out: dict[str, list[np.ndarray]] = {}
    for t in ids:
        parts = {s: _data.load_ipol_trial(t, s)[0] for s in ("lb", "lf", "rf")}
        n = min(p.n_samples for p in parts.values())
        for s, rec in parts.items():
            assert rec.gyro_rads is not None
            out.setdefault(f"{s}_acc", []).append(rec.acc_mps2[:n])
            out.setdefault(f"{s}_gyro", []).append(rec.gyro_rads[:n])
    joined = {k: np.concatenate(v) for k, v in out.items()}
    n = int(hours * 3600 * FS)
    idx = np.arange(n) % joined["lb_acc"].shape[0]
    return {k: v[idx] for k, v in joined.items()}


def write_csv(path: Path, acc: np.ndarray, gyro: np.ndarray) -> None:
    """``time_s, acc_x.. (m/s^2), gyr_x.. (deg/s)``, as the mobgap lab CSVs."""
    t = np.arange(acc.shape[0]) / FS
    table = np.column_stack([t, acc, np.rad2deg(gyro)])
    header = "time_s,acc_x,acc_y,acc_z,gyr_x,gyr_y,gyr_z"
    np.savetxt(path, table, delimiter=",", header=header, comments="", fmt="%.6f")


# --------------------------------------------------------------------- tool code
# Each tool: a ``prepare(source)`` that turns the data into the tool's input
# (``source`` is the npz path in warm mode, the CSV path(s) in cold mode) and a
# ``run(inputs)`` that analyses and returns the number of walking bouts found.
# The axes and the tools' calls are in ``_anchor_tools`` (shared with
# ``anchor_accuracy.py``).

_COMMON = r"""
import json, os, sys, time, warnings
warnings.filterwarnings("ignore")
import numpy as np

def load(source):
    if source.endswith(".npz"):
        d = np.load(source)
        return {k: d[k] for k in d.files}
    out = {}
    for side, path in zip(("lb", "lf", "rf"), source.split(os.pathsep)):
        table = np.loadtxt(path, delimiter=",", skiprows=1)
        out[side + "_acc"] = table[:, 1:4]
        out[side + "_gyro"] = np.deg2rad(table[:, 4:7])
    return out
"""

_RETROWALK = r"""
from retrowalk.core.recording import Recording
from retrowalk.pipeline import AnalysisOptions, analyze
from scipy import signal

def prepare(source):
    d = load(source)
    return Recording(acc_mps2=d["lb_acc"], gyro_rads=d["lb_gyro"], sampling_rate_hz=100.0,
                     placement="lower_back"), np.column_stack([d["lb_acc"], d["lb_gyro"]])

def run(inputs):
    return len(analyze(inputs[0], AnalysisOptions()).bouts)

SOS = signal.butter(4, 20.0, btype="low", output="sos", fs=100.0)

def floor(inputs):
    signal.sosfiltfilt(SOS, inputs[1], axis=0)
    return 0
"""

_MOBGAP = r"""
from _anchor_tools import mobgap_datapoint, mobgap_lower_back, mobgap_pipeline

def prepare(source):
    d = load(source)
    return mobgap_datapoint(mobgap_lower_back(d["lb_acc"], d["lb_gyro"]))

def run(datapoint):
    pipe = mobgap_pipeline().safe_run(datapoint)
    return 0 if pipe.per_wb_parameters_ is None else len(pipe.per_wb_parameters_)
"""

_SKDH = r"""
from _anchor_tools import skdh_gait, skdh_inputs

def prepare(source):
    d = load(source)
    return skdh_inputs(d["lb_acc"], d["lb_gyro"])

def run(inputs):
    res = skdh_gait(*inputs)
    bouts = res.get("Bout N") if isinstance(res, dict) else None
    return 0 if bouts is None or len(bouts) == 0 else int(len(np.unique(bouts)))
"""

_GAITMAP = r"""
from _anchor_tools import gaitmap_events, gaitmap_feet
from gaitmap.parameters import SpatialParameterCalculation, TemporalParameterCalculation
from gaitmap.trajectory_reconstruction import StrideLevelTrajectory

def prepare(source):
    d = load(source)
    return gaitmap_feet((d["lf_acc"], d["lf_gyro"]), (d["rf_acc"], d["rf_gyro"]))

def run(data):
    events = gaitmap_events(data).min_vel_event_list_
    temporal = TemporalParameterCalculation().calculate(events, 100.0)
    if os.environ.get("ANCHOR_GAITMAP_TRAJECTORY") == "1":
        tr = StrideLevelTrajectory().estimate(data, events, sampling_rate_hz=100.0)
        SpatialParameterCalculation().calculate(events, tr.position_, tr.orientation_, 100.0)
    return int(sum(len(v) for v in temporal.parameters_.values()))
"""

_DRIVER = r"""
mode, source = sys.argv[1], sys.argv[2]
if mode == "cold":
    t0, c0 = time.perf_counter(), time.process_time()
    n = run(prepare(source))
    print(json.dumps({"seconds": time.perf_counter() - t0, "cpu": time.process_time() - c0,
                      "count": n}), flush=True)
    raise SystemExit(0)
inputs = prepare(source)
run(inputs)  # warm-up: compilation, caches
print(json.dumps({"ready": True}), flush=True)
for line in sys.stdin:
    what = line.strip()
    if what == "quit":
        break
    fn = floor if what == "floor" else run
    t0, c0 = time.perf_counter(), time.process_time()
    n = fn(inputs)
    print(json.dumps({"seconds": time.perf_counter() - t0, "cpu": time.process_time() - c0,
                      "count": n}), flush=True)
"""

TOOLS = {"retrowalk": _RETROWALK, "mobgap": _MOBGAP, "skdh": _SKDH, "gaitmap": _GAITMAP}
LABELS = {
    "retrowalk": "retrowalk analyze()",
    "mobgap": "mobgap MobilisedPipelineHealthy",
    "skdh": "scikit-digital-health GaitLumbar",
    "gaitmap": "gaitmap DTW+Rampp events, 2 feet",
}
COUNT_LABEL = {"retrowalk": "bouts", "mobgap": "bouts", "skdh": "bouts", "gaitmap": "strides"}


def tool_env(src: Path | None = None) -> dict[str, str]:
    env = {**os.environ, **SINGLE_CORE}
    env["PYTHONPATH"] = str(src or ROOT / "src")
    return env


def tool_script(tmp: Path, name: str, code: str) -> Path:
    """A script for the anchors' environment that finds ``_anchor_tools`` (after the
    installed packages, so that no benchmark module can stand in for one of theirs)."""
    path = tmp / f"run_{name}.py"
    path.write_text(f"import sys\nsys.path.append({str(HERE)!r})\n" + code)
    return path


def _script(tmp: Path, tool: str) -> Path:
    return tool_script(tmp, tool, _COMMON + TOOLS[tool] + _DRIVER)


class Worker:
    """One tool in its own long-lived process (warm mode)."""

    def __init__(self, python: str, script: Path, source: Path, src: Path | None = None) -> None:
        self.proc = subprocess.Popen(
            [python, str(script), "warm", str(source)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=tool_env(src),
        )
        self.error = ""
        line = self._read()
        if line is None or not line.get("ready"):
            self.error = self._failure()

    def _read(self) -> dict | None:
        assert self.proc.stdout is not None
        for raw in self.proc.stdout:
            raw = raw.strip()
            if raw.startswith("{"):
                return json.loads(raw)
        return None

    def _failure(self) -> str:
        self.proc.kill()
        err = self.proc.stderr.read() if self.proc.stderr else ""
        last = err.strip().splitlines()[-1] if err.strip() else "no output"
        return last

    def call(self, what: str = "run") -> dict | None:
        if self.error:
            return None
        assert self.proc.stdin is not None
        self.proc.stdin.write(what + "\n")
        self.proc.stdin.flush()
        out = self._read()
        if out is None:
            self.error = self._failure()
        return out

    def close(self) -> None:
        if self.proc.poll() is None and self.proc.stdin is not None:
            self.proc.stdin.write("quit\n")
            self.proc.stdin.flush()
            self.proc.wait(timeout=60)


def _children_cpu() -> float:
    """CPU seconds (user + system) of the finished child processes so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _cold(python: str, args: list[str], src: Path | None = None) -> tuple[float, float, str]:
    """Wall and CPU seconds of one whole process (``nan`` and the error when it fails)."""
    t0, c0 = time.perf_counter(), _children_cpu()
    proc = subprocess.run(
        [python, *args], capture_output=True, text=True, env=tool_env(src), check=False
    )
    elapsed, cpu = time.perf_counter() - t0, _children_cpu() - c0
    if proc.returncode != 0:
        err = proc.stderr.strip().splitlines()
        return float("nan"), float("nan"), err[-1] if err else f"exit {proc.returncode}"
    return elapsed, cpu, ""


def _compile(python: str, src: Path) -> None:
    """Compile the modules under ``src`` to bytecode (``__pycache__``), as an install does."""
    subprocess.run([python, "-m", "compileall", "-q", str(src)], check=True)


def _turn(tools: list[str], round_no: int) -> list[str]:
    """The tools in their order on even rounds and reversed on odd ones.

    A process called right after another runs measurably slower or faster
    (caches, clock), so no tool may always go first: with a fixed order, two
    versions of the engine that take the same time came out 3-4 % apart.
    """
    return tools if round_no % 2 == 0 else tools[::-1]


def _median(values: list[float]) -> float:
    ok = [v for v in values if v == v]
    return statistics.median(ok) if ok else float("nan")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--anchor-python", default=str(ROOT / ".bench-venv" / "bin" / "python"))
    parser.add_argument("--rounds", type=int, default=5, help="warm rounds (cold: half)")
    parser.add_argument("--cold-rounds", type=int, default=3)
    parser.add_argument("--tools", default="mobgap,skdh,gaitmap")
    parser.add_argument(
        "--gaitmap-trajectory", action="store_true", help="gaitmap also integrates each stride"
    )
    parser.add_argument(
        "--baseline-src",
        type=Path,
        help="also run retrowalk from this src/ folder (e.g. an export of main) in the same "
        "interleaved rounds, for a before/after ratio",
    )
    args = parser.parse_args(argv)
    if args.gaitmap_trajectory:
        os.environ["ANCHOR_GAITMAP_TRAJECTORY"] = "1"
        LABELS["gaitmap"] = "gaitmap events+trajectory, 2 feet"
    anchors = [t for t in args.tools.split(",") if t]
    if not Path(args.anchor_python).exists():
        print(f"no anchor environment at {args.anchor_python}: run `make bench-anchors`")
        anchors = []
    pythons = {"retrowalk": sys.executable, **{a: args.anchor_python for a in anchors}}
    tools = ["retrowalk", *anchors]
    srcs: dict[str, Path | None] = {t: None for t in tools}
    if args.baseline_src is not None:
        TOOLS["baseline"] = _RETROWALK
        LABELS["baseline"] = "retrowalk analyze(), baseline src"
        COUNT_LABEL["baseline"] = "bouts"
        pythons["baseline"] = sys.executable
        srcs["baseline"] = args.baseline_src.resolve()
        tools.insert(1, "baseline")

    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        data = tiled_hour(1.0)
        npz = tmp / "hour.npz"
        # mypy cannot tell the arrays' names from savez's keyword-only allow_pickle
        np.savez(npz, **data)  # type: ignore[arg-type]
        csv = {s: tmp / f"hour_{s}.csv" for s in ("lb", "lf", "rf")}
        for s, path in csv.items():
            write_csv(path, data[f"{s}_acc"], data[f"{s}_gyro"])
        hours = data["lb_acc"].shape[0] / FS / 3600.0
        print(
            f"data: {hours:g} h at {FS:g} Hz tiled from the ipol-gait trials "
            "(lower back; the feet for gaitmap); one core per tool"
        )
        scripts = {t: _script(tmp, t) for t in tools}
        load_before = os.getloadavg()

        # ---- warm, in process
        workers = {t: Worker(pythons[t], scripts[t], npz, srcs[t]) for t in tools}
        warm: dict[str, list[float]] = {t: [] for t in [*tools, "floor"]}
        warm_cpu: dict[str, list[float]] = {t: [] for t in [*tools, "floor"]}
        counts: dict[str, int] = {}
        for r in range(args.rounds):
            for t in _turn(tools, r):
                out = workers[t].call()
                if out is not None:
                    warm[t].append(out["seconds"])
                    warm_cpu[t].append(out["cpu"])
                    counts[t] = out["count"]
            out = workers["retrowalk"].call("floor")
            if out is not None:
                warm["floor"].append(out["seconds"])
                warm_cpu["floor"].append(out["cpu"])
        errors = {t: w.error for t, w in workers.items() if w.error}
        for w in workers.values():
            w.close()

        # ---- cold, whole process
        cold: dict[str, list[float]] = {t: [] for t in tools}
        cold_cpu: dict[str, list[float]] = {t: [] for t in tools}
        cold_err: dict[str, str] = {}
        lb = str(csv["lb"])
        rw_cli = ["-m", "retrowalk.cli", "analyze", lb, "--placement", "lower_back", "--json", "-"]
        cold_args = {
            "retrowalk": rw_cli,
            "baseline": rw_cli,
            "mobgap": [str(scripts["mobgap"]), "cold", lb] if "mobgap" in tools else [],
            "skdh": [str(scripts["skdh"]), "cold", lb] if "skdh" in tools else [],
            "gaitmap": [
                str(scripts["gaitmap"]),
                "cold",
                os.pathsep.join(str(csv[s]) for s in ("lb", "lf", "rf")),
            ]
            if "gaitmap" in tools
            else [],
        }  # fmt: skip
        for t in tools:
            if t in ("retrowalk", "baseline"):
                _compile(pythons[t], srcs[t] or ROOT / "src")
        for r in range(args.cold_rounds):
            for t in _turn(tools, r):
                seconds, cpu, err = _cold(pythons[t], cold_args[t], srcs[t])
                cold[t].append(seconds)
                cold_cpu[t].append(cpu)
                if err:
                    cold_err[t] = err

    load_after = os.getloadavg()
    print(
        "load average (1, 5, 15 min): before "
        + ", ".join(f"{x:.1f}" for x in load_before)
        + "; after "
        + ", ".join(f"{x:.1f}" for x in load_after)
        + f"; {os.cpu_count()} cores"
    )
    rw_warm, rw_cold = _median(warm["retrowalk"]), _median(cold["retrowalk"])
    rw_warm_cpu, rw_cold_cpu = _median(warm_cpu["retrowalk"]), _median(cold_cpu["retrowalk"])
    print(
        f"\nwarm, in process (median of {args.rounds} interleaved rounds, s per hour of data; "
        "in brackets CPU time, which a busy machine inflates less than wall time)"
    )
    for t in tools:
        med, cpu = _median(warm[t]), _median(warm_cpu[t])
        if t in errors:
            print(f"  {LABELS[t]:<42} failed: {errors[t]}")
            continue
        ratio = (
            ""
            if t == "retrowalk"
            else f"  retrowalk is {med / rw_warm:5.1f}x faster [{cpu / rw_warm_cpu:5.1f}x]"
        )
        target = f" (target >= {TARGET_WARM[t]:g}x)" if t in TARGET_WARM else ""
        found = f"{counts.get(t, 0)} {COUNT_LABEL[t]}"
        print(
            f"  {LABELS[t]:<42} {med / hours:7.3f} s/h [{cpu / hours:7.3f}] {found:>14}"
            f"{ratio}{target}"
        )
    floor, floor_cpu = _median(warm["floor"]), _median(warm_cpu["floor"])
    print(
        f"  floor: one zero-phase 6-channel filter pass   {floor / hours:7.3f} s/h "
        f"[{floor_cpu / hours:7.3f}]  retrowalk takes {rw_warm / floor:.2f}x "
        f"[{rw_warm_cpu / floor_cpu:.2f}x] the floor (target <= {TARGET_FLOOR_RATIO:g}x)"
    )
    print(
        f"\ncold, whole process on the 1-hour CSV (median of {args.cold_rounds} interleaved "
        "rounds, s; in brackets CPU time)"
    )
    for t in tools:
        med, cpu = _median(cold[t]), _median(cold_cpu[t])
        if t in cold_err and med != med:
            print(f"  {LABELS[t]:<42} failed: {cold_err[t]}")
            continue
        ratio = (
            ""
            if t == "retrowalk"
            else f"  retrowalk is {med / rw_cold:5.1f}x faster [{cpu / rw_cold_cpu:5.1f}x]"
        )
        target = f" (target >= {TARGET_COLD[t]:g}x)" if t in TARGET_COLD else ""
        print(f"  {LABELS[t]:<42} {med:7.2f} s [{cpu:6.2f}]{ratio}{target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
