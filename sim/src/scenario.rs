//! Scenario scripts: the camera, kits, ball path and players of each [`Scenario`], laid out in
//! image fractions (unprojected to the ground) so that each keeps its promise for any camera.

use crate::background::{Look, PITCH_WIDTH};
use crate::ball::BallLook;
use crate::camera::{Camera, CameraSetup};
use crate::math::{v2, V2};
use crate::path::{BallPath, BALL_RADIUS_M, GRAVITY, ROLL_DECEL};
use crate::player::{to_camera, Kit, Motion, Player, PlayerFrame, Possession};
use crate::raster::Rect;
use crate::rng::Rng;
use crate::scene::{Decoy, FrameState, Scene, VISIBLE_THRESHOLD};
use crate::{ClipSpec, Scenario, SimError};

/// Shutter time for clips (s), capped at one frame; fixed so blur and visibility do not
/// depend on the frame rate (up to 100 fps).
pub const EXPOSURE_S: f64 = 0.01;
/// Edge softness (pixels) of sprites, sharp and defocused.
const SOFT_SHARP: f32 = 1.0;
const SOFT_DEFOCUS: f32 = 1.9;
/// Widest aspect ratio laid out as is; taller images extend a 16:9 frame up and down.
const WIDE_ASPECT: f64 = 16.0 / 9.0;
/// Pass speeds (m/s) at the kick.
const PASS_MIN: f64 = 11.0;
const PASS_MAX: f64 = 19.0;
/// How long a player keeps the ball before passing (s).
const HOLD_MIN: f64 = 0.35;
const HOLD_MAX: f64 = 0.9;
/// Extra path time built past the end of the clip (s).
const PATH_TAIL_S: f64 = 1.0;
/// Scenario minimum lengths (s).
const OCCLUDED_LEAD_S: f64 = 2.0;
const OCCLUDED_TAIL_S: f64 = 1.5;
const LEAVES_MIN_S: f64 = 4.0;
/// Occluded: bounds on hidden_s, dribble behind the occluder.
const MIN_HIDDEN_S: f64 = 0.2;
const MAX_HIDDEN_S: f64 = 600.0;
const DRIBBLE_SPEED: f64 = 2.5;
const DRIBBLE_MAX_M: f64 = 4.0;
const DRIBBLE_VIEW_SHARE: f64 = 0.12;
/// Occluded: after the reveal the ball is kept within this many image fractions of its stop.
const KEEP_U_FRAC: f64 = 0.06;
const KEEP_V_FRAC: f64 = 0.03;
/// Where the ball sits on the occluder's body (fraction of body height).
const TORSO_FRAC: f64 = 0.64;
/// Scan step and bisection steps when calibrating timings (s).
const SCAN_STEP_S: f64 = 0.004;
const BISECT_STEPS: usize = 24;
const CALIBRATION_ROUNDS: usize = 3;
/// LeavesFrame: how long the ball should be out of the image (s).
const OUT_OF_FRAME_S: f64 = 1.0;
const MIN_OUT_REST_S: f64 = 0.1;
/// Lofted ball: highest point above the image top margin (fraction of height).
const TOP_MARGIN_FRAC: f64 = 0.05;
const MAX_APEX_M: f64 = 14.0;
const MIN_APEX_M: f64 = 5.0;
/// Share of horizontal speed kept after a bounce, and how the roll is shortened to stay
/// in view.
const BOUNCE_KEEP: f64 = 0.35;
const BOUNCE_SHRINK: f64 = 0.7;
const BOUNCE_TRIES: usize = 12;
/// Margin (fraction of the image) for "well inside the view".
const VIEW_MARGIN_FRAC: f64 = 0.03;
/// Conflict checks for players that must not hide the ball (step in s, margin in px).
const CONFLICT_STEP_S: f64 = 0.02;
const CONFLICT_MARGIN_PX: f64 = 3.0;
const PLACE_TRIES: usize = 40;
/// Players are kept out of the ball's way over at most this much of a clip (s), which bounds
/// the build time of very long clips.
const CONFLICT_HORIZON_S: f64 = 600.0;
/// Decoy: longest slow roll (m) and its speed range (m/s).
const DECOY_ROLL_M: f64 = 2.0;
/// Share of decoys that are patched balls (the rest are plain bright spots).
const DECOY_PATCHED: f64 = 0.7;
const DECOY_SPEED_MIN: f64 = 0.15;
const DECOY_SPEED_MAX: f64 = 0.4;
/// Players kept out of the pitch beyond this y (boards).
const MAX_PLAYER_Y: f64 = PITCH_WIDTH - 1.0;

