//! The crop's settings: its aspect ratio ([`AspectRatio`]), its zoom ([`ZoomMode`]) and the
//! [`CropConfig`] of the planner, with their defaults, parsing and validation.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::ConfigError;
use crate::types::check_range;

/// Ball speeds below this do not widen a speed-driven zoom, frame widths per second (at most
/// half of `full_speed`): the velocity noise of a ball at rest does not breathe the zoom.
const ZOOM_SPEED_DEAD_BAND: f64 = 0.03;
/// Largest term of an aspect ratio.
const MAX_ASPECT_TERM: u32 = 10_000;
/// Largest ratio between the two terms of an aspect ratio.
const MAX_ASPECT_RATIO: f64 = 10.0;

/// Width-to-height ratio of the crop, written `"W:H"` (e.g. `"16:9"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct AspectRatio {
    /// Width term.
    pub w: u32,
    /// Height term.
    pub h: u32,
}

impl AspectRatio {
    /// An aspect ratio `w:h` (checked by [`CropConfig::validate`]).
    pub const fn new(w: u32, h: u32) -> Self {
        Self { w, h }
    }

    /// Height over width.
    pub(super) fn h_over_w(self) -> f64 {
        f64::from(self.h) / f64::from(self.w)
    }

    /// Checks the terms; the message names the value.
    pub(super) fn check(self) -> Result<(), String> {
        if self.w == 0 || self.h == 0 || self.w > MAX_ASPECT_TERM || self.h > MAX_ASPECT_TERM {
            return Err(format!(
                "{self}: both terms must be in 1..={MAX_ASPECT_TERM}"
            ));
        }
        let r = f64::from(self.w) / f64::from(self.h);
        if !(1.0 / MAX_ASPECT_RATIO..=MAX_ASPECT_RATIO).contains(&r) {
            return Err(format!(
                "{self}: the ratio must be between 1:{MAX_ASPECT_RATIO} and {MAX_ASPECT_RATIO}:1"
            ));
        }
        Ok(())
    }
}

impl Default for AspectRatio {
    fn default() -> Self {
        Self::new(16, 9)
    }
}

impl fmt::Display for AspectRatio {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.w, self.h)
    }
}

impl FromStr for AspectRatio {
    type Err = ConfigError;

    /// Parses `"W:H"` with positive integer terms, e.g. `"16:9"` or `"9:16"`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = |why: &str| {
            ConfigError::new(
                "aspect",
                format!("{s:?}: {why}; expected \"W:H\" such as \"16:9\""),
            )
        };
        let (w, h) = s.trim().split_once(':').ok_or_else(|| err("no ':'"))?;
        let w: u32 = w
            .trim()
            .parse()
            .map_err(|_| err("the width term is not a positive integer"))?;
        let h: u32 = h
            .trim()
            .parse()
            .map_err(|_| err("the height term is not a positive integer"))?;
        let a = AspectRatio::new(w, h);
        a.check().map_err(|m| ConfigError::new("aspect", m))?;
        Ok(a)
    }
}

impl TryFrom<String> for AspectRatio {
    type Error = ConfigError;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<AspectRatio> for String {
    fn from(a: AspectRatio) -> String {
        a.to_string()
    }
}

/// How wide the crop is while the ball is followed. Widths are fractions of the frame width
/// (a crop of that width that would be taller than the frame is the largest that fits).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "mode", rename_all = "lowercase", deny_unknown_fields)]
pub enum ZoomMode {
    /// Always the same width.
    Fixed {
        /// Crop width, fraction of the frame width.
        width_fraction: f32,
    },
    /// Wider when the ball is fast.
    Speed {
        /// Crop width for a ball at rest, fraction of the frame width.
        min_width_fraction: f32,
        /// Crop width at and above `full_speed`, fraction of the frame width.
        max_width_fraction: f32,
        /// Ball speed at which the widest crop is used, frame widths per second.
        full_speed: f32,
    },
}

impl Default for ZoomMode {
    fn default() -> Self {
        ZoomMode::Speed {
            min_width_fraction: 0.45,
            max_width_fraction: 0.8,
            full_speed: 1.0,
        }
    }
}

impl ZoomMode {
    /// Width fraction for a ball speed in frame widths per second.
    pub(super) fn fraction(&self, speed: f64) -> f64 {
        match *self {
            ZoomMode::Fixed { width_fraction } => f64::from(width_fraction),
            ZoomMode::Speed {
                min_width_fraction,
                max_width_fraction,
                full_speed,
            } => {
                let (lo, hi) = (f64::from(min_width_fraction), f64::from(max_width_fraction));
                let full = f64::from(full_speed);
                let band = ZOOM_SPEED_DEAD_BAND.min(0.5 * full);
                let s = if speed.is_finite() {
                    ((speed - band) / (full - band)).clamp(0.0, 1.0)
                } else {
                    1.0
                };
                lo + (hi - lo) * s
            }
        }
    }

