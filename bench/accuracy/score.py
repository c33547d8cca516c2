#!/usr/bin/env python3
"""Scores Wave Studio (and the peers that import) on the accuracy corpus.

Prints, for each tool, exactly one line
  accuracy set=S files=N tempo_acc1=A tempo_acc2=B key_exact=C key_mirex=D
(percentages; S is the corpus name for Wave Studio, and NAME:TOOL for a peer),
then Wave Studio's hit rate per key_confidence decile and confusion summaries.
A file a tool fails on counts as a miss. See README.md.
"""

import argparse
import csv
import json
import os
import shutil
import subprocess
import sys
from collections import Counter
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

PCS = {"C": 0, "B#": 0, "C#": 1, "DB": 1, "D": 2, "D#": 3, "EB": 3, "E": 4, "FB": 4,
       "F": 5, "E#": 5, "F#": 6, "GB": 6, "G": 7, "G#": 8, "AB": 8, "A": 9, "A#": 10,
       "BB": 10, "B": 11, "CB": 11}
NAMES = ["C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B"]
TEMPO_TOL = 0.04
ACC2_FACTORS = (1.0, 2.0, 0.5, 3.0, 1.0 / 3.0)


def parse_key(text):
    """(pc, 'major'|'minor') from 'A minor', 'Bb major', or None."""
    if not text:
        return None
    parts = text.split()
    if len(parts) != 2 or parts[1].lower() not in ("major", "minor"):
        return None
    pc = PCS.get(parts[0].upper())
    return None if pc is None else (pc, parts[1].lower())


def mirex(truth, est):
    """MIREX key score: 1 exact, 0.5 fifth, 0.3 relative, 0.2 parallel."""
    if est is None:
        return 0.0
    (t, tm), (e, em) = truth, est
    if (t, tm) == (e, em):
        return 1.0
    if tm == em and (e - t) % 12 in (5, 7):
        return 0.5
    if tm == "minor" and em == "major" and e == (t + 3) % 12:
        return 0.3
    if tm == "major" and em == "minor" and e == (t + 9) % 12:
        return 0.3
    if t == e:
        return 0.2
    return 0.0


def tempo_hits(truth, est):
    """(acc1, acc2) booleans."""
    if not est or est <= 0:
        return False, False
    ok = [abs(est - truth * f) <= TEMPO_TOL * truth * f for f in ACC2_FACTORS]
    return ok[0], any(ok)


def ratio_bucket(truth, est):
    if not est or est <= 0:
        return "none"
    r = est / truth
    for name, v in (("1/3", 1 / 3), ("1/2", 0.5), ("2/3", 2 / 3), ("1", 1.0), ("3/2", 1.5),
                    ("2", 2.0), ("3", 3.0), ("4/3", 4 / 3), ("3/4", 0.75)):
        if abs(r - v) <= TEMPO_TOL * v:
            return name
    return "other"


def key_relation(truth, est):
    if est is None:
        return "none"
    (t, tm), (e, em) = truth, est
    if (t, tm) == (e, em):
        return "exact"
    if tm != em and ((tm == "minor" and e == (t + 3) % 12) or (tm == "major" and e == (t + 9) % 12)):
        return "relative"
    if t == e:
        return "parallel"
    if tm == em and (e - t) % 12 in (5, 7):
        return "fifth"
    return "other"


def summarize(set_name, rows, results):
    """Prints the accuracy line; returns per-file (key relation, acc1, tempo ratio)."""
    n = len(rows)
    a1 = a2 = exact = score = 0.0
    detail = []
    for row in rows:
        truth_key = (PCS[row["key"].upper()], row["mode"])
        truth_bpm = float(row["bpm"])
        bpm, key = results.get(row["file"], (None, None))
        est = parse_key(key)
        h1, h2 = tempo_hits(truth_bpm, bpm)
        a1 += h1
        a2 += h2
        s = mirex(truth_key, est)
        exact += s == 1.0
        score += s
        detail.append((row, key_relation(truth_key, est), ratio_bucket(truth_bpm, bpm)))
    pct = lambda x: 100.0 * x / max(n, 1)  # noqa: E731
    print(f"accuracy set={set_name} files={n} tempo_acc1={pct(a1):.1f} "
          f"tempo_acc2={pct(a2):.1f} key_exact={pct(exact):.1f} key_mirex={pct(score):.1f}")
    return detail


def confusion(label, detail):
    for mode in ("minor", "major"):
        c = Counter(rel for row, rel, _ in detail if row["mode"] == mode)
        total = sum(c.values())
        print(f"  {label} {mode} pieces ({total}): " +
              " ".join(f"{k}={v}" for k, v in c.most_common()))
    c = Counter(b for _, _, b in detail)
    print(f"  {label} tempo ratio est/truth: " + " ".join(f"{k}={v}" for k, v in c.most_common()))


