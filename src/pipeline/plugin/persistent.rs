//! The long-lived mode: one process serves one JSON request per line and
//! answers one JSON reply per line, for plugins with a slow start. A crash
//! is that request's error and the next request starts a new process; a
//! timeout, a cancel or an oversized reply kills the whole process group.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin};
use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use parking_lot::{Mutex, MutexGuard};

use super::process::named_thread;
use super::process::{
    MAX_REPLY_BYTES, POLL, Reply, Request, STDERR_TAIL, read_reply, spawn, stderr_suffix,
};
use super::reaper::Tracked;
use super::{Plugin, PluginError};

/// A plugin in the long-lived mode: its process, started on the first
/// request and restarted after a crash. Requests take turns.
pub struct Persistent {
    plugin: Plugin,
    live: Mutex<Option<Live>>,
}

impl std::fmt::Debug for Persistent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Persistent")
            .field("plugin", &self.plugin.manifest.name)
            .finish()
    }
}

/// What the stdout reader saw.
enum Line {
    Reply(Vec<u8>),
    Oversized,
    Closed,
}

/// A running process with its pipes.
struct Live {
    child: Child,
    group: Tracked,
    stdin: ChildStdin,
    lines: Receiver<Line>,
    stderr: Arc<Tail>,
}

/// The end of stderr, and whether stderr has closed.
#[derive(Default)]
struct Tail {
    bytes: Mutex<Vec<u8>>,
    closed: std::sync::atomic::AtomicBool,
}

impl Persistent {
    /// The plugin, with no process yet.
    pub fn new(plugin: Plugin) -> Self {
        Self {
            plugin,
            live: Mutex::new(None),
        }
    }

    /// Whether a process is running now (for tests and the app).
    pub fn is_running(&self) -> bool {
        let mut live = self.live.lock();
        live.as_mut().is_some_and(Live::running)
    }

    /// Sends `request` and waits for its reply line. `cancelled` is
    /// checked while waiting for the turn and for the reply.
    pub fn request(
        &self,
        request: &Request,
        timeout: Duration,
        cancelled: &dyn Fn() -> bool,
    ) -> Result<Reply, PluginError> {
        let name = self.plugin.manifest.name.clone();
        let fail = |message: String| PluginError::Run {
            plugin: name.clone(),
            message,
        };
        let mut slot = self.turn(cancelled)?;
        // A process that died since the last request is replaced.
        let live = match slot.take() {
            Some(mut live) => {
                if live.running() {
                    live
                } else {
                    live.stop();
                    Live::start(&self.plugin)?
                }
            }
            None => Live::start(&self.plugin)?,
        };
        let mut line = serde_json::to_vec(request).map_err(|e| fail(e.to_string()))?;
        line.push(b'\n');
        let (result, live) = live.ask(&name, &line, timeout, cancelled);
        *slot = live;
        result
    }

    /// Waits for the process to be free, giving up on a cancel.
    fn turn(
        &self,
        cancelled: &dyn Fn() -> bool,
    ) -> Result<MutexGuard<'_, Option<Live>>, PluginError> {
        loop {
            match self.live.try_lock() {
                Some(guard) => return Ok(guard),
                None if cancelled() => return Err(PluginError::Cancelled),
                None => std::thread::sleep(POLL),
            }
        }
    }
}

impl Drop for Persistent {
    fn drop(&mut self) {
        let live = self.live.get_mut();
        if let Some(live) = live.take() {
            live.stop();
        }
    }
}

impl Live {
    fn start(plugin: &Plugin) -> Result<Self, PluginError> {
        let fail = |message: String| PluginError::Run {
            plugin: plugin.manifest.name.clone(),
            message,
        };
        let program = plugin
            .program()
            .ok_or_else(|| fail("its manifest names no command".to_string()))?;
        let (mut child, group) = spawn(plugin, &program)
            .map_err(|e| fail(format!("cannot start `{}`: {e}", program.display())))?;
        let (stdin, stdout, stderr) =
            match (child.stdin.take(), child.stdout.take(), child.stderr.take()) {
                (Some(i), Some(o), Some(e)) => (i, o, e),
                _ => {
                    group.kill();
                    let _ = child.wait();
                    return Err(fail("its pipes could not be opened".into()));
                }
            };
        let (tx, lines) = mpsc::channel();
        let tail = Arc::new(Tail::default());
        let sink = tail.clone();
        let name = &plugin.manifest.name;
        let threads = named_thread(&format!("plugin-{name}-stdout"), move || {
            read_lines(stdout, &tx)
        })
        .and_then(|_| {
            named_thread(&format!("plugin-{name}-stderr"), move || {
                keep_tail(stderr, &sink)
            })
        });
        if let Err(e) = threads {
            group.kill();
            let _ = child.wait();
            return Err(fail(format!("its I/O threads could not start: {e}")));
        }
        Ok(Self {
            child,
            group,
            stdin,
            lines,
            stderr: tail,
        })
    }

