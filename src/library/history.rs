//! What the library knows of files as a whole, for reading history back
//! (the quality gate's tuning): every fingerprint it has node outputs for,
//! and the pipelines its runs ran.

use super::Library;
use super::error::LibraryError;

impl Library {
    /// Every distinct file content (fingerprint) with stored node outputs,
    /// sorted.
    pub fn output_fingerprints(&self) -> Result<Vec<String>, LibraryError> {
        self.read(|c| {
            c.prepare("SELECT DISTINCT fingerprint FROM node_outputs ORDER BY fingerprint")?
                .query_map([], |r| r.get(0))?
                .collect()
        })
    }
}

impl Library {
    /// The saved text of the pipeline with `hash` (a run's
    /// `pipeline_hash`), stored once however many runs it had.
    pub fn pipeline_text(&self, hash: &str) -> Result<Option<String>, LibraryError> {
        use rusqlite::OptionalExtension;
        self.read(|c| {
            c.prepare_cached("SELECT text FROM pipelines WHERE pipeline_hash = ?1")?
                .query_row([hash], |r| r.get(0))
                .optional()
        })
    }
}
