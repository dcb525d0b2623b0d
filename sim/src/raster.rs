//! Anti-aliased 2-D shapes (capsules, ellipses) and blending into RGB8 images.
//!
//! Every shape gives a coverage in [0, 1] per pixel (pixel centres at +0.5) with an edge ramp of
//! `soft` pixels; the same coverage is used for drawing and for occlusion bookkeeping.

use crate::math::sat;
use crate::noise::NoiseView;

/// Largest brightness change from the shading across a shape.
const SHADE_SIDE: f32 = 0.16;
/// Darkening towards the silhouette of a shape (fake roundness).
const SHADE_RIM: f32 = 0.22;
/// Extra pixels around a bounding box for the soft edge.
const BBOX_PAD: f32 = 1.5;

/// A shape in image pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Shape {
    /// Segment a-b thickened by radius r.
    Capsule { a: [f32; 2], b: [f32; 2], r: f32 },
    /// Ellipse with centre c, semi-axes (ax, ay), rotated by an angle given as (cos, sin).
    Ellipse {
        c: [f32; 2],
        ax: f32,
        ay: f32,
        cos: f32,
        sin: f32,
    },
}

/// Empty placeholder shape (covers nothing).
pub const NO_SHAPE: Shape = Shape::Capsule {
    a: [-1e6, -1e6],
    b: [-1e6, -1e6],
    r: 0.0,
};

/// A coloured shape.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Part {
    pub shape: Shape,
    pub color: [f32; 3],
}

/// Integer pixel rectangle [x0, x1) x [y0, y1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rect {
    pub x0: i32,
    pub y0: i32,
    pub x1: i32,
    pub y1: i32,
}

impl Rect {
    /// Rectangle covering the float box, padded for the soft edge.
    pub fn around(x0: f32, y0: f32, x1: f32, y1: f32, soft: f32) -> Rect {
        let pad = BBOX_PAD + soft;
        Rect {
            x0: to_i32((x0 - pad).floor()),
            y0: to_i32((y0 - pad).floor()),
            x1: to_i32((x1 + pad).ceil()),
            y1: to_i32((y1 + pad).ceil()),
        }
    }
    /// Intersection with another rectangle (may be empty).
    pub fn intersect(self, o: Rect) -> Rect {
        Rect {
            x0: self.x0.max(o.x0),
            y0: self.y0.max(o.y0),
            x1: self.x1.min(o.x1),
            y1: self.y1.min(o.y1),
        }
    }
    /// The image rectangle.
    pub fn image(w: usize, h: usize) -> Rect {
        Rect {
            x0: 0,
            y0: 0,
            x1: i32::try_from(w).unwrap_or(i32::MAX),
            y1: i32::try_from(h).unwrap_or(i32::MAX),
        }
    }
    /// Smallest rectangle holding both.
    pub fn union(self, o: Rect) -> Rect {
        Rect {
            x0: self.x0.min(o.x0),
            y0: self.y0.min(o.y0),
            x1: self.x1.max(o.x1),
            y1: self.y1.max(o.y1),
        }
    }
    pub fn is_empty(self) -> bool {
        self.x1 <= self.x0 || self.y1 <= self.y0
    }
    pub fn overlaps(self, o: Rect) -> bool {
        !self.intersect(o).is_empty()
    }
}

/// Float to i32 without panicking (saturating; NaN to 0).
pub fn to_i32(x: f32) -> i32 {
    x as i32
}

/// A shape with per-pixel constants precomputed.
#[derive(Clone, Copy)]
enum Prepared {
    Capsule {
        a: [f32; 2],
        ab: [f32; 2],
        inv_l2: f32,
        inv_lr: f32,
        r: f32,
        reach2: f32,
        thin: f32,
    },
    Ellipse {
        c: [f32; 2],
        iax: f32,
        iay: f32,
        cos: f32,
        sin: f32,
        minax: f32,
        thin: f32,
    },
}

impl Prepared {
    fn new(s: &Shape, soft: f32) -> Prepared {
        match *s {
            Shape::Capsule { a, b, r } => {
                let ab = [b[0] - a[0], b[1] - a[1]];
                let l2 = ab[0] * ab[0] + ab[1] * ab[1];
                let reach = r + soft;
                Prepared::Capsule {
                    a,
                    ab,
                    inv_l2: if l2 > 1e-9 { 1.0 / l2 } else { 0.0 },
                    inv_lr: 1.0 / (l2.sqrt().max(1e-6) * r.max(1e-3)),
                    r,
                    reach2: reach * reach,
                    thin: sat(2.0 * r),
                }
            }
            Shape::Ellipse {
                c,
                ax,
                ay,
                cos,
                sin,
            } => Prepared::Ellipse {
                c,
                iax: 1.0 / ax.max(1e-3),
                iay: 1.0 / ay.max(1e-3),
                cos,
                sin,
                minax: ax.min(ay),
                thin: sat(2.0 * ax.min(ay)),
            },
        }
    }

