//! The results table's columns: what each shows, with its unit, and which
//! the user chose to show in which order (remembered between launches).

use serde::{Deserialize, Serialize};

/// A column of the results table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Column {
    /// The file name; always shown, first, and frozen (it stays in view
    /// when the table scrolls sideways).
    File,
    /// Tempo, BPM.
    Bpm,
    /// Key, spelt as musicians do.
    Key,
    /// Key in Camelot notation.
    Camelot,
    /// Integrated loudness, LUFS.
    Loudness,
    /// Loudness range, LU.
    Range,
    /// True peak, dBTP.
    TruePeak,
    /// Whether the loudness gate passed (EBU R128).
    Compliance,
    /// Duration, minutes and seconds.
    Duration,
    /// How the file's wave ended.
    Status,
    /// The file's quality, 0–1.
    Quality,
    /// Plugin values, `name=value`.
    Plugins,
}

impl Column {
    /// Every column, in the order of a row's cells.
    pub const ALL: [Column; 12] = [
        Column::File,
        Column::Bpm,
        Column::Key,
        Column::Camelot,
        Column::Loudness,
        Column::Range,
        Column::TruePeak,
        Column::Compliance,
        Column::Duration,
        Column::Status,
        Column::Quality,
        Column::Plugins,
    ];

    /// Where its cell sits in a row.
    pub fn index(self) -> usize {
        self as usize
    }

    /// The header's title.
    pub fn title(self) -> &'static str {
        match self {
            Column::File => "File",
            Column::Bpm => "BPM",
            Column::Key => "Key",
            Column::Camelot => "Camelot",
            Column::Loudness => "Loudness",
            Column::Range => "Range",
            Column::TruePeak => "True peak",
            Column::Compliance => "R128",
            Column::Duration => "Duration",
            Column::Status => "Status",
            Column::Quality => "Quality",
            Column::Plugins => "Plugins",
        }
    }

    /// What the header says on hover: the quantity and its unit.
    pub fn about(self) -> &'static str {
        match self {
            Column::File => "The file name; hover a name for its path and pipeline",
            Column::Bpm => "Tempo in beats per minute; hover for the candidates",
            Column::Key => "Key; hover for its confidence and the runner-up",
            Column::Camelot => "Key in Camelot notation (harmonic mixing)",
            Column::Loudness => "Integrated loudness (EBU R128), LUFS",
            Column::Range => "Loudness range (EBU Tech 3342), LU",
            Column::TruePeak => "True peak (ITU-R BS.1770), dBTP",
            Column::Compliance => {
                "Whether the loudness gate passed (target ± tolerance, true peak below the \
                 maximum); hover a cell for why not. Empty without a loudness gate node."
            }
            Column::Duration => "Duration, minutes:seconds",
            Column::Status => "How the file's analysis ended; hover for errors and skips",
            Column::Quality => "The file's quality, 0–1 (the lowest confidence of its estimates)",
            Column::Plugins => "Values plugins reported, name=value",
        }
    }

    /// Its width in points (the File column takes what is left).
    pub fn width(self) -> f32 {
        match self {
            Column::File => 160.0,
            Column::Bpm => 52.0,
            Column::Key => 82.0,
            Column::Camelot => 58.0,
            Column::Loudness => 84.0,
            Column::Range => 60.0,
            Column::TruePeak => 82.0,
            Column::Compliance => 48.0,
            Column::Duration => 62.0,
            Column::Status => 64.0,
            Column::Quality => 54.0,
            Column::Plugins => 200.0,
        }
    }

    /// Whether its values are numbers (aligned right, sorted as numbers).
    pub fn is_number(self) -> bool {
        matches!(
            self,
            Column::Bpm
                | Column::Loudness
                | Column::Range
                | Column::TruePeak
                | Column::Duration
                | Column::Quality
        )
    }

    /// How its cells and title are aligned: text left, numbers right,
    /// like a spreadsheet.
    pub fn align(self) -> egui::Layout {
        if self.is_number() {
            egui::Layout::right_to_left(egui::Align::Center)
        } else {
            egui::Layout::left_to_right(egui::Align::Center)
        }
    }

    /// The name settings store it by (stable across versions).
    fn key(self) -> &'static str {
        match self {
            Column::File => "file",
            Column::Bpm => "bpm",
            Column::Key => "key",
            Column::Camelot => "camelot",
            Column::Loudness => "loudness",
            Column::Range => "loudness_range",
            Column::TruePeak => "true_peak",
            Column::Compliance => "compliance",
            Column::Duration => "duration",
            Column::Status => "status",
            Column::Quality => "quality",
            Column::Plugins => "plugins",
        }
    }

    fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.key() == key)
    }
}

