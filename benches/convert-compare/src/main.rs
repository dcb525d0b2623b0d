//! Side-by-side timing of the core's fused NV21 -> RGB f32 tensor path
//! (`ballcam_core::testing::Converter`: one pass, only the needed source pixels) against the
//! two-library pipeline it would otherwise be: yuvutils-rs (NV21 -> RGB8, BT.601 limited) then
//! fast_image_resize (bilinear convolution, area-aware like the core's filter) then the
//! RGB8 -> CHW f32 copy the detector needs.
//!
//! Run: `cargo run --release --manifest-path benches/convert-compare/Cargo.toml` (its own
//! workspace; CI never builds it). Both pipelines run alternately, `REPS` times each per case;
//! the figures are medians.

use std::hint::black_box;
use std::time::Instant;

use ballcam_core::{ColorRange, Frame, Rotation};
use ballcam_core::testing::{Converter, Region};
use fast_image_resize::images::{Image, ImageRef};
use fast_image_resize::{FilterType, PixelType, ResizeAlg, ResizeOptions, Resizer};
use yuvutils_rs::{
    yuv_nv21_to_rgb, YuvBiPlanarImage, YuvConversionMode, YuvRange, YuvStandardMatrix,
};

/// Source frame size.
const W: u32 = 1920;
const H: u32 = 1080;
/// Timed runs per pipeline and case.
const REPS: usize = 200;
/// Untimed runs first.
const WARMUP: usize = 20;
/// RGB channels.
const CHANNELS: usize = 3;

/// One case: a region of the frame (even origin and size) resized into a tensor.
struct Case {
    name: &'static str,
    region: Region,
    out_w: u32,
    out_h: u32,
}

/// The two-library pipeline's buffers.
struct Libs {
    region: Vec<u8>,
    rgb: Vec<u8>,
    small: Image<'static>,
    resizer: Resizer,
}

/// yuvutils-rs on the region's planes, fast_image_resize, then RGB8 HWC -> f32 CHW.
fn libs(nv21: &[u8], case: &Case, l: &mut Libs, tensor: &mut [f32]) {
    let (w, h) = (W as usize, H as usize);
    let r = case.region;
    let (x0, y0) = (r.x as usize, r.y as usize);
    let (rw, rh) = (r.width, r.height);
    // yuvutils-rs 0.8 wants the chroma plane exactly `width` wide (no row padding), so a
    // region is first copied out of the frame (part of the libraries' cost).
    let (rwu, rhu) = (rw as usize, rh as usize);
    let (y_plane, uv_plane): (&[u8], &[u8]) = if (rwu, rhu) == (w, h) {
        nv21.split_at(w * h)
    } else {
        let (ys, uvs) = l.region.split_at_mut(rwu * rhu);
        for (row, dst) in ys.chunks_exact_mut(rwu).enumerate() {
            let at = (y0 + row) * w + x0;
            dst.copy_from_slice(&nv21[at..at + rwu]);
        }
        for (row, dst) in uvs[..rwu * rhu / 2].chunks_exact_mut(rwu).enumerate() {
            let at = w * h + (y0 / 2 + row) * w + x0;
            dst.copy_from_slice(&nv21[at..at + rwu]);
        }
        (&ys[..], &uvs[..rwu * rhu / 2])
    };
    let image = YuvBiPlanarImage {
        y_plane,
        y_stride: rw,
        uv_plane,
        uv_stride: rw,
        width: rw,
        height: rh,
    };
    let stride = rw * CHANNELS as u32;
    let rgb = &mut l.rgb[..(rw * rh) as usize * CHANNELS];
    yuv_nv21_to_rgb(
        &image,
        rgb,
        stride,
        YuvRange::Limited,
        YuvStandardMatrix::Bt601,
        YuvConversionMode::Balanced,
    )
    .expect("yuvutils");
    let src = ImageRef::new(rw, rh, rgb, PixelType::U8x3).expect("image");
    let options = ResizeOptions::new().resize_alg(ResizeAlg::Convolution(FilterType::Bilinear));
    l.resizer
        .resize(&src, &mut l.small, &options)
        .expect("resize");
    let plane = (case.out_w * case.out_h) as usize;
    let (pr, rest) = tensor.split_at_mut(plane);
    let (pg, pb) = rest.split_at_mut(plane);
    for (i, px) in l.small.buffer().chunks_exact(CHANNELS).enumerate() {
        pr[i] = f32::from(px[0]);
        pg[i] = f32::from(px[1]);
        pb[i] = f32::from(px[2]);
    }
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

fn main() {
    let mut rgb = vec![0u8; (W * H) as usize * CHANNELS];
    let spec = ballcam_sim::ClipSpec::new(ballcam_sim::Scenario::Match, W, H, 30.0, 1.0, 7);
    ballcam_sim::Clip::new(spec)
        .expect("clip")
        .render_rgb(10, &mut rgb)
        .expect("render");
    let mut nv21 = vec![0u8; (W * H * 3 / 2) as usize];
    ballcam_sim::nv21_from_rgb(&rgb, W, H, &mut nv21).expect("nv21");
    let frame = Frame::nv21(&nv21, W, H, Rotation::Deg0, 0);
    let cases = [
        Case {
            name: "ROI 384x384 -> 192x192",
            region: Region {
                x: 800,
                y: 400,
                width: 384,
                height: 384,
            },
            out_w: 192,
            out_h: 192,
        },
        Case {
            name: "ROI 192x192 -> 192x192 (native)",
            region: Region {
                x: 800,
                y: 400,
                width: 192,
                height: 192,
            },
            out_w: 192,
            out_h: 192,
        },
        Case {
            name: "full 1920x1080 -> 512x288",
            region: Region {
                x: 0,
                y: 0,
                width: W,
                height: H,
            },
            out_w: 512,
            out_h: 288,
        },
    ];
    let mut conv = Converter::new(W, H, ColorRange::Limited);
    println!(
        "{:<34} {:>12} {:>12} {:>8}",
        "case", "core us", "libs us", "libs/core"
    );
    for case in &cases {
        let mut tensor = vec![0f32; (case.out_w * case.out_h) as usize * CHANNELS];
        let mut other = tensor.clone();
        let mut l = Libs {
            region: vec![0u8; (W * H * 3 / 2) as usize],
            rgb: vec![0u8; (W * H) as usize * CHANNELS],
            small: Image::new(case.out_w, case.out_h, PixelType::U8x3),
            resizer: Resizer::new(),
        };
        let (mut t_core, mut t_libs) = (Vec::new(), Vec::new());
        for i in 0..WARMUP + REPS {
            let t0 = Instant::now();
            conv.tensor_from_region(&frame, case.region, &mut tensor, case.out_w, case.out_h)
                .expect("core");
            black_box(&tensor);
            let t1 = Instant::now();
            libs(&nv21, case, &mut l, &mut other);
            black_box(&other);
            let t2 = Instant::now();
            if i >= WARMUP {
                t_core.push((t1 - t0).as_secs_f64() * 1e6);
                t_libs.push((t2 - t1).as_secs_f64() * 1e6);
            }
        }
        // The two agree up to their filters' and roundings' differences.
        let mean_diff = tensor
            .iter()
            .zip(&other)
            .map(|(a, b)| f64::from((a - b).abs()))
            .sum::<f64>()
            / tensor.len() as f64;
        let (c, o) = (median(&mut t_core), median(&mut t_libs));
        println!(
            "{:<34} {:>12.1} {:>12.1} {:>8.2}   (mean |diff| {:.2})",
            case.name,
            c,
            o,
            o / c,
            mean_diff
        );
    }
}