    /// Same as [`Shape::coverage`], faster.
    #[inline(always)]
    fn coverage(&self, x: f32, y: f32, inv_soft: f32) -> (f32, f32) {
        match *self {
            Prepared::Capsule {
                a,
                ab,
                inv_l2,
                inv_lr,
                r,
                reach2,
                thin,
            } => {
                let (apx, apy) = (x - a[0], y - a[1]);
                let t = sat((apx * ab[0] + apy * ab[1]) * inv_l2);
                let (dx, dy) = (apx - ab[0] * t, apy - ab[1] * t);
                let d2 = dx * dx + dy * dy;
                if d2 >= reach2 {
                    return (0.0, 0.0);
                }
                let cov = sat(0.5 - (d2.sqrt() - r) * inv_soft) * thin;
                (cov, (ab[0] * apy - ab[1] * apx) * inv_lr)
            }
            Prepared::Ellipse {
                c,
                iax,
                iay,
                cos,
                sin,
                minax,
                thin,
            } => {
                let (dx, dy) = (x - c[0], y - c[1]);
                let nx = (cos * dx + sin * dy) * iax;
                let ny = (-sin * dx + cos * dy) * iay;
                let rn = (nx * nx + ny * ny).sqrt();
                (sat(0.5 - (rn - 1.0) * minax * inv_soft) * thin, nx)
            }
        }
    }
}

impl Shape {
    /// An upright (unrotated) ellipse.
    pub fn ellipse(cx: f32, cy: f32, ax: f32, ay: f32) -> Shape {
        Shape::Ellipse {
            c: [cx, cy],
            ax: ax.max(1e-3),
            ay: ay.max(1e-3),
            cos: 1.0,
            sin: 0.0,
        }
    }

    /// Bounding rectangle including the soft edge.
    pub fn rect(&self, soft: f32) -> Rect {
        match *self {
            Shape::Capsule { a, b, r } => Rect::around(
                a[0].min(b[0]) - r,
                a[1].min(b[1]) - r,
                a[0].max(b[0]) + r,
                a[1].max(b[1]) + r,
                soft,
            ),
            Shape::Ellipse { c, ax, ay, .. } => {
                let m = ax.max(ay);
                Rect::around(c[0] - m, c[1] - m, c[0] + m, c[1] + m, soft)
            }
        }
    }

    /// Coverage at point (x, y) and a shading coordinate across the shape (-1 left .. 1 right).
    #[inline]
    pub fn coverage(&self, x: f32, y: f32, soft: f32) -> (f32, f32) {
        match *self {
            Shape::Capsule { a, b, r } => {
                let (abx, aby) = (b[0] - a[0], b[1] - a[1]);
                let (apx, apy) = (x - a[0], y - a[1]);
                let l2 = abx * abx + aby * aby;
                let t = if l2 > 1e-9 {
                    sat((apx * abx + apy * aby) / l2)
                } else {
                    0.0
                };
                let (dx, dy) = (apx - abx * t, apy - aby * t);
                let d = (dx * dx + dy * dy).sqrt();
                let thin = sat(2.0 * r);
                let cov = sat(0.5 - (d - r) / soft) * thin;
                let l = l2.sqrt().max(1e-6);
                let side = (abx * apy - aby * apx) / l / r.max(1e-3);
                (cov, side)
            }
            Shape::Ellipse {
                c,
                ax,
                ay,
                cos,
                sin,
            } => {
                let (dx, dy) = (x - c[0], y - c[1]);
                let lx = cos * dx + sin * dy;
                let ly = -sin * dx + cos * dy;
                let (nx, ny) = (lx / ax, ly / ay);
                let rn = (nx * nx + ny * ny).sqrt();
                let d = (rn - 1.0) * ax.min(ay);
                let thin = sat(2.0 * ax.min(ay));
                (sat(0.5 - d / soft) * thin, nx)
            }
        }
    }
}

/// An RGB8 image view, with the frame's noise field blended into everything drawn.
pub struct Canvas<'a> {
    pub px: &'a mut [u8],
    pub w: usize,
    pub h: usize,
    pub noise: Option<NoiseView<'a>>,
}

