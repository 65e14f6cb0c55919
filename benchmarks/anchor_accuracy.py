"""The reference gait tools' accuracy beside retrowalk's, on the same real recordings.

Run: ``make bench-anchors`` (after ``anchors.py``), or
``python benchmarks/anchor_accuracy.py --anchor-python .bench-venv/bin/python``
(a few minutes; ``--in-sample`` leaves out retrowalk's held-out figures, which
take about a minute and a half of the run).

The anchors run in their own environment, as in ``anchors.py`` (never in
retrowalk's), one tool at a time, each in one process over all the
recordings, which it reads from files; their inputs (the sensor axes) and
calls are ``_anchor_tools``, which ``anchors.py`` uses too. Every figure
printed is measured in this run, the anchors' and retrowalk's alike.

- **ipol-gait** (Voisard et al. 2023, A reference data set for the study of
  healthy subject gait with inertial measurements units, IPOL 13:497; 12
  healthy adults, 70 trials of 10 m + U-turn + 10 m), contacts against the
  reference contacts of both feet:

  - mobgap (Kirk et al. 2024, Mobilise-D insights to estimate real-world
    walking speed in multiple conditions with a wearable device, Sci Rep
    14:1754; its algorithms chosen in Micó-Amigo et al. 2023, Assessing
    real-world gait with digital technology? Validation, insights and
    recommendations from the Mobilise-D consortium, J NeuroEng Rehabil 20:78):
    ``MobilisedPipelineHealthy`` (the pipeline mobgap recommends for healthy
    adults) on the lower back; its contacts are those of its contact detector
    inside the gait sequences it finds (``raw_ic_list_``);
  - scikit-digital-health (Adamowicz et al. 2022, SciKit Digital Health:
    Python package for streamlined wearable inertial sensor data processing,
    JMIR mHealth uHealth 10:e36762): ``GaitLumbar`` on the lower back, on the
    gait bouts of its classifier ``PredictGaitLumbarLgbm``, and on the whole
    trial given as one gait bout (the classifier judges 3 s windows and is
    made for days of data: a trial's first and last steps fall outside its
    bouts); its contacts are ``IC Timestamp``;
  - gaitmap (Küderle et al. 2024, Gaitmap - an open ecosystem for IMU-based
    human gait analysis and algorithm benchmarking, IEEE Open J Eng Med Biol
    5:163; Barth et al. 2015, Stride segmentation during free walk movements
    using multi-dimensional subsequence dynamic time warping on inertial
    sensor data, Sensors 15:6419; Rampp et al. 2015, Inertial sensor-based
    stride parameter calculation from gait sequences in geriatric patients,
    IEEE Trans Biomed Eng 62:1089): Barth DTW strides and Rampp events on the
    two foot sensors, in the axes of ``anchors.py`` and after gaitmap's own
    sensor alignment (to gravity, the main rotation axis by PCA, the forward
    sign); its contacts are the ``ic`` of every stride it segments (and the
    ``pre_ic`` of its min-vel strides), both feet merged; and each foot's own
    against that foot's reference contacts, beside retrowalk's foot analysis.
    Its default stride template, used as it comes, segments nearly every
    stride of some people's trials and few of others' (subject 11's trial 6:
    3 and 1 strides of about 17 per foot; subject 1's trial 1: 8 and 9), most
    of the misses in straight walking: its figures are those of the template
    on this mounting, not of gaitmap tuned to it.

  Under each row: where its missed and extra contacts sit (the first two or
  last two reference contacts, the U-turn, straight walking:
  ``accuracy_loso.where``).

  Scored as retrowalk's contacts are (``accuracy_loso.score_trial``): the
  contacts inside the trial boundaries (within the matching tolerance), matched
  one-to-one within +/- 250 ms, closest pairs first; step-count error per
  trial (mean and mean absolute), recall, precision, timing error (mean and
  MAE). No tool's delay is fitted. A trial on which a tool fails counts with no
  contacts (its row says on how many it failed).
- **mobgap-lab** (3 people, INDIP reference; Salis et al. 2023, A
  multi-sensor wearable system for the assessment of diseased gait in
  real-world conditions, Front Bioeng Biotechnol 11:1143248): these
  recordings ship with mobgap (its example data), so its algorithms may have
  been developed on this study. mobgap's pipeline per cohort, as mobgap
  recommends (``MobilisedPipelineHealthy`` for HA_*, ``MobilisedPipelineImpaired``
  for MS_*; printed), measurement condition "laboratory", the participant's
  metadata from the recording. Its contacts inside the reference bouts are
  scored as retrowalk's are in ``accuracy.py`` (``Tally``). Walking speed: each
  INDIP bout is matched to mobgap's walking bouts that overlap it, as
  ``accuracy.py`` matches retrowalk's; the speed is that of mobgap's strides of
  those bouts (``per_stride_parameters_``: the strides its stride selection
  kept and its bout assembly placed) that end inside the reference bout
  (within the contact tolerance after its end): their ``walking_speed_mps``
  weighted by their duration (``accuracy.window_speed``, with each stride's
  speed times its duration as its length), as retrowalk's steps' lengths
  over their durations. mobgap's stride speeds are interpolated from its
  per-second values, so a stride's speed times its duration is not quite the
  stride length it reports. Against INDIP's ``avg_walking_speed_mps``: the
  error per bout, its MAE, and the bouts lost (no walking bout overlaps).

retrowalk's figures beside them: ipol-gait with the shipped settings, which
were tuned on these people (in sample), and held out (each person scored with
the settings chosen on the other 11: ``accuracy_loso.held_out_contacts``, the
delay re-fitted per fold); mobgap-lab speed in sample as ``accuracy.py``
measures it, and held out as ``accuracy_loso.py`` does (step lengths' constants
chosen without the person; the steps that start and end inside the reference
bout, the mean of their speeds). The anchors were not tuned on ipol-gait.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import _data  # noqa: E402
import accuracy  # noqa: E402
import accuracy_loso  # noqa: E402
from accuracy import FEET, FS, HEADER, Tally  # noqa: E402
from accuracy_loso import TrialScore, score_trial, where  # noqa: E402
from anchors import tool_env, tool_script  # noqa: E402

# ---------------------------------------------------------------- the tools' scripts
# Each reads a JSON list of jobs ({"id", "npz", ...}) and writes, per job, the
# contacts (seconds) of each of its variants, or the error that stopped it.

_IPOL = r"""
import json, sys, traceback, warnings
warnings.filterwarnings("ignore")
import numpy as np
import _anchor_tools as tools

