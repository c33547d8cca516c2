#!/usr/bin/env python3
"""Builds the real-music accuracy corpus: music21 scores rendered with fluidsynth.

Installs nothing itself; see README.md (apt: fluidsynth fluid-soundfont-gm ffmpeg;
pip: requirements.txt). Writes audio and manifest.csv under --out (git-ignored).

Truth rules (also in README.md):
- Key: the score's key signature names a major key M and its relative minor m.
  The mode comes from the lowest note of the final sonority: on the tonic of M
  the piece is in M, on the tonic of m it is in m. A Picardy third (a major
  final chord over the minor tonic) still counts as minor. A piece is skipped
  (and counted) when the key signature changes, when the final bass is on
  neither tonic (modal, Dorian-signature or half-cadence endings), or when a
  final chord over M's tonic has a minor third (no major reading is safe).
- Tempo: the piece is rendered with one metronome mark at the start. The truth
  is in beats per minute at the notated beat: quarter notes for x/4 metres,
  dotted quarters for compound x/8 metres (6/8, 9/8, 12/8), otherwise the
  denominator's note value (2/2 -> half notes, 3/8 -> eighths). Pieces whose
  time signature changes are skipped.
"""

import argparse
import csv
import json
import os
import random
import signal
import subprocess
import sys
from fractions import Fraction

SOUNDFONT = "/usr/share/sounds/sf2/FluidR3_GM.sf2"
NAMES = ["C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B"]

# General MIDI programs per part, highest part first (0-based programs).
INSTRUMENTATIONS = {
    "piano": [0, 0, 0, 0],
    "strings": [40, 40, 41, 42, 43],
    "organ": [19, 19, 19, 19],
    "choir": [52, 52, 52, 52],
    "winds": [73, 68, 71, 70],
    "brass": [56, 60, 57, 58],
    "guitar": [24, 24, 25, 32],
    "ensemble": [48, 48, 48, 48],
}
# Beat tempi drawn from (BPM at the notated beat).
TEMPI = [60, 66, 72, 80, 88, 96, 104, 112, 120, 132, 144, 160]
# Output formats and their ffmpeg codec arguments (None = keep the WAV).
FORMATS = {
    "wav": None,
    "flac": ["-c:a", "flac"],
    "mp3": ["-c:a", "libmp3lame", "-q:a", "4"],
    "ogg": ["-c:a", "libvorbis", "-q:a", "4"],
}


def key_truth(score):
    """(tonic name, mode) or (None, reason)."""
    from music21 import key as m21key
    from music21 import chord, note

    sigs = {ks.sharps for ks in score.recurse().getElementsByClass(m21key.KeySignature)}
    if len(sigs) != 1:
        return None, "keysig_changes" if sigs else "no_keysig"
    sharps = sigs.pop()
    major = (7 * sharps) % 12
    minor = (major + 9) % 12
    final = final_sonority(score)
    if not final:
        return None, "no_final"
    bass = min(final, key=lambda p: p.ps)
    bass_pc = int(round(bass.ps)) % 12
    above = {(int(round(p.ps)) - bass_pc) % 12 for p in final}
    if bass_pc == minor:
        return (NAMES[minor], "minor"), None
    if bass_pc == major:
        if 3 in above:
            return None, "major_tonic_minor_third"
        return (NAMES[major], "major"), None
    return None, "final_bass_off_tonic"


def final_sonority(score):
    """Pitches sounding at the last note onset of the whole score."""
    from music21 import chord, note

    notes = list(score.flatten().notes)
    if not notes:
        return []
    last = max(n.offset for n in notes)
    out = []
    for n in notes:
        end = n.offset + n.quarterLength
        if n.offset == last or (n.offset < last < end):
            out.extend(n.pitches)
    return out


def beat_quarters(score):
    """Quarter notes per notated beat, or None if the metre changes."""
    from music21 import meter

    sigs = {ts.ratioString for ts in score.recurse().getElementsByClass(meter.TimeSignature)}
    if len(sigs) > 1:
        return None
    if not sigs:
        return Fraction(1)
    num, den = (int(x) for x in sigs.pop().split("/"))
    if den == 8 and num in (6, 9, 12):
        return Fraction(3, 2)
    return Fraction(4, den)


