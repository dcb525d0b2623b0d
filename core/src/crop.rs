//! Virtual-camera crop planner.
//!
//! The [`CropPlanner`] moves a crop window of a fixed aspect ratio over the upright frame so
//! that the ball stays framed, the way a camera operator would pan and zoom:
//!
//! * **Framing.** The aim point is the ball plus `look_ahead_s` of its velocity (lead room).
//!   Inside a dead zone around the crop centre the ball moves without the camera following;
//!   once it leaves it, the camera follows the ball's velocity plus a correction that closes
//!   the remaining offset.
//! * **Zoom.** Fixed, or from the ball's speed (fast ball: wide). A coasting ball
//!   ([`TrackState::Predicted`]) widens the crop as its confidence drops, and is followed more
//!   cautiously (less lead, larger dead zone, slower pans). Zoom changes are rate limited.
//! * **Limits.** The crop centre's speed and acceleration are limited. Braking is planned with
//!   the braking distance `v^2 / 2a`, against the target and against the frame edges, and the
//!   crop only grows where the centre's stopping point leaves room: the crop stays inside the
//!   frame without ever exceeding the acceleration limit, also while zooming.
//! * **Lost ball.** Hold still for `lost_hold_s`, then ease over `wide_ease_s` to the wide view
//!   (the widest crop of the aspect, centred). A ball found again is eased back into, within
//!   the same limits.
//! * **Frame-rate independence.** The motion is integrated at a fixed internal sub-step of
//!   [`SUBSTEP_US`] between timestamps, with the last ball estimate extrapolated along its
//!   velocity, so that the same ball path at 30 and at 60 fps gives the same crop path. Within
//!   a sub-step the acceleration is constant and, once used for an output, committed: every
//!   output lies on one path whose acceleration never exceeds the limit.
//!
//! Everything is deterministic: time comes only from the timestamps passed in; repeated or
//! backwards timestamps give the previous crop; non-finite ball values count as no ball; no
//! call allocates.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::ConfigError;
use crate::track::{BallEstimate, TrackState};
use crate::types::{check_range, US_PER_S};

/// Internal integration step, microseconds (250 Hz).
pub const SUBSTEP_US: i64 = 4_000;
/// Share of the acceleration limit given to the horizontal axis (the vertical one gets
/// `sqrt(1 - share^2)`, so that the 2-D acceleration never exceeds the limit).
const ACCEL_SHARE_X: f64 = 0.8;
/// Share of an axis' acceleration used to plan braking (the rest is margin for the sub-step).
const BRAKE_SHARE: f64 = 0.8;
/// Most sub-steps simulated in one call; a longer gap skips the time beyond it.
const MAX_SUBSTEPS_PER_CALL: i64 = 2_500;
/// Longest extrapolation of the last ball estimate along its velocity, seconds.
const MAX_EXTRAPOLATE_S: f64 = 0.5;
/// Largest look-ahead offset, as a fraction of the crop size.
const MAX_LOOK_AHEAD_FRACTION: f64 = 0.3;
/// Predicted (coasting) ball: look-ahead multiplier.
const PREDICTED_LOOK_AHEAD: f64 = 0.5;
/// Predicted ball: dead-zone multiplier.
const PREDICTED_DEAD_ZONE: f64 = 2.0;
/// Predicted ball: pan-speed and velocity feed-forward multiplier.
const PREDICTED_SPEED: f64 = 0.6;
/// Slope of the stopping curve near the frame edges, 1/s (sharper than `follow_gain`, so
/// that the crop may come close to an edge).
const EDGE_GAIN: f64 = 12.0;
/// Ball speeds below this do not widen a speed-driven zoom, frame widths per second (at most
/// half of `full_speed`): the velocity noise of a ball at rest does not breathe the zoom.
const ZOOM_SPEED_DEAD_BAND: f64 = 0.03;
/// Smallest crop width, pixels (or the widest crop when that is smaller).
const MIN_CROP_PX: f64 = 16.0;
/// Ball coordinates beyond this magnitude (pixels) count as no ball.
const MAX_COORDINATE_PX: f32 = 1.0e6;
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
    fn h_over_w(self) -> f64 {
        f64::from(self.h) / f64::from(self.w)
    }

    /// Checks the terms; the message names the value.
    fn check(self) -> Result<(), String> {
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
    fn fraction(&self, speed: f64) -> f64 {
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

/// Settings of the [`CropPlanner`]. Speeds and accelerations are in frame widths (per second,
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

/// The crop window, in upright frame pixels, always inside the frame.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct CropRect {
    /// Left edge, pixels.
    pub x: f32,
    /// Top edge, pixels.
    pub y: f32,
    /// Width, pixels.
    pub width: f32,
    /// Height, pixels.
    pub height: f32,
}

/// The last ball estimate, checked.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Ball {
    t_us: i64,
    x: f64,
    y: f64,
    vx: f64,
    vy: f64,
    predicted: bool,
    confidence: f64,
}

impl Ball {
    /// `None` for a lost ball or non-finite / absurd coordinates; a non-finite velocity or
    /// confidence reads as zero.
    fn from_estimate(t_us: i64, b: &BallEstimate) -> Option<Ball> {
        let ok = |v: f32| v.is_finite() && v.abs() < MAX_COORDINATE_PX;
        if b.state == TrackState::Lost || !ok(b.x) || !ok(b.y) {
            return None;
        }
        let fin = |v: f32| if ok(v) { f64::from(v) } else { 0.0 };
        Some(Ball {
            t_us,
            x: f64::from(b.x),
            y: f64::from(b.y),
            vx: fin(b.vx),
            vy: fin(b.vy),
            predicted: b.state == TrackState::Predicted,
            confidence: if b.confidence.is_finite() {
                f64::from(b.confidence).clamp(0.0, 1.0)
            } else {
                0.0
            },
        })
    }
}

/// Camera state on a sub-step boundary.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Camera {
    /// Time of this state, microseconds (a sub-step boundary).
    t_us: i64,
    cx: f64,
    cy: f64,
    vx: f64,
    vy: f64,
    /// Crop width, pixels.
    width: f64,
}

