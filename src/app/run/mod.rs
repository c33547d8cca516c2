//! A run in the app: starting it, taking its events and results, and the
//! live charts (stage times, quality, resources) drawn from them.

pub(crate) mod charts;
pub(crate) mod charts_ui;
pub(crate) mod log_chart;
pub(crate) mod start;
pub(crate) mod state;
