//! The app on the results library: stored rows shown and filtered by
//! pipeline, forgetting a file's results, Resume running only the files
//! without a result, the queue kept across launches, and a library that
//! cannot be opened.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failed unwrap in a test is a failed test"
)]

mod gui_support;

use std::path::{Path, PathBuf};
use std::time::Duration;

use egui_kittest::kittest::Queryable;
use gui_support::{TempDir, groove, harness, runtime, shows, step_until, write_wav};
use wave_studio::app::{
    Command, FileState, Launch, PipelineId, SavedEntry, Scope, Source, WaveStudioApp,
};
use wave_studio::library::{Library, ResultFilter};
use wave_studio::pipeline::{self, PipelineDocument};
use wave_studio::run::PipelineRunner;

const WAIT: Duration = Duration::from_secs(120);

/// Two short generated songs.
fn songs(dir: &TempDir) -> Vec<PathBuf> {
    (0..2)
        .map(|i| {
            let p = dir.path(&format!("song{i}.wav"));
            write_wav(&p, &groove(120.0, 6.0, i), 1, gui_support::RATE);
            p
        })
        .collect()
}

/// Stores `files`' results of `doc` with a real run.
fn store(rt: &tokio::runtime::Runtime, db: &Path, doc: &PipelineDocument, files: &[PathBuf]) {
    let lib = Library::open(db).unwrap();
    rt.block_on(async {
        let handle = tokio::runtime::Handle::current();
        let runner = PipelineRunner::with_library(doc, None, handle, Some(lib)).unwrap();
        let mut run = runner.start(files.to_vec(), 2);
        while run.results.recv().await.is_some() {}
        run.done.await.unwrap();
        assert!(run.store.unwrap().get().error.is_none());
        runner.orchestrator().shutdown().await;
    });
}

fn launch(db: &Path, files: Vec<PathBuf>) -> Launch {
    Launch {
        db: Some(db.to_path_buf()),
        files,
        ..Launch::default()
    }
}

fn stored_paths(db: &Path) -> Vec<String> {
    let lib = Library::open(db).unwrap();
    let rows = lib.results(&ResultFilter::default()).unwrap();
    rows.into_iter().map(|r| r.path).collect()
}

#[test]
fn stored_rows_show_filter_by_pipeline_and_forget() {
    let rt = runtime();
    let dir = TempDir::new("applib-rows");
    let files = songs(&dir);
    let db = dir.path("lib.sqlite");
    let doc = pipeline::default_document().unwrap();
    store(&rt, &db, &doc, &files);
    let other = PipelineDocument {
        name: "other".into(),
        ..doc.clone()
    };
    store(&rt, &db, &other, &files[..1]);
    // The same name, other settings: a different pipeline as saved.
    let mut same_name = doc.clone();
    same_name.config.quality_threshold = 0.5;
    let third = dir.path("third.wav");
    std::fs::copy(&files[0], &third).unwrap();
    store(&rt, &db, &same_name, std::slice::from_ref(&third));

    let app = WaveStudioApp::with_launch(rt.handle().clone(), launch(&db, Vec::new()));
    let mut h = harness(app);
    // This pipeline only, by default: not `other`, not the namesake.
    assert!(step_until(&mut h, WAIT, |a| a.results().rows.len() == 2));
    assert_eq!(h.state().results().source, Source::Library);
    assert!(shows(&h, "song1.wav"));
    assert!(!shows(&h, "third.wav"));
    assert!(shows(&h, "Results (2)"));
    let this = PipelineId::of(h.state().document());
    let this_text = format!("This pipeline ({})", this.label());
    assert!(
        h.query_by_value(&this_text).is_some(),
        "the combo shows {this_text}"
    );
    let namesake = PipelineId::of(&same_name);
    assert_eq!(namesake.name, this.name);
    assert!(h.state().results().pipelines.contains(&namesake));

    h.state_mut()
        .push(Command::FilterResults(Scope::Saved(PipelineId::of(&other))));
    assert!(step_until(&mut h, WAIT, |a| {
        let rows = &a.results().rows;
        rows.len() == 1 && rows[0].pipeline == "other"
    }));
    h.state_mut()
        .push(Command::FilterResults(Scope::Saved(namesake.clone())));
    // Both scopes hold one row: wait for the namesake's, not the length.
    assert!(step_until(&mut h, WAIT, |a| {
        let rows = &a.results().rows;
        rows.len() == 1 && rows[0].path.ends_with("third.wav")
    }));
    h.state_mut().push(Command::FilterResults(Scope::All));
    assert!(step_until(&mut h, WAIT, |a| a.results().rows.len() == 4));

    // The folder filter, typed, then cleared with its button.
    h.get_by_label("Folder").click();
    h.run();
    let elsewhere = dir.path("elsewhere").display().to_string();
    h.get_by_label("Folder").type_text(&elsewhere);
    assert!(step_until(&mut h, WAIT, |a| a.results().rows.is_empty()));
    h.get_by_label("×").click();
    assert!(step_until(&mut h, WAIT, |a| a.results().rows.len() == 4));

    // Rows of several pipelines say which one they come from.
    let song1_row = format!("song1.wav · {}", this.label());
    assert!(shows(&h, &song1_row));
    // Select song1's row (clicking its name), forget it, confirm.
    h.get_by_label(&song1_row).click();
    h.run();
    h.get_by_label("Forget results…").click();
    h.run();
    assert!(shows(&h, "Remove every stored result of"));
    h.get_by_label("Forget").click();
    assert!(step_until(&mut h, WAIT, |a| a.results().rows.len() == 3));
    assert!(shows(&h, "Forgot 1 result(s)"));
    let song1 = files[1].display().to_string();
    assert!(!stored_paths(&db).contains(&song1));
    assert_eq!(stored_paths(&db).len(), 3);

    // "This pipeline" follows the open document: edited into the
    // namesake's settings, the table lists the namesake's results.
    h.state_mut()
        .push(Command::FilterResults(Scope::ThisPipeline));
    assert!(step_until(&mut h, WAIT, |a| a.results().rows.len() == 1));
    h.state_mut().push(Command::SetConfig {
        config: same_name.config.clone(),
        key: String::new(),
    });
    assert!(step_until(&mut h, WAIT, |a| {
        a.results().rows.len() == 1 && a.results().rows[0].path.ends_with("third.wav")
    }));
    assert!(
        h.query_by_value(&format!("This pipeline ({})", namesake.label()))
            .is_some()
    );
}

