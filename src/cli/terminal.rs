//! Terminal-safe text for the command line: see [`crate::text`].

pub use crate::text::{escape, escape_text};
