//! FLAC files with metadata blocks symphonia's FLAC reader refuses: a
//! CUESHEET it judges invalid (CD rips whose lead-out is not a multiple of
//! 588 samples, as `metaflac --import-cuesheet-from` writes with a
//! warning) and APPLICATION blocks (`flac --keep-foreign-metadata`).
//!
//! Neither block matters to decoding, so [`FlacReader`] reads the file
//! through [`PatchedSource`], which presents those two block types as
//! PADDING (type 1) and leaves every other byte as it is. The FLAC format
//! (RFC 9639, section 8) gives every metadata block a 4-byte header: a
//! last-block bit, a 7-bit type, a 24-bit length. The headers are found
//! once when the file is opened, at most [`MAX_BLOCKS`] of them, so the
//! patch list is bounded.

use std::io::{Read, Seek, SeekFrom};

use symphonia::core::errors::Result;
use symphonia::core::formats::probe::{ProbeFormatData, ProbeableFormat, Score, Scoreable};
use symphonia::core::formats::{
    Attachment, FormatInfo, FormatOptions, FormatReader, MediaInfo, SeekMode, SeekTo, SeekedTo,
    Track,
};
use symphonia::core::io::{MediaSource, MediaSourceStream, ReadBytes, ScopedStream, SeekBuffered};
use symphonia::core::meta::{ChapterGroup, Metadata};
use symphonia::core::packet::Packet;
use symphonia::default::formats::FlacReader;

/// Metadata block headers looked at, at most; blocks past them are left
/// to symphonia as they are.
pub const MAX_BLOCKS: usize = 1024;
const TYPE_PADDING: u8 = 1;
const TYPE_APPLICATION: u8 = 2;
const TYPE_CUESHEET: u8 = 5;

/// A source that reads as `inner` from `base` (the `fLaC` marker, after
/// any ID3 tag; position 0 here), except that the header byte of each
/// listed metadata block says PADDING (its last-block bit kept).
pub struct PatchedSource<'s> {
    inner: MediaSourceStream<'s>,
    /// Where this source's position 0 is in `inner`.
    base: u64,
    /// Offsets in `inner` of the header bytes to patch, ascending.
    patches: Vec<u64>,
}

impl Read for PatchedSource<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let pos = self.inner.pos();
        let n = self.inner.read(buf)?;
        let end = pos.saturating_add(n as u64);
        for &at in self.patches.iter().filter(|&&at| at >= pos && at < end) {
            if let Some(byte) = usize::try_from(at - pos).ok().and_then(|i| buf.get_mut(i)) {
                *byte = (*byte & 0x80) | TYPE_PADDING;
            }
        }
        Ok(n)
    }
}

impl Seek for PatchedSource<'_> {
    fn seek(&mut self, pos: SeekFrom) -> std::io::Result<u64> {
        let pos = match pos {
            SeekFrom::Start(p) => SeekFrom::Start(p.saturating_add(self.base)),
            relative => relative,
        };
        Ok(self.inner.seek(pos)?.saturating_sub(self.base))
    }
}

impl MediaSource for PatchedSource<'_> {
    fn is_seekable(&self) -> bool {
        self.inner.is_seekable()
    }

    fn byte_len(&self) -> Option<u64> {
        self.inner
            .byte_len()
            .map(|len| len.saturating_sub(self.base))
    }
}

/// Offsets of the APPLICATION and CUESHEET block headers after the
/// `fLaC` marker at the stream's position; the stream is moved on.
/// Stops quietly at anything unreadable: the FLAC reader reports it.
fn blocks_to_patch(mss: &mut MediaSourceStream<'_>) -> Vec<u64> {
    let mut patches = Vec::new();
    if mss.read_quad_bytes().ok() != Some(*b"fLaC") {
        return patches;
    }
    for _ in 0..MAX_BLOCKS {
        let at = mss.pos();
        let Ok(header) = mss.read_be_u32() else { break };
        let kind = ((header >> 24) & 0x7F) as u8;
        if kind == TYPE_APPLICATION || kind == TYPE_CUESHEET {
            patches.push(at);
        }
        let last = header >> 31 == 1;
        if last || mss.ignore_bytes(u64::from(header & 0x00FF_FFFF)).is_err() {
            break;
        }
    }
    patches
}

/// Symphonia's FLAC reader over a [`PatchedSource`].
pub struct LenientFlacReader<'s> {
    inner: FlacReader<'s>,
}

impl<'s> LenientFlacReader<'s> {
    /// Finds the blocks to present as padding, then opens the FLAC reader
    /// from the same start.
    pub fn try_new(mut mss: MediaSourceStream<'s>, opts: FormatOptions) -> Result<Self> {
        let start = mss.pos();
        let patches = blocks_to_patch(&mut mss);
        if mss.seek_buffered(start) != start {
            mss.seek(SeekFrom::Start(start))?;
        }
        let source = PatchedSource {
            inner: mss,
            base: start,
            patches,
        };
        let mss = MediaSourceStream::new(Box::new(source), Default::default());
        Ok(Self {
            inner: FlacReader::try_new(mss, opts)?,
        })
    }
}

