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

#[cfg(test)]
mod tests {
    #![allow(
        clippy::unwrap_used,
        reason = "a failed unwrap in a test is a failed test"
    )]

    use super::*;
    use crate::library::NewRun;

    #[test]
    fn a_version_four_library_keeps_each_pipeline_text_once() {
        let dir = std::env::temp_dir().join(format!("ws-lib-texts-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let path = dir.join("v4.sqlite");
        let run = |text: &str| NewRun {
            pipeline_name: "P".into(),
            pipeline_hash: format!("h-{}", text.len()),
            pipeline_text: text.into(),
            program_version: "0".into(),
            inputs: Vec::new(),
            shard: None,
            host: None,
        };
        {
            let lib = Library::open(&path).unwrap();
            let w = lib.writer().unwrap();
            for text in ["(a)", "(a)", "(bb)"] {
                w.begin_run(run(text)).unwrap();
            }
            w.close().unwrap();
            assert_eq!(lib.pipeline_text("h-3").unwrap().as_deref(), Some("(a)"));
        }
        // As a version 4 library held them: a copy in every run.
        let c = rusqlite::Connection::open(&path).unwrap();
        c.execute_batch(
            "DROP TABLE pipelines;
             UPDATE runs SET pipeline_text = CASE pipeline_hash WHEN 'h-3' THEN '(a)' ELSE '(bb)' END;
             ALTER TABLE results DROP COLUMN details;
             ALTER TABLE results DROP COLUMN node_keys;
             DROP TABLE series;
             PRAGMA user_version = 4;",
        )
        .unwrap();
        drop(c);
        let lib = Library::open(&path).unwrap();
        assert_eq!(lib.pipeline_text("h-3").unwrap().as_deref(), Some("(a)"));
        assert_eq!(lib.pipeline_text("h-4").unwrap().as_deref(), Some("(bb)"));
        let copies: i64 = lib
            .read(|c| {
                c.query_row(
                    "SELECT count(*) FROM runs WHERE pipeline_text != ''",
                    [],
                    |r| r.get(0),
                )
            })
            .unwrap();
        assert_eq!(copies, 0);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
