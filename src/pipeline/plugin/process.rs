//! Running a plugin's process for one request: the request on stdin, the
//! reply on stdout (capped), stderr kept for the message; a timeout, a
//! cancel or an oversized reply kills the whole process group, and the
//! group is killed after every request, so nothing is left behind.

use std::io::{Read, Write};
use std::process::{Child, Command, Stdio};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::reaper::Tracked;
use super::{Plugin, PluginError};

/// The largest reply read from stdout: a plugin returns values, not data.
pub const MAX_REPLY_BYTES: usize = 1 << 20;
/// How much of stderr is kept for the error message (its end).
pub(super) const STDERR_TAIL: usize = 4096;
/// How often a running process is checked for its end, a timeout or a
/// cancel.
pub(super) const POLL: Duration = Duration::from_millis(5);

/// The request format this build writes (`Request::protocol`).
pub const PROTOCOL_VERSION: u32 = 1;

/// What a plugin reads on stdin (one JSON object, one line).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Request {
    /// The protocol version, 1.
    pub protocol: u32,
    /// The audio file, as an absolute path (the plugin runs in its folder).
    pub file: String,
    /// The node's parameters, checked and with defaults filled in.
    pub params: Map<String, Value>,
    /// The values of the stages the node depends on, merged.
    pub prior: Map<String, Value>,
}

/// What a plugin writes on stdout (one JSON object).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reply {
    /// Named values for the results.
    #[serde(default)]
    pub values: Map<String, Value>,
    /// Confidence in 0..1, if the plugin reports one.
    #[serde(default)]
    pub quality: Option<f64>,
    /// The plugin's own failure message: the stage fails with it.
    #[serde(default)]
    pub error: Option<String>,
}

/// Runs `plugin` once on `request`. `cancelled` is checked while waiting.
pub fn run_once(
    plugin: &Plugin,
    request: &Request,
    timeout: Duration,
    cancelled: &dyn Fn() -> bool,
) -> Result<Reply, PluginError> {
    let name = plugin.manifest.name.clone();
    let fail = |message: String| PluginError::Run {
        plugin: name.clone(),
        message,
    };
    let program = plugin
        .program()
        .ok_or_else(|| fail("its manifest names no command".into()))?;
    let mut line = serde_json::to_vec(request).map_err(|e| fail(e.to_string()))?;
    line.push(b'\n');
    let (mut child, group) = spawn(plugin, &program)
        .map_err(|e| fail(format!("cannot start `{}`: {e}", program.display())))?;
    let io = match Pipes::start(&mut child, line, &name) {
        Ok(io) => io,
        Err(e) => {
            group.kill();
            let _ = child.wait();
            return Err(fail(format!("cannot start its I/O threads: {e}")));
        }
    };
    let ended = wait(&mut child, &io, timeout, cancelled);
    // Whatever happened, nothing of the plugin outlives the request.
    group.kill();
    let _ = child.wait();
    let (stdout, oversized, stderr) = io.finish();
    let status = match ended {
        Ended::Exited(status) => status,
        Ended::TimedOut => {
            return Err(PluginError::Timeout {
                plugin: name.clone(),
                seconds: timeout.as_secs_f64(),
            });
        }
        Ended::Cancelled => return Err(PluginError::Cancelled),
    };
    if oversized {
        return Err(fail(format!(
            "its reply is larger than {} bytes (killed)",
            MAX_REPLY_BYTES
        )));
    }
    if !status.success() {
        let code = status
            .code()
            .map_or("a signal".to_string(), |c| c.to_string());
        return Err(fail(format!(
            "exited with {code}{}",
            stderr_suffix(&stderr)
        )));
    }
    read_reply(&name, &stdout, &stderr)
}

/// A reply's bytes as a `Reply`; the plugin's own `error` is its refusal.
pub(super) fn read_reply(name: &str, stdout: &[u8], stderr: &str) -> Result<Reply, PluginError> {
    let reply: Reply = serde_json::from_slice(stdout).map_err(|e| PluginError::Run {
        plugin: name.to_string(),
        message: format!(
            "its reply is not the expected JSON ({e}){}",
            stderr_suffix(stderr)
        ),
    })?;
    if let Some(e) = &reply.error {
        return Err(PluginError::Refused {
            plugin: name.to_string(),
            message: e.clone(),
        });
    }
    Ok(reply)
}

