//! Keys and key profiles: the 24 keys (tonic and mode, named in sharps and
//! Camelot), the major/minor profile families, and how a 12-bin pitch
//! profile correlates with each key.

use serde::Serialize;

/// Pitch-class names, sharps spelling.
pub const NOTE_NAMES: [&str; 12] = [
    "C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B",
];

/// A family of key profiles (major, minor), tonic first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum KeyProfile {
    /// Krumhansl & Kessler (1982) probe-tone ratings.
    Krumhansl,
    /// Temperley (1999), a revision of Krumhansl's for tonal music.
    Temperley,
    /// Aarden (2003): pitch-class frequencies in the Essen folk-song
    /// collection.
    AardenEssen,
    /// Bellman (2005), from Budge's (1943) chord statistics of classical
    /// scores. Its dominant outweighs its tonic, so a lone C major chord
    /// reads as F.
    BellmanBudge,
    /// Temperley (2007), pitch-class frequencies in the Kostka–Payne
    /// harmony textbook excerpts. The default: on the real-music benchmark
    /// (`bench/accuracy`) it keeps minor pieces minor where Temperley's
    /// 1999 profile, with its near-zero flat seventh, reads them as their
    /// relative major; and it gets 47/48 generated progressions.
    #[default]
    TemperleyKostkaPayne,
}

impl KeyProfile {
    /// The (major, minor) profile.
    pub fn weights(self) -> ([f64; 12], [f64; 12]) {
        match self {
            KeyProfile::Krumhansl => (
                [
                    6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88,
                ],
                [
                    6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17,
                ],
            ),
            KeyProfile::Temperley => (
                [5.0, 2.0, 3.5, 2.0, 4.5, 4.0, 2.0, 4.5, 2.0, 3.5, 1.5, 4.0],
                [5.0, 2.0, 3.5, 4.5, 2.0, 4.0, 2.0, 4.5, 3.5, 2.0, 1.5, 4.0],
            ),
            // B. Aarden, "Dynamic melodic expectancy", PhD thesis, Ohio State
            // University, 2003; the values as tabulated in music21's
            // `analysis.discrete.AardenEssen` (major, then minor, from C).
            KeyProfile::AardenEssen => (
                [
                    17.7661, 0.145624, 14.9265, 0.160186, 19.8049, 11.3587, 0.291248, 22.062,
                    0.145624, 8.15494, 0.232998, 4.95122,
                ],
                [
                    18.2648, 0.737619, 14.0499, 16.8599, 0.702494, 14.4362, 0.702494, 18.6161,
                    4.56621, 1.93186, 7.37619, 1.75623,
                ],
            ),
            // H. Bellman, "About the determination of key of a musical
            // excerpt", CMMR 2005; values as in music21's
            // `analysis.discrete.BellmanBudge`.
            KeyProfile::BellmanBudge => (
                [
                    16.80, 0.86, 12.95, 1.41, 13.49, 11.93, 1.25, 20.28, 1.80, 8.04, 0.62, 10.57,
                ],
                [
                    18.16, 0.69, 12.99, 13.34, 1.07, 11.15, 1.38, 21.07, 7.49, 1.53, 0.92, 10.21,
                ],
            ),
            // D. Temperley, "Music and Probability", MIT Press 2007; values as
            // in music21's `analysis.discrete.TemperleyKostkaPayne`.
            KeyProfile::TemperleyKostkaPayne => (
                [
                    0.748, 0.060, 0.488, 0.082, 0.670, 0.460, 0.096, 0.715, 0.104, 0.366, 0.057,
                    0.400,
                ],
                [
                    0.712, 0.084, 0.474, 0.618, 0.049, 0.460, 0.105, 0.747, 0.404, 0.067, 0.133,
                    0.330,
                ],
            ),
        }
    }
}

/// Major or minor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Mode {
    /// Major (Ionian).
    Major,
    /// Minor (Aeolian).
    Minor,
}

/// A key: tonic pitch class (0 = C) and mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    /// Tonic pitch class, 0 = C … 11 = B.
    pub tonic: usize,
    /// Major or minor.
    pub mode: Mode,
}

impl Key {
    /// "A minor", "C# major".
    pub fn name(self) -> String {
        let mode = match self.mode {
            Mode::Major => "major",
            Mode::Minor => "minor",
        };
        format!("{} {mode}", NOTE_NAMES[self.tonic % 12])
    }

    /// Camelot wheel code: "8A" is A minor, "8B" is C major.
    pub fn camelot(self) -> String {
        // Major keys: C = 8B, each fifth up adds one.
        let (root, letter) = match self.mode {
            Mode::Major => (self.tonic, 'B'),
            Mode::Minor => ((self.tonic + 3) % 12, 'A'),
        };
        let steps = (root * 7) % 12; // fifths above C
        format!("{}{letter}", (steps + 7) % 12 + 1)
    }
}

/// Pearson correlation of two 12-bin profiles (0 when either is flat).
pub fn pearson(a: &[f64; 12], b: &[f64; 12]) -> f64 {
    let ma = a.iter().sum::<f64>() / 12.0;
    let mb = b.iter().sum::<f64>() / 12.0;
    let (mut num, mut da, mut db) = (0.0, 0.0, 0.0);
    for i in 0..12 {
        let (x, y) = (a[i] - ma, b[i] - mb);
        num += x * y;
        da += x * x;
        db += y * y;
    }
    if da > 0.0 && db > 0.0 {
        num / (da * db).sqrt()
    } else {
        0.0
    }
}

/// Scores all 24 keys for a 12-bin profile: (key, correlation), best first.
pub fn rank_keys(profile: &[f64; 12], family: KeyProfile) -> Vec<(Key, f64)> {
    let (major, minor) = family.weights();
    let mut out = Vec::with_capacity(24);
    for tonic in 0..12 {
        for (mode, weights) in [(Mode::Major, &major), (Mode::Minor, &minor)] {
            let mut rotated = [0.0; 12];
            for (i, r) in rotated.iter_mut().enumerate() {
                *r = weights[(i + 12 - tonic) % 12];
            }
            out.push((Key { tonic, mode }, pearson(profile, &rotated)));
        }
    }
    out.sort_by(|a, b| b.1.total_cmp(&a.1));
    out
}
