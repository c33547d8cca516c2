#!/usr/bin/env python3
"""Builds the dance and drum-machine tempo corpus: MIDI grooves rendered with fluidsynth.

Installs nothing itself; see README.md (apt: fluidsynth fluid-soundfont-gm
timgm6mb-soundfont musescore-general-soundfont sox ffmpeg; pip: mido). Writes audio
and manifest.csv under --out (git-ignored). Deterministic for a given --seed.

Truth: the tempo the groove is written at, in beats per minute, where the beat is
what DJ software counts: the kick-drum pulse of four-on-the-floor styles, the
kick-snare backbeat (snare on two and four) of drum & bass, jungle, breakbeat,
electro and hip-hop, the half-time tempo of trap (snare on three of the 8th-note
grid's bar: written at 130-150, counted as DJs' software reports it, at the
kick-snare tempo of 65-75), and
the 70-80 of a reggae one-drop. Every file also says its split: every third file
of each style (index % 3 == 2) is validation, never tuned on.

Besides the written grooves, the MIDI files of Debian's openttd-openmsx package
(a music set nobody in this project made; --openmsx DIR) are rendered when their
tempo map holds one tempo and their metre one simple time signature; their truth
is the file's tempo at the notated beat.
"""

import argparse
import csv
import os
import random
import subprocess
import sys
import tempfile

import mido

SOUNDFONTS = {
    "fluidr3": "/usr/share/sounds/sf2/FluidR3_GM.sf2",
    "timgm6mb": "/usr/share/sounds/sf2/TimGM6mb.sf2",
    "musescore": "/usr/share/sounds/sf3/MuseScore_General.sf3",
}
# GS drum kits (program on channel 10): standard, room, power, electronic, TR-808.
KITS = [0, 8, 16, 24, 25]
TPB = 480  # ticks per beat

# General MIDI drum notes.
KICK, RIM, SNARE, CLAP, SNARE2 = 36, 37, 38, 39, 40
HAT, PEDAL, OPEN, RIDE, CRASH, SHAKER, COWBELL, TOM = 42, 44, 46, 51, 49, 70, 56, 45

# Per style: tempo range (truth, BPM), beats per bar, and the drum pattern as
# (note, positions in 16ths of one or two bars, velocity).
STYLES = {
    "house": (118, 130),
    "techno": (125, 140),
    "electro": (120, 135),
    "breakbeat": (125, 140),
    "dnb": (165, 178),
    "jungle": (160, 175),
    "hiphop": (80, 100),
    "trap": (130, 150),  # written; the truth is half of it
    "reggae": (70, 80),
}
# Output formats and their ffmpeg codec arguments (None = keep the WAV).
FORMATS = {
    "wav": None,
    "flac": ["-c:a", "flac"],
    "mp3": ["-c:a", "libmp3lame", "-q:a", "4"],
    "ogg": ["-c:a", "libvorbis", "-q:a", "4"],
}
# sox effect chains, drawn at random per file ("noise" mixes pink noise in).
EFFECTS = {
    "dry": [],
    "compressed": ["compand", "0.01,0.2", "6:-40,-20,-10", "-6", "-60", "0.05"],
    "lowpass": ["lowpass", "2500"],
    "bassy": ["bass", "+8", "lowpass", "6000"],
    "reverb": ["reverb", "40"],
    "noise": [],
}


def grid(sixteenths, vel, note):
    """Drum hits at 16th positions within a bar pattern (list of (step, note, vel))."""
    return [(s, note, vel) for s in sixteenths]


