//! The static part of a frame: grass with mowing stripes and texture, white pitch markings,
//! advertising boards, crowd stands, sky, lighting gradient, stadium shadow and grain.
//!
//! It is ray-cast once per clip (every pixel finds what it sees), so per-frame work is a copy.

use crate::camera::Camera;
use crate::math::{clampf, v2, V2, V3};
use crate::raster::to_u8;
use crate::rng::{hash2, hash_unit, mix64, Rng};

/// Share of scenes under floodlights at night, and how much darker the stands are then.
const P_NIGHT: f64 = 0.2;
const NIGHT_DIM: f32 = 0.6;
/// Pitch length (touchline) and width (goal line), metres.
pub const PITCH_LENGTH: f64 = 105.0;
pub const PITCH_WIDTH: f64 = 68.0;
/// Advertising boards: distance of their plane from the near touchline (y) and height.
pub const BOARD_Y: f64 = PITCH_WIDTH + 4.0;
pub const BOARD_HEIGHT: f64 = 0.9;
/// Share of lettering cells that are filled on a board.
const LETTER_FILL: f64 = 0.66;
/// Length of one advertising panel.
const BOARD_PANEL_M: f64 = 6.0;
/// Stands start here (y) and rise at `STAND_SLOPE` (rise per metre) up to `STAND_TOP`.
const STAND_Y: f64 = BOARD_Y + 3.0;
const STAND_SLOPE: f64 = 0.62;
const STAND_TOP: f64 = 24.0;
/// Crowd cell: seat width and row length along the slope (metres).
const SEAT_W: f64 = 0.55;
const ROW_L: f64 = 0.85;
/// Marking dimensions (metres).
const CENTRE_CIRCLE_R: f64 = 9.15;
const PENALTY_AREA_DEPTH: f64 = 16.5;
const PENALTY_AREA_WIDTH: f64 = 40.32;
const GOAL_AREA_DEPTH: f64 = 5.5;
const GOAL_AREA_WIDTH: f64 = 18.32;
const PENALTY_SPOT_DIST: f64 = 11.0;
const SPOT_R: f64 = 0.11;
const CORNER_ARC_R: f64 = 1.0;
/// Grass texture scales (metres) and the width of a soft shadow edge.
const PATCH_SCALE_M: f64 = 3.5;
const FINE_SCALE_M: f64 = 0.7;
const SHADOW_EDGE_M: f64 = 1.5;
/// Lattice shift so the fine noise does not repeat the coarse one; crowd hash tag.
const FINE_SHIFT: f64 = 97.0;
const CROWD_TAG: u64 = 0xC0;
/// Metres-per-pixel floor (avoids division by zero near the horizon).
const MIN_FOOTPRINT: f64 = 1e-5;

/// Everything that decides how the static scene looks.
#[derive(Debug, Clone)]
pub struct Look {
    pub grass: [f32; 3],
    pub surround: [f32; 3],
    pub stripe_w: f64,
    pub stripe_amp: f32,
    pub stripes_along_y: bool,
    pub patch_amp: f32,
    pub line_w: f64,
    pub line_col: [f32; 3],
    pub track: [f32; 3],
    pub board_cols: [[f32; 3]; 4],
    pub crowd_cols: [[f32; 3]; 4],
    pub crowd_dark: f32,
    pub crowd_fill: f64,
    pub sky: [f32; 3],
    pub roof: [f32; 3],
    pub grain: f32,
    pub seed: u64,
    pub lighting: Lighting,
    pub defocus: bool,
}

/// Smooth lighting over the image plus an optional stadium shadow on the ground.
#[derive(Debug, Clone, Copy)]
pub struct Lighting {
    pub gain: f32,
    pub tint: [f32; 3],
    pub grad_x: f32,
    pub grad_y: f32,
    /// Ground shadow: points with y > y0 + slope * (x - x_mid) are shaded by `strength`.
    pub shadow: Option<(f64, f64, f32)>,
}

