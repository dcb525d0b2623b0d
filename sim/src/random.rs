//! Random still frames for detector training: a random camera, look, players and ball
//! (position, depth, height, blur, occlusion), with the ball absent in about a fifth.

use crate::background::{BackgroundRenderer, Look, BOARD_Y};
use crate::ball::BallLook;
use crate::camera::{Camera, CameraSetup};
use crate::math::{v2, v3, V2};
use crate::noise::Noise;
use crate::path::{BallPath, BALL_RADIUS_M};
use crate::player::{to_camera, Motion, Player};
use crate::raster::Canvas;
use crate::rng::Rng;
use crate::scenario::kits;
use crate::scene::{FrameState, Scene};
use crate::{GroundTruth, SimError, MAX_DIMENSION};

/// The instant rendered (paths are built around it).
const RANDOM_T: f64 = 1.0;
/// Probability that the frame has no ball.
const P_ABSENT: f64 = 0.2;
/// Probabilities of a ball in the air, near a player's feet, and behind a player.
const P_AIR: f64 = 0.25;
const P_NEAR_FEET: f64 = 0.35;
const P_OCCLUDED: f64 = 0.2;
/// Probability the ball moves, and its speed range (m/s).
const P_MOVING: f64 = 0.6;
const SPEED_MIN: f64 = 3.0;
const SPEED_MAX: f64 = 32.0;
/// Shutter range (s).
const EXPOSURE_MIN: f64 = 1.0 / 1000.0;
const EXPOSURE_MAX: f64 = 1.0 / 30.0;
/// Ball radius range (pixels, at a 1280-wide reference image) accepted for training frames.
const MIN_RADIUS_PX: f64 = 1.5;
const MAX_RADIUS_PX: f64 = 24.0;
const REFERENCE_WIDTH: f64 = 1280.0;
/// Sensor noise standard deviation range (8-bit levels).
const NOISE_MIN: f64 = 0.0;
const NOISE_MAX: f64 = 6.0;
/// Camera redraws, and the steepest view down (sine of the angle below horizontal).
const CAMERA_TRIES: usize = 20;
const MAX_LOOK_DOWN_SIN: f64 = 0.7;
/// Most extra players.
const MAX_PLAYERS: usize = 14;
/// Attempts to place the ball inside the image.
const BALL_TRIES: usize = 40;
/// Stream tag separating training frames from clips with the same seed.
const RANDOM_TAG: u64 = 0x7261_6e64;
/// Edge softness (pixels), sharp and defocused.
const SOFT_SHARP: f32 = 1.0;
const SOFT_DEFOCUS: f32 = 2.0;

/// A random sideline camera, redrawn while it looks down too steeply (billboard players
/// would look like they lie on the grass).
fn random_camera(rng: &mut Rng, w: u32, h: u32) -> Camera {
    let mut cam = None;
    for _ in 0..CAMERA_TRIES {
        let setup = CameraSetup {
            x: rng.range(0.0, 105.0),
            back: rng.range(3.0, 30.0),
            height: rng.range(3.0, 20.0),
            yaw: rng.range(-0.35, 0.35),
            roll: rng.range(-0.03, 0.03),
            far_line_frac: rng.range(-0.1, 0.45),
            view_width_m: rng.log_range(12.0, 85.0),
        };
        let c = Camera::from_setup(&setup, w, h, crate::background::PITCH_WIDTH);
        // The lowest image row must not look down more steeply than the limit.
        let low = c.ray(c.width / 2.0, c.height).norm();
        if -low.z <= MAX_LOOK_DOWN_SIN {
            return c;
        }
        cam = Some(c);
    }
    cam.unwrap_or_else(|| {
        Camera::oriented(
            v3(52.5, -10.0, 6.0),
            0.0,
            0.2,
            0.0,
            f64::from(w),
            f64::from(w),
            f64::from(h),
        )
    })
}

fn idle_player(rng: &mut Rng, kit: crate::player::Kit, anchor: V2) -> Player {
    let moving = rng.chance(0.6);
    let amp = if moving {
        rng.range(0.5, 3.0)
    } else {
        rng.range(0.0, 0.2)
    };
    let motion = Motion::Formation {
        anchor,
        follow: 0.0,
        lag: 0.0,
        sway_amp: v2(amp * rng.range(0.3, 1.0), amp * rng.range(0.0, 0.6)),
        sway_freq: v2(rng.range(0.1, 0.4), rng.range(0.1, 0.4)),
        sway_phase: v2(rng.range(0.0, 6.3), rng.range(0.0, 6.3)),
        possessions: Vec::new(),
    };
    Player::random(rng, kit, motion)
}

