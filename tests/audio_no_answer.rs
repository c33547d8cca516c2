//! No answer is an answer: noise, speech and single notes get a null tempo
//! or key with the reason, silence stays null, and music keeps its answers.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failed unwrap in a test is a failed test"
)]

mod synth;

use std::path::Path;
use std::sync::atomic::AtomicBool;

use wave_studio::audio::abstain::{
    NO_ATTACKS, NO_ONSETS, NO_PITCH, NO_PULSE, NO_TONALITY, SINGLE_PITCH,
};
use wave_studio::audio::{AnalysisOptions, AnalysisReport, analyze_file, analyze_pcm};

const RATE: u32 = 44_100;

fn analyse(sig: &[f32]) -> AnalysisReport {
    analyze_pcm(sig, 1, RATE, &AnalysisOptions::default()).unwrap()
}

#[test]
fn white_noise_has_no_tempo_and_no_key() {
    let r = analyse(&synth::noise(20.0, RATE, 0.5, 3));
    assert_eq!(r.tempo_reason, Some(NO_PULSE), "{:?}", r.tempo);
    assert_eq!(r.key_reason, Some(NO_TONALITY), "{:?}", r.key);
    assert!(r.bpm().is_none() && r.answered_key().is_none());
    // The estimate and its candidates stay available for whoever wants them.
    assert!(!r.tempo.unwrap().candidates.is_empty());
}

#[test]
fn a_held_note_has_no_tempo_and_no_key() {
    let r = analyse(&synth::repeated_note(57.0, 0.0, 12.0, RATE));
    assert!(
        matches!(r.tempo_reason, Some(NO_ONSETS | NO_ATTACKS)),
        "{:?} {:?}",
        r.tempo_reason,
        r.tempo
    );
    assert_eq!(r.key_reason, Some(SINGLE_PITCH), "{:?}", r.key);
}

#[test]
fn a_repeated_note_has_a_tempo_but_no_key() {
    let r = analyse(&synth::repeated_note(64.0, 100.0, 15.0, RATE));
    let bpm = r.bpm().map(|t| t.bpm).unwrap_or_default();
    assert!(
        (bpm / 100.0 - 1.0).abs() < 0.02,
        "{bpm} {:?}",
        r.tempo_reason
    );
    assert_eq!(r.key_reason, Some(SINGLE_PITCH), "{:?}", r.key);
}

#[test]
fn silence_stays_null_with_its_reasons() {
    let r = analyse(&vec![0.0f32; RATE as usize * 10]);
    assert!(r.tempo.is_none() && r.key.is_none());
    assert_eq!(r.tempo_reason, Some(NO_ONSETS));
    assert_eq!(r.key_reason, Some(NO_PITCH));
}

#[test]
fn music_keeps_its_tempo_and_key() {
    let r = analyse(&synth::music(15.0, RATE, 118.0, 9, true, 41));
    assert_eq!(r.tempo_reason, None);
    assert_eq!(r.key_reason, None);
    assert_eq!(r.answered_key().unwrap().key, "A minor");
}

/// Real speech from a speech synthesiser nobody in the project made
/// (Debian's espeak-ng, installed by `.ci/run`).
#[test]
fn speech_has_no_tempo_and_no_key() {
    let dir = synth::temp_dir("speech");
    for (i, (voice, text)) in [
        ("en", "The quick brown fox jumps over the lazy dog. Analysis of audio files requires careful attention to rhythm and tonality. When there is no pulse, a good analyser says so instead of guessing a number."),
        ("en-us", "Good evening. Here is the news for Tuesday. The weather will be cold and clear across the north, with rain arriving in the south by the afternoon. Traffic is light on most roads."),
    ]
    .iter()
    .enumerate()
    {
        let path = dir.join(format!("speech{i}.wav"));
        let status = std::process::Command::new("espeak-ng")
            .args(["-v", voice, "-w"])
            .arg(&path)
            .arg(text)
            .status()
            .expect("espeak-ng is required for this test (apt-get install espeak-ng)");
        assert!(status.success());
        let r = analyze_file(Path::new(&path), &AnalysisOptions::default(), &AtomicBool::new(false))
            .unwrap();
        assert_eq!(r.tempo_reason, Some(NO_PULSE), "{voice}: {:?}", r.tempo);
        assert_eq!(r.key_reason, Some(NO_TONALITY), "{voice}: {:?}", r.key);
    }
}
