//! Drawing the results table: toolbar with the library filter, sortable
//! header, and only the visible rows (so 100,000 rows stay cheap).

use egui::{RichText, Ui};

use crate::app::command::{Command, ExportFormat};
use crate::app::results::row::PROVISIONAL_COLUMNS;
use crate::app::results::table::{COLUMNS, ResultsTable, Row, Scope, Source};
use crate::app::theme;
use crate::orchestrator::WaveStatus;

const WIDTHS: [f32; 8] = [190.0, 52.0, 72.0, 60.0, 52.0, 60.0, 64.0, 200.0];
/// Columns aligned right: BPM, LUFS, Duration.
const NUMBER_COLUMNS: [usize; 3] = [1, 4, 5];
/// The status column, coloured by outcome.
const STATUS_COLUMN: usize = 6;
/// The tempo column: its candidates (or why there is none) on hover.
const BPM_COLUMN: usize = 1;
/// The key column: why there is none, on hover.
const KEY_COLUMN: usize = 2;
/// Column order with plugin values: the file, (Status,) then the Plugins
/// column (else far to the right in a narrow panel), then the rest in order.
const PLUGIN_ORDER: [usize; 2] = [0, 7];
/// The folder filter's width.
const FOLDER_WIDTH: f32 = 160.0;

impl ResultsTable {
    /// Draws the table.
    pub fn ui(&mut self, ui: &mut Ui, out: &mut Vec<Command>) {
        self.ensure_sorted();
        self.toolbar_ui(ui, out);
        if self.source != Source::Session {
            self.filter_ui(ui, out);
        }
        // The Plugins column only when some row has plugin values; the
        // file column takes what the others leave, and the table scrolls
        // sideways when they do not fit.
        let order: &[usize] = if self.rows.iter().any(Row::has_plugin_values) {
            &PLUGIN_ORDER
        } else {
            &PLUGIN_ORDER[..1]
        };
        // Status right after the file, so it stays in view in a narrow
        // window (the table scrolls sideways for the rest).
        let order: Vec<usize> = [0, STATUS_COLUMN]
            .into_iter()
            .chain(order.iter().copied().skip(1))
            .chain(1..STATUS_COLUMN)
            .collect();
        let spacing = ui.spacing().item_spacing.x;
        let fixed: f32 = order
            .iter()
            .skip(1)
            .filter_map(|&c| WIDTHS.get(c))
            .sum::<f32>()
            + spacing * (order.len() as f32)
            + scroll_bar_room(ui);
        let mut widths = WIDTHS;
        widths[0] = (ui.available_width() - fixed).max(120.0);
        let columns: Vec<(usize, f32)> = order.iter().map(|&c| (c, widths[c])).collect();
        let row_h = ui.text_style_height(&egui::TextStyle::Body) + 4.0;
        egui::ScrollArea::horizontal()
            .id_salt("results_h")
            .auto_shrink([false, false])
            .show(ui, |ui| self.table_ui(ui, &columns, row_h, out));
    }

    /// The header and the visible rows; `columns` are (column, width) in
    /// the order shown.
    fn table_ui(
        &mut self,
        ui: &mut Ui,
        columns: &[(usize, f32)],
        row_h: f32,
        out: &mut Vec<Command>,
    ) {
        self.header_ui(ui, columns, row_h, out);
        ui.separator();
        if self.rows.is_empty() {
            let text = match (&self.source, &self.scope) {
                (Source::Loading, _) => "Loading the results library…".to_string(),
                (Source::Library, Scope::ThisPipeline) => format!(
                    "No stored results of this pipeline as it is now ({}); results appear \
                     here as files finish, and All pipelines shows the others.",
                    self.current.label()
                ),
                (Source::Library, _) => {
                    "No stored results match; results appear here as files finish.".to_string()
                }
                _ => "Results appear here as files finish.".to_string(),
            };
            ui.label(RichText::new(text).weak());
            return;
        }
        let mixed = self.mixes_pipelines();
        egui::ScrollArea::vertical()
            .id_salt("results_v")
            .auto_shrink([true, false])
            .show_rows(ui, row_h, self.order.len(), |ui, range| {
                for &i in self.order.get(range).unwrap_or_default() {
                    if let Some(row) = self.rows.get(i) {
                        let selected = self.selected.contains(&i);
                        row_ui(ui, (i, row, selected, mixed), columns, row_h, out);
                    }
                }
            });
    }

