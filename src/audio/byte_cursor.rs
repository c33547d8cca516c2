//! Little-endian primitives of the artifact byte format: a writer that
//! appends to a buffer, and a bounds-checked reader that never panics and
//! never allocates more than the remaining input could hold.

use super::artifact_error::ArtifactBytesError;

/// Values of one chroma frame.
const CHROMA_BINS: usize = 12;

/// Appends primitives, little-endian, to a growing buffer.
pub(super) struct ByteWriter {
    buf: Vec<u8>,
}

impl ByteWriter {
    /// An empty writer with room for `capacity` bytes.
    pub(super) fn with_capacity(capacity: usize) -> Self {
        Self {
            buf: Vec::with_capacity(capacity),
        }
    }

    /// The bytes written.
    pub(super) fn finish(self) -> Vec<u8> {
        self.buf
    }

    pub(super) fn raw(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    pub(super) fn u8(&mut self, v: u8) {
        self.buf.push(v);
    }

    pub(super) fn u16(&mut self, v: u16) {
        self.raw(&v.to_le_bytes());
    }

    pub(super) fn u32(&mut self, v: u32) {
        self.raw(&v.to_le_bytes());
    }

    pub(super) fn u64(&mut self, v: u64) {
        self.raw(&v.to_le_bytes());
    }

    /// The exact bits, so NaN payloads and signed zeros survive.
    pub(super) fn f32(&mut self, v: f32) {
        self.u32(v.to_bits());
    }

    /// The exact bits, so NaN payloads and signed zeros survive.
    pub(super) fn f64(&mut self, v: f64) {
        self.u64(v.to_bits());
    }

    pub(super) fn bool(&mut self, v: bool) {
        self.u8(u8::from(v));
    }

    /// A count of elements (not bytes), as a u64 on every platform.
    fn len(&mut self, n: usize) {
        self.u64(n as u64);
    }

    /// Length, then UTF-8 bytes.
    pub(super) fn str(&mut self, s: &str) {
        self.len(s.len());
        self.raw(s.as_bytes());
    }

    /// Tag byte 0 for `None`; 1, then the value, for `Some`.
    pub(super) fn option<T>(&mut self, v: Option<T>, write: impl FnOnce(&mut Self, T)) {
        match v {
            None => self.u8(0),
            Some(v) => {
                self.u8(1);
                write(self, v);
            }
        }
    }

    /// Length, then each value's bits.
    pub(super) fn f32s(&mut self, values: &[f32]) {
        self.len(values.len());
        for &v in values {
            self.f32(v);
        }
    }

    /// Length, then each value (series samples quantised to 16 bits).
    pub(super) fn i16s(&mut self, values: &[i16]) {
        self.len(values.len());
        for &v in values {
            self.raw(&v.to_le_bytes());
        }
    }

    /// Length in frames, then each frame's twelve values.
    pub(super) fn frames(&mut self, frames: &[[f32; CHROMA_BINS]]) {
        self.len(frames.len());
        for &v in frames.iter().flatten() {
            self.f32(v);
        }
    }
}

/// Reads primitives from a byte slice; every read checks the bounds first.
pub(super) struct ByteReader<'a> {
    rest: &'a [u8],
}

type Read<T> = Result<T, ArtifactBytesError>;

impl<'a> ByteReader<'a> {
    pub(super) fn new(bytes: &'a [u8]) -> Self {
        Self { rest: bytes }
    }

    /// Succeeds only if every byte was read.
    pub(super) fn finish(self) -> Read<()> {
        match self.rest.len() {
            0 => Ok(()),
            count => Err(ArtifactBytesError::TrailingBytes { count }),
        }
    }

