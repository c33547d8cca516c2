//! Nothing a plugin starts outlives it: its process group is killed, and
//! so is every descendant that left the group (`setsid`, a double fork),
//! found by a token in the environment that every descendant inherits.

use std::process::{Child, Command};
use std::sync::atomic::{AtomicU64, Ordering};

use rustix::process::{Pid, Signal};

/// The environment variable that marks a plugin's processes.
pub const TOKEN_VAR: &str = "WAVE_STUDIO_PLUGIN_RUN";

/// Kill passes over `/proc`: a descendant may fork while the first pass
/// kills its parent.
const PASSES: usize = 3;

/// A started plugin process: its group and its token.
#[derive(Debug)]
pub struct Tracked {
    group: Pid,
    /// `TOKEN_VAR=token`, as it appears in `/proc/PID/environ`.
    marker: Vec<u8>,
}

impl Tracked {
    /// Starts `command` in a process group of its own, with a token every
    /// process it starts inherits.
    pub fn spawn(command: &mut Command) -> std::io::Result<(Child, Tracked)> {
        use std::os::unix::process::CommandExt;
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let token = format!(
            "{}-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed),
            fastrand::u64(..)
        );
        let child = command.env(TOKEN_VAR, &token).process_group(0).spawn()?;
        let tracked = Tracked {
            group: Pid::from_child(&child),
            marker: format!("{TOKEN_VAR}={token}").into_bytes(),
        };
        Ok((child, tracked))
    }

    /// Kills the group and every process still carrying the token.
    /// Already gone is fine: the point is that nothing remains.
    pub fn kill(&self) {
        let _ = rustix::process::kill_process_group(self.group, Signal::KILL);
        for _ in 0..PASSES {
            let marked = marked_pids(&self.marker);
            if marked.is_empty() {
                break;
            }
            for pid in marked {
                let _ = rustix::process::kill_process(pid, Signal::KILL);
            }
        }
    }
}

/// Processes (other than this one) whose environment holds `marker`.
fn marked_pids(marker: &[u8]) -> Vec<Pid> {
    let me = std::process::id();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(Result::ok)
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|&pid| pid != me)
        .filter(|pid| {
            std::fs::read(format!("/proc/{pid}/environ"))
                .is_ok_and(|env| env.split(|&b| b == 0).any(|var| var == marker))
        })
        .filter_map(|pid| Pid::from_raw(i32::try_from(pid).ok()?))
        .collect()
}
