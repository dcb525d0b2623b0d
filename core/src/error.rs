//! Typed errors of the engine.
//!
//! Every failure that input can cause (a bad frame, a bad config, a model that does not fit the
//! contract) is a value of these types, never a panic. Each message names the field or the
//! problem and the numbers involved, so that a caller can show it to a person as it is.

use crate::frame::PixelFormat;

/// Any error the engine returns.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The frame handed to the engine is inconsistent (sizes, strides, planes).
    #[error("invalid frame: {0}")]
    Frame(#[from] FrameError),
    /// A configuration field is out of range or inconsistent with another.
    #[error("invalid config: {0}")]
    Config(#[from] ConfigError),
    /// The detector model could not be loaded or does not fit the model contract.
    #[error("model: {0}")]
    Model(#[from] ModelError),
    /// The inference runtime failed on a frame (the engine stays usable).
    #[error("inference failed: {0}")]
    Inference(#[from] InferenceError),
}

/// A detector run that failed on a frame; the detector and the engine stay usable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InferenceError {
    /// No plan was prepared for this input size (the detector was built for other sizes).
    #[error("no plan prepared for input {width}x{height}")]
    NoPlan { width: u32, height: u32 },
    /// tract failed while running the plan; its message.
    #[error("the runtime failed: {0}")]
    Runtime(String),
    /// The input or output tensor is not a contiguous f32 buffer.
    #[error("the {0} tensor is not a contiguous f32 buffer")]
    Layout(&'static str),
    /// The model returned no output.
    #[error("the model returned no output")]
    NoOutput,
    /// The output holds fewer values than the heatmap grid needs.
    #[error(
        "model output has {len} values, expected {needed} for a {grid_width}x{grid_height} grid"
    )]
    OutputTooShort {
        len: usize,
        needed: usize,
        grid_width: usize,
        grid_height: usize,
    },
}

/// Result alias used across the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A frame whose description does not match its data.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    /// Width or height is zero.
    #[error("frame size {width}x{height}: width and height must be non-zero")]
    ZeroSize { width: u32, height: u32 },
    /// A YUV 4:2:0 format needs even sizes, a 4:2:2 one an even width.
    #[error("{format:?} frame size {width}x{height}: width and height must be even (4:2:2 Yuyv / Uyvy: the width)")]
    OddSize {
        format: PixelFormat,
        width: u32,
        height: u32,
    },
    /// The frame is larger than the engine was sized for.
    #[error("frame size {width}x{height} exceeds the configured maximum {max_width}x{max_height}")]
    TooLarge {
        width: u32,
        height: u32,
        max_width: u32,
        max_height: u32,
    },
    /// A plane's row stride is shorter than one row of its pixels.
    #[error("plane {plane}: row stride {stride} is smaller than one row of {min} bytes")]
    StrideTooSmall {
        plane: &'static str,
        stride: usize,
        min: usize,
    },
    /// A pixel stride other than the supported ones.
    #[error("plane {plane}: pixel stride {pixel_stride} is not supported (expected {expected})")]
    BadPixelStride {
        plane: &'static str,
        pixel_stride: usize,
        expected: &'static str,
    },
    /// A plane holds fewer bytes than its size and strides need.
    #[error("plane {plane}: {len} bytes, but {needed} are needed for its rows")]
    PlaneTooShort {
        plane: &'static str,
        len: usize,
        needed: usize,
    },
    /// A size computation overflowed.
    #[error("frame size {width}x{height}: byte size overflows")]
    SizeOverflow { width: u32, height: u32 },
    /// A destination buffer is too small.
    #[error("destination {what}: {len} elements, but {needed} are needed")]
    DestinationTooSmall {
        what: &'static str,
        len: usize,
        needed: usize,
    },
    /// A region of interest that does not intersect the frame or has zero size.
    #[error(
        "region {x},{y} {width}x{height} does not overlap the {frame_width}x{frame_height} frame"
    )]
    EmptyRegion {
        x: i32,
        y: i32,
        width: u32,
        height: u32,
        frame_width: u32,
        frame_height: u32,
    },
    /// A timestamp that goes backwards or repeats.
    #[error("timestamp {timestamp_us} us is not after the previous frame's {previous_us} us")]
    NonMonotonicTimestamp { timestamp_us: i64, previous_us: i64 },
}

/// A configuration value that is out of range or inconsistent.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct ConfigError {
    /// Dotted path of the field, e.g. `crop.max_pan_speed`.
    pub field: String,
    /// What is wrong, with the value found and the range expected.
    pub message: String,
}

impl ConfigError {
    /// Builds an error for `field`.
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }

    /// Prefixes the field path with a section name (`crop` + `max_pan_speed`).
    pub fn in_section(mut self, section: &str) -> Self {
        self.field = format!("{section}.{}", self.field);
        self
    }
}

/// A model that cannot be loaded or does not fit model contract v1 (see `models/README.md`).
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    /// Reading the model file failed.
    #[error("cannot read model file {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    /// The model path is not a regular file (a device, a FIFO, a folder).
    #[error("model file {path}: not a regular file")]
    NotAFile { path: String },
    /// The model file is larger than the engine reads.
    #[error("model file {path}: {bytes} bytes, over the limit of {max} bytes")]
    FileTooLarge { path: String, bytes: u64, max: u64 },
    /// The bytes are not a model tract can parse.
    #[error("cannot parse the ONNX model: {0}")]
    Parse(String),
    /// The model's interface differs from the contract.
    #[error("model does not fit contract v1: expected {expected}, found {found}")]
    Contract { expected: String, found: String },
    /// Optimising the model for an input size failed.
    #[error("cannot prepare the model for input {width}x{height}: {message}")]
    Prepare {
        width: u32,
        height: u32,
        message: String,
    },
    /// No model was configured and the default model is not embedded in this build.
    #[error("no model configured and this build has no embedded model (feature `embedded-model`)")]
    NoModel,
}
