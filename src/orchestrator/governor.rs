//! Resource sampling: the memory threshold and the CPU governor
//! (`adaptive_scaling`). The probe is a trait so tests can drive it.

use std::sync::{Arc, Weak};

use super::gate::StageGate;

/// One resource reading.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ResourceSample {
    /// System-wide CPU use, 0..=100.
    pub cpu_percent: f64,
    /// This process's resident memory, in MB.
    pub rss_mb: f64,
}

/// Reads CPU and memory. Called from the governor every
/// `resource_sample_interval_ms` while waves run.
pub trait ResourceProbe: Send + 'static {
    /// Takes a reading now.
    fn sample(&mut self) -> ResourceSample;
}

/// The real probe: system CPU and this process's RSS, from sysinfo.
pub struct SysinfoProbe {
    system: Option<sysinfo::System>,
    pid: Option<sysinfo::Pid>,
}

impl std::fmt::Debug for SysinfoProbe {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SysinfoProbe")
            .field("pid", &self.pid)
            .finish()
    }
}

impl Default for SysinfoProbe {
    fn default() -> Self {
        Self {
            system: sysinfo::System::new().ok(),
            pid: sysinfo::get_current_pid().ok(),
        }
    }
}

impl ResourceProbe for SysinfoProbe {
    fn sample(&mut self) -> ResourceSample {
        // Without system information the governor sees an idle machine.
        let Some(system) = self.system.as_mut() else {
            return ResourceSample {
                cpu_percent: 0.0,
                rss_mb: 0.0,
            };
        };
        system.refresh_cpu_usage();
        let cpu_percent = f64::from(system.global_cpu_usage());
        let rss_mb = match self.pid {
            Some(pid) => {
                system.refresh_processes_specifics(
                    sysinfo::ProcessesToUpdate::Some(&[pid]),
                    true,
                    sysinfo::ProcessRefreshKind::nothing().with_memory(),
                );
                system
                    .process(pid)
                    .map_or(0.0, |p| p.memory() as f64 / (1024.0 * 1024.0))
            }
            None => 0.0,
        };
        ResourceSample {
            cpu_percent,
            rss_mb,
        }
    }
}

/// Peak resident memory of this process so far (VmHWM), in MB, where the
/// system tells; for benchmarks.
pub fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// The CPU governor's arithmetic: halve above the threshold (not below 1),
/// grow by one below it (not above the maximum).
pub(crate) fn next_limit(current: usize, max: usize, cpu_percent: f64, threshold: f64) -> usize {
    if cpu_percent > threshold {
        (current / 2).max(1)
    } else {
        (current + 1).min(max)
    }
}

/// Gates the governor adjusts; plans register theirs when built.
#[derive(Default)]
pub(crate) struct GateRegistry {
    gates: parking_lot::Mutex<Vec<Weak<StageGate>>>,
}

impl GateRegistry {
    pub(crate) fn add(&self, gate: &Arc<StageGate>) {
        let mut gates = self.gates.lock();
        gates.retain(|g| g.strong_count() > 0);
        gates.push(Arc::downgrade(gate));
    }

    pub(crate) fn live(&self) -> Vec<Arc<StageGate>> {
        let gates = self.gates.lock();
        gates.iter().filter_map(Weak::upgrade).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn halves_to_one_and_grows_by_one_to_max() {
        assert_eq!(next_limit(10, 10, 95.0, 80.0), 5);
        assert_eq!(next_limit(5, 10, 95.0, 80.0), 2);
        assert_eq!(next_limit(1, 10, 95.0, 80.0), 1);
        assert_eq!(next_limit(1, 10, 20.0, 80.0), 2);
        assert_eq!(next_limit(10, 10, 20.0, 80.0), 10);
        assert_eq!(
            next_limit(10, 10, 80.0, 80.0),
            10,
            "at the threshold is not above it"
        );
    }

    #[test]
    fn the_real_probe_reads_this_process() {
        let mut probe = SysinfoProbe::default();
        let s = probe.sample();
        assert!(s.rss_mb > 1.0, "{s:?}");
        assert!((0.0..=100.0).contains(&s.cpu_percent), "{s:?}");
    }
}