def prepare(score, programs, quarter_bpm):
    """Sets one instrument per part and a single metronome mark."""
    from music21 import instrument, tempo

    for mm in list(score.recurse().getElementsByClass(tempo.TempoIndication)):
        mm.activeSite.remove(mm)
    for i, part in enumerate(score.parts):
        for inst in list(part.recurse().getElementsByClass(instrument.Instrument)):
            inst.activeSite.remove(inst)
        inst = instrument.Instrument()
        inst.midiProgram = programs[min(i, len(programs) - 1)]
        inst.partName = None
        part.insert(0, inst)
    first = score.parts[0]
    measures = list(first.getElementsByClass("Measure"))
    target = measures[0] if measures else first
    target.insert(0, tempo.MetronomeMark(number=float(quarter_bpm)))


def candidates():
    """Paths of multi-part corpus scores: Bach (mostly chorales) and others."""
    from music21 import corpus

    paths = [str(p) for p in corpus.getComposer("bach")]
    others = []
    for composer in ("monteverdi", "haydn", "mozart", "beethoven", "handel", "corelli",
                     "schubert", "josquin", "joplin", "cpebach", "verdi", "weber", "chopin"):
        try:
            others.extend(str(p) for p in corpus.getComposer(composer))
        except Exception:  # noqa: BLE001 - a composer missing from this corpus version
            pass
    return sorted(paths), sorted(others)


def run(cmd, timeout=300):
    # The timeout stops fluidsynth on a MIDI file whose notes never end.
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   timeout=timeout)


def render(score, stem, out_dir, fmt):
    mid = os.path.join(out_dir, stem + ".mid")
    wav = os.path.join(out_dir, stem + ".wav")
    score.write("midi", fp=mid)
    run(["fluidsynth", "-ni", "-q", "-g", "0.5", "-r", "44100", "-F", wav, SOUNDFONT, mid])
    os.remove(mid)
    if FORMATS[fmt] is None:
        return stem + ".wav"
    dest = os.path.join(out_dir, stem + "." + fmt)
    run(["ffmpeg", "-y", "-loglevel", "error", "-i", wav] + FORMATS[fmt] + [dest])
    os.remove(wav)
    return stem + "." + fmt


def render_version(score, path, beat, truth, shift, idx, rng, args):
    """Renders one version of `score` (transposed by `shift` semitones); its row or None."""
    inst_names = sorted(INSTRUMENTATIONS)
    bpm = rng.choice(TEMPI)
    inst = inst_names[(idx + rng.randrange(len(inst_names))) % len(inst_names)]
    fmt = list(FORMATS)[rng.randrange(len(FORMATS))]
    version = score if shift == 0 else score.transpose(shift)
    prepare(version, INSTRUMENTATIONS[inst], Fraction(bpm) * beat)
    tonic = NAMES[(NAMES.index(truth[0]) + shift) % 12]
    shard = args.shard.split("/")[0]
    base = os.path.splitext(os.path.basename(path))[0]
    stem = f"{shard}{idx:03d}_{base}_{tonic.replace('#', 's')}{truth[1][:3]}_{inst}_{bpm}"
    try:
        name = render(version, stem, args.out, fmt)
    except Exception as e:  # noqa: BLE001 - a render failure skips the piece
        print(f"render failed: {path}: {e}", file=sys.stderr)
        for ext in (".mid", ".wav"):
            if os.path.exists(os.path.join(args.out, stem + ext)):
                os.remove(os.path.join(args.out, stem + ext))
        return None
    return {"file": name, "key": tonic, "mode": truth[1], "bpm": bpm,
            "beat_quarters": str(beat), "instrumentation": inst, "format": fmt,
            "transposed": shift, "source": "music21:" + path.split("/corpus/", 1)[-1]}


