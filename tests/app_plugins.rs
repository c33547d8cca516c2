//! Plugins in the app: a plugin dropped into the plugin folder while the
//! app runs appears after *Rescan plugins* in the Plugins window and the
//! *Add node* menu, runs on a dropped file, and its values show in the
//! results table.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failed unwrap in a test is a failed test"
)]

mod gui_support;

use std::path::Path;
use std::time::Duration;

use egui::accesskit::Role;
use egui_kittest::kittest::Queryable;
use gui_support::{TempDir, groove, harness, runtime, shows, step_until, write_wav};
use wave_studio::app::{Column, WaveStudioApp};
use wave_studio::pipeline::Operation;

/// Copies the repository's `plugins/NAME` folder into `to`.
fn install(name: &str, to: &Path) {
    let from = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("plugins")
        .join(name);
    let dest = to.join(name);
    std::fs::create_dir_all(&dest).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), dest.join(entry.file_name())).unwrap();
    }
}

/// A tagged FLAC file (ffmpeg, installed by .ci/run).
fn tagged_flac(dir: &TempDir) -> std::path::PathBuf {
    let wav = dir.path("raw.wav");
    write_wav(&wav, &groove(120.0, 6.0, 4), 1, gui_support::RATE);
    let flac = dir.path("tagged.flac");
    let status = std::process::Command::new("ffmpeg")
        .args(["-v", "error", "-y", "-i"])
        .arg(&wav)
        .args([
            "-metadata",
            "artist=Kittest Artist",
            "-metadata",
            "title=Rescanned",
        ])
        .arg(&flac)
        .status()
        .expect("ffmpeg is required for this test");
    assert!(status.success());
    std::fs::remove_file(&wav).unwrap();
    flac
}

#[test]
fn a_plugin_dropped_in_while_running_is_added_run_and_shown() {
    let rt = runtime();
    let dir = TempDir::new("app-plugins");
    let folder = dir.path("plugins");
    std::fs::create_dir_all(&folder).unwrap();
    let mut app = WaveStudioApp::new(rt.handle().clone());
    app.set_plugin_dirs(vec![folder.clone()]);
    let mut h = harness(app);
    h.run();
    // The first scan (off the UI thread) finds nothing.
    let scanned = step_until(&mut h, Duration::from_secs(10), |app| {
        app.plugins().dirs == [folder.clone()]
    });
    assert!(scanned && h.state().plugins().plugins.is_empty());

    install("tags", &folder);
    h.get_by_label("View").click();
    h.run();
    h.get_by_label("Rescan plugins").click();
    let found = step_until(&mut h, Duration::from_secs(10), |app| {
        app.plugins().get("tags").is_some()
    });
    assert!(found, "the rescan finds the new plugin");
    assert!(shows(&h, "Plugins: 1 installed (added tags)"));

    h.get_by_label("Add node").click();
    h.run();
    h.get_by_label("Plugins ⏵").hover();
    h.run();
    h.get_by_role_and_label(Role::Button, "tags").click();
    h.run();
    let added = h.state().document().nodes.last().unwrap().clone();
    assert_eq!(added.id, "tags");
    assert!(matches!(&added.operation, Operation::Plugin { name, .. } if name == "tags"));
    // The inspector shows the manifest's typed parameter.
    assert!(shows(&h, "missing"), "the parameter row");

    let file = tagged_flac(&dir);
    gui_support::drop_files(&mut h, &[file]);
    h.run();
    assert_eq!(h.state().files().entries.len(), 1);
    h.get_by_label("Run").click();
    h.step();
    assert!(h.state().is_running(), "the run starts");
    let done = step_until(&mut h, Duration::from_secs(120), |app| !app.is_running());
    assert!(done, "the run ends");
    let rows = &h.state().results().rows;
    assert_eq!(rows.len(), 1);
    let plugins_cell = rows[0].cell(Column::Plugins);
    assert!(
        plugins_cell.contains("artist=Kittest Artist"),
        "{plugins_cell}"
    );
    assert!(plugins_cell.contains("title=Rescanned"), "{plugins_cell}");
    // Last in the row: the table scrolls sideways to it.
    let name = rows[0].file.clone();
    let at = h
        .query_all_by_label(&name)
        .map(|n| n.rect().center())
        .find(|p| p.y > 500.0)
        .unwrap();
    for _ in 0..10 {
        gui_support::wheel_right(&mut h, at);
    }
    assert!(shows(&h, "artist=Kittest Artist"), "the table shows it");
    // The CSV export has the plugin's columns.
    let csv = dir.path("export.csv");
    h.state_mut().push(wave_studio::app::Command::Export(
        wave_studio::app::ExportFormat::Csv,
        csv.clone(),
    ));
    h.run();
    let text = std::fs::read_to_string(&csv).unwrap();
    let header = text.lines().next().unwrap();
    // Title and artist are fixed columns (the file's tags, here the
    // plugin's later values); the plugin's other values follow.
    assert!(
        header.ends_with(
            ",title,artist,tag_bpm,tag_key,tag_bpm_relation,tag_key_relation,album,genre"
        ),
        "{header}"
    );
    assert!(text.contains("Rescanned,Kittest Artist"), "{text}");
    h.get_by_label("View").click();
    h.run();
    h.get_by_label("Plugins…").click();
    h.run();
    assert!(
        shows(&h, "command: python3 tags.py"),
        "the Plugins window shows its command"
    );
}

