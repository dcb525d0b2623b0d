//! Tests of the frame module: validation, the fused conversion of every format (4:2:0, 4:2:2,
//! RGB) and rotation, regions, the letterbox mapping, downscale quality and the preallocated heap.

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

/// BT.601 limited-range I420 planes of `rgb`: Y, then quarter-size U and V (chroma of the 2x2
/// average), as the synthetic renderer encodes its frames (with the colour module's encoder).
fn encode(rgb: &[u8], w: u32, h: u32) -> (Vec<u8>, Vec<u8>, Vec<u8>) {
    let (luma, chroma) = ((w * h) as usize, (w * h / 4) as usize);
    let mut i420 = vec![0u8; luma + 2 * chroma];
    ballcam_sim::i420_from_rgb(rgb, w, h, &mut i420).unwrap();
    let v = i420.split_off(luma + chroma);
    let u = i420.split_off(luma);
    (i420, u, v)
}

/// Packed 4:2:2 of I420 planes (each chroma row serves two luma rows): pixel pairs with their
/// bytes in `order` (indices into Y0, U, Y1, V).
fn packed_422(y: &[u8], u: &[u8], v: &[u8], w: u32, order: [usize; 4]) -> Vec<u8> {
    let (w, cw) = (w as usize, w as usize / 2);
    let mut out = Vec::with_capacity(y.len() * 2);
    for (r, row) in y.chunks(w).enumerate() {
        for (i, pair) in row.chunks(2).enumerate() {
            let c = (r / 2) * cw + i;
            let bytes = [pair[0], u[c], pair[1], v[c]];
            out.extend(order.map(|k| bytes[k]));
        }
    }
    out
}

/// Byte order of YUYV (Y0 U Y1 V) and UYVY (U Y0 V Y1) as indices into Y0, U, Y1, V.
const YUYV: [usize; 4] = [0, 1, 2, 3];
const UYVY: [usize; 4] = [1, 0, 3, 2];

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
    let nv =
        |ys, uvs| Frame::semi_planar(PixelFormat::Nv12, &buf, ys, &buf, uvs, 8, 4, r, 0).validate();
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
    let planar = |us, vs, ps| Frame::planar(&buf, 8, &buf, us, &buf, vs, ps, 8, 4, r, 0).validate();
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
    let y_short = Frame::semi_planar(PixelFormat::Nv21, &buf[..37], 10, &buf[..16], 8, 8, 4, r, 0);
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
        Frame::semi_planar(PixelFormat::Nv21, &buf, 8, &buf, usize::MAX / 2, 8, 6, r, 0).validate(),
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
    let yuyv = packed_422(&y, &u, &v, W, YUYV);
    let uyvy = packed_422(&y, &u, &v, W, UYVY);
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
            "yuyv",
            PixelFormat::Yuyv,
            vec![yuyv.clone()],
            [2 * w, 0, 0],
            2,
        ),
        (
            "uyvy padded",
            PixelFormat::Uyvy,
            vec![pad(&uyvy, 2 * w, 2 * w + 6)],
            [2 * w + 6, 0, 0],
            2,
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
                // 4:2:2 interpolates its (duplicated) chroma rows differently.
                if format.chroma_subsampling() == (2, 2) {
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

#[test]
fn packed_422_validation_and_arithmetic() {
    let r = Rotation::Deg0;
    let buf = vec![128u8; 1024];
    // Even width, any height; rows of 2 bytes per pixel.
    let frame = |format, w, h, stride| Frame::packed(format, &buf, w, h, stride, r, 0);
    assert_eq!(frame(PixelFormat::Yuyv, 8, 3, 16).validate(), Ok(()));
    assert_eq!(
        frame(PixelFormat::Uyvy, 7, 4, 16).validate(),
        Err(FrameError::OddSize {
            format: PixelFormat::Uyvy,
            width: 7,
            height: 4
        })
    );
    assert_eq!(
        frame(PixelFormat::Yuyv, 8, 4, 15).validate(),
        Err(FrameError::StrideTooSmall {
            plane: "packed",
            stride: 15,
            min: 16
        })
    );
    assert_eq!(
        Frame::packed(PixelFormat::Yuyv, &buf[..63], 8, 4, 16, r, 0).validate(),
        Err(FrameError::PlaneTooShort {
            plane: "packed",
            len: 63,
            needed: 64
        })
    );
    let mut bad = frame(PixelFormat::Yuyv, 8, 4, 16);
    bad.planes[0].pixel_stride = 4;
    assert_eq!(
        bad.validate(),
        Err(FrameError::BadPixelStride {
            plane: "packed",
            pixel_stride: 4,
            expected: "2"
        })
    );
    assert_eq!(PixelFormat::Yuyv.plane_count(), 1);
    assert_eq!(PixelFormat::Uyvy.bytes_per_pixel(), 2);
    assert_eq!(PixelFormat::Yuyv.chroma_subsampling(), (2, 1));
    // One pair per row (a single chroma sample: every pixel gets it exactly), limited range.
    // Row 0: Y 16 / 235, neutral chroma: black, white. Row 1: Y 82, U 90, V 240 (red):
    // luma = (82 - 16) * 255/219 = 76.85, cb = (90 - 128) * 255/224 = -43.26,
    // cr = (240 - 128) * 255/224 = 127.5; R = 76.85 + 1.402 * 127.5 = 255.6 -> 255,
    // G = 76.85 + 0.344136 * 43.26 - 0.714136 * 127.5 = 0.69 -> 1, B = 76.85 - 1.772 * 43.26
    // = 0.19 -> 0.
    let yuyv = [16, 128, 235, 128, 82, 90, 82, 240];
    let uyvy = [128, 16, 128, 235, 90, 82, 240, 82];
    let want = [0, 0, 0, 255, 255, 255, 255, 1, 0, 255, 1, 0];
    let mut conv = Converter::new(2, 2, ColorRange::Limited);
    for (format, data) in [(PixelFormat::Yuyv, &yuyv), (PixelFormat::Uyvy, &uyvy)] {
        let frame = Frame::packed(format, data, 2, 2, 4, r, 0);
        let mut out = [0u8; 12];
        assert_eq!(conv.rgb_from_frame(&frame, &mut out), Ok((2, 2)));
        assert_eq!(out, want, "{format:?}");
    }
}
