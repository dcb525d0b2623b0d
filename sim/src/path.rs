//! Ball trajectories as piecewise functions of time: rest, decelerating ground roll,
//! carried dribble and ballistic flight.
//!
//! A path is built with a cursor (time and position) that each appended segment advances, so the
//! ball is continuous; evaluating it is a pure function of time, independent of the frame rate.

use crate::math::{v3, V2, V3};

/// Ball radius (metres), FIFA size 5.
pub const BALL_RADIUS_M: f64 = 0.11;
/// Gravity (m/s^2).
pub const GRAVITY: f64 = 9.81;
/// Rolling deceleration of a ball on grass (m/s^2).
pub const ROLL_DECEL: f64 = 1.6;
/// Smallest duration of a segment (s).
const MIN_SEGMENT_S: f64 = 1e-3;

/// One kind of motion, relative to the segment start time.
#[derive(Debug, Clone, Copy)]
enum Motion {
    Rest {
        p: V2,
    },
    Roll {
        p0: V2,
        dir: V2,
        v0: f64,
        decel: f64,
    },
    Carry {
        p0: V2,
        vel: V2,
    },
    Flight {
        p0: V3,
        vel: V3,
    },
}

#[derive(Debug, Clone, Copy)]
struct Segment {
    t0: f64,
    motion: Motion,
    /// Distance travelled before this segment (for the ball's spin).
    s0: f64,
}

/// A ball path; the last segment lasts forever.
#[derive(Debug, Clone)]
pub struct BallPath {
    segs: Vec<Segment>,
    cursor_t: f64,
    cursor_p: V2,
    cursor_s: f64,
}

impl Motion {
    /// Position and travelled distance `tau` seconds into the motion.
    fn eval(&self, tau: f64) -> (V3, f64) {
        let tau = tau.max(0.0);
        match *self {
            Motion::Rest { p } => (p.at(BALL_RADIUS_M), 0.0),
            Motion::Roll { p0, dir, v0, decel } => {
                let t_stop = if decel > 0.0 { v0 / decel } else { f64::MAX };
                let tc = tau.min(t_stop);
                let s = v0 * tc - 0.5 * decel * tc * tc;
                ((p0 + dir * s).at(BALL_RADIUS_M), s)
            }
            Motion::Carry { p0, vel } => ((p0 + vel * tau).at(BALL_RADIUS_M), vel.len() * tau),
            Motion::Flight { p0, vel } => {
                let z = p0.z + vel.z * tau - 0.5 * GRAVITY * tau * tau;
                (
                    v3(p0.x + vel.x * tau, p0.y + vel.y * tau, z.max(BALL_RADIUS_M)),
                    vel.xy().len() * tau,
                )
            }
        }
    }
}

impl BallPath {
    /// A path starting at rest at `start` at time 0.
    pub fn new(start: V2) -> BallPath {
        BallPath {
            segs: vec![Segment {
                t0: 0.0,
                motion: Motion::Rest { p: start },
                s0: 0.0,
            }],
            cursor_t: 0.0,
            cursor_p: start,
            cursor_s: 0.0,
        }
    }

    /// A free flight passing through `p` with velocity `vel` at time `t` (gravity acts
    /// throughout; the ball never goes below the ground).
    pub fn ballistic_through(p: V3, vel: V3, t: f64) -> BallPath {
        let vs = v3(vel.x, vel.y, vel.z + GRAVITY * t);
        let ps = p - vs * t + v3(0.0, 0.0, 0.5 * GRAVITY * t * t);
        BallPath {
            segs: vec![Segment {
                t0: 0.0,
                motion: Motion::Flight { p0: ps, vel: vs },
                s0: 0.0,
            }],
            cursor_t: 0.0,
            cursor_p: ps.xy(),
            cursor_s: 0.0,
        }
    }

    /// Time at the end of the path built so far.
    pub fn end_time(&self) -> f64 {
        self.cursor_t
    }

    /// Ground position at the end of the path built so far.
    pub fn end_pos(&self) -> V2 {
        self.cursor_p
    }

    fn push(&mut self, motion: Motion, dur: f64) {
        let dur = dur.max(MIN_SEGMENT_S);
        let seg = Segment {
            t0: self.cursor_t,
            motion,
            s0: self.cursor_s,
        };
        // A zero-length segment at the same start replaces the previous one.
        if let Some(last) = self.segs.last_mut() {
            if (last.t0 - seg.t0).abs() < 1e-12 {
                *last = seg;
            } else {
                self.segs.push(seg);
            }
        }
        let (p, s) = motion.eval(dur);
        self.cursor_t += dur;
        self.cursor_p = p.xy();
        self.cursor_s += s;
        self.segs.push(Segment {
            t0: self.cursor_t,
            motion: Motion::Rest { p: self.cursor_p },
            s0: self.cursor_s,
        });
    }

