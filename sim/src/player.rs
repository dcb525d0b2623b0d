//! Players and the referee: kits, how they move (formation drift, ball possession, shielding)
//! and their pose as a handful of shaded shapes with a running animation.

use crate::background::hsv;
use crate::camera::Camera;
use crate::math::{smoothstep, v2, V2};
use crate::path::BallPath;
use crate::raster::{Part, Shape, NO_SHAPE};
use crate::rng::Rng;

/// Shapes per player.
pub const PARTS_PER_PLAYER: usize = 14;
/// Reference body height the pose is designed for (metres).
const BODY_H: f64 = 1.8;
/// Step for velocity by central difference (s).
const VEL_STEP: f64 = 0.05;
/// Speed (m/s) at which the running animation is at full amplitude.
const FULL_RUN_SPEED: f64 = 6.0;
/// Time to run to or away from the ball around a possession (s).
const POSSESSION_RAMP_S: f64 = 0.8;
/// Shadow darkness and length per metre of height.
const SHADOW_STRENGTH: f32 = 0.32;
const SHADOW_BASE_M: f64 = 0.22;
/// Half-length of a shadow per metre of height and unit sun offset.
const SHADOW_STRETCH: f64 = 0.4;

/// Look-ahead (s) deciding which way a player faces.
const FACING_LOOKAHEAD_S: f64 = 0.1;
/// Smallest ground foreshortening (image height of 1 m in depth over 1 m across).
pub const MIN_FORESHORTENING: f64 = 0.05;
/// Shadow extent in depth relative to across, before stretching.
const SHADOW_DEPTH_SHARE: f64 = 0.7;

/// Body landmarks and limb radii (metres) of a 1.8 m player: x sideways from the body axis,
/// y up from the ground; `*_SWING` scale the running animation, `LEAN_*` the forward lean.
mod body {
    pub const FOOT_X: f64 = 0.08;
    pub const FOOT_SWING: f64 = 0.34;
    pub const FOOT_LIFT: f64 = 0.14;
    pub const KNEE_X: f64 = 0.09;
    pub const KNEE_SWING: f64 = 0.2;
    pub const KNEE_LIFT_SHARE: f64 = 0.3;
    pub const ANKLE_Y: f64 = 0.1;
    pub const KNEE_Y: f64 = 0.5;
    pub const HIP_X: f64 = 0.09;
    pub const HIP_Y: f64 = 0.92;
    pub const SHOE_FWD: f64 = 0.05;
    pub const SHOE_Y: f64 = 0.05;
    pub const SHOE_RX: f64 = 0.12;
    pub const SHOE_RY: f64 = 0.06;
    pub const SHIN_R: f64 = 0.062;
    pub const THIGH_R: f64 = 0.078;
    pub const SHORTS_Y: f64 = 0.88;
    pub const SHORTS_RX: f64 = 0.2;
    pub const SHORTS_RY: f64 = 0.14;
    pub const WAIST_Y: f64 = 1.02;
    pub const CHEST_Y: f64 = 1.34;
    pub const TORSO_R: f64 = 0.2;
    pub const SHOULDER_X: f64 = 0.21;
    pub const SHOULDER_Y: f64 = 1.4;
    pub const ELBOW_X: f64 = 0.25;
    pub const ELBOW_Y: f64 = 1.17;
    pub const ELBOW_SWING: f64 = 0.12;
    pub const HAND_SWING: f64 = 0.26;
    pub const HAND_Y: f64 = 0.96;
    pub const HAND_LIFT: f64 = 0.08;
    pub const UPPER_ARM_R: f64 = 0.065;
    pub const FOREARM_R: f64 = 0.05;
    pub const HEAD_Y: f64 = 1.62;
    pub const HEAD_RX: f64 = 0.11;
    pub const HEAD_RY: f64 = 0.125;
    pub const HAIR_Y: f64 = 1.69;
    pub const HAIR_RY: f64 = 0.065;
    pub const LEAN: f64 = 0.06;
    pub const LEAN_HIPS: f64 = 0.5;
    pub const LEAN_WAIST: f64 = 0.6;
    pub const LEAN_HEAD: f64 = 1.2;
}

