//! What the app shows is what it measured, in a form people read: keys
//! spelt as musicians spell them, the tempo and key cells saying their
//! candidates and confidence on hover, the queue's counts at body size, and
//! a finished run's charts drawn against the configuration it ran with.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failed unwrap in a test is a failed test"
)]

mod gui_support;

use std::f64::consts::TAU;
use std::time::Duration;

use egui_kittest::kittest::Queryable;
use gui_support::{TempDir, harness, runtime, shows, shows_exactly, step_until, write_wav};
use wave_studio::app::{Command, WaveStudioApp};

/// A cadence in B♭ major (I IV V I, twice), each chord struck on the
/// beat at 100 BPM with a click: tones with a few harmonics.
fn b_flat_cadence() -> Vec<f32> {
    let rate = f64::from(gui_support::RATE);
    // MIDI notes: B♭2 D4 F4 B♭4 / E♭3 E♭4 G4 B♭4 / F2 F4 A4 C5.
    let chords: [[u8; 4]; 4] = [
        [46, 62, 65, 70],
        [51, 63, 67, 70],
        [41, 65, 69, 72],
        [46, 62, 65, 70],
    ];
    let beat = 0.6;
    let mut out = Vec::new();
    for round in 0..3 {
        for (c, chord) in chords.iter().enumerate() {
            for b in 0..4 {
                let n = (beat * rate) as usize;
                for i in 0..n {
                    let t = i as f64 / rate;
                    let decay = (-t * 2.5).exp();
                    let mut v = 0.0;
                    for &m in chord {
                        let f = 440.0 * 2f64.powf((f64::from(m) - 69.0) / 12.0);
                        for h in 1..=3 {
                            v += (TAU * f * f64::from(h) * t).sin() / f64::from(h * h);
                        }
                    }
                    let click = if i < 200 {
                        0.4 * (1.0 - i as f64 / 200.0)
                    } else {
                        0.0
                    };
                    let accent = if b == 0 && (round + c) % 2 == 0 {
                        1.0
                    } else {
                        0.8
                    };
                    out.push(
                        (0.05 * v * decay * accent + click * ((i % 7) as f64 - 3.0) / 3.0) as f32,
                    );
                }
            }
        }
    }
    out
}

#[test]
fn keys_are_spelt_as_musicians_spell_them_and_cells_tell_their_confidence() {
    let rt = runtime();
    let dir = TempDir::new("truth-key");
    let file = dir.path("cadence.wav");
    write_wav(&file, &b_flat_cadence(), 1, gui_support::RATE);
    let mut h = harness(WaveStudioApp::new(rt.handle().clone()));
    h.run();
    gui_support::drop_files(&mut h, &[file]);
    h.run();
    h.get_by_label("Run").click();
    h.step();
    assert!(step_until(&mut h, Duration::from_secs(120), |a| !a.is_running()));
    let row = &h.state().results().rows[0];
    assert_eq!(row.key(), "A# major", "exports keep the stable form");
    let bpm = format!("{:.1}", row.bpm.unwrap());
    assert!(shows_exactly(&h, "B♭ major"), "the cell spells it");
    assert!(!shows(&h, "A# major"));

    h.get_by_label("B♭ major").hover();
    h.run_steps(4);
    assert!(shows(&h, "B♭ major · confidence"), "key hover");
    assert!(shows(&h, "exports and the CLI write \"A# major\""));

    h.get_by_label(&bpm).hover();
    h.run_steps(4);
    assert!(shows(&h, "Tempo candidates (score): "), "tempo hover");
    assert!(shows(&h, "confidence 0."), "tempo confidence on hover");
}

#[test]
fn the_queue_counts_are_body_text_and_charts_keep_the_runs_config() {
    let rt = runtime();
    let dir = TempDir::new("truth-queue");
    let file = dir.path("cadence.wav");
    write_wav(
        &file,
        &b_flat_cadence()[..gui_support::RATE as usize * 8],
        1,
        gui_support::RATE,
    );
    let mut h = harness(WaveStudioApp::new(rt.handle().clone()));
    h.run();
    gui_support::drop_files(&mut h, &[file]);
    h.run();
    let body = h.ctx.global_style().text_styles[&egui::TextStyle::Body].size;
    let counts = h.get_by_label_contains("1 queued ·").rect();
    assert!(
        counts.height() >= body,
        "queue counts {} px high, body text {body} px",
        counts.height()
    );
    h.get_by_label("Run").click();
    h.step();
    assert!(step_until(&mut h, Duration::from_secs(120), |a| !a.is_running()));
    let heights: Vec<f32> = h
        .get_all_by_label("done")
        .map(|n| n.rect().height())
        .collect();
    assert!(
        !heights.is_empty() && heights.iter().all(|&ht| ht >= body),
        "state words at body size: {heights:?}, body {body}"
    );
    let ran = h.state().document().config.clone();
    assert_eq!(h.state().live().config.as_ref(), Some(&ran));
    // Editing the configuration afterwards does not redraw the finished run.
    let mut edited = ran.clone();
    edited.max_parallel_items_per_stage = 1;
    edited.quality_threshold = 0.2;
    h.state_mut().push(Command::SetConfig {
        config: edited.clone(),
        key: String::new(),
    });
    h.run();
    assert_eq!(h.state().document().config, edited);
    assert_eq!(h.state().live().config.as_ref(), Some(&ran));
}

/// A refinement skipped because the estimates it refines were confident:
/// the status cell names the node and its quality on hover.
#[test]
fn the_status_cell_says_which_nodes_quality_skipped_a_refinement() {
    let rt = runtime();
    let mut h = harness(WaveStudioApp::new(rt.handle().clone()));
    h.run();
    let r = wave_studio::run::FileResult {
        skipped: vec!["tempo_refine: `confidence` reached quality 0.960".into()],
        ..wave_studio::run::FileResult::new("/music/a.wav")
    }
    .with_values(serde_json::json!({"bpm": 120.0, "bpm_confidence": 0.96}));
    h.state_mut().ingest_result(r);
    h.run();
    h.get_by_label("done").hover();
    h.run_steps(4);
    assert!(
        shows(
            &h,
            "skipped: tempo_refine: `confidence` reached quality 0.960"
        ),
        "the skip and its reason on hover"
    );
}
