//! PLACEHOLDER — being written (local tempo per window).

use super::TempoCurve;
use crate::audio::onset::OnsetEnvelope;

/// Local tempo per window at `file_bpm`'s metrical level.
pub fn curve(env: &OnsetEnvelope, file_bpm: f64) -> TempoCurve {
    let _ = (env, file_bpm);
    TempoCurve::default()
}