impl Scoreable for LenientFlacReader<'_> {
    fn score(mut src: ScopedStream<&mut MediaSourceStream<'_>>) -> Result<Score> {
        Ok(match src.read_quad_bytes()? {
            [b'f', b'L', b'a', b'C'] => Score::Supported(255),
            _ => Score::Unsupported,
        })
    }
}

impl ProbeableFormat<'_> for LenientFlacReader<'_> {
    fn try_probe_new(
        mss: MediaSourceStream<'_>,
        opts: FormatOptions,
    ) -> Result<Box<dyn FormatReader + '_>> {
        Ok(Box::new(LenientFlacReader::try_new(mss, opts)?))
    }

    fn probe_data() -> &'static [ProbeFormatData] {
        FlacReader::probe_data()
    }
}

impl FormatReader for LenientFlacReader<'_> {
    fn format_info(&self) -> &FormatInfo {
        self.inner.format_info()
    }

    fn media_info(&self) -> &MediaInfo {
        self.inner.media_info()
    }

    fn attachments(&self) -> &[Attachment] {
        self.inner.attachments()
    }

    fn chapters(&self) -> Option<&ChapterGroup> {
        self.inner.chapters()
    }

    fn metadata(&mut self) -> Metadata<'_> {
        self.inner.metadata()
    }

    fn seek(&mut self, mode: SeekMode, to: SeekTo) -> Result<SeekedTo> {
        self.inner.seek(mode, to)
    }

    fn tracks(&self) -> &[Track] {
        self.inner.tracks()
    }

    fn next_packet(&mut self) -> Result<Option<Packet>> {
        self.inner.next_packet()
    }

    fn into_inner<'s>(self: Box<Self>) -> MediaSourceStream<'s>
    where
        Self: 's,
    {
        Box::new(self.inner).into_inner()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    /// `fLaC`, a STREAMINFO-typed block, an APPLICATION block, a CUESHEET
    /// block (last), each with a 2-byte body.
    fn stream() -> Vec<u8> {
        let mut b = b"fLaC".to_vec();
        for (kind, last) in [
            (0u8, false),
            (TYPE_APPLICATION, false),
            (TYPE_CUESHEET, true),
        ] {
            b.push(kind | if last { 0x80 } else { 0 });
            b.extend_from_slice(&[0, 0, 2, 0xAB, 0xCD]);
        }
        b.extend_from_slice(&[0xFF, 0xF8, 1, 2, 3]);
        b
    }

    /// Everything `source` reads, a few bytes at a time so that patches
    /// land at every offset within a read.
    fn read_all(source: &mut PatchedSource<'_>) -> Vec<u8> {
        let (mut read, mut buf) = (Vec::new(), [0u8; 3]);
        loop {
            let n = source.read(&mut buf).unwrap();
            if n == 0 {
                return read;
            }
            read.extend_from_slice(&buf[..n]);
        }
    }

    #[test]
    fn application_and_cuesheet_headers_read_as_padding_and_nothing_else_changes() {
        // Seven bytes before the marker, as an ID3 tag would be.
        let mut original = b"ID3junk".to_vec();
        original.extend_from_slice(&stream());
        let cursor = Box::new(Cursor::new(original.clone()));
        let mut mss = MediaSourceStream::new(cursor, Default::default());
        mss.ignore_bytes(7).unwrap();
        let patches = blocks_to_patch(&mut mss);
        assert_eq!(patches, vec![17, 23]);
        mss.seek(SeekFrom::Start(7)).unwrap();
        let mut source = PatchedSource {
            inner: mss,
            base: 7,
            patches,
        };
        let mut want = original[7..].to_vec();
        want[10] = TYPE_PADDING;
        want[16] = 0x80 | TYPE_PADDING;
        assert_eq!(read_all(&mut source), want);
        // Positions are the FLAC stream's own: 0 is the marker.
        assert_eq!(source.seek(SeekFrom::Start(0)).unwrap(), 0);
        assert_eq!(source.byte_len(), Some(want.len() as u64));
        assert_eq!(read_all(&mut source), want);
    }

    #[test]
    fn a_hostile_block_list_stops_at_the_bound() {
        let mut b = b"fLaC".to_vec();
        // Zero-length APPLICATION blocks, never marked last, past the bound.
        for _ in 0..MAX_BLOCKS + 10 {
            b.extend_from_slice(&[TYPE_APPLICATION, 0, 0, 0]);
        }
        let mut mss = MediaSourceStream::new(Box::new(Cursor::new(b)), Default::default());
        assert_eq!(blocks_to_patch(&mut mss).len(), MAX_BLOCKS);
        let mut mss = MediaSourceStream::new(
            Box::new(Cursor::new(b"fLaC\x02\xff".to_vec())),
            Default::default(),
        );
        assert_eq!(blocks_to_patch(&mut mss), Vec::<u64>::new());
    }
}
