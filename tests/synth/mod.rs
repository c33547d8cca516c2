//! Generated test audio with known answers: drum patterns, chord
//! progressions, tones; and a minimal WAV writer. Fixed seeds throughout.
#![allow(dead_code, reason = "shared by several test crates, each using a part")]

use std::f32::consts::TAU;

/// A decaying sine sweep: a kick drum.
fn kick(out: &mut [f32], at: usize, rate: f32, gain: f32) {
    let len = (0.25 * rate) as usize;
    let mut phase = 0.0f32;
    for i in 0..len {
        let Some(s) = out.get_mut(at + i) else { break };
        let t = i as f32 / rate;
        let f = 50.0 + 90.0 * (-t * 30.0).exp();
        phase += TAU * f / rate;
        *s += gain * phase.sin() * (-t * 14.0).exp();
    }
}

/// Noise plus a tone: a snare.
fn snare(out: &mut [f32], at: usize, rate: f32, gain: f32, rng: &mut fastrand::Rng) {
    let len = (0.2 * rate) as usize;
    for i in 0..len {
        let Some(s) = out.get_mut(at + i) else { break };
        let t = i as f32 / rate;
        let noise = rng.f32() * 2.0 - 1.0;
        *s += gain
            * (0.6 * noise * (-t * 25.0).exp() + 0.4 * (TAU * 185.0 * t).sin() * (-t * 30.0).exp());
    }
}

/// High-passed noise burst: a closed hi-hat.
fn hat(out: &mut [f32], at: usize, rate: f32, gain: f32, rng: &mut fastrand::Rng) {
    let len = (0.05 * rate) as usize;
    let mut prev = 0.0f32;
    for i in 0..len {
        let Some(s) = out.get_mut(at + i) else { break };
        let t = i as f32 / rate;
        let n = rng.f32() * 2.0 - 1.0;
        *s += gain * 0.5 * (n - prev) * (-t * 80.0).exp();
        prev = n;
    }
}

/// A 4/4 drum pattern at `bpm`: kick on 1 and 3 (and sometimes the "and"
/// of 3), snare on 2 and 4, hats on eighths with `swing` (0..0.33 of an
/// eighth) and random dynamics. Mono.
pub fn drums(bpm: f32, seconds: f32, rate: u32, swing: f32, seed: u64) -> Vec<f32> {
    drums_drifting(bpm, bpm, seconds, rate, swing, seed)
}

/// As [`drums`], with the tempo moving linearly from `bpm` to `end_bpm`.
pub fn drums_drifting(
    bpm: f32,
    end_bpm: f32,
    seconds: f32,
    rate: u32,
    swing: f32,
    seed: u64,
) -> Vec<f32> {
    let rate_f = rate as f32;
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut out = vec![0.0f32; (seconds * rate_f) as usize];
    let mut n = 0usize;
    let mut t0 = 0.0f32;
    loop {
        let local = bpm + (end_bpm - bpm) * (t0 / seconds).min(1.0);
        let beat = 60.0 / local;
        if t0 >= seconds {
            break;
        }
        let at = |t: f32| (t * rate_f) as usize;
        let v: [f32; 5] = std::array::from_fn(|_| 0.8 + 0.2 * rng.f32());
        let pos = n % 4;
        if pos == 0 || pos == 2 {
            kick(&mut out, at(t0), rate_f, 0.8 * v[0]);
        }
        if pos == 2 && rng.bool() {
            kick(
                &mut out,
                at(t0 + beat * 0.5 * (1.0 + swing)),
                rate_f,
                0.5 * v[1],
            );
        }
        if pos == 1 || pos == 3 {
            snare(&mut out, at(t0), rate_f, 0.6 * v[2], &mut rng);
        }
        hat(&mut out, at(t0), rate_f, 0.35 * v[3], &mut rng);
        hat(
            &mut out,
            at(t0 + beat * 0.5 * (1.0 + swing)),
            rate_f,
            0.2 * v[4],
            &mut rng,
        );
        n += 1;
        t0 += beat;
    }
    normalise(&mut out, 0.8);
    out
}

/// A cheap room: four feedback combs (Schroeder), mixed in at `wet`.
pub fn reverb(x: &mut [f32], rate: u32, wet: f32) {
    let delays = [0.0297, 0.0371, 0.0411, 0.0437].map(|d: f32| (d * rate as f32) as usize);
    let mut out = vec![0.0f32; x.len()];
    for d in delays {
        let mut buf = vec![0.0f32; x.len()];
        for i in 0..x.len() {
            let fb = if i >= d { buf[i - d] } else { 0.0 };
            buf[i] = x[i] + 0.84 * fb;
            out[i] += 0.25 * buf[i];
        }
    }
    for (v, o) in x.iter_mut().zip(out) {
        *v = (1.0 - wet) * *v + wet * o;
    }
}

