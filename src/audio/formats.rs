//! The format registry: our readers for the WAV family and for FLAC with
//! blocks symphonia refuses, ahead of symphonia's own readers.

use std::sync::LazyLock;

use symphonia::core::common::Tier;
use symphonia::core::formats::probe::Probe;

use super::flac_blocks::LenientFlacReader;
use super::riff::WaveReader;

/// Every container we read. [`WaveReader`] (RIFF, RF64, BW64, Wave64) and
/// [`LenientFlacReader`] are preferred; symphonia's readers take the rest
/// (and WAV or FLAC files that ours decline).
pub fn probe() -> &'static Probe {
    static PROBE: LazyLock<Probe> = LazyLock::new(|| {
        let mut probe = Probe::default();
        probe.register_format_at_tier::<WaveReader<'_>>(Tier::Preferred);
        probe.register_format_at_tier::<LenientFlacReader<'_>>(Tier::Preferred);
        symphonia::default::register_enabled_formats(&mut probe);
        probe
    });
    &PROBE
}
