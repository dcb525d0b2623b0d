//! The [`Converter`]: the fused convert-resample-rotate path from a camera [`Frame`] to the
//! detector's input tensor (or an upright RGB8 image). One pass per output row: the source
//! planes are resampled separately (`resample.rs`, only the pixels the output needs), converted
//! BT.601 YUV → RGB at the output resolution (`color.rs`) and written rotated (`rotate.rs`).
//! All scratch memory is allocated in [`Converter::new`].
//!
//! Side by side with the two-library pipeline (yuvutils-rs 0.8.3 NV21 -> RGB8, then
//! fast_image_resize 6.1 bilinear convolution, then RGB8 -> CHW f32), 1920x1080 NV21 on this
//! project's 2-core AMD EPYC dev VM (AVX2; the libraries pick their AVX2 kernels at run time,
//! the core is built for baseline x86-64), medians of 200 alternating runs, 2026-12-07:
//!
//! | case                        | fused (core) | yuvutils + fir | libs / core |
//! |-----------------------------|-------------:|---------------:|------------:|
//! | ROI 384x384 -> 192x192      |       175 us |         151 us |   0.85-0.88 |
//! | ROI 192x192 -> 192x192      |       134 us |          36 us |        0.27 |
//! | full 1920x1080 -> 512x288   |  1.9-2.1 ms  |    1.2-1.8 ms  |   0.63-0.86 |
//!
//! The libraries are faster per call (SIMD); the fused path stays because it reads only the
//! region's pixels from the strided planes of any format and rotation with no intermediate
//! RGB8 image (yuvutils-rs 0.8 also refuses padded chroma rows, so a region must be copied
//! out first) and allocates nothing per frame. Command:
//! `cargo run --release --manifest-path benches/convert-compare/Cargo.toml`.

use super::color::YuvToRgb;
use super::resample::{resample_row, Axis, RowScratch, Source, PIXEL_CENTRE};
use super::rotate::{emit_row, RotationTile, Sink, ROTATION_TILE_ROWS};
use super::{ColorRange, Frame, Region, Rotation, TensorMapping, BYTES_PER_PIXEL_RGBA, CHANNELS};
use crate::error::FrameError;

/// Fraction of the letterbox padding that goes before the image (centred).
const CENTRED: f64 = 0.5;

/// [`TensorMapping`] in `f64`, used while converting.
#[derive(Debug, Clone, Copy)]
struct Mapping {
    origin_x: f64,
    origin_y: f64,
    scale_x: f64,
    scale_y: f64,
}

impl Mapping {
    fn to_public(self) -> TensorMapping {
        TensorMapping {
            origin_x: self.origin_x as f32,
            origin_y: self.origin_y as f32,
            scale_x: self.scale_x as f32,
            scale_y: self.scale_y as f32,
        }
    }
}

impl Converter {
    /// Converts the YUV frames that follow with `range` (a camera stream's range may differ from
    /// the configured one; the FFI's frame entry points pass it with every frame).
    pub fn set_color_range(&mut self, range: ColorRange) {
        self.colour = YuvToRgb::new(range);
    }
}

/// Converts frames into tensors and RGB images with preallocated scratch memory.
#[derive(Debug)]
pub struct Converter {
    max_width: u32,
    max_height: u32,
    /// Longest side accepted (either orientation).
    max_side: u64,
    /// Most pixels accepted.
    max_pixels: u64,
    colour: YuvToRgb,
    /// Vertical pass results of one output row.
    scratch: RowScratch,
    /// Resampled channels (Y, U, V or R, G, B) of one output row.
    rows: [Vec<f32>; CHANNELS],
    /// RGB rows of rotated conversions, written out a tile at a time.
    tile: RotationTile,
    luma_x: Axis,
    luma_y: Axis,
    chroma_x: Axis,
    chroma_y: Axis,
}

