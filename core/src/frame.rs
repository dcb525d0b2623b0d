//! Camera frames: pixel formats, validation, and conversion into the detector's input tensor.
//!
//! A [`Frame`] is a borrowed view of one camera image as the platform hands it over (planes with
//! row strides, chroma pixel strides, the sensor rotation, a timestamp). Coordinates everywhere
//! else in the engine are in the *upright* frame: the buffer after `rotation` is applied.
//!
//! [`Converter`] turns a frame (or a region of it) into the detector's input tensor (CHW `f32`,
//! planes R, G, B, values 0..255) or into an upright RGB8 image. It resamples the source planes
//! directly (Y and chroma separately, chroma upsampled bilinearly) with a separable triangle
//! filter whose support widens with the downscale factor (area-aware, so small objects survive
//! big downscales), converts BT.601 YUV to RGB at the output resolution, and applies the rotation
//! while writing. Only the source pixels that the output needs are read. All scratch memory is
//! allocated in [`Converter::new`] and reused, so a warm converter does not allocate.
//!
//! Coordinate convention: pixel `i` of an image covers the continuous interval `[i, i + 1)`, so
//! its centre is `i + 0.5`. A [`TensorMapping`] maps continuous tensor coordinates to continuous
//! upright-frame coordinates: `frame = origin + tensor * scale`.

use crate::error::FrameError;
pub use crate::types::Region;

/// Bytes per pixel of packed RGBA / BGRA.
const BYTES_PER_PIXEL_RGBA: usize = 4;
/// Bytes per pixel of packed RGB.
const BYTES_PER_PIXEL_RGB: usize = 3;
/// Bytes per luma or single chroma sample.
const BYTES_PER_SAMPLE: usize = 1;
/// Bytes of one interleaved chroma pair of NV12 / NV21.
const BYTES_PER_CHROMA_PAIR: usize = 2;
/// Pixel stride of interleaved chroma (NV12 / NV21, and YUV_420_888 with interleaved planes).
const INTERLEAVED_CHROMA_PIXEL_STRIDE: usize = 2;
/// 4:2:0 chroma is subsampled by this factor in each direction.
const CHROMA_SUBSAMPLING: usize = 2;
/// Degrees of one quarter turn.
const QUARTER_TURN_DEGREES: i32 = 90;
/// Degrees of a full turn.
const FULL_TURN_DEGREES: i32 = 360;
/// Number of colour channels in the tensor and in RGB8 output.
const CHANNELS: usize = 3;
/// Largest 8-bit sample value.
const MAX_SAMPLE: f32 = 255.0;
/// Luma offset of limited (video) range.
const LIMITED_Y_OFFSET: f32 = 16.0;
/// Luma excursion of limited range (16..235).
const LIMITED_Y_EXCURSION: f32 = 219.0;
/// Chroma excursion of limited range (16..240).
const LIMITED_C_EXCURSION: f32 = 224.0;
/// Chroma value that means "no colour".
const CHROMA_ZERO: f32 = 128.0;
/// BT.601: R = Y + `BT601_R_CR` * Cr.
const BT601_R_CR: f32 = 1.402;
/// BT.601: G = Y - `BT601_G_CB` * Cb - `BT601_G_CR` * Cr.
const BT601_G_CB: f32 = 0.344_136;
/// BT.601: G = Y - `BT601_G_CB` * Cb - `BT601_G_CR` * Cr.
const BT601_G_CR: f32 = 0.714_136;
/// BT.601: B = Y + `BT601_B_CB` * Cb.
const BT601_B_CB: f32 = 1.772;
/// Resampling filter weights reserved per sample of the longest side (see [`Axis`]).
const WEIGHTS_PER_SIDE_SAMPLE: usize = 4;
/// Offset from a pixel index to its centre.
const PIXEL_CENTRE: f64 = 0.5;
/// Output rows converted before a rotated (90° / 270°) conversion writes them out: each output
/// column then lands as a run of this many neighbouring destination pixels instead of scattered
/// single pixels, which keeps the writes in cache.
const ROTATION_TILE_ROWS: usize = 16;
/// Fraction of the letterbox padding that goes before the image (centred).
const CENTRED: f64 = 0.5;

/// Pixel layout of a frame's planes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum PixelFormat {
    /// Y plane, then interleaved V/U at half resolution (Android camera default).
    Nv21,
    /// Y plane, then interleaved U/V at half resolution (iOS bi-planar).
    Nv12,
    /// Three planes Y, U, V at half resolution; chroma pixel stride 1 (I420) or 2 (YUV_420_888).
    I420,
    /// Packed 8-bit RGBA.
    Rgba8,
    /// Packed 8-bit BGRA (iOS `kCVPixelFormatType_32BGRA`).
    Bgra8,
    /// Packed 8-bit RGB.
    Rgb8,
}

impl PixelFormat {
    /// Number of planes the format uses (the rest of [`Frame::planes`] is ignored).
    pub fn plane_count(self) -> usize {
        match self {
            PixelFormat::Nv21 | PixelFormat::Nv12 => 2,
            PixelFormat::I420 => 3,
            PixelFormat::Rgba8 | PixelFormat::Bgra8 | PixelFormat::Rgb8 => 1,
        }
    }

    /// Whether the format is YUV 4:2:0 (needs even sizes).
    pub fn is_yuv(self) -> bool {
        matches!(
            self,
            PixelFormat::Nv21 | PixelFormat::Nv12 | PixelFormat::I420
        )
    }

    /// Bytes per pixel of a packed format; for YUV formats, bytes per luma sample (1).
    pub fn bytes_per_pixel(self) -> usize {
        match self {
            PixelFormat::Rgba8 | PixelFormat::Bgra8 => BYTES_PER_PIXEL_RGBA,
            PixelFormat::Rgb8 => BYTES_PER_PIXEL_RGB,
            PixelFormat::Nv21 | PixelFormat::Nv12 | PixelFormat::I420 => BYTES_PER_SAMPLE,
        }
    }
}

/// Clockwise rotation that turns the buffer upright (the sensor orientation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum Rotation {
    /// The buffer is upright.
    #[default]
    Deg0,
    /// Rotate the buffer 90° clockwise to make it upright.
    Deg90,
    /// Rotate the buffer 180° to make it upright.
    Deg180,
    /// Rotate the buffer 270° clockwise (90° counter-clockwise) to make it upright.
    Deg270,
}

impl Rotation {
    /// The rotation for a clockwise angle in degrees; any multiple of 90 is accepted (negative
    /// angles and full turns wrap, so -90 is [`Rotation::Deg270`]). `None` for other angles.
    pub fn from_degrees(deg: i32) -> Option<Rotation> {
        match deg.rem_euclid(FULL_TURN_DEGREES) {
            0 => Some(Rotation::Deg0),
            90 => Some(Rotation::Deg90),
            180 => Some(Rotation::Deg180),
            270 => Some(Rotation::Deg270),
            _ => None,
        }
    }

    /// The clockwise angle in degrees: 0, 90, 180 or 270.
    pub fn degrees(self) -> u32 {
        let quarters: u32 = match self {
            Rotation::Deg0 => 0,
            Rotation::Deg90 => 1,
            Rotation::Deg180 => 2,
            Rotation::Deg270 => 3,
        };
        quarters * QUARTER_TURN_DEGREES.unsigned_abs()
    }

    /// Whether the rotation swaps width and height.
    fn swaps_axes(self) -> bool {
        matches!(self, Rotation::Deg90 | Rotation::Deg270)
    }
}

/// One plane of a frame.
#[derive(Debug, Clone, Copy)]
pub struct Plane<'a> {
    /// The plane's bytes, starting at its first sample.
    pub data: &'a [u8],
    /// Bytes from the start of one row to the next.
    pub row_stride: usize,
    /// Bytes from one sample to the next within a row (chroma of YUV_420_888 may be 2).
    pub pixel_stride: usize,
}

impl Plane<'_> {
    /// A plane with no data, for the unused slots of [`Frame::planes`].
    const EMPTY: Plane<'static> = Plane {
        data: &[],
        row_stride: 0,
        pixel_stride: 0,
    };
}

/// A borrowed camera frame.
#[derive(Debug, Clone, Copy)]
pub struct Frame<'a> {
    /// Buffer width in pixels (before rotation).
    pub width: u32,
    /// Buffer height in pixels (before rotation).
    pub height: u32,
    /// Layout of [`Frame::planes`].
    pub format: PixelFormat,
    /// Planes in format order (Y, VU / UV / U, V); packed formats use `planes[0]` only.
    pub planes: [Plane<'a>; 3],
    /// Clockwise rotation that makes the buffer upright.
    pub rotation: Rotation,
    /// Capture time in microseconds; must increase from frame to frame.
    pub timestamp_us: i64,
}

/// What one plane must look like, for [`check_plane`].
struct PlaneSpec {
    name: &'static str,
    rows: usize,
    /// Samples (pixels, or chroma pairs) per row.
    samples: usize,
    /// Bytes of one sample.
    sample_bytes: usize,
    pixel_strides: &'static [usize],
    expected: &'static str,
}