impl Lighting {
    /// Light multiplier at image position (u, v) for a ground point `g`.
    pub fn at(&self, u: f64, v: f64, w: f64, h: f64, g: Option<V2>) -> [f32; 3] {
        let grad =
            1.0 + self.grad_x * ((u / w) as f32 - 0.5) + self.grad_y * ((v / h) as f32 - 0.5);
        let mut k = self.gain * grad;
        if let (Some((y0, slope, strength)), Some(g)) = (self.shadow, g) {
            let d = g.y - (y0 + slope * (g.x - PITCH_LENGTH / 2.0));
            let m = clampf(0.5 + d / SHADOW_EDGE_M, 0.0, 1.0) as f32;
            k *= 1.0 - strength * m;
        }
        [k * self.tint[0], k * self.tint[1], k * self.tint[2]]
    }
}

/// HSV (all in [0, 1]) to RGB.
pub fn hsv(h: f64, s: f64, v: f64) -> [f32; 3] {
    let h6 = (h.rem_euclid(1.0)) * 6.0;
    let i = h6.floor();
    let f = h6 - i;
    let (p, q, t) = (v * (1.0 - s), v * (1.0 - f * s), v * (1.0 - (1.0 - f) * s));
    let (r, g, b) = match i as i32 {
        0 => (v, t, p),
        1 => (q, v, p),
        2 => (p, v, t),
        3 => (p, q, v),
        4 => (t, p, v),
        _ => (v, p, q),
    };
    [r as f32, g as f32, b as f32]
}

fn scale(c: [f32; 3], k: f32) -> [f32; 3] {
    [c[0] * k, c[1] * k, c[2] * k]
}

fn mix(a: [f32; 3], b: [f32; 3], t: f32) -> [f32; 3] {
    [
        a[0] + (b[0] - a[0]) * t,
        a[1] + (b[1] - a[1]) * t,
        a[2] + (b[2] - a[2]) * t,
    ]
}

impl Look {
    /// A random look. `wide` widens the ranges (training frames).
    pub fn random(rng: &mut Rng, wide: bool) -> Look {
        let spread = if wide { 1.6 } else { 1.0 };
        let grass = hsv(
            rng.range(0.24, 0.31),
            rng.range(0.45, 0.75),
            rng.range(0.42 - 0.1 * (spread - 1.0), 0.62),
        );
        let mut board_cols = [[0.0f32; 3]; 4];
        for c in board_cols.iter_mut() {
            *c = hsv(rng.unit(), rng.range(0.3, 1.0), rng.range(0.35, 0.95));
        }
        let mut crowd_cols = [[0.0f32; 3]; 4];
        for c in crowd_cols.iter_mut() {
            *c = hsv(rng.unit(), rng.range(0.0, 0.8), rng.range(0.15, 0.8));
        }
        let shadow = if rng.chance(0.3) {
            Some((
                rng.range(20.0, 60.0),
                rng.range(-0.3, 0.3),
                rng.range(0.25, 0.5) as f32,
            ))
        } else {
            None
        };
        let tint_amp = 0.04 * spread;
        let mut look = Look {
            grass,
            surround: scale(grass, rng.range(0.85, 0.97) as f32),
            stripe_w: rng.range(4.5, 6.5),
            stripe_amp: rng.range(0.03, 0.12) as f32,
            stripes_along_y: rng.chance(0.2),
            patch_amp: rng.range(0.02, 0.07) as f32,
            line_w: rng.range(0.1, 0.13),
            line_col: scale([0.97, 0.97, 0.95], rng.range(0.82, 1.0) as f32),
            track: hsv(rng.unit(), rng.range(0.0, 0.4), rng.range(0.2, 0.45)),
            board_cols,
            crowd_cols,
            crowd_dark: rng.range(0.1, 0.3) as f32,
            crowd_fill: rng.range(0.55, 0.95),
            sky: hsv(
                rng.range(0.55, 0.62),
                rng.range(0.05, 0.4),
                rng.range(0.6, 0.95),
            ),
            roof: hsv(rng.unit(), rng.range(0.0, 0.2), rng.range(0.1, 0.3)),
            grain: rng.range(0.005, 0.025) as f32,
            seed: rng.next_u64(),
            lighting: Lighting {
                gain: rng.range(1.0 - 0.12 * spread, 1.0 + 0.1 * spread) as f32,
                tint: [
                    rng.range(1.0 - tint_amp, 1.0 + tint_amp) as f32,
                    1.0,
                    rng.range(1.0 - tint_amp, 1.0 + tint_amp) as f32,
                ],
                grad_x: rng.range(-0.2, 0.2) as f32,
                grad_y: rng.range(-0.15, 0.15) as f32,
                shadow,
            },
            defocus: rng.chance(0.25),
        };
        // Evening games under floodlights: dark sky and roof, dimmer crowd.
        if rng.chance(P_NIGHT) {
            look.sky = hsv(
                rng.range(0.58, 0.68),
                rng.range(0.3, 0.7),
                rng.range(0.04, 0.15),
            );
            look.roof = scale(look.roof, NIGHT_DIM);
            for c in look.crowd_cols.iter_mut() {
                *c = scale(*c, NIGHT_DIM);
            }
        }
        look
    }
}