/// Shirt, shorts, socks and boots.
#[derive(Debug, Clone, Copy)]
pub struct Kit {
    pub shirt: [f32; 3],
    pub shorts: [f32; 3],
    pub socks: [f32; 3],
    pub boots: [f32; 3],
}

impl Kit {
    /// A random team kit.
    pub fn random(rng: &mut Rng) -> Kit {
        let shirt = if rng.chance(0.12) {
            [0.93, 0.93, 0.93]
        } else {
            hsv(rng.unit(), rng.range(0.3, 1.0), rng.range(0.2, 0.95))
        };
        let shorts = if rng.chance(0.35) {
            shirt
        } else if rng.chance(0.5) {
            [0.92, 0.92, 0.92]
        } else {
            hsv(rng.unit(), rng.range(0.0, 1.0), rng.range(0.1, 0.9))
        };
        let socks = if rng.chance(0.3) {
            [0.92, 0.92, 0.92]
        } else {
            shirt
        };
        let boots = if rng.chance(0.2) {
            [0.9, 0.9, 0.9]
        } else {
            hsv(rng.unit(), rng.range(0.0, 1.0), rng.range(0.05, 0.6))
        };
        Kit {
            shirt,
            shorts,
            socks,
            boots,
        }
    }

    /// The referee's kit (dark).
    pub fn referee(rng: &mut Rng) -> Kit {
        let dark = rng.range(0.05, 0.15) as f32;
        let c = if rng.chance(0.7) {
            [dark, dark, dark]
        } else {
            hsv(rng.range(0.1, 0.2), 0.9, 0.9)
        };
        Kit {
            shirt: c,
            shorts: [dark; 3],
            socks: [dark; 3],
            boots: [0.05; 3],
        }
    }
}

/// A stretch of time where a player stays with the ball at an offset.
#[derive(Debug, Clone, Copy)]
pub struct Possession {
    pub t0: f64,
    pub t1: f64,
    pub offset: V2,
}

/// How a player moves, as a function of time.
#[derive(Debug, Clone)]
pub enum Motion {
    /// Drifts with the play around an anchor, sways, and runs to the ball when in possession.
    Formation {
        anchor: V2,
        follow: f64,
        lag: f64,
        sway_amp: V2,
        sway_freq: V2,
        sway_phase: V2,
        possessions: Vec<Possession>,
    },
    /// Stands between the camera and the ball at `dist` metres from it, tracking the ball
    /// during [t_a, t_b] and standing still before and after (the occluder).
    Shield { t_a: f64, t_b: f64, dist: f64 },
}

/// One player.
#[derive(Debug, Clone)]
pub struct Player {
    pub kit: Kit,
    pub skin: [f32; 3],
    pub hair: [f32; 3],
    pub height: f64,
    pub build: f64,
    pub cadence: f64,
    pub phase: f64,
    pub motion: Motion,
}

/// A player's drawable state at one time.
#[derive(Debug, Clone, Copy)]
pub struct PlayerFrame {
    pub parts: [Part; PARTS_PER_PLAYER],
    pub shadow: Shape,
    pub depth: f64,
    pub foot: V2,
    pub foot_img: [f64; 2],
    pub height_px: f64,
}

impl Default for PlayerFrame {
    fn default() -> Self {
        PlayerFrame {
            parts: [Part {
                shape: NO_SHAPE,
                color: [0.0; 3],
            }; PARTS_PER_PLAYER],
            shadow: NO_SHAPE,
            depth: 0.0,
            foot: V2::default(),
            foot_img: [0.0; 2],
            height_px: 0.0,
        }
    }
}

/// Toward the camera from `p`, on the ground, unit length.
pub fn to_camera(cam: &Camera, p: V2) -> V2 {
    (cam.ground_pos() - p).norm()
}

