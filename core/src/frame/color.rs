//! BT.601 colour conversion, both ways, full and limited range: the one implementation that the
//! converter's hot loop, the synthetic renderer's camera formats (ballcam-sim), the desktop's
//! Y4M reader and writer and the tests all call.
//!
//! The matrix is defined by the luma weights [`KR`], [`KG`], [`KB`]; the colour-difference
//! coefficients ([`R_CR`], [`G_CB`], [`G_CR`], [`B_CB`]) follow from them. Two ranges:
//! [`ColorRange::Limited`] (video range: Y in 16..235, chroma in 16..240) and
//! [`ColorRange::Full`] (JFIF: everything in 0..255).
//!
//! Two numeric forms of the same matrix:
//! - [`YuvToRgb`] (decode) and [`RgbToYuv::ycbcr`] / [`RgbToYuv::luma_code`] /
//!   [`RgbToYuv::chroma_code`] (encode) in `f32`, for the converter and the Y4M streams;
//! - [`RgbToYuv::luma`] / [`RgbToYuv::chroma`]: the same encode in 8.8 fixed point (the
//!   integer arithmetic of camera ISPs and libyuv), which the synthetic renderer uses for its
//!   NV21/NV12/I420 frames. Its coefficients are the `f32` ones scaled by 256 and rounded; the
//!   unit tests check that.

use super::ColorRange;

/// BT.601 luma weight of red.
pub const KR: f32 = 0.299;
/// BT.601 luma weight of green (`1 - KR - KB`).
pub const KG: f32 = 0.587;
/// BT.601 luma weight of blue.
pub const KB: f32 = 0.114;
/// R = Y + `R_CR` * Cr (`2 * (1 - KR)`).
pub const R_CR: f32 = 1.402;
/// G = Y - `G_CB` * Cb - `G_CR` * Cr (`G_CB = 2 * KB * (1 - KB) / KG`).
pub const G_CB: f32 = 0.344_136;
/// G = Y - `G_CB` * Cb - `G_CR` * Cr (`G_CR = 2 * KR * (1 - KR) / KG`).
pub const G_CR: f32 = 0.714_136;
/// B = Y + `B_CB` * Cb (`2 * (1 - KB)`).
pub const B_CB: f32 = 1.772;
/// Largest 8-bit sample value.
pub const MAX_SAMPLE: f32 = 255.0;
/// Luma offset of limited (video) range.
pub const LIMITED_Y_OFFSET: f32 = 16.0;
/// Luma excursion of limited range (16..235).
pub const LIMITED_Y_EXCURSION: f32 = 219.0;
/// Chroma excursion of limited range (16..240).
pub const LIMITED_C_EXCURSION: f32 = 224.0;
/// Chroma value that means "no colour".
pub const CHROMA_ZERO: f32 = 128.0;

/// Fractional bits of the fixed-point encoder.
const FIXED_SHIFT: u32 = 8;
/// Half of one fixed-point unit: rounds to nearest before the shift.
const FIXED_ROUND: i32 = 1 << (FIXED_SHIFT - 1);
/// [`CHROMA_ZERO`] as an integer.
const CHROMA_ZERO_I: i32 = 128;
/// [`LIMITED_Y_OFFSET`] as an integer.
const LIMITED_Y_OFFSET_I: i32 = 16;
/// Largest 8-bit sample value as an integer.
const MAX_SAMPLE_I: i32 = 255;

/// Fixed-point (8.8) RGB → Y, Cb, Cr rows: `round(256 * coefficient * excursion / 255)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct FixedMatrix {
    y: [i32; 3],
    cb: [i32; 3],
    cr: [i32; 3],
    y_offset: i32,
}

/// Limited range: `256 * 219/255 * (KR, KG, KB)` and `256 * 224/255 * (Cb, Cr rows)`.
const LIMITED_FIXED: FixedMatrix = FixedMatrix {
    y: [66, 129, 25],
    cb: [-38, -74, 112],
    cr: [112, -94, -18],
    y_offset: LIMITED_Y_OFFSET_I,
};

/// Full range: `256 * (KR, KG, KB)` and `256 * (Cb, Cr rows)`.
const FULL_FIXED: FixedMatrix = FixedMatrix {
    y: [77, 150, 29],
    cb: [-43, -85, 128],
    cr: [128, -107, -21],
    y_offset: 0,
};

/// `(luma offset, luma gain, chroma gain)` of a range: code = offset + analog / gain.
fn range_gains(range: ColorRange) -> (f32, f32, f32) {
    match range {
        ColorRange::Limited => (
            LIMITED_Y_OFFSET,
            MAX_SAMPLE / LIMITED_Y_EXCURSION,
            MAX_SAMPLE / LIMITED_C_EXCURSION,
        ),
        ColorRange::Full => (0.0, 1.0, 1.0),
    }
}

