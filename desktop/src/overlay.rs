//! Drawing on packed RGB8 buffers: lines, polylines, rectangles, circles, markers, and text in
//! embedded-graphics' ISO 8859-1 6x10 mono font (scaled by whole pixels).
//!
//! Everything clips at the buffer's edges, so shapes may be given partly or wholly outside.
//! Coordinates are pixels as `f64` (the engine's frame pixels); thickness and font scale are
//! whole pixels.

use embedded_graphics::mono_font::iso_8859_1::FONT_6X10;
use embedded_graphics::mono_font::{MonoFont, MonoTextStyle};
use embedded_graphics::pixelcolor::BinaryColor;
use embedded_graphics::prelude::{DrawTarget, OriginDimensions, Pixel, Point, Size};
use embedded_graphics::text::{Baseline, Text};
use embedded_graphics::Drawable;

/// An RGB colour.
pub type Rgb = [u8; 3];

/// Bytes per RGB8 pixel.
pub const RGB_BYTES: usize = 3;
/// The text font.
const FONT: MonoFont<'static> = FONT_6X10;
/// Glyph cell height of the font, in font pixels.
pub const GLYPH_H: u32 = FONT.character_size.height;
/// Horizontal advance from one glyph to the next, in font pixels.
pub const GLYPH_ADVANCE: u32 = FONT.character_size.width + FONT.character_spacing;
/// Vertical advance between text lines, in font pixels.
pub const LINE_ADVANCE: u32 = GLYPH_H;

/// Common colours.
pub mod colors {
    use super::Rgb;
    pub const WHITE: Rgb = [255, 255, 255];
    pub const BLACK: Rgb = [0, 0, 0];
    pub const GREEN: Rgb = [40, 230, 60];
    pub const YELLOW: Rgb = [255, 215, 0];
    pub const RED: Rgb = [235, 40, 40];
    pub const CYAN: Rgb = [0, 220, 255];
    pub const ORANGE: Rgb = [255, 140, 0];
    pub const GRAY: Rgb = [128, 128, 128];
    pub const LIGHT_GRAY: Rgb = [220, 220, 220];
    pub const BLUE: Rgb = [40, 90, 230];
    pub const PURPLE: Rgb = [140, 60, 200];
}

/// A mutable view of a packed RGB8 image (`width * 3` bytes per row).
pub struct Canvas<'a> {
    data: &'a mut [u8],
    width: u32,
    height: u32,
}