    fn take(&mut self, n: usize, field: &'static str) -> Read<&'a [u8]> {
        let Some((head, tail)) = self.rest.split_at_checked(n) else {
            return Err(ArtifactBytesError::Truncated {
                field,
                needed: n,
                remaining: self.rest.len(),
            });
        };
        self.rest = tail;
        Ok(head)
    }

    pub(super) fn array<const N: usize>(&mut self, field: &'static str) -> Read<[u8; N]> {
        let bytes = self.take(N, field)?;
        <[u8; N]>::try_from(bytes).map_err(|_| ArtifactBytesError::Truncated {
            field,
            needed: N,
            remaining: bytes.len(),
        })
    }

    pub(super) fn u8(&mut self, field: &'static str) -> Read<u8> {
        Ok(self.array::<1>(field)?[0])
    }

    pub(super) fn u16(&mut self, field: &'static str) -> Read<u16> {
        Ok(u16::from_le_bytes(self.array(field)?))
    }

    pub(super) fn u32(&mut self, field: &'static str) -> Read<u32> {
        Ok(u32::from_le_bytes(self.array(field)?))
    }

    pub(super) fn u64(&mut self, field: &'static str) -> Read<u64> {
        Ok(u64::from_le_bytes(self.array(field)?))
    }

    /// A u64 that must fit this platform's `usize`.
    pub(super) fn usize(&mut self, field: &'static str) -> Read<usize> {
        let value = self.u64(field)?;
        usize::try_from(value).map_err(|_| ArtifactBytesError::OutOfRange { field, value })
    }

    pub(super) fn f32(&mut self, field: &'static str) -> Read<f32> {
        Ok(f32::from_bits(self.u32(field)?))
    }

    /// A count of `elem_size`-byte records to follow (see `len`).
    pub(super) fn count(&mut self, field: &'static str, elem_size: usize) -> Read<usize> {
        self.len(field, elem_size)
    }

    pub(super) fn f64(&mut self, field: &'static str) -> Read<f64> {
        Ok(f64::from_bits(self.u64(field)?))
    }

    pub(super) fn bool(&mut self, field: &'static str) -> Read<bool> {
        match self.u8(field)? {
            0 => Ok(false),
            1 => Ok(true),
            tag => Err(ArtifactBytesError::BadTag { field, tag }),
        }
    }

    /// A count of `elem_size`-byte elements, refused before any allocation
    /// if the remaining input cannot hold them.
    fn len(&mut self, field: &'static str, elem_size: usize) -> Read<usize> {
        let len = self.u64(field)?;
        let remaining = self.rest.len();
        usize::try_from(len)
            .ok()
            .filter(|&n| n.checked_mul(elem_size).is_some_and(|b| b <= remaining))
            .ok_or(ArtifactBytesError::LengthTooLarge {
                field,
                len,
                remaining,
            })
    }

    pub(super) fn string(&mut self, field: &'static str) -> Read<String> {
        let n = self.len(field, 1)?;
        let bytes = self.take(n, field)?;
        std::str::from_utf8(bytes)
            .map(str::to_owned)
            .map_err(|_| ArtifactBytesError::BadUtf8 { field })
    }

    /// The counterpart of [`ByteWriter::option`].
    pub(super) fn option<T>(
        &mut self,
        field: &'static str,
        read: impl FnOnce(&mut Self, &'static str) -> Read<T>,
    ) -> Read<Option<T>> {
        match self.u8(field)? {
            0 => Ok(None),
            1 => read(self, field).map(Some),
            tag => Err(ArtifactBytesError::BadTag { field, tag }),
        }
    }

    pub(super) fn f32s(&mut self, field: &'static str) -> Read<Vec<f32>> {
        let n = self.len(field, 4)?;
        let bytes = self.take(n * 4, field)?;
        Ok(bytes.chunks_exact(4).map(f32_at).collect())
    }

    pub(super) fn i16s(&mut self, field: &'static str) -> Read<Vec<i16>> {
        let n = self.len(field, 2)?;
        let bytes = self.take(n * 2, field)?;
        Ok(bytes
            .chunks_exact(2)
            .map(|c| i16::from_le_bytes([c[0], c[1]]))
            .collect())
    }

    pub(super) fn frames(&mut self, field: &'static str) -> Read<Vec<[f32; CHROMA_BINS]>> {
        let n = self.len(field, 4 * CHROMA_BINS)?;
        let bytes = self.take(n * 4 * CHROMA_BINS, field)?;
        let frame = |chunk: &[u8]| {
            let mut out = [0.0f32; CHROMA_BINS];
            for (o, c) in out.iter_mut().zip(chunk.chunks_exact(4)) {
                *o = f32_at(c);
            }
            out
        };
        Ok(bytes.chunks_exact(4 * CHROMA_BINS).map(frame).collect())
    }
}

/// The f32 whose little-endian bits start `chunk` (a 4-byte chunk).
fn f32_at(chunk: &[u8]) -> f32 {
    let mut bits = [0u8; 4];
    for (b, c) in bits.iter_mut().zip(chunk) {
        *b = *c;
    }
    f32::from_bits(u32::from_le_bytes(bits))
}