/// Side of the value-noise lattice (a power of two; coordinates wrap).
const LATTICE: usize = 256;
/// Odd multipliers that spread cell coordinates before mixing.
const CELL_K1: u64 = 0x9E37_79B9_7F4A_7C15;
const CELL_K2: u64 = 0xC2B2_AE3D_27D4_EB4F;

/// Cheap hash of a 2-D integer cell.
fn cell_hash(seed: u64, a: i64, b: i64) -> u64 {
    mix64(seed ^ (a as u64).wrapping_mul(CELL_K1) ^ (b as u64).wrapping_mul(CELL_K2))
}

/// Floor without a libm call (exact for |x| < 2^52; NaN gives 0).
fn fast_floor(x: f64) -> f64 {
    let t = x as i64 as f64;
    if t > x {
        t - 1.0
    } else {
        t
    }
}

/// Smooth value noise in [0, 1] from a wrapped random lattice of unit cells.
struct ValueNoise {
    vals: Vec<f32>,
}

impl ValueNoise {
    fn new(seed: u64) -> ValueNoise {
        let vals = (0..LATTICE * LATTICE)
            .map(|i| hash_unit(hash2(seed, i as u64)) as f32)
            .collect();
        ValueNoise { vals }
    }

    fn at(&self, x: f64, y: f64) -> f32 {
        let (xf, yf) = (fast_floor(x), fast_floor(y));
        let (fx, fy) = ((x - xf) as f32, (y - yf) as f32);
        let m = LATTICE - 1;
        let (ix, iy) = ((xf as i64 as usize) & m, (yf as i64 as usize) & m);
        let (ix1, iy1) = ((ix + 1) & m, (iy + 1) & m);
        let v = |a: usize, b: usize| self.vals.get(b * LATTICE + a).copied().unwrap_or(0.5);
        let (sx, sy) = (fx * fx * (3.0 - 2.0 * fx), fy * fy * (3.0 - 2.0 * fy));
        let top = v(ix, iy) + (v(ix1, iy) - v(ix, iy)) * sx;
        let bot = v(ix, iy1) + (v(ix1, iy1) - v(ix, iy1)) * sx;
        top + (bot - top) * sy
    }
}

/// Fraction of the pixel [-0.5, 0.5] covered by the band [d - hw, d + hw] (pixel units).
fn band_cover(d: f64, hw: f64) -> f64 {
    ((d + hw).min(0.5) - (d - hw).max(-0.5)).clamp(0.0, 1.0)
}

/// One straight marking, axis-aligned: horizontal if `along_x`.
#[derive(Clone, Copy)]
struct Seg {
    along_x: bool,
    at: f64,
    lo: f64,
    hi: f64,
}

/// A circle or arc marking; `keep` limits it to x > keep (or x < -keep for negative).
#[derive(Clone, Copy)]
struct Arc {
    c: V2,
    r: f64,
    x_min: f64,
    x_max: f64,
}