    /// The title with the row count, the library's state, forget and export.
    fn toolbar_ui(&self, ui: &mut Ui, out: &mut Vec<Command>) {
        ui.horizontal_wrapped(|ui| {
            ui.label(RichText::new(format!("Results ({})", self.rows.len())).strong());
            if let Source::Unavailable(e) = &self.source {
                ui.label(RichText::new(format!("Library unavailable: {e}")).color(theme::ERROR));
            }
            let selected = self.selected_paths();
            let stored = self.source == Source::Library;
            if stored
                && ui
                    .add_enabled(!selected.is_empty(), egui::Button::new("Forget results…"))
                    .on_hover_text("Remove the selected files' results from the library")
                    .on_disabled_hover_text("Select results first (click a file name)")
                    .clicked()
            {
                out.push(Command::AskForget(selected));
            }
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

    /// The pipeline combo and the folder field.
    fn filter_ui(&mut self, ui: &mut Ui, out: &mut Vec<Command>) {
        ui.horizontal(|ui| {
            let mut scope = self.scope.clone();
            let this = format!("This pipeline ({})", self.current.label());
            let shown = match &scope {
                Scope::ThisPipeline => this.clone(),
                Scope::All => "All pipelines".to_string(),
                Scope::Saved(id) => id.label(),
            };
            egui::ComboBox::from_id_salt("results_pipeline")
                .selected_text(shown)
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut scope, Scope::ThisPipeline, this);
                    ui.selectable_value(&mut scope, Scope::All, "All pipelines");
                    for p in self.pipelines.iter().filter(|p| **p != self.current) {
                        ui.selectable_value(&mut scope, Scope::Saved(p.clone()), p.label());
                    }
                })
                .response
                .on_hover_text(
                    "Pipelines as saved: name and content hash. Results of two pipelines \
                     that share a name stay apart.",
                );
            let label = ui.label("Folder");
            let edit = egui::TextEdit::singleline(&mut self.folder)
                .hint_text("any folder")
                .desired_width(FOLDER_WIDTH);
            let folder_changed = ui.add(edit).labelled_by(label.id).changed();
            let cleared = !self.folder.is_empty()
                && ui
                    .small_button("×")
                    .on_hover_text("Clear the folder filter")
                    .clicked();
            if cleared {
                self.folder.clear();
            }
            if scope != self.scope || folder_changed || cleared {
                out.push(Command::FilterResults(scope));
            }
        });
    }

    /// Column titles that sort when clicked, with the sort direction.
    fn header_ui(&self, ui: &mut Ui, columns: &[(usize, f32)], row_h: f32, out: &mut Vec<Command>) {
        ui.horizontal(|ui| {
            for &(i, width) in columns {
                let title = COLUMNS.get(i).copied().unwrap_or_default();
                let arrow = match self.sort {
                    Some((c, true)) if c == i => " ▲",
                    Some((c, false)) if c == i => " ▼",
                    _ => "",
                };
                let button = egui::Button::new(RichText::new(format!("{title}{arrow}")).strong())
                    .frame(false);
                if ui
                    .add_sized([width, row_h], button)
                    .on_hover_text("Sort by this column")
                    .clicked()
                {
                    out.push(Command::SortResults(i));
                }
            }
            ui.add_space(scroll_bar_room(ui));
        });
    }
}

/// Room after the last column for the rows' vertical scroll bar, which
/// floats over the content and would cover it.
fn scroll_bar_room(ui: &Ui) -> f32 {
    let scroll = &ui.spacing().scroll;
    scroll.bar_width + scroll.bar_outer_margin + scroll.bar_inner_margin
}

/// One result row: the file name selects it (Ctrl toggles) and has the
/// context menu; text left, numbers right, the status coloured, its error
/// on hover.
fn row_ui(
    ui: &mut Ui,
    (i, row, selected, mixed): (usize, &Row, bool, bool),
    columns: &[(usize, f32)],
    row_h: f32,
    out: &mut Vec<Command>,
) {
    ui.horizontal(|ui| {
        for &(c, w) in columns {
            // Rows of several pipelines each say which they come from.
            let mut text = if c == 0 && mixed {
                RichText::new(format!("{} · {}", row.cell(c), row.pipeline_id().label()))
            } else {
                RichText::new(row.cell(c))
            };
            let quick = row.provisional && PROVISIONAL_COLUMNS.contains(&c);
            if quick {
                text = text.italics().color(theme::ACCENT);
            }
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
                .allocate_ui_with_layout(egui::vec2(w, row_h), align, |ui| {
                    ui.set_min_size(egui::vec2(w, row_h));
                    if c == 0 {
                        ui.add(egui::Button::selectable(selected, text).truncate())
                    } else {
                        // The status says its error on hover: one tooltip.
                        let elided_tip = c != STATUS_COLUMN;
                        ui.add(
                            egui::Label::new(text)
                                .truncate()
                                .show_tooltip_when_elided(elided_tip),
                        )
                    }
                })
                .inner;
            if c == 0 {
                file_cell_actions(&response, i, row, selected, out);
            }
            if quick {
                response.on_hover_text(
                    "Provisional (~): the quick estimate, replaced when the file finishes",
                );
            } else if c == STATUS_COLUMN
                && let Some(tip) = row.status_tip()
            {
                response.on_hover_text(tip);
            } else if c == BPM_COLUMN
                && let Some(tip) = row.tempo_tip()
            {
                response.on_hover_text(tip);
            } else if c == KEY_COLUMN
                && let Some(tip) = row.key_tip()
            {
                response.on_hover_text(tip);
            } else if c == PLUGIN_ORDER[1] && row.has_plugin_values() {
                response.on_hover_text(row.cell(c));
            }
        }
        ui.add_space(scroll_bar_room(ui));
    });
}

/// Selecting a row, and its context menu.
fn file_cell_actions(
    response: &egui::Response,
    i: usize,
    row: &Row,
    selected: bool,
    out: &mut Vec<Command>,
) {
    if response.clicked() {
        let toggle = response.ctx.input(|inp| inp.modifiers.command);
        out.push(Command::SelectResult { row: i, toggle });
    }
    // Long names are cut with "…": the full path on hover, and which
    // pipeline's result it is (one file may have several).
    response.clone().on_hover_text(format!(
        "{}\npipeline: {}",
        row.path,
        row.pipeline_id().label()
    ));
    response.context_menu(|ui| {
        ui.label(RichText::new(&row.path).weak());
        if ui.button("Forget results…").clicked() {
            // The selection when the row is part of it, else this row.
            out.push(if selected {
                Command::ForgetSelectedResults
            } else {
                Command::AskForget(vec![row.path.clone().into()])
            });
        }
    });
}
