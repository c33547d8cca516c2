//! The decode pass: one streaming read of a file into every block-level
//! analysis, leaving compact artifacts (levels, spectral statistics, onset
//! envelope, chroma frames) for the estimators.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use serde::Serialize;

use super::AnalysisOptions;
use super::chroma::{Chroma, ChromaExtractor};
use super::decimate::Decimator;
use super::decode::AudioStream;
use super::error::AudioError;
use super::loudness::{LoudnessMeter, LoudnessReport};
use super::onset::{OnsetDetector, OnsetEnvelope};
use super::series::waveform::WaveformBuilder;
use super::series::{LoudnessCurve, Waveform};
use super::spectral::{SpectralAnalyzer, SpectralReport};

/// Format facts and decoding counters.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Facts {
    /// Seconds of audio decoded.
    pub duration_s: f64,
    /// Sample rate, Hz.
    pub sample_rate: u32,
    /// Channels.
    pub channels: usize,
    /// Codec short name.
    pub codec: String,
    /// Container short name.
    pub container: String,
    /// Bits per sample, where the codec has one.
    pub bit_depth: Option<u32>,
    /// Frames decoded.
    pub frames: u64,
    /// Packets skipped as unreadable.
    pub bad_packets: u64,
    /// Why the results do not cover the whole file, if they do not
    /// (truncated, unreadable packets, corrupt gaps): they cover what decoded.
    pub partial: Option<String>,
    /// Decoding stopped at `AnalysisOptions::max_seconds`, before the end.
    pub excerpt: bool,
}

/// Everything the estimators need, small whatever the file's length.
#[derive(Debug, Clone, PartialEq)]
pub struct Artifacts {
    /// Format facts.
    pub facts: Facts,
    /// Loudness and levels.
    pub loudness: LoudnessReport,
    /// Spectral statistics.
    pub spectral: SpectralReport,
    /// Onset-strength envelope (~86 values per second).
    pub onset: OnsetEnvelope,
    /// Chroma frames (~5 per second).
    pub chroma: Chroma,
    /// The waveform overview. Kept as a series of the decode node in the
    /// library, not in the artifacts' bytes (empty when read back).
    pub waveform: Waveform,
    /// Loudness over time; a series as `waveform` is.
    pub loudness_curve: LoudnessCurve,
}

/// Decodes `path` once, feeding every block to the analyses. Checks
/// `cancel` between blocks.
pub fn decode_pass(
    path: &Path,
    opts: &AnalysisOptions,
    cancel: &AtomicBool,
) -> Result<Artifacts, AudioError> {
    decode_pass_until(path, opts, || cancel.load(Ordering::Relaxed))
}

/// `decode_pass` with any cancellation check, called between blocks (a
/// pipeline stage passes its token's `is_cancelled`).
pub fn decode_pass_until(
    path: &Path,
    opts: &AnalysisOptions,
    is_cancelled: impl Fn() -> bool,
) -> Result<Artifacts, AudioError> {
    let mut stream = AudioStream::open(path)?;
    // Rate and channels are known for sure only after the first block.
    let mut state: Option<Pass> = None;
    let limit = opts.max_seconds.map(|s| s.max(0.0));
    let mut excerpt = false;
    while let Some(block) = stream.next_block()? {
        if is_cancelled() {
            return Err(AudioError::Cancelled {
                path: path.to_path_buf(),
            });
        }
        let pass = match state.as_mut() {
            Some(p) => p,
            None => state.insert(Pass::new(block.rate, block.channels, opts)),
        };
        pass.push(block.interleaved, block.mono);
        if let Some(limit) = limit
            && stream.stats().frames as f64 >= limit * f64::from(stream.info().sample_rate.max(1))
        {
            excerpt = true;
            break;
        }
    }
    let stats = stream.stats().clone();
    let info = stream.info().clone();
    let Some(pass) = state else {
        let reason = stats.partial.clone().unwrap_or_else(|| {
            if stats.bad_packets > 0 {
                format!("all {} packets were unreadable", stats.bad_packets)
            } else {
                "the stream holds zero frames".to_string()
            }
        });
        return Err(AudioError::NoAudio {
            path: path.to_path_buf(),
            reason,
        });
    };
    let facts = Facts {
        duration_s: stats.frames as f64 / f64::from(info.sample_rate.max(1)),
        sample_rate: info.sample_rate,
        channels: info.channels,
        codec: info.codec,
        container: info.container,
        bit_depth: info.bit_depth,
        frames: stats.frames,
        bad_packets: stats.bad_packets,
        partial: stats.damage(),
        excerpt,
    };
    Ok(pass.finish(facts))
}

/// The same pass over samples already in memory (tests, generated audio,
/// audio from elsewhere). `None` when there is not a single frame.
pub fn pcm_pass(
    interleaved: &[f32],
    channels: usize,
    rate: u32,
    opts: &AnalysisOptions,
) -> Option<Artifacts> {
    if channels == 0 || interleaved.len() < channels || rate == 0 {
        return None;
    }
    let mut pass = Pass::new(rate, channels, opts);
    let mut mono = Vec::new();
    for block in interleaved.chunks(4096 * channels) {
        let block = &block[..block.len() - block.len() % channels];
        super::decode::downmix(block, channels, &mut mono);
        pass.push(block, &mono);
    }
    let frames = (interleaved.len() / channels) as u64;
    let facts = Facts {
        duration_s: frames as f64 / f64::from(rate),
        sample_rate: rate,
        channels,
        codec: "pcm_f32".to_string(),
        container: "memory".to_string(),
        bit_depth: Some(32),
        frames,
        bad_packets: 0,
        partial: None,
        excerpt: false,
    };
    Some(pass.finish(facts))
}

/// The analyses of one pass.
struct Pass {
    loudness: LoudnessMeter,
    spectral: SpectralAnalyzer,
    decimator: Decimator,
    reduced: Vec<f32>,
    onset: OnsetDetector,
    chroma: ChromaExtractor,
    waveform: WaveformBuilder,
}

impl Pass {
    fn new(rate: u32, channels: usize, opts: &AnalysisOptions) -> Self {
        let factor = Decimator::factor_for(rate);
        let analysis_rate = f64::from(rate) / factor as f64;
        Self {
            loudness: LoudnessMeter::new(channels, rate, opts.silence_dbfs, opts.true_peak),
            spectral: SpectralAnalyzer::new(rate),
            decimator: Decimator::new(factor),
            reduced: Vec::new(),
            onset: OnsetDetector::new(analysis_rate),
            chroma: ChromaExtractor::new(analysis_rate),
            waveform: WaveformBuilder::new(rate, channels),
        }
    }

    fn push(&mut self, interleaved: &[f32], mono: &[f32]) {
        self.loudness.push(interleaved);
        self.waveform.push(interleaved, mono);
        self.spectral.push(mono);
        self.reduced.clear();
        self.decimator.process(mono, &mut self.reduced);
        self.onset.push(&self.reduced);
        self.chroma.push(&self.reduced);
    }

    fn finish(self, facts: Facts) -> Artifacts {
        Artifacts {
            facts,
            loudness: self.loudness.report(),
            loudness_curve: self.loudness.curve(),
            waveform: self.waveform.finish(),
            spectral: self.spectral.report(),
            onset: self.onset.finish(),
            chroma: self.chroma.finish(),
        }
    }
}
