//! Chunk headers of the WAV family: RIFF, RF64 and BW64 (four-character
//! ids, 32-bit sizes, 64-bit sizes in a `ds64` chunk) and Sony Wave64
//! (GUID ids, 64-bit sizes).
//!
//! References: Microsoft's RIFF and WAVE specification (chunks padded to an
//! even length); EBU Tech 3306 (RF64: the `ds64` chunk, a size field of
//! 0xFFFFFFFF meaning "see ds64"); ITU-R BS.2088 (BW64, the same layout);
//! Sony Wave64 (every chunk a 16-byte GUID and a 64-bit size that counts
//! its own 24-byte header, chunks aligned to 8 bytes).

use symphonia::core::errors::{Result, decode_error};
use symphonia::core::io::{MediaSourceStream, ReadBytes};

/// The GUID that opens a Wave64 file (`riff` then 2E91CF11-A5D6-28DB04C10000).
pub(super) const W64_RIFF: [u8; 16] = [
    0x72, 0x69, 0x66, 0x66, 0x2E, 0x91, 0xCF, 0x11, 0xA5, 0xD6, 0x28, 0xDB, 0x04, 0xC1, 0x00, 0x00,
];
/// The tail the `wave`, `fmt `, `fact` and `data` GUIDs of Wave64 share.
const W64_TAIL: [u8; 12] = [
    0xF3, 0xAC, 0xD3, 0x11, 0x8C, 0xD1, 0x00, 0xC0, 0x4F, 0x8E, 0xDB, 0x8A,
];
/// The 32-bit size that says "the real size is in the ds64 chunk".
const SIZE_IN_DS64: u32 = u32::MAX;
/// `ds64` table entries read at most; the rest of the chunk is skipped.
const MAX_DS64_ENTRIES: u32 = 64;

/// Which member of the family a file is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Container {
    /// Classic RIFF WAVE, 32-bit sizes.
    Riff,
    /// EBU RF64: RIFF with a `ds64` chunk holding 64-bit sizes.
    Rf64,
    /// ITU BW64: as RF64 (a `JUNK` placeholder instead of `ds64` below 4 GiB).
    Bw64,
    /// Sony Wave64.
    Wave64,
}

impl Container {
    /// The container the first bytes of a file announce, if any: 12 bytes
    /// for the RIFF kinds, 40 for Wave64.
    pub(super) fn detect(head: &[u8]) -> Option<Self> {
        let wave = head.get(8..12) == Some(b"WAVE");
        match head.get(0..4)? {
            b"RIFF" if wave => Some(Self::Riff),
            b"RF64" if wave => Some(Self::Rf64),
            b"BW64" if wave => Some(Self::Bw64),
            _ if head.get(0..16) == Some(&W64_RIFF[..])
                && is_w64_guid(head.get(24..40)?, b"wave") =>
            {
                Some(Self::Wave64)
            }
            _ => None,
        }
    }

    /// Bytes of the file header before the first chunk.
    pub(super) fn header_len(self) -> u64 {
        match self {
            Self::Wave64 => 40,
            _ => 12,
        }
    }
}

/// True when `guid` is the Wave64 GUID for the four-character code `cc`.
fn is_w64_guid(guid: &[u8], cc: &[u8; 4]) -> bool {
    guid.len() == 16 && guid[..4] == cc[..] && guid[4..] == W64_TAIL[..]
}

/// What a chunk holds, as far as decoding cares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum ChunkKind {
    /// `fmt `: the sample format.
    Format,
    /// `fact`: the frame count (compressed formats).
    Fact,
    /// `ds64`: 64-bit sizes (RF64, BW64).
    Ds64,
    /// `data`: the samples.
    Data,
    /// Anything else (`LIST`, `bext`, `JUNK`, `cue `...): skipped.
    Other,
}

