//! The ball as seen in the image: a shaded sphere with dark patches that turn as it rolls,
//! motion blur along its image velocity, and the visible-fraction bookkeeping.

use crate::background::hsv;
use crate::math::sat;
use crate::raster::{Canvas, Part, Rect};
use crate::rng::Rng;

/// Most sub-positions averaged for motion blur.
const MAX_BLUR_SAMPLES: usize = 48;
/// Blur shorter than this (pixels) is not sampled.
const MIN_BLUR_PX: f32 = 0.75;
/// Ambient and diffuse shading of the sphere.
const AMBIENT: f32 = 0.55;
const DIFFUSE: f32 = 0.5;
/// Angular radius (cosine) of a patch on the sphere.
const PATCH_COS: f32 = 0.95;
/// Golden ratio, for the icosahedron patch directions.
const PHI: f32 = 1.618_034;
/// Balls smaller than this (pixels) show no patches.
const MIN_PATCH_RADIUS: f32 = 2.5;

/// Colours and lighting of one ball.
#[derive(Debug, Clone, Copy)]
pub struct BallLook {
    pub base: [f32; 3],
    pub patch: [f32; 3],
    /// Light direction in view space (x right, y down, z towards the camera), normalised.
    pub light: [f32; 3],
    pub patches: bool,
    pub spin_offset: f32,
}

impl BallLook {
    /// A random ball look: mostly white with dark patches, sometimes coloured.
    pub fn random(rng: &mut Rng) -> BallLook {
        let white = rng.range(0.88, 1.0) as f32;
        let base = if rng.chance(0.1) {
            hsv(
                rng.range(0.1, 0.17),
                rng.range(0.5, 0.9),
                rng.range(0.88, 1.0),
            )
        } else {
            [white, white, white * rng.range(0.95, 1.0) as f32]
        };
        let patch = hsv(rng.unit(), rng.range(0.0, 0.9), rng.range(0.05, 0.45));
        let (lx, ly) = (rng.range(-0.6, 0.6) as f32, rng.range(-0.9, -0.3) as f32);
        let lz = 0.7f32;
        let n = (lx * lx + ly * ly + lz * lz).sqrt();
        BallLook {
            base,
            patch,
            light: [lx / n, ly / n, lz / n],
            patches: rng.chance(0.85),
            spin_offset: rng.range(0.0, std::f64::consts::TAU) as f32,
        }
    }
}

/// A ball's disc in the image for one frame.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BallImage {
    pub cx: f32,
    pub cy: f32,
    pub r: f32,
    /// Image displacement during the exposure (pixels), centred on (cx, cy).
    pub blur: [f32; 2],
    /// Rotation angle (radians) of the patches.
    pub spin: f32,
}

fn icosa() -> [[f32; 3]; 12] {
    let n = (1.0 + PHI * PHI).sqrt();
    let (a, b) = (1.0 / n, PHI / n);
    [
        [0.0, a, b],
        [0.0, a, -b],
        [0.0, -a, b],
        [0.0, -a, -b],
        [a, b, 0.0],
        [a, -b, 0.0],
        [-a, b, 0.0],
        [-a, -b, 0.0],
        [b, 0.0, a],
        [b, 0.0, -a],
        [-b, 0.0, a],
        [-b, 0.0, -a],
    ]
}

impl BallImage {
    fn samples(&self) -> usize {
        let len = (self.blur[0] * self.blur[0] + self.blur[1] * self.blur[1]).sqrt();
        if len.is_nan() || len < MIN_BLUR_PX {
            1
        } else {
            ((len.ceil() as usize) + 1).min(MAX_BLUR_SAMPLES)
        }
    }

    fn sample_centre(&self, k: usize, n: usize) -> (f32, f32) {
        if n <= 1 {
            return (self.cx, self.cy);
        }
        let t = k as f32 / (n - 1) as f32 - 0.5;
        (self.cx + t * self.blur[0], self.cy + t * self.blur[1])
    }

    /// Pixels the (blurred) ball may touch, unclipped.
    pub fn rect(&self, soft: f32) -> Rect {
        let (bx, by) = (self.blur[0].abs() / 2.0, self.blur[1].abs() / 2.0);
        Rect::around(
            self.cx - self.r - bx,
            self.cy - self.r - by,
            self.cx + self.r + bx,
            self.cy + self.r + by,
            soft,
        )
    }

    /// Coverage of pixel centre (x, y) by the blurred disc.
    #[inline]
    pub fn alpha(&self, x: f32, y: f32, soft: f32) -> f32 {
        let n = self.samples();
        let r = self.r.max(1e-3);
        let thin = sat(2.0 * r);
        let mut acc = 0.0;
        for k in 0..n {
            let (sx, sy) = self.sample_centre(k, n);
            let d = ((x - sx) * (x - sx) + (y - sy) * (y - sy)).sqrt();
            acc += sat(0.5 - (d - r) / soft);
        }
        acc / n as f32 * thin
    }

