//! The crate's error type: every invalid input is reported as a [`SimError`], never a panic.

use std::fmt;

/// Why a clip could not be built or a frame could not be rendered or encoded.
#[derive(Debug, Clone, PartialEq)]
pub enum SimError {
    /// Width or height is zero or larger than [`crate::MAX_DIMENSION`].
    InvalidSize { width: u32, height: u32 },
    /// A YUV 4:2:0 encoder needs even width and height.
    OddSize { width: u32, height: u32 },
    /// Frame rate is not a finite number in (0, [`crate::MAX_FPS`]].
    InvalidFps(f64),
    /// The clip has no frames.
    NoFrames,
    /// The clip is longer than [`crate::MAX_DURATION_S`].
    TooLong { duration_s: f64 },
    /// A scenario parameter is out of range (name and value).
    InvalidParameter { name: &'static str, value: f64 },
    /// The clip is too short for what the scenario promises.
    DurationTooShort { needed_s: f64, got_s: f64 },
    /// An input or output buffer is smaller than the image needs.
    BufferTooSmall { needed: usize, got: usize },
    /// A frame index past the end of the clip.
    FrameOutOfRange { frame: u32, frames: u32 },
}

impl fmt::Display for SimError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SimError::InvalidSize { width, height } => {
                write!(f, "invalid image size {width}x{height}")
            }
            SimError::OddSize { width, height } => {
                write!(f, "YUV 4:2:0 needs even sizes, got {width}x{height}")
            }
            SimError::InvalidFps(fps) => write!(f, "invalid frame rate {fps}"),
            SimError::NoFrames => write!(f, "the clip has no frames"),
            SimError::TooLong { duration_s } => write!(f, "clip too long: {duration_s} s"),
            SimError::InvalidParameter { name, value } => {
                write!(f, "invalid scenario parameter {name} = {value}")
            }
            SimError::DurationTooShort { needed_s, got_s } => {
                write!(
                    f,
                    "clip of {got_s} s is too short for its scenario (needs {needed_s} s)"
                )
            }
            SimError::BufferTooSmall { needed, got } => {
                write!(f, "buffer too small: {got} bytes, need {needed}")
            }
            SimError::FrameOutOfRange { frame, frames } => {
                write!(f, "frame {frame} out of range (clip has {frames} frames)")
            }
        }
    }
}

impl std::error::Error for SimError {}
