//! [`Artifacts`] to bytes and back, bit for bit, so a cache can store a
//! decode pass's output (a SQLite BLOB) and a rerun can skip decoding.
//!
//! Layout: the magic tag, the format version (u16), then every field in
//! declaration order. Numbers are little-endian; floats are stored as their
//! exact bits; vectors and strings have a u64 element count before them;
//! an option is a tag byte (0 none, 1 some) then the value; a bool is one
//! byte, 0 or 1.

use super::artifacts::{Artifacts, Facts};
use super::byte_cursor::{ByteReader, ByteWriter};
use super::chroma::Chroma;
use super::loudness::LoudnessReport;
use super::onset::OnsetEnvelope;
use super::series::{LoudnessCurve, Waveform};
use super::spectral::{SpectralReport, Stat};

/// First bytes of every artifact blob.
pub const ARTIFACT_MAGIC: [u8; 4] = *b"WSAR";

/// Version of the byte layout written by [`Artifacts::to_bytes`]. Bump it
/// when the layout changes (a field added, removed or reordered); a blob of
/// another version is refused, and the file is decoded again.
pub const ARTIFACT_FORMAT_VERSION: u16 = 1;

pub use super::artifact_error::ArtifactBytesError;

impl Artifacts {
    /// The artifacts as a compact blob (see the module docs for the layout).
    /// [`Artifacts::from_bytes`] gives back an identical value, bit for bit.
    pub fn to_bytes(&self) -> Vec<u8> {
        let floats = self.onset.values.len() + self.onset.low.len();
        let capacity = 256
            + self.facts.codec.len()
            + self.facts.container.len()
            + self.facts.partial.as_ref().map_or(0, String::len)
            + 4 * floats
            + 48 * self.chroma.frames.len();
        let mut w = ByteWriter::with_capacity(capacity);
        w.raw(&ARTIFACT_MAGIC);
        w.u16(ARTIFACT_FORMAT_VERSION);
        write_facts(&mut w, &self.facts);
        write_loudness(&mut w, &self.loudness);
        write_spectral(&mut w, &self.spectral);
        write_onset(&mut w, &self.onset);
        write_chroma(&mut w, &self.chroma);
        w.finish()
    }

    /// Reads a blob written by [`Artifacts::to_bytes`]. Never panics; a
    /// length prefix larger than the rest of the buffer is an error, so no
    /// allocation exceeds the input's size.
    pub fn from_bytes(bytes: &[u8]) -> Result<Artifacts, ArtifactBytesError> {
        let mut r = ByteReader::new(bytes);
        let found = r.array::<4>("magic")?;
        if found != ARTIFACT_MAGIC {
            return Err(ArtifactBytesError::BadMagic { found });
        }
        let version = r.u16("version")?;
        if version != ARTIFACT_FORMAT_VERSION {
            return Err(ArtifactBytesError::UnsupportedVersion {
                found: version,
                supported: ARTIFACT_FORMAT_VERSION,
            });
        }
        let artifacts = Artifacts {
            facts: read_facts(&mut r)?,
            loudness: read_loudness(&mut r)?,
            spectral: read_spectral(&mut r)?,
            onset: read_onset(&mut r)?,
            chroma: read_chroma(&mut r)?,
            waveform: Waveform::default(),
            loudness_curve: LoudnessCurve::default(),
        };
        r.finish()?;
        Ok(artifacts)
    }
}

type Read<T> = Result<T, ArtifactBytesError>;

fn write_facts(w: &mut ByteWriter, f: &Facts) {
    w.f64(f.duration_s);
    w.u32(f.sample_rate);
    w.u64(f.channels as u64);
    w.str(&f.codec);
    w.str(&f.container);
    w.option(f.bit_depth, ByteWriter::u32);
    w.u64(f.frames);
    w.u64(f.bad_packets);
    w.option(f.partial.as_deref(), ByteWriter::str);
    w.bool(f.excerpt);
}

