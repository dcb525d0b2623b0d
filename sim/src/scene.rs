//! A scene (camera, look, ball path, players, decoy) and how one instant of it is posed,
//! drawn over the background and turned into ground truth.

use crate::background::Look;
use crate::ball::{BallImage, BallLook};
use crate::camera::Camera;
use crate::math::{V2, V3};
use crate::path::{BallPath, BALL_RADIUS_M};
use crate::player::{shadow_strength, Player, PlayerFrame};
use crate::raster::{Canvas, Part, Shape};
use crate::GroundTruth;

/// Darkness of the ball's shadow when on the ground, and how it fades with height.
const BALL_SHADOW_STRENGTH: f32 = 0.5;
const BALL_SHADOW_FADE_PER_M: f64 = 0.2;
/// Ball shadow size relative to the ball.
const BALL_SHADOW_SCALE: f64 = 1.15;
/// Share of the ball's disc that must be seen for it to count as visible.
pub const VISIBLE_THRESHOLD: f32 = 0.3;

/// A second, ball-like object (spare ball) that is not the ball.
#[derive(Debug, Clone)]
pub struct Decoy {
    pub path: BallPath,
    pub look: BallLook,
}

/// Everything needed to render any instant of a clip.
#[derive(Debug, Clone)]
pub struct Scene {
    pub cam: Camera,
    pub look: Look,
    pub players: Vec<Player>,
    pub ball: BallPath,
    pub ball_look: BallLook,
    pub ball_present: bool,
    pub decoy: Option<Decoy>,
    /// Ground offset of a shadow per metre of height.
    pub sun: V2,
    /// Edge softness of sprites (pixels); larger when defocused.
    pub soft: f32,
    /// Shutter time (s).
    pub exposure_s: f64,
}

/// One item to draw in depth order.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Item {
    Player(usize),
    Ball,
    Decoy,
}

/// The posed scene at one instant; reused between frames to avoid allocation.
#[derive(Debug, Clone, Default)]
pub struct FrameState {
    players: Vec<PlayerFrame>,
    order: Vec<(f64, Item)>,
    ball: Option<BallImage>,
    ball_pos: V3,
    ball_depth: f64,
    ball_shadow: Option<(Shape, f32)>,
    ball_light_at: (f64, f64, V2),
    decoy: Option<(BallImage, f64, Shape, V2)>,
}

impl Scene {
    /// Ball disc at time `t` (position, radius, blur during the exposure, spin).
    pub fn ball_image(&self, path: &BallPath, t: f64) -> (BallImage, V3, f64) {
        let p = path.pos(t);
        let pr = self.cam.project(p);
        let half = self.exposure_s / 2.0;
        let a = self.cam.project(path.pos(t - half));
        let b = self.cam.project(path.pos(t + half));
        let spin = (path.travelled(t) / BALL_RADIUS_M).rem_euclid(std::f64::consts::TAU);
        let ground_depth = self.cam.project(p.xy().at(0.0)).depth;
        (
            BallImage {
                cx: pr.u as f32,
                cy: pr.v as f32,
                r: (self.cam.f * BALL_RADIUS_M / pr.depth) as f32,
                blur: [(b.u - a.u) as f32, (b.v - a.v) as f32],
                spin: spin as f32,
            },
            p,
            ground_depth,
        )
    }

    fn shadow_of(&self, p: V3) -> (Shape, f32) {
        let height = (p.z - BALL_RADIUS_M).max(0.0);
        let g = p.xy() + self.sun * height;
        let c = self.cam.project(g.at(0.0));
        let ppm = self.cam.px_per_m(c.depth);
        let fy = self.cam.project((g + crate::math::v2(0.0, 1.0)).at(0.0));
        let fore = ((fy.v - c.v).abs() / ppm).clamp(0.05, 1.0);
        let ax = BALL_SHADOW_SCALE * BALL_RADIUS_M * ppm * (1.0 + height * 0.05);
        let strength = BALL_SHADOW_STRENGTH / (1.0 + (height * BALL_SHADOW_FADE_PER_M) as f32);
        (
            Shape::ellipse(c.u as f32, c.v as f32, ax as f32, (ax * fore) as f32),
            strength,
        )
    }

