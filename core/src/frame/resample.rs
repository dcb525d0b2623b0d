//! The separable, area-aware resampling filter of the fused conversion: per-axis triangle-filter
//! taps ([`Axis`]) whose support widens with the downscale factor, and the per-row vertical and
//! horizontal passes over a source plane ([`resample_row`]), reading only the bytes the output
//! needs.

use super::{Frame, PixelFormat, Plane, CHANNELS};
use crate::error::FrameError;

/// Resampling filter weights reserved per sample of the longest side (see [`Axis`]).
const WEIGHTS_PER_SIDE_SAMPLE: usize = 4;
/// Pixels per chroma sample of packed 4:2:2 (a Y0 U Y1 V pair).
const PIXELS_PER_422_PAIR: usize = 2;
/// Byte offsets of Y0, U and V in a YUYV pixel pair (Y0 U Y1 V).
const YUYV_OFFSETS: [usize; CHANNELS] = [0, 1, 3];
/// Byte offsets of Y0, U and V in a UYVY pixel pair (U Y0 V Y1).
const UYVY_OFFSETS: [usize; CHANNELS] = [1, 0, 2];
/// Offset from a pixel index to its centre.
pub(super) const PIXEL_CENTRE: f64 = 0.5;

/// The source samples and weights of one output sample.
#[derive(Debug, Clone, Copy)]
struct Taps {
    /// First source sample.
    start: usize,
    /// Offset of the first weight in [`Axis::weights`].
    offset: usize,
    /// Number of source samples (and weights).
    len: usize,
}

/// Resampling coefficients along one axis: a triangle filter whose radius is one output pixel
/// when downscaling (area-aware) and one source pixel when upscaling (bilinear).
///
/// An output sample of a downscale by `s` reads at most `2s + 2` source samples, so the weights
/// of an axis fit in `2 * source + 2 * output` entries; [`WEIGHTS_PER_SIDE_SAMPLE`] per sample of
/// the longest side covers outputs up to that side.
#[derive(Debug, Default)]
pub(super) struct Axis {
    taps: Vec<Taps>,
    weights: Vec<f32>,
    /// First source sample any output reads.
    first: usize,
    /// One past the last source sample any output reads.
    end: usize,
    /// Whether output `i` is exactly source sample `first + i`.
    identity: bool,
    /// Taps per output of the fixed-length form used by the horizontal pass.
    fixed_len: usize,
    /// First tap of each output, relative to `first`, in the fixed-length form.
    fixed_starts: Vec<usize>,
    /// `fixed_len` weights per output (zero-padded), in the fixed-length form.
    fixed_weights: Vec<f32>,
}

impl Axis {
    pub(super) fn with_capacity(outputs: usize) -> Axis {
        Axis {
            taps: Vec::with_capacity(outputs),
            weights: Vec::with_capacity(outputs.saturating_mul(WEIGHTS_PER_SIDE_SAMPLE)),
            first: 0,
            end: 0,
            identity: false,
            fixed_len: 0,
            fixed_starts: Vec::with_capacity(outputs),
            fixed_weights: Vec::with_capacity(outputs.saturating_mul(WEIGHTS_PER_SIDE_SAMPLE)),
        }
    }

    pub(super) fn heap_bytes(&self) -> usize {
        self.taps.capacity() * std::mem::size_of::<Taps>()
            + self.fixed_starts.capacity() * std::mem::size_of::<usize>()
            + (self.weights.capacity() + self.fixed_weights.capacity()) * std::mem::size_of::<f32>()
    }

