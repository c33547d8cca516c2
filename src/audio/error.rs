//! The error type of the audio layer: which file failed, and why.

use std::path::PathBuf;

/// Why a file could not be analysed. Every variant names the file; the
/// message puts the cause first and the path last.
#[derive(Debug, thiserror::Error)]
pub enum AudioError {
    /// The file could not be opened or read (missing, unreadable, a directory).
    #[error("cannot read: {source}: {path}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The operating system's reason.
        #[source]
        source: std::io::Error,
    },
    /// The path names a directory, not a file.
    #[error("is a directory, not an audio file: {path}")]
    IsDirectory {
        /// The path.
        path: PathBuf,
    },
    /// The file is empty.
    #[error("empty file (0 bytes): {path}")]
    Empty {
        /// The file.
        path: PathBuf,
    },
    /// No container format recognised the data.
    #[error("not a recognised audio format ({reason}): {path}")]
    UnrecognisedFormat {
        /// The file.
        path: PathBuf,
        /// The decoder library's message.
        reason: String,
    },
    /// The container holds no audio track.
    #[error("no audio track: {path}")]
    NoAudioTrack {
        /// The file.
        path: PathBuf,
    },
    /// The audio track uses a codec we cannot decode.
    #[error("unsupported codec ({reason}): {path}")]
    UnsupportedCodec {
        /// The file.
        path: PathBuf,
        /// Which codec or feature.
        reason: String,
    },
    /// The stream was recognised but not a single frame of audio decoded.
    #[error("no audio could be decoded ({reason}): {path}")]
    NoAudio {
        /// The file.
        path: PathBuf,
        /// What went wrong (e.g. zero frames, every packet corrupt).
        reason: String,
    },
    /// The stream's parameters are outside what we analyse.
    #[error("unsupported stream ({reason}): {path}")]
    UnsupportedStream {
        /// The file.
        path: PathBuf,
        /// Which parameter.
        reason: String,
    },
    /// The decoder panicked; the panic was caught.
    #[error("decoder crashed ({message}): {path}")]
    DecoderPanic {
        /// The file.
        path: PathBuf,
        /// The panic message.
        message: String,
    },
    /// The caller cancelled the analysis.
    #[error("cancelled: {path}")]
    Cancelled {
        /// The file.
        path: PathBuf,
    },
}

impl AudioError {
    /// True when retrying cannot help (the file itself is the problem).
    pub fn is_permanent(&self) -> bool {
        !matches!(self, AudioError::Io { .. } | AudioError::Cancelled { .. })
    }
}