    fn running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// Kills the group and reaps the process.
    fn stop(mut self) {
        self.group.kill();
        let _ = self.child.wait();
    }

    fn stderr_text(&self) -> String {
        let tail = self.stderr.bytes.lock();
        String::from_utf8_lossy(&tail).into_owned()
    }

    /// One request and its reply; the process comes back unless it had to
    /// be stopped.
    fn ask(
        mut self,
        name: &str,
        line: &[u8],
        timeout: Duration,
        cancelled: &dyn Fn() -> bool,
    ) -> (Result<Reply, PluginError>, Option<Self>) {
        let fail = |message: String| PluginError::Run {
            plugin: name.to_string(),
            message,
        };
        if self
            .stdin
            .write_all(line)
            .and_then(|()| self.stdin.flush())
            .is_err()
        {
            let e = self.crashed(name);
            return (Err(e), None);
        }
        let begun = Instant::now();
        loop {
            match self.lines.recv_timeout(POLL) {
                Ok(Line::Reply(bytes)) => {
                    return (read_reply(name, &bytes, &self.stderr_text()), Some(self));
                }
                Ok(Line::Oversized) => {
                    self.stop();
                    let e = fail(format!(
                        "its reply is larger than {MAX_REPLY_BYTES} bytes (killed)"
                    ));
                    return (Err(e), None);
                }
                Ok(Line::Closed) | Err(RecvTimeoutError::Disconnected) => {
                    let e = self.crashed(name);
                    return (Err(e), None);
                }
                Err(RecvTimeoutError::Timeout) => {}
            }
            if cancelled() {
                self.stop();
                return (Err(PluginError::Cancelled), None);
            }
            if begun.elapsed() >= timeout {
                self.stop();
                let e = PluginError::Timeout {
                    plugin: name.to_string(),
                    seconds: timeout.as_secs_f64(),
                };
                return (Err(e), None);
            }
        }
    }

    /// The error of a process that went away mid-request (it is stopped).
    fn crashed(mut self, name: &str) -> PluginError {
        // Give it a moment to finish exiting, for its status and stderr.
        let begun = Instant::now();
        let status = loop {
            match self.child.try_wait() {
                Ok(Some(status)) => break Some(status),
                Ok(None) if begun.elapsed() < Duration::from_millis(500) => {
                    std::thread::sleep(POLL)
                }
                _ => break None,
            }
        };
        // And for stderr to be read to its end (unless a child keeps it).
        while !self
            .stderr
            .closed
            .load(std::sync::atomic::Ordering::Acquire)
            && begun.elapsed() < Duration::from_millis(700)
        {
            std::thread::sleep(POLL);
        }
        let stderr = self.stderr_text();
        self.stop();
        let how = status
            .and_then(|s| s.code())
            .map_or("ended".to_string(), |c| format!("exited with {c}"));
        PluginError::Run {
            plugin: name.to_string(),
            message: format!(
                "its process {how} before replying{}",
                stderr_suffix(&stderr)
            ),
        }
    }
}

/// Sends each line of stdout; a line longer than the cap ends reading.
fn read_lines(stdout: impl Read, tx: &mpsc::Sender<Line>) {
    let mut reader = BufReader::new(stdout);
    loop {
        let mut buf = Vec::new();
        let limit = MAX_REPLY_BYTES as u64 + 1;
        match (&mut reader).take(limit).read_until(b'\n', &mut buf) {
            Ok(0) | Err(_) => {
                let _ = tx.send(Line::Closed);
                return;
            }
            Ok(_) if buf.len() > MAX_REPLY_BYTES => {
                let _ = tx.send(Line::Oversized);
                return;
            }
            Ok(_) if buf.iter().all(u8::is_ascii_whitespace) => {}
            Ok(_) => {
                if tx.send(Line::Reply(buf)).is_err() {
                    return;
                }
            }
        }
    }
}

/// Keeps the last `STDERR_TAIL` bytes of stderr.
fn keep_tail(mut stderr: impl Read, tail: &Tail) {
    let mut chunk = [0u8; 4096];
    while let Ok(n) = stderr.read(&mut chunk) {
        if n == 0 {
            break;
        }
        let mut t = tail.bytes.lock();
        t.extend_from_slice(&chunk[..n]);
        if t.len() > STDERR_TAIL {
            let cut = t.len() - STDERR_TAIL;
            t.drain(..cut);
        }
    }
    tail.closed
        .store(true, std::sync::atomic::Ordering::Release);
}