    /// Ball stays where it is for `dur` seconds.
    pub fn rest(&mut self, dur: f64) {
        let p = self.cursor_p;
        self.push(Motion::Rest { p }, dur);
    }

    /// A ground pass to `target` kicked at `v0` m/s (raised if needed to reach it); it is
    /// stopped at the target. Returns the duration.
    pub fn roll_to(&mut self, target: V2, v0: f64) -> f64 {
        let d = target - self.cursor_p;
        let l = d.len();
        if l < 1e-6 {
            return 0.0;
        }
        let min_v0 = (2.0 * ROLL_DECEL * l).sqrt() * 1.05;
        let v0 = v0.max(min_v0);
        let v1 = (v0 * v0 - 2.0 * ROLL_DECEL * l).max(0.0).sqrt();
        let dur = (v0 - v1) / ROLL_DECEL;
        self.push(
            Motion::Roll {
                p0: self.cursor_p,
                dir: d * (1.0 / l),
                v0,
                decel: ROLL_DECEL,
            },
            dur,
        );
        // Land exactly on the target.
        self.cursor_p = target;
        if let Some(last) = self.segs.last_mut() {
            last.motion = Motion::Rest { p: target };
        }
        dur
    }

    /// A free roll in direction `dir` from speed `v0` with deceleration `decel` lasting `dur`.
    pub fn roll_free(&mut self, dir: V2, v0: f64, decel: f64, dur: f64) {
        self.push(
            Motion::Roll {
                p0: self.cursor_p,
                dir: dir.norm(),
                v0,
                decel,
            },
            dur,
        );
    }

    /// Dribble at constant speed to `target`. Returns the duration.
    pub fn carry_to(&mut self, target: V2, speed: f64) -> f64 {
        let d = target - self.cursor_p;
        let l = d.len();
        if l < 1e-6 || speed <= 0.0 {
            return 0.0;
        }
        let dur = l / speed;
        self.carry_for(d * (speed / l), dur);
        dur
    }

    /// Dribble with velocity `vel` for `dur` seconds.
    pub fn carry_for(&mut self, vel: V2, dur: f64) {
        self.push(
            Motion::Carry {
                p0: self.cursor_p,
                vel,
            },
            dur,
        );
    }

    /// A lofted ball landing on `target` after `flight_s` seconds (apex g T^2 / 8).
    pub fn fly_to(&mut self, target: V2, flight_s: f64) {
        let t = flight_s.max(MIN_SEGMENT_S);
        let vxy = (target - self.cursor_p) * (1.0 / t);
        let vel = v3(vxy.x, vxy.y, 0.5 * GRAVITY * t);
        self.push(
            Motion::Flight {
                p0: self.cursor_p.at(BALL_RADIUS_M),
                vel,
            },
            t,
        );
        self.cursor_p = target;
        if let Some(last) = self.segs.last_mut() {
            last.motion = Motion::Rest { p: target };
        }
    }

    fn segment_at(&self, t: f64) -> Option<&Segment> {
        let i = self.segs.partition_point(|s| s.t0 <= t);
        self.segs.get(i.saturating_sub(1))
    }

    /// Ball centre (metres) at time `t`.
    pub fn pos(&self, t: f64) -> V3 {
        match self.segment_at(t) {
            Some(s) => s.motion.eval(t - s.t0).0,
            None => self.cursor_p.at(BALL_RADIUS_M),
        }
    }

    /// Distance the ball has travelled by time `t` (drives its spin).
    pub fn travelled(&self, t: f64) -> f64 {
        match self.segment_at(t) {
            Some(s) => s.s0 + s.motion.eval(t - s.t0).1,
            None => self.cursor_s,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::math::v2;

    #[test]
    fn segments_are_continuous() {
        let mut p = BallPath::new(v2(10.0, 20.0));
        p.rest(0.5);
        let d = p.roll_to(v2(30.0, 25.0), 15.0);
        assert!(d > 0.5);
        p.fly_to(v2(40.0, 30.0), 2.0);
        p.carry_to(v2(42.0, 30.0), 3.0);
        let mut prev = p.pos(0.0);
        let mut t = 0.0;
        while t < p.end_time() + 1.0 {
            let q = p.pos(t);
            assert!((q - prev).len() < 0.5, "jump at {t}");
            prev = q;
            t += 0.01;
        }
        assert!((p.pos(p.end_time() + 5.0).xy() - v2(42.0, 30.0)).len() < 1e-6);
        // Apex of the flight: g T^2 / 8 above the ground centre height.
        let t_apex = 0.5 + d + 1.0;
        assert!((p.pos(t_apex).z - (BALL_RADIUS_M + GRAVITY * 4.0 / 8.0)).abs() < 1e-6);
    }
}
