//! Drawing the results table: toolbar with the library filter, sortable
//! header, and only the visible rows (so 100,000 rows stay cheap).

use egui::{Rect, RichText, Ui};

use crate::app::command::{Command, ExportFormat};
use crate::app::results::row::PROVISIONAL_COLUMNS;
use crate::app::results::table::{Column, ResultsTable, Row, Scope, Source};
use crate::app::theme;
use crate::orchestrator::WaveStatus;

/// The folder filter's width.
const FOLDER_WIDTH: f32 = 160.0;
/// The File column's narrowest width, and its share of a table too narrow
/// for every column (it takes all the room the others leave).
const FILE_MIN_WIDTH: f32 = 120.0;
const FILE_SHARE: f32 = 0.34;
const FILE_SHARE_MAX: f32 = 260.0;

/// The columns as laid out this frame: File's width, then the others'.
pub(crate) struct Layout {
    file_w: f32,
    rest: Vec<(Column, f32)>,
    row_h: f32,
    spacing: f32,
}

impl Layout {
    /// The x offset of each column after File, from the row's left.
    fn offsets(&self) -> impl Iterator<Item = (Column, f32, f32)> + '_ {
        let mut x = self.file_w + self.spacing;
        self.rest.iter().map(move |&(c, w)| {
            let at = x;
            x += w + self.spacing;
            (c, at, w)
        })
    }

    /// A row's whole width, File and every column after it.
    fn width(&self) -> f32 {
        self.offsets().last().map_or(self.file_w, |(_, x, w)| x + w)
    }

    /// The cell `w` wide at `x` from the left of `row`.
    fn cell(row: Rect, x: f32, w: f32) -> Rect {
        Rect::from_min_size(
            egui::pos2(row.left() + x, row.top()),
            egui::vec2(w, row.height()),
        )
    }

    /// The File cell of `row`, held at the visible left edge (`clip`)
    /// once the row has scrolled past it.
    fn frozen_file(&self, row: Rect, clip: Rect) -> Rect {
        Self::cell(row, 0.0, self.file_w)
            .translate(egui::vec2((clip.left() - row.left()).max(0.0), 0.0))
    }
}

impl ResultsTable {
    /// Draws the table.
    pub fn ui(&mut self, ui: &mut Ui, out: &mut Vec<Command>) {
        self.ensure_sorted();
        self.toolbar_ui(ui, out);
        if self.source != Source::Session {
            self.filter_ui(ui, out);
        }
        if self.rows.is_empty() {
            ui.separator();
            ui.label(RichText::new(self.empty_text()).weak());
            return;
        }
        let layout = self.layout(ui);
        self.table_ui(ui, &layout, out);
        self.enter_opens_the_track(ui, out);
    }

    /// Enter with one row selected (and no text field focused) opens its
    /// track view, as a double-click does.
    fn enter_opens_the_track(&self, ui: &Ui, out: &mut Vec<Command>) {
        let enter = ui.input(|i| i.key_pressed(egui::Key::Enter));
        if !enter || ui.ctx().text_edit_focused() || self.selected.len() != 1 {
            return;
        }
        if let Some(row) = self.selected.iter().next().and_then(|&i| self.rows.get(i)) {
            out.push(row.open_track());
        }
    }

    /// The shown columns' widths: a column no row has a value in is left
    /// out (a loudness pipeline has no BPM); File takes what the others
    /// leave, at least its share (the rest then scrolls sideways under it).
    fn layout(&self, ui: &Ui) -> Layout {
        let rest: Vec<(Column, f32)> = self
            .columns
            .shown()
            .iter()
            .filter(|&&c| c == Column::Status || self.is_filled(c))
            .map(|&c| (c, c.width()))
            .collect();
        let spacing = ui.spacing().item_spacing.x;
        let others: f32 = rest.iter().map(|(_, w)| w + spacing).sum();
        let room = ui.available_width() - scroll_bar_room(ui);
        let least = (room * FILE_SHARE).clamp(FILE_MIN_WIDTH, FILE_SHARE_MAX);
        Layout {
            file_w: (room - others).max(least),
            rest,
            row_h: ui.text_style_height(&egui::TextStyle::Body) + 4.0,
            spacing,
        }
    }

    fn empty_text(&self) -> String {
        match (&self.source, &self.scope) {
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
        }
    }