def mobgap(d, job):
    frame = tools.mobgap_lower_back(d["lb_acc"], d["lb_gyro"])
    point = tools.mobgap_datapoint(frame, {"height_m": job["height_m"]})
    pipe = tools.mobgap_pipeline("HA").safe_run(point)
    return {"lb": (pipe.raw_ic_list_["ic"].to_numpy(float) / tools.FS).tolist()}

def skdh(d, job):
    t, acc, gyro = tools.skdh_inputs(d["lb_acc"], d["lb_gyro"])
    out = {}
    for name, bouts in (("lb", None), ("lb whole", np.array([[0, t.size]]))):
        res = tools.skdh_gait(t, acc, gyro, job["height_m"], bouts)
        out[name] = (np.asarray(res.get("IC Timestamp", []), float) - t[0]).tolist()
    return out

def gaitmap(d, job):
    data = tools.gaitmap_feet((d["lf_acc"], d["lf_gyro"]), (d["rf_acc"], d["rf_gyro"]))
    out = {}
    for suffix, frames in (("", data), (" aligned", tools.gaitmap_aligned(data))):
        events = tools.gaitmap_events(frames)
        for side, sensor in (("lf", "left_sensor"), ("rf", "right_sensor")):
            ic = events.segmented_event_list_[sensor]["ic"].to_numpy(float)
            pre = events.min_vel_event_list_[sensor]["pre_ic"].to_numpy(float)
            both = np.unique(np.concatenate([ic, pre]))
            out[side + suffix] = (both[np.isfinite(both)] / tools.FS).tolist()
    return out