    /// Coefficients for `out_len` outputs covering source coordinates `x0..x1` of a source of
    /// `src_len` samples (taps are clamped to the source and renormalised).
    pub(super) fn compute(&mut self, src_len: usize, x0: f64, x1: f64, out_len: usize) {
        self.taps.clear();
        self.weights.clear();
        let scale = (x1 - x0) / out_len.max(1) as f64;
        let radius = scale.max(1.0);
        let last = src_len.saturating_sub(1) as f64;
        for i in 0..out_len {
            let centre = x0 + (i as f64 + PIXEL_CENTRE) * scale;
            let lo = (centre - radius - PIXEL_CENTRE).ceil().clamp(0.0, last) as usize;
            let hi = (centre + radius - PIXEL_CENTRE).floor().clamp(0.0, last) as usize;
            let offset = self.weights.len();
            let mut start = lo;
            let mut sum = 0.0f64;
            for j in lo..=hi {
                let w = 1.0 - ((j as f64 + PIXEL_CENTRE - centre) / radius).abs();
                if w > 0.0 {
                    if self.weights.len() == offset {
                        start = j;
                    }
                    self.weights.push(w as f32);
                    sum += w;
                }
            }
            if self.weights.len() == offset || sum <= 0.0 {
                self.weights.truncate(offset);
                start = centre.floor().clamp(0.0, last) as usize;
                self.weights.push(1.0);
                sum = 1.0;
            }
            let inv = (1.0 / sum) as f32;
            if let Some(ws) = self.weights.get_mut(offset..) {
                ws.iter_mut().for_each(|w| *w *= inv);
            }
            self.taps.push(Taps {
                start,
                offset,
                len: self.weights.len() - offset,
            });
        }
        self.first = self.taps.iter().map(|t| t.start).min().unwrap_or(0);
        self.end = self.taps.iter().map(|t| t.start + t.len).max().unwrap_or(0);
        self.identity = self.taps.iter().enumerate().all(|(i, t)| {
            t.len == 1 && t.start == self.first + i && self.weights.get(t.offset) == Some(&1.0)
        });
        // Fixed-length form: every window widened to the longest one, inside first..end.
        let len = self.taps.iter().map(|t| t.len).max().unwrap_or(1);
        self.fixed_len = len;
        self.fixed_starts.clear();
        self.fixed_weights.clear();
        for t in &self.taps {
            let start = t.start.min(self.end.saturating_sub(len)).max(self.first);
            let lead = t.start - start;
            self.fixed_starts.push(start - self.first);
            self.fixed_weights
                .resize(self.fixed_weights.len() + lead, 0.0);
            let ws = self.weights.get(t.offset..t.offset + t.len).unwrap_or(&[]);
            self.fixed_weights.extend_from_slice(ws);
            let tail = len.saturating_sub(lead + t.len);
            self.fixed_weights
                .resize(self.fixed_weights.len() + tail, 0.0);
        }
    }

    fn weights_of(&self, taps: &Taps) -> &[f32] {
        self.weights
            .get(taps.offset..taps.offset + taps.len)
            .unwrap_or(&[])
    }
}

/// One source plane and the channels it holds, as the resampler reads it.
#[derive(Debug, Clone, Copy)]
pub(super) struct Source<'a> {
    name: &'static str,
    data: &'a [u8],
    row_stride: usize,
    pixel_stride: usize,
    /// Whether the plane is subsampled chroma (read with the chroma axes).
    pub(super) chroma: bool,
    /// Output channel of the byte at offset `j` of each pixel, for `j < channel_count`; output
    /// channels are Y, U, V for YUV and R, G, B for packed formats.
    channels: [usize; CHANNELS],
    channel_count: usize,
}