    /// The visible rows under a header that stays on top, the File column
    /// frozen at the left: both stay in view however the table scrolls.
    /// The first row of the scrolled content is the header's room.
    fn table_ui(&mut self, ui: &mut Ui, layout: &Layout, out: &mut Vec<Command>) {
        let mixed = self.mixes_pipelines();
        let width = layout.width() + scroll_bar_room(ui);
        egui::ScrollArea::both()
            .id_salt("results_table")
            .auto_shrink([false, false])
            .show_rows(ui, layout.row_h, self.order.len() + 1, |ui, range| {
                let top = ui.min_rect().top();
                for k in range {
                    if k == 0 {
                        ui.allocate_exact_size(
                            egui::vec2(width, layout.row_h),
                            egui::Sense::hover(),
                        );
                        continue;
                    }
                    let Some(row) = self
                        .order
                        .get(k - 1)
                        .and_then(|&i| Some((i, self.rows.get(i)?)))
                    else {
                        continue;
                    };
                    let selected = self.selected.contains(&row.0);
                    row_ui(ui, (row.0, row.1, selected, mixed), layout, out);
                }
                let clip = ui.clip_rect();
                let left = ui.min_rect().left();
                let at = Rect::from_min_size(
                    egui::pos2(left, clip.top().max(top)),
                    egui::vec2(width, layout.row_h),
                );
                self.header_ui(ui, layout, at, out);
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
            // Open while the user ticks and moves several columns.
            let stay = egui::containers::menu::MenuConfig::new()
                .close_behavior(egui::PopupCloseBehavior::CloseOnClickOutside);
            egui::containers::menu::MenuButton::new("Columns")
                .config(stay)
                .ui(ui, |ui| self.columns_ui(ui, out))
                .0
                .on_hover_text("Choose and order the columns (remembered)");
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

    /// The column chooser: every column with a box to show it and
    /// buttons to move it earlier or later; File always shows, first.
    fn columns_ui(&self, ui: &mut Ui, out: &mut Vec<Command>) {
        let mut layout = self.columns.clone();
        ui.add_enabled(false, egui::Checkbox::new(&mut true, "File (always first)"));
        for c in self.columns.chooser_order() {
            ui.horizontal(|ui| {
                let mut shown = layout.is_shown(c);
                let title = if self.rows.is_empty() || self.is_filled(c) {
                    c.title().to_string()
                } else {
                    format!("{} (no values)", c.title())
                };
                if ui
                    .checkbox(&mut shown, title)
                    .on_hover_text(c.about())
                    .changed()
                {
                    layout.toggle(c);
                }
                let shown = self.columns.is_shown(c);
                let earlier = ui.add_enabled(shown, egui::Button::new("↑").small());
                if earlier
                    .on_hover_text(format!("Move {} earlier", c.title()))
                    .clicked()
                {
                    layout.shift(c, -1);
                }
                let later = ui.add_enabled(shown, egui::Button::new("↓").small());
                if later
                    .on_hover_text(format!("Move {} later", c.title()))
                    .clicked()
                {
                    layout.shift(c, 1);
                }
            });
        }
        ui.separator();
        if ui.button("Default columns").clicked() {
            layout = Default::default();
        }
        if layout != self.columns {
            out.push(Command::SetColumns(layout));
        }
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

    /// Column titles that sort when clicked, with the sort direction, at
    /// `rect` over the rows (painted last, so it covers what scrolled
    /// under it).
    fn header_ui(&self, ui: &mut Ui, layout: &Layout, rect: Rect, out: &mut Vec<Command>) {
        let fill = ui.visuals().panel_fill;
        let clip = ui.clip_rect();
        ui.painter().rect_filled(rect.intersect(clip), 0.0, fill);
        for (c, x, w) in layout.offsets() {
            self.title_ui(ui, c, Layout::cell(rect, x, w), out);
        }
        // File last, over the columns that scrolled under it.
        let file = layout.frozen_file(rect, clip);
        ui.painter().rect_filled(file, 0.0, fill);
        self.title_ui(ui, Column::File, file, out);
        let y = rect.bottom();
        ui.painter().hline(
            rect.x_range(),
            y,
            ui.visuals().widgets.noninteractive.bg_stroke,
        );
    }

    /// One column title: sorts when clicked, says its unit on hover.
    fn title_ui(&self, ui: &mut Ui, c: Column, rect: Rect, out: &mut Vec<Command>) {
        let arrow = match self.sort {
            Some((s, true)) if s == c => " ▲",
            Some((s, false)) if s == c => " ▼",
            _ => "",
        };
        let text = RichText::new(format!("{}{arrow}", c.title())).strong();
        let button = egui::Button::new(text).frame(false).truncate();
        // Aligned as the column's values are.
        let align = c.align();
        let response = ui
            .scope_builder(egui::UiBuilder::new().max_rect(rect).layout(align), |ui| {
                ui.add(button)
            })
            .inner;
        if response
            .on_hover_text(format!("{}. Click to sort.", c.about()))
            .clicked()
        {
            out.push(Command::SortResults(c));
        }
    }
}

/// Room after the last column for the rows' vertical scroll bar, which
/// floats over the content and would cover it.
fn scroll_bar_room(ui: &Ui) -> f32 {
    let scroll = &ui.spacing().scroll;
    scroll.bar_width + scroll.bar_outer_margin + scroll.bar_inner_margin
}

/// One result row: the file name (frozen at the left) selects it (Ctrl
/// toggles) and has the context menu; text left, numbers right, the
/// status and compliance coloured, the details on hover.
fn row_ui(
    ui: &mut Ui,
    (i, row, selected, mixed): (usize, &Row, bool, bool),
    layout: &Layout,
    out: &mut Vec<Command>,
) {
    let size = egui::vec2(layout.width(), layout.row_h);
    let (rect, _) = ui.allocate_exact_size(size, egui::Sense::hover());
    let clip = ui.clip_rect();
    if !clip.intersects(rect) {
        return;
    }
    for (c, x, w) in layout.offsets() {
        let r = Layout::cell(rect, x, w);
        if clip.intersects(r) {
            cell_ui(ui, row, c, r);
        }
    }
    // Rows of several pipelines each say which they come from.
    let name = if mixed {
        format!("{} · {}", row.file, row.pipeline_id().label())
    } else {
        row.file.clone()
    };
    let file = layout.frozen_file(rect, clip);
    ui.painter().rect_filled(file, 0.0, ui.visuals().panel_fill);
    let left = egui::Layout::left_to_right(egui::Align::Center);
    let response = ui
        .scope_builder(egui::UiBuilder::new().max_rect(file).layout(left), |ui| {
            ui.add(egui::Button::selectable(selected, name).truncate())
        })
        .inner;
    file_cell_actions(&response, i, row, selected, out);
}

/// One cell after File, in `rect`.
fn cell_ui(ui: &mut Ui, row: &Row, c: Column, rect: Rect) {
    let mut text = RichText::new(row.cell(c));
    let quick = row.provisional && PROVISIONAL_COLUMNS.contains(&c);
    if quick {
        text = text.italics().color(theme::ACCENT);
    }
    let weak = ui.visuals().weak_text_color();
    text = match c {
        Column::Status => text.color(match row.status {
            WaveStatus::Completed => theme::OK,
            WaveStatus::PartiallyCompleted => theme::WARN,
            WaveStatus::Failed => theme::ERROR,
            _ => weak,
        }),
        Column::Compliance => text.color(match row.compliant {
            Some(true) => theme::OK,
            _ => theme::ERROR,
        }),
        _ => text,
    };
    let align = c.align();
    let tip = match c {
        _ if quick => {
            Some("Provisional (~): the quick estimate, replaced when the file finishes".into())
        }
        Column::Status => row.status_tip(),
        Column::Bpm => row.tempo_tip(),
        Column::Key => row.key_tip(),
        Column::Compliance => row.compliance_tip(),
        Column::Plugins if row.has_plugin_values() => Some(row.cell(c).to_string()),
        _ => None,
    };
    let response = ui
        .scope_builder(egui::UiBuilder::new().max_rect(rect).layout(align), |ui| {
            // One tooltip: a cell with its own says more than its text.
            let label = egui::Label::new(text)
                .truncate()
                .show_tooltip_when_elided(tip.is_none());
            ui.add(label)
        })
        .inner;
    if let Some(tip) = tip {
        response.on_hover_text(tip);
    }
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
    if response.double_clicked() {
        out.push(row.open_track());
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
        if ui.button("Open track view").clicked() {
            out.push(row.open_track());
        }
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