/// BT.601 YUV → RGB for one range (`f32`; the converter's per-pixel step).
#[derive(Debug, Clone, Copy)]
pub struct YuvToRgb {
    y_offset: f32,
    y_gain: f32,
    c_gain: f32,
}

impl YuvToRgb {
    /// The decoder of `range`.
    pub fn new(range: ColorRange) -> YuvToRgb {
        let (y_offset, y_gain, c_gain) = range_gains(range);
        YuvToRgb {
            y_offset,
            y_gain,
            c_gain,
        }
    }

    /// R, G, B in 0..255 (clamped, not rounded) of Y, U (Cb), V (Cr) codes in 0..255.
    #[inline(always)]
    pub fn convert(&self, y: f32, u: f32, v: f32) -> [f32; 3] {
        let luma = (y - self.y_offset) * self.y_gain;
        let cb = (u - CHROMA_ZERO) * self.c_gain;
        let cr = (v - CHROMA_ZERO) * self.c_gain;
        [
            (luma + R_CR * cr).clamp(0.0, MAX_SAMPLE),
            (luma - G_CB * cb - G_CR * cr).clamp(0.0, MAX_SAMPLE),
            (luma + B_CB * cb).clamp(0.0, MAX_SAMPLE),
        ]
    }

    /// RGB8 (rounded) of 8-bit Y, U, V.
    #[inline]
    pub fn rgb(&self, y: u8, u: u8, v: u8) -> [u8; 3] {
        self.convert(f32::from(y), f32::from(u), f32::from(v))
            .map(to_u8)
    }
}

/// Rounds a sample in 0..255 to `u8`.
#[inline(always)]
pub fn to_u8(value: f32) -> u8 {
    (value + 0.5) as u8
}

/// RGB8 of one 8-bit Y, U, V sample of `range`.
pub fn rgb_from_yuv(y: u8, u: u8, v: u8, range: ColorRange) -> [u8; 3] {
    YuvToRgb::new(range).rgb(y, u, v)
}

/// BT.601 RGB → YUV for one range.
#[derive(Debug, Clone, Copy)]
pub struct RgbToYuv {
    fixed: FixedMatrix,
    y_offset: f32,
    y_gain: f32,
    c_gain: f32,
}

impl RgbToYuv {
    /// The encoder of `range`.
    pub fn new(range: ColorRange) -> RgbToYuv {
        let (y_offset, y_gain, c_gain) = range_gains(range);
        let fixed = match range {
            ColorRange::Limited => LIMITED_FIXED,
            ColorRange::Full => FULL_FIXED,
        };
        RgbToYuv {
            fixed,
            y_offset,
            y_gain,
            c_gain,
        }
    }

    /// 8-bit Y of an RGB8 pixel (fixed point).
    #[inline]
    pub fn luma(&self, r: u8, g: u8, b: u8) -> u8 {
        let y = fixed_dot(self.fixed.y, r, g, b) + self.fixed.y_offset;
        y.clamp(0, MAX_SAMPLE_I) as u8
    }

    /// 8-bit U (Cb), V (Cr) of an RGB8 pixel (fixed point).
    #[inline]
    pub fn chroma(&self, r: u8, g: u8, b: u8) -> (u8, u8) {
        let u = fixed_dot(self.fixed.cb, r, g, b) + CHROMA_ZERO_I;
        let v = fixed_dot(self.fixed.cr, r, g, b) + CHROMA_ZERO_I;
        (
            u.clamp(0, MAX_SAMPLE_I) as u8,
            v.clamp(0, MAX_SAMPLE_I) as u8,
        )
    }

    /// Analog Y (0..255), Cb and Cr (-127.5..127.5) of an RGB sample in 0..255 (`f32`).
    #[inline]
    pub fn ycbcr(r: f32, g: f32, b: f32) -> [f32; 3] {
        let y = KR * r + KG * g + KB * b;
        [y, (b - y) / B_CB, (r - y) / R_CR]
    }

    /// The 8-bit code of an analog luma from [`RgbToYuv::ycbcr`] (rounded, clamped).
    #[inline]
    pub fn luma_code(&self, y: f32) -> u8 {
        (self.y_offset + y / self.y_gain)
            .round()
            .clamp(0.0, MAX_SAMPLE) as u8
    }

    /// The 8-bit code of an analog Cb or Cr from [`RgbToYuv::ycbcr`] (rounded, clamped).
    #[inline]
    pub fn chroma_code(&self, c: f32) -> u8 {
        (CHROMA_ZERO + c / self.c_gain)
            .round()
            .clamp(0.0, MAX_SAMPLE) as u8
    }
}

/// One fixed-point row of the matrix applied to an RGB8 pixel, rounded and shifted.
#[inline(always)]
fn fixed_dot(row: [i32; 3], r: u8, g: u8, b: u8) -> i32 {
    let [kr, kg, kb] = row;
    (kr * i32::from(r) + kg * i32::from(g) + kb * i32::from(b) + FIXED_ROUND) >> FIXED_SHIFT
}

#[cfg(test)]
mod tests;