/// Controls for one sub-step: accelerations (px/s^2) and width rate (px/s).
#[derive(Debug, Clone, Copy, PartialEq)]
struct Control {
    ax: f64,
    ay: f64,
    dw: f64,
}

/// Where the crop wants to be on one sub-step.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Goal {
    x: f64,
    y: f64,
    /// Velocity feed-forward, px/s.
    vx: f64,
    vy: f64,
    width: f64,
    /// Speed limit along each axis, px/s.
    vmax: f64,
}

/// Frame size in pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Frame {
    w: f64,
    h: f64,
    w_px: u32,
    h_px: u32,
}

/// Virtual-camera crop planner; see the module docs.
#[derive(Debug, Clone)]
pub struct CropPlanner {
    cfg: CropConfig,
    frame: Option<Frame>,
    cam: Option<Camera>,
    /// Control of the sub-step starting at `cam.t_us`, once an output used it.
    committed: Option<Control>,
    ball: Option<Ball>,
    /// Time the ball went missing, microseconds.
    lost_since_us: Option<i64>,
    /// Crop centre and width when the ease to the wide view began.
    ease_from: Option<(f64, f64, f64)>,
    /// Latest timestamp and the crop given then.
    last: Option<(i64, CropRect)>,
}

/// Microseconds to seconds.
fn seconds(us: i64) -> f64 {
    us as f64 / US_PER_S
}

/// `c` moved so that `[c - half, c + half]` lies inside `[0, len]` (the middle when it cannot).
fn clamp_centre(c: f64, half: f64, len: f64) -> f64 {
    if 2.0 * half >= len {
        0.5 * len
    } else {
        c.clamp(half, len - half)
    }
}

/// Smooth 0..1 ramp with zero slope at both ends.
fn smoothstep(x: f64) -> f64 {
    let x = x.clamp(0.0, 1.0);
    x * x * (3.0 - 2.0 * x)
}

impl CropPlanner {
    /// A planner with a validated configuration.
    pub fn new(cfg: CropConfig) -> Result<CropPlanner, ConfigError> {
        cfg.validate()?;
        Ok(CropPlanner {
            cfg,
            frame: None,
            cam: None,
            committed: None,
            ball: None,
            lost_since_us: None,
            ease_from: None,
            last: None,
        })
    }

    /// The configuration in use.
    pub fn config(&self) -> &CropConfig {
        &self.cfg
    }

    /// Forgets the camera: the next update starts afresh.
    pub fn reset(&mut self) {
        self.frame = None;
        self.cam = None;
        self.committed = None;
        self.ball = None;
        self.lost_since_us = None;
        self.ease_from = None;
        self.last = None;
    }

    /// Changes the aspect ratio from now on (an invalid one is ignored). The crop keeps its
    /// centre and shrinks at once if the new shape does not fit there.
    pub fn set_aspect(&mut self, aspect: AspectRatio) {
        if aspect.check().is_err() || aspect == self.cfg.aspect {
            return;
        }
        self.cfg.aspect = aspect;
        self.committed = None;
        self.ease_from = None;
        if let (Some(frame), Some(cam)) = (self.frame, self.cam.as_mut()) {
            let h_over_w = aspect.h_over_w();
            let fit = (frame.w).min(frame.h / h_over_w);
            let room_y = 2.0 * cam.cy.min(frame.h - cam.cy) / h_over_w;
            let room_x = 2.0 * cam.cx.min(frame.w - cam.cx);
            cam.width = cam
                .width
                .min(fit)
                .min(room_x.max(0.0))
                .min(room_y.max(0.0))
                .max(min_width(fit));
            let half_h = 0.5 * cam.width * h_over_w;
            cam.cy = cam.cy.clamp(half_h, (frame.h - half_h).max(half_h));
            let half_w = 0.5 * cam.width;
            cam.cx = cam.cx.clamp(half_w, (frame.w - half_w).max(half_w));
        }
        if let (Some((t, _)), Some(frame), Some(cam)) = (self.last, self.frame, self.cam) {
            self.last = Some((t, self.rect(&frame, &cam)));
        }
    }

    /// One frame at `t_us` of a `frame_width` x `frame_height` upright frame, with the
    /// tracker's ball (`None` or [`TrackState::Lost`] when there is none). Returns the crop.
    /// A change of frame size restarts the planner.
    pub fn update(
        &mut self,
        t_us: i64,
        frame_width: u32,
        frame_height: u32,
        ball: Option<&BallEstimate>,
    ) -> CropRect {
        if frame_width == 0 || frame_height == 0 {
            return CropRect::default();
        }
        let same_frame = self
            .frame
            .is_some_and(|f| f.w_px == frame_width && f.h_px == frame_height);
        if !same_frame {
            self.reset();
        }
        let frame = Frame {
            w: f64::from(frame_width),
            h: f64::from(frame_height),
            w_px: frame_width,
            h_px: frame_height,
        };
        self.frame = Some(frame);
        let ball = ball.and_then(|b| Ball::from_estimate(t_us, b));

        let Some(mut cam) = self.cam else {
            let cam = self.start(t_us, &frame, ball.as_ref());
            self.cam = Some(cam);
            self.ball = ball;
            self.lost_since_us = if ball.is_some() { None } else { Some(t_us) };
            let rect = self.rect(&frame, &cam);
            self.last = Some((t_us, rect));
            return rect;
        };
        if let Some((t_prev, rect)) = self.last {
            if t_us <= t_prev {
                return rect;
            }
        }

        // Sub-steps up to t_us with what was known before this frame.
        let mut steps = 0;
        while cam.t_us.saturating_add(SUBSTEP_US) <= t_us {
            if steps >= MAX_SUBSTEPS_PER_CALL {
                // A long gap: skip the rest of it (the camera has long come to rest).
                cam.t_us = t_us;
                cam.vx = 0.0;
                cam.vy = 0.0;
                self.committed = None;
                break;
            }
            let control = match self.committed.take() {
                Some(c) => c,
                None => self.control(&frame, &cam),
            };
            cam = integrate(
                &frame,
                &cam,
                &control,
                SUBSTEP_US,
                self.cfg.aspect.h_over_w(),
            );
            steps += 1;
        }

        // This frame's ball.
        match ball {
            Some(b) => {
                self.ball = Some(b);
                self.lost_since_us = None;
                self.ease_from = None;
            }
            None => {
                if self.lost_since_us.is_none() {
                    self.lost_since_us = Some(t_us);
                }
            }
        }

        // The partial sub-step to t_us, with its control committed.
        let mut out = cam;
        let partial = t_us.saturating_sub(cam.t_us);
        if partial > 0 {
            let control = match self.committed {
                Some(c) => c,
                None => {
                    let c = self.control(&frame, &cam);
                    self.committed = Some(c);
                    c
                }
            };
            out = integrate(&frame, &cam, &control, partial, self.cfg.aspect.h_over_w());
        }
        self.cam = Some(cam);
        let rect = self.rect(&frame, &out);
        self.last = Some((t_us, rect));
        rect
    }

