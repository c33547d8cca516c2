//! The results table: one row per finished file, sortable, exportable to
//! CSV and JSON. Only visible rows are laid out, so 10,000 rows stay cheap.

use std::path::Path;

use egui::{RichText, Ui};
use serde_json::Value;

use super::commands::{Command, ExportFormat};
use super::theme;
use crate::orchestrator::WaveStatus;
use crate::pipeline::{FileResult, fields};

/// Column titles, in order.
pub const COLUMNS: [&str; 7] = [
    "File", "BPM", "Key", "Camelot", "LUFS", "Duration", "Status",
];
const WIDTHS: [f32; 7] = [190.0, 52.0, 72.0, 60.0, 52.0, 60.0, 64.0];
/// Columns aligned right: BPM, LUFS, Duration.
const NUMBER_COLUMNS: [usize; 3] = [1, 4, 5];
/// The status column, coloured by outcome.
const STATUS_COLUMN: usize = 6;

/// One displayed row.
#[derive(Debug, Clone)]
pub struct Row {
    /// File name, without its folder.
    pub file: String,
    /// Tempo, BPM, when measured.
    pub bpm: Option<f64>,
    /// Key in standard notation, e.g. "A minor"; empty when none.
    pub key: String,
    /// Key in Camelot notation, e.g. "8A"; empty when none.
    pub camelot: String,
    /// Integrated loudness, LUFS, when measured.
    pub lufs: Option<f64>,
    /// Duration in seconds, when known.
    pub duration: Option<f64>,
    /// How the file's wave ended.
    pub status: WaveStatus,
    /// Every stage error, joined, if any.
    pub error: Option<String>,
    /// The cells as text, made once.
    cells: [String; 7],
}

impl Row {
    fn new(r: &FileResult) -> Self {
        let text = |v: &Value| v.as_str().unwrap_or("").to_string();
        let file = Path::new(&r.file)
            .file_name()
            .map_or_else(|| r.file.clone(), |n| n.to_string_lossy().into_owned());
        let bpm = r.value(fields::BPM).as_f64();
        let lufs = r.value(fields::LOUDNESS_LUFS).as_f64();
        let duration = r.value(fields::DURATION_S).as_f64();
        let key = text(r.value(fields::KEY));
        let camelot = text(r.value(fields::CAMELOT));
        let opt = |v: Option<f64>, p: usize| v.map_or_else(String::new, |v| format!("{v:.p$}"));
        let cells = [
            file.clone(),
            opt(bpm, 1),
            key.clone(),
            camelot.clone(),
            opt(lufs, 1),
            duration.map_or_else(String::new, |d| {
                format!("{}:{:04.1}", (d / 60.0) as u64, d % 60.0)
            }),
            WaveStatus::label(r.status).to_string(),
        ];
        Self {
            file,
            bpm,
            key,
            camelot,
            lufs,
            duration,
            status: r.status,
            error: r.error.clone(),
            cells,
        }
    }

    /// A cell as shown.
    pub fn cell(&self, column: usize) -> &str {
        self.cells.get(column).map_or("", String::as_str)
    }
}

/// The rows, the raw results (for export) and the sort order.
#[derive(Debug, Default)]
pub struct ResultsTable {
    raw: Vec<FileResult>,
    /// One row per finished file, in arrival order (sorting leaves them in place).
    pub rows: Vec<Row>,
    order: Vec<usize>,
    sort: Option<(usize, bool)>,
    sorted: bool,
}

impl ResultsTable {
    /// Adds a finished file.
    pub fn push(&mut self, r: FileResult) {
        self.rows.push(Row::new(&r));
        self.raw.push(r);
        self.sorted = false;
    }

    /// Removes every row.
    pub fn clear(&mut self) {
        *self = Self {
            sort: self.sort,
            ..Self::default()
        };
    }

    /// Removes the rows of these files (before re-running them).
    pub fn remove_files(&mut self, files: &std::collections::HashSet<String>) {
        let keep: Vec<bool> = self.raw.iter().map(|r| !files.contains(&r.file)).collect();
        let mut i = 0;
        self.raw.retain(|_| {
            i += 1;
            keep[i - 1]
        });
        let mut i = 0;
        self.rows.retain(|_| {
            i += 1;
            keep[i - 1]
        });
        self.sorted = false;
    }