#[test]
fn resume_runs_only_the_files_without_a_result() {
    let rt = runtime();
    let dir = TempDir::new("applib-resume");
    let files = songs(&dir);
    let db = dir.path("lib.sqlite");
    let doc = pipeline::default_document().unwrap();
    store(&rt, &db, &doc, &files[..1]);

    let app = WaveStudioApp::with_launch(rt.handle().clone(), launch(&db, files.clone()));
    let mut h = harness(app);
    assert!(step_until(&mut h, WAIT, |a| a.has_library()
        && a.results().rows.len() == 1));
    h.run_steps(4);
    assert!(shows(&h, "Resume"), "song1 has no result");
    h.get_by_label("Resume").click();
    h.step();
    assert!(h.state().is_running());
    assert!(step_until(&mut h, WAIT, |a| !a.is_running()));

    let entries = &h.state().files().entries;
    assert_eq!(entries[0].state, FileState::Queued, "song0 was not run");
    assert_eq!(entries[1].state, FileState::Done);
    let decode = h.state().live().monitor.nodes.get("decode").map(|n| n.done);
    assert_eq!(decode, Some(1), "only one file analysed");
    assert_eq!(stored_paths(&db).len(), 2);
    assert_eq!(h.state().results().rows.len(), 2, "merged into the table");
    // Everything has a result now: no Resume.
    h.run_steps(4);
    assert!(!shows(&h, "Resume"));
}

#[test]
fn an_automatic_run_waits_for_the_library_and_is_stored() {
    let rt = runtime();
    let dir = TempDir::new("applib-auto");
    let files = songs(&dir);
    let db = dir.path("lib.sqlite");
    let auto = Launch {
        auto_run: true,
        ..launch(&db, files)
    };
    let mut h = harness(WaveStudioApp::with_launch(rt.handle().clone(), auto));
    assert!(step_until(&mut h, WAIT, |a| a.has_library()
        && !a.is_running()
        && a.results().rows.len() == 2));
    assert_eq!(stored_paths(&db).len(), 2, "the run used the library");
    assert_eq!(h.state().results().source, Source::Library);
}

#[test]
fn the_queue_comes_back_as_it_was() {
    let rt = runtime();
    let dir = TempDir::new("applib-queue");
    let files = songs(&dir);
    let saved = vec![
        SavedEntry {
            path: files[0].clone(),
            state: FileState::Done,
        },
        SavedEntry {
            path: files[1].clone(),
            state: FileState::Running("decode".into()),
        },
    ];
    let no_db = Launch {
        no_db: true,
        ..Launch::default()
    };
    let mut app = WaveStudioApp::with_queue(rt.handle().clone(), no_db, saved);
    let states: Vec<_> = app
        .files()
        .entries
        .iter()
        .map(|e| e.state.clone())
        .collect();
    assert_eq!(states[0], FileState::Done);
    // Saved again, an unfinished file is queued, not running.
    let again = app.saved_queue();
    assert_eq!(again[1].state, FileState::Queued);
    app.push(Command::AnalyseNext(vec![1]));
    let mut h = harness(app);
    h.run();
    let first = &h.state().files().entries[0].path;
    assert_eq!(first, &files[1], "moved to the front");
    assert!(!h.state().has_library());
}

#[test]
fn an_unusable_library_is_reported_and_the_app_works_without_it() {
    let rt = runtime();
    let dir = TempDir::new("applib-bad");
    let db = dir.path("bad.sqlite");
    std::fs::write(&db, vec![7u8; 8192]).unwrap();
    let files = songs(&dir);
    let app = WaveStudioApp::with_launch(rt.handle().clone(), launch(&db, files));
    let mut h = harness(app);
    assert!(step_until(&mut h, WAIT, |a| matches!(
        a.results().source,
        Source::Unavailable(_)
    )));
    h.run_steps(2);
    assert!(shows(&h, "Library unavailable:"));
    assert!(shows(&h, "bad.sqlite"), "the message names the file");
    h.get_by_label("Run").click();
    assert!(step_until(&mut h, WAIT, |a| !a.is_running()
        && a.results().rows.len() == 2));
}
