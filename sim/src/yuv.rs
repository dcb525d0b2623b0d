//! RGB8 to camera formats: NV21, NV12, I420 (BT.601 limited "video" range, 4:2:0 with 2x2
//! averaged chroma) and RGBA/BGRA.

use crate::SimError;

/// BT.601 limited-range coefficients in 8.8 fixed point.
const Y_R: i32 = 66;
const Y_G: i32 = 129;
const Y_B: i32 = 25;
const U_R: i32 = -38;
const U_G: i32 = -74;
const U_B: i32 = 112;
const V_R: i32 = 112;
const V_G: i32 = -94;
const V_B: i32 = -18;
const Y_OFFSET: i32 = 16;
const C_OFFSET: i32 = 128;
const ROUND: i32 = 128;
const SHIFT: i32 = 8;
/// Alpha written by the RGBA/BGRA converters.
const OPAQUE: u8 = 255;

fn dims(width: u32, height: u32) -> Result<(usize, usize), SimError> {
    if width == 0 || height == 0 || width > crate::MAX_DIMENSION || height > crate::MAX_DIMENSION {
        return Err(SimError::InvalidSize { width, height });
    }
    Ok((width as usize, height as usize))
}

fn check_len(got: usize, needed: usize) -> Result<(), SimError> {
    if got < needed {
        return Err(SimError::BufferTooSmall { needed, got });
    }
    Ok(())
}

#[inline]
fn luma(r: i32, g: i32, b: i32) -> u8 {
    (((Y_R * r + Y_G * g + Y_B * b + ROUND) >> SHIFT) + Y_OFFSET).clamp(0, 255) as u8
}

#[inline]
fn chroma(r: i32, g: i32, b: i32) -> (u8, u8) {
    let u = ((U_R * r + U_G * g + U_B * b + ROUND) >> SHIFT) + C_OFFSET;
    let v = ((V_R * r + V_G * g + V_B * b + ROUND) >> SHIFT) + C_OFFSET;
    (u.clamp(0, 255) as u8, v.clamp(0, 255) as u8)
}

/// Which 4:2:0 layout to write.
#[derive(Clone, Copy)]
enum Layout {
    Nv21,
    Nv12,
    I420,
}

fn yuv420(
    rgb: &[u8],
    width: u32,
    height: u32,
    out: &mut [u8],
    layout: Layout,
) -> Result<(), SimError> {
    let (w, h) = dims(width, height)?;
    if w % 2 != 0 || h % 2 != 0 {
        return Err(SimError::OddSize { width, height });
    }
    check_len(rgb.len(), w * h * 3)?;
    let y_len = w * h;
    let c_len = (w / 2) * (h / 2);
    check_len(out.len(), y_len + 2 * c_len)?;
    let (y_plane, rest) = out.split_at_mut(y_len);
    for (yp, px) in y_plane.iter_mut().zip(rgb.chunks_exact(3)) {
        *yp = luma(i32::from(px[0]), i32::from(px[1]), i32::from(px[2]));
    }
    let cw = w / 2;
    for cy in 0..h / 2 {
        for cx in 0..cw {
            let mut s = [0i32; 3];
            for (dy, dx) in [(0, 0), (0, 1), (1, 0), (1, 1)] {
                let i = ((cy * 2 + dy) * w + cx * 2 + dx) * 3;
                if let Some(p) = rgb.get(i..i + 3) {
                    for k in 0..3 {
                        s[k] += i32::from(p[k]);
                    }
                }
            }
            let (u, v) = chroma((s[0] + 2) / 4, (s[1] + 2) / 4, (s[2] + 2) / 4);
            let ci = cy * cw + cx;
            match layout {
                Layout::Nv21 => {
                    if let Some(d) = rest.get_mut(ci * 2..ci * 2 + 2) {
                        d[0] = v;
                        d[1] = u;
                    }
                }
                Layout::Nv12 => {
                    if let Some(d) = rest.get_mut(ci * 2..ci * 2 + 2) {
                        d[0] = u;
                        d[1] = v;
                    }
                }
                Layout::I420 => {
                    if let Some(d) = rest.get_mut(ci) {
                        *d = u;
                    }
                    if let Some(d) = rest.get_mut(c_len + ci) {
                        *d = v;
                    }
                }
            }
        }
    }
    Ok(())
}

/// NV21: Y plane, then interleaved V,U at half resolution. `out` needs w*h*3/2 bytes.
pub fn nv21_from_rgb(rgb: &[u8], width: u32, height: u32, out: &mut [u8]) -> Result<(), SimError> {
    yuv420(rgb, width, height, out, Layout::Nv21)
}

/// NV12: Y plane, then interleaved U,V at half resolution. `out` needs w*h*3/2 bytes.
pub fn nv12_from_rgb(rgb: &[u8], width: u32, height: u32, out: &mut [u8]) -> Result<(), SimError> {
    yuv420(rgb, width, height, out, Layout::Nv12)
}

/// I420: Y plane, U plane, V plane (chroma at half resolution). `out` needs w*h*3/2 bytes.
pub fn i420_from_rgb(rgb: &[u8], width: u32, height: u32, out: &mut [u8]) -> Result<(), SimError> {
    yuv420(rgb, width, height, out, Layout::I420)
}

fn four_channel(
    rgb: &[u8],
    width: u32,
    height: u32,
    out: &mut [u8],
    swap: bool,
) -> Result<(), SimError> {
    let (w, h) = dims(width, height)?;
    check_len(rgb.len(), w * h * 3)?;
    check_len(out.len(), w * h * 4)?;
    for (o, p) in out.chunks_exact_mut(4).zip(rgb.chunks_exact(3)).take(w * h) {
        if swap {
            o[0] = p[2];
            o[2] = p[0];
        } else {
            o[0] = p[0];
            o[2] = p[2];
        }
        o[1] = p[1];
        o[3] = OPAQUE;
    }
    Ok(())
}

/// RGBA8 with opaque alpha. `out` needs w*h*4 bytes.
pub fn rgba_from_rgb(rgb: &[u8], width: u32, height: u32, out: &mut [u8]) -> Result<(), SimError> {
    four_channel(rgb, width, height, out, false)
}

/// BGRA8 with opaque alpha. `out` needs w*h*4 bytes.
pub fn bgra_from_rgb(rgb: &[u8], width: u32, height: u32, out: &mut [u8]) -> Result<(), SimError> {
    four_channel(rgb, width, height, out, true)
}