impl Converter {
    /// Buffers sized for frames up to `max_width` x `max_height` in either orientation: a frame
    /// is accepted when `width * height <= max_width * max_height` and both sides are at most
    /// `max(max_width, max_height)`. Outputs whose sides are at most that long never allocate;
    /// a larger output grows the scratch once.
    pub fn new(max_width: u32, max_height: u32, range: ColorRange) -> Converter {
        let side = max_width.max(max_height).max(1) as usize;
        Converter {
            max_width,
            max_height,
            max_side: u64::from(max_width.max(max_height)),
            max_pixels: u64::from(max_width) * u64::from(max_height),
            colour: YuvToRgb::new(range),
            scratch: RowScratch {
                bytes: Vec::with_capacity(side.saturating_mul(BYTES_PER_PIXEL_RGBA)),
                channels: [
                    Vec::with_capacity(side),
                    Vec::with_capacity(side),
                    Vec::with_capacity(side),
                ],
            },
            rows: [
                Vec::with_capacity(side),
                Vec::with_capacity(side),
                Vec::with_capacity(side),
            ],
            tile: RotationTile::with_capacity(side),
            luma_x: Axis::with_capacity(side),
            luma_y: Axis::with_capacity(side),
            chroma_x: Axis::with_capacity(side),
            chroma_y: Axis::with_capacity(side),
        }
    }

    /// Bytes of heap this converter holds.
    pub fn heap_bytes(&self) -> usize {
        let floats = |v: &[Vec<f32>; CHANNELS]| {
            v.iter()
                .map(|r| r.capacity() * std::mem::size_of::<f32>())
                .sum::<usize>()
        };
        self.scratch.bytes.capacity() * std::mem::size_of::<f32>()
            + floats(&self.scratch.channels)
            + floats(&self.rows)
            + self.tile.heap_bytes()
            + self.luma_x.heap_bytes()
            + self.luma_y.heap_bytes()
            + self.chroma_x.heap_bytes()
            + self.chroma_y.heap_bytes()
    }

    /// Validates the frame and checks it against the configured maximum.
    pub fn check_frame(&self, frame: &Frame) -> Result<(), FrameError> {
        frame.validate()?;
        let (w, h) = (u64::from(frame.width), u64::from(frame.height));
        if w * h > self.max_pixels || w.max(h) > self.max_side {
            return Err(FrameError::TooLarge {
                width: frame.width,
                height: frame.height,
                max_width: self.max_width,
                max_height: self.max_height,
            });
        }
        Ok(())
    }

    /// Whole upright frame letterboxed into `dst` (CHW `f32`, planes R, G, B, values 0..255,
    /// `dst.len() >= 3 * dst_w * dst_h`): aspect kept, centred, pad value 0.
    pub fn tensor_from_frame(
        &mut self,
        frame: &Frame,
        dst: &mut [f32],
        dst_w: u32,
        dst_h: u32,
    ) -> Result<TensorMapping, FrameError> {
        self.check_frame(frame)?;
        check_tensor(dst.len(), dst_w, dst_h)?;
        let (uw, uh) = frame.upright_size();
        let (uw, uh) = (f64::from(uw), f64::from(uh));
        let (tw, th) = (f64::from(dst_w), f64::from(dst_h));
        let scale = (uw / tw).max(uh / th);
        let inner_w = (uw / scale).round().clamp(1.0, tw);
        let inner_h = (uh / scale).round().clamp(1.0, th);
        let pad_x = ((tw - inner_w) * CENTRED).floor();
        let pad_y = ((th - inner_h) * CENTRED).floor();
        let scale_x = uw / inner_w;
        let scale_y = uh / inner_h;
        let mapping = Mapping {
            origin_x: -pad_x * scale_x,
            origin_y: -pad_y * scale_y,
            scale_x,
            scale_y,
        };
        self.write_tensor(frame, mapping, dst, dst_w, dst_h)?;
        Ok(mapping.to_public())
    }

    /// Region of the upright frame resized to `dst_w` x `dst_h` (scale 1 when the region size
    /// equals the destination size: native resolution). Converts only the pixels of the region;
    /// tensor pixels whose centre lies outside the frame are 0.
    pub fn tensor_from_region(
        &mut self,
        frame: &Frame,
        region: Region,
        dst: &mut [f32],
        dst_w: u32,
        dst_h: u32,
    ) -> Result<TensorMapping, FrameError> {
        self.check_frame(frame)?;
        check_tensor(dst.len(), dst_w, dst_h)?;
        let (uw, uh) = frame.upright_size();
        let x0 = i64::from(region.x);
        let y0 = i64::from(region.y);
        let x1 = x0 + i64::from(region.width);
        let y1 = y0 + i64::from(region.height);
        if region.width == 0
            || region.height == 0
            || x1 <= 0
            || y1 <= 0
            || x0 >= i64::from(uw)
            || y0 >= i64::from(uh)
        {
            return Err(FrameError::EmptyRegion {
                x: region.x,
                y: region.y,
                width: region.width,
                height: region.height,
                frame_width: uw,
                frame_height: uh,
            });
        }
        let mapping = Mapping {
            origin_x: f64::from(region.x),
            origin_y: f64::from(region.y),
            scale_x: f64::from(region.width) / f64::from(dst_w.max(1)),
            scale_y: f64::from(region.height) / f64::from(dst_h.max(1)),
        };
        self.write_tensor(frame, mapping, dst, dst_w, dst_h)?;
        Ok(mapping.to_public())
    }