tool, jobs_path, out_path = sys.argv[1:4]
out = {}
for job in json.load(open(jobs_path)):
    d = np.load(job["npz"])
    try:
        out[job["id"]] = globals()[tool](d, job)
    except Exception as e:
        out[job["id"]] = {"error": f"{type(e).__name__}: {e}"}
json.dump(out, open(out_path, "w"))
"""

_MOBGAP_LAB = r"""
import json, sys, warnings
warnings.filterwarnings("ignore")
import numpy as np
import _anchor_tools as tools

jobs_path, out_path = sys.argv[1:3]
out = {}
for job in json.load(open(jobs_path)):
    d = np.load(job["npz"])
    frame = tools.mobgap_lower_back(d["acc"], d["gyro"], ipol=False)
    point = tools.mobgap_datapoint(frame, job["participant"], "laboratory")
    pipe = tools.mobgap_pipeline(job["participant"].get("cohort", "HA"))
    try:
        pipe = pipe.safe_run(point)
    except Exception as e:
        out[job["id"]] = {"pipeline": type(pipe).__name__, "error": f"{type(e).__name__}: {e}"}
        continue
    strides = pipe.per_stride_parameters_.reset_index()
    wbs = pipe.per_wb_parameters_
    out[job["id"]] = {
        "pipeline": type(pipe).__name__,
        "ic": pipe.raw_ic_list_["ic"].to_numpy(float).tolist(),
        "wb": [[float(a), float(b)] for a, b in zip(wbs["start"], wbs["end"])],
        "wb_id": [str(w) for w in wbs.index],
        "stride_wb": [str(w) for w in strides["wb_id"]],
        "stride_end": strides["end"].to_numpy(float).tolist(),
        "stride_s": strides["stride_duration_s"].to_numpy(float).tolist(),
        "stride_speed": strides["walking_speed_mps"].to_numpy(float).tolist(),
    }
json.dump(out, open(out_path, "w"))
"""


def _run_tool(python: str, tmp: Path, name: str, code: str, args: list[str]) -> dict[str, Any]:
    """Run one tool's script over its jobs; its output, or ``{"error": ...}``."""
    script = tool_script(tmp, name, code)
    out = tmp / f"{name}.json"
    proc = subprocess.run(
        [python, str(script), *args, str(out)],
        capture_output=True,
        text=True,
        env=tool_env(),
        check=False,
    )
    if proc.returncode != 0 or not out.exists():
        lines = proc.stderr.strip().splitlines()
        return {"error": lines[-1] if lines else f"exit {proc.returncode}"}
    result: dict[str, Any] = json.loads(out.read_text())
    return result


# ---------------------------------------------------------------- ipol-gait


def rows_of(label: str, scores: list[TrialScore], errors_ms: np.ndarray | None = None) -> list[str]:
    """A row of pooled figures (:func:`tally_of`) and, under it, where its missed and
    extra contacts sit (gait initiation, termination, the U-turn, straight walking)."""
    return [tally_of(scores, errors_ms).row(label), f"{'':<4}{where(scores) or 'none'}"]


def tally_of(scores: list[TrialScore], errors_ms: np.ndarray | None = None) -> Tally:
    """The pooled figures of scored trials, in ``accuracy.py``'s table
    (``errors_ms``: the timing errors instead of the trials' own)."""
    tally = Tally(
        tp=sum(s.tp for s in scores),
        fp=sum(s.fp for s in scores),
        fn=sum(s.fn for s in scores),
        count_errors_pct=[s.count_err_pct for s in scores],
    )
    err = np.concatenate([s.errors_ms for s in scores]) if errors_ms is None else errors_ms
    tally.errors_ms = [float(e) for e in err]
    return tally


