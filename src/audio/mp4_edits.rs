//! Reads an MP4 audio track's edit list, which says how many encoder
//! priming frames to drop at the start of AAC and how long the audio
//! really plays. symphonia 0.6 parses the list but does not apply it.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

/// Largest `moov` box we read (index tables of a few hours of audio).
const MAX_MOOV: u64 = 32 << 20;

/// The first audio edit of an MP4 file, in sample frames at `rate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Edit {
    /// Frames to drop at the start (encoder priming).
    pub skip: u64,
    /// Frames that play after the skip (the rest is padding).
    pub frames: u64,
}

/// The edit of the first track with one, converted to frames at `rate`.
/// `None` when the file has no usable edit list (or is not MP4).
pub fn read_edit(path: &Path, rate: u32) -> Option<Edit> {
    let mut file = File::open(path).ok()?;
    let len = file.metadata().ok()?.len();
    let mut pos = 0u64;
    while pos + 8 <= len {
        file.seek(SeekFrom::Start(pos)).ok()?;
        let (size, kind, header) = box_header(&mut file, len - pos)?;
        if &kind == b"moov" {
            if size > MAX_MOOV {
                return None;
            }
            let mut moov = vec![0u8; usize::try_from(size - header).ok()?];
            file.read_exact(&mut moov).ok()?;
            return parse_moov(&moov, rate);
        }
        pos = pos.checked_add(size)?;
    }
    None
}

/// Reads a box header: (total size, type, header length).
fn box_header(file: &mut File, remaining: u64) -> Option<(u64, [u8; 4], u64)> {
    let mut h = [0u8; 8];
    file.read_exact(&mut h).ok()?;
    let size32 = u32::from_be_bytes([h[0], h[1], h[2], h[3]]);
    let kind = [h[4], h[5], h[6], h[7]];
    match size32 {
        0 => Some((remaining, kind, 8)),
        1 => {
            let mut ext = [0u8; 8];
            file.read_exact(&mut ext).ok()?;
            let size = u64::from_be_bytes(ext);
            (size >= 16).then_some((size, kind, 16))
        }
        s if s >= 8 => Some((u64::from(s), kind, 8)),
        _ => None,
    }
}

/// The child boxes of `data`: (type, body).
fn children(data: &[u8]) -> Vec<([u8; 4], &[u8])> {
    let mut out = Vec::new();
    let mut pos = 0usize;
    while pos + 8 <= data.len() {
        let size =
            u32::from_be_bytes([data[pos], data[pos + 1], data[pos + 2], data[pos + 3]]) as usize;
        let kind = [data[pos + 4], data[pos + 5], data[pos + 6], data[pos + 7]];
        let (start, end) = match size {
            0 => (pos + 8, data.len()),
            1 => {
                let Some(ext) = data.get(pos + 8..pos + 16) else {
                    break;
                };
                let mut b = [0u8; 8];
                b.copy_from_slice(ext);
                let Ok(size) = usize::try_from(u64::from_be_bytes(b)) else {
                    break;
                };
                (pos + 16, pos.saturating_add(size))
            }
            s => (pos + 8, pos.saturating_add(s)),
        };
        if end < start || end > data.len() {
            break;
        }
        out.push((kind, &data[start..end]));
        pos = end;
    }
    out
}

fn be_u32(d: &[u8], at: usize) -> Option<u64> {
    d.get(at..at + 4)
        .map(|b| u64::from(u32::from_be_bytes([b[0], b[1], b[2], b[3]])))
}

fn be_u64(d: &[u8], at: usize) -> Option<u64> {
    let b = d.get(at..at + 8)?;
    let mut a = [0u8; 8];
    a.copy_from_slice(b);
    Some(u64::from_be_bytes(a))
}

/// Timescale of an `mvhd` or `mdhd` body (version 0 or 1).
fn timescale(body: &[u8]) -> Option<u64> {
    match body.first()? {
        0 => be_u32(body, 12),
        1 => be_u32(body, 20),
        _ => None,
    }
}

fn parse_moov(moov: &[u8], rate: u32) -> Option<Edit> {
    let boxes = children(moov);
    let movie_scale = boxes
        .iter()
        .find(|(k, _)| k == b"mvhd")
        .and_then(|(_, b)| timescale(b))?;
    for (_, trak) in boxes.iter().filter(|(k, _)| k == b"trak") {
        let parts = children(trak);
        let Some((_, mdia)) = parts.iter().find(|(k, _)| k == b"mdia") else {
            continue;
        };
        let mdia = children(mdia);
        let is_sound = mdia
            .iter()
            .any(|(k, b)| k == b"hdlr" && b.get(8..12) == Some(b"soun"));
        let media_scale = mdia
            .iter()
            .find(|(k, _)| k == b"mdhd")
            .and_then(|(_, b)| timescale(b));
        let elst = parts.iter().find(|(k, _)| k == b"edts").and_then(|(_, e)| {
            children(e)
                .into_iter()
                .find(|(k, _)| k == b"elst")
                .map(|(_, b)| b)
        });
        let (Some(media_scale), Some(elst), true) = (media_scale, elst, is_sound) else {
            continue;
        };
        let (seg, media_time) = match elst.first()? {
            0 => (be_u32(elst, 8)?, be_u32(elst, 12)?),
            1 => (be_u64(elst, 8)?, be_u64(elst, 16)?),
            _ => return None,
        };
        // media_time −1 marks an empty edit (a pause); we do not handle those.
        if media_time >= u64::from(u32::MAX) || movie_scale == 0 || media_scale == 0 {
            return None;
        }
        let r = u128::from(rate);
        let skip = (u128::from(media_time) * r / u128::from(media_scale)) as u64;
        let frames = (u128::from(seg) * r / u128::from(movie_scale)) as u64;
        return Some(Edit { skip, frames });
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bx(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
        let mut v = ((body.len() + 8) as u32).to_be_bytes().to_vec();
        v.extend_from_slice(kind);
        v.extend_from_slice(body);
        v
    }

    #[test]
    fn reads_priming_and_length() {
        let mut mvhd = vec![0u8; 100];
        mvhd[12..16].copy_from_slice(&1000u32.to_be_bytes());
        let mut mdhd = vec![0u8; 24];
        mdhd[12..16].copy_from_slice(&44_100u32.to_be_bytes());
        let mut hdlr = vec![0u8; 24];
        hdlr[8..12].copy_from_slice(b"soun");
        let mut elst = vec![0u8; 20];
        elst[4..8].copy_from_slice(&1u32.to_be_bytes());
        elst[8..12].copy_from_slice(&10_000u32.to_be_bytes()); // 10 s at 1000/s
        elst[12..16].copy_from_slice(&1024u32.to_be_bytes());
        let mdia = [bx(b"mdhd", &mdhd), bx(b"hdlr", &hdlr)].concat();
        let trak = [bx(b"edts", &bx(b"elst", &elst)), bx(b"mdia", &mdia)].concat();
        let moov = [bx(b"mvhd", &mvhd), bx(b"trak", &trak)].concat();
        assert_eq!(
            parse_moov(&moov, 44_100),
            Some(Edit {
                skip: 1024,
                frames: 441_000
            })
        );
        assert_eq!(parse_moov(&moov[..20], 44_100), None);
    }
}