def pattern(style, rng):
    """One bar (16 sixteenths) or two bars (32) of drums for `style`: list of (step, note, vel)."""
    four = [0, 4, 8, 12]
    offbeat = [2, 6, 10, 14]
    eights = list(range(0, 16, 2))
    sixteenths = list(range(16))
    hits = []
    if style == "house":
        hits += grid(four, 115, KICK) + grid([4, 12], 95, CLAP) + grid(offbeat, 80, OPEN)
        hits += grid(sixteenths, 45, HAT) if rng.random() < 0.6 else []
        length = 16
    elif style == "techno":
        hits += grid(four, 120, KICK) + grid(sixteenths, 55, HAT) + grid(offbeat, 70, OPEN)
        hits += grid([4, 12], 70, RIM) if rng.random() < 0.5 else grid([3, 11], 60, CLAP)
        length = 16
    elif style == "electro":
        hits += grid([0, 6, 10], 115, KICK) + grid([4, 12], 105, CLAP)
        hits += grid(sixteenths, 50, HAT) + grid([14], 70, COWBELL)
        length = 16
    elif style == "breakbeat":
        hits += grid([0, 10, 16, 22, 26], 115, KICK) + grid([4, 12, 20, 28], 110, SNARE)
        hits += grid(list(range(0, 32, 2)), 60, HAT) + grid([15, 31], 40, SNARE)
        length = 32
    elif style == "dnb":
        hits += grid([0, 10, 16, 26], 120, KICK) + grid([4, 12, 20, 28], 115, SNARE)
        hits += grid(list(range(0, 32, 2)), 60, RIDE if rng.random() < 0.5 else HAT)
        length = 32
    elif style == "jungle":
        hits += grid([0, 2, 10, 16, 18, 26, 27], 110, KICK)
        hits += grid([4, 12, 20, 28], 112, SNARE) + grid([7, 9, 15, 23, 25, 30], 55, SNARE)
        hits += grid(list(range(0, 32, 2)), 55, RIDE)
        length = 32
    elif style == "hiphop":
        hits += grid([0, 7, 10, 16, 26, 27], 115, KICK) + grid([4, 12, 20, 28], 110, SNARE)
        hits += grid(list(range(0, 32, 2)), 65, HAT)
        length = 32
    elif style == "trap":
        # Written on the 16th grid of the fast tempo: the snare on three, the
        # kick's 808 on one and syncopated, hats in 8ths with 16th rolls.
        hits += grid([0, 11, 16, 22, 27], 118, KICK) + grid([8, 24], 115, CLAP)
        hits += grid(list(range(0, 32, 2)) + [13, 15, 29, 30, 31], 60, HAT)
        length = 32
    elif style == "reggae":
        # One-drop: kick and rim together on three only; hats on the 8ths.
        hits += grid([8], 110, KICK) + grid([8], 100, RIM) + grid(eights, 55, HAT)
        hits += grid([14], 45, OPEN) if rng.random() < 0.5 else []
        length = 16
    else:
        raise ValueError(style)
    return hits, length


def swing(style, rng):
    """Share of a 16th by which off-16ths are late (hip-hop and reggae swing)."""
    return rng.uniform(0.1, 0.3) if style in ("hiphop", "reggae") else 0.0


def add_note(events, tick, channel, note, vel, dur):
    events.append((tick, mido.Message("note_on", channel=channel, note=note, velocity=vel)))
    events.append((tick + dur, mido.Message("note_off", channel=channel, note=note, velocity=0)))


SCALE = {"minor": [0, 2, 3, 5, 7, 8, 10], "major": [0, 2, 4, 5, 7, 9, 11]}