impl Player {
    /// A player with random looks and the given kit and motion.
    pub fn random(rng: &mut Rng, kit: Kit, motion: Motion) -> Player {
        let skin = hsv(
            rng.range(0.03, 0.1),
            rng.range(0.3, 0.65),
            rng.range(0.3, 0.92),
        );
        let hair = hsv(
            rng.range(0.03, 0.12),
            rng.range(0.2, 0.8),
            rng.range(0.05, 0.5),
        );
        Player {
            kit,
            skin,
            hair,
            height: rng.range(1.68, 1.95),
            build: rng.range(0.9, 1.12),
            cadence: rng.range(2.4, 3.0),
            phase: rng.range(0.0, std::f64::consts::TAU),
            motion,
        }
    }

    /// Ground position at time `t`.
    pub fn pos(&self, t: f64, ball: &BallPath, cam: &Camera) -> V2 {
        match &self.motion {
            Motion::Formation {
                anchor,
                follow,
                lag,
                sway_amp,
                sway_freq,
                sway_phase,
                possessions,
            } => {
                let drift = (ball.pos(t - lag).xy() - ball.pos(0.0).xy()) * *follow;
                let tau = std::f64::consts::TAU;
                let sway = v2(
                    sway_amp.x * (tau * sway_freq.x * t + sway_phase.x).sin(),
                    sway_amp.y * (tau * sway_freq.y * t + sway_phase.y).sin(),
                );
                let free = *anchor + drift + sway;
                let mut best = (0.0, V2::default());
                for p in possessions {
                    let w = if t < p.t0 {
                        smoothstep(1.0 - (p.t0 - t) / POSSESSION_RAMP_S)
                    } else if t > p.t1 {
                        smoothstep(1.0 - (t - p.t1) / POSSESSION_RAMP_S)
                    } else {
                        1.0
                    };
                    if w > best.0 {
                        let tb = t.clamp(p.t0, p.t1);
                        best = (w, ball.pos(tb).xy() + p.offset);
                    }
                }
                free.lerp(best.1, best.0)
            }
            Motion::Shield { t_a, t_b, dist } => {
                let tb = t.clamp(*t_a, *t_b);
                let b = ball.pos(tb).xy();
                b + to_camera(cam, b) * *dist
            }
        }
    }