    /// Upright RGB8 of the whole frame into `dst` (`len >= 3 * w * h` of the upright size), for
    /// previews and overlays; returns the upright size.
    pub fn rgb_from_frame(
        &mut self,
        frame: &Frame,
        dst: &mut [u8],
    ) -> Result<(u32, u32), FrameError> {
        self.check_frame(frame)?;
        let (uw, uh) = frame.upright_size();
        let overflow = FrameError::SizeOverflow {
            width: uw,
            height: uh,
        };
        let needed = (uw as usize)
            .checked_mul(uh as usize)
            .and_then(|n| n.checked_mul(CHANNELS))
            .ok_or(overflow)?;
        if dst.len() < needed {
            return Err(FrameError::DestinationTooSmall {
                what: "rgb",
                len: dst.len(),
                needed,
            });
        }
        let mapping = Mapping {
            origin_x: 0.0,
            origin_y: 0.0,
            scale_x: 1.0,
            scale_y: 1.0,
        };
        let sink = Sink::Rgb {
            dst,
            row_len: uw as usize,
        };
        self.convert(frame, mapping, uw as usize, uh as usize, sink)?;
        Ok((uw, uh))
    }

    /// Checks the tensor, zeroes it when the frame does not cover it and converts into it.
    fn write_tensor(
        &mut self,
        frame: &Frame,
        mapping: Mapping,
        dst: &mut [f32],
        dst_w: u32,
        dst_h: u32,
    ) -> Result<(), FrameError> {
        let (plane_len, needed) = check_tensor(dst.len(), dst_w, dst_h)?;
        let (w, h) = (dst_w as usize, dst_h as usize);
        let too_small = || FrameError::DestinationTooSmall {
            what: "tensor",
            len: 0,
            needed,
        };
        let dst = dst.get_mut(..needed).ok_or_else(too_small)?;
        let (r, rest) = dst.split_at_mut_checked(plane_len).ok_or_else(too_small)?;
        let (g, b) = rest.split_at_mut_checked(plane_len).ok_or_else(too_small)?;
        let sink = Sink::Tensor {
            planes: [r, g, b],
            row_len: w,
            x0: 0,
            y0: 0,
        };
        self.convert(frame, mapping, w, h, sink)
    }

