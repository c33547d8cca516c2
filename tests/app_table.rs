//! The results table as a user sees it: the File column stays when the
//! table scrolls sideways and the header stays clickable; columns chosen,
//! reordered and remembered across launches; loudness range, true peak and
//! the R128 verdict with their units; a wider window shows more.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failed unwrap in a test is a failed test"
)]

mod gui_support;

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Duration;

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use gui_support::{harness_sized, runtime, step_until};
use wave_studio::app::{Column, ColumnLayout, Launch, WaveStudioApp};

const WAIT: Duration = Duration::from_secs(180);

/// Real music shipped with the tests (see tests/data/real/README.md).
fn real(names: &[&str]) -> Vec<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/real");
    names.iter().map(|n| dir.join(n)).collect()
}

const SONGS: [&str; 3] = [
    "bach_bwv104.6_brass_144.mp3",
    "haydn_op1no1_1_winds_72.ogg",
    "mozart_k156_2_strings_60.ogg",
];

/// The app run over `files` with `pipeline` (the default when `None`),
/// no library, in a window of `size`, once every file has its row.
fn finished(
    rt: &tokio::runtime::Runtime,
    pipeline: Option<PathBuf>,
    size: egui::Vec2,
) -> Harness<'static, WaveStudioApp> {
    let launch = Launch {
        pipeline,
        files: real(&SONGS),
        auto_run: true,
        no_db: true,
        ..Launch::default()
    };
    let app = WaveStudioApp::with_launch(rt.handle().clone(), launch);
    let mut h = harness_sized(app, size);
    let done = step_until(&mut h, WAIT, |a| {
        !a.is_running() && a.results().rows.len() == SONGS.len()
    });
    assert!(done, "the run finishes");
    h
}

/// Whether `r` lies where the results table is (the bottom right of the
/// window: the queue shows the same names, the menus the same titles).
fn in_table_area(h: &Harness<'static, WaveStudioApp>, r: egui::Rect) -> bool {
    let window = h.ctx.content_rect();
    r.center().y > window.height() * 0.5 && r.left() > window.width() * 0.3
}

/// The rect of the button labelled `label` in the results table: a
/// column title or a file name.
fn in_table(h: &Harness<'static, WaveStudioApp>, label: &str) -> Option<egui::Rect> {
    h.query_all_by_role_and_label(Role::Button, label)
        .map(|n| n.rect())
        .find(|&r| in_table_area(h, r))
}

/// Scrolls the results table 100 points to the right, the wheel turned
/// at the button labelled `label`.
fn scroll_right(h: &mut Harness<'static, WaveStudioApp>, label: &str) {
    let at = in_table(h, label).unwrap().center();
    gui_support::wheel_right(h, at);
}

#[test]
fn the_file_column_stays_while_the_table_scrolls_sideways_and_the_header_sorts() {
    let rt = runtime();
    let mut h = finished(&rt, None, egui::vec2(1280.0, 720.0));
    let name = SONGS[0];
    let file = in_table(&h, name).expect("the file's row");
    let duration = in_table(&h, "Duration").expect("the Duration header");
    let table_right = h.ctx.content_rect().right();
    assert!(
        duration.left() > table_right - 40.0,
        "off to the right at first: {duration:?}"
    );
    for _ in 0..3 {
        scroll_right(&mut h, name);
    }
    let moved = in_table(&h, "Duration").unwrap();
    assert!(
        moved.left() < duration.left() - 150.0,
        "the table scrolled sideways: {duration:?} → {moved:?}"
    );
    let still = in_table(&h, name).unwrap();
    assert!(
        (still.left() - file.left()).abs() < 1.0,
        "the File column stays: {file:?} → {still:?}"
    );
    // The header moved with its column and still sorts.
    h.query_all_by_role_and_label(Role::Button, "Duration")
        .find(|n| in_table_area(&h, n.rect()))
        .unwrap()
        .click();
    h.run();
    let sorted = in_table(&h, "Duration ▲").expect("sorted by duration");
    assert!(
        (sorted.right() - moved.right()).abs() < 1.0,
        "aligned right as its values"
    );
}

/// eframe's storage, in memory: what `save` writes, a relaunch reads.
#[derive(Default)]
struct Memory(HashMap<String, String>);

impl eframe::Storage for Memory {
    fn get_string(&self, key: &str) -> Option<String> {
        self.0.get(key).cloned()
    }

