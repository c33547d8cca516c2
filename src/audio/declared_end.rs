//! Gapless end trimming for MPEG audio that survives a wrong frame count.
//!
//! Symphonia's MP1/MP2/MP3 reader trims every packet against the frame
//! count of the Xing/Info (or VBRI) header: packets past that count are
//! marked `trim_end` and the decoder returns them empty. The count is only
//! as good as the encoder's last write: ffmpeg writes 0 there first and
//! fills it in when it finishes, so a file read while it is being encoded,
//! an interrupted encode, or frames appended later, decode to nothing (or
//! to a silently cut prefix) though every frame is intact. Here the frames
//! past the declared end are held back instead of dropped: dropped if the
//! stream ends within the declared padding (the count was right), delivered
//! if it goes on (the count was wrong).

/// Frames of one MPEG audio frame at most (Layer II/III, MPEG-1): slack for
/// counts that include or omit the header frame itself.
const FRAME_SLACK: u64 = 1152;

/// The frames past the declared end, held back until the stream says
/// whether they are padding.
#[derive(Debug, Default)]
pub struct DeclaredEnd {
    /// Held frames, interleaved.
    tail: Vec<f32>,
    /// Frames in `tail`.
    held: u64,
    /// Frames allowed past the declared end before the count is wrong:
    /// the declared padding plus one MPEG frame.
    allowance: u64,
    /// The stream went on past the allowance: deliver everything.
    disproved: bool,
}

impl DeclaredEnd {
    /// A guard for a track that declares `padding` frames of encoder
    /// padding after its counted frames.
    pub fn new(padding: u32) -> Self {
        Self {
            allowance: u64::from(padding) + FRAME_SLACK,
            ..Self::default()
        }
    }

    /// Takes one decoded packet whose last `past_end` frames lie past the
    /// declared end. Holds those back and leaves in `interleaved` what is
    /// due now. Returns true when this packet proved the declared count
    /// wrong: then the held frames are put back in front and nothing is
    /// held from here on.
    pub fn hold(&mut self, interleaved: &mut Vec<f32>, channels: usize, past_end: u64) -> bool {
        if self.disproved || channels == 0 {
            return false;
        }
        let frames = (interleaved.len() / channels) as u64;
        let past = past_end.min(frames);
        // Audio before the declared end after held frames cannot be padding.
        let out_of_order = self.held > 0 && past < frames;
        if self.held + past > self.allowance || out_of_order {
            interleaved.splice(0..0, self.tail.drain(..));
            self.held = 0;
            self.disproved = true;
            return true;
        }
        let keep = usize::try_from(frames - past).unwrap_or(0) * channels;
        self.tail.extend_from_slice(&interleaved[keep..]);
        interleaved.truncate(keep);
        self.held += past;
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `n` stereo frames numbered from `first` (both channels the same).
    fn frames(first: u32, n: u32) -> Vec<f32> {
        (first..first + n).flat_map(|i| [i as f32; 2]).collect()
    }

    #[test]
    fn padding_within_the_allowance_is_held_back() {
        let mut g = DeclaredEnd::new(1000);
        let mut a = frames(0, 1152);
        assert!(!g.hold(&mut a, 2, 0));
        assert_eq!(a.len(), 1152 * 2);
        // The last 700 frames of this packet, then a whole packet, lie past
        // the end: 1852 frames <= 1000 + 1152.
        let mut b = frames(1152, 1152);
        assert!(!g.hold(&mut b, 2, 700));
        assert_eq!(b, frames(1152, 452));
        let mut c = frames(2304, 1152);
        assert!(!g.hold(&mut c, 2, 1152));
        assert!(c.is_empty());
        assert_eq!(g.held, 1852);
    }

    #[test]
    fn a_stream_that_goes_on_gets_its_held_frames_back_in_order() {
        // A count of zero: everything lies past the declared end.
        let mut g = DeclaredEnd::new(0);
        let mut a = frames(0, 1152);
        assert!(!g.hold(&mut a, 2, 1152));
        assert!(a.is_empty());
        let mut b = frames(1152, 1152);
        assert!(g.hold(&mut b, 2, 1152));
        assert_eq!(b, frames(0, 2304));
        assert_eq!(g.held, 0);
        // From now on every frame is delivered.
        let mut c = frames(2304, 1152);
        assert!(!g.hold(&mut c, 2, 1152));
        assert_eq!(c, frames(2304, 1152));
    }

    #[test]
    fn audio_after_held_frames_releases_them() {
        let mut g = DeclaredEnd::new(2000);
        let mut a = frames(0, 1152);
        assert!(!g.hold(&mut a, 2, 100));
        let mut b = frames(1152, 1152);
        assert!(g.hold(&mut b, 2, 0));
        assert_eq!(b, frames(1052, 1252));
    }
}