    /// Widest crop width of the aspect in `frame`, pixels.
    fn fit_width(&self, frame: &Frame) -> f64 {
        frame.w.min(frame.h / self.cfg.aspect.h_over_w())
    }

    /// Crop width wanted for a ball, pixels.
    fn ball_width(&self, frame: &Frame, b: &Ball) -> f64 {
        let speed = b.vx.hypot(b.vy) / frame.w;
        let mut fraction = self.cfg.zoom.fraction(speed);
        let fit = self.fit_width(frame);
        if b.predicted {
            // Coasting: the less sure the tracker is, the closer to the wide view (at zero
            // confidence nobody knows where the ball is).
            let widest = (fit / frame.w).max(fraction);
            fraction += (widest - fraction) * (1.0 - b.confidence);
        }
        (fraction * frame.w).clamp(min_width(fit), fit)
    }

    /// The camera on the first frame: on the ball when there is one, else the wide view.
    fn start(&self, t_us: i64, frame: &Frame, ball: Option<&Ball>) -> Camera {
        let h_over_w = self.cfg.aspect.h_over_w();
        let (cx, cy, width) = match ball {
            Some(b) => {
                let w = self.ball_width(frame, b);
                // A crop as tall as the frame can make `hh` a rounding hair above half the
                // height: `clamp_centre` centres it then instead of clamping with min > max.
                let (hw, hh) = (0.5 * w, 0.5 * w * h_over_w);
                (
                    clamp_centre(b.x, hw, frame.w),
                    clamp_centre(b.y, hh, frame.h),
                    w,
                )
            }
            None => (0.5 * frame.w, 0.5 * frame.h, self.fit_width(frame)),
        };
        Camera {
            t_us,
            cx,
            cy,
            vx: 0.0,
            vy: 0.0,
            width,
        }
    }

    /// Where the crop wants to be at the camera's time.
    fn goal(&mut self, frame: &Frame, cam: &Camera) -> Goal {
        let cfg = &self.cfg;
        let h_over_w = cfg.aspect.h_over_w();
        let vmax = f64::from(cfg.max_pan_speed) * frame.w;
        let hold = Goal {
            x: cam.cx,
            y: cam.cy,
            vx: 0.0,
            vy: 0.0,
            width: cam.width,
            vmax,
        };
        if let (None, Some(b)) = (self.lost_since_us, self.ball) {
            let dt = seconds(cam.t_us.saturating_sub(b.t_us)).clamp(0.0, MAX_EXTRAPOLATE_S);
            let (bx, by) = (b.x + b.vx * dt, b.y + b.vy * dt);
            let width = self.ball_width(frame, &b);
            let (look, dead, speed) = if b.predicted {
                (PREDICTED_LOOK_AHEAD, PREDICTED_DEAD_ZONE, PREDICTED_SPEED)
            } else {
                (1.0, 1.0, 1.0)
            };
            let look_s = f64::from(cfg.look_ahead_s) * look;
            let (cw, ch) = (cam.width, cam.width * h_over_w);
            let ax = bx
                + (b.vx * look_s)
                    .clamp(-MAX_LOOK_AHEAD_FRACTION * cw, MAX_LOOK_AHEAD_FRACTION * cw);
            let ay = by
                + (b.vy * look_s)
                    .clamp(-MAX_LOOK_AHEAD_FRACTION * ch, MAX_LOOK_AHEAD_FRACTION * ch);
            let dz = 0.5 * f64::from(cfg.dead_zone) * dead;
            let (x, vx) = dead_zone_target(ax, cam.cx, dz * cw, b.vx * speed);
            let (y, vy) = dead_zone_target(ay, cam.cy, dz * ch, b.vy * speed);
            return Goal {
                x,
                y,
                vx,
                vy,
                width,
                vmax: vmax * speed,
            };
        }
        let Some(lost_since) = self.lost_since_us else {
            return hold;
        };
        let lost_s = seconds(cam.t_us.saturating_sub(lost_since));
        let hold_s = f64::from(cfg.lost_hold_s);
        if lost_s < hold_s {
            return hold;
        }
        let from = *self.ease_from.get_or_insert((cam.cx, cam.cy, cam.width));
        let ease_s = f64::from(cfg.wide_ease_s);
        let e = if ease_s > 0.0 {
            smoothstep((lost_s - hold_s) / ease_s)
        } else {
            1.0
        };
        let fit = self.fit_width(frame);
        Goal {
            x: from.0 + (0.5 * frame.w - from.0) * e,
            y: from.1 + (0.5 * frame.h - from.1) * e,
            vx: 0.0,
            vy: 0.0,
            width: from.2 + (fit - from.2) * e,
            vmax,
        }
    }