impl<'a> Canvas<'a> {
    /// Wraps `data`; returns `None` when it is shorter than `width * height * 3` bytes.
    pub fn new(data: &'a mut [u8], width: u32, height: u32) -> Option<Canvas<'a>> {
        let needed = (width as usize)
            .checked_mul(height as usize)?
            .checked_mul(RGB_BYTES)?;
        (data.len() >= needed).then_some(Canvas {
            data,
            width,
            height,
        })
    }

    /// Width in pixels.
    pub fn width(&self) -> u32 {
        self.width
    }

    /// Height in pixels.
    pub fn height(&self) -> u32 {
        self.height
    }

    /// Sets one pixel; ignores pixels outside.
    pub fn put(&mut self, x: i64, y: i64, c: Rgb) {
        if x < 0 || y < 0 || x >= i64::from(self.width) || y >= i64::from(self.height) {
            return;
        }
        let i = (y as usize * self.width as usize + x as usize) * RGB_BYTES;
        self.data[i..i + RGB_BYTES].copy_from_slice(&c);
    }

    /// Mixes `c` into one pixel with opacity `alpha` (0..1).
    pub fn blend(&mut self, x: i64, y: i64, c: Rgb, alpha: f32) {
        if x < 0 || y < 0 || x >= i64::from(self.width) || y >= i64::from(self.height) {
            return;
        }
        let a = alpha.clamp(0.0, 1.0);
        let i = (y as usize * self.width as usize + x as usize) * RGB_BYTES;
        for (k, &channel) in c.iter().enumerate() {
            let old = f32::from(self.data[i + k]);
            self.data[i + k] = (old + (f32::from(channel) - old) * a).round() as u8;
        }
    }

    /// Fills the rectangle `[x0, x1) x [y0, y1)` (pixel indices, clipped).
    pub fn fill_rect(&mut self, x0: i64, y0: i64, x1: i64, y1: i64, c: Rgb) {
        let (x0, x1) = (x0.max(0), x1.min(i64::from(self.width)));
        let (y0, y1) = (y0.max(0), y1.min(i64::from(self.height)));
        for y in y0..y1 {
            for x in x0..x1 {
                self.put(x, y, c);
            }
        }
    }

    /// Darkens (or tints) the rectangle `[x0, x1) x [y0, y1)` with `c` at opacity `alpha`.
    pub fn shade_rect(&mut self, x0: i64, y0: i64, x1: i64, y1: i64, c: Rgb, alpha: f32) {
        let (x0, x1) = (x0.max(0), x1.min(i64::from(self.width)));
        let (y0, y1) = (y0.max(0), y1.min(i64::from(self.height)));
        for y in y0..y1 {
            for x in x0..x1 {
                self.blend(x, y, c, alpha);
            }
        }
    }

    /// A filled disc.
    pub fn fill_circle(&mut self, cx: f64, cy: f64, r: f64, c: Rgb) {
        if !(cx.is_finite() && cy.is_finite() && r.is_finite()) {
            return;
        }
        let r = r.max(0.5);
        let (x0, x1) = ((cx - r).floor() as i64, (cx + r).ceil() as i64);
        let (y0, y1) = ((cy - r).floor() as i64, (cy + r).ceil() as i64);
        for y in y0.max(0)..=y1.min(i64::from(self.height)) {
            for x in x0.max(0)..=x1.min(i64::from(self.width)) {
                let (dx, dy) = (x as f64 + 0.5 - cx, y as f64 + 0.5 - cy);
                if dx * dx + dy * dy <= r * r {
                    self.put(x, y, c);
                }
            }
        }
    }

    /// A ring of `thickness` pixels centred on radius `r`.
    pub fn circle(&mut self, cx: f64, cy: f64, r: f64, thickness: u32, c: Rgb) {
        if !(cx.is_finite() && cy.is_finite() && r.is_finite()) {
            return;
        }
        let half = f64::from(thickness.max(1)) / 2.0;
        let (outer, inner) = (r + half, (r - half).max(0.0));
        let (x0, x1) = ((cx - outer).floor() as i64, (cx + outer).ceil() as i64);
        let (y0, y1) = ((cy - outer).floor() as i64, (cy + outer).ceil() as i64);
        for y in y0.max(0)..=y1.min(i64::from(self.height)) {
            for x in x0.max(0)..=x1.min(i64::from(self.width)) {
                let (dx, dy) = (x as f64 + 0.5 - cx, y as f64 + 0.5 - cy);
                let d2 = dx * dx + dy * dy;
                if d2 <= outer * outer && d2 >= inner * inner {
                    self.put(x, y, c);
                }
            }
        }
    }

    /// A line segment of `thickness` pixels.
    pub fn line(&mut self, x0: f64, y0: f64, x1: f64, y1: f64, thickness: u32, c: Rgb) {
        if ![x0, y0, x1, y1].iter().all(|v| v.is_finite()) {
            return;
        }
        let (dx, dy) = (x1 - x0, y1 - y0);
        let steps = dx.abs().max(dy.abs()).ceil().max(1.0);
        // Guard against absurd coordinates far outside the canvas.
        let limit = f64::from(self.width.max(self.height)) * 8.0;
        if steps > limit {
            return;
        }
        let half = f64::from(thickness.max(1)) / 2.0;
        let n = steps as i64;
        for i in 0..=n {
            let t = i as f64 / steps;
            let (x, y) = (x0 + dx * t, y0 + dy * t);
            if thickness <= 1 {
                self.put(x.floor() as i64, y.floor() as i64, c);
            } else {
                let (xa, ya) = ((x - half).round() as i64, (y - half).round() as i64);
                let t = i64::from(thickness);
                self.fill_rect(xa, ya, xa + t, ya + t, c);
            }
        }
    }

    /// Connected segments through `points`.
    pub fn polyline(&mut self, points: &[(f64, f64)], thickness: u32, c: Rgb) {
        for pair in points.windows(2) {
            self.line(pair[0].0, pair[0].1, pair[1].0, pair[1].1, thickness, c);
        }
    }

    /// Dots every `gap` pixels along the segments through `points` (a dotted path).
    pub fn dotted_polyline(&mut self, points: &[(f64, f64)], gap: f64, radius: f64, c: Rgb) {
        let gap = gap.max(1.0);
        let mut carry = 0.0;
        for pair in points.windows(2) {
            let ((x0, y0), (x1, y1)) = (pair[0], pair[1]);
            let len = ((x1 - x0).powi(2) + (y1 - y0).powi(2)).sqrt();
            if !len.is_finite() || len > f64::from(self.width.max(self.height)) * 8.0 {
                return;
            }
            let mut s = carry;
            while s <= len {
                let t = if len > 0.0 { s / len } else { 0.0 };
                self.fill_circle(x0 + (x1 - x0) * t, y0 + (y1 - y0) * t, radius, c);
                s += gap;
            }
            carry = s - len;
        }
    }

    /// The outline of the rectangle at `(x, y)` of size `w` x `h`, `thickness` pixels inwards.
    pub fn rect(&mut self, x: f64, y: f64, w: f64, h: f64, thickness: u32, c: Rgb) {
        if ![x, y, w, h].iter().all(|v| v.is_finite()) {
            return;
        }
        let (x0, y0) = (x.round() as i64, y.round() as i64);
        let (x1, y1) = ((x + w).round() as i64, (y + h).round() as i64);
        let t = i64::from(thickness.max(1));
        self.fill_rect(x0, y0, x1, y0 + t, c);
        self.fill_rect(x0, y1 - t, x1, y1, c);
        self.fill_rect(x0, y0, x0 + t, y1, c);
        self.fill_rect(x1 - t, y0, x1, y1, c);
    }

    /// A dashed rectangle outline (dashes of `dash` pixels).
    pub fn dashed_rect(&mut self, x: f64, y: f64, w: f64, h: f64, dash: u32, c: Rgb) {
        if ![x, y, w, h].iter().all(|v| v.is_finite()) || w > 1e6 || h > 1e6 {
            return;
        }
        let dash = i64::from(dash.max(1));
        let (x0, y0) = (x.round() as i64, y.round() as i64);
        let (x1, y1) = ((x + w).round() as i64, (y + h).round() as i64);
        for px in x0..x1 {
            if (px - x0) / dash % 2 == 0 {
                self.put(px, y0, c);
                self.put(px, y1 - 1, c);
            }
        }
        for py in y0..y1 {
            if (py - y0) / dash % 2 == 0 {
                self.put(x0, py, c);
                self.put(x1 - 1, py, c);
            }
        }
    }

    /// An `x`-shaped cross of half-size `size`.
    pub fn cross(&mut self, x: f64, y: f64, size: f64, thickness: u32, c: Rgb) {
        self.line(x - size, y - size, x + size, y + size, thickness, c);
        self.line(x - size, y + size, x + size, y - size, thickness, c);
    }

    /// Text with its top-left corner at `(x, y)`, each font pixel drawn as `scale` x `scale`
    /// pixels; `\n` starts a new line. Characters outside ISO 8859-1 are drawn as `?`.
    pub fn text(&mut self, x: i64, y: i64, text: &str, scale: u32, c: Rgb) {
        let style = MonoTextStyle::new(&FONT, BinaryColor::On);
        let s = i64::from(scale.max(1));
        let mut target = Scaled {
            canvas: self,
            x,
            y,
            scale: s,
            color: c,
        };
        for (i, line) in text.split('\n').enumerate() {
            target.y = y + i as i64 * i64::from(LINE_ADVANCE) * s;
            // Drawing on a canvas cannot fail (Scaled's error type is Infallible).
            let _ =
                Text::with_baseline(line, Point::zero(), style, Baseline::Top).draw(&mut target);
        }
    }

    /// Text on a darkened box (readable on any background).
    pub fn label(&mut self, x: i64, y: i64, text: &str, scale: u32, c: Rgb) {
        let (w, h) = text_size(text, scale);
        let pad = i64::from(scale.max(1)) * 2;
        self.shade_rect(
            x - pad,
            y - pad,
            x + i64::from(w) + pad,
            y + i64::from(h) + pad,
            colors::BLACK,
            0.6,
        );
        self.text(x, y, text, scale, c);
    }
}

/// Size in pixels of `text` drawn at `scale` (multi-line aware).
pub fn text_size(text: &str, scale: u32) -> (u32, u32) {
    let s = scale.max(1);
    let lines: Vec<&str> = text.split('\n').collect();
    let longest = lines
        .iter()
        .map(|l| l.chars().count() as u32)
        .max()
        .unwrap_or(0);
    let w = longest * GLYPH_ADVANCE * s;
    let h = lines.len() as u32 * LINE_ADVANCE * s;
    (w, h)
}

/// The font's pixels drawn on a canvas from `(x, y)`, each as a `scale` x `scale` block.
struct Scaled<'c, 'a> {
    canvas: &'c mut Canvas<'a>,
    x: i64,
    y: i64,
    scale: i64,
    color: Rgb,
}

impl OriginDimensions for Scaled<'_, '_> {
    fn size(&self) -> Size {
        // The text may extend anywhere; the canvas clips.
        Size::new(u32::MAX, u32::MAX)
    }
}

impl DrawTarget for Scaled<'_, '_> {
    type Color = BinaryColor;
    type Error = std::convert::Infallible;

