//! Key and tempo on real music: 25-second openings of public-domain scores
//! rendered with a General MIDI soundfont (tests/data/real, made by
//! make_excerpts.py; truth in manifest.csv by the rules of the accuracy
//! benchmark). Where the analysis is right today the test wants it exact;
//! where it is not ("known miss, issue 10") it accepts today's reading and
//! anything better, so a change that makes a miss worse fails, and the
//! misses can be tightened to exact as the estimators improve.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failed unwrap in a test is a failed test"
)]

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;

use wave_studio::audio::{AnalysisOptions, AnalysisReport, analyze_file};

/// Pitch-class names as the manifest and the analysis write them.
const NAMES: [&str; 12] = [
    "C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B",
];
/// Tempo tolerance (the benchmark's Acc1).
const TOL: f64 = 0.04;

/// How an estimated key relates to the true one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum KeyRel {
    Exact,
    /// Same mode, tonic a fifth away.
    Fifth,
    /// Minor read as its relative major, or the reverse.
    Relative,
    /// A minor piece read as the major key on its dominant (its cadences).
    DominantMajor,
    Parallel,
    Other,
}

/// How an estimated tempo relates to the notated beat.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TempoRel {
    Exact,
    Double,
    Half,
    /// The quarter note of a compound metre counted in dotted quarters.
    ThreeHalves,
    /// Half that quarter note.
    ThreeQuarters,
    Other,
}

struct Case {
    file: &'static str,
    key: &'static [KeyRel],
    tempo: &'static [TempoRel],
    /// The notated tempo must be among the candidates offered.
    truth_in_candidates: bool,
}

use KeyRel as K;
use TempoRel as T;

/// Today's results: exact where right, the reading accepted where not.
const CASES: &[Case] = &[
    Case {
        file: "mozart_k156_2_strings_60.ogg",
        // Known miss, issue 10: E minor read as G major.
        key: &[K::Exact, K::Relative],
        tempo: &[T::Exact],
        truth_in_candidates: false,
    },
    Case {
        file: "haydn_op1no1_1_winds_72.ogg",
        // Known miss, issue 10: 6/8 at 72 dotted quarters read at 54, half
        // the quarter note (earlier at the quarter, 108); 72 is offered.
        key: &[K::Exact],
        tempo: &[T::Exact, T::ThreeHalves, T::ThreeQuarters],
        truth_in_candidates: true,
    },
    Case {
        file: "bach_bwv11.6_choir_88.mp3",
        // Known miss, issue 10: D major read as A major.
        key: &[K::Exact, K::Fifth],
        tempo: &[T::Exact],
        truth_in_candidates: false,
    },
    Case {
        file: "bach_bwv111.6_organ_100.ogg",
        key: &[K::Exact],
        tempo: &[T::Exact],
        truth_in_candidates: false,
    },
    Case {
        file: "chopin_mazurka06-2_piano_132.mp3",
        // Known miss, issue 10: C# minor read as G# major.
        key: &[K::Exact, K::DominantMajor],
        tempo: &[T::Exact],
        truth_in_candidates: false,
    },
    Case {
        file: "haydn_op1no1_5_guitar_112.ogg",
        // Known miss, issue 10: B-flat major read as F major, and at half
        // tempo; 112 is offered.
        key: &[K::Exact, K::Fifth],
        tempo: &[T::Exact, T::Half],
        truth_in_candidates: true,
    },
    Case {
        file: "bach_bwv104.6_brass_144.mp3",
        key: &[K::Exact],
        tempo: &[T::Exact],
        truth_in_candidates: false,
    },
    Case {
        file: "monteverdi_3.19_ensemble_120.ogg",
        // Known miss, issue 10: D minor read as A major, and at half tempo;
        // 120 is offered.
        key: &[K::Exact, K::DominantMajor],
        tempo: &[T::Exact, T::Half],
        truth_in_candidates: true,
    },
];

struct Truth {
    tonic: usize,
    minor: bool,
    bpm: f64,
}

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/real")
}

fn pitch_class(name: &str) -> usize {
    NAMES
        .iter()
        .position(|n| *n == name)
        .expect("a sharp-spelled pitch class")
}

