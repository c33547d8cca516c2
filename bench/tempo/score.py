#!/usr/bin/env python3
"""Scores Wave Studio's tempo on the dance and drum-machine corpus, per style and split.

Prints one line per split and style
  tempo split=SPLIT style=STYLE files=N acc1=A acc2=B half=H right=R double=D other=O
(acc1/acc2 in percent, the rest counts of estimate/truth ratios: 1/2, 1, 2, anything
else or no answer), then for each split the lines the issue's goals read:
  goal split=SPLIT dance_115_140=P dnb_160_180=Q
(the share of files whose truth is in that range answered in its octave, Acc1).
See README.md.
"""

import argparse
import csv
import json
import os
import subprocess
import sys
from collections import defaultdict

TOL = 0.04
ACC2 = (1.0, 2.0, 0.5, 3.0, 1.0 / 3.0)
DANCE = ("house", "techno", "electro", "breakbeat")
DNB = ("dnb", "jungle")


def run_ours(binary, corpus, jobs, extra):
    out = subprocess.run([binary, "analyze", "--format", "json", "--jobs", str(jobs), *extra,
                          corpus], check=False, capture_output=True, text=True)
    if not out.stdout.strip():
        sys.exit(f"wave-studio printed nothing: {out.stderr[-2000:]}")
    return {os.path.basename(r["file"]): r.get("bpm") for r in json.loads(out.stdout)}


def bucket(truth, est):
    if not est or est <= 0:
        return "other"
    r = est / truth
    for name, v in (("half", 0.5), ("right", 1.0), ("double", 2.0)):
        if abs(r - v) <= TOL * v:
            return name
    return "other"


def acc2(truth, est):
    return bool(est) and any(abs(est - truth * f) <= TOL * truth * f for f in ACC2)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(here, "..", "..", "target"))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", default=os.path.join(here, "corpus"))
    ap.add_argument("--bin", default=os.path.join(target, "release", "wave-studio"))
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--misses", action="store_true", help="list every file not at Acc1")
    ap.add_argument("--results", help="read analyze's JSON from this file instead of running it")
    args = ap.parse_args()
    with open(os.path.join(args.corpus, "manifest.csv")) as f:
        rows = list(csv.DictReader(f))
    if args.results:
        with open(args.results) as f:
            res = {os.path.basename(r["file"]): r.get("bpm") for r in json.load(f)}
    else:
        res = run_ours(args.bin, args.corpus, args.jobs, [])
    table = defaultdict(lambda: defaultdict(int))
    goals = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for row in rows:
        truth, est = float(row["bpm"]), res.get(row["file"])
        b = bucket(truth, est)
        for style in (row["style"], "all"):
            t = table[(row["split"], style)]
            t["files"] += 1
            t[b] += 1
            t["acc2"] += acc2(truth, est)
        for goal, (lo, hi, styles) in {"dance_115_140": (115, 140, DANCE),
                                        "dnb_160_180": (160, 180, DNB)}.items():
            if lo <= truth <= hi and row["style"] in styles:
                g = goals[row["split"]][goal]
                g[0] += b == "right"
                g[1] += 1
        if args.misses and b != "right":
            print(f"miss split={row['split']} file={row['file']} truth={truth} est={est}")
    pct = lambda a, n: 100.0 * a / max(n, 1)  # noqa: E731
    for (split, style), t in sorted(table.items()):
        n = t["files"]
        print(f"tempo split={split} style={style} files={n} acc1={pct(t['right'], n):.1f} "
              f"acc2={pct(t['acc2'], n):.1f} half={t['half']} right={t['right']} "
              f"double={t['double']} other={t['other']}")
    for split, g in sorted(goals.items()):
        print(f"goal split={split} " + " ".join(f"{k}={pct(*v):.1f}" for k, v in sorted(g.items())))


if __name__ == "__main__":
    main()