#[test]
fn a_pipeline_naming_a_missing_plugin_shows_why_and_does_not_run() {
    let rt = runtime();
    let dir = TempDir::new("app-missing-plugin");
    let folder = dir.path("plugins");
    std::fs::create_dir_all(&folder).unwrap();
    let mut app = WaveStudioApp::new(rt.handle().clone());
    app.set_plugin_dirs(vec![folder.clone()]);
    let mut h = harness(app);
    h.run();
    step_until(&mut h, Duration::from_secs(10), |app| {
        app.plugins().dirs == [folder.clone()]
    });
    h.state_mut().push(wave_studio::app::Command::AddNode {
        kind: wave_studio::orchestrator::WaveStage::Preparation,
        operation: Operation::Plugin {
            name: "ghost".into(),
            params: Default::default(),
        },
        at: None,
    });
    h.run();
    assert!(shows(&h, "plugin `ghost` is not installed"));
    let wav = dir.path("a.wav");
    write_wav(&wav, &groove(120.0, 4.0, 5), 1, gui_support::RATE);
    gui_support::drop_files(&mut h, &[wav]);
    h.run();
    // Run is disabled, with the reason beside it; pressed anyway (the
    // shortcut), nothing starts.
    assert!(shows(
        &h,
        "Run disabled: node `ghost`: plugin `ghost` is not installed"
    ));
    h.state_mut().push(wave_studio::app::Command::Run);
    h.run();
    assert!(!h.state().is_running());
    assert!(
        shows(&h, "Cannot run: node `ghost`"),
        "refused with the reason"
    );
}

#[test]
fn a_running_batch_keeps_the_plugins_it_started_with() {
    let rt = runtime();
    let dir = TempDir::new("app-plugins-keep");
    let folder = dir.path("plugins");
    let slow = folder.join("slow");
    std::fs::create_dir_all(&slow).unwrap();
    std::fs::write(
        slow.join("run.sh"),
        "read line; sleep 1; echo '{\"values\": {\"slow_answer\": 42}}'",
    )
    .unwrap();
    std::fs::write(
        slow.join("plugin.ron"),
        r#"(version: 1, name: "slow", kind: FeatureExtraction, command: ["sh", "run.sh"],
            outputs: [(name: "slow_answer")])"#,
    )
    .unwrap();
    let mut app = WaveStudioApp::new(rt.handle().clone());
    app.set_plugin_dirs(vec![folder.clone()]);
    let mut h = harness(app);
    h.run();
    let found = step_until(&mut h, Duration::from_secs(10), |app| {
        app.plugins().get("slow").is_some()
    });
    assert!(found);
    h.state_mut().push(wave_studio::app::Command::AddNode {
        kind: wave_studio::orchestrator::WaveStage::FeatureExtraction,
        operation: Operation::Plugin {
            name: "slow".into(),
            params: Default::default(),
        },
        at: None,
    });
    let files: Vec<_> = (0..3)
        .map(|i| {
            let p = dir.path(&format!("f{i}.wav"));
            write_wav(&p, &groove(120.0, 3.0, i), 1, gui_support::RATE);
            p
        })
        .collect();
    gui_support::drop_files(&mut h, &files);
    h.run();
    h.get_by_label("Run").click();
    h.step();
    assert!(h.state().is_running());
    // Uninstalled mid-run: the app's set loses it at once...
    std::fs::remove_file(slow.join("plugin.ron")).unwrap();
    h.state_mut().push(wave_studio::app::Command::RescanPlugins);
    let gone = step_until(&mut h, Duration::from_secs(10), |app| {
        app.plugins().get("slow").is_none()
    });
    assert!(gone, "the rescan drops it");
    assert!(h.state().is_running(), "while the batch still runs");
    // ...and the batch finishes with the set it started with.
    let done = step_until(&mut h, Duration::from_secs(60), |app| !app.is_running());
    assert!(done);
    let rows = &h.state().results().rows;
    assert_eq!(rows.len(), 3);
    for row in rows {
        assert!(
            row.cell(Column::Plugins).contains("slow_answer=42"),
            "{}: {}",
            row.file,
            row.cell(Column::Plugins)
        );
    }
}
