//! A/B comparison and tuning: the *Compare with…* window (its state and
//! drawing) and the quality gate's suggestion from the library's history.

pub(crate) mod state;
pub(crate) mod tune_ui;
pub(crate) mod window_ui;