    /// Resamples the part of the upright frame that `mapping` puts inside the `out_w` x `out_h`
    /// output and writes it to `sink`; output pixels whose centre is outside the frame are 0
    /// (tensor) or not written.
    fn convert(
        &mut self,
        frame: &Frame,
        mapping: Mapping,
        out_w: usize,
        out_h: usize,
        sink: Sink,
    ) -> Result<(), FrameError> {
        let (uw, uh) = frame.upright_size();
        let (uw, uh) = (f64::from(uw), f64::from(uh));
        let (ox0, ox1) = inside_range(mapping.origin_x, mapping.scale_x, uw, out_w);
        let (oy0, oy1) = inside_range(mapping.origin_y, mapping.scale_y, uh, out_h);
        let covers_all = ox0 == 0 && oy0 == 0 && ox1 == out_w && oy1 == out_h;
        let mut sink = sink;
        match &mut sink {
            Sink::Tensor { planes, x0, y0, .. } => {
                if !covers_all {
                    planes.iter_mut().for_each(|p| p.fill(0.0));
                }
                *x0 = ox0;
                *y0 = oy0;
            }
            Sink::Rgb { .. } => {}
        }
        if ox1 <= ox0 || oy1 <= oy0 {
            return Ok(());
        }
        let (iw, ih) = (ox1 - ox0, oy1 - oy0);
        // Upright source rectangle of the covered output pixels.
        let ux0 = mapping.origin_x + ox0 as f64 * mapping.scale_x;
        let ux1 = mapping.origin_x + ox1 as f64 * mapping.scale_x;
        let uy0 = mapping.origin_y + oy0 as f64 * mapping.scale_y;
        let uy1 = mapping.origin_y + oy1 as f64 * mapping.scale_y;
        let (bw_src, bh_src) = (f64::from(frame.width), f64::from(frame.height));
        // The same rectangle in buffer coordinates, and the output size in buffer orientation.
        let ((bx0, bx1, by0, by1), (bw, bh)) = match frame.rotation {
            Rotation::Deg0 => ((ux0, ux1, uy0, uy1), (iw, ih)),
            Rotation::Deg90 => ((uy0, uy1, bh_src - ux1, bh_src - ux0), (ih, iw)),
            Rotation::Deg180 => (
                (bw_src - ux1, bw_src - ux0, bh_src - uy1, bh_src - uy0),
                (iw, ih),
            ),
            Rotation::Deg270 => ((bw_src - uy1, bw_src - uy0, ux0, ux1), (ih, iw)),
        };
        let (fw, fh) = (frame.width as usize, frame.height as usize);
        self.luma_x.compute(fw, bx0, bx1, bw);
        self.luma_y.compute(fh, by0, by1, bh);
        let yuv = frame.format.is_yuv();
        if yuv {
            // 4:2:0: both axes halved; 4:2:2: only x (its chroma rows are the luma rows).
            let (sub_x, sub_y) = frame.format.chroma_subsampling();
            let (sx, sy) = (f64::from(sub_x), f64::from(sub_y));
            let (cw, ch) = (fw / sub_x as usize, fh / sub_y as usize);
            self.chroma_x.compute(cw, bx0 / sx, bx1 / sx, bw);
            self.chroma_y.compute(ch, by0 / sy, by1 / sy, bh);
        }
        for row in &mut self.rows {
            row.clear();
            row.resize(bw, 0.0);
        }
        let sources = Source::of_frame(frame);
        let colour = self.colour;
        let rotated = frame.rotation.swaps_axes();
        if rotated {
            self.tile.reset(bw);
        }
        for r in 0..bh {
            for source in sources.iter().flatten() {
                let (axis_x, axis_y) = if source.chroma {
                    (&self.chroma_x, &self.chroma_y)
                } else {
                    (&self.luma_x, &self.luma_y)
                };
                resample_row(source, axis_x, axis_y, r, &mut self.scratch, &mut self.rows)?;
            }
            if rotated {
                let t = r % ROTATION_TILE_ROWS;
                self.tile.store(t, &self.rows, yuv, colour);
                if t + 1 == ROTATION_TILE_ROWS || r + 1 == bh {
                    self.tile.flush(&mut sink, frame.rotation, t + 1, r - t, bh);
                }
            } else {
                emit_row(
                    &mut sink,
                    &self.rows,
                    yuv,
                    colour,
                    frame.rotation,
                    r,
                    bw,
                    bh,
                );
            }
        }
        Ok(())
    }
}

/// Checks a CHW tensor of `len` elements for `dst_w` x `dst_h`; returns the plane length and the
/// elements needed.
fn check_tensor(len: usize, dst_w: u32, dst_h: u32) -> Result<(usize, usize), FrameError> {
    if dst_w == 0 || dst_h == 0 {
        return Err(FrameError::ZeroSize {
            width: dst_w,
            height: dst_h,
        });
    }
    let overflow = FrameError::SizeOverflow {
        width: dst_w,
        height: dst_h,
    };
    let plane_len = (dst_w as usize)
        .checked_mul(dst_h as usize)
        .ok_or_else(|| overflow.clone())?;
    let needed = plane_len.checked_mul(CHANNELS).ok_or(overflow)?;
    if len < needed {
        return Err(FrameError::DestinationTooSmall {
            what: "tensor",
            len,
            needed,
        });
    }
    Ok((plane_len, needed))
}

/// Output pixels `lo..hi` (of `n`) whose centres map inside `0..extent`.
fn inside_range(origin: f64, scale: f64, extent: f64, n: usize) -> (usize, usize) {
    let n_f = n as f64;
    let lo = ((-origin) / scale - PIXEL_CENTRE).ceil().clamp(0.0, n_f) as usize;
    let hi = ((extent - origin) / scale - PIXEL_CENTRE)
        .ceil()
        .clamp(0.0, n_f) as usize;
    (lo, hi)
}
