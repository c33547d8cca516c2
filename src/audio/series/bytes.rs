//! [`Series`] to bytes and back. Layout: the magic tag, the format version
//! (u16), the kind (u8), then the series' fields in the primitives of the
//! artifact format (`byte_cursor`). Loudness values are hundredths of a
//! LU in an i16 (`i16::MIN` for silence), waveform values 1/32767 of full
//! scale, beat times tenths of a millisecond in a u32.

use super::waveform::Lane;
use super::{
    Beat, BeatGrid, KeyCurve, KeySegment, KeyWindow, LoudnessCurve, Series, SeriesKind, TempoCurve,
    Waveform,
};
use crate::audio::byte_cursor::{ByteReader, ByteWriter};

pub use crate::audio::artifact_error::ArtifactBytesError as SeriesBytesError;

/// First bytes of every series blob.
pub const SERIES_MAGIC: [u8; 4] = *b"WSSE";
/// Version of the layout; a blob of another version is refused.
pub const SERIES_FORMAT_VERSION: u16 = 1;

type Read<T> = Result<T, SeriesBytesError>;

impl Series {
    /// The series as a compact blob.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = ByteWriter::with_capacity(64);
        w.raw(&SERIES_MAGIC);
        w.u16(SERIES_FORMAT_VERSION);
        w.u8(SeriesKind::ALL
            .iter()
            .position(|k| *k == self.kind())
            .unwrap_or(0) as u8);
        match self {
            Series::Beats(g) => write_beats(&mut w, g),
            Series::Tempo(t) => write_tempo(&mut w, t),
            Series::Key(k) => write_key(&mut w, k),
            Series::Loudness(l) => write_loudness(&mut w, l),
            Series::Waveform(v) => write_waveform(&mut w, v),
        }
        w.finish()
    }

    /// Reads a blob of [`Series::to_bytes`]; never panics.
    pub fn from_bytes(bytes: &[u8]) -> Read<Series> {
        let mut r = ByteReader::new(bytes);
        let found = r.array::<4>("magic")?;
        if found != SERIES_MAGIC {
            return Err(SeriesBytesError::BadMagic { found });
        }
        let version = r.u16("version")?;
        if version != SERIES_FORMAT_VERSION {
            return Err(SeriesBytesError::UnsupportedVersion {
                found: version,
                supported: SERIES_FORMAT_VERSION,
            });
        }
        let tag = r.u8("kind")?;
        let kind = SeriesKind::ALL
            .get(usize::from(tag))
            .ok_or(SeriesBytesError::BadTag { field: "kind", tag })?;
        let series = match kind {
            SeriesKind::Beats => Series::Beats(read_beats(&mut r)?),
            SeriesKind::Tempo => Series::Tempo(read_tempo(&mut r)?),
            SeriesKind::Key => Series::Key(read_key(&mut r)?),
            SeriesKind::Loudness => Series::Loudness(read_loudness(&mut r)?),
            SeriesKind::Waveform => Series::Waveform(read_waveform(&mut r)?),
        };
        r.finish()?;
        Ok(series)
    }
}

fn write_beats(w: &mut ByteWriter, g: &BeatGrid) {
    w.u8(g.meter);
    w.f64(g.meter_confidence);
    w.u64(g.beats.len() as u64);
    for b in &g.beats {
        w.u32(
            (b.time_s.max(0.0) * 10_000.0)
                .round()
                .min(f64::from(u32::MAX)) as u32,
        );
        w.u8(b.position);
    }
}

fn read_beats(r: &mut ByteReader<'_>) -> Read<BeatGrid> {
    let meter = r.u8("meter")?;
    let meter_confidence = r.f64("meter_confidence")?;
    let n = r.count("beats", 5)?;
    let mut beats = Vec::with_capacity(n);
    // Bars count from the first downbeat; beats before it are bar 0.
    let mut bar = 0u32;
    for _ in 0..n {
        let time_s = f64::from(r.u32("beat time")?) / 10_000.0;
        let position = r.u8("beat position")?;
        if position == 1 {
            bar += 1;
        }
        beats.push(Beat {
            time_s,
            bar,
            position,
        });
    }
    Ok(BeatGrid {
        beats,
        meter,
        meter_confidence,
    })
}

fn write_tempo(w: &mut ByteWriter, t: &TempoCurve) {
    w.f64(t.window_s);
    w.f64(t.hop_s);
    w.f64(t.start_s);
    w.f32s(&t.bpm);
    w.f32s(&t.strength);
    w.bool(t.variable);
}

fn read_tempo(r: &mut ByteReader<'_>) -> Read<TempoCurve> {
    Ok(TempoCurve {
        window_s: r.f64("window")?,
        hop_s: r.f64("hop")?,
        start_s: r.f64("start")?,
        bpm: r.f32s("bpm")?,
        strength: r.f32s("strength")?,
        variable: r.bool("variable")?,
    })
}

fn write_key(w: &mut ByteWriter, k: &KeyCurve) {
    w.f64(k.window_s);
    w.f64(k.hop_s);
    w.u64(k.windows.len() as u64);
    for win in &k.windows {
        w.f32(win.time_s as f32);
        w.u8(win.key);
        w.f32(win.strength);
    }
    w.u64(k.segments.len() as u64);
    for s in &k.segments {
        w.f64(s.start_s);
        w.f64(s.end_s);
        w.u8(s.key);
        w.f32(s.strength);
    }
}