/// The columns shown after the File column, in order. Settings store them
/// by name, so a name this version does not know is dropped, not an error
/// that loses every other setting.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(from = "Vec<String>", into = "Vec<String>")]
pub struct ColumnLayout {
    shown: Vec<Column>,
}

impl Default for ColumnLayout {
    /// Status first (it says whether the rest means anything), then what
    /// a DJ reads, then the loudness a QA engineer reads.
    fn default() -> Self {
        Self {
            shown: vec![
                Column::Status,
                Column::Bpm,
                Column::Key,
                Column::Camelot,
                Column::Loudness,
                Column::TruePeak,
                Column::Range,
                Column::Compliance,
                Column::Duration,
                Column::Plugins,
            ],
        }
    }
}

impl From<Vec<String>> for ColumnLayout {
    fn from(keys: Vec<String>) -> Self {
        let mut shown: Vec<Column> = Vec::new();
        for c in keys.iter().filter_map(|k| Column::from_key(k)) {
            if c != Column::File && !shown.contains(&c) {
                shown.push(c);
            }
        }
        Self { shown }
    }
}

impl From<ColumnLayout> for Vec<String> {
    fn from(layout: ColumnLayout) -> Self {
        layout.shown.iter().map(|c| c.key().to_string()).collect()
    }
}

impl ColumnLayout {
    /// The columns shown after File, in order.
    pub fn shown(&self) -> &[Column] {
        &self.shown
    }

    /// Whether `column` shows (File always does).
    pub fn is_shown(&self, column: Column) -> bool {
        column == Column::File || self.shown.contains(&column)
    }

    /// Shows `column` (last) or hides it; File stays.
    pub fn toggle(&mut self, column: Column) {
        if column == Column::File {
            return;
        }
        match self.shown.iter().position(|&c| c == column) {
            Some(i) => {
                self.shown.remove(i);
            }
            None => self.shown.push(column),
        }
    }

    /// Moves a shown column one place earlier (`-1`) or later (`1`).
    pub fn shift(&mut self, column: Column, by: isize) {
        let Some(i) = self.shown.iter().position(|&c| c == column) else {
            return;
        };
        let j = i.saturating_add_signed(by);
        if j < self.shown.len() && j != i {
            self.shown.swap(i, j);
        }
    }

    /// Every column for the chooser: the shown ones in order, then the
    /// hidden ones.
    pub fn chooser_order(&self) -> Vec<Column> {
        let hidden = Column::ALL
            .into_iter()
            .filter(|c| *c != Column::File && !self.shown.contains(c));
        self.shown.iter().copied().chain(hidden).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_hide_show_and_move_and_file_stays_first() {
        let mut l = ColumnLayout::default();
        assert!(l.is_shown(Column::Range) && !l.is_shown(Column::Quality));
        l.toggle(Column::Camelot);
        assert!(!l.is_shown(Column::Camelot));
        l.toggle(Column::Camelot);
        assert_eq!(l.shown().last(), Some(&Column::Camelot));
        l.shift(Column::Bpm, -1);
        assert_eq!(&l.shown()[..2], &[Column::Bpm, Column::Status]);
        l.shift(Column::Bpm, -1);
        assert_eq!(l.shown()[0], Column::Bpm, "the first stays first");
        l.toggle(Column::File);
        assert!(l.is_shown(Column::File));
        assert_eq!(l.chooser_order().len(), Column::ALL.len() - 1);
    }

    #[test]
    fn the_layout_is_stored_by_name_and_unknown_names_are_dropped() {
        let mut l = ColumnLayout::default();
        l.toggle(Column::Quality);
        let text = ron::to_string(&l).unwrap();
        assert!(text.contains("\"quality\""), "{text}");
        let back: ColumnLayout = ron::from_str(&text).unwrap();
        assert_eq!(back, l);
        let future: ColumnLayout =
            ron::from_str(r#"["bpm", "mood", "file", "bpm", "key"]"#).unwrap();
        assert_eq!(future.shown(), &[Column::Bpm, Column::Key]);
    }
}