    /// Pose at time `t` into `out`.
    pub fn pose(&self, t: f64, ball: &BallPath, cam: &Camera, sun: V2, out: &mut PlayerFrame) {
        let p = self.pos(t, ball, cam);
        let vel = (self.pos(t + VEL_STEP, ball, cam) - self.pos(t - VEL_STEP, ball, cam))
            * (0.5 / VEL_STEP);
        let foot = cam.project(p.at(0.0));
        let head = cam.project(p.at(self.height));
        let ahead = cam.project((p + vel * FACING_LOOKAHEAD_S).at(0.0));
        let facing = if ahead.u >= foot.u { 1.0 } else { -1.0 };
        let ppm = cam.px_per_m(foot.depth);
        let up = v2(head.u - foot.u, head.v - foot.v) * (1.0 / self.height);
        let up_len = up.len().max(1e-6);
        let side = v2(-up.y, up.x) * (ppm / up_len);
        let k = self.height / BODY_H;
        let b = self.build;
        let origin = v2(foot.u, foot.v);
        // Body-frame point (metres: x sideways, y up) to image.
        let at = |x: f64, y: f64| -> [f32; 2] {
            let q = origin + side * (x * b) + up * (y * k);
            [q.x as f32, q.y as f32]
        };
        let px = |m: f64| (m * ppm * b) as f32;
        let amp = (vel.len() / FULL_RUN_SPEED).min(1.0);
        let phase = std::f64::consts::TAU * self.cadence * t + self.phase;
        let swing = amp * phase.sin();
        let lean = facing * body::LEAN * amp;
        let kit = &self.kit;
        let mut parts = [Part {
            shape: NO_SHAPE,
            color: [0.0; 3],
        }; PARTS_PER_PLAYER];
        let mut i = 0;
        let mut put = |shape: Shape, color: [f32; 3]| {
            if let Some(slot) = parts.get_mut(i) {
                *slot = Part { shape, color };
            }
            i += 1;
        };
        let capsule = |a: [f32; 2], b: [f32; 2], r: f64| Shape::Capsule { a, b, r: px(r) };
        for s in [-1.0, 1.0] {
            let sw = swing * s;
            let foot_x = s * body::FOOT_X + facing * body::FOOT_SWING * sw;
            let knee_x = s * body::KNEE_X + facing * body::KNEE_SWING * sw;
            let lift = body::FOOT_LIFT * amp * (-sw).max(0.0);
            let ankle = at(foot_x, body::ANKLE_Y + lift);
            let knee = at(knee_x, body::KNEE_Y + lift * body::KNEE_LIFT_SHARE);
            let hip = at(s * body::HIP_X, body::HIP_Y);
            let shoe = at(foot_x + facing * body::SHOE_FWD, body::SHOE_Y + lift);
            put(
                Shape::ellipse(shoe[0], shoe[1], px(body::SHOE_RX), px(body::SHOE_RY)),
                kit.boots,
            );
            put(capsule(ankle, knee, body::SHIN_R), kit.socks);
            put(capsule(knee, hip, body::THIGH_R), self.skin);
        }
        let shorts = at(lean * body::LEAN_HIPS, body::SHORTS_Y);
        put(
            Shape::ellipse(
                shorts[0],
                shorts[1],
                px(body::SHORTS_RX),
                px(body::SHORTS_RY) * k as f32,
            ),
            kit.shorts,
        );
        put(
            capsule(
                at(lean * body::LEAN_WAIST, body::WAIST_Y),
                at(lean, body::CHEST_Y),
                body::TORSO_R,
            ),
            kit.shirt,
        );
        for s in [-1.0, 1.0] {
            let sw = -swing * s;
            let shoulder = at(s * body::SHOULDER_X + lean, body::SHOULDER_Y);
            let arm_x = s * body::ELBOW_X + lean;
            let elbow = at(arm_x + facing * body::ELBOW_SWING * sw, body::ELBOW_Y);
            let hand = at(
                arm_x + facing * body::HAND_SWING * sw,
                body::HAND_Y + body::HAND_LIFT * sw.abs(),
            );
            put(capsule(shoulder, elbow, body::UPPER_ARM_R), kit.shirt);
            put(capsule(elbow, hand, body::FOREARM_R), self.skin);
        }
        let head_c = at(lean * body::LEAN_HEAD, body::HEAD_Y);
        put(
            Shape::ellipse(
                head_c[0],
                head_c[1],
                px(body::HEAD_RX),
                px(body::HEAD_RY) * k as f32,
            ),
            self.skin,
        );
        let hair_c = at(lean * body::LEAN_HEAD, body::HAIR_Y);
        put(
            Shape::ellipse(
                hair_c[0],
                hair_c[1],
                px(body::HEAD_RX),
                px(body::HAIR_RY) * k as f32,
            ),
            self.hair,
        );
        // Shadow: an ellipse stretched along the sun direction on the ground.
        let sc = cam.project((p + sun * (self.height * SHADOW_STRETCH)).at(0.0));
        let fy = cam.project((p + v2(0.0, 1.0)).at(0.0));
        let fore = ((fy.v - foot.v).abs() / ppm).clamp(MIN_FORESHORTENING, 1.0);
        let ax = (SHADOW_BASE_M + sun.x.abs() * self.height * SHADOW_STRETCH) * ppm;
        let ay = (SHADOW_BASE_M * SHADOW_DEPTH_SHARE + sun.y.abs() * self.height * SHADOW_STRETCH)
            * ppm
            * fore;
        *out = PlayerFrame {
            parts,
            shadow: Shape::ellipse(sc.u as f32, sc.v as f32, ax as f32, ay as f32),
            depth: foot.depth,
            foot: p,
            foot_img: [foot.u, foot.v],
            height_px: (foot.v - head.v).abs(),
        };
    }
}

/// How dark player shadows are.
pub fn shadow_strength() -> f32 {
    SHADOW_STRENGTH
}