fn read_key(r: &mut ByteReader<'_>) -> Read<KeyCurve> {
    let window_s = r.f64("window")?;
    let hop_s = r.f64("hop")?;
    let n = r.count("key windows", 9)?;
    let mut windows = Vec::with_capacity(n);
    for _ in 0..n {
        windows.push(KeyWindow {
            time_s: f64::from(r.f32("window time")?),
            key: r.u8("window key")?,
            strength: r.f32("window strength")?,
        });
    }
    let n = r.count("key segments", 21)?;
    let mut segments = Vec::with_capacity(n);
    for _ in 0..n {
        segments.push(KeySegment {
            start_s: r.f64("segment start")?,
            end_s: r.f64("segment end")?,
            key: r.u8("segment key")?,
            strength: r.f32("segment strength")?,
        });
    }
    Ok(KeyCurve {
        window_s,
        hop_s,
        windows,
        segments,
    })
}

/// Hundredths of a dB; `i16::MIN` is minus infinity.
fn centi(values: &[f32]) -> Vec<i16> {
    values
        .iter()
        .map(|&v| {
            if v.is_finite() {
                (v * 100.0).round().clamp(-32_767.0, 32_767.0) as i16
            } else {
                i16::MIN
            }
        })
        .collect()
}

fn from_centi(values: Vec<i16>) -> Vec<f32> {
    values
        .into_iter()
        .map(|v| {
            if v == i16::MIN {
                f32::NEG_INFINITY
            } else {
                f32::from(v) / 100.0
            }
        })
        .collect()
}

fn write_loudness(w: &mut ByteWriter, l: &LoudnessCurve) {
    w.bool(l.true_peak);
    w.i16s(&centi(&l.momentary));
    w.i16s(&centi(&l.short_term));
    w.i16s(&centi(&l.peak));
}

fn read_loudness(r: &mut ByteReader<'_>) -> Read<LoudnessCurve> {
    Ok(LoudnessCurve {
        true_peak: r.bool("true_peak")?,
        momentary: from_centi(r.i16s("momentary")?),
        short_term: from_centi(r.i16s("short_term")?),
        peak: from_centi(r.i16s("peak")?),
    })
}

fn write_waveform(w: &mut ByteWriter, v: &Waveform) {
    w.f64(v.column_s);
    w.u8(v.lanes.len() as u8);
    for lane in &v.lanes {
        w.i16s(&lane.min);
        w.i16s(&lane.max);
        w.i16s(&lane.rms);
    }
}

fn read_waveform(r: &mut ByteReader<'_>) -> Read<Waveform> {
    let column_s = r.f64("column")?;
    let n = r.u8("lanes")?;
    let mut lanes = Vec::with_capacity(usize::from(n));
    for _ in 0..n {
        lanes.push(Lane {
            min: r.i16s("min")?,
            max: r.i16s("max")?,
            rms: r.i16s("rms")?,
        });
    }
    Ok(Waveform { column_s, lanes })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn samples() -> Vec<Series> {
        let grid = BeatGrid {
            beats: (0u32..9)
                .map(|i| Beat {
                    time_s: 0.25 + 0.5 * f64::from(i),
                    bar: i.div_ceil(4),
                    position: ((i + 3) % 4 + 1) as u8,
                })
                .collect(),
            meter: 4,
            meter_confidence: 0.75,
        };
        let tempo = TempoCurve {
            window_s: 8.0,
            hop_s: 2.0,
            start_s: 4.0,
            bpm: vec![120.0, f32::NAN, 121.5],
            strength: vec![0.9, 0.0, 0.8],
            variable: true,
        };
        let key = KeyCurve {
            window_s: 12.0,
            hop_s: 3.0,
            windows: vec![KeyWindow {
                time_s: 6.0,
                key: 19,
                strength: 0.5,
            }],
            segments: vec![KeySegment {
                start_s: 0.0,
                end_s: 30.0,
                key: 19,
                strength: 0.5,
            }],
        };
        let loud = LoudnessCurve {
            momentary: vec![f32::NEG_INFINITY, -23.25, -18.0],
            short_term: vec![-30.5, -20.01],
            peak: vec![-1.5],
            true_peak: true,
        };
        let wave = Waveform {
            column_s: 0.02,
            lanes: vec![Lane {
                min: vec![-5, -32767],
                max: vec![7, 32767],
                rms: vec![3, 20000],
            }],
        };
        vec![
            Series::Beats(grid),
            Series::Tempo(tempo),
            Series::Key(key),
            Series::Loudness(loud),
            Series::Waveform(wave),
        ]
    }

    #[test]
    fn every_kind_round_trips() {
        for s in samples() {
            let back = Series::from_bytes(&s.to_bytes()).unwrap();
            assert_eq!(back.kind(), s.kind());
            match (&s, &back) {
                // NaN is not equal to itself: compare the bits.
                (Series::Tempo(a), Series::Tempo(b)) => {
                    let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
                    assert_eq!(bits(&a.bpm), bits(&b.bpm));
                    assert_eq!(a.variable, b.variable);
                }
                _ => assert_eq!(back, s),
            }
        }
    }

    #[test]
    fn damaged_blobs_are_refused_not_read() {
        for s in samples() {
            let bytes = s.to_bytes();
            for cut in 0..bytes.len() {
                assert!(Series::from_bytes(&bytes[..cut]).is_err());
            }
        }
        let mut bytes = samples()[0].to_bytes();
        bytes[6] = 99;
        assert!(Series::from_bytes(&bytes).is_err());
    }
}