/// Render a random training frame into `out` (RGB8, width*height*3) and return its label.
/// When the ball is absent, `x`, `y` and `radius` are 0 and it is neither in frame nor visible.
pub fn render_random_frame(
    seed: u64,
    width: u32,
    height: u32,
    out: &mut [u8],
) -> Result<GroundTruth, SimError> {
    if width == 0 || height == 0 || width > MAX_DIMENSION || height > MAX_DIMENSION {
        return Err(SimError::InvalidSize { width, height });
    }
    let (w, h) = (width as usize, height as usize);
    let need = w * h * 3;
    if out.len() < need {
        return Err(SimError::BufferTooSmall {
            needed: need,
            got: out.len(),
        });
    }
    let root = Rng::new(seed ^ RANDOM_TAG);
    let mut rng = root.fork(1);
    let cam = random_camera(&mut rng, width, height);
    let look = Look::random(&mut root.fork(2), true);
    let kit = kits(&mut root.fork(3));
    let ball_look = BallLook::random(&mut root.fork(4));
    let present = !rng.chance(P_ABSENT);
    let (fw, fh) = (cam.width, cam.height);

    // Ball: a point seen inside the image, on the ground or in the air.
    let mut ball_at = None;
    for _ in 0..BALL_TRIES {
        let (fu, fv) = (rng.range(0.01, 0.99), rng.range(0.05, 0.99));
        let Some(g) = cam.ground_at(fu * fw, fv * fh) else {
            continue;
        };
        if g.y > BOARD_Y - 1.0 || (g - cam.ground_pos()).len() < 2.0 {
            continue;
        }
        let z = if rng.chance(P_AIR) {
            rng.log_range(0.3, 10.0)
        } else {
            0.0
        };
        let p = cam.project(g.at(z + BALL_RADIUS_M));
        if p.u < 0.0 || p.v < 0.0 || p.u >= fw || p.v >= fh {
            continue;
        }
        let r = cam.f * BALL_RADIUS_M / p.depth * REFERENCE_WIDTH / fw;
        if !(MIN_RADIUS_PX..=MAX_RADIUS_PX).contains(&r) {
            continue;
        }
        ball_at = Some((g, z));
        break;
    }
    let present = present && ball_at.is_some();
    let (ground, z) = ball_at.unwrap_or((cam.ground_at_frac(0.5, 0.7), 0.0));
    let vel = if rng.chance(P_MOVING) {
        let a = rng.range(0.0, std::f64::consts::TAU);
        let s = rng.log_range(SPEED_MIN, SPEED_MAX);
        v3(
            a.cos() * s,
            a.sin() * s,
            if z > 0.0 { rng.range(-8.0, 8.0) } else { 0.0 },
        )
    } else {
        v3(0.0, 0.0, 0.0)
    };
    let ball = if z > 0.0 {
        BallPath::ballistic_through(ground.at(z + BALL_RADIUS_M), vel, RANDOM_T)
    } else {
        let mut p = BallPath::new(ground - vel.xy() * RANDOM_T);
        p.carry_for(vel.xy(), 2.0 * RANDOM_T);
        p
    };

    let mut players = Vec::new();
    let n = rng.below(MAX_PLAYERS + 1);
    for i in 0..n {
        let k = if i + 1 == n && rng.chance(0.5) {
            2
        } else {
            i % 2
        };
        let anchor = cam.ground_at_frac(rng.range(-0.05, 1.05), rng.range(0.0, 1.1));
        let anchor = v2(anchor.x, anchor.y.min(BOARD_Y - 1.5));
        players.push(idle_player(&mut rng, kit[k], anchor));
    }
    if present && rng.chance(P_NEAR_FEET) {
        let a = rng.range(0.0, std::f64::consts::TAU);
        let anchor = ground + v2(a.cos(), a.sin()) * rng.range(0.3, 1.2);
        let k = rng.below(2);
        players.push(idle_player(&mut rng, kit[k], anchor));
    }
    if present && rng.chance(P_OCCLUDED) {
        let toward = to_camera(&cam, ground);
        let anchor = ground + toward * rng.range(0.6, 6.0) + toward.perp() * rng.range(-0.5, 0.5);
        let k = rng.below(2);
        players.push(idle_player(&mut rng, kit[k], anchor));
    }
    let soft = if look.defocus {
        SOFT_DEFOCUS
    } else {
        SOFT_SHARP
    };
    let scene = Scene {
        cam,
        look,
        players,
        ball,
        ball_look,
        ball_present: present,
        decoy: None,
        sun: v2(rng.range(-0.6, 0.6), rng.range(-0.2, 0.7)),
        soft,
        exposure_s: rng.log_range(EXPOSURE_MIN, EXPOSURE_MAX),
    };
    let img = &mut out[..need];
    BackgroundRenderer::new(&scene.cam, &scene.look).render(img, w, h);
    let mut st = FrameState::default();
    scene.pose(RANDOM_T, &mut st);
    let mut nrng = root.fork(5);
    let std = nrng.range(NOISE_MIN, NOISE_MAX);
    let noise = Noise::new(&mut nrng, w * 3, std);
    let mut rows = vec![0usize; h];
    noise.rows_for(0, &mut rows);
    noise.add_in_place(img, &rows);
    let mut canvas = Canvas {
        px: img,
        w,
        h,
        noise: Some(noise.view(&rows)),
    };
    scene.draw(&st, &mut canvas);
    Ok(scene.ground_truth(&st, 0, 0))
}