/// manifest.csv: file,key,mode,bpm,... → (file, truth).
fn manifest() -> Vec<(String, Truth)> {
    let text = std::fs::read_to_string(dir().join("manifest.csv")).unwrap();
    let mut lines = text.lines();
    assert!(lines.next().unwrap().starts_with("file,key,mode,bpm,"));
    lines
        .map(|line| {
            let f: Vec<&str> = line.split(',').collect();
            let truth = Truth {
                tonic: pitch_class(f[1]),
                minor: f[2] == "minor",
                bpm: f[3].parse().unwrap(),
            };
            (f[0].to_string(), truth)
        })
        .collect()
}

fn key_rel(truth: &Truth, estimate: &str) -> KeyRel {
    let (name, mode) = estimate.split_once(' ').expect("'TONIC MODE'");
    let (tonic, minor) = (pitch_class(name), mode == "minor");
    let up = (tonic + 12 - truth.tonic) % 12;
    match (minor == truth.minor, up) {
        (true, 0) => K::Exact,
        (true, 5 | 7) => K::Fifth,
        (false, 0) => K::Parallel,
        (false, 3) if truth.minor => K::Relative,
        (false, 9) if !truth.minor => K::Relative,
        (false, 7) if truth.minor => K::DominantMajor,
        _ => K::Other,
    }
}

fn near(bpm: f64, target: f64) -> bool {
    (bpm / target - 1.0).abs() <= TOL
}

fn tempo_rel(truth: &Truth, bpm: f64) -> TempoRel {
    [
        (1.0, T::Exact),
        (2.0, T::Double),
        (0.5, T::Half),
        (1.5, T::ThreeHalves),
        (0.75, T::ThreeQuarters),
    ]
    .into_iter()
    .find(|(factor, _)| near(bpm, truth.bpm * factor))
    .map_or(T::Other, |(_, rel)| rel)
}

/// What is wrong with one excerpt's report, if anything.
fn check(case: &Case, truth: &Truth, report: &AnalysisReport) -> Option<String> {
    let key = report.key.as_ref().map(|k| k.key.clone());
    let krel = key.as_deref().map_or(K::Other, |k| key_rel(truth, k));
    let tempo = report.tempo.as_ref();
    let trel = tempo.map_or(T::Other, |t| tempo_rel(truth, t.bpm));
    let offered = tempo.is_some_and(|t| t.candidates.iter().any(|c| near(c.bpm, truth.bpm)));
    let ok = case.key.contains(&krel)
        && case.tempo.contains(&trel)
        && (offered || !case.truth_in_candidates);
    (!ok).then(|| {
        format!(
            "{}: key {key:?} ({krel:?}, allowed {:?}), tempo {:?} ({trel:?}, allowed {:?}), \
             truth {} BPM offered: {offered}",
            case.file,
            case.key,
            tempo.map(|t| (t.bpm, &t.candidates)),
            case.tempo,
            truth.bpm
        )
    })
}

#[test]
fn real_music_keys_and_tempi_hold_or_improve() {
    let rows = manifest();
    let names: Vec<&str> = rows.iter().map(|(f, _)| f.as_str()).collect();
    let cases: Vec<&str> = CASES.iter().map(|c| c.file).collect();
    assert_eq!(
        names, cases,
        "one case per excerpt of the manifest, in order"
    );
    let start = std::time::Instant::now();
    let mut failures = Vec::new();
    let (mut key_exact, mut tempo_exact) = (0, 0);
    for (case, (_, truth)) in CASES.iter().zip(&rows) {
        let path = dir().join(case.file);
        let report = analyze_file(&path, &AnalysisOptions::default(), &AtomicBool::new(false))
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(report.facts.partial.is_none(), "{}", case.file);
        assert!(
            (report.facts.duration_s - 25.0).abs() < 0.1,
            "{}",
            case.file
        );
        let k = report
            .key
            .as_ref()
            .map(|k| (key_rel(truth, &k.key), &k.key));
        key_exact += usize::from(k.is_some_and(|(rel, _)| rel == K::Exact));
        let t = report
            .tempo
            .as_ref()
            .map(|t| (tempo_rel(truth, t.bpm), t.bpm));
        tempo_exact += usize::from(t.is_some_and(|(rel, _)| rel == T::Exact));
        // One line per excerpt, for whoever tightens the cases.
        eprintln!("{}: key {k:?}, tempo {t:?}", case.file);
        failures.extend(check(case, truth, &report));
    }
    eprintln!(
        "real music: key exact {key_exact}/{n}, tempo within 4 % {tempo_exact}/{n}, {:.1} s",
        start.elapsed().as_secs_f64(),
        n = CASES.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