impl<'a> Source<'a> {
    fn new(name: &'static str, plane: &Plane<'a>, chroma: bool, channels: &[usize]) -> Source<'a> {
        let mut slots = [0; CHANNELS];
        slots
            .iter_mut()
            .zip(channels)
            .for_each(|(slot, &c)| *slot = c);
        Source {
            name,
            data: plane.data,
            row_stride: plane.row_stride,
            pixel_stride: plane.pixel_stride,
            chroma,
            channels: slots,
            channel_count: channels.len().min(CHANNELS),
        }
    }

    /// Output channel of each byte of a pixel.
    fn channels(&self) -> &[usize] {
        self.channels.get(..self.channel_count).unwrap_or(&[])
    }

    /// The sources of a validated frame (1 to 3).
    pub(super) fn of_frame(frame: &Frame<'a>) -> [Option<Source<'a>>; CHANNELS] {
        let [p0, p1, p2] = &frame.planes;
        let (r, g, b) = (0, 1, 2);
        let (y, u, v) = (0, 1, 2);
        match frame.format {
            PixelFormat::Rgba8 | PixelFormat::Rgb8 => [
                Some(Source::new("packed", p0, false, &[r, g, b])),
                None,
                None,
            ],
            PixelFormat::Bgra8 => [
                Some(Source::new("packed", p0, false, &[b, g, r])),
                None,
                None,
            ],
            PixelFormat::Nv21 => [
                Some(Source::new("y", p0, false, &[y])),
                Some(Source::new("vu", p1, true, &[v, u])),
                None,
            ],
            PixelFormat::Nv12 => [
                Some(Source::new("y", p0, false, &[y])),
                Some(Source::new("uv", p1, true, &[u, v])),
                None,
            ],
            PixelFormat::I420 => [
                Some(Source::new("y", p0, false, &[y])),
                Some(Source::new("u", p1, true, &[u])),
                Some(Source::new("v", p2, true, &[v])),
            ],
            PixelFormat::Yuyv => Source::packed_422(p0, YUYV_OFFSETS),
            PixelFormat::Uyvy => Source::packed_422(p0, UYVY_OFFSETS),
        }
    }

    /// The Y, U and V sources of a packed 4:2:2 plane (one plane read three times, each with
    /// its own first byte and pixel stride): `offsets` are the byte offsets of Y0, U and V in a
    /// pixel pair (Y1 is one pixel after Y0).
    fn packed_422(plane: &Plane<'a>, offsets: [usize; CHANNELS]) -> [Option<Source<'a>>; CHANNELS] {
        let pair_stride = plane.pixel_stride * PIXELS_PER_422_PAIR;
        let strides = [plane.pixel_stride, pair_stride, pair_stride];
        let mut sources = [None; CHANNELS];
        for (channel, ((slot, offset), pixel_stride)) in
            sources.iter_mut().zip(offsets).zip(strides).enumerate()
        {
            *slot = Some(Source {
                name: "packed",
                data: plane.data.get(offset..).unwrap_or(&[]),
                row_stride: plane.row_stride,
                pixel_stride,
                chroma: channel != 0,
                channels: [channel, 0, 0],
                channel_count: 1,
            });
        }
        sources
    }
}

/// Vertical pass results of one output row of one plane.
#[derive(Debug)]
pub(super) struct RowScratch {
    /// The needed bytes of the plane's row range, filtered over rows.
    pub(super) bytes: Vec<f32>,
    /// `bytes` split by channel, for interleaved planes.
    pub(super) channels: [Vec<f32>; CHANNELS],
}

/// Resamples output row `r` of `source` into the channel rows: a vertical pass over the bytes of
/// the needed columns into `bytes`, split into one row per channel when the plane is
/// interleaved, then a horizontal pass per channel.
pub(super) fn resample_row(
    source: &Source,
    axis_x: &Axis,
    axis_y: &Axis,
    r: usize,
    scratch: &mut RowScratch,
    rows: &mut [Vec<f32>; CHANNELS],
) -> Result<(), FrameError> {
    let ps = source.pixel_stride.max(1);
    let count = source.channel_count;
    let span = axis_x.end.saturating_sub(axis_x.first);
    let byte_start = axis_x.first * ps;
    let byte_len = span.saturating_sub(1) * ps + count;
    let bytes = &mut scratch.bytes;
    bytes.clear();
    bytes.resize(byte_len, 0.0);
    let Some(taps) = axis_y.taps.get(r) else {
        return Ok(());
    };
    for (k, &w) in axis_y.weights_of(taps).iter().enumerate() {
        let begin = (taps.start + k)
            .checked_mul(source.row_stride)
            .and_then(|b| b.checked_add(byte_start));
        let src = begin.and_then(|b| source.data.get(b..b.checked_add(byte_len)?));
        let Some(src) = src else {
            return Err(FrameError::PlaneTooShort {
                plane: source.name,
                len: source.data.len(),
                needed: begin.map_or(usize::MAX, |b| b.saturating_add(byte_len)),
            });
        };
        if k == 0 {
            for (s, &b) in bytes.iter_mut().zip(src) {
                *s = w * f32::from(b);
            }
        } else {
            for (s, &b) in bytes.iter_mut().zip(src) {
                *s += w * f32::from(b);
            }
        }
    }
    let contiguous = ps == 1 && count == 1;
    for (j, &channel) in source.channels().iter().enumerate() {
        let sums: &[f32] = if contiguous {
            bytes
        } else {
            let Some(split) = scratch.channels.get_mut(j) else {
                continue;
            };
            split.clear();
            // Whole pixels, then the last one, which may hold only `count` bytes.
            let pixels = bytes.chunks_exact(ps);
            let last = pixels.remainder().get(j).copied();
            split.extend(pixels.map(|px| px.get(j).copied().unwrap_or(0.0)));
            split.extend(last);
            split
        };
        let Some(out) = rows.get_mut(channel) else {
            continue;
        };
        horizontal_pass(axis_x, sums, out);
    }
    Ok(())
}