    /// Sorts by `column`; again on the same column flips the direction.
    pub fn sort_by(&mut self, column: usize) {
        self.sort = match self.sort {
            Some((c, asc)) if c == column => Some((c, !asc)),
            _ => Some((column, true)),
        };
        self.sorted = false;
    }

    fn ensure_sorted(&mut self) {
        if self.sorted && self.order.len() == self.rows.len() {
            return;
        }
        self.order = (0..self.rows.len()).collect();
        if let Some((column, asc)) = self.sort {
            let rows = &self.rows;
            let num = |r: &Row| match column {
                1 => r.bpm,
                4 => r.lufs,
                5 => r.duration,
                _ => None,
            };
            self.order.sort_by(|&a, &b| {
                let (ra, rb) = (&rows[a], &rows[b]);
                let ord = match column {
                    1 | 4 | 5 => num(ra)
                        .unwrap_or(f64::NEG_INFINITY)
                        .total_cmp(&num(rb).unwrap_or(f64::NEG_INFINITY)),
                    _ => ra.cell(column).cmp(rb.cell(column)),
                };
                if asc { ord } else { ord.reverse() }
            });
        }
        self.sorted = true;
    }

    /// Writes the results as CSV (the columns of `run --format csv`) or
    /// JSON (every value), in arrival order.
    pub fn export(&self, format: ExportFormat, path: &Path) -> anyhow::Result<()> {
        use anyhow::Context as _;
        let mut out = Vec::new();
        match format {
            ExportFormat::Json => {
                out = serde_json::to_vec_pretty(&self.raw)?;
                out.push(b'\n');
            }
            ExportFormat::Csv => crate::pipeline::export::write_csv(&mut out, &self.raw)?,
        }
        std::fs::write(path, out).with_context(|| format!("cannot write {}", path.display()))
    }

    /// Draws the table.
    pub fn ui(&mut self, ui: &mut Ui, out: &mut Vec<Command>) {
        self.ensure_sorted();
        self.toolbar_ui(ui, out);
        // The file column takes what the fixed columns leave.
        let spacing = ui.spacing().item_spacing.x;
        let fixed: f32 = WIDTHS[1..].iter().sum::<f32>() + spacing * (WIDTHS.len() as f32);
        let mut widths = WIDTHS;
        widths[0] = (ui.available_width() - fixed).max(120.0);
        let row_h = ui.text_style_height(&egui::TextStyle::Body) + 4.0;
        self.header_ui(ui, &widths, row_h, out);
        ui.separator();
        if self.rows.is_empty() {
            ui.label(RichText::new("Results appear here as files finish.").weak());
            return;
        }
        egui::ScrollArea::vertical()
            .id_salt("results_v")
            .auto_shrink([false, false])
            .show_rows(ui, row_h, self.order.len(), |ui, range| {
                for &i in &self.order[range] {
                    if let Some(row) = self.rows.get(i) {
                        row_ui(ui, row, &widths, row_h);
                    }
                }
            });
    }

    /// The title with the row count, and the export buttons.
    fn toolbar_ui(&self, ui: &mut Ui, out: &mut Vec<Command>) {
        ui.horizontal(|ui| {
            ui.label(RichText::new(format!("Results ({})", self.rows.len())).strong());
            let any = !self.rows.is_empty();
            if ui
                .add_enabled(any, egui::Button::new("Export CSV…"))
                .clicked()
            {
                out.push(Command::ExportDialog(ExportFormat::Csv));
            }
            if ui
                .add_enabled(any, egui::Button::new("Export JSON…"))
                .clicked()
            {
                out.push(Command::ExportDialog(ExportFormat::Json));
            }
        });
    }

