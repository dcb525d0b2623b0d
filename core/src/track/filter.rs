//! The tracker's constant-velocity Kalman filter (both axes, one shared covariance, a process
//! noise scaled by the ball's apparent radius) and the checked measurement it is fed with.

use crate::types::{Candidate, Prediction, US_PER_S};

/// Smallest ball radius used to scale noise, in pixels (guards against a zero radius).
const MIN_RADIUS_PX: f64 = 1.0;
/// Weight of a new radius measurement in the radius moving average.
pub(super) const RADIUS_SMOOTHING: f64 = 0.3;
/// Coordinates beyond this magnitude (pixels) are treated as garbage.
const MAX_COORDINATE_PX: f32 = 1.0e6;

/// A candidate checked for finite values, with its radius resolved and score clamped.
#[derive(Debug, Clone, Copy)]
pub(super) struct Meas {
    pub(super) x: f64,
    pub(super) y: f64,
    pub(super) radius: f64,
    pub(super) score: f64,
}

impl Meas {
    /// `None` for candidates with non-finite or absurd position or score.
    pub(super) fn from_candidate(c: &Candidate, default_radius: f64) -> Option<Meas> {
        let ok = |v: f32| v.is_finite() && v.abs() < MAX_COORDINATE_PX;
        if !ok(c.x) || !ok(c.y) || !c.score.is_finite() {
            return None;
        }
        let radius = if ok(c.radius) && c.radius > 0.0 {
            f64::from(c.radius)
        } else {
            default_radius
        };
        Some(Meas {
            x: f64::from(c.x),
            y: f64::from(c.y),
            radius: radius.max(MIN_RADIUS_PX),
            score: f64::from(c.score).clamp(0.0, 1.0),
        })
    }
}

/// Constant-velocity Kalman filter on both axes with one shared covariance
/// `[[p00, p01], [p01, p11]]` (position, velocity).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Filter {
    /// Time of the state, microseconds.
    pub(super) t_us: i64,
    pub(super) x: f64,
    pub(super) y: f64,
    pub(super) vx: f64,
    pub(super) vy: f64,
    pub(super) p00: f64,
    pub(super) p01: f64,
    pub(super) p11: f64,
    /// Smoothed apparent radius, pixels.
    pub(super) radius: f64,
}

impl Filter {
    /// A filter at a first detection, with zero velocity of standard deviation `sigma_v`.
    pub(super) fn start(t_us: i64, m: &Meas, r_var: f64, sigma_v: f64) -> Filter {
        Filter {
            t_us,
            x: m.x,
            y: m.y,
            vx: 0.0,
            vy: 0.0,
            p00: r_var,
            p01: 0.0,
            p11: sigma_v * sigma_v,
            radius: m.radius,
        }
    }

    /// The filter moved to `t_us` (no motion when `t_us` is not after its time).
    pub(super) fn predicted(&self, t_us: i64, q_scale: f64) -> Filter {
        let dt = seconds(t_us.saturating_sub(self.t_us));
        let mut f = *self;
        f.t_us = self.t_us.max(t_us);
        if dt <= 0.0 {
            return f;
        }
        let q = q_scale * self.radius * self.radius;
        f.x += self.vx * dt;
        f.y += self.vy * dt;
        f.p00 = self.p00 + 2.0 * dt * self.p01 + dt * dt * self.p11 + q * dt * dt * dt / 3.0;
        f.p01 = self.p01 + dt * self.p11 + q * dt * dt / 2.0;
        f.p11 = self.p11 + q * dt;
        f
    }

    /// Squared Mahalanobis distance of a measurement with variance `r_var`.
    pub(super) fn distance2(&self, m: &Meas, r_var: f64) -> f64 {
        let s = self.p00 + r_var;
        if s.is_nan() || s <= 0.0 {
            return f64::INFINITY;
        }
        let ex = m.x - self.x;
        let ey = m.y - self.y;
        (ex * ex + ey * ey) / s
    }

    /// Kalman update with a measurement of variance `r_var`.
    pub(super) fn correct(&mut self, m: &Meas, r_var: f64) {
        let s = self.p00 + r_var;
        if !s.is_finite() || s <= 0.0 {
            return;
        }
        let k0 = self.p00 / s;
        let k1 = self.p01 / s;
        let ex = m.x - self.x;
        let ey = m.y - self.y;
        self.x += k0 * ex;
        self.y += k0 * ey;
        self.vx += k1 * ex;
        self.vy += k1 * ey;
        let p00 = self.p00 * r_var / s;
        let p01 = self.p01 * r_var / s;
        let p11 = (self.p11 - self.p01 * self.p01 / s).max(0.0);
        self.p00 = p00;
        self.p01 = p01;
        self.p11 = p11;
        self.radius += RADIUS_SMOOTHING * (m.radius - self.radius);
    }
}

/// Microseconds to seconds.
pub(super) fn seconds(us: i64) -> f64 {
    us as f64 / US_PER_S
}

/// The public prediction of a filter state.
pub(super) fn prediction_of(f: &Filter) -> Prediction {
    let sigma = f.p00.max(0.0).sqrt() as f32;
    Prediction {
        x: f.x as f32,
        y: f.y as f32,
        vx: f.vx as f32,
        vy: f.vy as f32,
        sigma_x: sigma,
        sigma_y: sigma,
        radius: f.radius as f32,
    }
}