    fn draw_iter<I>(&mut self, pixels: I) -> Result<(), Self::Error>
    where
        I: IntoIterator<Item = Pixel<Self::Color>>,
    {
        for Pixel(p, on) in pixels {
            if on.is_on() {
                let px = self.x + i64::from(p.x) * self.scale;
                let py = self.y + i64::from(p.y) * self.scale;
                self.canvas
                    .fill_rect(px, py, px + self.scale, py + self.scale, self.color);
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_clip_at_the_edges() {
        let (w, h) = (20u32, 10u32);
        let mut buf = vec![0u8; (w * h) as usize * RGB_BYTES];
        let mut c = Canvas::new(&mut buf, w, h).unwrap();
        c.rect(-5.0, -5.0, 40.0, 40.0, 2, colors::WHITE);
        c.circle(0.0, 0.0, 50.0, 3, colors::RED);
        c.line(-100.0, 5.0, 100.0, 5.0, 3, colors::GREEN);
        c.text(15, 5, "HELLO 123", 2, colors::CYAN);
        c.fill_circle(f64::NAN, 1.0, 3.0, colors::RED);
        c.dotted_polyline(&[(0.0, 0.0), (19.0, 9.0)], 3.0, 1.0, colors::YELLOW);
        assert!(buf.iter().any(|&b| b != 0));
        assert!(Canvas::new(&mut [0u8; 5], 2, 2).is_none());
    }

    #[test]
    fn text_size_counts_lines() {
        // 6x10 cells: "AB" 2 * 6 = 12 wide, 10 high; two lines at scale 2: 2 * 12, 2 * 20.
        assert_eq!(text_size("AB", 1), (12, 10));
        assert_eq!(text_size("AB\nC", 2), (24, 40));
    }

    #[test]
    fn text_lands_inside_its_size() {
        let (w, h) = (40u32, 30u32);
        let mut buf = vec![0u8; (w * h) as usize * RGB_BYTES];
        let mut c = Canvas::new(&mut buf, w, h).unwrap();
        c.text(2, 3, "µs 1", 2, colors::WHITE);
        let (tw, th) = text_size("µs 1", 2);
        let lit: Vec<(u32, u32)> = (0..h)
            .flat_map(|y| (0..w).map(move |x| (x, y)))
            .filter(|&(x, y)| buf[((y * w + x) as usize) * RGB_BYTES] != 0)
            .collect();
        assert!(!lit.is_empty());
        assert!(lit
            .iter()
            .all(|&(x, y)| x >= 2 && x < 2 + tw && y >= 3 && y < 3 + th));
    }
}