def run_ours(binary, corpus, jobs):
    out = subprocess.run([binary, "analyze", "--format", "json", "--jobs", str(jobs), corpus],
                         check=False, capture_output=True, text=True)
    if not out.stdout.strip():
        sys.exit(f"wave-studio printed nothing: {out.stderr[-2000:]}")
    res, conf = {}, {}
    for r in json.loads(out.stdout):
        name = os.path.basename(r["file"])
        res[name] = (r.get("bpm"), r.get("key"))
        conf[name] = r.get("key_confidence")
    return res, conf


def deciles(rows, conf, detail):
    print("  wave-studio key hit rate per key_confidence decile (exact):")
    by = {}
    for row, rel, _ in detail:
        c = conf.get(row["file"])
        d = "none" if c is None else min(int(c * 10), 9)
        hit, tot = by.get(d, (0, 0))
        by[d] = (hit + (rel == "exact"), tot + 1)
    for d in sorted(by, key=lambda k: (isinstance(k, str), k)):
        hit, tot = by[d]
        span = d if isinstance(d, str) else f"{d / 10:.1f}-{(d + 1) / 10:.1f}"
        print(f"    {span}: {hit}/{tot} = {100.0 * hit / tot:.0f}%")


# ---- peers: each returns (bpm, "Tonic mode") for one file --------------------------------

# Krumhansl & Kessler (1982) probe-tone profiles, as in librosa-based key finders.
KK_MAJOR = [6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88]
KK_MINOR = [6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17]


def peer_librosa(path):
    import librosa
    import numpy as np

    y, sr = librosa.load(path, sr=22050, mono=True)
    tempo, _ = librosa.beat.beat_track(y=y, sr=sr)
    prof = librosa.feature.chroma_cqt(y=y, sr=sr).sum(axis=1)
    best = None
    for tonic in range(12):
        for mode, w in (("major", KK_MAJOR), ("minor", KK_MINOR)):
            r = np.corrcoef(prof, np.roll(w, tonic))[0, 1]
            if best is None or r > best[0]:
                best = (r, f"{NAMES[tonic]} {mode}")
    return float(np.atleast_1d(tempo)[0]), best[1]


def peer_essentia(path):
    import essentia.standard as es

    audio = es.MonoLoader(filename=path, sampleRate=44100)()
    key, scale, _ = es.KeyExtractor()(audio)
    bpm = es.RhythmExtractor2013(method="multifeature")(audio)[0]
    return float(bpm), f"{key} {scale}"


def _madmom_shims():
    """madmom 0.16.1 (the newest on PyPI) predates Python 3.10 and NumPy 2: it imports
    collections.MutableSequence and uses np.float; alias them to their successors."""
    import collections
    import collections.abc

    import numpy as np

    for name in ("MutableSequence", "MutableMapping", "Sequence", "Iterable"):
        setattr(collections, name, getattr(collections.abc, name))
    for name, alias in (("float", float), ("int", int), ("bool", bool), ("complex", complex),
                        ("object", object)):
        if name not in np.__dict__:
            setattr(np, name, alias)


def peer_madmom(path):
    _madmom_shims()
    from madmom.features.beats import RNNBeatProcessor
    from madmom.features.key import CNNKeyRecognitionProcessor, key_prediction_to_label
    from madmom.features.tempo import TempoEstimationProcessor

    act = RNNBeatProcessor()(path)
    tempi = TempoEstimationProcessor(fps=100)(act)
    key = key_prediction_to_label(CNNKeyRecognitionProcessor()(path))
    return float(tempi[0][0]), str(key)


PEERS = {"librosa": peer_librosa, "essentia": peer_essentia, "madmom": peer_madmom}


def _warm_librosa():
    """Compiles librosa's numba functions here, once, before the workers start.

    librosa caches its @guvectorize functions on disk (cache=True). Workers that
    compile them into a cold cache at the same time can pair one process's
    guf-*.nbc with another's *.nbc, and every later call, in any process, ends in a
    segmentation fault until the cache is deleted: numba issue #10128 (open; still
    so with numba 0.61.2 and 0.68.1), librosa issue #1998. Filling the cache first,
    in one process, avoids the race.
    """
    import librosa
    import numpy as np

    y = np.random.default_rng(0).standard_normal(22050 * 5).astype(np.float32)
    librosa.beat.beat_track(y=y, sr=22050)
    librosa.feature.chroma_cqt(y=y, sr=22050)