/// Check scenario-specific parameters and lengths.
pub fn validate(spec: &ClipSpec) -> Result<(), SimError> {
    let got_s = spec.duration_s();
    match spec.scenario {
        Scenario::Occluded { hidden_s } => {
            if !hidden_s.is_finite() || !(MIN_HIDDEN_S..=MAX_HIDDEN_S).contains(&hidden_s) {
                return Err(SimError::InvalidParameter {
                    name: "hidden_s",
                    value: hidden_s,
                });
            }
            let needed_s = OCCLUDED_LEAD_S + hidden_s + OCCLUDED_TAIL_S;
            if got_s < needed_s {
                return Err(SimError::DurationTooShort { needed_s, got_s });
            }
        }
        Scenario::LeavesFrame if got_s < LEAVES_MIN_S => {
            return Err(SimError::DurationTooShort {
                needed_s: LEAVES_MIN_S,
                got_s,
            });
        }
        _ => {}
    }
    Ok(())
}

/// A random camera for clips: behind the near touchline, framing the near half of the pitch
/// with the far touchline, boards and stands in the top third.
///
/// Images taller than 16:9 use the lens of a 16:9 frame of the same width, extended up and
/// down; the second value is that frame's height (pixels), centred in the image, in which the
/// scenarios are laid out.
pub fn clip_camera(rng: &mut Rng, w: u32, h: u32) -> (Camera, f64) {
    let aspect = f64::from(w) / f64::from(h.max(1));
    let band_h = if aspect < WIDE_ASPECT {
        (f64::from(w) / WIDE_ASPECT).round().max(1.0)
    } else {
        f64::from(h)
    };
    let setup = CameraSetup {
        x: rng.range(35.0, 70.0),
        back: rng.range(4.0, 12.0),
        height: rng.range(5.0, 10.0),
        yaw: rng.range(-0.12, 0.12),
        roll: rng.range(-0.004, 0.004),
        far_line_frac: rng.range(0.17, 0.3),
        // Keep the ball's size similar across aspect ratios (metres across the width).
        view_width_m: rng.range(26.0, 36.0) * (aspect / (16.0 / 9.0)).sqrt(),
    };
    let mut cam = Camera::from_setup(&setup, w, band_h as u32, PITCH_WIDTH);
    cam.height = f64::from(h);
    (cam, band_h)
}

/// Two kits that look different, plus the referee's.
pub fn kits(rng: &mut Rng) -> [Kit; 3] {
    let a = Kit::random(rng);
    let mut b = Kit::random(rng);
    for _ in 0..10 {
        let d: f32 = (0..3).map(|i| (a.shirt[i] - b.shirt[i]).abs()).sum();
        if d > 0.5 {
            break;
        }
        b = Kit::random(rng);
    }
    [a, b, Kit::referee(rng)]
}

/// Shared state while scripting a clip.
struct Ctx {
    cam: Camera,
    rng: Rng,
    kits: [Kit; 3],
    end_t: f64,
    /// Top row and height (pixels) of the band in which image fractions are taken.
    band_v0: f64,
    band_h: f64,
}

/// A rectangle of image fractions.
#[derive(Clone, Copy)]
struct Region {
    u0: f64,
    u1: f64,
    v0: f64,
    v1: f64,
}

impl Ctx {
    /// Ground point at image fractions (rows within the layout band).
    fn at(&self, fu: f64, fv: f64) -> V2 {
        let v = self.band_v0 + fv * self.band_h;
        let g = self.cam.ground_at_frac(fu, v / self.cam.height);
        v2(g.x, g.y.min(MAX_PLAYER_Y))
    }

    fn pick(&mut self, r: Region) -> V2 {
        let fu = self.rng.range(r.u0, r.u1);
        let fv = self.rng.range(r.v0, r.v1);
        self.at(fu, fv)
    }

    /// A player who only moves to take possessions, standing at `anchor` otherwise.
    fn holder(&mut self, kit: usize, anchor: V2, possessions: Vec<Possession>) -> Player {
        let k = self.kits[kit % self.kits.len()];
        let sway = v2(self.rng.range(0.05, 0.2), self.rng.range(0.05, 0.2));
        let motion = Motion::Formation {
            anchor,
            follow: 0.0,
            lag: 0.0,
            sway_amp: sway,
            sway_freq: v2(self.rng.range(0.1, 0.3), self.rng.range(0.1, 0.3)),
            sway_phase: v2(self.rng.range(0.0, 6.3), self.rng.range(0.0, 6.3)),
            possessions,
        };
        Player::random(&mut self.rng, k, motion)
    }