    fn validate(&self) -> Result<(), ConfigError> {
        match *self {
            ZoomMode::Fixed { width_fraction } => {
                check_range("zoom.width_fraction", width_fraction, 0.01, 1.0)
            }
            ZoomMode::Speed {
                min_width_fraction,
                max_width_fraction,
                full_speed,
            } => {
                check_range("zoom.min_width_fraction", min_width_fraction, 0.01, 1.0)?;
                check_range("zoom.max_width_fraction", max_width_fraction, 0.01, 1.0)?;
                if max_width_fraction < min_width_fraction {
                    return Err(ConfigError::new(
                        "zoom.max_width_fraction",
                        format!(
                            "{max_width_fraction} is below min_width_fraction {min_width_fraction}"
                        ),
                    ));
                }
                check_range("zoom.full_speed", full_speed, 0.001, 100.0)
            }
        }
    }
}

/// Settings of the [`CropPlanner`](super::CropPlanner). Speeds and accelerations are in frame widths (per second,
/// per second squared), so that they fit any resolution.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CropConfig {
    /// Aspect ratio of the crop, `"W:H"`. Default `"16:9"`.
    pub aspect: AspectRatio,
    /// Zoom while following the ball. Default speed-driven, 0.45 to 0.8 of the frame width,
    /// widest at 1 frame width per second.
    pub zoom: ZoomMode,
    /// Size of the dead zone around the crop centre, as a fraction of the crop's size, inside
    /// which the ball moves without the camera following. Default 0.1.
    pub dead_zone: f32,
    /// Fastest pan of the crop centre along each axis, frame widths per second. Default 1.2.
    pub max_pan_speed: f32,
    /// Largest acceleration of the crop centre (2-D), frame widths per second squared.
    /// Default 3.0.
    pub max_pan_accel: f32,
    /// The camera aims at where the ball will be this far ahead, seconds. Default 0.25.
    pub look_ahead_s: f32,
    /// After the ball is lost the crop holds still this long, seconds. Default 1.0.
    pub lost_hold_s: f32,
    /// Then it eases out to the wide view over this time, seconds. Default 1.5.
    pub wide_ease_s: f32,
    /// Fastest change of the crop width, frame widths per second. Default 0.3.
    pub max_zoom_speed: f32,
    /// Once the aim point leaves the dead zone, the offset closes at this rate, 1/s (on top of
    /// following the ball's velocity). Default 4.0.
    pub follow_gain: f32,
}

impl Default for CropConfig {
    fn default() -> Self {
        Self {
            aspect: AspectRatio::default(),
            zoom: ZoomMode::default(),
            dead_zone: 0.1,
            max_pan_speed: 1.2,
            max_pan_accel: 3.0,
            look_ahead_s: 0.25,
            lost_hold_s: 1.0,
            wide_ease_s: 1.5,
            max_zoom_speed: 0.3,
            follow_gain: 4.0,
        }
    }
}

impl CropConfig {
    /// Checks every field (finite, in range, consistent); the error names the field and value.
    pub fn validate(&self) -> Result<(), ConfigError> {
        self.aspect
            .check()
            .map_err(|m| ConfigError::new("aspect", m))?;
        self.zoom.validate()?;
        check_range("dead_zone", self.dead_zone, 0.0, 0.9)?;
        check_range("max_pan_speed", self.max_pan_speed, 0.001, 100.0)?;
        check_range("max_pan_accel", self.max_pan_accel, 0.001, 1000.0)?;
        check_range("look_ahead_s", self.look_ahead_s, 0.0, 5.0)?;
        check_range("lost_hold_s", self.lost_hold_s, 0.0, 3600.0)?;
        check_range("wide_ease_s", self.wide_ease_s, 0.0, 3600.0)?;
        check_range("max_zoom_speed", self.max_zoom_speed, 0.001, 100.0)?;
        check_range("follow_gain", self.follow_gain, 0.01, 100.0)?;
        Ok(())
    }
}
