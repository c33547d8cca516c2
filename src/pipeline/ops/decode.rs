//! Probe and decode: the only operations that read the file.

use super::{ArtifactStore, check_cancel, input_path, put, stage_error};
use crate::audio::AnalysisOptions;
use crate::audio::artifacts::decode_pass_until;
use crate::audio::decode::AudioStream;
use crate::orchestrator::{StageInput, StageOutput, StageResult, StageValues};

/// Opens the file and reads its format facts: bad files fail here, cheaply.
pub(super) fn probe(input: StageInput) -> StageResult {
    let path = input_path(&input)?;
    // Opening reads only headers: the one unchecked step, and a short one.
    check_cancel(&input)?;
    let stream = AudioStream::open(&path).map_err(|e| stage_error(&e))?;
    check_cancel(&input)?;
    let info = stream.info();
    let mut v = StageValues::new();
    put(&mut v, "file", path.display().to_string());
    put(&mut v, "codec", &info.codec);
    put(&mut v, "container", &info.container);
    put(&mut v, "sample_rate", info.sample_rate);
    put(&mut v, "channels", info.channels);
    put(&mut v, "bit_depth", info.bit_depth);
    let declared = info
        .declared_frames
        .map(|f| f as f64 / f64::from(info.sample_rate.max(1)));
    put(&mut v, "declared_duration_s", declared);
    // What the container says, until a full decode measures it.
    put(&mut v, "duration_s", declared);
    Ok(StageOutput::new(v))
}

/// The one streaming decode pass: levels and loudness now, artifacts for
/// the later stages in the store.
pub(super) fn decode(
    input: &StageInput,
    store: &ArtifactStore,
    silence_dbfs: f64,
    true_peak: bool,
    excerpt_s: f64,
) -> StageResult {
    let path = input_path(input)?;
    let opts = AnalysisOptions {
        silence_dbfs: silence_dbfs as f32,
        true_peak,
        max_seconds: (excerpt_s > 0.0).then_some(excerpt_s),
        ..AnalysisOptions::default()
    };
    let artifacts = decode_pass_until(&path, &opts, || input.cancel.is_cancelled())
        .map_err(|e| stage_error(&e))?;
    let mut v = StageValues::new();
    let f = &artifacts.facts;
    put(&mut v, "excerpt", f.excerpt);
    if f.excerpt {
        // Levels of an excerpt are not the file's: report only what it is.
        put(&mut v, "excerpt_s", f.duration_s);
        store.put(input.wave, artifacts);
        return Ok(StageOutput::new(v));
    }
    put(&mut v, "duration_s", f.duration_s);
    put(&mut v, "sample_rate", f.sample_rate);
    put(&mut v, "channels", f.channels);
    put(&mut v, "codec", &f.codec);
    put(&mut v, "bit_depth", f.bit_depth);
    put(&mut v, "bad_packets", f.bad_packets);
    put(&mut v, "partial", f.partial.is_some());
    put(&mut v, "partial_reason", &f.partial);
    let l = &artifacts.loudness;
    put(&mut v, "loudness_lufs", l.integrated_lufs);
    put(&mut v, "loudness_range_lu", l.range_lu);
    put(&mut v, "true_peak_dbtp", l.true_peak_dbtp);
    put(&mut v, "rms_dbfs", l.rms_dbfs);
    put(&mut v, "peak_dbfs", l.peak_dbfs);
    put(&mut v, "leading_silence_s", l.leading_silence_s);
    put(&mut v, "trailing_silence_s", l.trailing_silence_s);
    put(&mut v, "loudness_confidence", l.confidence);
    store.put(input.wave, artifacts);
    Ok(StageOutput::new(v))
}
