//! PLACEHOLDER — being written (downbeats and meter from the beats).

use super::BeatGrid;
use crate::audio::chroma::Chroma;
use crate::audio::onset::OnsetEnvelope;

/// The beat grid of `beats` (seconds): meter, downbeats, bar numbers.
pub fn grid(beats: &[f64], env: &OnsetEnvelope, chroma: &Chroma) -> BeatGrid {
    let _ = (beats, env, chroma);
    BeatGrid::default()
}