/// Four-on-the-floor: kick on every beat, open hat on the off-beats,
/// clap on 2 and 4. Mono.
pub fn four_on_the_floor(bpm: f32, seconds: f32, rate: u32, seed: u64) -> Vec<f32> {
    let rate_f = rate as f32;
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut out = vec![0.0f32; (seconds * rate_f) as usize];
    let beat = 60.0 / bpm;
    let mut n = 0usize;
    while (n as f32) * beat < seconds {
        let t0 = n as f32 * beat;
        let at = |t: f32| (t * rate_f) as usize;
        kick(&mut out, at(t0), rate_f, 0.9);
        if n % 2 == 1 {
            snare(&mut out, at(t0), rate_f, 0.4, &mut rng);
        }
        hat(&mut out, at(t0 + 0.5 * beat), rate_f, 0.5, &mut rng);
        n += 1;
    }
    normalise(&mut out, 0.8);
    out
}

/// A general 16-step pattern per bar: `kicks`, `snares` and `hats` are
/// bit masks over sixteenth notes (bit 0 = the downbeat). Mono.
pub fn pattern(
    bpm: f32,
    seconds: f32,
    rate: u32,
    kicks: u16,
    snares: u16,
    hats: u16,
    seed: u64,
) -> Vec<f32> {
    let rate_f = rate as f32;
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut out = vec![0.0f32; (seconds * rate_f) as usize];
    let step = 15.0 / bpm;
    let mut n = 0usize;
    while (n as f32) * step < seconds {
        let at = (n as f32 * step * rate_f) as usize;
        let bit = 1u16 << (n % 16);
        let accent = if n.is_multiple_of(4) { 1.0 } else { 0.75 };
        if kicks & bit != 0 {
            kick(&mut out, at, rate_f, 0.9 * (0.85 + 0.15 * rng.f32()));
        }
        if snares & bit != 0 {
            snare(
                &mut out,
                at,
                rate_f,
                0.6 * (0.85 + 0.15 * rng.f32()),
                &mut rng,
            );
        }
        if hats & bit != 0 {
            let g = 0.3 * accent * (0.8 + 0.2 * rng.f32());
            hat(&mut out, at, rate_f, g, &mut rng);
        }
        n += 1;
    }
    normalise(&mut out, 0.8);
    out
}

/// Scales to the given peak.
pub fn normalise(x: &mut [f32], peak: f32) {
    let max = x.iter().fold(0.0f32, |m, v| m.max(v.abs()));
    if max > 0.0 {
        for v in x {
            *v *= peak / max;
        }
    }
}

/// A harmonic tone (1/h partials) with attack and decay, added in place.
fn note(out: &mut [f32], at: usize, len: usize, midi: f32, rate: f32, gain: f32) {
    let f0 = 440.0 * 2f32.powf((midi - 69.0) / 12.0);
    for i in 0..len {
        let Some(s) = out.get_mut(at + i) else { break };
        let t = i as f32 / rate;
        let env = (t / 0.01).min(1.0) * (-t * 1.5).exp();
        let mut v = 0.0;
        for h in 1..=6 {
            let f = f0 * h as f32;
            if f < rate / 2.0 {
                v += (TAU * f * t).sin() / h as f32;
            }
        }
        *s += gain * env * v;
    }
}

/// Major and (harmonic) minor scale degrees in semitones above the tonic.
const MAJOR: [i32; 7] = [0, 2, 4, 5, 7, 9, 11];
const MINOR: [i32; 7] = [0, 2, 3, 5, 7, 8, 11];

