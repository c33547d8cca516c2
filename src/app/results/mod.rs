//! The results table: its rows (from a live run or the results library),
//! how they are drawn, and the library the app opens, lists and forgets
//! from (off the UI thread).

pub(crate) mod columns;
pub(crate) mod row;
pub(crate) mod spelling;
pub(crate) mod store;
pub(crate) mod store_commands;
pub(crate) mod table;
pub(crate) mod table_ui;