fn markings() -> (Vec<Seg>, Vec<Arc>, Vec<V2>) {
    let (l, w) = (PITCH_LENGTH, PITCH_WIDTH);
    let mut segs = vec![
        Seg {
            along_x: true,
            at: 0.0,
            lo: 0.0,
            hi: l,
        },
        Seg {
            along_x: true,
            at: w,
            lo: 0.0,
            hi: l,
        },
        Seg {
            along_x: false,
            at: 0.0,
            lo: 0.0,
            hi: w,
        },
        Seg {
            along_x: false,
            at: l,
            lo: 0.0,
            hi: w,
        },
        Seg {
            along_x: false,
            at: l / 2.0,
            lo: 0.0,
            hi: w,
        },
    ];
    for (x0, sgn) in [(0.0, 1.0), (l, -1.0)] {
        for (depth, width) in [
            (PENALTY_AREA_DEPTH, PENALTY_AREA_WIDTH),
            (GOAL_AREA_DEPTH, GOAL_AREA_WIDTH),
        ] {
            let (y0, y1) = (w / 2.0 - width / 2.0, w / 2.0 + width / 2.0);
            let x1 = x0 + sgn * depth;
            let (xa, xb) = if x0 < x1 { (x0, x1) } else { (x1, x0) };
            segs.push(Seg {
                along_x: true,
                at: y0,
                lo: xa,
                hi: xb,
            });
            segs.push(Seg {
                along_x: true,
                at: y1,
                lo: xa,
                hi: xb,
            });
            segs.push(Seg {
                along_x: false,
                at: x1,
                lo: y0,
                hi: y1,
            });
        }
    }
    let big = f64::MAX;
    let mut arcs = vec![
        Arc {
            c: v2(l / 2.0, w / 2.0),
            r: CENTRE_CIRCLE_R,
            x_min: -big,
            x_max: big,
        },
        Arc {
            c: v2(PENALTY_SPOT_DIST, w / 2.0),
            r: CENTRE_CIRCLE_R,
            x_min: PENALTY_AREA_DEPTH,
            x_max: big,
        },
        Arc {
            c: v2(l - PENALTY_SPOT_DIST, w / 2.0),
            r: CENTRE_CIRCLE_R,
            x_min: -big,
            x_max: l - PENALTY_AREA_DEPTH,
        },
    ];
    for (cx, cy) in [(0.0, 0.0), (l, 0.0), (0.0, w), (l, w)] {
        let (x_min, x_max) = if cx == 0.0 { (0.0, big) } else { (-big, l) };
        arcs.push(Arc {
            c: v2(cx, cy),
            r: CORNER_ARC_R,
            x_min,
            x_max,
        });
    }
    let spots = vec![
        v2(l / 2.0, w / 2.0),
        v2(PENALTY_SPOT_DIST, w / 2.0),
        v2(l - PENALTY_SPOT_DIST, w / 2.0),
    ];
    (segs, arcs, spots)
}

/// Renders backgrounds for one camera and look.
pub struct BackgroundRenderer<'a> {
    cam: &'a Camera,
    look: &'a Look,
    marks: Vec<Mark>,
    grid: MarkGrid,
    noise: ValueNoise,
}

impl<'a> BackgroundRenderer<'a> {
    pub fn new(cam: &'a Camera, look: &'a Look) -> Self {
        let (segs, arcs, spots) = markings();
        let marks: Vec<Mark> = segs
            .into_iter()
            .map(Mark::Seg)
            .chain(arcs.into_iter().map(Mark::Arc))
            .chain(spots.into_iter().map(Mark::Spot))
            .collect();
        let grid = MarkGrid::new(&marks);
        BackgroundRenderer {
            cam,
            look,
            marks,
            grid,
            noise: ValueNoise::new(look.seed),
        }
    }

    /// Render the full background into `out` (RGB8, w*h*3).
    pub fn render(&self, out: &mut [u8], w: usize, h: usize) {
        for (y, row) in out.chunks_exact_mut(w * 3).take(h).enumerate() {
            for (x, px) in row.chunks_exact_mut(3).enumerate() {
                let c = self.pixel(x as f64 + 0.5, y as f64 + 0.5, (x, y));
                px[0] = to_u8(c[0] * 255.0);
                px[1] = to_u8(c[1] * 255.0);
                px[2] = to_u8(c[2] * 255.0);
            }
        }
        if self.look.defocus {
            box_blur3(out, w, h);
        }
    }

