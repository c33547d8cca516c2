#!/usr/bin/env python3
"""Scores Wave Studio's beats, downbeats and local tempo against exact truth
from the MIDI source, on the tempo corpus (bench/tempo: grooves written in 4/4
and Debian's openttd-openmsx music, rendered through soundfonts nobody here
made). The truth: MIDI bar lines start at time 0, so at a constant tempo the
beats are k * 60 / bpm and the downbeats every `numerator` beats (openmsx
files: the time signature of the .mid; written grooves: 4/4). A trap groove's
truth is its kick-snare tempo (bench/tempo), so its beats are at that level.

Prints, per split (tune / validation) and source (written / openmsx):
  series split=S source=X files=N beat_f=F beat_f_at_level=G downbeat_f=D meter4=M tempo_curve_ok=T
beat_f: mean mir_eval F-measure, +-50 ms (the issue's window), over all files;
beat_f_at_level: the same over the files whose tempo is at the truth's level
(Acc1), which is what the grid can be right about; downbeat_f: over 4/4 files,
+-50 ms; meter4: share of 4/4 files read as 4 beats a bar; meter_ok: share of
files of a known meter (4/4, 3/4, ...) whose meter we read right; tempo_curve_ok:
share of files whose every local tempo window is within 3 % of the truth
(or of its half/double, the file tempo's level).

Needs mir_eval and mido (pip install mir_eval mido).
"""

import argparse
import csv
import json
import os
import subprocess
import sys
from collections import defaultdict

import mir_eval
import numpy as np

WINDOW = 0.05


def meter_of(source, midi_dir):
    if source == "written":
        return 4
    try:
        import mido
        mid = mido.MidiFile(os.path.join(midi_dir, source))
    except Exception:
        return None
    sigs = {(m.numerator, m.denominator) for t in mid.tracks for m in t if m.type == "time_signature"}
    if len(sigs) != 1:
        return 4 if not sigs else None
    num, den = sigs.pop()
    return num if den == 4 else None


def run_ours(binary, files, jobs):
    out = subprocess.run([binary, "run", "--no-db", "--format", "jsonl", "--jobs", str(jobs),
                          "--series", "beats,tempo", *files], check=False, capture_output=True,
                         text=True)
    results = {}
    for line in out.stdout.splitlines():
        r = json.loads(line)
        results[os.path.basename(r["file"])] = r
    if not results:
        sys.exit(f"wave-studio printed nothing: {out.stderr[-2000:]}")
    return results


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", default="bench/tempo/corpus")
    ap.add_argument("--binary", default="target/release/wave-studio")
    ap.add_argument("--midi", default="/usr/share/games/openttd/baseset/openmsx")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--per-file", action="store_true", help="a line per file, for tuning")
    args = ap.parse_args()
    with open(os.path.join(args.corpus, "manifest.csv")) as f:
        rows = list(csv.DictReader(f))
    ours = run_ours(args.binary, [os.path.join(args.corpus, r["file"]) for r in rows], args.jobs)
    groups = defaultdict(list)
    for r in rows:
        source = "written" if r["source"] == "written" else "openmsx"
        res = ours.get(r["file"], {})
        truth_bpm = float(r["bpm"])
        meter = meter_of(r["source"], args.midi)
        beats = res.get("series", {}).get("beats", {})
        est = np.array([b[0] for b in beats.get("beats", [])])
        est_down = np.array([b[0] for b in beats.get("beats", []) if b[2] == 1])
        duration = res.get("duration_s") or 0.0
        period = 60.0 / truth_bpm
        truth = np.arange(0.0, duration, period)
        f = mir_eval.beat.f_measure(truth, est, f_measure_threshold=WINDOW) if len(est) else 0.0
        bpm = res.get("bpm") or 0.0
        at_level = abs(bpm / truth_bpm - 1.0) <= 0.04
        down_f = None
        if meter == 4 and len(est_down) and len(truth) > 4:
            down_f = mir_eval.beat.f_measure(truth[::4], est_down, f_measure_threshold=WINDOW)
        curve = res.get("series", {}).get("tempo", {})
        values = [v for v in curve.get("bpm", []) if v]
        level = min((truth_bpm * k for k in (0.5, 1.0, 2.0)), key=lambda t: abs(t - bpm)) if bpm else truth_bpm
        curve_ok = bool(values) and all(abs(v / level - 1.0) <= 0.03 for v in values)
        ours_meter = beats.get("meter")
        groups[(r["split"], source)].append(dict(f=f, at_level=at_level, down_f=down_f,
                                                 meter4=ours_meter == 4 if meter == 4 else None,
                                                 meter_ok=ours_meter == meter if meter else None,
                                                 curve_ok=curve_ok))
        if args.per_file:
            print(f"file split={r['split']} style={r['style']} truth={truth_bpm:g}/{meter} "
                  f"ours={bpm:g}/{ours_meter} beat_f={f:.2f} downbeat_f="
                  f"{'-' if down_f is None else f'{down_f:.2f}'} {r['file']}")
    for (split, source), items in sorted(groups.items()):
        mean = lambda xs: 100.0 * sum(xs) / len(xs) if xs else float("nan")
        level = [i["f"] for i in items if i["at_level"]]
        downs = [i["down_f"] for i in items if i["down_f"] is not None]
        m4 = [i["meter4"] for i in items if i["meter4"] is not None]
        mk = [i["meter_ok"] for i in items if i["meter_ok"] is not None]
        print(f"series split={split} source={source} files={len(items)} "
              f"beat_f={mean([i['f'] for i in items]):.1f} beat_f_at_level={mean(level):.1f} "
              f"(n={len(level)}) downbeat_f={mean(downs):.1f} (n={len(downs)}) "
              f"meter4={mean(m4):.1f} meter_ok={mean(mk):.1f} (n={len(mk)}) tempo_curve_ok={mean([i['curve_ok'] for i in items]):.1f}")


if __name__ == "__main__":
    main()