/// A chord progression with bass and a melody in the key `tonic`
/// (0 = C) and mode, e.g. I–vi–IV–V or i–iv–V–i. Mono.
pub fn progression(tonic: i32, minor: bool, seconds: f32, rate: u32, seed: u64) -> Vec<f32> {
    let rate_f = rate as f32;
    let mut rng = fastrand::Rng::with_seed(seed);
    let scale = if minor { MINOR } else { MAJOR };
    // Chords as scale degrees of their roots.
    let progressions: [[usize; 4]; 3] = if minor {
        [[0, 3, 4, 0], [0, 5, 3, 4], [0, 3, 0, 4]]
    } else {
        [[0, 3, 4, 0], [0, 5, 3, 4], [0, 4, 5, 3]]
    };
    let prog = progressions[rng.usize(..progressions.len())];
    let mut out = vec![0.0f32; (seconds * rate_f) as usize];
    let chord_len = seconds / 4.0;
    let pitch = |degree: usize, octave: i32| -> f32 {
        let d = degree % 7;
        let extra = (degree / 7) as i32;
        (60 + tonic + scale[d] + 12 * (octave + extra)) as f32
    };
    for (c, &root) in prog.iter().enumerate() {
        let at = (c as f32 * chord_len * rate_f) as usize;
        let len = (chord_len * rate_f) as usize;
        for (k, &deg) in [root, root + 2, root + 4].iter().enumerate() {
            note(
                &mut out,
                at,
                len,
                pitch(deg, -1),
                rate_f,
                0.18 - 0.02 * k as f32,
            );
        }
        note(&mut out, at, len, pitch(root, -2), rate_f, 0.22);
        // Melody: four notes per chord, mostly chord tones.
        for m in 0..4 {
            let deg = if rng.f32() < 0.7 {
                root + 2 * rng.usize(0..3)
            } else {
                rng.usize(0..7)
            };
            let mat = at + m * len / 4;
            note(&mut out, mat, len / 4, pitch(deg, 0), rate_f, 0.12);
        }
    }
    normalise(&mut out, 0.7);
    out
}

/// A sine of `freq` Hz and peak `amp` on every channel, interleaved.
pub fn sine(freq: f64, amp: f64, seconds: f64, rate: u32, channels: usize) -> Vec<f32> {
    let n = (seconds * rate as f64) as usize;
    let mut out = Vec::with_capacity(n * channels);
    for i in 0..n {
        let v = (amp * (std::f64::consts::TAU * freq * i as f64 / rate as f64).sin()) as f32;
        out.extend(std::iter::repeat_n(v, channels));
    }
    out
}

#[path = "../common/signal.rs"]
mod signal;
/// Writes 16-bit PCM WAV (shared with the other tests).
#[allow(unused_imports, reason = "re-exported for the test crates that use it")]
pub use signal::write_wav;

/// A fresh empty directory for one test's files.
pub fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("wave-studio-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs ffmpeg quietly with `args`. Fails loudly when ffmpeg is missing:
/// the tests that need it must not pass silently.
pub fn ffmpeg(args: &[&str]) {
    let status = std::process::Command::new("ffmpeg")
        .args(["-v", "error", "-y"])
        .args(args)
        .status()
        .expect("ffmpeg is required for these tests (apt-get install ffmpeg)");
    assert!(status.success(), "ffmpeg {args:?} failed");
}

/// Music-like stereo test content: drums plus a chord progression.
pub fn music(seconds: f32, rate: u32, bpm: f32, tonic: i32, minor: bool, seed: u64) -> Vec<f32> {
    let d = drums(bpm, seconds, rate, 0.1, seed);
    let p = progression(tonic, minor, seconds, rate, seed + 1);
    let mut out = Vec::with_capacity(d.len() * 2);
    for (i, (a, b)) in d.iter().zip(&p).enumerate() {
        let pan = if i % 2 == 0 { 0.1 } else { -0.1 };
        out.push(0.5 * a + (0.5 + pan) * b);
        out.push(0.5 * a + (0.5 - pan) * b);
    }
    out
}

/// Runs the real binary; returns (exit code, stdout, stderr).
pub fn run_cli(args: &[&str]) -> (i32, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_wave-studio"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// One harmonic note of `midi` struck every beat at `bpm` (or once, held,
/// when `bpm` is 0). Mono.
pub fn repeated_note(midi: f32, bpm: f32, seconds: f32, rate: u32) -> Vec<f32> {
    let rate_f = rate as f32;
    let mut out = vec![0.0f32; (seconds * rate_f) as usize];
    let len = out.len();
    if bpm <= 0.0 {
        note(&mut out, 0, len, midi, rate_f, 0.5);
    } else {
        let step = (60.0 / bpm * rate_f) as usize;
        for at in (0..len).step_by(step) {
            note(&mut out, at, step, midi, rate_f, 0.5);
        }
    }
    normalise(&mut out, 0.7);
    out
}

/// White noise at `amp` peak. Mono.
pub fn noise(seconds: f32, rate: u32, amp: f32, seed: u64) -> Vec<f32> {
    let mut rng = fastrand::Rng::with_seed(seed);
    (0..(seconds * rate as f32) as usize)
        .map(|_| amp * (2.0 * rng.f32() - 1.0))
        .collect()
}