/// `": " + stderr` when the plugin said something there.
pub(super) fn stderr_suffix(stderr: &str) -> String {
    let t = stderr.trim();
    if t.is_empty() {
        String::new()
    } else {
        format!(": {t}")
    }
}

/// Starts the plugin's program in its folder, tracked so that nothing it
/// starts outlives it.
pub(super) fn spawn(
    plugin: &Plugin,
    program: &std::path::Path,
) -> std::io::Result<(Child, Tracked)> {
    let mut command = Command::new(program);
    command
        .args(plugin.manifest.command.iter().skip(1))
        .current_dir(&plugin.dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    Tracked::spawn(&mut command)
}

enum Ended {
    Exited(std::process::ExitStatus),
    TimedOut,
    Cancelled,
}

fn wait(child: &mut Child, io: &Pipes, timeout: Duration, cancelled: &dyn Fn() -> bool) -> Ended {
    let begun = Instant::now();
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            return Ended::Exited(status);
        }
        if cancelled() {
            return Ended::Cancelled;
        }
        if begun.elapsed() >= timeout {
            return Ended::TimedOut;
        }
        if io.oversized() {
            // Stop it now; the reply is refused whatever the exit code.
            let _ = child.kill();
        }
        std::thread::sleep(POLL);
    }
}

/// Threads feeding stdin and draining stdout and stderr, so a plugin that
/// writes a lot never blocks on a full pipe.
struct Pipes {
    stdin: Option<JoinHandle<()>>,
    stdout: Option<JoinHandle<(Vec<u8>, bool)>>,
    stderr: Option<JoinHandle<String>>,
    over: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl Pipes {
    fn start(child: &mut Child, request: Vec<u8>, plugin: &str) -> std::io::Result<Self> {
        use std::sync::atomic::{AtomicBool, Ordering};
        let over = std::sync::Arc::new(AtomicBool::new(false));
        let stdin = child.stdin.take().map(|mut s| {
            named_thread(&format!("plugin-{plugin}-stdin"), move || {
                // A plugin may exit without reading: a broken pipe is fine.
                let _ = s.write_all(&request);
            })
        });
        let flag = over.clone();
        let stdout = child.stdout.take().map(|mut s| {
            named_thread(&format!("plugin-{plugin}-stdout"), move || {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 8192];
                loop {
                    match s.read(&mut chunk) {
                        Ok(0) | Err(_) => break,
                        Ok(n) if buf.len() + n > MAX_REPLY_BYTES => {
                            flag.store(true, Ordering::Relaxed);
                            break;
                        }
                        Ok(n) => buf.extend_from_slice(&chunk[..n]),
                    }
                }
                (buf, flag.load(Ordering::Relaxed))
            })
        });
        let stderr = child.stderr.take().map(|mut s| {
            named_thread(&format!("plugin-{plugin}-stderr"), move || {
                let mut tail = Vec::new();
                let mut chunk = [0u8; 4096];
                while let Ok(n) = s.read(&mut chunk) {
                    if n == 0 {
                        break;
                    }
                    tail.extend_from_slice(&chunk[..n]);
                    if tail.len() > 2 * STDERR_TAIL {
                        tail.drain(..tail.len() - STDERR_TAIL);
                    }
                }
                let start = tail.len().saturating_sub(STDERR_TAIL);
                String::from_utf8_lossy(&tail[start..]).into_owned()
            })
        });
        Ok(Self {
            stdin: stdin.transpose()?,
            stdout: stdout.transpose()?,
            stderr: stderr.transpose()?,
            over,
        })
    }

    fn oversized(&self) -> bool {
        self.over.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Stdout, whether it was cut, and the end of stderr. Called once the
    /// process group is dead, so every pipe has closed.
    fn finish(mut self) -> (Vec<u8>, bool, String) {
        if let Some(t) = self.stdin.take() {
            let _ = t.join();
        }
        let (out, over) = self
            .stdout
            .take()
            .and_then(|t| t.join().ok())
            .unwrap_or_default();
        let err = self
            .stderr
            .take()
            .and_then(|t| t.join().ok())
            .unwrap_or_default();
        (out, over, err)
    }
}

/// Starts a thread named `name` (every thread the program makes has one,
/// so a stuck one is found by name).
pub(super) fn named_thread<T: Send + 'static>(
    name: &str,
    f: impl FnOnce() -> T + Send + 'static,
) -> std::io::Result<JoinHandle<T>> {
    std::thread::Builder::new().name(name.to_string()).spawn(f)
}