    /// Offset placing a ball holder behind the ball (further from the camera).
    fn behind(&self, p: V2) -> V2 {
        -to_camera(&self.cam, p) * 0.6
    }

    /// Is ground point `p` well inside the image?
    fn in_view(&self, p: V2) -> bool {
        let q = self.cam.project(p.at(BALL_RADIUS_M));
        let (mu, mv) = (
            VIEW_MARGIN_FRAC * self.cam.width,
            VIEW_MARGIN_FRAC * self.cam.height,
        );
        q.u >= mu && q.v >= mv && q.u <= self.cam.width - mu && q.v <= self.cam.height - mv
    }

    /// After a lofted ball from `from` lands on `to` (flight `t` s): it bounces on and rolls
    /// out, less far if it would otherwise leave the view.
    fn bounce_on(&self, path: &mut BallPath, from: V2, to: V2, t: f64) {
        let dir = (to - from).norm();
        let mut v0 = BOUNCE_KEEP * (to - from).len() / t.max(1e-3);
        for _ in 0..BOUNCE_TRIES {
            let reach = v0 * v0 / (2.0 * ROLL_DECEL);
            if self.in_view(to + dir * reach) {
                break;
            }
            v0 *= BOUNCE_SHRINK;
        }
        path.roll_free(dir, v0, ROLL_DECEL, v0 / ROLL_DECEL);
    }

    fn pass_speed(&mut self) -> f64 {
        self.rng.range(PASS_MIN, PASS_MAX)
    }

    /// Passes between the two ends of `region` until the path covers the clip; the two
    /// players at the ends take possession. Returns the players.
    fn two_end_passing(
        &mut self,
        path: &mut BallPath,
        region: Region,
        mut end: usize,
    ) -> Vec<Player> {
        let width = region.u1 - region.u0;
        let ends = [
            Region {
                u1: region.u0 + width * 0.3,
                ..region
            },
            Region {
                u0: region.u1 - width * 0.3,
                ..region
            },
        ];
        let mut poss: [Vec<Possession>; 2] = [Vec::new(), Vec::new()];
        let mut anchors = [self.pick(ends[0]), self.pick(ends[1])];
        anchors[end % 2] = path.end_pos();
        let mut guard = 0;
        while path.end_time() < self.end_t && guard < MAX_EVENTS {
            guard += 1;
            let t0 = path.end_time();
            let hold = self.rng.range(HOLD_MIN, HOLD_MAX);
            path.rest(hold);
            let at = path.end_pos();
            poss[end % 2].push(Possession {
                t0,
                t1: path.end_time(),
                offset: self.behind(at),
            });
            end += 1;
            let target = self.pick(ends[end % 2]);
            let v0 = self.pass_speed();
            path.roll_to(target, v0);
        }
        let t0 = path.end_time();
        let last = path.end_pos();
        poss[end % 2].push(Possession {
            t0,
            t1: t0 + PATH_TAIL_S * 4.0,
            offset: self.behind(last),
        });
        let [p0, p1] = poss;
        let a0 = anchors[0] + self.behind(anchors[0]);
        let a1 = anchors[1] + self.behind(anchors[1]);
        vec![self.holder(0, a0, p0), self.holder(1, a1, p1)]
    }
}

/// Safety cap on scripted events (a long clip still has a finite script).
const MAX_EVENTS: usize = 100_000;

