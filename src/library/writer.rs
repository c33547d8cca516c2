//! The single writer: one thread with the library's one write connection.
//! The engine hands it finished files without waiting; it writes what has
//! piled up in one transaction, so a crash leaves whole records or none.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::thread::JoinHandle;

use parking_lot::Mutex;
use rusqlite::{Connection, OptionalExtension, Transaction, params};

use super::error::LibraryError;
use super::fingerprint::stored_path;
use super::records::{FinishedFile, NewRun, ResultSummary, RunCounts, RunId, now_ms};

/// Files written per transaction at most: a small group keeps each commit
/// short when the engine outpaces the disk.
const GROUP: usize = 64;

enum Message {
    Begin(Box<NewRun>, Sender<Result<RunId, LibraryError>>),
    File(Box<FinishedFile>),
    Finish(RunId, RunCounts),
}

/// What the writer did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WriterReport {
    /// Files written.
    pub files: u64,
    /// Files dropped because an earlier write failed.
    pub dropped: u64,
    /// Time spent writing (encoding artifacts, SQL, commits): the
    /// library's whole cost to a run, paid on this thread.
    pub busy: std::time::Duration,
}

/// Whether a library's stored decodes passed their quick check: `None`
/// until a writer has checked them (once per open library), then the
/// problems found, if any.
pub(crate) type DecodeCheck = Arc<Mutex<Option<Option<String>>>>;

/// A handle to the writer thread. Dropping it (or `close`) lets the thread
/// write what is queued and end.
pub struct Writer {
    path: PathBuf,
    tx: Option<Sender<Message>>,
    thread: Option<JoinHandle<WriterReport>>,
    failure: Arc<Mutex<Option<LibraryError>>>,
}

impl std::fmt::Debug for Writer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Writer").field("path", &self.path).finish()
    }
}

impl Writer {
    /// Starts the writer on its own connection.
    pub(crate) fn start(
        conn: Connection,
        path: &Path,
        decodes: DecodeCheck,
    ) -> Result<Self, LibraryError> {
        let (tx, rx) = channel();
        let failure = Arc::new(Mutex::new(None));
        let state = WriterThread {
            conn,
            path: path.to_path_buf(),
            failure: failure.clone(),
            report: WriterReport::default(),
            decodes,
            damaged: None,
        };
        let thread = std::thread::Builder::new()
            .name("library-writer".into())
            .spawn(move || state.run(&rx))
            .map_err(|e| LibraryError::Open {
                path: path.to_path_buf(),
                cause: format!("cannot start the writer thread: {e}"),
            })?;
        Ok(Self {
            path: path.to_path_buf(),
            tx: Some(tx),
            thread: Some(thread),
            failure,
        })
    }

    fn send(&self, m: Message) -> bool {
        self.tx.as_ref().is_some_and(|tx| tx.send(m).is_ok())
    }

    /// Records a run's start; waits for its id (once per run, not per file).
    pub fn begin_run(&self, run: NewRun) -> Result<RunId, LibraryError> {
        let (reply, answer) = channel();
        let gone = || LibraryError::WriterGone {
            path: self.path.clone(),
        };
        if !self.send(Message::Begin(Box::new(run), reply)) {
            return Err(gone());
        }
        answer.recv().map_err(|_| gone())?
    }

    /// Queues a finished file; never blocks.
    pub fn file_finished(&self, file: FinishedFile) {
        self.send(Message::File(Box::new(file)));
    }

    /// Queues a run's end with its counts.
    pub fn finish_run(&self, run: RunId, counts: RunCounts) {
        self.send(Message::Finish(run, counts));
    }

    /// The first write that failed so far, as text.
    pub fn failure(&self) -> Option<String> {
        self.failure.lock().as_ref().map(ToString::to_string)
    }