    /// Pose everything at time `t` into `st`.
    pub fn pose(&self, t: f64, st: &mut FrameState) {
        st.players
            .resize(self.players.len(), PlayerFrame::default());
        st.order.clear();
        for (i, (p, out)) in self.players.iter().zip(st.players.iter_mut()).enumerate() {
            p.pose(t, &self.ball, &self.cam, self.sun, out);
            st.order.push((out.depth, Item::Player(i)));
        }
        if self.ball_present {
            let (img, p, depth) = self.ball_image(&self.ball, t);
            st.ball = Some(img);
            st.ball_pos = p;
            st.ball_depth = depth;
            st.ball_shadow = Some(self.shadow_of(p));
            st.ball_light_at = (f64::from(img.cx), f64::from(img.cy), p.xy());
            st.order.push((depth, Item::Ball));
        } else {
            st.ball = None;
            st.ball_shadow = None;
        }
        st.decoy = self.decoy.as_ref().map(|d| {
            let (img, p, depth) = self.ball_image(&d.path, t);
            let (shadow, _) = self.shadow_of(p);
            (img, depth, shadow, p.xy())
        });
        if let Some((_, depth, _, _)) = st.decoy {
            st.order.push((depth, Item::Decoy));
        }
        // Far to near; ties keep a fixed order.
        st.order
            .sort_unstable_by(|a, b| b.0.total_cmp(&a.0).then(rank(a.1).cmp(&rank(b.1))));
    }

    fn light(&self, u: f64, v: f64, g: V2) -> [f32; 3] {
        self.look
            .lighting
            .at(u, v, self.cam.width, self.cam.height, Some(g))
    }

    /// Draw a posed instant over the background already in `canvas`.
    pub fn draw(&self, st: &FrameState, canvas: &mut Canvas) {
        let soft = self.soft;
        for p in &st.players {
            canvas.darken(&p.shadow, soft, shadow_strength());
        }
        if let Some((shape, strength)) = st.ball_shadow {
            canvas.darken(&shape, soft, strength);
        }
        if let (Some(d), Some((_, _, shape, _))) = (&self.decoy, &st.decoy) {
            let _ = d;
            canvas.darken(shape, soft, BALL_SHADOW_STRENGTH);
        }
        for &(_, item) in &st.order {
            match item {
                Item::Player(i) => {
                    if let Some(p) = st.players.get(i) {
                        let light = self.light(p.foot_img[0], p.foot_img[1], p.foot);
                        for part in &p.parts {
                            canvas.draw_part(part, soft, light);
                        }
                    }
                }
                Item::Ball => {
                    if let Some(b) = &st.ball {
                        let (u, v, g) = st.ball_light_at;
                        b.draw(canvas, &self.ball_look, soft, self.light(u, v, g));
                    }
                }
                Item::Decoy => {
                    if let (Some(d), Some((img, _, _, g))) = (&self.decoy, &st.decoy) {
                        let light = self.light(f64::from(img.cx), f64::from(img.cy), *g);
                        img.draw(canvas, &d.look, soft, light);
                    }
                }
            }
        }
    }

    /// Ground truth of a posed instant.
    pub fn ground_truth(&self, st: &FrameState, frame: u32, timestamp_us: i64) -> GroundTruth {
        let (w, h) = (self.cam.width, self.cam.height);
        let decoy = st.decoy.and_then(|(d, _, _, _)| {
            let inside = in_image(d.cx, d.cy, w, h);
            inside.then_some((d.cx, d.cy, d.r))
        });
        let Some(ball) = st.ball else {
            return GroundTruth {
                frame,
                timestamp_us,
                x: 0.0,
                y: 0.0,
                radius: 0.0,
                in_frame: false,
                visible_fraction: 0.0,
                visible: false,
                decoy,
            };
        };
        let decoy_part = st.decoy.and_then(|(d, depth, _, _)| {
            (depth < st.ball_depth).then_some(Part {
                shape: Shape::ellipse(d.cx, d.cy, d.r, d.r),
                color: [0.0; 3],
            })
        });
        let bd = st.ball_depth;
        let occluders = st
            .players
            .iter()
            .filter(move |p| p.depth < bd)
            .flat_map(|p| p.parts.iter())
            .chain(decoy_part.iter());
        let vf = ball.visible_fraction(self.soft, w as usize, h as usize, occluders);
        GroundTruth {
            frame,
            timestamp_us,
            x: ball.cx,
            y: ball.cy,
            radius: ball.r,
            in_frame: in_image(ball.cx, ball.cy, w, h),
            visible_fraction: vf,
            visible: vf >= VISIBLE_THRESHOLD,
            decoy,
        }
    }

    /// Ball height above the ground (m) at time `t` (for tests and tools).
    pub fn ball_height(&self, t: f64) -> f64 {
        self.ball.pos(t).z - BALL_RADIUS_M
    }
}

fn rank(i: Item) -> usize {
    match i {
        Item::Player(k) => k + 2,
        Item::Ball => 0,
        Item::Decoy => 1,
    }
}

fn in_image(x: f32, y: f32, w: f64, h: f64) -> bool {
    x >= 0.0 && y >= 0.0 && f64::from(x) < w && f64::from(y) < h
}