def warm_numba_cache(corpus):
    """Runs _warm_librosa in a child process. A crash there means a cache left
    inconsistent by an earlier run: the bench's own cache is then deleted and filled
    again; any other is reported."""
    cmd = [sys.executable, "-c", "import score; score._warm_librosa()"]
    here = os.path.dirname(os.path.abspath(__file__))
    own = os.environ.get("NUMBA_CACHE_DIR") == os.path.join(corpus, ".numba-cache")
    for attempt in (1, 2):
        done = subprocess.run(cmd, cwd=here, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              text=True)
        if done.returncode == 0:
            return
        if done.returncode > 0 or not own or attempt == 2:
            raise RuntimeError(f"librosa warm-up failed ({done.returncode}): "
                               f"{done.stderr.strip()[-300:]}")
        print(f"  librosa: warm-up crashed ({done.returncode}), rebuilding "
              f"{os.environ['NUMBA_CACHE_DIR']}", file=sys.stderr)
        shutil.rmtree(os.environ["NUMBA_CACHE_DIR"], ignore_errors=True)


def _peer_job(args):
    name, path = args
    try:
        return os.path.basename(path), PEERS[name](path), None
    except Exception as e:  # noqa: BLE001 - one bad file is a miss, not a crash
        return os.path.basename(path), (None, None), repr(e)


def run_peer(name, corpus, rows, jobs, use_cache):
    cache = os.path.join(corpus, f"peer_{name}.json")
    if use_cache and os.path.exists(cache):
        with open(cache) as f:
            return {k: tuple(v) for k, v in json.load(f).items()}, None
    try:
        if name == "madmom":
            _madmom_shims()
        __import__({"librosa": "librosa", "essentia": "essentia.standard",
                    "madmom": "madmom.features.key"}[name])
        if name == "librosa":
            warm_numba_cache(corpus)
    except Exception as e:  # noqa: BLE001 - a peer that does not import is reported
        return None, repr(e)
    paths = [(name, os.path.join(corpus, r["file"])) for r in rows]
    # Spawned, not forked, workers: librosa's numba hangs in a forked child. An
    # executor, not a Pool: a worker that dies (a crash in native code) fails the
    # peer with BrokenProcessPool instead of leaving the run waiting forever.
    out = []
    try:
        with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("spawn")) as ex:
            for i, done in enumerate(ex.map(_peer_job, paths)):
                out.append(done)
                if (i + 1) % 20 == 0:
                    print(f"  {name}: {i + 1}/{len(paths)} files", file=sys.stderr, flush=True)
    except BrokenProcessPool as e:
        return None, f"a {name} worker died after {len(out)} files ({e})"
    errors = [e for _, _, e in out if e]
    if errors:
        print(f"  {name}: {len(errors)} files failed, first: {errors[0]}", file=sys.stderr)
    res = {k: v for k, v, _ in out}
    with open(cache, "w") as f:
        json.dump(res, f)
    return res, None


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    here = os.path.dirname(os.path.abspath(__file__))
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(here, "..", "..", "target"))
    ap.add_argument("--corpus", default=os.path.join(here, "corpus"))
    ap.add_argument("--bin", default=os.path.join(target, "release", "wave-studio"))
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--set", default="music21")
    ap.add_argument("--peers", default="librosa,essentia",
                    help="comma-separated peers to run ('' for none); madmom also works "
                         "but runs near real time here (about 1 minute per file)")
    ap.add_argument("--no-cache", action="store_true",
                    help="rerun peers even if corpus/peer_NAME.json exists")
    args = ap.parse_args()
    # numba's on-disk cache (librosa's JIT code) beside the corpus, not in
    # site-packages: private to the bench, and deleted with the corpus if a crashed
    # run ever left it inconsistent (see _warm_librosa).
    os.environ.setdefault("NUMBA_CACHE_DIR", os.path.join(args.corpus, ".numba-cache"))
    rows = []
    for name in sorted(os.listdir(args.corpus)):
        if name.startswith("manifest") and name.endswith(".csv"):
            with open(os.path.join(args.corpus, name)) as f:
                rows.extend(csv.DictReader(f))
    if not rows:
        sys.exit(f"no manifest*.csv in {args.corpus}: run build_corpus.py first")
    ours, conf = run_ours(args.bin, args.corpus, args.jobs)
    detail = summarize(args.set, rows, ours)
    deciles(rows, conf, detail)
    confusion("wave-studio", detail)
    for name in [p for p in args.peers.split(",") if p]:
        res, err = run_peer(name, args.corpus, rows, args.jobs, not args.no_cache)
        if res is None:
            print(f"  {name}: not measured ({err})")
            continue
        confusion(name, summarize(f"{args.set}:{name}", rows, res))


if __name__ == "__main__":
    main()