/// One chunk header: its kind and the length of its body (`None` when the
/// writer did not know it: the body runs to the end of the file).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Chunk {
    /// What the chunk holds.
    pub kind: ChunkKind,
    /// Where its body starts in the stream.
    pub body_start: u64,
    /// Length of its body in bytes, if known.
    pub body_len: Option<u64>,
}

/// The 64-bit sizes of an RF64/BW64 `ds64` chunk.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(super) struct Ds64 {
    /// Size of the `data` chunk's body.
    pub data_size: u64,
    /// Frames in the file (0 when the writer left it out).
    pub sample_count: u64,
    /// Sizes of other chunks whose 32-bit size is 0xFFFFFFFF.
    pub table: Vec<([u8; 4], u64)>,
}

/// Reads the chunk headers of one file in order.
pub(super) struct ChunkWalker {
    container: Container,
    /// Where the next chunk header starts.
    next: u64,
    /// The file's length, when the source knows it.
    file_len: Option<u64>,
    /// The `ds64` chunk, once read.
    pub ds64: Option<Ds64>,
}

impl ChunkWalker {
    /// A walker positioned after the file header of `container`.
    pub(super) fn new(container: Container, start: u64, file_len: Option<u64>) -> Self {
        Self {
            container,
            next: start + container.header_len(),
            file_len,
            ds64: None,
        }
    }

    /// The next chunk header, the stream left at its body; `None` at the
    /// end of the file.
    pub(super) fn next(&mut self, src: &mut MediaSourceStream<'_>) -> Result<Option<Chunk>> {
        let header_len = if self.container == Container::Wave64 {
            24
        } else {
            8
        };
        let at_end = self
            .file_len
            .is_some_and(|len| self.next.saturating_add(header_len) > len);
        if at_end || self.next == u64::MAX {
            return Ok(None);
        }
        skip_to(src, self.next)?;
        let chunk = match self.container {
            Container::Wave64 => read_w64_header(src)?,
            _ => self.read_riff_header(src)?,
        };
        let Some(len) = chunk.body_len else {
            // The body runs to the end of the file: nothing follows it.
            self.next = u64::MAX;
            return Ok(Some(chunk));
        };
        let align = if self.container == Container::Wave64 {
            8
        } else {
            2
        };
        let padded = len.checked_next_multiple_of(align).unwrap_or(u64::MAX);
        self.next = chunk.body_start.saturating_add(padded);
        let past_end = self
            .file_len
            .is_some_and(|f| chunk.body_start.saturating_add(len) > f);
        if past_end && chunk.kind != ChunkKind::Data {
            return decode_error(
                "wav: a chunk before the audio data runs past the end of the file",
            );
        }
        Ok(Some(chunk))
    }

    /// A RIFF-style header: id, 32-bit size (0xFFFFFFFF: look in ds64).
    fn read_riff_header(&mut self, src: &mut MediaSourceStream<'_>) -> Result<Chunk> {
        let id = src.read_quad_bytes()?;
        let size = src.read_u32()?;
        let body_start = src.pos();
        let kind = match &id {
            b"fmt " => ChunkKind::Format,
            b"fact" => ChunkKind::Fact,
            b"ds64" => ChunkKind::Ds64,
            b"data" => ChunkKind::Data,
            _ => ChunkKind::Other,
        };
        // With a ds64 chunk, its data size is the one (as ffmpeg reads it),
        // whatever the 32-bit field holds.
        let ds64_data = self.ds64.as_ref().map_or(0, |d| d.data_size);
        let body_len = if kind == ChunkKind::Data && ds64_data > 0 {
            Some(ds64_data)
        } else if size != SIZE_IN_DS64 || self.container == Container::Riff {
            // Classic RIFF: 0xFFFFFFFF on `data` is a streamed file of
            // unknown length (ffmpeg writing to a pipe).
            (size != SIZE_IN_DS64 || kind != ChunkKind::Data).then_some(u64::from(size))
        } else {
            self.ds64_size(&id, kind)?
        };
        Ok(Chunk {
            kind,
            body_start,
            body_len,
        })
    }

