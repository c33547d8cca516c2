//! `ArtifactBytesError`: why a stored artifact blob cannot be read.

/// Why a byte buffer is not a valid artifact blob. Every variant means the
/// blob is unusable and nothing was read from it; the caller decodes the
/// audio file again.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ArtifactBytesError {
    /// The buffer does not start with the artifact magic bytes.
    #[error("not an artifact blob (starts with {found:02x?})")]
    BadMagic {
        /// The first four bytes found.
        found: [u8; 4],
    },
    /// The blob was written in another layout version.
    #[error("artifact format version {found} is not supported (this build reads {supported})")]
    UnsupportedVersion {
        /// The version in the blob.
        found: u16,
        /// The version this build reads and writes.
        supported: u16,
    },
    /// The buffer ends inside a field.
    #[error("truncated in {field}: {needed} bytes needed, {remaining} left")]
    Truncated {
        /// The field being read.
        field: &'static str,
        /// Bytes the field needs.
        needed: usize,
        /// Bytes left in the buffer.
        remaining: usize,
    },
    /// A length prefix promises more elements than the remaining bytes hold.
    #[error("length {len} of {field} exceeds the {remaining} bytes left")]
    LengthTooLarge {
        /// The field whose length it is.
        field: &'static str,
        /// The length read, in elements.
        len: u64,
        /// Bytes left in the buffer after the length.
        remaining: usize,
    },
    /// An option or bool tag other than 0 or 1.
    #[error("invalid tag {tag} in {field}")]
    BadTag {
        /// The field.
        field: &'static str,
        /// The byte found.
        tag: u8,
    },
    /// A string that is not UTF-8.
    #[error("{field} is not valid UTF-8")]
    BadUtf8 {
        /// The field.
        field: &'static str,
    },
    /// A count too large for this platform.
    #[error("{field} = {value} does not fit this platform")]
    OutOfRange {
        /// The field.
        field: &'static str,
        /// The value read.
        value: u64,
    },
    /// Bytes left over after the last field.
    #[error("{count} bytes after the end of the artifacts")]
    TrailingBytes {
        /// How many.
        count: usize,
    },
}