impl Canvas<'_> {
    /// Iterate the pixels of `rect` clipped to the image, calling
    /// `f(x, y, pixel, noise)` where `noise` is the frame noise of that pixel's channels.
    #[inline]
    fn for_each(&mut self, rect: Rect, mut f: impl FnMut(f32, f32, &mut [u8], [f32; 3])) {
        let r = rect.intersect(Rect::image(self.w, self.h));
        if r.is_empty() {
            return;
        }
        let noise = self.noise;
        for y in r.y0..r.y1 {
            let row = y as usize * self.w * 3;
            for x in r.x0..r.x1 {
                let i = row + x as usize * 3;
                let n = match noise {
                    Some(nv) => {
                        let b = x as usize * 3;
                        [
                            nv.at(y as usize, b),
                            nv.at(y as usize, b + 1),
                            nv.at(y as usize, b + 2),
                        ]
                    }
                    None => [0.0; 3],
                };
                if let Some(p) = self.px.get_mut(i..i + 3) {
                    f(x as f32 + 0.5, y as f32 + 0.5, p, n);
                }
            }
        }
    }

    /// Paint a shaded part; `light` multiplies the colour (lighting and tint).
    pub fn draw_part(&mut self, part: &Part, soft: f32, light: [f32; 3]) {
        let col = [
            part.color[0] * light[0] * 255.0,
            part.color[1] * light[1] * 255.0,
            part.color[2] * light[2] * 255.0,
        ];
        let shape = Prepared::new(&part.shape, soft);
        let inv_soft = 1.0 / soft.max(1e-3);
        self.for_each(part.shape.rect(soft), |x, y, p, n| {
            let (cov, s) = shape.coverage(x, y, inv_soft);
            if cov <= 0.0 {
                return;
            }
            let s = s.clamp(-1.0, 1.0);
            let lum = 1.0 - SHADE_SIDE * s - SHADE_RIM * s * s;
            for k in 0..3 {
                let old = f32::from(p[k]);
                p[k] = to_u8(old + (col[k] * lum + n[k] - old) * cov);
            }
        });
    }

    /// Darken under a shape (shadows): pixel *= 1 - strength * coverage.
    pub fn darken(&mut self, shape: &Shape, soft: f32, strength: f32) {
        let prepared = Prepared::new(shape, soft);
        let inv_soft = 1.0 / soft.max(1e-3);
        self.for_each(shape.rect(soft), |x, y, p, _| {
            let (cov, _) = prepared.coverage(x, y, inv_soft);
            if cov <= 0.0 {
                return;
            }
            let k = 1.0 - strength * cov;
            for c in p.iter_mut() {
                *c = to_u8(f32::from(*c) * k);
            }
        });
    }

    /// Blend premultiplied colour `rgb` (0..255 scale) with coverage `alpha` at pixel (x, y).
    #[inline]
    pub fn blend_premul(&mut self, x: i32, y: i32, alpha: f32, rgb: [f32; 3]) {
        if x < 0 || y < 0 || x as usize >= self.w || y as usize >= self.h {
            return;
        }
        let i = (y as usize * self.w + x as usize) * 3;
        let b = x as usize * 3;
        let n = match self.noise {
            Some(nv) => [
                nv.at(y as usize, b),
                nv.at(y as usize, b + 1),
                nv.at(y as usize, b + 2),
            ],
            None => [0.0; 3],
        };
        if let Some(p) = self.px.get_mut(i..i + 3) {
            for k in 0..3 {
                p[k] = to_u8(f32::from(p[k]) * (1.0 - alpha) + rgb[k] + n[k] * alpha);
            }
        }
    }
}

/// Round and clamp to a byte.
#[inline]
pub fn to_u8(x: f32) -> u8 {
    (x + 0.5).clamp(0.0, 255.0) as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capsule_covers_inside_not_outside() {
        let s = Shape::Capsule {
            a: [10.0, 10.0],
            b: [10.0, 30.0],
            r: 4.0,
        };
        assert!((s.coverage(10.0, 20.0, 1.0).0 - 1.0).abs() < 1e-6);
        assert_eq!(s.coverage(20.0, 20.0, 1.0).0, 0.0);
        let e = Shape::ellipse(5.0, 5.0, 3.0, 2.0);
        assert!(e.coverage(5.0, 5.0, 1.0).0 > 0.99);
        assert_eq!(e.coverage(9.5, 5.0, 1.0).0, 0.0);
    }

    #[test]
    fn prepared_matches_shape() {
        let shapes = [
            Shape::Capsule {
                a: [3.0, 4.0],
                b: [20.0, 30.0],
                r: 2.5,
            },
            Shape::Capsule {
                a: [3.0, 4.0],
                b: [3.0, 4.0],
                r: 0.3,
            },
            Shape::Ellipse {
                c: [10.0, 12.0],
                ax: 6.0,
                ay: 3.0,
                cos: 0.8,
                sin: 0.6,
            },
        ];
        for s in shapes {
            let p = Prepared::new(&s, 1.5);
            for y in 0..40 {
                for x in 0..40 {
                    let (a, sa) = s.coverage(x as f32 + 0.5, y as f32 + 0.5, 1.5);
                    let (b, sb) = p.coverage(x as f32 + 0.5, y as f32 + 0.5, 1.0 / 1.5);
                    assert!((a - b).abs() < 1e-4, "{s:?} at {x},{y}: {a} vs {b}");
                    if a > 0.0 {
                        assert!((sa - sb).abs() < 1e-3);
                    }
                }
            }
        }
    }

    #[test]
    fn drawing_outside_is_harmless() {
        let mut px = vec![0u8; 4 * 4 * 3];
        let mut c = Canvas {
            px: &mut px,
            w: 4,
            h: 4,
            noise: None,
        };
        let part = Part {
            shape: Shape::ellipse(-100.0, 1e9, 3.0, 3.0),
            color: [1.0; 3],
        };
        c.draw_part(&part, 1.0, [1.0; 3]);
        c.darken(&NO_SHAPE, 1.0, 0.5);
        c.blend_premul(-1, 2, 1.0, [255.0; 3]);
        assert!(px.iter().all(|&p| p == 0));
    }
}