fn read_facts(r: &mut ByteReader) -> Read<Facts> {
    Ok(Facts {
        duration_s: r.f64("facts.duration_s")?,
        sample_rate: r.u32("facts.sample_rate")?,
        channels: r.usize("facts.channels")?,
        codec: r.string("facts.codec")?,
        container: r.string("facts.container")?,
        bit_depth: r.option("facts.bit_depth", ByteReader::u32)?,
        frames: r.u64("facts.frames")?,
        bad_packets: r.u64("facts.bad_packets")?,
        partial: r.option("facts.partial", ByteReader::string)?,
        excerpt: r.bool("facts.excerpt")?,
    })
}

fn write_loudness(w: &mut ByteWriter, l: &LoudnessReport) {
    w.option(l.integrated_lufs, ByteWriter::f64);
    w.option(l.range_lu, ByteWriter::f64);
    w.option(l.true_peak_dbtp, ByteWriter::f64);
    w.option(l.rms_dbfs, ByteWriter::f64);
    w.option(l.peak_dbfs, ByteWriter::f64);
    w.f64(l.leading_silence_s);
    w.f64(l.trailing_silence_s);
    w.f64(l.confidence);
}

fn read_loudness(r: &mut ByteReader) -> Read<LoudnessReport> {
    Ok(LoudnessReport {
        integrated_lufs: r.option("loudness.integrated_lufs", ByteReader::f64)?,
        range_lu: r.option("loudness.range_lu", ByteReader::f64)?,
        true_peak_dbtp: r.option("loudness.true_peak_dbtp", ByteReader::f64)?,
        rms_dbfs: r.option("loudness.rms_dbfs", ByteReader::f64)?,
        peak_dbfs: r.option("loudness.peak_dbfs", ByteReader::f64)?,
        leading_silence_s: r.f64("loudness.leading_silence_s")?,
        trailing_silence_s: r.f64("loudness.trailing_silence_s")?,
        confidence: r.f64("loudness.confidence")?,
    })
}

fn write_spectral(w: &mut ByteWriter, s: &SpectralReport) {
    for stat in [s.centroid_hz, s.rolloff_hz, s.flatness, s.flux, s.zcr] {
        w.f64(stat.mean);
        w.f64(stat.std);
    }
    w.u64(s.frames);
    w.f64(s.confidence);
}

fn read_stat(r: &mut ByteReader, field: &'static str) -> Read<Stat> {
    Ok(Stat {
        mean: r.f64(field)?,
        std: r.f64(field)?,
    })
}

fn read_spectral(r: &mut ByteReader) -> Read<SpectralReport> {
    Ok(SpectralReport {
        centroid_hz: read_stat(r, "spectral.centroid_hz")?,
        rolloff_hz: read_stat(r, "spectral.rolloff_hz")?,
        flatness: read_stat(r, "spectral.flatness")?,
        flux: read_stat(r, "spectral.flux")?,
        zcr: read_stat(r, "spectral.zcr")?,
        frames: r.u64("spectral.frames")?,
        confidence: r.f64("spectral.confidence")?,
    })
}

fn write_onset(w: &mut ByteWriter, o: &OnsetEnvelope) {
    w.f32s(&o.values);
    w.f32s(&o.low);
    w.f64(o.frame_rate);
    w.f64(o.offset_s);
}

fn read_onset(r: &mut ByteReader) -> Read<OnsetEnvelope> {
    Ok(OnsetEnvelope {
        values: r.f32s("onset.values")?,
        low: r.f32s("onset.low")?,
        frame_rate: r.f64("onset.frame_rate")?,
        offset_s: r.f64("onset.offset_s")?,
    })
}

fn write_chroma(w: &mut ByteWriter, c: &Chroma) {
    w.frames(&c.frames);
    w.f64(c.frame_rate);
    w.f64(c.tuning_semitones);
}

fn read_chroma(r: &mut ByteReader) -> Read<Chroma> {
    Ok(Chroma {
        frames: r.frames("chroma.frames")?,
        frame_rate: r.f64("chroma.frame_rate")?,
        tuning_semitones: r.f64("chroma.tuning_semitones")?,
    })
}

#[cfg(test)]
mod tests;
