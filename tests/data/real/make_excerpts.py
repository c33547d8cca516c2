#!/usr/bin/env python3
"""Regenerates the real-music excerpts that tests/audio_real_music.rs analyses.

Each excerpt is the opening of a public-domain score from the music21 corpus,
rendered with fluidsynth and the FluidR3_GM soundfont exactly as the accuracy
corpus is (bench/accuracy/build_corpus.py: one General MIDI program per part,
one metronome mark), cut to SECONDS with a short fade-out and encoded small.
The truth follows bench/accuracy/README.md ("Truth rules") and is computed
here from the score, never typed in: key signature plus the final bass for
the mode, tempo at the notated beat (dotted quarter in 6/8).

Needs: apt fluidsynth fluid-soundfont-gm ffmpeg; pip music21 (see
bench/accuracy/requirements.txt). Run from anywhere:

    python3 tests/data/real/make_excerpts.py

Writes the audio and manifest.csv next to this script. The renders are
deterministic for a given fluidsynth, soundfont and ffmpeg.
"""

import csv
import os
import subprocess
import sys
from fractions import Fraction

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "bench", "accuracy"))

import build_corpus as bc  # noqa: E402 - the shared rendering and truth rules

SECONDS = 25
FADE_S = 1.0
# Small files: the tests only need the music, not transparency.
CODECS = {
    "ogg": ["-c:a", "libvorbis", "-q:a", "2"],
    "mp3": ["-c:a", "libmp3lame", "-q:a", "6"],
}
# (stem, music21 corpus path, instrumentation, BPM at the notated beat, format).
# Chosen for variety: both modes, eight instrumentations, 4/4, 3/4, 2/4 and
# 6/8, slow to fast, several composers.
PIECES = [
    ("mozart_k156_2_strings_60", "mozart/k156/movement2.mxl", "strings", 60, "ogg"),
    ("haydn_op1no1_1_winds_72", "haydn/opus1no1/movement1.mxl", "winds", 72, "ogg"),
    ("bach_bwv11.6_choir_88", "bach/bwv11.6.mxl", "choir", 88, "mp3"),
    ("bach_bwv111.6_organ_100", "bach/bwv111.6.mxl", "organ", 100, "ogg"),
    ("chopin_mazurka06-2_piano_132", "chopin/mazurka06-2.krn", "piano", 132, "mp3"),
    ("haydn_op1no1_5_guitar_112", "haydn/opus1no1/movement5.mxl", "guitar", 112, "ogg"),
    ("bach_bwv104.6_brass_144", "bach/bwv104.6.mxl", "brass", 144, "mp3"),
    ("monteverdi_3.19_ensemble_120", "monteverdi/madrigal.3.19.mxl", "ensemble", 120, "ogg"),
]


def run(cmd):
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                   timeout=300)


def opening(score, quarters):
    """The measures that cover the first `quarters` quarter notes (rendering
    a whole movement to keep 25 s of it costs minutes)."""
    measures = list(score.parts[0].getElementsByClass("Measure"))
    if not measures:
        return score
    last = measures[-1]
    for m in measures:
        if m.offset > quarters:
            last = m
            break
    return score.measures(measures[0].number, last.number)


def render(corpus_path, inst, bpm, fmt, stem):
    """Renders one excerpt; its manifest row."""
    from music21 import corpus

    score = corpus.parse(corpus_path)
    truth, reason = bc.key_truth(score)
    beat = bc.beat_quarters(score)
    if truth is None or beat is None:
        sys.exit(f"{corpus_path}: no truth by the rules ({reason or 'metre changes'})")
    quarter_bpm = Fraction(bpm) * beat
    score = opening(score, float(quarter_bpm) * (SECONDS + 3) / 60)
    bc.prepare(score, bc.INSTRUMENTATIONS[inst], quarter_bpm)
    mid = os.path.join(HERE, stem + ".mid")
    wav = os.path.join(HERE, stem + ".wav")
    out = os.path.join(HERE, f"{stem}.{fmt}")
    try:
        score.write("midi", fp=mid)
        run(["fluidsynth", "-ni", "-q", "-g", "0.5", "-r", "44100", "-F", wav, bc.SOUNDFONT, mid])
        fade = f"afade=t=out:st={SECONDS - FADE_S}:d={FADE_S}"
        run(["ffmpeg", "-y", "-loglevel", "error", "-i", wav, "-t", str(SECONDS), "-af", fade,
             "-map_metadata", "-1"] + CODECS[fmt] + [out])
    finally:
        for tmp in (mid, wav):
            if os.path.exists(tmp):
                os.remove(tmp)
    return {"file": os.path.basename(out), "key": truth[0], "mode": truth[1], "bpm": bpm,
            "beat_quarters": str(beat), "instrumentation": inst,
            "source": "music21:" + corpus_path}


def main():
    rows = []
    for stem, path, inst, bpm, fmt in PIECES:
        row = render(path, inst, bpm, fmt, stem)
        print(f"{row['file']}: {row['key']} {row['mode']} {bpm} BPM", flush=True)
        rows.append(row)
    with open(os.path.join(HERE, "manifest.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


if __name__ == "__main__":
    main()