    /// Accelerations and width rate for the sub-step starting at `cam`.
    fn control(&mut self, frame: &Frame, cam: &Camera) -> Control {
        let goal = self.goal(frame, cam);
        let cfg = &self.cfg;
        let h_over_w = cfg.aspect.h_over_w();
        let h = seconds(SUBSTEP_US);
        let accel = f64::from(cfg.max_pan_accel) * frame.w;
        let (acc_x, acc_y) = (
            accel * ACCEL_SHARE_X,
            accel * (1.0 - ACCEL_SHARE_X * ACCEL_SHARE_X).sqrt(),
        );
        let gain = f64::from(cfg.follow_gain);

        // Width: rate limited toward the goal, growing only where the stopping points leave room.
        let fit = self.fit_width(frame);
        let max_dw = f64::from(cfg.max_zoom_speed) * frame.w * h;
        let goal_w = goal.width.clamp(min_width(fit), fit);
        let mut w_next = cam.width + (goal_w - cam.width).clamp(-max_dw, max_dw);
        if w_next > cam.width {
            let room_x = room(cam.cx, cam.vx, acc_x * BRAKE_SHARE, EDGE_GAIN, frame.w);
            let room_y = room(cam.cy, cam.vy, acc_y * BRAKE_SHARE, EDGE_GAIN, frame.h) / h_over_w;
            w_next = w_next.min(room_x.min(room_y).max(cam.width));
        }
        let dw = (w_next - cam.width) / h;
        // Aim the centre where the goal width fits, so that a crop at a frame edge can grow
        // (it grows symmetrically about its centre, so the centre must leave the edge).
        let goal_x = clamp_centre(goal.x, 0.5 * goal_w, frame.w);
        let goal_y = clamp_centre(goal.y, 0.5 * goal_w * h_over_w, frame.h);

        let ax = axis_accel(
            cam.cx,
            cam.vx,
            goal_x,
            goal.vx,
            0.5 * cam.width,
            frame.w,
            goal.vmax,
            acc_x,
            gain,
            h,
        );
        let ay = axis_accel(
            cam.cy,
            cam.vy,
            goal_y,
            goal.vy,
            0.5 * cam.width * h_over_w,
            frame.h,
            goal.vmax,
            acc_y,
            gain,
            h,
        );
        Control { ax, ay, dw }
    }

    /// The output rectangle for a camera state, clamped into the frame.
    fn rect(&self, frame: &Frame, cam: &Camera) -> CropRect {
        let h_over_w = self.cfg.aspect.h_over_w();
        let fit = self.fit_width(frame);
        let w = cam.width.clamp(min_width(fit), fit);
        let h = (w * h_over_w).min(frame.h);
        let x = (cam.cx - 0.5 * w).clamp(0.0, (frame.w - w).max(0.0));
        let y = (cam.cy - 0.5 * h).clamp(0.0, (frame.h - h).max(0.0));
        let (fw, fh) = (frame.w as f32, frame.h as f32);
        let (w32, h32) = ((w as f32).min(fw), (h as f32).min(fh));
        let mut x32 = (x as f32).max(0.0);
        let mut y32 = (y as f32).max(0.0);
        if x32 + w32 > fw {
            x32 = fw - w32;
        }
        if y32 + h32 > fh {
            y32 = fh - h32;
        }
        CropRect {
            x: x32,
            y: y32,
            width: w32,
            height: h32,
        }
    }
}

/// Smallest crop width for a widest crop of `fit` pixels.
fn min_width(fit: f64) -> f64 {
    MIN_CROP_PX.min(fit)
}

/// Target and velocity feed-forward along one axis for an aim point `offset` from the crop
/// centre: nothing while it is within `half` of it, else the dead zone's edge. The ball's
/// velocity `v` is fed forward when it carries the ball outward, ramping in over the outer
/// half of the dead zone (no chatter at its edge, no drift from a jittering ball at rest).
fn dead_zone_target(aim: f64, centre: f64, half: f64, v: f64) -> (f64, f64) {
    let offset = aim - centre;
    let target = centre + offset - offset.clamp(-half, half);
    let ramp = if half > 0.0 {
        ((offset.abs() - 0.5 * half) / (0.5 * half)).clamp(0.0, 1.0)
    } else {
        1.0
    };
    let outward = if v * offset > 0.0 { v } else { 0.0 };
    (target, outward * ramp)
}

/// Twice the distance from the centre (or its stopping point under [`stopping_speed`]) to
/// the nearer edge of `0..size`: the widest extent the crop may grow to along this axis.
fn room(c: f64, v: f64, brake: f64, gain: f64, size: f64) -> f64 {
    let stop = c + v.signum() * (v * v / (2.0 * brake) + v.abs() / gain);
    2.0 * c.min(stop).min(size - c.max(stop)).max(0.0)
}

/// Speed that still stops within `distance` when braking at `brake`, with a linear region
/// of slope `gain` near zero (smooth arrival instead of bang-bang).
fn stopping_speed(distance: f64, brake: f64, gain: f64) -> f64 {
    let d = distance.max(0.0);
    let c = brake / gain;
    (2.0 * brake * d + c * c).sqrt() - c
}

/// Acceleration along one axis for a sub-step of `h` seconds: follow the goal's velocity
/// plus a correction toward it, limited by `vmax` and by the braking distance to the goal
/// and to the edges (the centre stays within `half..size - half`), then by `acc`.
#[allow(clippy::too_many_arguments)]
fn axis_accel(
    c: f64,
    v: f64,
    goal: f64,
    goal_v: f64,
    half: f64,
    size: f64,
    vmax: f64,
    acc: f64,
    gain: f64,
    h: f64,
) -> f64 {
    let (lo, hi) = (half, (size - half).max(half));
    let target = goal.clamp(lo, hi);
    let brake = acc * BRAKE_SHARE;
    let e = target - c;
    let correction = e.signum() * stopping_speed(e.abs(), brake, gain);
    let mut v_des = (goal_v + correction).clamp(-vmax, vmax);
    // Never faster than what still stops at the edges.
    v_des = v_des
        .min(stopping_speed(hi - c, brake, EDGE_GAIN))
        .max(-stopping_speed(c - lo, brake, EDGE_GAIN));
    let a = (v_des - v) / h;
    if a.is_finite() {
        a.clamp(-acc, acc)
    } else {
        0.0
    }
}