    /// Draw the ball with its look; `light` multiplies the colour.
    pub fn draw(&self, canvas: &mut Canvas, look: &BallLook, soft: f32, light: [f32; 3]) {
        let rect = self.rect(soft).intersect(Rect::image(canvas.w, canvas.h));
        if rect.is_empty() {
            return;
        }
        let n = self.samples();
        let r = self.r.max(1e-3);
        let thin = sat(2.0 * r);
        let dirs = icosa();
        let (ss, cs) = (self.spin + look.spin_offset).sin_cos();
        let patches = look.patches && r >= MIN_PATCH_RADIUS;
        for y in rect.y0..rect.y1 {
            for x in rect.x0..rect.x1 {
                let (px, py) = (x as f32 + 0.5, y as f32 + 0.5);
                let mut acc_a = 0.0f32;
                let mut acc = [0.0f32; 3];
                for k in 0..n {
                    let (sx, sy) = self.sample_centre(k, n);
                    let (dx, dy) = ((px - sx) / r, (py - sy) / r);
                    let d2 = dx * dx + dy * dy;
                    let cov = sat(0.5 - (d2.sqrt() - 1.0) * r / soft);
                    if cov <= 0.0 {
                        continue;
                    }
                    let nz = (1.0 - d2.min(1.0)).sqrt();
                    let ndl = dx * look.light[0] + dy * look.light[1] + nz * look.light[2];
                    let shade = AMBIENT + DIFFUSE * ndl.max(0.0);
                    let mut col = look.base;
                    if patches {
                        // Spin about the image vertical axis.
                        let (rx, rz) = (dx * cs + nz * ss, -dx * ss + nz * cs);
                        if dirs
                            .iter()
                            .any(|p| rx * p[0] + dy * p[1] + rz * p[2] > PATCH_COS)
                        {
                            col = look.patch;
                        }
                    }
                    for c in 0..3 {
                        acc[c] += col[c] * shade * cov;
                    }
                    acc_a += cov;
                }
                if acc_a <= 0.0 {
                    continue;
                }
                let inv = thin / n as f32;
                let rgb = [
                    acc[0] * inv * light[0] * 255.0,
                    acc[1] * inv * light[1] * 255.0,
                    acc[2] * inv * light[2] * 255.0,
                ];
                canvas.blend_premul(x, y, acc_a * inv, rgb);
            }
        }
    }

    /// Share of the ball's coverage that is inside a `w` x `h` image and not covered by
    /// `occluders` (drawn in front of it).
    pub fn visible_fraction<'a>(
        &self,
        soft: f32,
        w: usize,
        h: usize,
        occluders: impl Iterator<Item = &'a Part> + Clone,
    ) -> f32 {
        let rect = self.rect(soft);
        let img = Rect::image(w, h);
        // Only occluders touching the ball's rectangle matter.
        let mut total = 0.0f64;
        let mut seen = 0.0f64;
        let width = i64::from(rect.x1) - i64::from(rect.x0);
        let height = i64::from(rect.y1) - i64::from(rect.y0);
        if width <= 0 || height <= 0 || width * height > MAX_VIS_PIXELS {
            return 0.0;
        }
        for y in rect.y0..rect.y1 {
            for x in rect.x0..rect.x1 {
                let (px, py) = (x as f32 + 0.5, y as f32 + 0.5);
                let a = self.alpha(px, py, soft);
                if a <= 0.0 {
                    continue;
                }
                total += f64::from(a);
                if x < img.x0 || y < img.y0 || x >= img.x1 || y >= img.y1 {
                    continue;
                }
                let mut occ = 0.0f32;
                for p in occluders.clone() {
                    occ = occ.max(p.shape.coverage(px, py, soft).0);
                    if occ >= 1.0 {
                        break;
                    }
                }
                seen += f64::from(a * (1.0 - occ));
            }
        }
        if total <= 0.0 {
            0.0
        } else {
            (seen / total).clamp(0.0, 1.0) as f32
        }
    }
}

/// Largest ball rectangle (pixels) evaluated for visibility; bigger means absurd input.
const MAX_VIS_PIXELS: i64 = 4_000_000;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::raster::Shape;

    fn ball(cx: f32, cy: f32) -> BallImage {
        BallImage {
            cx,
            cy,
            r: 5.0,
            blur: [0.0, 0.0],
            spin: 0.0,
        }
    }

    #[test]
    fn fully_visible_and_hidden() {
        let none: [Part; 0] = [];
        assert!((ball(50.0, 50.0).visible_fraction(1.0, 100, 100, none.iter()) - 1.0).abs() < 1e-6);
        let cover = [Part {
            shape: Shape::ellipse(50.0, 50.0, 20.0, 20.0),
            color: [0.0; 3],
        }];
        assert!(ball(50.0, 50.0).visible_fraction(1.0, 100, 100, cover.iter()) < 1e-6);
        let half = ball(0.0, 50.0).visible_fraction(1.0, 100, 100, none.iter());
        assert!((half - 0.5).abs() < 0.05, "{half}");
    }

    #[test]
    fn blur_keeps_area() {
        let mut b = ball(50.0, 50.0);
        let a0: f32 = (0..100)
            .flat_map(|y| (0..100).map(move |x| (x, y)))
            .map(|(x, y)| b.alpha(x as f32 + 0.5, y as f32 + 0.5, 1.0))
            .sum();
        b.blur = [12.0, 3.0];
        let a1: f32 = (0..100)
            .flat_map(|y| (0..100).map(move |x| (x, y)))
            .map(|(x, y)| b.alpha(x as f32 + 0.5, y as f32 + 0.5, 1.0))
            .sum();
        assert!((a0 - a1).abs() / a0 < 0.02);
    }
}