    fn pixel(&self, u: f64, v: f64, xy: (usize, usize)) -> [f32; 3] {
        let cam = self.cam;
        let d = cam.ray(u, v);
        let c = cam.pos;
        let ground = if d.z < -1e-9 {
            let t = -c.z / d.z;
            Some(v2(c.x + t * d.x, c.y + t * d.y))
        } else {
            None
        };
        let grain = (hash_unit(cell_hash(self.look.seed, xy.0 as i64, xy.1 as i64)) as f32 - 0.5)
            * 2.0
            * self.look.grain;
        let light = self.look.lighting.at(u, v, cam.width, cam.height, ground);
        let base = match ground {
            Some(g) if g.y < BOARD_Y => self.grass(g, d),
            _ => self.beyond(d, ground),
        };
        [
            (base[0] + grain) * light[0],
            (base[1] + grain) * light[1],
            (base[2] + grain) * light[2],
        ]
    }

    /// Boards, track, stands or sky.
    fn beyond(&self, d: V3, ground: Option<V2>) -> [f32; 3] {
        let c = self.cam.pos;
        let look = self.look;
        if d.y > 1e-9 {
            let t = (BOARD_Y - c.y) / d.y;
            let z = c.z + t * d.z;
            if t > 0.0 && (0.0..=BOARD_HEIGHT).contains(&z) {
                return self.board(c.x + t * d.x, z);
            }
            // Stands: z = (y - STAND_Y) * slope.
            let den = d.y * STAND_SLOPE - d.z;
            if den.abs() > 1e-9 {
                let t = (c.z - (c.y - STAND_Y) * STAND_SLOPE) / den;
                let z = c.z + t * d.z;
                if t > 0.0 && (0.0..=STAND_TOP).contains(&z) {
                    if let Some(g) = ground {
                        if g.y < STAND_Y {
                            return look.track;
                        }
                    }
                    return self.crowd(c.x + t * d.x, z);
                }
            }
        }
        if let Some(g) = ground {
            if g.y < STAND_Y {
                return look.track;
            }
        }
        // Above the stands: roof edge then sky.
        let elev = d.z / (d.x * d.x + d.y * d.y).sqrt().max(1e-9);
        let k = clampf(elev * 4.0, 0.0, 1.0) as f32;
        mix(look.roof, look.sky, k)
    }

    fn board(&self, x: f64, z: f64) -> [f32; 3] {
        let panel = (x / BOARD_PANEL_M).floor();
        let ph = cell_hash(self.look.seed, panel as i64, 0);
        let col = self.look.board_cols[(ph % 4) as usize];
        let txt = self.look.board_cols[((ph >> 8) % 4) as usize];
        let fx = x / BOARD_PANEL_M - panel;
        let fz = z / BOARD_HEIGHT;
        // Pseudo-lettering: a band of blocks in the middle of the panel.
        let in_text = (0.25..0.75).contains(&fz) && (0.1..0.9).contains(&fx);
        let letter = (
            (fx * 24.0).floor() as i64 as u64,
            ((fz - 0.25) * 4.0).floor() as i64 as u64,
        );
        if in_text && hash_unit(cell_hash(ph, letter.0 as i64, letter.1 as i64)) < LETTER_FILL {
            let bright = if txt == col { scale(txt, 0.3) } else { txt };
            return mix(bright, [1.0; 3], 0.35);
        }
        col
    }

    fn crowd(&self, x: f64, z: f64) -> [f32; 3] {
        let look = self.look;
        let along = z / STAND_SLOPE * (1.0 + STAND_SLOPE * STAND_SLOPE).sqrt();
        let (cx, cy) = ((x / SEAT_W).floor(), (along / ROW_L).floor());
        let hsh = cell_hash(look.seed ^ CROWD_TAG, cx as i64, cy as i64);
        let fy = along / ROW_L - cy;
        let fx = x / SEAT_W - cx;
        let seat = scale(look.crowd_cols[0], 0.5);
        if hash_unit(hsh) > look.crowd_fill {
            return if fy < 0.3 { scale(seat, 0.6) } else { seat };
        }
        let person = look.crowd_cols[((hsh >> 12) % 4) as usize];
        let var = 0.6 + 0.8 * hash_unit(hsh >> 3) as f32;
        if fy > 0.68 && (0.3..0.7).contains(&fx) {
            // Head.
            return [0.55 * var, 0.4 * var, 0.3 * var];
        }
        if fy < 0.2 {
            return scale(person, look.crowd_dark);
        }
        scale(person, var)
    }

