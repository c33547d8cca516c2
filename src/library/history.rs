//! What the library knows of files as a whole, for reading history back
//! (the quality gate's tuning): every fingerprint it has node outputs for.

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
