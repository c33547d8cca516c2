//! The signals that end a run early, all treated alike: Ctrl+C (SIGINT),
//! SIGTERM (a Kubernetes or Slurm preemption, `kill`) and SIGHUP (the
//! terminal or ssh connection went away). The run is cancelled, every
//! finished result is written, the library is closed cleanly, and the
//! exit status is 1 (files were cancelled).

use tokio::signal::unix::{Signal, SignalKind, signal};

use crate::cli::error::CliError;

/// The run's stop requests, listened to from the start of the command.
pub(super) struct Stops {
    interrupt: Signal,
    terminate: Signal,
    hangup: Signal,
}

impl Stops {
    /// Installs the handlers (from now on these signals no longer kill
    /// the process at once).
    pub(super) fn install() -> Result<Self, CliError> {
        let listen = |kind: SignalKind, name: &str| {
            signal(kind).map_err(|e| CliError::Internal(format!("cannot listen for {name}: {e}")))
        };
        Ok(Self {
            interrupt: listen(SignalKind::interrupt(), "SIGINT")?,
            terminate: listen(SignalKind::terminate(), "SIGTERM")?,
            hangup: listen(SignalKind::hangup(), "SIGHUP")?,
        })
    }

    /// Waits for the next stop request; says which. After SIGHUP, output
    /// that went to the lost terminal goes to /dev/null instead, so that
    /// writing the summary cannot fail (or panic) on a dead terminal.
    pub(super) async fn next(&mut self) -> &'static str {
        tokio::select! {
            _ = self.interrupt.recv() => "interrupted (Ctrl+C)",
            _ = self.terminate.recv() => "terminated (SIGTERM)",
            _ = self.hangup.recv() => {
                detach_from_terminal();
                "hung up (SIGHUP)"
            }
        }
    }
}

/// Points stdout and stderr that are terminals at /dev/null.
fn detach_from_terminal() {
    use std::io::IsTerminal;
    let Ok(null) = std::fs::OpenOptions::new().write(true).open("/dev/null") else {
        return;
    };
    if std::io::stderr().is_terminal() {
        let _ = rustix::stdio::dup2_stderr(&null);
    }
    if std::io::stdout().is_terminal() {
        let _ = rustix::stdio::dup2_stdout(&null);
    }
}