    fn grass(&self, g: V2, d: V3) -> [f32; 3] {
        let look = self.look;
        let cam = self.cam;
        // Ground footprint of one pixel step in u and v (Jacobian of the ground hit).
        let cz = cam.pos.z;
        let dz2 = d.z * d.z;
        let ju = (cam.right * d.z - d * cam.right.z) * (-cz / (cam.f * dz2));
        let jv = (cam.down * d.z - d * cam.down.z) * (-cz / (cam.f * dz2));
        let foot = |n: V2| -> f64 {
            let a = n.x * ju.x + n.y * ju.y;
            let b = n.x * jv.x + n.y * jv.y;
            (a * a + b * b).sqrt().max(MIN_FOOTPRINT)
        };
        let on_pitch = (0.0..=PITCH_LENGTH).contains(&g.x) && (0.0..=PITCH_WIDTH).contains(&g.y);
        let mut col = if on_pitch { look.grass } else { look.surround };
        // Mowing stripes, faded where a pixel covers several stripes.
        let (coord, n) = if look.stripes_along_y {
            (g.y, v2(0.0, 1.0))
        } else {
            (g.x, v2(1.0, 0.0))
        };
        let ph = coord / look.stripe_w;
        let k = fast_floor(ph);
        let frac = ph - k;
        let edge_m = frac.min(1.0 - frac) * look.stripe_w;
        let e = clampf(0.5 + edge_m / foot(n), 0.0, 1.0);
        let parity = if (k as i64).rem_euclid(2) == 0 {
            1.0
        } else {
            -1.0
        };
        let stripe = (parity * (2.0 * e - 1.0)) as f32 * look.stripe_amp;
        let patches = (self.noise.at(g.x / PATCH_SCALE_M, g.y / PATCH_SCALE_M) - 0.5) * 2.0;
        let fine = (self
            .noise
            .at(g.x / FINE_SCALE_M + FINE_SHIFT, g.y / FINE_SCALE_M)
            - 0.5)
            * 2.0;
        let fine_k = clampf(1.0 - foot(v2(1.0, 0.0)) / FINE_SCALE_M, 0.0, 1.0) as f32;
        let lum = 1.0 + stripe + look.patch_amp * patches + 0.5 * look.patch_amp * fine * fine_k;
        col = scale(col, lum);
        let cov = self.line_cover(g, &foot) as f32;
        if cov > 0.0 {
            col = mix(col, look.line_col, cov * (0.9 + 0.1 * patches.abs()));
        }
        col
    }

    /// Coverage of the pixel at ground point `g` by white markings.
    fn line_cover(&self, g: V2, foot: &dyn Fn(V2) -> f64) -> f64 {
        let mut mask = self.grid.mask(g);
        let mut cov: f64 = 0.0;
        while mask != 0 {
            let k = mask.trailing_zeros() as usize;
            mask &= mask - 1;
            if let Some((dist, n, hw)) = self
                .marks
                .get(k)
                .and_then(|m| m.distance(g, self.look.line_w))
            {
                if dist <= MARK_REACH_M {
                    let fp = foot(n);
                    cov = cov.max(band_cover(dist / fp, hw / fp));
                }
            }
        }
        cov
    }
}

/// Markings are only looked for this close (metres).
const MARK_REACH_M: f64 = 1.0;
/// Cell size of the marking lookup grid (metres) and its margin around the pitch.
const GRID_CELL_M: f64 = 1.0;
const GRID_MARGIN_M: f64 = 4.0;

/// Any marking.
#[derive(Clone, Copy)]
enum Mark {
    Seg(Seg),
    Arc(Arc),
    Spot(V2),
}