/// Build the scene of a validated clip spec.
pub fn build(spec: &ClipSpec) -> Result<Scene, SimError> {
    spec.validate()?;
    let root = Rng::new(spec.seed);
    let (cam, band_h) = clip_camera(&mut root.fork(1), spec.width, spec.height);
    let look = Look::random(&mut root.fork(2), false);
    let kits = kits(&mut root.fork(3));
    let ball_look = BallLook::random(&mut root.fork(4));
    let mut ctx = Ctx {
        cam: cam.clone(),
        rng: root.fork(5),
        kits,
        end_t: spec.duration_s() + PATH_TAIL_S,
        band_v0: (f64::from(spec.height) - band_h) / 2.0,
        band_h,
    };
    let soft = if look.defocus {
        SOFT_DEFOCUS
    } else {
        SOFT_SHARP
    };
    let mut sun_rng = root.fork(6);
    let sun = v2(sun_rng.range(-0.5, 0.5), sun_rng.range(0.1, 0.6));
    let exposure_s = EXPOSURE_S.min(1.0 / spec.fps);
    let mut scene = Scene {
        cam,
        look,
        players: Vec::new(),
        ball: BallPath::new(v2(0.0, 0.0)),
        ball_look,
        ball_present: true,
        decoy: None,
        sun,
        soft,
        exposure_s: EXPOSURE_S,
    };
    let strict = !matches!(spec.scenario, Scenario::Match);
    match spec.scenario {
        Scenario::StraightPass => straight_pass(&mut ctx, &mut scene),
        Scenario::LoftedBall => lofted(&mut ctx, &mut scene),
        Scenario::Occluded { hidden_s } => occluded(&mut ctx, &mut scene, hidden_s),
        Scenario::LeavesFrame => leaves_frame(&mut ctx, &mut scene),
        Scenario::Decoy => decoy(&mut ctx, &mut scene),
        Scenario::Match => match_play(&mut ctx, &mut scene),
    }
    if strict {
        keep_scripted_players_clear(&mut ctx, &mut scene, spec.duration_s());
    }
    let extra = if strict { ctx.rng.range(3.0, 8.0) } else { 0.0 } as usize;
    add_free_players(&mut ctx, &mut scene, extra, spec.duration_s());
    scene.exposure_s = exposure_s;
    Ok(scene)
}

fn straight_pass(ctx: &mut Ctx, scene: &mut Scene) {
    let region = Region {
        u0: 0.07,
        u1: 0.93,
        v0: 0.5,
        v1: 0.85,
    };
    let start_end = ctx.rng.below(2);
    let start = if start_end == 0 {
        ctx.pick(Region { u1: 0.2, ..region })
    } else {
        ctx.pick(Region { u0: 0.8, ..region })
    };
    scene.ball = BallPath::new(start);
    let players = ctx.two_end_passing(&mut scene.ball, region, start_end);
    scene.players.extend(players);
}

/// Flight time for a lofted ball from `a` to `b` whose arc stays inside the image.
fn lofted_flight_time(cam: &Camera, a: V2, b: V2, apex: f64) -> f64 {
    let mut t = (8.0 * apex / GRAVITY).sqrt();
    let top = TOP_MARGIN_FRAC * cam.height;
    let side = VIEW_MARGIN_FRAC * cam.width;
    for _ in 0..40 {
        let ok = (0..=20).all(|i| {
            let s = f64::from(i) / 20.0;
            let z = BALL_RADIUS_M + 0.5 * GRAVITY * t * t * s * (1.0 - s);
            let q = cam.project(a.lerp(b, s).at(z));
            q.v >= top && q.u >= side && q.u <= cam.width - side
        });
        if ok {
            break;
        }
        t *= 0.93;
    }
    t
}

fn lofted(ctx: &mut Ctx, scene: &mut Scene) {
    let side = ctx.rng.sign();
    let a = ctx.pick(Region {
        u0: 0.5 - side * 0.36,
        u1: 0.5 - side * 0.26,
        v0: 0.72,
        v1: 0.86,
    });
    let b = ctx.pick(Region {
        u0: 0.5 + side * 0.2,
        u1: 0.5 + side * 0.3,
        v0: 0.5,
        v1: 0.62,
    });
    let mut path = BallPath::new(a);
    let rest = (ctx.end_t * 0.1).clamp(0.1, 0.5);
    path.rest(rest);
    let apex = ctx.rng.range(MIN_APEX_M, MAX_APEX_M);
    let mut t = lofted_flight_time(&ctx.cam, a, b, apex);
    // Short clips: fit the flight in.
    t = t.min((ctx.end_t - PATH_TAIL_S - rest).max(0.5));
    let t_kick = path.end_time();
    path.fly_to(b, t);
    ctx.bounce_on(&mut path, a, b, t);
    let t_stop = path.end_time();
    let stop = path.end_pos();
    let kicker = ctx.holder(
        0,
        a + ctx.behind(a),
        vec![Possession {
            t0: 0.0,
            t1: t_kick,
            offset: ctx.behind(a),
        }],
    );
    scene.players.push(kicker);
    let region = Region {
        u0: 0.1,
        u1: 0.9,
        v0: 0.5,
        v1: 0.85,
    };
    let end = if side > 0.0 { 1 } else { 0 };
    let mut players = ctx.two_end_passing(&mut path, region, end);
    // The first receiver collects the ball where it stopped.
    if let Some(Motion::Formation { possessions, .. }) = players.get_mut(end).map(|p| &mut p.motion)
    {
        possessions.insert(
            0,
            Possession {
                t0: t_stop,
                t1: t_stop,
                offset: -to_camera(&ctx.cam, stop) * 0.6,
            },
        );
    }
    scene.players.extend(players);
    scene.ball = path;
}

