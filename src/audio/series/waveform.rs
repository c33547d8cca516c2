//! The waveform overview: min, max and RMS per column, for the mix folded
//! to mono and, for stereo, each channel. Columns start at 10 ms; when a
//! file would need more than [`MAX_COLUMNS`], neighbours merge in pairs and
//! the column doubles, so a file of any length keeps between 4,096 and
//! 8,192 columns (sharp at 4K width) and a 60-minute stereo file stays
//! near 150 kB.

/// Seconds per column to start with.
pub const FIRST_BLOCK_S: f64 = 0.01;
/// Columns before neighbours merge.
pub const MAX_COLUMNS: usize = 8192;

/// One lane of the overview, values in full scale × 32767.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Lane {
    /// Lowest sample per column.
    pub min: Vec<i16>,
    /// Highest sample per column.
    pub max: Vec<i16>,
    /// RMS per column.
    pub rms: Vec<i16>,
}

impl Lane {
    /// Columns in the lane.
    pub fn len(&self) -> usize {
        self.min.len()
    }

    /// Whether the lane has no column.
    pub fn is_empty(&self) -> bool {
        self.min.is_empty()
    }
}

/// The overview of a file.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Waveform {
    /// Seconds per column (the last column may hold less).
    pub column_s: f64,
    /// Lane 0 is the mono fold; for stereo, lanes 1 and 2 are left and right.
    pub lanes: Vec<Lane>,
}

impl Waveform {
    /// Columns in each lane.
    pub fn columns(&self) -> usize {
        self.lanes.first().map_or(0, Lane::len)
    }
}

/// Running min, max and sum of squares of one column of one lane.
#[derive(Debug, Clone, Copy)]
struct Acc {
    min: f32,
    max: f32,
    sum_sq: f64,
}

impl Acc {
    const EMPTY: Acc = Acc {
        min: f32::INFINITY,
        max: f32::NEG_INFINITY,
        sum_sq: 0.0,
    };

    fn merge(self, o: Acc) -> Acc {
        Acc {
            min: self.min.min(o.min),
            max: self.max.max(o.max),
            sum_sq: self.sum_sq + o.sum_sq,
        }
    }
}

/// Builds a [`Waveform`] from the decoder's blocks.
#[derive(Debug)]
pub struct WaveformBuilder {
    rate: f64,
    stereo: bool,
    /// Frames per column now.
    column: usize,
    /// Frames in the open column.
    filled: usize,
    open: [Acc; 3],
    /// Closed columns per lane, with the frames each holds.
    done: [Vec<Acc>; 3],
    frames: Vec<usize>,
}

impl WaveformBuilder {
    /// A builder for `channels` at `rate` Hz.
    pub fn new(rate: u32, channels: usize) -> Self {
        let column = ((f64::from(rate) * FIRST_BLOCK_S).round() as usize).max(1);
        Self {
            rate: f64::from(rate.max(1)),
            stereo: channels == 2,
            column,
            filled: 0,
            open: [Acc::EMPTY; 3],
            done: Default::default(),
            frames: Vec::new(),
        }
    }

    /// Adds a block: `interleaved` frames and their mono fold.
    pub fn push(&mut self, interleaved: &[f32], mono: &[f32]) {
        let mut start = 0;
        while start < mono.len() {
            let n = (self.column - self.filled).min(mono.len() - start);
            self.open[0] = self.open[0].merge(stats(&mono[start..start + n]));
            if self.stereo && interleaved.len() >= 2 * (start + n) {
                let (l, r) = stereo_stats(&interleaved[2 * start..2 * (start + n)]);
                self.open[1] = self.open[1].merge(l);
                self.open[2] = self.open[2].merge(r);
            }
            self.filled += n;
            start += n;
            if self.filled == self.column {
                self.close();
            }
        }
    }

    fn close(&mut self) {
        for (lane, acc) in self.done.iter_mut().zip(&mut self.open) {
            lane.push(std::mem::replace(acc, Acc::EMPTY));
        }
        self.frames.push(self.filled);
        self.filled = 0;
        if self.frames.len() >= MAX_COLUMNS {
            self.halve();
        }
    }

    /// Merges neighbouring columns: half as many, each twice as long.
    fn halve(&mut self) {
        for lane in &mut self.done {
            *lane = lane
                .chunks(2)
                .map(|p| p.iter().fold(Acc::EMPTY, |a, b| a.merge(*b)))
                .collect();
        }
        self.frames = self.frames.chunks(2).map(|p| p.iter().sum()).collect();
        self.column *= 2;
    }