#: The anchors' rows on ipol-gait against both feet's contacts: (tool, the variant's key, label).
IPOL_ROWS = (
    ("mobgap", "lb", "mobgap Healthy pipeline"),
    ("skdh", "lb", "skdh, its gait bouts"),
    ("skdh", "lb whole", "skdh, trial as one bout"),
    ("gaitmap", "", "gaitmap, 2 feet merged"),
    ("gaitmap", " aligned", "gaitmap aligned, 2 feet"),
)


def _contacts(found: dict[str, Any], key: str) -> np.ndarray:
    """A trial's contacts (s) of one variant; gaitmap's ``""`` / ``" aligned"``: both feet's."""
    if "error" in found:
        return np.zeros(0)
    if key in found:
        return np.asarray(found[key], dtype=np.float64)
    return np.sort(np.concatenate([np.asarray(found[s + key]) for s, _ in FEET]))


def ipol_section(python: str, tmp: Path, held_out: bool) -> list[str]:
    trials = []
    jobs = []
    for tid in _data.ipol_trial_ids():
        parts = {s: _data.load_ipol_trial(tid, s) for s in ("lb", "lf", "rf")}
        meta = parts["lb"][1]
        arrays: dict[str, np.ndarray] = {}
        for s, (rec, _) in parts.items():
            assert rec.gyro_rads is not None
            arrays[f"{s}_acc"], arrays[f"{s}_gyro"] = rec.acc_mps2, rec.gyro_rads
        npz = tmp / f"ipol_{tid}.npz"
        # mypy cannot tell the arrays' names from savez's keyword-only allow_pickle
        np.savez(npz, **arrays)  # type: ignore[arg-type]
        jobs.append({"id": tid, "npz": str(npz), "height_m": meta["height_m"] or 1.7})
        trials.append((tid, parts, meta))
    jobs_path = tmp / "ipol_jobs.json"
    jobs_path.write_text(json.dumps(jobs))

    found: dict[str, dict[str, Any]] = {}
    seconds: dict[str, float] = {}
    for tool in ("mobgap", "skdh", "gaitmap"):
        t0 = time.perf_counter()
        found[tool] = _run_tool(python, tmp, f"ipol_{tool}", _IPOL, [tool, str(jobs_path)])
        seconds[tool] = time.perf_counter() - t0

    ours: list[TrialScore] = []
    ours_feet: dict[str, list[TrialScore]] = {s: [] for s, _ in FEET}
    for _, parts, meta in trials:
        result = accuracy.analyse(parts["lb"][0], "lower_back", meta["height_m"])
        ours.append(score_trial(np.array([s.time_s for s in result.steps]), meta))
        for side, key in FEET:
            foot = accuracy.analyse(parts[side][0], "foot", meta["height_m"])
            own = np.array([s.time_s for s in foot.steps if not s.inferred])
            ours_feet[side].append(score_trial(own, {**meta, "ic": meta[key]}))

    people = len({meta["subject"] for _, _, meta in trials})
    lines = [
        f"== ipol-gait: {len(trials)} trials of {people} healthy adults; contacts inside the "
        "trial boundaries, matched one-to-one within +/-250 ms; step-count error per trial",
        "   (anchor run times: " + ", ".join(f"{t} {s:.0f} s" for t, s in seconds.items()) + ")",
        "   retrowalk in sample: its shipped settings, tuned on these people; held out: each "
        "person with the settings",
        "   chosen on the others (the delay re-fitted per fold). The anchors were not tuned on "
        "ipol-gait; no delay is fitted for them.",
        "",
        "lower back, against both feet's reference contacts",
        HEADER,
        *rows_of("retrowalk (in sample)", ours),
    ]
    if held_out:
        out = accuracy_loso.held_out_contacts(accuracy_loso.CONTACT_GRID)
        lines += rows_of("retrowalk (held out)", out.trials, out.errors_ms)
    else:
        lines.append(f"{'retrowalk (held out)':<28} not run: benchmarks/accuracy_loso.py")
    for tool, key, label in IPOL_ROWS:
        if label.startswith("gaitmap, "):
            lines += ["", "both feet (gaitmap), merged, against both feet's reference contacts"]
        lines += _anchor_rows(found[tool], trials, key, label, "ic")
    for side, ref in FEET:
        lines += ["", f"{'left' if side == 'lf' else 'right'} foot, against its own contacts"]
        lines += rows_of("retrowalk foot (in sample)", ours_feet[side])
        lines += _anchor_rows(found["gaitmap"], trials, side, "gaitmap", ref)
        lines += _anchor_rows(found["gaitmap"], trials, side + " aligned", "gaitmap aligned", ref)
    return lines