    /// Column titles that sort when clicked, with the sort direction.
    fn header_ui(&self, ui: &mut Ui, widths: &[f32], row_h: f32, out: &mut Vec<Command>) {
        ui.horizontal(|ui| {
            for (i, (title, width)) in COLUMNS.iter().zip(widths).enumerate() {
                let arrow = match self.sort {
                    Some((c, true)) if c == i => " ▲",
                    Some((c, false)) if c == i => " ▼",
                    _ => "",
                };
                let button = egui::Button::new(RichText::new(format!("{title}{arrow}")).strong())
                    .frame(false);
                if ui
                    .add_sized([*width, row_h], button)
                    .on_hover_text("Sort by this column")
                    .clicked()
                {
                    out.push(Command::SortResults(i));
                }
            }
        });
    }
}

/// One result row: text left, numbers right, the status coloured, its
/// error on hover.
fn row_ui(ui: &mut Ui, row: &Row, widths: &[f32], row_h: f32) {
    ui.horizontal(|ui| {
        for (c, w) in widths.iter().enumerate() {
            let mut text = RichText::new(row.cell(c));
            if c == STATUS_COLUMN {
                text = text.color(match row.status {
                    WaveStatus::Completed => theme::OK,
                    WaveStatus::PartiallyCompleted => theme::WARN,
                    WaveStatus::Failed => theme::ERROR,
                    _ => ui.visuals().weak_text_color(),
                });
            }
            // Text left, numbers right, like a spreadsheet.
            let align = if NUMBER_COLUMNS.contains(&c) {
                egui::Layout::right_to_left(egui::Align::Center)
            } else {
                egui::Layout::left_to_right(egui::Align::Center)
            };
            let response = ui
                .allocate_ui_with_layout(egui::vec2(*w, row_h), align, |ui| {
                    ui.set_min_size(egui::vec2(*w, row_h));
                    ui.add(egui::Label::new(text).truncate())
                })
                .inner;
            if c == STATUS_COLUMN
                && let Some(e) = &row.error
            {
                response.on_hover_text(e);
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(file: &str, bpm: f64, status: WaveStatus) -> FileResult {
        let mut values = serde_json::Map::new();
        values.insert("bpm".into(), bpm.into());
        values.insert("key".into(), "A minor".into());
        values.insert("camelot".into(), "8A".into());
        FileResult {
            key: Default::default(),
            file: file.into(),
            ok: status == WaveStatus::Completed,
            status,
            error: (status == WaveStatus::Failed).then(|| "decode: bad, header".to_string()),
            quality: Some(0.9),
            analysis_s: 0.1,
            cached: false,
            skipped: Vec::new(),
            values,
        }
    }

    #[test]
    fn sorts_numbers_as_numbers_and_exports() {
        let mut t = ResultsTable::default();
        t.push(result("/a/slow.wav", 90.0, WaveStatus::Completed));
        t.push(result("/a/fast.wav", 128.0, WaveStatus::Completed));
        t.push(result("/a/mid.wav", 100.5, WaveStatus::Failed));
        t.sort_by(1);
        t.ensure_sorted();
        let bpms: Vec<_> = t.order.iter().map(|&i| t.rows[i].bpm).collect();
        assert_eq!(bpms, [Some(90.0), Some(100.5), Some(128.0)]);
        t.sort_by(1);
        t.ensure_sorted();
        assert_eq!(t.rows[t.order[0]].file, "fast.wav");

        let dir = std::env::temp_dir().join(format!("ws-export-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let csv = dir.join("r.csv");
        t.export(ExportFormat::Csv, &csv).unwrap();
        let text = std::fs::read_to_string(&csv).unwrap();
        let header = crate::pipeline::export::CSV_COLUMNS.join(",");
        assert!(text.starts_with(&format!("{header}\n")), "{text}");
        assert!(text.contains("\"decode: bad, header\""), "quoted: {text}");
        assert!(text.contains("/a/mid.wav,false,Failed"), "{text}");
        let json = dir.join("r.json");
        t.export(ExportFormat::Json, &json).unwrap();
        let v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
        assert_eq!(v.as_array().map(Vec::len), Some(3));
        assert_eq!(v[1]["bpm"], 128.0);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
