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
//!
//! The module's API is here (the frame types, their validation, [`ColorRange`],
//! [`TensorMapping`]); the kernels are beside it, one concern per file: `convert.rs` (the
//! [`Converter`]: the fused convert-resample-rotate path), `resample.rs` (the separable
//! area-aware filter), `color.rs` (BT.601 both ways, public as [`color`]) and `rotate.rs`
//! (writing rows upright).

mod convert;
mod resample;
mod rotate;

pub mod color;

pub use crate::types::Region;
pub use convert::Converter;

use crate::error::FrameError;

/// Bytes per pixel of packed RGBA / BGRA.
const BYTES_PER_PIXEL_RGBA: usize = 4;
/// Bytes per pixel of packed RGB.
const BYTES_PER_PIXEL_RGB: usize = 3;
/// Bytes per luma or single chroma sample.
const BYTES_PER_SAMPLE: usize = 1;
/// Bytes of one interleaved chroma pair of NV12 / NV21.
const BYTES_PER_CHROMA_PAIR: usize = 2;
/// Bytes per pixel of packed 4:2:2 YUV (YUYV / UYVY: one luma byte and half a chroma pair).
const BYTES_PER_PIXEL_YUV422: usize = 2;
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

/// Pixel layout of a frame's planes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
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
    /// Packed YUV 4:2:2, bytes Y0 U Y1 V per pixel pair (V4L2 `YUYV`, `YUY2`: what webcams
    /// deliver). Needs an even width.
    Yuyv,
    /// Packed YUV 4:2:2, bytes U Y0 V Y1 per pixel pair (`UYVY`, `2vuy`). Needs an even width.
    Uyvy,
}

impl PixelFormat {
    /// Number of planes the format uses (the rest of [`Frame::planes`] is ignored).
    pub fn plane_count(self) -> usize {
        match self {
            PixelFormat::Nv21 | PixelFormat::Nv12 => 2,
            PixelFormat::I420 => 3,
            PixelFormat::Rgba8
            | PixelFormat::Bgra8
            | PixelFormat::Rgb8
            | PixelFormat::Yuyv
            | PixelFormat::Uyvy => 1,
        }
    }

    /// Whether the format is YUV (converted to RGB with BT.601; its chroma may be subsampled,
    /// see [`PixelFormat::chroma_subsampling`]).
    pub fn is_yuv(self) -> bool {
        matches!(
            self,
            PixelFormat::Nv21
                | PixelFormat::Nv12
                | PixelFormat::I420
                | PixelFormat::Yuyv
                | PixelFormat::Uyvy
        )
    }

    /// Horizontal and vertical chroma subsampling factors: 2 x 2 for 4:2:0, 2 x 1 for 4:2:2,
    /// 1 x 1 for RGB. The frame's width and height must be multiples of them.
    pub fn chroma_subsampling(self) -> (u32, u32) {
        let sub = CHROMA_SUBSAMPLING as u32;
        match self {
            PixelFormat::Nv21 | PixelFormat::Nv12 | PixelFormat::I420 => (sub, sub),
            PixelFormat::Yuyv | PixelFormat::Uyvy => (sub, 1),
            PixelFormat::Rgba8 | PixelFormat::Bgra8 | PixelFormat::Rgb8 => (1, 1),
        }
    }

    /// Bytes per pixel of a packed format; for YUV formats, bytes per luma sample (1).
    pub fn bytes_per_pixel(self) -> usize {
        match self {
            PixelFormat::Rgba8 | PixelFormat::Bgra8 => BYTES_PER_PIXEL_RGBA,
            PixelFormat::Rgb8 => BYTES_PER_PIXEL_RGB,
            PixelFormat::Yuyv | PixelFormat::Uyvy => BYTES_PER_PIXEL_YUV422,
            PixelFormat::Nv21 | PixelFormat::Nv12 | PixelFormat::I420 => BYTES_PER_SAMPLE,
        }
    }
}

/// Clockwise rotation that turns the buffer upright (the sensor orientation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
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
    /// A packed frame (`Rgba8`, `Bgra8`, `Rgb8`, `Yuyv` or `Uyvy`) of `row_stride` bytes per
    /// row.
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
        let (sub_x, sub_y) = self.format.chroma_subsampling();
        if width % sub_x != 0 || height % sub_y != 0 {
            return Err(FrameError::OddSize {
                format: self.format,
                width,
                height,
            });
        }
        if self.format.plane_count() == 1 {
            let bpp = self.format.bytes_per_pixel();
            let (pixel_strides, expected): (&'static [usize], _) = match bpp {
                BYTES_PER_PIXEL_RGBA => (&[BYTES_PER_PIXEL_RGBA], "4"),
                BYTES_PER_PIXEL_RGB => (&[BYTES_PER_PIXEL_RGB], "3"),
                _ => (&[BYTES_PER_PIXEL_YUV422], "2"),
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
pub enum ColorRange {
    /// Video range: Y in 16..235, chroma in 16..240.
    #[default]
    Limited,
    /// Full (JFIF) range: Y and chroma in 0..255.
    Full,
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

#[cfg(test)]
mod tests;
