//! Types shared by the engine's stages (frame, detect, track, schedule, crop, monitor), so that
//! no stage depends on another's implementation: a detector candidate, the detector's input
//! size and its rules, a frame region, the tracker's prediction and what it asks the
//! scheduler to look at, time units and the config's checks.

use crate::error::ConfigError;

/// Microseconds per second (frame timestamps are microseconds).
pub const US_PER_S: f64 = 1_000_000.0;
/// Microseconds per millisecond.
pub const US_PER_MS: f64 = 1_000.0;

/// Input channels (RGB).
pub const INPUT_CHANNELS: usize = 3;
/// Input sides must be multiples of this.
pub const SIZE_MULTIPLE: u32 = 32;
/// Largest input side accepted (keeps buffers and plans bounded).
pub const MAX_INPUT_SIDE: u32 = 4096;

/// One ball candidate, in upright frame pixels.
#[derive(Debug, Clone, Copy, PartialEq, Default, serde::Serialize)]
pub struct Candidate {
    pub x: f32,
    pub y: f32,
    pub radius: f32,
    /// Sigmoid of the centre logit, 0..1.
    pub score: f32,
}

/// A detector input size in pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct InputSize {
    pub width: u32,
    pub height: u32,
}

impl InputSize {
    /// Builds a size.
    pub const fn new(width: u32, height: u32) -> Self {
        Self { width, height }
    }

    /// Number of f32 values of the `[1,3,H,W]` input tensor.
    pub fn tensor_len(self) -> usize {
        INPUT_CHANNELS * self.width as usize * self.height as usize
    }

    /// Checks the contract's size rules.
    pub fn check(self) -> Result<(), InputSizeError> {
        let ok = |v: u32| v > 0 && v.is_multiple_of(SIZE_MULTIPLE) && v <= MAX_INPUT_SIDE;
        if ok(self.width) && ok(self.height) {
            Ok(())
        } else {
            Err(InputSizeError(self))
        }
    }
}

/// A detector input size that breaks the contract's size rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{}x{}: both sides must be positive multiples of {SIZE_MULTIPLE} up to {MAX_INPUT_SIDE}", .0.width, .0.height)]
pub struct InputSizeError(pub InputSize);

impl std::fmt::Display for InputSize {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}x{}", self.width, self.height)
    }
}

/// A rectangle of the UPRIGHT frame in pixels; may extend past the frame edges (outside pixels
/// are padded with 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Region {
    /// Left edge (may be negative).
    pub x: i32,
    /// Top edge (may be negative).
    pub y: i32,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
}

/// Where the ball is expected at a given time, with its 1-sigma uncertainty: where to look.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Prediction {
    /// Predicted centre x, pixels.
    pub x: f32,
    /// Predicted centre y, pixels.
    pub y: f32,
    /// Velocity x, pixels per second.
    pub vx: f32,
    /// Velocity y, pixels per second.
    pub vy: f32,
    /// Standard deviation of the predicted position along x, pixels (filter only, without the
    /// measurement noise).
    pub sigma_x: f32,
    /// Standard deviation of the predicted position along y, pixels.
    pub sigma_y: f32,
    /// Apparent radius, pixels.
    pub radius: f32,
}

/// What the tracker knows, as the scheduler needs it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum TrackView {
    /// No track and no hypothesis: search.
    None,
    /// A confirmed or tentative ball to look at, and for how long it has been unseen (s).
    At {
        prediction: Prediction,
        unseen_s: f64,
    },
}

/// Work beyond the track's region of interest, asked for by the tracker while it is not sure
/// it follows the ball in play (acquiring, or locked on something that does not move).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Lookout {
    /// A rival hypothesis to look at too, with the small region-of-interest input.
    pub rival: Option<Prediction>,
    /// Keep scanning the frame (full / tiles) after the regions of interest, within budget.
    pub search: bool,
}

/// Checks that a config `value` is finite and within `min..=max`.
pub(crate) fn check_range(field: &str, value: f32, min: f32, max: f32) -> Result<(), ConfigError> {
    if value.is_finite() && value >= min && value <= max {
        Ok(())
    } else {
        Err(ConfigError::new(
            field,
            format!("{value} is out of range: expected a finite value in {min}..={max}"),
        ))
    }
}

/// `Ok` when `ok`, else an error naming `field` with the `message`.
pub(crate) fn check(
    ok: bool,
    field: &str,
    message: impl FnOnce() -> String,
) -> Result<(), ConfigError> {
    if ok {
        Ok(())
    } else {
        Err(ConfigError::new(field, message()))
    }
}
