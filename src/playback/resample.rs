//! Streaming linear-interpolation resampling and channel mapping from the
//! file's format to the output device's: a preview for checking a grid by
//! ear, not a mastering converter.

/// Converts interleaved blocks at `from` Hz with `in_channels` to `to` Hz
/// with `out_channels`, carrying its phase across blocks.
#[derive(Debug, Clone)]
pub struct Resampler {
    step: f64,
    in_channels: usize,
    out_channels: usize,
    /// Position of the next output frame, in input frames from `last`.
    pos: f64,
    /// The last input frame of the previous block.
    last: Vec<f32>,
}

impl Resampler {
    /// A resampler between the two formats.
    pub fn new(from: u32, to: u32, in_channels: usize, out_channels: usize) -> Self {
        Self {
            step: f64::from(from.max(1)) / f64::from(to.max(1)),
            in_channels: in_channels.max(1),
            out_channels: out_channels.max(1),
            pos: 0.0,
            last: Vec::new(),
        }
    }

    /// Output frames for one input block (appended to `out`).
    pub fn process(&mut self, input: &[f32], out: &mut Vec<f32>) {
        let ic = self.in_channels;
        let frames = input.len() / ic;
        if frames == 0 {
            return;
        }
        let at = |i: isize, c: usize| -> f32 {
            if i < 0 {
                self.last.get(c).copied().unwrap_or(input[c])
            } else {
                input[i as usize * ic + c]
            }
        };
        // Frame -1 is the previous block's last frame.
        while self.pos <= (frames - 1) as f64 {
            let base = self.pos.floor();
            let frac = (self.pos - base) as f32;
            let i = base as isize - 1;
            let frame: Vec<f32> = (0..ic)
                .map(|c| at(i, c) + (at(i + 1, c) - at(i, c)) * frac)
                .collect();
            push_mapped(&frame, self.out_channels, out);
            self.pos += self.step;
        }
        self.pos -= frames as f64;
        self.last = input[(frames - 1) * ic..frames * ic].to_vec();
    }
}

/// One frame in `out_channels`: mono spread to all, stereo kept (and
/// folded to mono for a mono device), extra output channels silent.
fn push_mapped(frame: &[f32], out_channels: usize, out: &mut Vec<f32>) {
    match (frame.len(), out_channels) {
        (_, 1) => out.push(frame.iter().sum::<f32>() / frame.len() as f32),
        (1, n) => out.extend(std::iter::repeat_n(frame[0], n)),
        (_, n) => out.extend((0..n).map(|c| frame.get(c).copied().unwrap_or(0.0))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Zero crossings per second of channel 0 of `x` at `rate`.
    fn crossings(x: &[f32], channels: usize, rate: f64) -> f64 {
        let ch: Vec<f32> = x.iter().step_by(channels).copied().collect();
        let n = ch
            .windows(2)
            .filter(|w| (w[0] < 0.0) != (w[1] < 0.0))
            .count();
        n as f64 / (ch.len() as f64 / rate)
    }

    #[test]
    fn a_tone_keeps_its_pitch_and_length_across_blocks() {
        let tone: Vec<f32> = (0..44_100)
            .map(|i| (std::f64::consts::TAU * 1000.0 * f64::from(i) / 44_100.0).sin() as f32)
            .collect();
        let mut r = Resampler::new(44_100, 48_000, 1, 2);
        let mut out = Vec::new();
        for block in tone.chunks(1000) {
            r.process(block, &mut out);
        }
        let frames = out.len() / 2;
        assert!((frames as i64 - 48_000).abs() <= 2, "{frames}");
        let z = crossings(&out, 2, 48_000.0);
        assert!((z - 2000.0).abs() < 10.0, "{z} crossings a second");
        assert_eq!(out[101], out[100], "mono spread to both channels");
    }

    #[test]
    fn stereo_folds_to_a_mono_device() {
        let mut r = Resampler::new(48_000, 48_000, 2, 1);
        let mut out = Vec::new();
        r.process(&[1.0, 0.0, 0.5, 0.5], &mut out);
        assert_eq!(out, vec![0.5, 0.5]);
    }
}
