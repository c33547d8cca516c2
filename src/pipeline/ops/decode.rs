//! Probe and decode: the only operations that read the file.

use super::{ArtifactStore, check_cancel, input_path, put, stage_error, with_series};
use crate::audio::AnalysisOptions;
use crate::audio::artifacts::decode_pass_until;
use crate::audio::decode::AudioStream;
use crate::audio::series::Series;
use crate::orchestrator::{StageInput, StageOutput, StageResult, StageValues};
use crate::pipeline::fields;

/// Opens the file and reads its format facts: bad files fail here, cheaply.
pub(super) fn probe(input: StageInput) -> StageResult {
    let path = input_path(&input)?;
    // Opening reads only headers: the one unchecked step, and a short one.
    check_cancel(&input)?;
    let stream = AudioStream::open(&path).map_err(|e| stage_error(&e))?;
    check_cancel(&input)?;
    let info = stream.info();
    let mut v = StageValues::new();
    put(&mut v, fields::FILE, path.display().to_string());
    put(&mut v, fields::CODEC, &info.codec);
    put(&mut v, fields::CONTAINER, &info.container);
    put(&mut v, fields::SAMPLE_RATE, info.sample_rate);
    put(&mut v, fields::CHANNELS, info.channels);
    put(&mut v, fields::BIT_DEPTH, info.bit_depth);
    let declared = info
        .declared_frames
        .map(|f| f as f64 / f64::from(info.sample_rate.max(1)));
    put(&mut v, fields::DECLARED_DURATION_S, declared);
    // What the container says, until a full decode measures it.
    put(&mut v, fields::DURATION_S, declared);
    put_tags(&mut v, &path);
    Ok(StageOutput::new(v))
}

/// The file's own tags; unreadable ones are noted, never an error.
fn put_tags(v: &mut StageValues, path: &std::path::Path) {
    match crate::tags::read(path) {
        Ok(Some(t)) => {
            put(v, fields::TITLE, t.title);
            put(v, fields::ARTIST, t.artist);
            put(v, fields::ALBUM, t.album);
            put(v, fields::TAG_BPM, t.bpm);
            put(v, fields::TAG_KEY, t.key);
            put(v, fields::TAG_REPLAYGAIN_DB, t.replaygain_db);
        }
        Ok(None) => {}
        Err(e) => put(v, fields::TAG_ERROR, e),
    }
}

/// The analysis options of a Decode node's parameters.
pub(super) fn options(silence_dbfs: f64, true_peak: bool, excerpt_s: f64) -> AnalysisOptions {
    AnalysisOptions {
        silence_dbfs: silence_dbfs as f32,
        true_peak,
        max_seconds: (excerpt_s > 0.0).then_some(excerpt_s),
        ..AnalysisOptions::default()
    }
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
    let opts = options(silence_dbfs, true_peak, excerpt_s);
    let mut artifacts = decode_pass_until(&path, &opts, || input.cancel.is_cancelled())
        .map_err(|e| stage_error(&e))?;
    let mut v = StageValues::new();
    let f = &artifacts.facts;
    put(&mut v, fields::EXCERPT, f.excerpt);
    if f.excerpt {
        // Levels of an excerpt are not the file's: report only what it is.
        put(&mut v, fields::EXCERPT_S, f.duration_s);
        store.put(input.wave, input.node.clone(), artifacts);
        return Ok(StageOutput::new(v));
    }
    put(&mut v, fields::DURATION_S, f.duration_s);
    put(&mut v, fields::SAMPLE_RATE, f.sample_rate);
    put(&mut v, fields::CHANNELS, f.channels);
    put(&mut v, fields::CODEC, &f.codec);
    put(&mut v, fields::BIT_DEPTH, f.bit_depth);
    put(&mut v, fields::BAD_PACKETS, f.bad_packets);
    put(&mut v, fields::PARTIAL, f.partial.is_some());
    put(&mut v, fields::PARTIAL_REASON, &f.partial);
    let l = &artifacts.loudness;
    put(&mut v, fields::LOUDNESS_LUFS, l.integrated_lufs);
    put(&mut v, fields::LOUDNESS_RANGE_LU, l.range_lu);
    put(&mut v, fields::TRUE_PEAK_DBTP, l.true_peak_dbtp);
    put(&mut v, fields::RMS_DBFS, l.rms_dbfs);
    put(&mut v, fields::PEAK_DBFS, l.peak_dbfs);
    put(&mut v, fields::LEADING_SILENCE_S, l.leading_silence_s);
    put(&mut v, fields::TRAILING_SILENCE_S, l.trailing_silence_s);
    put(&mut v, fields::LOUDNESS_CONFIDENCE, l.confidence);
    // The curves go with the output, not with the artifacts later stages read.
    let waveform = Series::Waveform(std::mem::take(&mut artifacts.waveform));
    let loudness = Series::Loudness(std::mem::take(&mut artifacts.loudness_curve));
    store.put(input.wave, input.node.clone(), artifacts);
    Ok(with_series(StageOutput::new(v), [waveform, loudness]))
}