    /// Writes what is queued, stops the thread, and reports; the error is
    /// the first failed write, if any.
    pub fn close(mut self) -> Result<WriterReport, LibraryError> {
        self.tx = None;
        let report = self
            .thread
            .take()
            .and_then(|t| t.join().ok())
            .unwrap_or_default();
        match self.failure.lock().take() {
            Some(e) => Err(e),
            None => Ok(report),
        }
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        self.tx = None;
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

struct WriterThread {
    conn: Connection,
    path: PathBuf,
    failure: Arc<Mutex<Option<LibraryError>>>,
    report: WriterReport,
    decodes: DecodeCheck,
    /// The stored decodes are damaged: nothing is written.
    damaged: Option<String>,
}

impl WriterThread {
    fn run(mut self, rx: &Receiver<Message>) -> WriterReport {
        self.check_decodes();
        while let Ok(first) = rx.recv() {
            let mut group = vec![first];
            while group.len() < GROUP {
                match rx.try_recv() {
                    Ok(m) => group.push(m),
                    Err(_) => break,
                }
            }
            let begun = std::time::Instant::now();
            self.write_group(group);
            self.report.busy += begun.elapsed();
        }
        self.report
    }

    /// The stored decodes' quick check, once per library, before the first
    /// write (off the engine's way: this thread only writes); damage
    /// stops every write.
    fn check_decodes(&mut self) {
        let mut verdict = self.decodes.lock();
        if verdict.is_none() {
            match super::check::quick_check_artifacts(&self.conn, &self.path) {
                Ok(()) => *verdict = Some(None),
                Err(LibraryError::Damaged { problems, .. }) => *verdict = Some(Some(problems)),
                // Not known (busy, ...): the next writer checks again.
                Err(_) => {}
            }
        }
        if let Some(Some(problems)) = verdict.as_ref() {
            self.damaged = Some(problems.clone());
            self.fail(self.damage());
        }
    }

    fn damage(&self) -> LibraryError {
        LibraryError::Damaged {
            path: self.path.clone(),
            problems: self.damaged.clone().unwrap_or_default(),
        }
    }

    fn failed(&self) -> bool {
        self.failure.lock().is_some()
    }

    fn fail(&self, e: LibraryError) {
        self.failure.lock().get_or_insert(e);
    }

    fn write_group(&mut self, group: Vec<Message>) {
        let mut files = Vec::new();
        let mut finishes = Vec::new();
        for m in group {
            match m {
                Message::Begin(run, reply) => {
                    let id = if self.damaged.is_some() {
                        Err(self.damage())
                    } else if self.failed() {
                        Err(LibraryError::WriterGone {
                            path: self.path.clone(),
                        })
                    } else {
                        self.begin(&run)
                    };
                    let _ = reply.send(id);
                }
                Message::File(f) => files.push(*f),
                Message::Finish(run, counts) => finishes.push((run, counts)),
            }
        }
        if self.failed() {
            // After a failure (disk full, read-only) nothing more is tried:
            // one clear error, not one per file.
            self.report.dropped += files.len() as u64;
            return;
        }
        let n = files.len() as u64;
        let path = self.path.clone();
        let result = self.transaction(|tx| {
            for f in files {
                write_file(tx, f, &path)?;
            }
            for (run, counts) in &finishes {
                finish(tx, *run, counts)?;
            }
            Ok(())
        });
        match result {
            Ok(()) => self.report.files += n,
            Err(e) => {
                self.report.dropped += n;
                self.fail(e);
            }
        }
    }

    fn transaction(
        &mut self,
        body: impl FnOnce(&Transaction<'_>) -> rusqlite::Result<()>,
    ) -> Result<(), LibraryError> {
        let path = self.path.clone();
        let sql = |e: rusqlite::Error| LibraryError::sql(&path, &e);
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(sql)?;
        body(&tx).map_err(sql)?;
        tx.commit().map_err(sql)
    }

    fn begin(&mut self, run: &NewRun) -> Result<RunId, LibraryError> {
        let inputs: Vec<String> = run.inputs.iter().map(|p| stored_path(p)).collect();
        let inputs = serde_json::to_string(&inputs).unwrap_or_else(|_| "[]".into());
        let mut id = 0;
        self.transaction(|tx| {
            // The text once per distinct pipeline, not once per run.
            tx.execute(
                "INSERT OR IGNORE INTO pipelines (pipeline_hash, text) VALUES (?1, ?2)",
                params![run.pipeline_hash, run.pipeline_text],
            )?;
            tx.execute(
                "INSERT INTO runs (pipeline_name, pipeline_hash, pipeline_text, program_version,
                                   inputs, started_ms, files_total, shard_index, shard_count,
                                   host)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                params![
                    run.pipeline_name,
                    run.pipeline_hash,
                    "",
                    run.program_version,
                    inputs,
                    now_ms(),
                    run.inputs.len() as i64,
                    run.shard.map(|s| s.index),
                    run.shard.map(|s| s.count),
                    run.host
                ],
            )?;
            id = tx.last_insert_rowid();
            Ok(())
        })?;
        Ok(id)
    }
}

/// The file's row: the same path, or a moved file (same fingerprint, old
/// path gone), or a new row.
fn file_id(tx: &Transaction<'_>, f: &FinishedFile) -> rusqlite::Result<i64> {
    let path = stored_path(&f.path);
    let size = i64::try_from(f.stamp.size).unwrap_or(i64::MAX);
    let fp = f.fingerprint.as_str();
    let now = now_ms();
    if let Some(id) = tx
        .query_row("SELECT id FROM files WHERE path = ?1", [&path], |r| {
            r.get(0)
        })
        .optional()?
    {
        tx.execute(
            "UPDATE files SET size = ?2, mtime_ns = ?3, fingerprint = ?4, seen_ms = ?5 WHERE id = ?1",
            params![id, size, f.stamp.mtime_ns, fp, now],
        )?;
        return Ok(id);
    }
    let mut same = tx.prepare("SELECT id, path FROM files WHERE fingerprint = ?1")?;
    let moved = same
        .query_map([fp], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?
        .filter_map(Result::ok)
        .find(|(_, old)| !super::text_path(old).exists());
    if let Some((id, _)) = moved {
        tx.execute(
            "UPDATE files SET path = ?2, size = ?3, mtime_ns = ?4, seen_ms = ?5 WHERE id = ?1",
            params![id, path, size, f.stamp.mtime_ns, now],
        )?;
        return Ok(id);
    }
    tx.execute(
        "INSERT INTO files (path, size, mtime_ns, fingerprint, seen_ms) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![path, size, f.stamp.mtime_ns, fp, now],
    )?;
    Ok(tx.last_insert_rowid())
}

/// The `details` column of a result (see the schema's 5 → 6).
fn details(s: &ResultSummary) -> String {
    serde_json::json!({
        "bpm_confidence": s.bpm_confidence,
        "key_confidence": s.key_confidence,
        "key_runner_up": s.key_runner_up,
        "skipped": s.skipped,
        "loudness_range_lu": s.loudness_range_lu,
        "true_peak_dbtp": s.true_peak_dbtp,
        "loudness_compliant": s.loudness_compliant,
        "loudness_issues": s.loudness_issues,
    })
    .to_string()
}

/// The `node_keys` column: `[node id, cache key]` pairs in the order the
/// nodes completed.
fn node_keys_json(keys: &[(String, String)]) -> String {
    serde_json::to_string(keys).unwrap_or_default()
}

fn write_file(tx: &Transaction<'_>, f: FinishedFile, _path: &Path) -> rusqlite::Result<()> {
    let id = file_id(tx, &f)?;
    let s = &f.summary;
    let now = now_ms();
    tx.execute(
        "INSERT OR REPLACE INTO results (pipeline_name, file_id, run_id, pipeline_hash, fingerprint,
             status, ok, cached, error, quality, bpm, key, camelot, lufs, duration_s, analysis_s,
             finished_ms, record, bpm_note, key_note, partial_note, details, node_keys)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18,
             ?19, ?20, ?21, ?22, ?23)",
        params![
            f.pipeline_name,
            id,
            f.run,
            f.pipeline_hash,
            f.fingerprint.as_str(),
            s.status,
            s.ok,
            s.cached,
            s.error,
            s.quality,
            s.bpm,
            s.key,
            s.camelot,
            s.lufs,
            s.duration_s,
            s.analysis_s,
            now,
            f.record,
            s.bpm_note,
            s.key_note,
            s.partial_note,
            details(s),
            node_keys_json(&f.node_keys)
        ],
    )?;
    let mut put = tx.prepare_cached(
        "INSERT OR REPLACE INTO node_outputs (cache_key, fingerprint, output, created_ms)
         VALUES (?1, ?2, ?3, ?4)",
    )?;
    let mut series = tx.prepare_cached(
        "INSERT OR REPLACE INTO series (cache_key, kind, fingerprint, data, created_ms)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for o in &f.outputs {
        put.execute(params![o.cache_key, f.fingerprint.as_str(), o.output, now])?;
        for (kind, data) in &o.series {
            series.execute(params![
                o.cache_key,
                kind,
                f.fingerprint.as_str(),
                &data[..],
                now
            ])?;
        }
    }
    let mut blob = tx.prepare_cached(
        "INSERT OR REPLACE INTO artifacts (cache_key, fingerprint, data, created_ms)
         VALUES (?1, ?2, ?3, ?4)",
    )?;
    for a in f.artifacts {
        let bytes = (a.bytes)();
        blob.execute(params![a.cache_key, f.fingerprint.as_str(), bytes, now])?;
    }
    Ok(())
}

fn finish(tx: &Transaction<'_>, run: RunId, c: &RunCounts) -> rusqlite::Result<()> {
    let n = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
    tx.execute(
        "UPDATE runs SET finished_ms = ?2, files_ok = ?3, files_failed = ?4,
             files_cancelled = ?5, files_cached = ?6 WHERE id = ?1",
        params![
            run,
            now_ms(),
            n(c.ok),
            n(c.failed),
            n(c.cancelled),
            n(c.cached)
        ],
    )?;
    Ok(())
}