/// Filters one row of `src` (starting at source sample `axis.first`) into `out`.
fn horizontal_pass(axis: &Axis, src: &[f32], out: &mut [f32]) {
    if axis.identity {
        out.iter_mut().zip(src).for_each(|(o, &s)| *o = s);
        return;
    }
    let (starts, weights) = (&axis.fixed_starts, &axis.fixed_weights);
    macro_rules! dispatch {
        ($($n:literal)*) => {
            match axis.fixed_len {
                $($n => horizontal_fixed::<$n>(src, starts, weights, out),)*
                n => horizontal_any(n, src, starts, weights, out),
            }
        };
    }
    if axis.fixed_len == 2 {
        // Bilinear (the 2x chroma upsampling of every native-resolution region): its own
        // loop, without the lanes of the general dot product.
        horizontal_two(src, starts, weights, out);
        return;
    }
    dispatch!(1 3 4 5 6 7 8 9 10 11 12 13 14 15 16);
}

/// Horizontal filter with 2 taps per output.
fn horizontal_two(src: &[f32], starts: &[usize], weights: &[f32], out: &mut [f32]) {
    for ((o, &s), w) in out.iter_mut().zip(starts).zip(weights.chunks_exact(2)) {
        if let (Some(&[a, b]), &[w0, w1]) = (src.get(s..).and_then(|x| x.first_chunk::<2>()), w) {
            *o = a * w0 + b * w1;
        }
    }
}

/// Lanes of partial sums in the horizontal filter (independent chains hide the add latency).
const DOT_LANES: usize = 4;

/// Horizontal filter with `K` taps per output.
#[inline(always)]
fn horizontal_fixed<const K: usize>(
    src: &[f32],
    starts: &[usize],
    weights: &[f32],
    out: &mut [f32],
) {
    for ((o, &s), w) in out.iter_mut().zip(starts).zip(weights.chunks_exact(K)) {
        let seg = src.get(s..).and_then(|x| x.first_chunk::<K>());
        let (Some(seg), Some(w)) = (seg, w.first_chunk::<K>()) else {
            continue;
        };
        let mut lanes = [0.0f32; DOT_LANES];
        for (k, (a, b)) in seg.iter().zip(w).enumerate() {
            lanes[k % DOT_LANES] += a * b;
        }
        let [l0, l1, l2, l3] = lanes;
        *o = (l0 + l1) + (l2 + l3);
    }
}

/// Horizontal filter with `n` taps per output (long filters of big downscales).
fn horizontal_any(n: usize, src: &[f32], starts: &[usize], weights: &[f32], out: &mut [f32]) {
    for ((o, &s), w) in out
        .iter_mut()
        .zip(starts)
        .zip(weights.chunks_exact(n.max(1)))
    {
        let seg = src.get(s..).unwrap_or(&[]);
        let mut lanes = [0.0f32; DOT_LANES];
        for (sc, wc) in seg.chunks(DOT_LANES).zip(w.chunks(DOT_LANES)) {
            for ((l, a), b) in lanes.iter_mut().zip(sc).zip(wc) {
                *l += a * b;
            }
        }
        let [l0, l1, l2, l3] = lanes;
        *o = (l0 + l1) + (l2 + l3);
    }
}
