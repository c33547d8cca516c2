//! `run`'s live progress on stderr (a bar on a terminal, plain lines
//! otherwise) and its closing statistics summary.

use std::io::IsTerminal;
use std::time::Duration;

use crate::cli::terminal::{escape, escape_text};
use crate::orchestrator::{Statistics, WaveEvent};
use crate::run::persist::partial_note;
use crate::run::{FileResult, RunMonitor};

/// Live progress on stderr: a bar on a terminal, plain lines otherwise.
pub(super) struct Progress {
    bar: Option<indicatif::ProgressBar>,
    events: tokio::sync::mpsc::UnboundedReceiver<WaveEvent>,
    monitor: RunMonitor,
    done: usize,
    failed: usize,
    total: usize,
}

impl Progress {
    pub(super) fn new(
        total: usize,
        events: tokio::sync::mpsc::UnboundedReceiver<WaveEvent>,
    ) -> Self {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = indicatif::ProgressBar::new(total as u64);
            let style = indicatif::ProgressStyle::with_template(
                "{bar:30} {pos}/{len} files {elapsed} {msg}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
            bar.set_style(style);
            bar
        });
        Self {
            bar,
            events,
            monitor: RunMonitor::default(),
            done: 0,
            failed: 0,
            total,
        }
    }

    pub(super) fn tick(&mut self) {
        while let Ok(e) = self.events.try_recv() {
            self.monitor.ingest(&e);
        }
        if let Some(bar) = &self.bar {
            let stages: Vec<String> = self
                .monitor
                .running()
                .map(|(s, n)| format!("{s}:{n}"))
                .collect();
            let cached: u64 = self.monitor.nodes.values().map(|n| n.cached).sum();
            let cached = if cached > 0 {
                format!("  {cached} cached")
            } else {
                String::new()
            };
            bar.set_message(format!(
                "{} failed{cached}  running {}",
                self.failed,
                stages.join(" ")
            ));
        }
    }

    pub(super) fn note(&self, line: &str) {
        let line = escape_text(line);
        match &self.bar {
            Some(bar) => bar.suspend(|| eprintln!("{line}")),
            None => eprintln!("{line}"),
        }
    }

    pub(super) fn file_done(&mut self, r: &FileResult) {
        self.done += 1;
        if !r.ok {
            self.failed += 1;
        }
        self.tick();
        let status = match partial_note(r) {
            Some(why) => format!("partial ({why})"),
            None => r.status.label().to_string(),
        };
        let partial = status.starts_with("partial");
        let (status, file) = (escape(&status), escape(&r.file));
        let line = match &r.error {
            Some(e) => format!(
                "[{}/{}] {status} {file} ({:.2} s): {}",
                self.done,
                self.total,
                r.analysis_s,
                escape(e)
            ),
            None => format!(
                "[{}/{}] {status} {file} ({:.2} s)",
                self.done, self.total, r.analysis_s
            ),
        };
        match &self.bar {
            Some(bar) => {
                bar.inc(1);
                if r.error.is_some() || partial {
                    bar.suspend(|| eprintln!("{line}"));
                }
            }
            None => eprintln!("{line}"),
        }
    }

    pub(super) fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

fn ms(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64() * 1000.0)
}

/// The seed's statistics plus per-stage timing, on stderr.
pub(super) fn print_summary(stats: &Statistics, results: &[FileResult]) {
    let truncated = results.iter().filter(|r| partial_note(r).is_some()).count();
    let truncated = if truncated > 0 {
        format!(" ({truncated} of them partial: decoding stopped early)")
    } else {
        String::new()
    };
    eprintln!(
        "{} files: {} completed{truncated}, {} partial, {} failed, {} cancelled; success rate {:.1}%",
        results.len(),
        stats.successful_waves,
        stats.partial_waves,
        stats.failed_waves,
        stats.cancelled_waves,
        stats.success_rate
    );
    let cached = stats.items_cached();
    if cached > 0 {
        eprintln!("{cached} stage result(s) taken from the store, not computed");
    }
    eprintln!(
        "{:<16} {:>8} {:>6} {:>6} {:>7} {:>8} {:>8} {:>9} {:>9} {:>9} {:>8}",
        "stage",
        "attempts",
        "ok",
        "cached",
        "failed",
        "retries",
        "skipped",
        "p50 ms",
        "p95 ms",
        "max ms",
        "quality"
    );
    for s in &stats.stages {
        // `ok` counts computed outputs; store hits are in `cached`.
        eprintln!(
            "{:<16} {:>8} {:>6} {:>6} {:>7} {:>8} {:>8} {:>9} {:>9} {:>9} {:>8}",
            escape(s.node.as_str()),
            s.attempts,
            s.items_computed(),
            s.items_cached,
            s.items_failed,
            s.retries,
            s.items_skipped,
            ms(s.duration_p50()),
            ms(s.duration_p95()),
            ms(s.duration_max()),
            s.mean_quality()
                .map_or_else(|| "-".to_string(), |q| format!("{q:.3}"))
        );
    }
}