def _timeout(_signum, _frame):
    raise TimeoutError("score parse took too long")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "corpus"))
    ap.add_argument("--per-mode", type=int, default=40, help="files per mode (per shard)")
    ap.add_argument("--max-quarters", type=float, default=400.0,
                    help="skip longer scores (in quarter notes) to bound the render")
    ap.add_argument("--max-bytes", type=int, default=25_000,
                    help="skip larger score files unparsed (parsing them takes minutes)")
    ap.add_argument("--parse-timeout", type=int, default=20,
                    help="seconds allowed to parse one score")
    ap.add_argument("--seed", type=int, default=10)
    ap.add_argument("--shard", default="0/1",
                    help="K/N: build the K-th of N interleaved slices (run N at once)")
    ap.add_argument("--minor-versions", type=int, default=2,
                    help="renders per minor piece (the rest transposed), as minor endings "
                         "on a tonic are rarer in the corpus")
    ap.add_argument("--max-other", type=int, default=20,
                    help="at most this many non-Bach pieces per mode, for variety")
    args = ap.parse_args()
    from music21 import converter

    signal.signal(signal.SIGALRM, _timeout)
    os.makedirs(args.out, exist_ok=True)
    shard, shards = (int(x) for x in args.shard.split("/"))
    rng = random.Random(args.seed * 1000 + shard)
    bach, others = candidates()
    # Interleaved, so the cap on others (not the order) decides their share.
    pool = [(p, False) for p in bach]
    for i, p in enumerate(others):
        pool.insert(min(3 * i, len(pool)), (p, True))
    pool = pool[shard::shards]
    counts = {"major": 0, "minor": 0}
    other_counts = {"major": 0, "minor": 0}
    skipped = {}
    rows = []
    for path, is_other in pool:
        if min(counts.values()) >= args.per_mode:
            break
        if os.path.getsize(path) > args.max_bytes:
            skipped["too_long"] = skipped.get("too_long", 0) + 1
            continue
        print(f"parsing {path}", file=sys.stderr, flush=True)
        signal.alarm(args.parse_timeout)
        try:
            score = converter.parse(path)
        except TimeoutError:
            skipped["parse_timeout"] = skipped.get("parse_timeout", 0) + 1
            continue
        except Exception:  # noqa: BLE001 - unparsable corpus file
            skipped["parse_error"] = skipped.get("parse_error", 0) + 1
            continue
        finally:
            signal.alarm(0)
        if not hasattr(score, "parts") or len(score.parts) < 2:
            skipped["not_multipart"] = skipped.get("not_multipart", 0) + 1
            continue
        if score.highestTime > args.max_quarters:
            skipped["too_long"] = skipped.get("too_long", 0) + 1
            continue
        truth, reason = key_truth(score)
        if truth is None:
            skipped[reason] = skipped.get(reason, 0) + 1
            continue
        beat = beat_quarters(score)
        if beat is None:
            skipped["metre_changes"] = skipped.get("metre_changes", 0) + 1
            continue
        tonic, mode = truth
        for version in range(args.minor_versions if mode == "minor" else 1):
            if counts[mode] >= args.per_mode or (is_other and other_counts[mode] >= args.max_other):
                break
            shift = 0 if version == 0 else rng.choice([-5, -4, -3, -2, -1, 1, 2, 3, 4, 5, 6])
            row = render_version(score, path, beat, (tonic, mode), shift, len(rows), rng, args)
            if row is None:
                skipped["render_error"] = skipped.get("render_error", 0) + 1
                break
            counts[mode] += 1
            other_counts[mode] += is_other
            rows.append(row)
            print(f"{row['file']}: {row['key']} {mode} {row['bpm']} BPM", flush=True)
    suffix = "" if shards == 1 else f"-{shard}"
    with open(os.path.join(args.out, f"manifest{suffix}.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    summary = {"files": len(rows), "modes": counts, "skipped": skipped}
    with open(os.path.join(args.out, f"summary{suffix}.json"), "w") as f:
        json.dump(summary, f, indent=1)
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
