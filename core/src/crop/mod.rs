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
//!
//! This file holds the planner; `config` its settings ([`CropConfig`], [`AspectRatio`],
//! [`ZoomMode`]).

use serde::{Deserialize, Serialize};

use crate::error::ConfigError;
use crate::track::{BallEstimate, TrackState};
use crate::types::US_PER_S;

mod config;
pub use config::{AspectRatio, CropConfig, ZoomMode};

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
/// Smallest crop width, pixels (or the widest crop when that is smaller).
const MIN_CROP_PX: f64 = 16.0;
/// Ball coordinates beyond this magnitude (pixels) count as no ball.
const MAX_COORDINATE_PX: f32 = 1.0e6;

/// The crop window, in upright frame pixels, always inside the frame.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
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
mod tests;