def _anchor_rows(
    found: dict[str, Any],
    trials: list[tuple[str, Any, dict[str, Any]]],
    key: str,
    label: str,
    ref: str,
) -> list[str]:
    """One anchor variant's rows (:func:`rows_of`): its contacts on every trial, scored as
    retrowalk's."""
    if set(found) == {"error"}:
        return [f"{label:<28} failed: {found['error']}"]
    scores, failed = [], []
    for tid, _, meta in trials:
        mine = found.get(tid, {"error": "no result"})
        if "error" in mine:
            failed.append(mine["error"])
        scores.append(score_trial(_contacts(mine, key), {**meta, "ic": meta[ref]}))
    rows = rows_of(label, scores)
    if failed:
        rows[0] += f"  failed on {len(failed)} trials ({failed[0]})"
    return rows


# ---------------------------------------------------------------- mobgap-lab


def _mobgap_speeds(out: dict[str, Any], walking_bouts: list[dict[str, Any]]) -> dict[int, Any]:
    """Per reference bout (by its start): mobgap's speed in it, ``"lost"`` (no walking
    bout overlaps) or ``None`` (no stride of the overlapping bouts ends inside it)."""
    ends = np.asarray(out["stride_end"], dtype=np.float64) / FS
    dur = np.asarray(out["stride_s"], dtype=np.float64)
    speed = np.asarray(out["stride_speed"], dtype=np.float64)
    owner = np.asarray(out["stride_wb"])
    spans = [(a, b) for a, b in out["wb"]]
    result: dict[int, Any] = {}
    for wb in walking_bouts:
        matched = accuracy.overlapping(spans, wb)
        if not matched:
            result[int(wb["start"])] = "lost"
            continue
        mine = np.isin(owner, [out["wb_id"][k] for k in matched]) & np.isfinite(speed)
        v, _ = accuracy.window_speed(
            ends[mine], speed[mine] * dur[mine], dur[mine], wb["start"] / FS, wb["end"] / FS
        )
        result[int(wb["start"])] = v
    return result


