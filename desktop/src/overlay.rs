//! Drawing on packed RGB8 buffers: lines, polylines, rectangles, circles, markers and text in
//! a built-in 5x7 bitmap font (ASCII digits, letters, common punctuation).
//!
//! Everything clips at the buffer's edges, so shapes may be given partly or wholly outside.
//! Coordinates are pixels as `f64` (the engine's frame pixels); thickness and font scale are
//! whole pixels.

/// An RGB colour.
pub type Rgb = [u8; 3];

/// Bytes per RGB8 pixel.
pub const RGB_BYTES: usize = 3;
/// Glyph width of the bitmap font, in font pixels.
pub const GLYPH_W: u32 = 5;
/// Glyph height of the bitmap font, in font pixels.
pub const GLYPH_H: u32 = 7;
/// Horizontal advance from one glyph to the next, in font pixels.
pub const GLYPH_ADVANCE: u32 = GLYPH_W + 1;
/// Vertical advance between text lines, in font pixels.
pub const LINE_ADVANCE: u32 = GLYPH_H + 3;

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

    /// Text in the bitmap font with its top-left corner at `(x, y)`, each font pixel drawn as
    /// `scale` x `scale` pixels; `\n` starts a new line. Lower case is drawn as upper case.
    pub fn text(&mut self, x: i64, y: i64, text: &str, scale: u32, c: Rgb) {
        let s = i64::from(scale.max(1));
        let (mut cx, mut cy) = (x, y);
        for ch in text.chars() {
            if ch == '\n' {
                cx = x;
                cy += i64::from(LINE_ADVANCE) * s;
                continue;
            }
            let rows = glyph(ch);
            for (row, bits) in rows.iter().enumerate() {
                for col in 0..GLYPH_W {
                    if bits & (1 << (GLYPH_W - 1 - col)) != 0 {
                        let px = cx + i64::from(col) * s;
                        let py = cy + row as i64 * s;
                        self.fill_rect(px, py, px + s, py + s, c);
                    }
                }
            }
            cx += i64::from(GLYPH_ADVANCE) * s;
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
    let w = (longest * GLYPH_ADVANCE).saturating_sub(1) * s;
    let h = ((lines.len() as u32 - 1) * LINE_ADVANCE + GLYPH_H) * s;
    (w, h)
}

/// The 5x7 bitmap of `ch` (one byte per row, bit 4 = leftmost column).
fn glyph(ch: char) -> [u8; 7] {
    match ch.to_ascii_uppercase() {
        '0' => [0x0E, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0E],
        '1' => [0x04, 0x0C, 0x04, 0x04, 0x04, 0x04, 0x0E],
        '2' => [0x0E, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1F],
        '3' => [0x1F, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0E],
        '4' => [0x02, 0x06, 0x0A, 0x12, 0x1F, 0x02, 0x02],
        '5' => [0x1F, 0x10, 0x1E, 0x01, 0x01, 0x11, 0x0E],
        '6' => [0x06, 0x08, 0x10, 0x1E, 0x11, 0x11, 0x0E],
        '7' => [0x1F, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08],
        '8' => [0x0E, 0x11, 0x11, 0x0E, 0x11, 0x11, 0x0E],
        '9' => [0x0E, 0x11, 0x11, 0x0F, 0x01, 0x02, 0x0C],
        'A' => [0x0E, 0x11, 0x11, 0x1F, 0x11, 0x11, 0x11],
        'B' => [0x1E, 0x11, 0x11, 0x1E, 0x11, 0x11, 0x1E],
        'C' => [0x0E, 0x11, 0x10, 0x10, 0x10, 0x11, 0x0E],
        'D' => [0x1C, 0x12, 0x11, 0x11, 0x11, 0x12, 0x1C],
        'E' => [0x1F, 0x10, 0x10, 0x1E, 0x10, 0x10, 0x1F],
        'F' => [0x1F, 0x10, 0x10, 0x1E, 0x10, 0x10, 0x10],
        'G' => [0x0E, 0x11, 0x10, 0x17, 0x11, 0x11, 0x0F],
        'H' => [0x11, 0x11, 0x11, 0x1F, 0x11, 0x11, 0x11],
        'I' => [0x0E, 0x04, 0x04, 0x04, 0x04, 0x04, 0x0E],
        'J' => [0x07, 0x02, 0x02, 0x02, 0x02, 0x12, 0x0C],
        'K' => [0x11, 0x12, 0x14, 0x18, 0x14, 0x12, 0x11],
        'L' => [0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x1F],
        'M' => [0x11, 0x1B, 0x15, 0x15, 0x11, 0x11, 0x11],
        'N' => [0x11, 0x11, 0x19, 0x15, 0x13, 0x11, 0x11],
        'O' => [0x0E, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0E],
        'P' => [0x1E, 0x11, 0x11, 0x1E, 0x10, 0x10, 0x10],
        'Q' => [0x0E, 0x11, 0x11, 0x11, 0x15, 0x12, 0x0D],
        'R' => [0x1E, 0x11, 0x11, 0x1E, 0x14, 0x12, 0x11],
        'S' => [0x0F, 0x10, 0x10, 0x0E, 0x01, 0x01, 0x1E],
        'T' => [0x1F, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04],
        'U' => [0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0E],
        'V' => [0x11, 0x11, 0x11, 0x11, 0x11, 0x0A, 0x04],
        'W' => [0x11, 0x11, 0x11, 0x15, 0x15, 0x15, 0x0A],
        'X' => [0x11, 0x11, 0x0A, 0x04, 0x0A, 0x11, 0x11],
        'Y' => [0x11, 0x11, 0x11, 0x0A, 0x04, 0x04, 0x04],
        'Z' => [0x1F, 0x01, 0x02, 0x04, 0x08, 0x10, 0x1F],
        ' ' => [0; 7],
        '.' => [0, 0, 0, 0, 0, 0x0C, 0x0C],
        ',' => [0, 0, 0, 0, 0x0C, 0x04, 0x08],
        ':' => [0, 0x0C, 0x0C, 0, 0x0C, 0x0C, 0],
        ';' => [0, 0x0C, 0x0C, 0, 0x0C, 0x04, 0x08],
        '-' => [0, 0, 0, 0x1F, 0, 0, 0],
        '+' => [0, 0x04, 0x04, 0x1F, 0x04, 0x04, 0],
        '/' => [0, 0x01, 0x02, 0x04, 0x08, 0x10, 0],
        '%' => [0x18, 0x19, 0x02, 0x04, 0x08, 0x13, 0x03],
        '(' => [0x02, 0x04, 0x08, 0x08, 0x08, 0x04, 0x02],
        ')' => [0x08, 0x04, 0x02, 0x02, 0x02, 0x04, 0x08],
        '[' => [0x0E, 0x08, 0x08, 0x08, 0x08, 0x08, 0x0E],
        ']' => [0x0E, 0x02, 0x02, 0x02, 0x02, 0x02, 0x0E],
        '=' => [0, 0, 0x1F, 0, 0x1F, 0, 0],
        '_' => [0, 0, 0, 0, 0, 0, 0x1F],
        '#' => [0x0A, 0x0A, 0x1F, 0x0A, 0x1F, 0x0A, 0x0A],
        '<' => [0x02, 0x04, 0x08, 0x10, 0x08, 0x04, 0x02],
        '>' => [0x08, 0x04, 0x02, 0x01, 0x02, 0x04, 0x08],
        '\'' => [0x04, 0x04, 0x08, 0, 0, 0, 0],
        '"' => [0x0A, 0x0A, 0, 0, 0, 0, 0],
        '!' => [0x04, 0x04, 0x04, 0x04, 0x04, 0, 0x04],
        '*' => [0, 0x04, 0x15, 0x0E, 0x15, 0x04, 0],
        'µ' => [0, 0x11, 0x11, 0x11, 0x13, 0x1D, 0x10],
        _ => [0x0E, 0x11, 0x01, 0x02, 0x04, 0, 0x04],
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
        assert_eq!(text_size("AB", 1), (11, 7));
        assert_eq!(text_size("AB\nC", 2), (22, 34));
    }
}