    /// The 64-bit size of chunk `id` from the `ds64` chunk.
    fn ds64_size(&self, id: &[u8; 4], kind: ChunkKind) -> Result<Option<u64>> {
        let Some(ds64) = &self.ds64 else {
            if kind == ChunkKind::Data {
                return Ok(None);
            }
            return decode_error("rf64: a chunk size of 0xFFFFFFFF with no ds64 chunk before it");
        };
        if kind == ChunkKind::Data {
            // Zero: the writer could not go back and fill it in (a pipe).
            return Ok((ds64.data_size > 0).then_some(ds64.data_size));
        }
        match ds64.table.iter().find(|(cc, _)| cc == id) {
            Some(&(_, size)) => Ok(Some(size)),
            None => {
                decode_error("rf64: a chunk size of 0xFFFFFFFF that the ds64 table does not list")
            }
        }
    }
}

/// A Wave64 header: GUID, 64-bit size counting the header itself.
fn read_w64_header(src: &mut MediaSourceStream<'_>) -> Result<Chunk> {
    let mut guid = [0u8; 16];
    src.read_buf_exact(&mut guid)?;
    let size = src.read_u64()?;
    let body_start = src.pos();
    let Some(body_len) = size.checked_sub(24) else {
        return decode_error("w64: a chunk size smaller than its own 24-byte header");
    };
    let kind = if is_w64_guid(&guid, b"fmt ") {
        ChunkKind::Format
    } else if is_w64_guid(&guid, b"fact") {
        ChunkKind::Fact
    } else if is_w64_guid(&guid, b"data") {
        ChunkKind::Data
    } else {
        ChunkKind::Other
    };
    Ok(Chunk {
        kind,
        body_start,
        body_len: Some(body_len),
    })
}

/// Reads a `ds64` body of `len` bytes (the stream at its start).
pub(super) fn read_ds64(src: &mut MediaSourceStream<'_>, len: u64) -> Result<Ds64> {
    if len < 28 {
        return decode_error("rf64: ds64 chunk shorter than its 28 fixed bytes");
    }
    let _riff_size = src.read_u64()?;
    let data_size = src.read_u64()?;
    let sample_count = src.read_u64()?;
    let entries = src.read_u32()?;
    let room = (len - 28) / 12;
    let mut table = Vec::new();
    for _ in 0..u64::from(entries.min(MAX_DS64_ENTRIES)).min(room) {
        let id = src.read_quad_bytes()?;
        table.push((id, src.read_u64()?));
    }
    Ok(Ds64 {
        data_size,
        sample_count,
        table,
    })
}

/// Moves the stream forward to `pos` (never back: chunks are read in order).
fn skip_to(src: &mut MediaSourceStream<'_>, pos: u64) -> Result<()> {
    let here = src.pos();
    if pos > here {
        src.ignore_bytes(pos - here)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_family_is_told_apart_by_its_first_bytes() {
        assert_eq!(
            Container::detect(b"RIFF\0\0\0\0WAVE"),
            Some(Container::Riff)
        );
        assert_eq!(
            Container::detect(b"RF64\xff\xff\xff\xffWAVE"),
            Some(Container::Rf64)
        );
        assert_eq!(
            Container::detect(b"BW64\xff\xff\xff\xffWAVE"),
            Some(Container::Bw64)
        );
        assert_eq!(Container::detect(b"RIFF\0\0\0\0AVI "), None);
        let mut w64 = W64_RIFF.to_vec();
        w64.extend_from_slice(&[0; 8]);
        w64.extend_from_slice(b"wave");
        w64.extend_from_slice(&W64_TAIL);
        assert_eq!(Container::detect(&w64), Some(Container::Wave64));
        assert_eq!(Container::detect(&w64[..30]), None);
    }
}