def mobgap_section(python: str, tmp: Path, held_out: bool) -> list[str]:
    names = _data.mobgap_names()
    jobs, metas = [], {}
    for name in names:
        rec, meta = _data.load_mobgap(name)
        npz = tmp / f"mobgap_{name}.npz"
        assert rec.gyro_rads is not None
        np.savez(npz, acc=rec.acc_mps2, gyro=rec.gyro_rads)
        jobs.append({"id": name, "npz": str(npz), "participant": meta["participant"]})
        metas[name] = meta
    jobs_path = tmp / "mobgap_jobs.json"
    jobs_path.write_text(json.dumps(jobs))
    t0 = time.perf_counter()
    found = _run_tool(python, tmp, "mobgap_lab", _MOBGAP_LAB, [str(jobs_path)])
    seconds = time.perf_counter() - t0
    lines = [
        f"== mobgap-lab: {len(names)} recordings of 3 people, INDIP reference (these recordings "
        "ship with mobgap: its algorithms may have been developed on this study)",
        f"   (mobgap run time {seconds:.0f} s)",
    ]
    if set(found) == {"error"}:
        return [*lines, f"mobgap failed: {found['error']}"]
    pipelines: dict[str, list[str]] = {}
    for name in names:
        pipelines.setdefault(found[name]["pipeline"], []).append(name)
    lines += [f"   {p}: {', '.join(n)}" for p, n in pipelines.items()]

    our_tally, our_speed = accuracy.mobgap()
    tally = Tally()
    theirs: dict[tuple[str, int], Any] = {}
    failed = []
    for k, name in enumerate(names):
        out, meta = found[name], metas[name]
        if "error" in out:
            failed.append(f"{name}: {out['error']}")
            continue
        det = np.round(np.asarray(out["ic"], dtype=np.float64)).astype(np.int64)
        if meta["walking_bouts"]:
            tally.add(det[accuracy.in_bouts(det, meta["walking_bouts"])], meta["ic"], k // 3)
        for start, v in _mobgap_speeds(out, meta["walking_bouts"]).items():
            theirs[(name, start)] = v
    lines += [f"   failed: {f}" for f in failed]
    lines += [
        "",
        "contacts inside the reference bouts (count error per recording)",
        HEADER,
        our_tally.row("retrowalk (in sample)"),
        tally.row("mobgap per cohort"),
    ]

    refs = {(name, int(wb["start"])): wb for name in names for wb in metas[name]["walking_bouts"]}
    ours = dict(zip(our_speed.bouts, our_speed.speed_err_pct, strict=True))
    mine = {
        key: 100.0 * (v / refs[key]["avg_walking_speed_mps"] - 1.0)
        for key, v in theirs.items()
        if isinstance(v, float)
    }
    both = sorted(set(ours) & set(mine))
    lost = sum(1 for v in theirs.values() if v == "lost")
    empty = sum(1 for v in theirs.values() if v is None)

    def mae(errors: list[float]) -> str:
        e = np.array(errors)
        return (
            f"{np.abs(e).mean():5.1f} % (mean {e.mean():+5.1f} %, n={e.size:2d})" if e.size else "-"
        )

    lines += [
        "",
        f"walking speed per reference bout vs INDIP ({len(refs)} bouts)   MAE          "
        "   on the bouts both measured",
        f"  {'retrowalk (in sample)':<38} {mae(our_speed.speed_err_pct)}   "
        f"{mae([ours[b] for b in both])}   lost {sum(our_speed.lost.values())}",
        f"  {'mobgap per cohort':<38} {mae(list(mine.values()))}   "
        f"{mae([mine[b] for b in both])}   lost {lost}, no stride inside {empty}",
    ]
    if held_out:
        held, _, people = accuracy_loso.held_out_speed(accuracy_loso.SPEED_GRID)
        lines.append(
            f"  {'retrowalk (held out, accuracy_loso.py)':<38} {mae(held['mobgap speed'])}   "
            f"(steps that start and end in the bout, mean step speed; {people} people)"
        )
    lines += ["", "per bout: reference speed, retrowalk's error (in sample), mobgap's error"]
    for key, wb in refs.items():
        v = theirs.get(key)
        mobgap_err = f"{mine[key]:+6.1f} %" if key in mine else f"{v or 'none':>8}"
        rw = f"{ours[key]:+6.1f} %" if key in ours else "    none"
        lines.append(
            f"  {key[0]:<22} {wb['start'] / FS:7.2f}-{wb['end'] / FS:7.2f} s  "
            f"{wb['avg_walking_speed_mps']:.2f} m/s   retrowalk {rw}   mobgap {mobgap_err}"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--anchor-python", default=str(ROOT / ".bench-venv" / "bin" / "python"))
    parser.add_argument(
        "--in-sample", action="store_true", help="leave out retrowalk's held-out figures"
    )
    args = parser.parse_args(argv)
    if not Path(args.anchor_python).exists():
        print(f"no anchor environment at {args.anchor_python}: run `make bench-anchors`")
        return 1
    if not _data.ipol_trial_ids() or not _data.mobgap_names():
        print(f"no ipol-gait or mobgap-lab recordings under {_data.data_root()}")
        return 1
    t0 = time.perf_counter()
    print("The reference tools' accuracy beside retrowalk's, measured in this run")
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        print("\n".join(ipol_section(args.anchor_python, tmp, not args.in_sample)))
        print()
        print("\n".join(mobgap_section(args.anchor_python, tmp, not args.in_sample)))
    print(f"\ntargets: {accuracy.TARGETS}")
    print(f"({time.perf_counter() - t0:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