def harmony(style, rng, bars, bar_ticks, beats_per_bar, events):
    """Bass line and chord stabs or pads in a random key."""
    root = rng.randrange(12)
    mode = rng.choice(["minor", "major"])
    scale = SCALE[mode]
    degrees = rng.choice([[0, 5, 3, 4], [0, 0, 5, 6], [0, 3, 4, 0], [0, 5, 2, 4]])
    bass_prog = rng.choice([38, 39, 33, 34, 87])
    chord_prog = rng.choice([81, 89, 4, 90, 62, 50, 16])
    events.append((0, mido.Message("program_change", channel=1, program=bass_prog)))
    events.append((0, mido.Message("program_change", channel=2, program=chord_prog)))
    beat = bar_ticks // beats_per_bar
    for bar in range(bars):
        deg = degrees[bar % len(degrees)]
        r = 36 + root + scale[deg % 7]
        t0 = bar * bar_ticks
        if style in ("house", "techno"):
            steps = [beat // 2 + k * beat for k in range(beats_per_bar)]  # off-beat bass
        elif style in ("dnb", "jungle"):
            steps = [0, int(2.5 * beat)]
        elif style == "reggae":
            steps = [0, int(1.5 * beat), 3 * beat]
        else:
            steps = [0, int(1.75 * beat), int(2.5 * beat)]
        for s in steps:
            add_note(events, t0 + s, 1, r, rng.randint(85, 105), beat // 3)
        chord = [48 + root + scale[(deg + k) % 7] + 12 * ((deg + k) // 7) for k in (0, 2, 4)]
        if chord_prog in (89, 90, 50, 16):  # pads and organs hold the bar
            for n in chord:
                add_note(events, t0, 2, n, 60, bar_ticks - 10)
        else:
            stabs = [beat // 2 + k * beat for k in range(beats_per_bar)] if style == "reggae" \
                else [int(beat * rng.choice([0.5, 1.5, 2.5, 3.5]))]
            for s in stabs:
                for n in chord:
                    add_note(events, t0 + s, 2, n, 70, beat // 4)


def groove_midi(style, bpm, rng, seconds):
    """The MIDI file of one groove: (mido.MidiFile, bars)."""
    hits, length = pattern(style, rng)
    sw = swing(style, rng)
    beats_per_bar = 4
    sixteenth = TPB // 4
    bar_ticks = TPB * beats_per_bar
    bars = max(4, int(seconds * bpm / 60.0 / beats_per_bar))
    events = [(0, mido.Message("program_change", channel=9, program=rng.choice(KITS)))]
    intro = rng.choice([0, 0, 1, 2])  # bars of harmony and hats only
    for bar in range(bars):
        for step, note, vel in hits:
            if step // 16 != bar % (length // 16):
                continue
            if bar < intro and note in (KICK, SNARE, CLAP, RIM):
                continue
            s = step % 16
            tick = bar * bar_ticks + s * sixteenth + (int(sw * sixteenth) if s % 2 else 0)
            tick += rng.randint(-8, 8)  # ~±8 ms of human timing at 120 BPM
            v = max(1, min(127, vel + rng.randint(-12, 12)))
            add_note(events, max(0, tick), 9, note, v, sixteenth // 2)
        if bar % 8 == 0 and rng.random() < 0.5:
            add_note(events, bar * bar_ticks, 9, CRASH, 90, TPB)
    harmony(style, rng, bars, bar_ticks, beats_per_bar, events)
    mid = mido.MidiFile(ticks_per_beat=TPB)
    track = mido.MidiTrack()
    mid.tracks.append(track)
    track.append(mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(bpm), time=0))
    track.append(mido.MetaMessage("time_signature", numerator=4, denominator=4, time=0))
    last = 0
    for tick, msg in sorted(events, key=lambda e: (e[0], e[1].type == "note_on")):
        track.append(msg.copy(time=tick - last))
        last = tick
    return mid


def render(mid_path, sf, wav):
    subprocess.run(["fluidsynth", "-ni", "-g", "0.5", "-r", "44100", "-F", wav, sf, mid_path],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def finish(wav, out, effect, fmt, rng, seconds):
    """Trims to `seconds`, applies the sox effect, encodes to `fmt` at `out`."""
    tmp = wav + ".fx.wav"
    chain = EFFECTS[effect]
    cmd = ["sox", wav, tmp, "trim", "0", str(seconds)] + chain + ["norm", "-1"]
    subprocess.run(cmd, check=True, stderr=subprocess.DEVNULL)
    if effect == "noise":
        noise = wav + ".noise.wav"
        subprocess.run(["sox", "-n", "-r", "44100", "-c", "2", noise, "synth", str(seconds),
                        "pinknoise", "vol", str(rng.uniform(0.03, 0.08))], check=True)
        mixed = wav + ".mix.wav"
        subprocess.run(["sox", "-m", tmp, noise, mixed, "norm", "-1"], check=True)
        os.replace(mixed, tmp)
        os.remove(noise)
    codec = FORMATS[fmt]
    if codec is None:
        os.replace(tmp, out)
        return
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", tmp] + codec + [out], check=True)
    os.remove(tmp)


def openmsx_tracks(folder):
    """(path, bpm) of the openmsx MIDI files with one tempo and one simple metre."""
    out = []
    for name in sorted(os.listdir(folder)):
        if not name.endswith(".mid"):
            continue
        path = os.path.join(folder, name)
        mid = mido.MidiFile(path)
        tempos = {m.tempo for t in mid.tracks for m in t if m.type == "set_tempo"}
        sigs = {(m.numerator, m.denominator) for t in mid.tracks for m in t
                if m.type == "time_signature"}
        if len(tempos) != 1 or len(sigs) > 1:
            print(f"skip {name}: tempi={len(tempos)} metres={sorted(sigs)}", file=sys.stderr)
            continue
        num, den = sigs.pop() if sigs else (4, 4)
        bpm = mido.tempo2bpm(tempos.pop())
        if den == 4:
            beat = bpm
        elif den == 8 and num % 3 == 0 and num > 3:
            beat = bpm * 2 / 3  # dotted quarters
        elif den == 2:
            beat = bpm / 2
        else:
            print(f"skip {name}: metre {num}/{den}", file=sys.stderr)
            continue
        out.append((path, round(beat, 2)))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "corpus"))
    ap.add_argument("--per-style", type=int, default=18)
    ap.add_argument("--seconds", type=float, default=40.0)
    ap.add_argument("--seed", type=int, default=24)
    ap.add_argument("--openmsx", default="/usr/share/games/openttd/baseset/openmsx",
                    help="folder of openttd-openmsx's MIDI files ('' to skip)")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    rng = random.Random(args.seed)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for style, (lo, hi) in STYLES.items():
            for i in range(args.per_style):
                written = round(rng.uniform(lo, hi), 1)
                # Trap is written at 130-150 with a half-time feel; DJs count the kick-snare tempo.
                bpm = round(written / 2, 2) if style == "trap" else written
                sf = rng.choice(sorted(SOUNDFONTS))
                effect = rng.choice(sorted(EFFECTS))
                fmt = rng.choice(sorted(FORMATS))
                mid = groove_midi(style, written, rng, args.seconds + 4)
                mid_path = os.path.join(tmp, "g.mid")
                mid.save(mid_path)
                wav = os.path.join(tmp, "g.wav")
                render(mid_path, SOUNDFONTS[sf], wav)
                name = f"{style}_{i:02d}_{bpm:g}_{sf}_{effect}.{fmt}"
                finish(wav, os.path.join(args.out, name), effect, fmt, rng, args.seconds)
                split = "validation" if i % 3 == 2 else "tune"
                rows.append(dict(file=name, style=style, bpm=bpm, split=split, soundfont=sf,
                                 effect=effect, format=fmt, source="written"))
                print(name, flush=True)
        if args.openmsx and os.path.isdir(args.openmsx):
            for i, (path, bpm) in enumerate(openmsx_tracks(args.openmsx)):
                sf = rng.choice(sorted(SOUNDFONTS))
                wav = os.path.join(tmp, "o.wav")
                render(path, SOUNDFONTS[sf], wav)
                base = os.path.splitext(os.path.basename(path))[0]
                name = f"openmsx_{i:02d}_{base}_{sf}.flac"
                finish(wav, os.path.join(args.out, name), "dry", "flac", rng, 60)
                split = "validation" if i % 3 == 2 else "tune"
                rows.append(dict(file=name, style="openmsx", bpm=bpm, split=split, soundfont=sf,
                                 effect="dry", format="flac", source=os.path.basename(path)))
                print(name, flush=True)
    with open(os.path.join(args.out, "manifest.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)


if __name__ == "__main__":
    main()