/// Checks one plane's pixel stride, row stride and length against `spec`.
fn check_plane(plane: &Plane, spec: &PlaneSpec, overflow: FrameError) -> Result<(), FrameError> {
    if !spec.pixel_strides.contains(&plane.pixel_stride) {
        return Err(FrameError::BadPixelStride {
            plane: spec.name,
            pixel_stride: plane.pixel_stride,
            expected: spec.expected,
        });
    }
    let row_bytes = spec
        .samples
        .checked_sub(1)
        .and_then(|n| n.checked_mul(plane.pixel_stride))
        .and_then(|n| n.checked_add(spec.sample_bytes))
        .ok_or_else(|| overflow.clone())?;
    if plane.row_stride < row_bytes {
        return Err(FrameError::StrideTooSmall {
            plane: spec.name,
            stride: plane.row_stride,
            min: row_bytes,
        });
    }
    let needed = spec
        .rows
        .checked_sub(1)
        .and_then(|n| n.checked_mul(plane.row_stride))
        .and_then(|n| n.checked_add(row_bytes))
        .ok_or(overflow)?;
    if plane.data.len() < needed {
        return Err(FrameError::PlaneTooShort {
            plane: spec.name,
            len: plane.data.len(),
            needed,
        });
    }
    Ok(())
}

/// Splits `data` at `at`, or at its end when it is shorter.
fn split_clamped(data: &[u8], at: Option<usize>) -> (&[u8], &[u8]) {
    data.split_at(at.unwrap_or(data.len()).min(data.len()))
}

impl<'a> Frame<'a> {
    /// A packed frame (`Rgba8`, `Bgra8` or `Rgb8`) of `row_stride` bytes per row.
    pub fn packed(
        format: PixelFormat,
        data: &'a [u8],
        width: u32,
        height: u32,
        row_stride: usize,
        rotation: Rotation,
        timestamp_us: i64,
    ) -> Frame<'a> {
        let plane = Plane {
            data,
            row_stride,
            pixel_stride: format.bytes_per_pixel(),
        };
        Frame {
            width,
            height,
            format,
            planes: [plane, Plane::EMPTY, Plane::EMPTY],
            rotation,
            timestamp_us,
        }
    }

    /// A semi-planar frame (`Nv21` or `Nv12`): a Y plane and an interleaved chroma plane.
    #[allow(clippy::too_many_arguments)]
    pub fn semi_planar(
        format: PixelFormat,
        y: &'a [u8],
        y_stride: usize,
        uv: &'a [u8],
        uv_stride: usize,
        width: u32,
        height: u32,
        rotation: Rotation,
        timestamp_us: i64,
    ) -> Frame<'a> {
        Frame {
            width,
            height,
            format,
            planes: [
                Plane {
                    data: y,
                    row_stride: y_stride,
                    pixel_stride: BYTES_PER_SAMPLE,
                },
                Plane {
                    data: uv,
                    row_stride: uv_stride,
                    pixel_stride: INTERLEAVED_CHROMA_PIXEL_STRIDE,
                },
                Plane::EMPTY,
            ],
            rotation,
            timestamp_us,
        }
    }

    /// A planar 4:2:0 frame: I420 (`chroma_pixel_stride` 1) or Android `YUV_420_888`
    /// (`chroma_pixel_stride` 1 or 2; with 2, `u` and `v` may be views of one interleaved buffer).
    #[allow(clippy::too_many_arguments)]
    pub fn planar(
        y: &'a [u8],
        y_stride: usize,
        u: &'a [u8],
        u_stride: usize,
        v: &'a [u8],
        v_stride: usize,
        chroma_pixel_stride: usize,
        width: u32,
        height: u32,
        rotation: Rotation,
        timestamp_us: i64,
    ) -> Frame<'a> {
        Frame {
            width,
            height,
            format: PixelFormat::I420,
            planes: [
                Plane {
                    data: y,
                    row_stride: y_stride,
                    pixel_stride: BYTES_PER_SAMPLE,
                },
                Plane {
                    data: u,
                    row_stride: u_stride,
                    pixel_stride: chroma_pixel_stride,
                },
                Plane {
                    data: v,
                    row_stride: v_stride,
                    pixel_stride: chroma_pixel_stride,
                },
            ],
            rotation,
            timestamp_us,
        }
    }

    /// Contiguous NV21 (`width * height` bytes of Y, then V/U pairs), row stride = `width`.
    pub fn nv21(
        data: &'a [u8],
        width: u32,
        height: u32,
        rotation: Rotation,
        timestamp_us: i64,
    ) -> Frame<'a> {
        Self::contiguous_semi_planar(
            PixelFormat::Nv21,
            data,
            width,
            height,
            rotation,
            timestamp_us,
        )
    }

    /// Contiguous NV12 (`width * height` bytes of Y, then U/V pairs), row stride = `width`.
    pub fn nv12(
        data: &'a [u8],
        width: u32,
        height: u32,
        rotation: Rotation,
        timestamp_us: i64,
    ) -> Frame<'a> {
        Self::contiguous_semi_planar(
            PixelFormat::Nv12,
            data,
            width,
            height,
            rotation,
            timestamp_us,
        )
    }

    /// Contiguous I420 (Y, then U, then V at half resolution), row strides = width, width / 2.
    pub fn i420(
        data: &'a [u8],
        width: u32,
        height: u32,
        rotation: Rotation,
        timestamp_us: i64,
    ) -> Frame<'a> {
        let w = width as usize;
        let h = height as usize;
        let chroma_w = w / CHROMA_SUBSAMPLING;
        let chroma_len = chroma_w.checked_mul(h / CHROMA_SUBSAMPLING);
        let (y, rest) = split_clamped(data, w.checked_mul(h));
        let (u, v) = split_clamped(rest, chroma_len);
        Frame::planar(
            y,
            w,
            u,
            chroma_w,
            v,
            chroma_w,
            BYTES_PER_SAMPLE,
            width,
            height,
            rotation,
            timestamp_us,
        )
    }

    fn contiguous_semi_planar(
        format: PixelFormat,
        data: &'a [u8],
        width: u32,
        height: u32,
        rotation: Rotation,
        timestamp_us: i64,
    ) -> Frame<'a> {
        let w = width as usize;
        let (y, uv) = split_clamped(data, w.checked_mul(height as usize));
        Frame::semi_planar(format, y, w, uv, w, width, height, rotation, timestamp_us)
    }

    /// Checks that sizes, strides and plane lengths are consistent; the error names the problem
    /// and the numbers. The last row of a plane need not be padded to the full row stride.
    pub fn validate(&self) -> Result<(), FrameError> {
        let (width, height) = (self.width, self.height);
        if width == 0 || height == 0 {
            return Err(FrameError::ZeroSize { width, height });
        }
        let overflow = FrameError::SizeOverflow { width, height };
        let w = usize::try_from(width).map_err(|_| overflow.clone())?;
        let h = usize::try_from(height).map_err(|_| overflow.clone())?;
        let [p0, p1, p2] = &self.planes;
        if !self.format.is_yuv() {
            let bpp = self.format.bytes_per_pixel();
            let (pixel_strides, expected): (&'static [usize], _) = if bpp == BYTES_PER_PIXEL_RGBA {
                (&[BYTES_PER_PIXEL_RGBA], "4")
            } else {
                (&[BYTES_PER_PIXEL_RGB], "3")
            };
            let spec = PlaneSpec {
                name: "packed",
                rows: h,
                samples: w,
                sample_bytes: bpp,
                pixel_strides,
                expected,
            };
            return check_plane(p0, &spec, overflow);
        }
        let sub = CHROMA_SUBSAMPLING as u32;
        if width % sub != 0 || height % sub != 0 {
            return Err(FrameError::OddSize {
                format: self.format,
                width,
                height,
            });
        }
        let luma = PlaneSpec {
            name: "y",
            rows: h,
            samples: w,
            sample_bytes: BYTES_PER_SAMPLE,
            pixel_strides: &[BYTES_PER_SAMPLE],
            expected: "1",
        };
        check_plane(p0, &luma, overflow.clone())?;
        let (chroma_w, chroma_h) = (w / CHROMA_SUBSAMPLING, h / CHROMA_SUBSAMPLING);
        match self.format {
            PixelFormat::I420 => {
                for (plane, name) in [(p1, "u"), (p2, "v")] {
                    let spec = PlaneSpec {
                        name,
                        rows: chroma_h,
                        samples: chroma_w,
                        sample_bytes: BYTES_PER_SAMPLE,
                        pixel_strides: &[BYTES_PER_SAMPLE, INTERLEAVED_CHROMA_PIXEL_STRIDE],
                        expected: "1 or 2",
                    };
                    check_plane(plane, &spec, overflow.clone())?;
                }
                Ok(())
            }
            _ => {
                let spec = PlaneSpec {
                    name: if self.format == PixelFormat::Nv21 {
                        "vu"
                    } else {
                        "uv"
                    },
                    rows: chroma_h,
                    samples: chroma_w,
                    sample_bytes: BYTES_PER_CHROMA_PAIR,
                    pixel_strides: &[INTERLEAVED_CHROMA_PIXEL_STRIDE],
                    expected: "2",
                };
                check_plane(p1, &spec, overflow)
            }
        }
    }

    /// Size of the upright frame: `(height, width)` for 90° and 270°, else `(width, height)`.
    pub fn upright_size(&self) -> (u32, u32) {
        if self.rotation.swaps_axes() {
            (self.height, self.width)
        } else {
            (self.width, self.height)
        }
    }
}

