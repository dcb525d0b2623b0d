//! RGB8 to camera formats: NV21, NV12, I420 (BT.601 limited "video" range, 4:2:0 with 2x2
//! averaged chroma) and RGBA/BGRA. The colour conversion is the core's
//! (`ballcam_core::color`, its 8.8 fixed-point encoder); this file only lays it out.

use ballcam_core::color::RgbToYuv;
use ballcam_core::ColorRange;

use crate::SimError;

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

/// The encoder of the renderer's frames: BT.601 limited range.
fn encoder() -> RgbToYuv {
    RgbToYuv::new(ColorRange::Limited)
}

/// Mean of four samples' sum, rounded (fits a byte: the sum is at most 4 * 255).
fn mean4(sum: i32) -> u8 {
    u8::try_from((sum + 2) / 4).unwrap_or(u8::MAX)
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
    let enc = encoder();
    for (yp, px) in y_plane.iter_mut().zip(rgb.chunks_exact(3)) {
        *yp = enc.luma(px[0], px[1], px[2]);
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
            let (u, v) = enc.chroma(mean4(s[0]), mean4(s[1]), mean4(s[2]));
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
