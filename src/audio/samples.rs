//! Sample hygiene and channel mixing for decoded blocks.

/// Replaces NaN and infinities (float WAVs can hold them) with silence and
/// clamps to a sane range, so no analysis sees a non-finite sample.
pub fn sanitize(samples: &mut [f32]) {
    for s in samples {
        if !s.is_finite() {
            *s = 0.0;
        } else {
            *s = s.clamp(-16.0, 16.0);
        }
    }
}

/// Averages the channels of `interleaved` into `mono` (resized to fit).
pub fn downmix(interleaved: &[f32], channels: usize, mono: &mut Vec<f32>) {
    mono.clear();
    match channels {
        0 => {}
        1 => mono.extend_from_slice(interleaved),
        2 => mono.extend(interleaved.chunks_exact(2).map(|f| 0.5 * (f[0] + f[1]))),
        n => {
            let scale = 1.0 / n as f32;
            mono.extend(
                interleaved
                    .chunks_exact(n)
                    .map(|f| f.iter().sum::<f32>() * scale),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn downmix_averages_and_sanitize_cleans() {
        let mut mono = Vec::new();
        downmix(&[1.0, 0.0, 0.5, 0.5], 2, &mut mono);
        assert_eq!(mono, vec![0.5, 0.5]);
        downmix(&[0.3, 0.3, 0.3], 3, &mut mono);
        assert!((mono[0] - 0.3).abs() < 1e-6);
        let mut x = [f32::NAN, f32::INFINITY, 100.0, -0.5];
        sanitize(&mut x);
        assert_eq!(x, [0.0, 0.0, 16.0, -0.5]);
    }
}