impl Mark {
    /// Distance from `g`, unit normal, and half width, or None where the mark does not apply.
    fn distance(&self, g: V2, line_w: f64) -> Option<(f64, V2, f64)> {
        let hw = line_w / 2.0;
        match *self {
            Mark::Seg(s) => {
                let (a, b) = if s.along_x { (g.y, g.x) } else { (g.x, g.y) };
                let off = a - s.at;
                let out = if b < s.lo {
                    b - s.lo
                } else if b > s.hi {
                    b - s.hi
                } else {
                    0.0
                };
                if out == 0.0 {
                    let n = if s.along_x {
                        v2(0.0, 1.0)
                    } else {
                        v2(1.0, 0.0)
                    };
                    Some((off.abs(), n, hw))
                } else {
                    let dv = if s.along_x {
                        v2(out, off)
                    } else {
                        v2(off, out)
                    };
                    Some((dv.len(), dv.norm(), hw))
                }
            }
            Mark::Arc(a) => {
                if g.x < a.x_min || g.x > a.x_max {
                    return None;
                }
                let dv = g - a.c;
                Some(((dv.len() - a.r).abs(), dv.norm(), hw))
            }
            Mark::Spot(c) => {
                let dv = g - c;
                Some((dv.len(), dv.norm(), SPOT_R))
            }
        }
    }
}

/// Which marks are near each ground cell (bit masks), so most pixels test none.
struct MarkGrid {
    nx: usize,
    ny: usize,
    masks: Vec<u64>,
}

impl MarkGrid {
    fn new(marks: &[Mark]) -> MarkGrid {
        let nx = ((PITCH_LENGTH + 2.0 * GRID_MARGIN_M) / GRID_CELL_M).ceil() as usize;
        let ny = ((PITCH_WIDTH + 2.0 * GRID_MARGIN_M) / GRID_CELL_M).ceil() as usize;
        let slack = MARK_REACH_M + GRID_CELL_M * std::f64::consts::FRAC_1_SQRT_2 + 0.2;
        let mut masks = vec![0u64; nx * ny];
        for (i, m) in masks.iter_mut().enumerate() {
            let c = v2(
                -GRID_MARGIN_M + ((i % nx) as f64 + 0.5) * GRID_CELL_M,
                -GRID_MARGIN_M + ((i / nx) as f64 + 0.5) * GRID_CELL_M,
            );
            for (k, mark) in marks.iter().enumerate().take(64) {
                // Arcs are clipped per pixel; test the full circle here.
                let d = match mark {
                    Mark::Arc(a) => Some(((c - a.c).len() - a.r).abs()),
                    other => other.distance(c, 0.0).map(|d| d.0),
                };
                if d.is_some_and(|d| d <= slack) {
                    *m |= 1 << k;
                }
            }
        }
        MarkGrid { nx, ny, masks }
    }

    fn mask(&self, g: V2) -> u64 {
        let fx = (g.x + GRID_MARGIN_M) / GRID_CELL_M;
        let fy = (g.y + GRID_MARGIN_M) / GRID_CELL_M;
        if !(fx >= 0.0 && fy >= 0.0) {
            return 0;
        }
        let (ix, iy) = (fx as usize, fy as usize);
        if ix >= self.nx || iy >= self.ny {
            return 0;
        }
        self.masks.get(iy * self.nx + ix).copied().unwrap_or(0)
    }
}

/// In-place 3x3 box blur (defocus), edges clamped.
pub fn box_blur3(px: &mut [u8], w: usize, h: usize) {
    if w < 3 || h < 3 || px.len() < w * h * 3 {
        return;
    }
    let src = px.to_vec();
    let at = |x: usize, y: usize, c: usize| u32::from(src[(y * w + x) * 3 + c]);
    for y in 0..h {
        let (ya, yb) = (y.saturating_sub(1), (y + 1).min(h - 1));
        for x in 0..w {
            let (xa, xb) = (x.saturating_sub(1), (x + 1).min(w - 1));
            for c in 0..3 {
                let s = at(xa, ya, c)
                    + at(x, ya, c)
                    + at(xb, ya, c)
                    + at(xa, y, c)
                    + 2 * at(x, y, c)
                    + at(xb, y, c)
                    + at(xa, yb, c)
                    + at(x, yb, c)
                    + at(xb, yb, c);
                px[(y * w + x) * 3 + c] = ((s + 5) / 10) as u8;
            }
        }
    }
}