/// The camera after `dt_us` microseconds of constant `control`, kept inside the frame.
fn integrate(frame: &Frame, cam: &Camera, control: &Control, dt_us: i64, h_over_w: f64) -> Camera {
    let dt = seconds(dt_us);
    let mut next = *cam;
    next.t_us = cam.t_us.saturating_add(dt_us);
    next.cx += cam.vx * dt + 0.5 * control.ax * dt * dt;
    next.cy += cam.vy * dt + 0.5 * control.ay * dt * dt;
    next.vx += control.ax * dt;
    next.vy += control.ay * dt;
    next.width = (cam.width + control.dw * dt).max(0.0);
    // Numerical safety only: the controls keep the centre inside by construction.
    let (hw, hh) = (0.5 * next.width, 0.5 * next.width * h_over_w);
    (next.cx, next.vx) = keep_inside(next.cx, next.vx, hw, frame.w);
    (next.cy, next.vy) = keep_inside(next.cy, next.vy, hh, frame.h);
    next
}

/// The centre `c` clamped to `half..size - half`, with its velocity into the edge stopped.
fn keep_inside(c: f64, v: f64, half: f64, size: f64) -> (f64, f64) {
    let (lo, hi) = (half.min(0.5 * size), (size - half).max(0.5 * size));
    if c < lo {
        (lo, v.max(0.0))
    } else if c > hi {
        (hi, v.min(0.0))
    } else {
        (c, v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const W: u32 = 1920;
    const H: u32 = 1080;

    /// Deterministic xorshift generator (tests only).
    struct Rng(u64);

    impl Rng {
        fn uniform(&mut self) -> f64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 >> 11) as f64 / (1u64 << 53) as f64
        }
    }

    fn ball(x: f64, y: f64, vx: f64, vy: f64, state: TrackState) -> BallEstimate {
        BallEstimate {
            x: x as f32,
            y: y as f32,
            vx: vx as f32,
            vy: vy as f32,
            radius: 6.0,
            confidence: 0.9,
            state,
        }
    }

    fn us(t: f64) -> i64 {
        (t * US_PER_S).round() as i64
    }

    fn planner() -> CropPlanner {
        CropPlanner::new(CropConfig::default()).unwrap()
    }

    fn centre(r: &CropRect) -> (f64, f64) {
        (
            f64::from(r.x) + 0.5 * f64::from(r.width),
            f64::from(r.y) + 0.5 * f64::from(r.height),
        )
    }

    /// Inside the frame with the aspect's shape (within 1 px).
    fn check_rect(r: &CropRect, fw: u32, fh: u32, aspect: AspectRatio, what: &str) {
        let (fw, fh) = (fw as f32, fh as f32);
        assert!(r.x >= 0.0 && r.y >= 0.0, "{what}: {r:?}");
        assert!(
            r.x + r.width <= fw && r.y + r.height <= fh,
            "{what}: {r:?} in {fw}x{fh}"
        );
        assert!(r.width >= 1.0 && r.height >= 1.0, "{what}: {r:?}");
        let expect_h = r.width * aspect.h as f32 / aspect.w as f32;
        assert!(
            (expect_h - r.height).abs() <= 1.0,
            "{what}: {r:?} is not {aspect}"
        );
    }

    /// The crop centre's path never accelerates beyond the limit between three outputs.
    fn check_accel(path: &[(i64, CropRect)], fw: u32, what: &str) {
        let limit = f64::from(CropConfig::default().max_pan_accel) * f64::from(fw);
        for win in path.windows(3) {
            let (t0, t1, t2) = (win[0].0, win[1].0, win[2].0);
            let (dt1, dt2) = (seconds(t1 - t0), seconds(t2 - t1));
            let (c0, c1, c2) = (centre(&win[0].1), centre(&win[1].1), centre(&win[2].1));
            // Second difference scaled for uneven steps: exact for uniform ones.
            let ddx = (c2.0 - c1.0) - (c1.0 - c0.0) * dt2 / dt1;
            let ddy = (c2.1 - c1.1) - (c1.1 - c0.1) * dt2 / dt1;
            let bound = limit * dt2 * 0.5 * (dt1 + dt2) + 0.01;
            assert!(
                ddx.hypot(ddy) <= bound,
                "{what}: t {t1}: second difference {} > {bound}",
                ddx.hypot(ddy)
            );
        }
    }

    #[test]
    fn coasting_ball_at_an_edge_widens_to_the_wide_view() {
        // A ball held at the left edge, then coasting with confidence falling to zero: the
        // crop must grow (moving its centre off the edge), not stay stuck at its width.
        let (fw, fh) = (1280u32, 720u32);
        let mut p = planner();
        let mut path = Vec::new();
        let mut last = None;
        for i in 0..150 {
            let t = i as f64 / 30.0;
            let mut b = ball(40.0, 600.0, 0.0, 0.0, TrackState::Detected);
            if i >= 60 {
                b.state = TrackState::Predicted;
                b.confidence = (0.9 * (1.0 - (t - 2.0))).max(0.0) as f32;
            }
            let r = p.update(us(t), fw, fh, Some(&b));
            check_rect(&r, fw, fh, AspectRatio::new(16, 9), "coast");
            path.push((us(t), r));
            if i == 59 {
                assert!(r.width < 0.9 * fw as f32, "zoomed in on the ball: {r:?}");
            }
            last = Some(r);
        }
        let r = last.unwrap();
        assert!(
            r.width > 0.95 * fw as f32,
            "zero confidence: wide view expected, got {r:?}"
        );
        check_accel(&path, fw, "coast");
    }

    /// Adversarial ball: jumping to corners, outside the frame, NaN, lost, predicted.
    fn adversarial(i: usize, fw: f64, fh: f64) -> Option<BallEstimate> {
        let s = [
            TrackState::Detected,
            TrackState::Predicted,
            TrackState::Detected,
            TrackState::Lost,
        ];
        let state = s[i % 4];
        match i % 11 {
            0 => Some(ball(0.0, 0.0, -5000.0, -5000.0, state)),
            1 => Some(ball(fw, fh, 9000.0, 0.0, state)),
            2 => Some(ball(fw, 0.0, 0.0, 9000.0, state)),
            3 => Some(ball(0.0, fh, 1e9, -1e9, state)),
            4 => Some(ball(-500.0, 3.0 * fh, 0.0, 0.0, state)),
            5 => Some(ball(f64::NAN, 10.0, 0.0, 0.0, TrackState::Detected)),
            6 => None,
            7 => Some(ball(
                0.5 * fw,
                0.5 * fh,
                f64::INFINITY,
                f64::NAN,
                TrackState::Detected,
            )),
            8 => Some(BallEstimate {
                confidence: f32::NAN,
                ..ball(fw, fh * 0.5, 100.0, 0.0, TrackState::Predicted)
            }),
            9 => Some(ball(1e20, -1e20, 0.0, 0.0, TrackState::Detected)),
            _ => Some(ball(fw * 0.9, fh * 0.1, 0.0, 0.0, TrackState::Detected)),
        }
    }

    #[test]
    fn crop_stays_inside_with_its_aspect_and_acceleration_limit_under_adversarial_input() {
        let aspects = ["16:9", "9:16", "1:1", "21:9", "4:3"];
        let frames = [(W, H), (H, W), (640, 480)];
        for aspect in aspects {
            let aspect: AspectRatio = aspect.parse().unwrap();
            for (fw, fh) in frames {
                for timing in 0..3 {
                    let cfg = CropConfig {
                        aspect,
                        ..CropConfig::default()
                    };
                    let mut p = CropPlanner::new(cfg).unwrap();
                    let mut rng = Rng(42 + timing);
                    let mut t = 1_000_000i64;
                    let mut path = Vec::new();
                    for i in 0..600 {
                        t += match timing {
                            0 => 33_333,
                            1 => 16_667,
                            _ => (2_000.0 + 80_000.0 * rng.uniform()) as i64,
                        };
                        let b = adversarial(i, f64::from(fw), f64::from(fh));
                        let r = p.update(t, fw, fh, b.as_ref());
                        let what = format!("{aspect} {fw}x{fh} timing {timing} frame {i}");
                        check_rect(&r, fw, fh, aspect, &what);
                        path.push((t, r));
                    }
                    check_accel(&path, fw, &format!("{aspect} {fw}x{fh} timing {timing}"));
                }
            }
        }
    }

    #[test]
    fn acceleration_limit_holds_while_following_and_zooming() {
        for (fps, jitter) in [(30.0, false), (60.0, false), (30.0, true)] {
            let mut p = planner();
            let mut rng = Rng(5);
            let mut path = Vec::new();
            let mut t = 0.0;
            for i in 0..400 {
                t += if jitter {
                    (0.3 + 1.4 * rng.uniform()) / fps
                } else {
                    1.0 / fps
                };
                // A ball shooting from side to side, each time near the frame edge.
                let phase = (t * 1.3).sin();
                let x = 960.0 + 940.0 * phase;
                let vx = 940.0 * 1.3 * (t * 1.3).cos();
                let state = if i % 50 < 40 {
                    TrackState::Detected
                } else {
                    TrackState::Predicted
                };
                let b = if i % 120 > 110 {
                    None
                } else {
                    Some(ball(x, 540.0 + 500.0 * phase, vx, 0.0, state))
                };
                let r = p.update(us(t), W, H, b.as_ref());
                check_rect(&r, W, H, AspectRatio::default(), "follow");
                path.push((us(t), r));
            }
            check_accel(&path, W, &format!("{fps} fps jitter {jitter}"));
        }
    }

    #[test]
    fn crop_brakes_before_the_frame_edge() {
        for (fps, vx, vy) in [
            (30.0, 1.0, 0.0),
            (60.0, -1.0, 0.3),
            (30.0, 0.2, 1.0),
            (60.0, 0.7, -0.7),
        ] {
            let mut p = planner();
            let mut path = Vec::new();
            let speed = 1.5 * f64::from(W);
            for i in 0..150 {
                let t = i as f64 / fps;
                // The ball runs out of the frame and on: the camera must stop at the edge.
                let (x, y) = (960.0 + vx * speed * t, 540.0 + vy * speed * t);
                let r = p.update(
                    us(t),
                    W,
                    H,
                    Some(&ball(x, y, vx * speed, vy * speed, TrackState::Detected)),
                );
                check_rect(&r, W, H, AspectRatio::default(), "edge");
                path.push((us(t), r));
            }
            check_accel(&path, W, &format!("edge {fps} fps {vx},{vy}"));
            let last = path[path.len() - 1].1;
            if vx > 0.5 {
                assert!(last.x + last.width >= W as f32 - 1.0, "{last:?}");
            }
        }
    }

    #[test]
    fn ball_at_most_of_the_pan_speed_stays_in_the_crop() {
        let v = 0.8 * f64::from(CropConfig::default().max_pan_speed) * f64::from(W);
        for fps in [30.0, 60.0] {
            let mut p = planner();
            // Left to right, back, diagonally up, then down, at full test speed.
            let legs = [
                (v, 0.0, 1820.0 / v),
                (-v, 0.0, 1820.0 / v),
                (0.85 * v, -0.5 * v, 480.0 / (0.5 * v)),
                (0.0, v, 960.0 / v),
            ];
            let (mut x, mut y) = (50.0, 540.0);
            let mut t = 0.0;
            let step = 1.0 / fps;
            for (vx, vy, dur) in legs {
                let n = (dur * fps) as usize;
                for _ in 0..n {
                    let r = p.update(us(t), W, H, Some(&ball(x, y, vx, vy, TrackState::Detected)));
                    let inside = x >= f64::from(r.x)
                        && x <= f64::from(r.x + r.width)
                        && y >= f64::from(r.y)
                        && y <= f64::from(r.y + r.height);
                    assert!(inside, "{fps} fps, t {t}: ball {x},{y} outside {r:?}");
                    x += vx * step;
                    y += vy * step;
                    t += step;
                }
            }
        }
    }

    #[test]
    fn dead_zone_ignores_jitter() {
        let mut p = planner();
        let mut rng = Rng(11);
        let mut settled = None;
        for i in 0..300 {
            let t = i as f64 / 30.0;
            let jx = 4.0 * (rng.uniform() - 0.5);
            let jy = 4.0 * (rng.uniform() - 0.5);
            let jv = 30.0 * (rng.uniform() - 0.5);
            let b = ball(700.0 + jx, 500.0 + jy, jv, -jv, TrackState::Detected);
            let r = p.update(us(t), W, H, Some(&b));
            if i == 150 {
                settled = Some(r);
            }
            if let Some(s) = settled {
                assert_eq!(r, s, "frame {i}: the crop moved with jitter");
            }
        }
        // A real move is followed.
        let r = (300..330).fold(CropRect::default(), |_, i| {
            p.update(
                us(i as f64 / 30.0),
                W,
                H,
                Some(&ball(1100.0, 500.0, 0.0, 0.0, TrackState::Detected)),
            )
        });
        assert!(centre(&r).0 > centre(&settled.unwrap()).0 + 100.0);
    }

    #[test]
    fn lost_ball_holds_then_eases_to_the_wide_view() {
        let mut p = planner();
        let mut t = 0.0;
        let mut r = CropRect::default();
        while t < 3.0 {
            r = p.update(
                us(t),
                W,
                H,
                Some(&ball(400.0, 700.0, 0.0, 0.0, TrackState::Detected)),
            );
            t += 1.0 / 30.0;
        }
        let held = r;
        assert!(held.width < 0.5 * W as f32, "{held:?}");
        let lost_t = t;
        let mut prev_w = held.width;
        while t < lost_t + 4.0 {
            let b = if ((t * 30.0) as i64) % 2 == 0 {
                None
            } else {
                Some(ball(0.0, 0.0, 0.0, 0.0, TrackState::Lost))
            };
            r = p.update(us(t), W, H, b.as_ref());
            let since = t - lost_t;
            if since < 0.99 {
                assert_eq!(r, held, "hold at {since}");
            }
            assert!(
                r.width >= prev_w - 1e-3,
                "the crop narrowed while easing out at {since}"
            );
            prev_w = r.width;
            if (1.2..2.3).contains(&since) {
                assert!(r.width > held.width && r.width < W as f32, "{since}: {r:?}");
            }
            t += 1.0 / 30.0;
        }
        let wide = CropRect {
            x: 0.0,
            y: 0.0,
            width: W as f32,
            height: H as f32,
        };
        assert!(
            (r.x - wide.x).abs() < 1.0 && (r.width - wide.width).abs() < 1.0,
            "{r:?}"
        );
        assert!(
            (r.y - wide.y).abs() < 1.0 && (r.height - wide.height).abs() < 1.0,
            "{r:?}"
        );
        // Found again: eased back in, not jumped.
        let r2 = p.update(
            us(t),
            W,
            H,
            Some(&ball(400.0, 700.0, 0.0, 0.0, TrackState::Detected)),
        );
        assert!(
            (r2.width - r.width).abs() <= 0.3 * W as f32 / 30.0 + 1.0,
            "{r2:?}"
        );
    }

    #[test]
    fn first_frame_is_wide_or_on_the_ball() {
        let mut p = planner();
        let r = p.update(0, W, H, None);
        assert_eq!(
            r,
            CropRect {
                x: 0.0,
                y: 0.0,
                width: W as f32,
                height: H as f32
            }
        );
        let mut p = planner();
        let r = p.update(
            0,
            W,
            H,
            Some(&ball(900.0, 500.0, 0.0, 0.0, TrackState::Detected)),
        );
        let c = centre(&r);
        assert!(
            (c.0 - 900.0).abs() < 0.5 && (c.1 - 500.0).abs() < 0.5,
            "{r:?}"
        );
        assert!((r.width - 0.45 * W as f32).abs() < 0.5, "{r:?}");
        // A frame-size change restarts.
        let r = p.update(10_000, H, W, None);
        assert_eq!(
            r,
            CropRect {
                x: 0.0,
                y: 0.0,
                width: H as f32,
                height: H as f32 * 9.0 / 16.0
            }
            .centred_in(H, W)
        );
    }

    impl CropRect {
        fn centred_in(self, fw: u32, fh: u32) -> CropRect {
            CropRect {
                x: (fw as f32 - self.width) / 2.0,
                y: (fh as f32 - self.height) / 2.0,
                ..self
            }
        }
    }

    /// A smooth ball path with its exact velocity.
    fn smooth_path(t: f64) -> BallEstimate {
        let x = 960.0 + 700.0 * (0.9 * t).sin() + 150.0 * (2.3 * t).sin();
        let vx = 700.0 * 0.9 * (0.9 * t).cos() + 150.0 * 2.3 * (2.3 * t).cos();
        let y = 540.0 + 250.0 * (0.7 * t).sin();
        let vy = 250.0 * 0.7 * (0.7 * t).cos();
        ball(x, y, vx, vy, TrackState::Detected)
    }

    #[test]
    fn same_path_at_30_and_60_fps_gives_the_same_crop() {
        let run = |fps: u32| {
            let mut p = planner();
            let n = 12 * fps;
            let mut out = Vec::new();
            for i in 0..n {
                let t_us = i64::from(i) * 1_000_000 / i64::from(fps);
                let t = seconds(t_us);
                let b = if (5.0..5.5).contains(&t) {
                    Some(BallEstimate {
                        state: TrackState::Predicted,
                        confidence: 0.5,
                        ..smooth_path(t)
                    })
                } else {
                    Some(smooth_path(t))
                };
                out.push((t_us, p.update(t_us, W, H, b.as_ref())));
            }
            out
        };
        let a = run(30);
        let b = run(60);
        let mut worst: f64 = 0.0;
        for (t, ra) in &a {
            let Some((_, rb)) = b.iter().find(|(tb, _)| tb == t) else {
                continue;
            };
            let (ca, cb) = (centre(ra), centre(rb));
            worst = worst
                .max((ca.0 - cb.0).hypot(ca.1 - cb.1))
                .max(f64::from((ra.width - rb.width).abs()));
        }
        assert!(
            worst < 0.01 * f64::from(W),
            "30 vs 60 fps differ by {worst} px"
        );
    }

    #[test]
    fn zoom_follows_speed_within_its_rate() {
        let zoom = ZoomMode::Speed {
            min_width_fraction: 0.45,
            max_width_fraction: 0.8,
            full_speed: 0.2,
        };
        let mut p = CropPlanner::new(CropConfig {
            zoom,
            ..CropConfig::default()
        })
        .unwrap();
        let mut prev: Option<CropRect> = None;
        let max_dw = f64::from(CropConfig::default().max_zoom_speed) * f64::from(W) / 30.0 + 0.01;
        let mut slow_w = 0.0;
        let speed = 0.2 * f64::from(W);
        for i in 0..210 {
            let t = i as f64 / 30.0;
            let b = if i < 90 {
                ball(200.0, 540.0, 0.0, 0.0, TrackState::Detected)
            } else {
                ball(
                    200.0 + speed * (t - 3.0),
                    540.0,
                    speed,
                    0.0,
                    TrackState::Detected,
                )
            };
            let r = p.update(us(t), W, H, Some(&b));
            if let Some(q) = prev {
                assert!(
                    f64::from((r.width - q.width).abs()) <= max_dw,
                    "frame {i}: {q:?} -> {r:?}"
                );
            }
            if i == 89 {
                slow_w = r.width;
            }
            prev = Some(r);
        }
        let fast_w = prev.unwrap().width;
        assert!((slow_w - 0.45 * W as f32).abs() < 1.0, "{slow_w}");
        assert!((fast_w - 0.8 * W as f32).abs() < 1.0, "{fast_w}");
    }

    #[test]
    fn repeated_backwards_and_huge_timestamps() {
        let mut p = planner();
        let b = ball(300.0, 300.0, 100.0, 0.0, TrackState::Detected);
        let r1 = p.update(1_000_000, W, H, Some(&b));
        let r2 = p.update(1_033_333, W, H, Some(&b));
        assert_eq!(p.update(1_033_333, W, H, Some(&b)), r2);
        assert_eq!(p.update(0, W, H, None), r2);
        assert_eq!(p.update(i64::MIN, W, H, None), r2);
        let r = p.update(i64::MAX, W, H, Some(&b));
        check_rect(&r, W, H, AspectRatio::default(), "huge dt");
        let r = p.update(i64::MAX, W, H, None);
        check_rect(&r, W, H, AspectRatio::default(), "max time");
        assert_ne!(r1, CropRect::default());
        assert_eq!(p.update(5, 0, H, None), CropRect::default());
        p.reset();
        let r = p.update(5, W, H, None);
        assert_eq!(r.width, W as f32);
    }

    #[test]
    fn aspect_change_keeps_the_crop_valid() {
        let mut p = planner();
        let mut path = Vec::new();
        for i in 0..200 {
            let t = i as f64 / 30.0;
            if i == 60 {
                p.set_aspect("9:16".parse().unwrap());
                path.clear();
            }
            if i == 120 {
                p.set_aspect(AspectRatio::new(1, 1));
                path.clear();
            }
            let b = smooth_path(t);
            let r = p.update(us(t), W, H, Some(&b));
            check_rect(&r, W, H, p.config().aspect, &format!("frame {i}"));
            path.push((us(t), r));
            if path.len() >= 3 {
                check_accel(&path[path.len() - 3..], W, &format!("frame {i}"));
            }
        }
        // Invalid aspects are ignored.
        p.set_aspect(AspectRatio::new(0, 1));
        assert_eq!(p.config().aspect, AspectRatio::new(1, 1));
    }

    #[test]
    fn aspect_ratio_parses_and_serialises() {
        assert_eq!(
            "16:9".parse::<AspectRatio>().unwrap(),
            AspectRatio::new(16, 9)
        );
        assert_eq!(
            " 9 : 16 ".parse::<AspectRatio>().unwrap(),
            AspectRatio::new(9, 16)
        );
        for bad in ["16x9", "0:9", "a:b", "16:", "100:1", "-16:9", ""] {
            let e = bad.parse::<AspectRatio>().unwrap_err();
            assert_eq!(e.field, "aspect");
            assert!(
                e.message.contains("16:9") || e.message.contains(bad),
                "{bad}: {e}"
            );
        }
        assert_eq!(
            serde_json::to_string(&AspectRatio::new(21, 9)).unwrap(),
            "\"21:9\""
        );
        assert!(serde_json::from_str::<AspectRatio>("\"4:0\"").is_err());
    }

    #[test]
    fn config_is_validated_and_serialised() {
        assert!(CropConfig::default().validate().is_ok());
        let json = serde_json::to_string(&CropConfig::default()).unwrap();
        assert!(
            json.contains("\"aspect\":\"16:9\"") && json.contains("\"mode\":\"speed\""),
            "{json}"
        );
        assert_eq!(
            serde_json::from_str::<CropConfig>(&json).unwrap(),
            CropConfig::default()
        );
        let c: CropConfig = serde_json::from_str(
            r#"{"aspect": "9:16", "zoom": {"mode": "fixed", "width_fraction": 0.5}}"#,
        )
        .unwrap();
        assert_eq!(
            c.zoom,
            ZoomMode::Fixed {
                width_fraction: 0.5
            }
        );
        assert_eq!(c.aspect, AspectRatio::new(9, 16));
        assert!(serde_json::from_str::<CropConfig>(r#"{"dead_zon": 0.1}"#).is_err());
        assert!(
            serde_json::from_str::<CropConfig>(r#"{"zoom": {"mode": "fixed", "width": 0.5}}"#)
                .is_err()
        );
        let e = CropPlanner::new(CropConfig {
            max_pan_accel: f32::NAN,
            ..CropConfig::default()
        })
        .unwrap_err();
        assert_eq!(e.field, "max_pan_accel");
        assert!(e.message.contains("NaN"));
        let zoom = ZoomMode::Speed {
            min_width_fraction: 0.8,
            max_width_fraction: 0.4,
            full_speed: 1.0,
        };
        let e = CropConfig {
            zoom,
            ..CropConfig::default()
        }
        .validate()
        .unwrap_err();
        assert_eq!(e.field, "zoom.max_width_fraction");
        let e = CropConfig {
            aspect: AspectRatio::new(1, 0),
            ..CropConfig::default()
        }
        .validate()
        .unwrap_err();
        assert_eq!(e.field, "aspect");
    }
}
