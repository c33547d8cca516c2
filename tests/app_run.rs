//! Running a pipeline from the app: files dropped on the window, Run,
//! results with the right tempo; cancelling a running batch.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failed unwrap in a test is a failed test"
)]

mod gui_support;

use std::time::Duration;

use egui_kittest::kittest::Queryable;
use gui_support::{TempDir, groove, harness, runtime, shows, shows_exactly, step_until, write_wav};
use wave_studio::app::{FileState, WaveStudioApp};

#[test]
fn dropped_files_run_to_results_with_the_right_bpm() {
    let rt = runtime();
    let dir = TempDir::new("run");
    let sub = dir.path("album");
    std::fs::create_dir_all(&sub).unwrap();
    write_wav(
        &sub.join("groove120.wav"),
        &groove(120.0, 10.0, 1),
        1,
        gui_support::RATE,
    );
    write_wav(
        &dir.path("groove120b.wav"),
        &groove(120.0, 8.0, 2),
        1,
        gui_support::RATE,
    );
    std::fs::write(sub.join("cover.jpg"), b"not audio").unwrap();

    let mut h = harness(WaveStudioApp::new(rt.handle().clone()));
    h.run();
    gui_support::drop_files(&mut h, std::slice::from_ref(&dir.0));
    h.run();
    assert_eq!(
        h.state().files().entries.len(),
        2,
        "folder walked recursively"
    );
    assert!(shows(&h, "1 non-audio file(s) ignored"));

    h.get_by_label("Run").click();
    h.step();
    assert!(h.state().is_running());
    let done = step_until(&mut h, Duration::from_secs(120), |app| !app.is_running());
    assert!(done, "the run ends");

    let rows = &h.state().results().rows;
    assert_eq!(rows.len(), 2);
    for row in rows {
        let bpm = row.bpm.expect("a tempo");
        assert!((bpm - 120.0).abs() < 1.5, "{}: {bpm}", row.file);
    }
    assert!(
        h.state()
            .files()
            .entries
            .iter()
            .all(|e| e.state == FileState::Done)
    );
    // Per-file progress came from the run's keyed events: every node of
    // each file ran or was skipped.
    for e in &h.state().files().entries {
        assert!(e.progress > 0.99, "{}: {}", e.path.display(), e.progress);
    }
    // The table shows it, and the nodes show live counts.
    assert!(shows_exactly(&h, "groove120.wav"));
    assert!(shows_exactly(&h, "120.0"));
    let live = h.state().live();
    assert_eq!(live.monitor.nodes.get("decode").map(|n| n.done), Some(2));
    assert!(shows(&h, "done 2"));
}

#[test]
fn a_running_batch_can_be_cancelled() {
    let rt = runtime();
    let dir = TempDir::new("cancel");
    let song = groove(120.0, 20.0, 3);
    let mut files = Vec::new();
    for i in 0..24 {
        let p = dir.path(&format!("song{i:02}.wav"));
        write_wav(&p, &song, 1, gui_support::RATE);
        files.push(p);
    }
    let mut h = harness(WaveStudioApp::new(rt.handle().clone()));
    h.run();
    gui_support::drop_files(&mut h, &files);
    h.run();
    h.get_by_label("Run").click();
    h.step();
    assert!(h.state().is_running());
    h.run_steps(2);
    h.get_by_label("Cancel").click();
    h.step();
    let done = step_until(&mut h, Duration::from_secs(60), |app| !app.is_running());
    assert!(done, "the cancelled run ends");
    let entries = &h.state().files().entries;
    let cancelled = entries
        .iter()
        .filter(|e| e.state == FileState::Cancelled)
        .count();
    assert!(cancelled > 0, "some files were cancelled");
    let queued = entries
        .iter()
        .filter(|e| e.state == FileState::Queued)
        .count();
    assert!(
        shows(&h, &format!("{queued} queued ·")) && shows(&h, &format!("· {cancelled} cancelled")),
        "the summary counts cancelled files as cancelled, not queued"
    );
    assert!(
        entries
            .iter()
            .all(|e| !matches!(e.state, FileState::Running(_))),
        "nothing left running"
    );
    assert!(shows_exactly(&h, "Run cancelled"));
}

#[test]
fn a_node_shows_its_cached_count_only_once_it_has_one() {
    use std::sync::Arc;
    use wave_studio::orchestrator::{AttemptOutcome, NodeId, WaveEvent, WaveId, WaveKey};
    let rt = runtime();
    let mut h = harness(WaveStudioApp::new(rt.handle().clone()));
    h.run();
    let first = h.state().document().nodes[0].clone();
    let (wave, key, node) = (WaveId(1), WaveKey(0), NodeId::from(first.id.as_str()));
    let events = [
        WaveEvent::WaveStarted {
            wave,
            key,
            batch: None,
            label: Arc::from("a.wav"),
        },
        WaveEvent::StageStarted {
            wave,
            key,
            node: node.clone(),
            kind: first.kind,
            attempt: 1,
        },
    ];
    for e in &events {
        h.state_mut().ingest_event(e, 0.0);
    }
    h.run();
    assert!(shows(&h, "run 1"));
    assert!(!shows(&h, "cached"), "no store hit yet");
    // A store hit, as a run reports it.
    let hit = WaveEvent::StageFinished {
        wave,
        key,
        node,
        kind: first.kind,
        attempt: 1,
        duration: Duration::from_millis(3),
        cpu_time: None,
        quality: None,
        outcome: AttemptOutcome::Success,
        error: None,
        cached: true,
    };
    h.state_mut().ingest_event(&hit, 0.1);
    h.run();
    assert!(shows(&h, "cached 1"));
    assert!(shows_exactly(&h, "done 0"), "a store hit is not done work");
}