    /// The overview of everything pushed.
    pub fn finish(mut self) -> Waveform {
        // A short last column keeps the column length.
        if self.filled > 0 {
            self.close();
        }
        let lanes = if self.stereo { 3 } else { 1 };
        let column_s = self.column as f64 / self.rate;
        let quantise = |v: f32| (v.clamp(-1.0, 1.0) * 32767.0).round() as i16;
        let lanes = self.done[..lanes]
            .iter()
            .map(|accs| Lane {
                min: accs.iter().map(|a| quantise(a.min)).collect(),
                max: accs.iter().map(|a| quantise(a.max)).collect(),
                rms: accs
                    .iter()
                    .zip(&self.frames)
                    .map(|(a, &n)| quantise((a.sum_sq / n.max(1) as f64).sqrt() as f32))
                    .collect(),
            })
            .collect();
        Waveform { column_s, lanes }
    }
}

fn stats(x: &[f32]) -> Acc {
    let (mut min, mut max, mut sum) = (f32::INFINITY, f32::NEG_INFINITY, 0.0f32);
    for &v in x {
        min = min.min(v);
        max = max.max(v);
        sum += v * v;
    }
    Acc {
        min,
        max,
        sum_sq: f64::from(sum),
    }
}

fn stereo_stats(x: &[f32]) -> (Acc, Acc) {
    let mut l = (f32::INFINITY, f32::NEG_INFINITY, 0.0f32);
    let mut r = l;
    for f in x.chunks_exact(2) {
        l = (l.0.min(f[0]), l.1.max(f[0]), l.2 + f[0] * f[0]);
        r = (r.0.min(f[1]), r.1.max(f[1]), r.2 + f[1] * f[1]);
    }
    let acc = |(min, max, s): (f32, f32, f32)| Acc {
        min,
        max,
        sum_sq: f64::from(s),
    };
    (acc(l), acc(r))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stereo(rate: u32, seconds: f64) -> (Vec<f32>, Vec<f32>) {
        let n = (f64::from(rate) * seconds) as usize;
        let mut inter = Vec::with_capacity(2 * n);
        let mut mono = Vec::with_capacity(n);
        for i in 0..n {
            let t = i as f64 / f64::from(rate);
            // Left loud in the first half, right in the second.
            let (l, r) = if t < seconds / 2.0 {
                (0.8, 0.1)
            } else {
                (0.1, 0.5)
            };
            let s = (std::f64::consts::TAU * 440.0 * t).sin();
            inter.push((l * s) as f32);
            inter.push((r * s) as f32);
            mono.push((0.5 * (l + r) * s) as f32);
        }
        (inter, mono)
    }

    #[test]
    fn lanes_show_each_channel_and_the_mix() {
        let (inter, mono) = stereo(44_100, 20.0);
        let mut b = WaveformBuilder::new(44_100, 2);
        for (i, m) in inter.chunks(4096 * 2).zip(mono.chunks(4096)) {
            b.push(i, m);
        }
        let w = b.finish();
        assert_eq!(w.lanes.len(), 3);
        assert_eq!(w.columns(), 2000);
        assert!((w.column_s - 0.01).abs() < 1e-9);
        let full = |v: i16| f64::from(v) / 32767.0;
        // Column 100 (1 s): left at 0.8, right at 0.1, mix at 0.45.
        assert!((full(w.lanes[1].max[100]) - 0.8).abs() < 0.01);
        assert!((full(w.lanes[1].min[100]) + 0.8).abs() < 0.01);
        assert!((full(w.lanes[2].max[100]) - 0.1).abs() < 0.01);
        assert!((full(w.lanes[0].max[100]) - 0.45).abs() < 0.01);
        assert!((full(w.lanes[1].rms[100]) - 0.8 / 2f64.sqrt()).abs() < 0.01);
        // Column 1500 (15 s): the right channel is the loud one.
        assert!((full(w.lanes[2].max[1500]) - 0.5).abs() < 0.01);
    }

    #[test]
    fn a_long_file_keeps_a_bounded_number_of_columns() {
        let rate = 8_000;
        let mut b = WaveformBuilder::new(rate, 1);
        let block = vec![0.25f32; 8_000];
        // 60 minutes.
        for _ in 0..3_600 {
            b.push(&block, &block);
        }
        let w = b.finish();
        assert_eq!(w.lanes.len(), 1);
        assert!(
            (4096..=MAX_COLUMNS).contains(&w.columns()),
            "{}",
            w.columns()
        );
        assert!((w.column_s * w.columns() as f64 - 3_600.0).abs() < w.column_s);
        assert!(
            w.lanes[0]
                .rms
                .iter()
                .all(|&v| (f64::from(v) / 32767.0 - 0.25).abs() < 1e-3)
        );
    }
}