    fn set_string(&mut self, key: &str, value: String) {
        self.0.insert(key.to_string(), value);
    }

    fn remove_string(&mut self, key: &str) {
        self.0.remove(key);
    }

    fn flush(&mut self) {}
}

#[test]
fn columns_are_chosen_and_ordered_in_the_menu_and_remembered() {
    let rt = runtime();
    let mut h = finished(&rt, None, egui::vec2(1600.0, 1000.0));
    assert!(in_table(&h, "Camelot").is_some());
    h.get_by_label("Columns").click();
    h.run();
    h.get_by_role_and_label(Role::CheckBox, "Camelot").click();
    h.run();
    assert!(!h.state().results().columns.is_shown(Column::Camelot));
    assert!(in_table(&h, "Camelot").is_none(), "its header is gone");
    // The menu stays open: BPM moves before Status with its ↑.
    let order = h.state().results().columns.chooser_order();
    let bpm = order.iter().position(|&c| c == Column::Bpm).unwrap();
    h.query_all_by_label("↑").nth(bpm).unwrap().click();
    h.run();
    let shown = h.state().results().columns.shown().to_vec();
    assert_eq!(&shown[..2], &[Column::Bpm, Column::Status]);
    let (bpm_at, status_at) = (
        in_table(&h, "BPM").unwrap(),
        in_table(&h, "Status").unwrap(),
    );
    assert!(bpm_at.left() < status_at.left(), "drawn in the new order");

    // Saved as the window closes, read back on the next launch.
    let mut storage = Memory::default();
    eframe::App::save(h.state_mut(), &mut storage);
    let again = WaveStudioApp::restored(rt.handle().clone(), Launch::default(), Some(&storage));
    assert_eq!(again.results().columns.shown(), &shown[..]);
    let fresh = WaveStudioApp::restored(rt.handle().clone(), Launch::default(), None);
    assert_eq!(fresh.results().columns, ColumnLayout::default());
}

#[test]
fn the_qa_columns_show_range_true_peak_and_the_verdict_with_units() {
    let rt = runtime();
    let qa = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("pipelines/loudness-qa.ron");
    let h = finished(&rt, Some(qa), egui::vec2(1600.0, 1000.0));
    for row in &h.state().results().rows {
        assert!(row.cell(Column::Loudness).ends_with(" LUFS"), "{row:?}");
        assert!(row.cell(Column::Range).ends_with(" LU"), "{row:?}");
        assert!(row.cell(Column::TruePeak).ends_with(" dBTP"), "{row:?}");
        // The gate fails a file (fail_on_violation) or passes it: either
        // way the verdict shows, and a failure says why on hover.
        match row.compliant {
            Some(true) => assert_eq!(row.cell(Column::Compliance), "pass"),
            Some(false) => {
                assert_eq!(row.cell(Column::Compliance), "fail");
                let tip = row.compliance_tip().unwrap();
                assert!(tip.contains("LUFS") || tip.contains("dBTP"), "{tip}");
            }
            None => panic!("no verdict: {row:?}"),
        }
    }
    // No tempo or key in this pipeline: those columns are left out.
    assert!(in_table(&h, "BPM").is_none() && in_table(&h, "Key").is_none());
    for header in ["Loudness", "True peak", "Range", "R128"] {
        assert!(in_table(&h, header).is_some(), "{header} shows at 1600");
    }
}

#[test]
fn a_wider_window_shows_more_of_the_queue_and_the_table() {
    let rt = runtime();
    let count = |h: &Harness<'static, WaveStudioApp>| {
        let right = h.ctx.content_rect().right();
        Column::ALL
            .iter()
            .filter_map(|c| in_table(h, c.title()))
            .filter(|r| r.right() <= right)
            .count()
    };
    let queue_name = |h: &Harness<'static, WaveStudioApp>| {
        h.query_all_by_label(SONGS[0])
            .map(|n| n.rect())
            .find(|r| r.center().y < h.ctx.content_rect().height() * 0.6)
            .unwrap()
            .width()
    };
    let small = finished(&rt, None, egui::vec2(1280.0, 720.0));
    let large = finished(&rt, None, egui::vec2(1600.0, 1000.0));
    assert!(
        count(&large) > count(&small),
        "{} > {}",
        count(&large),
        count(&small)
    );
    assert!(queue_name(&large) > queue_name(&small) + 20.0);
}