/// Distance from the ball towards the camera at which a player's torso covers the ball.
fn shield_distance(cam: &Camera, ball: V2, height: f64) -> f64 {
    let toward = to_camera(cam, ball);
    let b = cam.project(ball.at(BALL_RADIUS_M));
    let frac = |d: f64| {
        let p = ball + toward * d;
        let f = cam.project(p.at(0.0));
        let hd = cam.project(p.at(height));
        (f.v - b.v) / (f.v - hd.v).max(1e-6)
    };
    let (mut lo, mut hi) = (0.0, 30.0);
    for _ in 0..BISECT_STEPS * 2 {
        let mid = 0.5 * (lo + hi);
        if frac(mid) < TORSO_FRAC {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

/// Visible fraction of the ball at `t`.
fn vf_at(scene: &Scene, st: &mut FrameState, t: f64) -> f32 {
    scene.pose(t, st);
    scene.ground_truth(st, 0, 0).visible_fraction
}

/// First time in [t0, t1] where `hidden(t)` equals `want`, refined by bisection.
fn first_crossing(
    t0: f64,
    t1: f64,
    mut hidden: impl FnMut(f64) -> bool,
    want: bool,
) -> Option<f64> {
    let mut prev = t0;
    if hidden(t0) == want {
        return Some(t0);
    }
    let mut t = t0;
    while t < t1 {
        t = (t + SCAN_STEP_S).min(t1);
        if hidden(t) == want {
            let (mut lo, mut hi) = (prev, t);
            for _ in 0..BISECT_STEPS {
                let mid = 0.5 * (lo + hi);
                if hidden(mid) == want {
                    hi = mid;
                } else {
                    lo = mid;
                }
            }
            return Some(hi);
        }
        prev = t;
    }
    None
}

fn occluded(ctx: &mut Ctx, scene: &mut Scene, hidden_s: f64) {
    let side = ctx.rng.sign();
    let a = ctx.pick(Region {
        u0: 0.5 - side * 0.42,
        u1: 0.5 - side * 0.34,
        v0: 0.55,
        v1: 0.8,
    });
    let m = ctx.pick(Region {
        u0: 0.5 - side * 0.1,
        u1: 0.5 - side * 0.02,
        v0: 0.55,
        v1: 0.68,
    });
    let c_fv = ctx.rng.range(0.55, 0.8);
    let c_fu = 0.5 + side * ctx.rng.range(0.26, 0.34);
    let v_in = ctx.rng.range(14.0, 18.0);
    let v_out = ctx.rng.range(13.0, 18.0);
    let lead_rest = ctx.rng.range(0.4, 0.7);
    // Narrow views get a shorter dribble behind the occluder.
    let view_m = (ctx.at(0.7, 0.6) - ctx.at(0.3, 0.6)).len() / 0.4;
    let dribble_m = DRIBBLE_MAX_M.min(DRIBBLE_VIEW_SHARE * view_m);
    let dribble = v2(side, 0.0) * DRIBBLE_SPEED.min(dribble_m / hidden_s);
    let mut occluder = Player::random(
        &mut ctx.rng,
        ctx.kits[1],
        Motion::Shield {
            t_a: 0.0,
            t_b: 0.0,
            dist: 0.0,
        },
    );
    occluder.build = occluder.build.max(1.05);
    let dist = shield_distance(&ctx.cam, m, occluder.height);
    let keep_seed = ctx.rng.next_u64();
    let band = (ctx.band_v0, ctx.band_h);
    let cam = ctx.cam.clone();
    let end_t = ctx.end_t;
    let c = ctx.at(c_fu, c_fv);
    let passer = ctx.holder(
        0,
        a + ctx.behind(a),
        vec![Possession {
            t0: 0.0,
            t1: lead_rest,
            offset: ctx.behind(a),
        }],
    );

    // Script with a given time behind the occluder; returns the path and [t_a, t_b].
    let script = |t_behind: f64| -> (BallPath, f64, f64, f64) {
        let mut p = BallPath::new(a);
        p.rest(lead_rest);
        p.roll_to(m, v_in);
        let t_a = p.end_time();
        p.carry_for(dribble, t_behind);
        let t_b = p.end_time();
        p.roll_to(c, v_out);
        let t_c = p.end_time();
        // Keep the ball near C with small touches (never back towards the occluder).
        let mut r = Rng::new(keep_seed);
        let mut guard = 0;
        while p.end_time() < end_t && guard < MAX_EVENTS {
            guard += 1;
            p.rest(r.range(0.3, 0.8));
            let fu = c_fu + side * r.range(0.0, KEEP_U_FRAC);
            let fv = c_fv + r.range(-KEEP_V_FRAC, KEEP_V_FRAC);
            let to = cam.ground_at_frac(fu, (band.0 + fv * band.1) / cam.height);
            p.carry_to(v2(to.x, to.y.min(MAX_PLAYER_Y)), r.range(1.5, 2.5));
        }
        (p, t_a, t_b, t_c)
    };
    let mut t_behind = hidden_s;
    let mut st = FrameState::default();
    for _ in 0..CALIBRATION_ROUNDS {
        let (path, t_a, t_b, _) = script(t_behind);
        occluder.motion = Motion::Shield { t_a, t_b, dist };
        scene.ball = path;
        scene.players = vec![occluder.clone()];
        let mut hid = |t: f64| vf_at(scene, &mut st, t) < VISIBLE_THRESHOLD;
        let start = first_crossing(t_a - 1.0, t_a + 0.5, &mut hid, true).unwrap_or(t_a);
        let end = first_crossing(t_b - 0.2, t_b + 1.0, &mut hid, false).unwrap_or(t_b);
        let measured = end - start;
        t_behind = (t_behind + hidden_s - measured).max(1e-3);
    }
    let (path, t_a, t_b, t_c) = script(t_behind);
    occluder.motion = Motion::Shield { t_a, t_b, dist };
    scene.ball = path;
    let holder = ctx.holder(
        1,
        c + ctx.behind(c),
        vec![Possession {
            t0: t_c,
            t1: end_t + PATH_TAIL_S,
            offset: ctx.behind(c),
        }],
    );
    let _ = cam;
    scene.players = vec![passer, occluder, holder];
}

fn leaves_frame(ctx: &mut Ctx, scene: &mut Scene) {
    let side = ctx.rng.sign();
    let a = ctx.pick(Region {
        u0: 0.5 - side * 0.2,
        u1: 0.5 - side * 0.1,
        v0: 0.55,
        v1: 0.8,
    });
    let o = ctx.pick(Region {
        u0: 0.5 + side * 0.6,
        u1: 0.5 + side * 0.66,
        v0: 0.55,
        v1: 0.8,
    });
    let b = ctx.pick(Region {
        u0: 0.5 + side * 0.05,
        u1: 0.5 + side * 0.2,
        v0: 0.55,
        v1: 0.8,
    });
    let v_out = ctx.rng.range(12.0, 16.0);
    let v_back = ctx.rng.range(12.0, 16.0);
    let rest0 = ctx.rng.range(0.4, 0.7);
    let (w, h) = (ctx.cam.width, ctx.cam.height);
    let cam = ctx.cam.clone();
    let script = |rest: f64| {
        let mut p = BallPath::new(a);
        p.rest(rest0);
        p.roll_to(o, v_out);
        let t_o = p.end_time();
        p.rest(rest);
        let t_kick = p.end_time();
        p.roll_to(b, v_back);
        (p, t_o, t_kick)
    };
    let inside = |p: &BallPath, t: f64| {
        let q = cam.project(p.pos(t));
        q.u >= 0.0 && q.v >= 0.0 && q.u < w && q.v < h
    };
    let (p0, _, _) = script(0.0);
    let t_end0 = p0.end_time();
    let exit = first_crossing(0.0, t_end0, |t| inside(&p0, t), false).unwrap_or(rest0);
    let back = first_crossing(exit, t_end0 + 0.5, |t| inside(&p0, t), true).unwrap_or(exit);
    let rest = (OUT_OF_FRAME_S - (back - exit)).max(MIN_OUT_REST_S);
    let (mut path, t_o, t_kick) = script(rest);
    let passer = ctx.holder(
        0,
        a + ctx.behind(a),
        vec![Possession {
            t0: 0.0,
            t1: rest0,
            offset: ctx.behind(a),
        }],
    );
    let outside = ctx.holder(
        1,
        o + ctx.behind(o),
        vec![Possession {
            t0: t_o,
            t1: t_kick,
            offset: ctx.behind(o),
        }],
    );
    let region = Region {
        u0: 0.1,
        u1: 0.9,
        v0: 0.5,
        v1: 0.85,
    };
    let end = if side > 0.0 { 1 } else { 0 };
    let players = ctx.two_end_passing(&mut path, region, end);
    scene.players.push(passer);
    scene.players.push(outside);
    scene.players.extend(players);
    scene.ball = path;
}

fn decoy(ctx: &mut Ctx, scene: &mut Scene) {
    let ds = ctx.rng.sign();
    let d = ctx.pick(Region {
        u0: 0.5 + ds * 0.32,
        u1: 0.5 + ds * 0.4,
        v0: 0.55,
        v1: 0.82,
    });
    let mut dpath = BallPath::new(d);
    if ctx.rng.chance(0.5) {
        // Rolls slowly to a nearby spot that is also in view, then lies still.
        let to = ctx.pick(Region {
            u0: 0.5 + ds * 0.3,
            u1: 0.5 + ds * 0.42,
            v0: 0.55,
            v1: 0.82,
        });
        let to = d + (to - d) * (DECOY_ROLL_M / (to - d).len().max(DECOY_ROLL_M));
        let speed = ctx.rng.range(DECOY_SPEED_MIN, DECOY_SPEED_MAX);
        dpath.carry_to(to, speed);
    }
    let mut look = BallLook::random(&mut ctx.rng);
    look.base = [0.95, 0.95, 0.93];
    // A spare ball, or a plain bright ball-sized spot (boot, cone top).
    look.patches = ctx.rng.chance(DECOY_PATCHED);
    scene.decoy = Some(Decoy { path: dpath, look });
    let region = if ds > 0.0 {
        Region {
            u0: 0.06,
            u1: 0.52,
            v0: 0.5,
            v1: 0.85,
        }
    } else {
        Region {
            u0: 0.48,
            u1: 0.94,
            v0: 0.5,
            v1: 0.85,
        }
    };
    let start = ctx.pick(Region {
        u1: region.u0 + 0.1,
        ..region
    });
    scene.ball = BallPath::new(start);
    let players = ctx.two_end_passing(&mut scene.ball, region, 0);
    scene.players.extend(players);
}

/// Players drifting with the play around the pitch.
fn formation_player(ctx: &mut Ctx, kit: usize, anchor: V2, follow: f64) -> Player {
    let rng = &mut ctx.rng;
    let motion = Motion::Formation {
        anchor,
        follow,
        lag: rng.range(0.3, 1.0),
        sway_amp: v2(rng.range(0.3, 2.0), rng.range(0.2, 1.5)),
        sway_freq: v2(rng.range(0.04, 0.2), rng.range(0.04, 0.2)),
        sway_phase: v2(rng.range(0.0, 6.3), rng.range(0.0, 6.3)),
        possessions: Vec::new(),
    };
    Player::random(rng, ctx.kits[kit], motion)
}

fn match_play(ctx: &mut Ctx, scene: &mut Scene) {
    let view = Region {
        u0: 0.1,
        u1: 0.9,
        v0: 0.45,
        v1: 0.9,
    };
    let fv = ctx.rng.range(0.55, 0.7);
    let start = ctx.at(0.5, fv);
    let mut path = BallPath::new(start);
    let n_team = 6;
    let mut players: Vec<Player> = Vec::new();
    for i in 0..(2 * n_team + 1) {
        let kit = if i == 2 * n_team { 2 } else { i % 2 };
        let anchor = ctx.pick(Region {
            u0: -0.1,
            u1: 1.1,
            v0: 0.35,
            v1: 0.98,
        });
        let follow = ctx.rng.range(0.5, 0.85);
        players.push(formation_player(ctx, kit, anchor, follow));
    }
    let mut last_holder = usize::MAX;
    let mut k = 0usize;
    while path.end_time() < ctx.end_t && k < MAX_EVENTS {
        k += 1;
        let t0 = path.end_time();
        let at = path.end_pos();
        // The nearest outfield player (not the referee) takes the ball.
        let mut best = (f64::MAX, 0usize);
        for (i, p) in players.iter().enumerate().take(2 * n_team) {
            if i == last_holder {
                continue;
            }
            let d = (p.pos(t0, &path, &ctx.cam) - at).len();
            if d < best.0 {
                best = (d, i);
            }
        }
        let holder = best.1;
        last_holder = holder;
        path.rest(ctx.rng.range(HOLD_MIN, HOLD_MAX));
        let roll = ctx.rng.unit();
        if k == 2 || roll < 0.12 {
            let target = ctx.pick(view);
            let apex = ctx.rng.range(MIN_APEX_M, MAX_APEX_M);
            let t = lofted_flight_time(&ctx.cam, at, target, apex);
            path.fly_to(target, t);
            ctx.bounce_on(&mut path, at, target, t);
        } else if roll < 0.4 {
            let target = ctx.pick(view);
            let speed = ctx.rng.range(3.5, 6.0);
            let len = ctx.rng.range(4.0, 10.0).min((target - at).len());
            let target = at + (target - at).norm() * len;
            path.carry_to(target, speed);
        } else {
            let mut target = ctx.pick(view);
            for _ in 0..5 {
                if (target - at).len() >= 8.0 {
                    break;
                }
                target = ctx.pick(view);
            }
            let v0 = ctx.rng.range(12.0, 22.0);
            path.roll_to(target, v0);
        }
        let t_kick = path.end_time().min(t0 + HOLD_MAX * 3.0);
        let angle = ctx.rng.range(0.0, std::f64::consts::TAU);
        let offset = v2(angle.cos(), angle.sin()) * 0.45;
        if let Some(Motion::Formation { possessions, .. }) =
            players.get_mut(holder).map(|p| &mut p.motion)
        {
            possessions.push(Possession {
                t0,
                t1: t_kick.max(t0),
                offset,
            });
        }
    }
    scene.ball = path;
    scene.players = players;
}

/// Image box of a player at `t` (from its frame) and whether it is in front of the ball.
fn player_rect(f: &PlayerFrame) -> Rect {
    let half = f.height_px * 0.3;
    Rect::around(
        (f.foot_img[0] - half) as f32,
        (f.foot_img[1] - f.height_px * 1.05) as f32,
        (f.foot_img[0] + half) as f32,
        (f.foot_img[1] + f.height_px * 0.05) as f32,
        CONFLICT_MARGIN_PX as f32,
    )
}

/// Does `player` ever stand in front of the ball, overlapping it, before `until`? Boxes are
/// swept between samples so fast motion cannot slip between them.
fn hides_ball(scene: &Scene, player: &Player, until: f64) -> bool {
    let mut frame = PlayerFrame::default();
    let mut prev: Option<(Rect, Rect, bool)> = None;
    let mut t = 0.0;
    let until = until.min(CONFLICT_HORIZON_S);
    while t <= until + CONFLICT_STEP_S {
        player.pose(t, &scene.ball, &scene.cam, scene.sun, &mut frame);
        let (img, _, depth) = scene.ball_image(&scene.ball, t);
        let pr = player_rect(&frame);
        let br = img.rect(CONFLICT_MARGIN_PX as f32);
        let front = frame.depth < depth;
        let (pu, bu, fu) = match prev {
            Some((pp, bp, fp)) => (pr.union(pp), br.union(bp), front || fp),
            None => (pr, br, front),
        };
        if fu && pu.overlaps(bu) {
            return true;
        }
        prev = Some((pr, br, front));
        t += CONFLICT_STEP_S;
    }
    false
}

/// Move scripted players (not the occluder) whose standing place hides the ball at some
/// point; drop those that cannot be placed.
fn keep_scripted_players_clear(ctx: &mut Ctx, scene: &mut Scene, duration: f64) {
    let mut i = 0;
    while i < scene.players.len() {
        let mut p = scene.players[i].clone();
        let Motion::Formation { anchor, .. } = p.motion else {
            i += 1;
            continue;
        };
        let mut ok = !hides_ball(scene, &p, duration + CONFLICT_STEP_S);
        let mut attempt = 0;
        while !ok && attempt < PLACE_TRIES {
            attempt += 1;
            let reach = 1.0 + attempt as f64;
            let a = ctx.rng.range(0.0, std::f64::consts::TAU);
            if let Motion::Formation { anchor: an, .. } = &mut p.motion {
                let moved = anchor + v2(a.cos(), a.sin()) * reach;
                *an = v2(moved.x, moved.y.min(MAX_PLAYER_Y));
            }
            ok = !hides_ball(scene, &p, duration + CONFLICT_STEP_S);
        }
        if ok {
            scene.players[i] = p;
            i += 1;
        } else {
            scene.players.remove(i);
        }
    }
}

/// Add `n` extra players (the last the referee) that never hide the ball in strict scenarios.
fn add_free_players(ctx: &mut Ctx, scene: &mut Scene, n: usize, duration: f64) {
    for i in 0..n {
        let kit = if i + 1 == n { 2 } else { i % 2 };
        for _ in 0..PLACE_TRIES {
            let anchor = ctx.pick(Region {
                u0: -0.05,
                u1: 1.05,
                v0: 0.3,
                v1: 1.0,
            });
            let follow = ctx.rng.range(0.1, 0.5);
            let p = formation_player(ctx, kit, anchor, follow);
            if !hides_ball(scene, &p, duration + CONFLICT_STEP_S) {
                scene.players.push(p);
                break;
            }
        }
    }
}