/// YUV range/matrix: BT.601; `Limited` (16-235, video range, the default) or `Full` (JFIF).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum ColorRange {
    /// Video range: Y in 16..235, chroma in 16..240.
    #[default]
    Limited,
    /// Full (JFIF) range: Y and chroma in 0..255.
    Full,
}

impl Converter {
    /// Converts the YUV frames that follow with `range` (a camera stream's range may differ from
    /// the configured one; the FFI's frame entry points pass it with every frame).
    pub fn set_color_range(&mut self, range: ColorRange) {
        self.colour = YuvToRgb::new(range);
    }
}

/// Maps input-tensor pixel coordinates to upright-frame pixel coordinates:
/// `frame = origin + tensor * scale` (continuous coordinates: tensor pixel `i` spans `[i, i+1)`,
/// so its centre `i + 0.5` maps to `origin + (i + 0.5) * scale`).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct TensorMapping {
    /// Frame x of tensor x = 0.
    pub origin_x: f32,
    /// Frame y of tensor y = 0.
    pub origin_y: f32,
    /// Frame pixels per tensor pixel, horizontally.
    pub scale_x: f32,
    /// Frame pixels per tensor pixel, vertically.
    pub scale_y: f32,
}

impl TensorMapping {
    /// Tensor coordinates to upright-frame coordinates.
    pub fn to_frame(&self, x: f32, y: f32) -> (f32, f32) {
        (
            self.origin_x + x * self.scale_x,
            self.origin_y + y * self.scale_y,
        )
    }

    /// Upright-frame coordinates to tensor coordinates.
    pub fn to_tensor(&self, x: f32, y: f32) -> (f32, f32) {
        (
            (x - self.origin_x) / self.scale_x,
            (y - self.origin_y) / self.scale_y,
        )
    }
}

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
struct Axis {
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
    fn with_capacity(outputs: usize) -> Axis {
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

    fn heap_bytes(&self) -> usize {
        self.taps.capacity() * std::mem::size_of::<Taps>()
            + self.fixed_starts.capacity() * std::mem::size_of::<usize>()
            + (self.weights.capacity() + self.fixed_weights.capacity()) * std::mem::size_of::<f32>()
    }

    /// Coefficients for `out_len` outputs covering source coordinates `x0..x1` of a source of
    /// `src_len` samples (taps are clamped to the source and renormalised).
    fn compute(&mut self, src_len: usize, x0: f64, x1: f64, out_len: usize) {
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
struct Source<'a> {
    name: &'static str,
    data: &'a [u8],
    row_stride: usize,
    pixel_stride: usize,
    /// Whether the plane is 4:2:0 chroma (half resolution).
    chroma: bool,
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
    fn of_frame(frame: &Frame<'a>) -> [Option<Source<'a>>; CHANNELS] {
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
        }
    }
}

/// BT.601 YUV → RGB coefficients for one range.
#[derive(Debug, Clone, Copy)]
struct YuvToRgb {
    y_offset: f32,
    y_gain: f32,
    c_gain: f32,
}

impl YuvToRgb {
    fn new(range: ColorRange) -> YuvToRgb {
        match range {
            ColorRange::Limited => YuvToRgb {
                y_offset: LIMITED_Y_OFFSET,
                y_gain: MAX_SAMPLE / LIMITED_Y_EXCURSION,
                c_gain: MAX_SAMPLE / LIMITED_C_EXCURSION,
            },
            ColorRange::Full => YuvToRgb {
                y_offset: 0.0,
                y_gain: 1.0,
                c_gain: 1.0,
            },
        }
    }

    #[inline(always)]
    fn convert(&self, y: f32, u: f32, v: f32) -> [f32; CHANNELS] {
        let luma = (y - self.y_offset) * self.y_gain;
        let cb = (u - CHROMA_ZERO) * self.c_gain;
        let cr = (v - CHROMA_ZERO) * self.c_gain;
        [
            (luma + BT601_R_CR * cr).clamp(0.0, MAX_SAMPLE),
            (luma - BT601_G_CB * cb - BT601_G_CR * cr).clamp(0.0, MAX_SAMPLE),
            (luma + BT601_B_CB * cb).clamp(0.0, MAX_SAMPLE),
        ]
    }
}

/// Where converted pixels go.
enum Sink<'d> {
    /// CHW `f32` planes R, G, B of `row_len` x (`plane_len` / `row_len`), written at `(x0, y0)`.
    Tensor {
        planes: [&'d mut [f32]; CHANNELS],
        row_len: usize,
        x0: usize,
        y0: usize,
    },
    /// Interleaved RGB8 of `row_len` pixels per row.
    Rgb { dst: &'d mut [u8], row_len: usize },
}

/// Rounds a sample in 0..255 to `u8`.
#[inline(always)]
fn to_u8(value: f32) -> u8 {
    (value + 0.5) as u8
}

/// RGB rows of a rotated conversion, written to the sink a tile at a time (see
/// [`ROTATION_TILE_ROWS`]).
#[derive(Debug)]
struct RotationTile {
    /// R, G, B planes of up to `ROTATION_TILE_ROWS` output rows of `width` pixels.
    planes: [Vec<f32>; CHANNELS],
    width: usize,
}

impl RotationTile {
    fn with_capacity(side: usize) -> RotationTile {
        let len = side.saturating_mul(ROTATION_TILE_ROWS);
        RotationTile {
            planes: [
                Vec::with_capacity(len),
                Vec::with_capacity(len),
                Vec::with_capacity(len),
            ],
            width: 0,
        }
    }

    fn heap_bytes(&self) -> usize {
        self.planes
            .iter()
            .map(|p| p.capacity() * std::mem::size_of::<f32>())
            .sum()
    }

    fn reset(&mut self, width: usize) {
        self.width = width;
        for p in &mut self.planes {
            p.clear();
            p.resize(width.saturating_mul(ROTATION_TILE_ROWS), 0.0);
        }
    }

    /// Converts the channel rows to RGB into tile row `t`.
    fn store(&mut self, t: usize, rows: &[Vec<f32>; CHANNELS], yuv: bool, colour: YuvToRgb) {
        let range = t * self.width..(t + 1) * self.width;
        let [pr, pg, pb] = &mut self.planes;
        let (Some(pr), Some(pg), Some(pb)) = (
            pr.get_mut(range.clone()),
            pg.get_mut(range.clone()),
            pb.get_mut(range),
        ) else {
            return;
        };
        let [c0, c1, c2] = rows;
        let dst = pr.iter_mut().zip(pg.iter_mut()).zip(pb.iter_mut());
        let src = c0.iter().zip(c1.iter()).zip(c2.iter());
        for (((r, g), b), ((&y, &u), &v)) in dst.zip(src) {
            [*r, *g, *b] = if yuv {
                colour.convert(y, u, v)
            } else {
                [y, u, v]
            };
        }
    }

    /// Writes tile rows `0..n`, which are output rows `r0..r0 + n` (buffer orientation, `bh`
    /// rows), to the sink rotated by 90° or 270°: each output column becomes a run of `n`
    /// neighbouring pixels of one destination row.
    fn flush(&self, sink: &mut Sink, rotation: Rotation, n: usize, r0: usize, bh: usize) {
        let bw = self.width;
        // Buffer (i, r) is upright (bh - 1 - r, i) at 90° and (r, bw - 1 - i) at 270°.
        let reversed = rotation == Rotation::Deg90;
        let u_start = if reversed { bh - r0 - n } else { r0 };
        let upright_row = |i: usize| if reversed { i } else { bw - 1 - i };
        match sink {
            Sink::Tensor {
                planes,
                row_len,
                x0,
                y0,
            } => {
                for (dst, src) in planes.iter_mut().zip(&self.planes) {
                    for i in 0..bw {
                        let begin = (*y0 + upright_row(i)) * *row_len + *x0 + u_start;
                        let Some(run) = dst.get_mut(begin..begin + n) else {
                            continue;
                        };
                        let values = tile_column(src, i, bw, n);
                        if reversed {
                            run.iter_mut().rev().zip(values).for_each(|(d, v)| *d = v);
                        } else {
                            run.iter_mut().zip(values).for_each(|(d, v)| *d = v);
                        }
                    }
                }
            }
            Sink::Rgb { dst, row_len } => {
                let [pr, pg, pb] = &self.planes;
                for i in 0..bw {
                    let begin = (upright_row(i) * *row_len + u_start) * CHANNELS;
                    let Some(run) = dst.get_mut(begin..begin + n * CHANNELS) else {
                        continue;
                    };
                    let values = tile_column(pr, i, bw, n)
                        .zip(tile_column(pg, i, bw, n))
                        .zip(tile_column(pb, i, bw, n));
                    let put = |(d, ((r, g), b)): (&mut [u8], _)| {
                        d.iter_mut().zip([r, g, b]).for_each(|(d, c)| *d = to_u8(c));
                    };
                    if reversed {
                        run.chunks_exact_mut(CHANNELS)
                            .rev()
                            .zip(values)
                            .for_each(put);
                    } else {
                        run.chunks_exact_mut(CHANNELS).zip(values).for_each(put);
                    }
                }
            }
        }
    }
}

/// Column `i` of the first `n` rows of a tile plane of `width` pixels per row.
fn tile_column(plane: &[f32], i: usize, width: usize, n: usize) -> impl Iterator<Item = f32> + '_ {
    plane
        .get(i..)
        .unwrap_or(&[])
        .iter()
        .step_by(width.max(1))
        .take(n)
        .copied()
}

/// Vertical pass results of one output row of one plane.
#[derive(Debug)]
struct RowScratch {
    /// The needed bytes of the plane's row range, filtered over rows.
    bytes: Vec<f32>,
    /// `bytes` split by channel, for interleaved planes.
    channels: [Vec<f32>; CHANNELS],
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
            let sub = CHROMA_SUBSAMPLING as f64;
            let (cw, ch) = (fw / CHROMA_SUBSAMPLING, fh / CHROMA_SUBSAMPLING);
            self.chroma_x.compute(cw, bx0 / sub, bx1 / sub, bw);
            self.chroma_y.compute(ch, by0 / sub, by1 / sub, bh);
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

/// Resamples output row `r` of `source` into the channel rows: a vertical pass over the bytes of
/// the needed columns into `bytes`, split into one row per channel when the plane is
/// interleaved, then a horizontal pass per channel.
fn resample_row(
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

/// Where output row `r` (buffer orientation, `bh` rows) lands in a destination of
/// `row_len` elements per row, relative to the output rectangle's top-left: the index of the
/// pixel with the lowest index, the absolute index step between consecutive pixels, and whether
/// the row runs backwards (buffer pixel 0 has the highest index).
fn row_placement(rotation: Rotation, r: usize, bh: usize, row_len: usize) -> (usize, usize, bool) {
    match rotation {
        Rotation::Deg0 => (r * row_len, 1, false),
        Rotation::Deg90 => (bh - 1 - r, row_len, false),
        Rotation::Deg180 => ((bh - 1 - r) * row_len, 1, true),
        Rotation::Deg270 => (r, row_len, true),
    }
}

/// Converts output row `r` (buffer orientation, `bw` x `bh` output) to RGB and writes it to the
/// sink with the rotation applied.
#[allow(clippy::too_many_arguments)]
fn emit_row(
    sink: &mut Sink,
    rows: &[Vec<f32>; CHANNELS],
    yuv: bool,
    colour: YuvToRgb,
    rotation: Rotation,
    r: usize,
    bw: usize,
    bh: usize,
) {
    let [c0, c1, c2] = rows;
    let samples = c0
        .iter()
        .zip(c1.iter())
        .zip(c2.iter())
        .map(|((&a, &b), &c)| (a, b, c));
    match sink {
        Sink::Tensor {
            planes,
            row_len,
            x0,
            y0,
        } => {
            let (start, step, backwards) = row_placement(rotation, r, bh, *row_len);
            let begin = start + *y0 * *row_len + *x0;
            let end = begin + (bw - 1) * step + 1;
            let [pr, pg, pb] = planes;
            let (Some(pr), Some(pg), Some(pb)) = (
                pr.get_mut(begin..end),
                pg.get_mut(begin..end),
                pb.get_mut(begin..end),
            ) else {
                return;
            };
            let put = |((r, g, b), (y, u, v)): ((&mut f32, &mut f32, &mut f32), _)| {
                [*r, *g, *b] = if yuv {
                    colour.convert(y, u, v)
                } else {
                    [y, u, v]
                };
            };
            if step == 1 && !backwards {
                // Contiguous rows (no rotation): a plain zip that the compiler vectorises.
                let dst = pr.iter_mut().zip(pg.iter_mut()).zip(pb.iter_mut());
                dst.map(|((r, g), b)| (r, g, b)).zip(samples).for_each(put);
                return;
            }
            let dst = pr.iter_mut().step_by(step).zip(pg.iter_mut().step_by(step));
            let dst = dst
                .zip(pb.iter_mut().step_by(step))
                .map(|((r, g), b)| (r, g, b));
            if backwards {
                dst.rev().zip(samples).for_each(put);
            } else {
                dst.zip(samples).for_each(put);
            }
        }
        Sink::Rgb { dst, row_len } => {
            let (start, step, backwards) = row_placement(rotation, r, bh, *row_len);
            let begin = start * CHANNELS;
            let end = begin + ((bw - 1) * step + 1) * CHANNELS;
            let Some(dst) = dst.get_mut(begin..end) else {
                return;
            };
            let put = |(d, (y, u, v)): (&mut [u8], _)| {
                let rgb = if yuv {
                    colour.convert(y, u, v)
                } else {
                    [y, u, v]
                };
                d.iter_mut().zip(rgb).for_each(|(d, c)| *d = to_u8(c));
            };
            if step == 1 && !backwards {
                dst.chunks_exact_mut(CHANNELS).zip(samples).for_each(put);
                return;
            }
            let dst = dst.chunks_exact_mut(CHANNELS).step_by(step);
            if backwards {
                dst.rev().zip(samples).for_each(put);
            } else {
                dst.zip(samples).for_each(put);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const W: u32 = 32;
    const H: u32 = 24;
    /// Largest difference between a YUV decode and the RGB original: chroma subsampling of the
    /// gradient (up to about 3 at the corners) plus rounding of the 8-bit encoding (about 1.6).
    const YUV_TOLERANCE: f32 = 5.0;
    /// Largest difference between two computations of the same pixels.
    const SAME_TOLERANCE: f32 = 1e-3;

    /// A smooth synthetic RGB image.
    fn test_image(w: u32, h: u32) -> Vec<u8> {
        let mut rgb = Vec::new();
        for y in 0..h {
            for x in 0..w {
                rgb.push((30 + 3 * x) as u8);
                rgb.push((40 + 4 * y) as u8);
                rgb.push((200 - 2 * x - y) as u8);
            }
        }
        rgb
    }

    fn px(rgb: &[u8], w: u32, x: u32, y: u32) -> [f32; 3] {
        let i = ((y * w + x) * 3) as usize;
        [rgb[i] as f32, rgb[i + 1] as f32, rgb[i + 2] as f32]
    }

    /// BT.601 limited-range encoder: Y plane and quarter-size U, V planes (chroma of the 2x2
    /// average).
    fn encode(rgb: &[u8], w: u32, h: u32) -> (Vec<u8>, Vec<u8>, Vec<u8>) {
        let luma = |p: [f32; 3]| 0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2];
        let mut y_plane = Vec::new();
        for y in 0..h {
            for x in 0..w {
                let l = luma(px(rgb, w, x, y));
                y_plane.push((16.0 + 219.0 * l / 255.0).round() as u8);
            }
        }
        let (mut u_plane, mut v_plane) = (Vec::new(), Vec::new());
        for cy in 0..h / 2 {
            for cx in 0..w / 2 {
                let mut avg = [0.0f32; 3];
                for (dx, dy) in [(0, 0), (1, 0), (0, 1), (1, 1)] {
                    let p = px(rgb, w, 2 * cx + dx, 2 * cy + dy);
                    for c in 0..3 {
                        avg[c] += p[c] / 4.0;
                    }
                }
                let l = luma(avg);
                let cb = (avg[2] - l) / 1.772;
                let cr = (avg[0] - l) / 1.402;
                u_plane.push((128.0 + 224.0 * cb / 255.0).round() as u8);
                v_plane.push((128.0 + 224.0 * cr / 255.0).round() as u8);
            }
        }
        (y_plane, u_plane, v_plane)
    }

    /// Copies rows of `row_bytes` into rows of `stride` bytes (last row unpadded).
    fn pad(data: &[u8], row_bytes: usize, stride: usize) -> Vec<u8> {
        let rows = data.len() / row_bytes;
        let mut out = vec![0xAB; (rows - 1) * stride + row_bytes];
        for (r, row) in data.chunks(row_bytes).enumerate() {
            out[r * stride..r * stride + row_bytes].copy_from_slice(row);
        }
        out
    }

    fn interleave(a: &[u8], b: &[u8]) -> Vec<u8> {
        a.iter().zip(b).flat_map(|(&a, &b)| [a, b]).collect()
    }

    fn rgb_of(conv: &mut Converter, frame: &Frame) -> Vec<u8> {
        let (uw, uh) = frame.upright_size();
        let mut out = vec![0u8; (uw * uh * 3) as usize];
        assert_eq!(conv.rgb_from_frame(frame, &mut out), Ok((uw, uh)));
        out
    }

    fn tensor_of(conv: &mut Converter, frame: &Frame, w: u32, h: u32) -> (Vec<f32>, TensorMapping) {
        let mut t = vec![f32::NAN; (3 * w * h) as usize];
        let m = conv.tensor_from_frame(frame, &mut t, w, h).unwrap();
        (t, m)
    }

    fn tensor_px(t: &[f32], w: u32, h: u32, x: u32, y: u32) -> [f32; 3] {
        let plane = (w * h) as usize;
        let i = (y * w + x) as usize;
        [t[i], t[plane + i], t[2 * plane + i]]
    }

    fn close(a: [f32; 3], b: [f32; 3], tol: f32) -> bool {
        a.iter().zip(&b).all(|(a, b)| (a - b).abs() <= tol)
    }

    #[test]
    fn pixel_format_and_rotation_helpers() {
        assert_eq!(PixelFormat::Nv21.plane_count(), 2);
        assert_eq!(PixelFormat::I420.plane_count(), 3);
        assert_eq!(PixelFormat::Bgra8.plane_count(), 1);
        assert!(PixelFormat::Nv12.is_yuv() && !PixelFormat::Rgb8.is_yuv());
        assert_eq!(PixelFormat::Rgba8.bytes_per_pixel(), 4);
        assert_eq!(PixelFormat::Rgb8.bytes_per_pixel(), 3);
        for (deg, rot) in [
            (0, Rotation::Deg0),
            (90, Rotation::Deg90),
            (180, Rotation::Deg180),
            (270, Rotation::Deg270),
        ] {
            assert_eq!(Rotation::from_degrees(deg), Some(rot));
            assert_eq!(rot.degrees(), deg as u32);
        }
        assert_eq!(Rotation::from_degrees(-90), Some(Rotation::Deg270));
        assert_eq!(Rotation::from_degrees(450), Some(Rotation::Deg90));
        assert_eq!(Rotation::from_degrees(45), None);
        let data = vec![0u8; 8 * 4 * 3 / 2];
        assert_eq!(
            Frame::nv21(&data, 8, 4, Rotation::Deg90, 0).upright_size(),
            (4, 8)
        );
        assert_eq!(
            Frame::nv21(&data, 8, 4, Rotation::Deg180, 0).upright_size(),
            (8, 4)
        );
        assert_eq!(
            serde_json::to_string(&ColorRange::Full).unwrap(),
            "\"full\""
        );
        assert_eq!(
            serde_json::from_str::<ColorRange>("\"limited\"").unwrap(),
            ColorRange::Limited
        );
        assert_eq!(ColorRange::default(), ColorRange::Limited);
        let m = TensorMapping {
            origin_x: -10.0,
            origin_y: 4.0,
            scale_x: 2.0,
            scale_y: 3.0,
        };
        assert_eq!(m.to_frame(0.0, 0.0), (-10.0, 4.0));
        assert_eq!(m.to_frame(5.0, 2.0), (0.0, 10.0));
        assert_eq!(m.to_tensor(0.0, 10.0), (5.0, 2.0));
    }

    #[test]
    fn validate_reports_each_problem_with_numbers() {
        let r = Rotation::Deg0;
        let buf = vec![0u8; 1024];
        assert_eq!(
            Frame::nv21(&buf, 0, 4, r, 0).validate(),
            Err(FrameError::ZeroSize {
                width: 0,
                height: 4
            })
        );
        assert_eq!(
            Frame::packed(PixelFormat::Rgba8, &buf, 8, 0, 32, r, 0).validate(),
            Err(FrameError::ZeroSize {
                width: 8,
                height: 0
            })
        );
        assert_eq!(
            Frame::nv21(&buf, 5, 4, r, 0).validate(),
            Err(FrameError::OddSize {
                format: PixelFormat::Nv21,
                width: 5,
                height: 4
            })
        );
        assert_eq!(
            Frame::i420(&buf, 8, 3, r, 0).validate(),
            Err(FrameError::OddSize {
                format: PixelFormat::I420,
                width: 8,
                height: 3
            })
        );
        // Odd sizes are fine for packed formats.
        assert_eq!(
            Frame::packed(PixelFormat::Rgb8, &buf, 5, 3, 15, r, 0).validate(),
            Ok(())
        );
        // Strides.
        let nv = |ys, uvs| {
            Frame::semi_planar(PixelFormat::Nv12, &buf, ys, &buf, uvs, 8, 4, r, 0).validate()
        };
        assert_eq!(
            nv(6, 8),
            Err(FrameError::StrideTooSmall {
                plane: "y",
                stride: 6,
                min: 8
            })
        );
        assert_eq!(
            nv(8, 7),
            Err(FrameError::StrideTooSmall {
                plane: "uv",
                stride: 7,
                min: 8
            })
        );
        assert_eq!(nv(8, 8), Ok(()));
        assert_eq!(
            Frame::packed(PixelFormat::Bgra8, &buf, 8, 4, 30, r, 0).validate(),
            Err(FrameError::StrideTooSmall {
                plane: "packed",
                stride: 30,
                min: 32
            })
        );
        let planar =
            |us, vs, ps| Frame::planar(&buf, 8, &buf, us, &buf, vs, ps, 8, 4, r, 0).validate();
        assert_eq!(planar(4, 4, 1), Ok(()));
        assert_eq!(
            planar(3, 4, 1),
            Err(FrameError::StrideTooSmall {
                plane: "u",
                stride: 3,
                min: 4
            })
        );
        assert_eq!(
            planar(8, 6, 2),
            Err(FrameError::StrideTooSmall {
                plane: "v",
                stride: 6,
                min: 7
            })
        );
        assert_eq!(planar(8, 8, 2), Ok(()));
        // Pixel strides.
        assert_eq!(
            planar(8, 8, 3),
            Err(FrameError::BadPixelStride {
                plane: "u",
                pixel_stride: 3,
                expected: "1 or 2"
            })
        );
        let mut f = Frame::nv21(&buf, 8, 4, r, 0);
        f.planes[1].pixel_stride = 1;
        assert_eq!(
            f.validate(),
            Err(FrameError::BadPixelStride {
                plane: "vu",
                pixel_stride: 1,
                expected: "2"
            })
        );
        f.planes[0].pixel_stride = 2;
        assert_eq!(
            f.validate(),
            Err(FrameError::BadPixelStride {
                plane: "y",
                pixel_stride: 2,
                expected: "1"
            })
        );
        let mut f = Frame::packed(PixelFormat::Rgba8, &buf, 8, 4, 32, r, 0);
        f.planes[0].pixel_stride = 3;
        assert_eq!(
            f.validate(),
            Err(FrameError::BadPixelStride {
                plane: "packed",
                pixel_stride: 3,
                expected: "4"
            })
        );
        let mut f = Frame::packed(PixelFormat::Rgb8, &buf, 8, 4, 24, r, 0);
        f.planes[0].pixel_stride = 4;
        assert_eq!(
            f.validate(),
            Err(FrameError::BadPixelStride {
                plane: "packed",
                pixel_stride: 4,
                expected: "3"
            })
        );
        // Plane lengths: the last row need not be padded.
        let y_ok = Frame::semi_planar(PixelFormat::Nv21, &buf[..38], 10, &buf[..16], 8, 8, 4, r, 0);
        assert_eq!(y_ok.validate(), Ok(()));
        let y_short =
            Frame::semi_planar(PixelFormat::Nv21, &buf[..37], 10, &buf[..16], 8, 8, 4, r, 0);
        assert_eq!(
            y_short.validate(),
            Err(FrameError::PlaneTooShort {
                plane: "y",
                len: 37,
                needed: 38
            })
        );
        assert_eq!(
            Frame::nv21(&buf[..8 * 4 + 15], 8, 4, r, 0).validate(),
            Err(FrameError::PlaneTooShort {
                plane: "vu",
                len: 15,
                needed: 16
            })
        );
        assert_eq!(
            Frame::i420(&buf[..8 * 4 + 8 + 7], 8, 4, r, 0).validate(),
            Err(FrameError::PlaneTooShort {
                plane: "v",
                len: 7,
                needed: 8
            })
        );
        assert_eq!(
            Frame::nv12(&buf[..10], 8, 4, r, 0).validate(),
            Err(FrameError::PlaneTooShort {
                plane: "y",
                len: 10,
                needed: 32
            })
        );
        // Android YUV_420_888: the last chroma row ends at its last sample.
        assert_eq!(
            Frame::planar(&buf, 8, &buf[..15], 8, &buf[1..16], 8, 2, 8, 4, r, 0).validate(),
            Ok(())
        );
        assert_eq!(
            Frame::planar(&buf, 8, &buf[..14], 8, &buf[1..16], 8, 2, 8, 4, r, 0).validate(),
            Err(FrameError::PlaneTooShort {
                plane: "u",
                len: 14,
                needed: 15
            })
        );
        assert_eq!(
            Frame::packed(PixelFormat::Rgba8, &buf, 8, 4, 32, r, 0).validate(),
            Ok(())
        );
        assert_eq!(
            Frame::packed(PixelFormat::Rgba8, &buf[..127], 8, 4, 32, r, 0).validate(),
            Err(FrameError::PlaneTooShort {
                plane: "packed",
                len: 127,
                needed: 128
            })
        );
        // Overflow.
        assert_eq!(
            Frame::packed(PixelFormat::Rgba8, &buf, 8, 3, usize::MAX, r, 0).validate(),
            Err(FrameError::SizeOverflow {
                width: 8,
                height: 3
            })
        );
        assert_eq!(
            Frame::semi_planar(PixelFormat::Nv21, &buf, 8, &buf, usize::MAX / 2, 8, 6, r, 0)
                .validate(),
            Err(FrameError::SizeOverflow {
                width: 8,
                height: 6
            })
        );
    }

    #[test]
    fn converter_rejects_bad_inputs() {
        let data = vec![16u8; (W * H * 3 / 2) as usize];
        let frame = Frame::nv21(&data, W, H, Rotation::Deg0, 0);
        let mut small = Converter::new(16, 16, ColorRange::Limited);
        let mut t = vec![0.0f32; 3 * 8 * 8];
        let too_large = FrameError::TooLarge {
            width: W,
            height: H,
            max_width: 16,
            max_height: 16,
        };
        assert_eq!(
            small.tensor_from_frame(&frame, &mut t, 8, 8),
            Err(too_large.clone())
        );
        let region = Region {
            x: 0,
            y: 0,
            width: 8,
            height: 8,
        };
        assert_eq!(
            small.tensor_from_region(&frame, region, &mut t, 8, 8),
            Err(too_large.clone())
        );
        let mut rgb = vec![0u8; (W * H * 3) as usize];
        assert_eq!(small.rgb_from_frame(&frame, &mut rgb), Err(too_large));
        // Either orientation fits.
        let mut conv = Converter::new(H, W, ColorRange::Limited);
        assert!(conv.tensor_from_frame(&frame, &mut t, 8, 8).is_ok());
        let bad = Frame::nv21(&data, W + 1, H, Rotation::Deg0, 0);
        assert_eq!(
            conv.tensor_from_frame(&bad, &mut t, 8, 8),
            Err(FrameError::OddSize {
                format: PixelFormat::Nv21,
                width: W + 1,
                height: H
            })
        );
        assert_eq!(
            conv.tensor_from_frame(&frame, &mut t, 8, 9),
            Err(FrameError::DestinationTooSmall {
                what: "tensor",
                len: 192,
                needed: 216
            })
        );
        assert_eq!(
            conv.tensor_from_frame(&frame, &mut t, 0, 8),
            Err(FrameError::ZeroSize {
                width: 0,
                height: 8
            })
        );
        assert_eq!(
            conv.rgb_from_frame(&frame, &mut rgb[..100]),
            Err(FrameError::DestinationTooSmall {
                what: "rgb",
                len: 100,
                needed: 2304
            })
        );
        let empty = |x, y, width, height| {
            let region = Region {
                x,
                y,
                width,
                height,
            };
            let expected = FrameError::EmptyRegion {
                x,
                y,
                width,
                height,
                frame_width: W,
                frame_height: H,
            };
            (region, expected)
        };
        let mut conv = Converter::new(W, H, ColorRange::Limited);
        for (x, y, w, h) in [
            (0, 0, 0, 8),
            (0, 0, 8, 0),
            (-8, 0, 8, 8),
            (W as i32, 0, 8, 8),
            (0, -9, 8, 8),
            (0, H as i32, 4, 4),
        ] {
            let (region, expected) = empty(x, y, w, h);
            assert_eq!(
                conv.tensor_from_region(&frame, region, &mut t, 8, 8),
                Err(expected)
            );
        }
        // Rotated: the region is checked against the upright size.
        let rotated = Frame::nv21(&data, W, H, Rotation::Deg90, 0);
        let region = Region {
            x: H as i32,
            y: 0,
            width: 4,
            height: 4,
        };
        assert_eq!(
            conv.tensor_from_region(&rotated, region, &mut t, 8, 8),
            Err(FrameError::EmptyRegion {
                x: H as i32,
                y: 0,
                width: 4,
                height: 4,
                frame_width: H,
                frame_height: W,
            })
        );
    }

    /// A test encoding: name, format, planes, row strides, pixel stride of the last plane.
    type Encoding = (&'static str, PixelFormat, Vec<Vec<u8>>, [usize; 3], usize);

    /// Every encoding of the test image, with a name.
    fn encodings(rgb: &[u8]) -> Vec<Encoding> {
        let (y, u, v) = encode(rgb, W, H);
        let (w, cw) = (W as usize, W as usize / 2);
        let uv = interleave(&u, &v);
        let vu = interleave(&v, &u);
        let rgba: Vec<u8> = rgb
            .chunks(3)
            .flat_map(|p| [p[0], p[1], p[2], 255])
            .collect();
        let bgra: Vec<u8> = rgb.chunks(3).flat_map(|p| [p[2], p[1], p[0], 7]).collect();
        vec![
            (
                "nv21",
                PixelFormat::Nv21,
                vec![y.clone(), vu.clone()],
                [w, w, 0],
                2,
            ),
            (
                "nv12",
                PixelFormat::Nv12,
                vec![y.clone(), uv.clone()],
                [w, w, 0],
                2,
            ),
            (
                "i420",
                PixelFormat::I420,
                vec![y.clone(), u.clone(), v.clone()],
                [w, cw, cw],
                1,
            ),
            (
                "nv21 padded",
                PixelFormat::Nv21,
                vec![pad(&y, w, w + 8), pad(&vu, w, w + 4)],
                [w + 8, w + 4, 0],
                2,
            ),
            (
                "i420 padded",
                PixelFormat::I420,
                vec![pad(&y, w, w + 3), pad(&u, cw, cw + 5), pad(&v, cw, cw + 1)],
                [w + 3, cw + 5, cw + 1],
                1,
            ),
            // YUV_420_888 with interleaved chroma: U and V from one buffer, offset by 1.
            (
                "yuv_420_888",
                PixelFormat::I420,
                vec![y.clone(), pad(&uv, w, w + 4)],
                [w, w + 4, w + 4],
                2,
            ),
            (
                "rgba",
                PixelFormat::Rgba8,
                vec![rgba.clone()],
                [4 * w, 0, 0],
                4,
            ),
            (
                "bgra padded",
                PixelFormat::Bgra8,
                vec![pad(&bgra, 4 * w, 4 * w + 12)],
                [4 * w + 12, 0, 0],
                4,
            ),
            (
                "rgb",
                PixelFormat::Rgb8,
                vec![rgb.to_vec()],
                [3 * w, 0, 0],
                3,
            ),
            (
                "rgb padded",
                PixelFormat::Rgb8,
                vec![pad(rgb, 3 * w, 3 * w + 2)],
                [3 * w + 2, 0, 0],
                3,
            ),
        ]
    }

    fn make_frame<'a>(
        name: &str,
        format: PixelFormat,
        planes: &'a [Vec<u8>],
        strides: [usize; 3],
        ps: usize,
        rotation: Rotation,
    ) -> Frame<'a> {
        match format {
            PixelFormat::Nv21 | PixelFormat::Nv12 => Frame::semi_planar(
                format, &planes[0], strides[0], &planes[1], strides[1], W, H, rotation, 0,
            ),
            PixelFormat::I420 if name == "yuv_420_888" => {
                let c = &planes[1];
                Frame::planar(
                    &planes[0],
                    strides[0],
                    &c[..c.len() - 1],
                    strides[1],
                    &c[1..],
                    strides[2],
                    ps,
                    W,
                    H,
                    rotation,
                    0,
                )
            }
            PixelFormat::I420 => Frame::planar(
                &planes[0], strides[0], &planes[1], strides[1], &planes[2], strides[2], ps, W, H,
                rotation, 0,
            ),
            _ => Frame::packed(format, &planes[0], W, H, strides[0], rotation, 0),
        }
    }

    #[test]
    fn all_formats_convert_to_the_same_rgb() {
        let rgb = test_image(W, H);
        let mut conv = Converter::new(W, H, ColorRange::Limited);
        let contiguous = {
            let (y, u, v) = encode(&rgb, W, H);
            [y.clone(), interleave(&v, &u)].concat()
        };
        let reference = tensor_of(
            &mut conv,
            &Frame::nv21(&contiguous, W, H, Rotation::Deg0, 0),
            W,
            H,
        )
        .0;
        for (name, format, planes, strides, ps) in encodings(&rgb) {
            let frame = make_frame(name, format, &planes, strides, ps, Rotation::Deg0);
            assert_eq!(frame.validate(), Ok(()), "{name}");
            let (t, m) = tensor_of(&mut conv, &frame, W, H);
            assert_eq!(
                m,
                TensorMapping {
                    origin_x: 0.0,
                    origin_y: 0.0,
                    scale_x: 1.0,
                    scale_y: 1.0
                }
            );
            let out = rgb_of(&mut conv, &frame);
            let tol = if format.is_yuv() { YUV_TOLERANCE } else { 0.0 };
            for y in 0..H {
                for x in 0..W {
                    let want = px(&rgb, W, x, y);
                    let got = tensor_px(&t, W, H, x, y);
                    assert!(
                        close(got, want, tol),
                        "{name} tensor ({x},{y}): {got:?} vs {want:?}"
                    );
                    let got8 = px(&out, W, x, y);
                    assert!(
                        close(got8, want, tol + 0.5),
                        "{name} rgb ({x},{y}): {got8:?} vs {want:?}"
                    );
                    if format.is_yuv() {
                        let r = tensor_px(&reference, W, H, x, y);
                        assert!(close(got, r, SAME_TOLERANCE), "{name} vs nv21 ({x},{y})");
                    }
                }
            }
        }
        // The contiguous helpers agree with the explicit constructors.
        let (y, u, v) = encode(&rgb, W, H);
        let i420 = [y.clone(), u.clone(), v.clone()].concat();
        let nv12 = [y.clone(), interleave(&u, &v)].concat();
        for frame in [
            Frame::i420(&i420, W, H, Rotation::Deg0, 0),
            Frame::nv12(&nv12, W, H, Rotation::Deg0, 0),
        ] {
            let t = tensor_of(&mut conv, &frame, W, H).0;
            assert!(t
                .iter()
                .zip(&reference)
                .all(|(a, b)| (a - b).abs() <= SAME_TOLERANCE));
        }
    }

    #[test]
    fn full_range_differs_from_limited() {
        let data = [
            vec![16u8; (W * H) as usize],
            vec![128u8; (W * H / 2) as usize],
        ]
        .concat();
        let frame = Frame::nv21(&data, W, H, Rotation::Deg0, 0);
        let limited = tensor_of(&mut Converter::new(W, H, ColorRange::Limited), &frame, W, H).0;
        let full = tensor_of(&mut Converter::new(W, H, ColorRange::Full), &frame, W, H).0;
        assert!(limited.iter().all(|&v| v.abs() < 1e-3));
        assert!(full.iter().all(|&v| (v - 16.0).abs() < 1e-3));
    }

    #[test]
    fn region_at_native_scale_equals_full_conversion() {
        let rgb = test_image(W, H);
        let mut conv = Converter::new(W, H, ColorRange::Limited);
        for (name, format, planes, strides, ps) in encodings(&rgb) {
            for rotation in [
                Rotation::Deg0,
                Rotation::Deg90,
                Rotation::Deg180,
                Rotation::Deg270,
            ] {
                let frame = make_frame(name, format, &planes, strides, ps, rotation);
                let (uw, uh) = frame.upright_size();
                let (full, _) = tensor_of(&mut conv, &frame, uw, uh);
                let region = Region {
                    x: 5,
                    y: 3,
                    width: 11,
                    height: 9,
                };
                let mut t = vec![f32::NAN; 3 * 11 * 9];
                let m = conv
                    .tensor_from_region(&frame, region, &mut t, 11, 9)
                    .unwrap();
                assert_eq!(
                    m,
                    TensorMapping {
                        origin_x: 5.0,
                        origin_y: 3.0,
                        scale_x: 1.0,
                        scale_y: 1.0
                    }
                );
                for y in 0..9 {
                    for x in 0..11 {
                        let got = tensor_px(&t, 11, 9, x, y);
                        let want = tensor_px(&full, uw, uh, x + 5, y + 3);
                        assert!(
                            close(got, want, SAME_TOLERANCE),
                            "{name} {rotation:?} ({x},{y}): {got:?} vs {want:?}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn rotated_conversion_is_the_rotated_upright_conversion() {
        let rgb = test_image(W, H);
        let mut conv = Converter::new(W, H, ColorRange::Limited);
        for (name, format, planes, strides, ps) in encodings(&rgb) {
            let upright = make_frame(name, format, &planes, strides, ps, Rotation::Deg0);
            let (t0, _) = tensor_of(&mut conv, &upright, W, H);
            let rgb0 = rgb_of(&mut conv, &upright);
            for rotation in [Rotation::Deg90, Rotation::Deg180, Rotation::Deg270] {
                let frame = make_frame(name, format, &planes, strides, ps, rotation);
                let (uw, uh) = frame.upright_size();
                let (t, _) = tensor_of(&mut conv, &frame, uw, uh);
                let out = rgb_of(&mut conv, &frame);
                for by in 0..H {
                    for bx in 0..W {
                        let (x, y) = match rotation {
                            Rotation::Deg0 => (bx, by),
                            Rotation::Deg90 => (H - 1 - by, bx),
                            Rotation::Deg180 => (W - 1 - bx, H - 1 - by),
                            Rotation::Deg270 => (by, W - 1 - bx),
                        };
                        let want = tensor_px(&t0, W, H, bx, by);
                        let got = tensor_px(&t, uw, uh, x, y);
                        assert!(
                            close(got, want, SAME_TOLERANCE),
                            "{name} {rotation:?} ({bx},{by})"
                        );
                        assert_eq!(
                            px(&out, uw, x, y),
                            px(&rgb0, W, bx, by),
                            "{name} {rotation:?}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn region_outside_the_frame_is_padded_with_zero() {
        let rgb = test_image(W, H);
        let mut conv = Converter::new(W, H, ColorRange::Limited);
        let frame = Frame::packed(
            PixelFormat::Rgb8,
            &rgb,
            W,
            H,
            3 * W as usize,
            Rotation::Deg0,
            0,
        );
        for (rx, ry) in [(-8, -4), (24, 20), (-3, 18)] {
            let region = Region {
                x: rx,
                y: ry,
                width: 16,
                height: 16,
            };
            let mut t = vec![f32::NAN; 3 * 16 * 16];
            conv.tensor_from_region(&frame, region, &mut t, 16, 16)
                .unwrap();
            for y in 0..16 {
                for x in 0..16 {
                    let (fx, fy) = (rx + x as i32, ry + y as i32);
                    let got = tensor_px(&t, 16, 16, x, y);
                    let want = if fx < 0 || fy < 0 || fx >= W as i32 || fy >= H as i32 {
                        [0.0; 3]
                    } else {
                        px(&rgb, W, fx as u32, fy as u32)
                    };
                    assert_eq!(got, want, "region ({rx},{ry}) pixel ({x},{y})");
                }
            }
        }
        // Downscaled region partly outside: outside part is exactly 0, inside is not.
        let region = Region {
            x: -16,
            y: 0,
            width: 32,
            height: 24,
        };
        let mut t = vec![f32::NAN; 3 * 8 * 6];
        let m = conv
            .tensor_from_region(&frame, region, &mut t, 8, 6)
            .unwrap();
        assert_eq!(m.scale_x, 4.0);
        for y in 0..6 {
            for x in 0..8 {
                let v = tensor_px(&t, 8, 6, x, y);
                if x < 4 {
                    assert_eq!(v, [0.0; 3]);
                } else {
                    assert!(v.iter().all(|&c| c > 20.0), "({x},{y}) {v:?}");
                }
            }
        }
    }

    /// Brightness-weighted centroid of the R plane, in continuous tensor coordinates.
    fn centroid(t: &[f32], w: u32, h: u32, threshold: f32) -> (f32, f32) {
        let (mut sx, mut sy, mut s) = (0.0, 0.0, 0.0);
        for y in 0..h {
            for x in 0..w {
                let v = t[(y * w + x) as usize];
                if v > threshold {
                    sx += v * (x as f32 + 0.5);
                    sy += v * (y as f32 + 0.5);
                    s += v;
                }
            }
        }
        assert!(s > 0.0, "no bright pixel");
        (sx / s, sy / s)
    }

    #[test]
    fn letterbox_mapping_round_trip() {
        // 64x32 black RGBA with a white 3x3 dot centred at frame (40.5, 10.5).
        let (w, h) = (64u32, 32u32);
        let mut rgba = vec![0u8; (w * h * 4) as usize];
        for y in 9..12 {
            for x in 39..42 {
                let i = ((y * w + x) * 4) as usize;
                rgba[i..i + 4].copy_from_slice(&[255, 255, 255, 255]);
            }
        }
        let frame = Frame::packed(
            PixelFormat::Rgba8,
            &rgba,
            w,
            h,
            4 * w as usize,
            Rotation::Deg0,
            0,
        );
        let mut conv = Converter::new(w, h, ColorRange::Limited);
        let (t, m) = tensor_of(&mut conv, &frame, 32, 32);
        assert_eq!(
            m,
            TensorMapping {
                origin_x: 0.0,
                origin_y: -16.0,
                scale_x: 2.0,
                scale_y: 2.0
            }
        );
        // Pad rows are exactly 0.
        for y in (0..8).chain(24..32) {
            for x in 0..32 {
                assert_eq!(tensor_px(&t, 32, 32, x, y), [0.0; 3]);
            }
        }
        let (cx, cy) = centroid(&t, 32, 32, 1.0);
        assert!(
            (cx - 20.25).abs() < 0.3 && (cy - 13.25).abs() < 0.3,
            "({cx},{cy})"
        );
        let (fx, fy) = m.to_frame(cx, cy);
        assert!((fx - 40.5).abs() <= 0.5 * m.scale_x && (fy - 10.5).abs() <= 0.5 * m.scale_y);
        let (tx, ty) = m.to_tensor(fx, fy);
        assert!((tx - cx).abs() < 1e-4 && (ty - cy).abs() < 1e-4);
        // Tall destination: pad columns.
        let (t, m) = tensor_of(&mut conv, &frame, 16, 32);
        assert_eq!(
            m,
            TensorMapping {
                origin_x: 0.0,
                origin_y: -48.0,
                scale_x: 4.0,
                scale_y: 4.0
            }
        );
        let (cx, cy) = centroid(&t, 16, 32, 1.0);
        let (fx, fy) = m.to_frame(cx, cy);
        assert!(
            (fx - 40.5).abs() <= 0.5 * m.scale_x && (fy - 10.5).abs() <= 0.5 * m.scale_y,
            "({fx},{fy})"
        );
    }

    #[test]
    fn rotations_put_a_dot_at_the_upright_position() {
        let (w, h) = (W, H);
        // RGBA with one white pixel at buffer (7, 5); NV21 with a white 2x2 block at (6..8, 4..6).
        let (bx, by) = (7u32, 5u32);
        let mut rgba = vec![0u8; (w * h * 4) as usize];
        let i = ((by * w + bx) * 4) as usize;
        rgba[i..i + 4].copy_from_slice(&[255; 4]);
        let mut nv21 = [
            vec![16u8; (w * h) as usize],
            vec![128u8; (w * h / 2) as usize],
        ]
        .concat();
        for (x, y) in [(6, 4), (7, 4), (6, 5), (7, 5)] {
            nv21[(y * w + x) as usize] = 235;
        }
        let mut conv = Converter::new(w, h, ColorRange::Limited);
        for rotation in [
            Rotation::Deg0,
            Rotation::Deg90,
            Rotation::Deg180,
            Rotation::Deg270,
        ] {
            let (ux, uy) = match rotation {
                Rotation::Deg0 => (bx, by),
                Rotation::Deg90 => (h - 1 - by, bx),
                Rotation::Deg180 => (w - 1 - bx, h - 1 - by),
                Rotation::Deg270 => (by, w - 1 - bx),
            };
            let frame = Frame::packed(PixelFormat::Rgba8, &rgba, w, h, 4 * w as usize, rotation, 0);
            let (uw, uh) = frame.upright_size();
            let out = rgb_of(&mut conv, &frame);
            for y in 0..uh {
                for x in 0..uw {
                    let want = if (x, y) == (ux, uy) { 255.0 } else { 0.0 };
                    assert_eq!(px(&out, uw, x, y), [want; 3], "{rotation:?} ({x},{y})");
                }
            }
            // A native-scale region around the dot has it 3 px in.
            let region = Region {
                x: ux as i32 - 3,
                y: uy as i32 - 3,
                width: 8,
                height: 8,
            };
            let mut t = vec![f32::NAN; 3 * 64];
            conv.tensor_from_region(&frame, region, &mut t, 8, 8)
                .unwrap();
            assert_eq!(tensor_px(&t, 8, 8, 3, 3), [255.0; 3], "{rotation:?}");
            assert_eq!(t.iter().filter(|&&v| v != 0.0).count(), 3, "{rotation:?}");
            // Letterboxed and downscaled, the dot maps back to its upright position.
            let (t, m) = tensor_of(&mut conv, &frame, 16, 16);
            let (cx, cy) = centroid(&t, 16, 16, 1.0);
            let (fx, fy) = m.to_frame(cx, cy);
            assert!(
                (fx - (ux as f32 + 0.5)).abs() <= 0.5 * m.scale_x
                    && (fy - (uy as f32 + 0.5)).abs() <= 0.5 * m.scale_y,
                "{rotation:?}: ({fx},{fy}) vs ({ux},{uy})"
            );
            // NV21: the 2x2 block centred at buffer (7, 5) in continuous coordinates.
            let frame = Frame::nv21(&nv21, w, h, rotation, 0);
            let (uw, uh) = frame.upright_size();
            let (t, m) = tensor_of(&mut conv, &frame, uw, uh);
            let (cx, cy) = centroid(&t, uw, uh, 128.0);
            let (ex, ey) = match rotation {
                Rotation::Deg0 => (7.0, 5.0),
                Rotation::Deg90 => (h as f32 - 5.0, 7.0),
                Rotation::Deg180 => (w as f32 - 7.0, h as f32 - 5.0),
                Rotation::Deg270 => (5.0, w as f32 - 7.0),
            };
            let (fx, fy) = m.to_frame(cx, cy);
            assert!(
                (fx - ex).abs() < 0.01 && (fy - ey).abs() < 0.01,
                "{rotation:?} nv21 ({fx},{fy}) vs ({ex},{ey})"
            );
        }
    }

    /// A grey 1080p NV21 frame with a white disc of `diameter` px centred at `(cx, cy)`.
    fn ball_frame(cx: f32, cy: f32, diameter: f32) -> Vec<u8> {
        let (w, h) = (1920usize, 1080usize);
        let mut data = vec![128u8; w * h * 3 / 2];
        for y in 0..h {
            for x in 0..w {
                let d = ((x as f32 + 0.5 - cx).powi(2) + (y as f32 + 0.5 - cy).powi(2)).sqrt();
                data[y * w + x] = if d <= diameter / 2.0 { 235 } else { 100 };
            }
        }
        data
    }

    #[test]
    fn small_ball_survives_the_whole_frame_downscale() {
        let data = ball_frame(1000.0, 600.0, 12.0);
        let frame = Frame::nv21(&data, 1920, 1080, Rotation::Deg0, 0);
        let mut conv = Converter::new(1920, 1080, ColorRange::Limited);
        let (t, m) = tensor_of(&mut conv, &frame, 512, 288);
        let background = tensor_px(&t, 512, 288, 10, 10)[1];
        let (tx, ty) = m.to_tensor(1000.0, 600.0);
        let peak = tensor_px(&t, 512, 288, tx as u32, ty as u32)[1];
        assert!(
            peak - background > 0.5 * (255.0 - background),
            "peak {peak} background {background}"
        );
        let (cx, cy) = centroid(&t, 512, 288, background + 20.0);
        let (fx, fy) = m.to_frame(cx, cy);
        assert!((fx - 1000.0).abs() < 0.5 * m.scale_x && (fy - 600.0).abs() < 0.5 * m.scale_y);
    }

    #[test]
    fn downscale_keeps_the_energy_of_a_tiny_dot() {
        // A 2x2 white dot on black, downscaled 3.75x at several sub-pixel phases: the filter is
        // area-aware, so the dot's total brightness is kept (point sampling would lose it).
        let (w, h) = (300u32, 150u32);
        let mut conv = Converter::new(w, h, ColorRange::Limited);
        for (dx, dy) in [(100, 50), (101, 50), (102, 51), (103, 53)] {
            let mut rgb = vec![0u8; (w * h * 3) as usize];
            for (x, y) in [(dx, dy), (dx + 1, dy), (dx, dy + 1), (dx + 1, dy + 1)] {
                let i = ((y * w + x) * 3) as usize;
                rgb[i..i + 3].copy_from_slice(&[255; 3]);
            }
            let frame = Frame::packed(
                PixelFormat::Rgb8,
                &rgb,
                w,
                h,
                3 * w as usize,
                Rotation::Deg0,
                0,
            );
            let (t, m) = tensor_of(&mut conv, &frame, 80, 40);
            let energy: f32 = t[..80 * 40].iter().sum::<f32>() * m.scale_x * m.scale_y;
            assert!(
                (energy / (4.0 * 255.0) - 1.0).abs() < 0.05,
                "dot at ({dx},{dy}): {energy}"
            );
        }
    }

    #[test]
    fn heap_is_reserved_up_front_and_stays() {
        let data = ball_frame(1000.0, 600.0, 12.0);
        let frame = Frame::nv21(&data, 1920, 1080, Rotation::Deg90, 0);
        let mut conv = Converter::new(1920, 1080, ColorRange::Limited);
        let before = conv.heap_bytes();
        assert!(before > 0);
        let mut t = vec![0.0; 3 * 512 * 288];
        conv.tensor_from_frame(&frame, &mut t, 288, 512).unwrap();
        conv.tensor_from_frame(&frame, &mut t, 512, 288).unwrap();
        let region = Region {
            x: 500,
            y: 900,
            width: 192,
            height: 192,
        };
        conv.tensor_from_region(&frame, region, &mut t, 192, 192)
            .unwrap();
        let region = Region {
            x: -100,
            y: 900,
            width: 1080,
            height: 1920,
        };
        conv.tensor_from_region(&frame, region, &mut t, 288, 512)
            .unwrap();
        let mut rgb = vec![0u8; 1920 * 1080 * 3];
        conv.rgb_from_frame(&frame, &mut rgb).unwrap();
        assert_eq!(conv.heap_bytes(), before);
    }
}
