//! Frame ingestion and the whole engine: arbitrary formats, sizes, row strides, pixel strides,
//! rotations, plane lengths (overlapping or not) and timestamps go to `Frame::validate` and a
//! sequence of `Engine::process` calls on one engine (with aspect changes, resets and injected
//! detector costs, stalls included). Checked: no panic; every result lies inside its frame; after
//! any sequence, the same engine gives a result for a good frame.
#![no_main]

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use arbitrary::Arbitrary;
use ballcam_core::InputSize;
use ballcam_core::Plane;
use ballcam_core::{AspectRatio, Config, Engine, Frame, PixelFormat, Preset, Rotation};
use libfuzzer_sys::fuzz_target;

/// Largest frame side the fuzzing engine accepts.
const MAX_W: u32 = 320;
const MAX_H: u32 = 240;
/// Largest plane buffer built from one input, bytes.
const MAX_PLANE_BYTES: usize = 1 << 20;
/// Most frames per input.
const MAX_FRAMES: usize = 8;
/// Cost per detector input pixel when the input injects none, nanoseconds.
const NS_PER_PIXEL: u64 = 60;

const FORMATS: [PixelFormat; 8] = [
    PixelFormat::Nv21,
    PixelFormat::Nv12,
    PixelFormat::I420,
    PixelFormat::Rgba8,
    PixelFormat::Bgra8,
    PixelFormat::Rgb8,
    PixelFormat::Yuyv,
    PixelFormat::Uyvy,
];
const ROTATIONS: [Rotation; 4] = [
    Rotation::Deg0,
    Rotation::Deg90,
    Rotation::Deg180,
    Rotation::Deg270,
];

#[derive(Arbitrary, Debug)]
struct FrameSpec {
    format: u8,
    width: u16,
    height: u16,
    rotation: u8,
    /// 0: natural strides, 1: natural plus `strides`, else `strides` as they are.
    stride_mode: u8,
    strides: [u16; 3],
    /// 0: the format's pixel strides, else `pixel_strides` (0..=3).
    pixel_stride_mode: u8,
    pixel_strides: [u8; 3],
    /// 0: exactly the bytes needed, 1: that minus `lens`, else `lens` as they are.
    len_mode: u8,
    lens: [u32; 3],
    /// Planes are (possibly overlapping) views of one buffer starting at `offsets`.
    shared: bool,
    offsets: [u16; 3],
    /// 0: the previous timestamp plus `step`, 1: `timestamp` as it is.
    ts_mode: u8,
    step: u32,
    timestamp: i64,
    /// Detector cost injected for every run of this frame, microseconds (0: from the input size).
    cost_us: u32,
    aspect: Option<(u16, u16)>,
    reset: bool,
    fill: u8,
}

#[derive(Arbitrary, Debug)]
struct Input {
    frames: Vec<FrameSpec>,
}

struct Fixture {
    engine: Engine,
    cost: Arc<AtomicU64>,
}

static FIXTURE: Mutex<Option<Fixture>> = Mutex::new(None);

fn config() -> Config {
    let mut c = Config::preset(Preset::Phone30Fps);
    c.max_frame_width = MAX_W;
    c.max_frame_height = MAX_H;
    c.detector.full_input = InputSize::new(128, 96);
    c.detector.roi_input = InputSize::new(64, 64);
    c.detector.roi_small_input = InputSize::new(32, 32);
    c.detector.tile_input = InputSize::new(64, 64);
    c
}

fn fixture() -> Fixture {
    let mut engine = Engine::new(config()).expect("the fuzzing config is valid");
    let cost = Arc::new(AtomicU64::new(0));
    let injected = Arc::clone(&cost);
    engine.set_cost_model(Some(Box::new(move |_, input| {
        match injected.load(Ordering::Relaxed) {
            0 => u64::from(input.width) * u64::from(input.height) * NS_PER_PIXEL / 1_000,
            c => c,
        }
    })));
    Fixture { engine, cost }
}

/// Bytes one plane needs: (row stride, pixel stride, bytes of its last row, rows).
fn natural(format: PixelFormat, w: usize, h: usize) -> [(usize, usize, usize); 3] {
    let (cw, ch) = (w / 2, h / 2);
    match format {
        PixelFormat::Rgba8 | PixelFormat::Bgra8 => [(4 * w, 4, h), (0, 0, 0), (0, 0, 0)],
        PixelFormat::Rgb8 => [(3 * w, 3, h), (0, 0, 0), (0, 0, 0)],
        PixelFormat::Yuyv | PixelFormat::Uyvy => [(2 * w, 2, h), (0, 0, 0), (0, 0, 0)],
        PixelFormat::Nv21 | PixelFormat::Nv12 => [(w, 1, h), (2 * cw, 2, ch), (0, 0, 0)],
        PixelFormat::I420 => [(w, 1, h), (cw, 1, ch), (cw, 1, ch)],
    }
}

fn good_frame(buf: &[u8], ts: i64) -> Frame<'_> {
    Frame::nv21(buf, 64, 48, Rotation::Deg0, ts)
}

fuzz_target!(|input: Input| {
    let mut guard = FIXTURE.lock().unwrap_or_else(|e| e.into_inner());
    let fx = guard.get_or_insert_with(fixture);
    fx.engine.reset();
    fx.engine.set_aspect(AspectRatio::new(16, 9));
    let mut last_ts: Option<i64> = None;
    let mut owned: [Vec<u8>; 3] = Default::default();
    for spec in input.frames.iter().take(MAX_FRAMES) {
        let format = FORMATS[usize::from(spec.format) % FORMATS.len()];
        let rotation = ROTATIONS[usize::from(spec.rotation) % ROTATIONS.len()];
        let (w, h) = (usize::from(spec.width), usize::from(spec.height));
        let nat = natural(format, w, h);
        let mut planes = [(0usize, 0usize, 0usize); 3];
        for i in 0..3 {
            let (stride, ps, rows) = nat[i];
            let stride = match spec.stride_mode % 3 {
                0 => stride,
                1 => stride.saturating_add(usize::from(spec.strides[i])),
                _ => usize::from(spec.strides[i]),
            };
            let ps = if spec.pixel_stride_mode % 2 == 0 {
                ps
            } else {
                usize::from(spec.pixel_strides[i] % 4)
            };
            let needed = stride.saturating_mul(rows);
            let len = match spec.len_mode % 3 {
                0 => needed,
                1 => needed.saturating_sub(spec.lens[i] as usize % 64),
                _ => spec.lens[i] as usize,
            };
            planes[i] = (stride, ps, len.min(MAX_PLANE_BYTES));
        }
        let total: usize = if spec.shared {
            planes
                .iter()
                .zip(spec.offsets)
                .map(|(p, o)| p.2 + usize::from(o))
                .max()
                .unwrap_or(0)
        } else {
            0
        };
        let shared: Vec<u8> = (0..total)
            .map(|i| (i as u8).wrapping_mul(spec.fill))
            .collect();
        for (buf, p) in owned.iter_mut().zip(&planes) {
            buf.clear();
            buf.extend((0..p.2).map(|i| (i as u8) ^ spec.fill));
        }
        let views: [Plane; 3] = std::array::from_fn(|i| {
            let (stride, ps, len) = planes[i];
            let data: &[u8] = if spec.shared {
                let o = usize::from(spec.offsets[i]).min(shared.len());
                &shared[o..(o + len).min(shared.len())]
            } else {
                &owned[i]
            };
            Plane {
                data,
                row_stride: stride,
                pixel_stride: ps,
            }
        });
        let ts = match (spec.ts_mode % 2, last_ts) {
            (0, Some(prev)) => prev.saturating_add(i64::from(spec.step)),
            _ => spec.timestamp,
        };
        let frame = Frame {
            width: u32::from(spec.width),
            height: u32::from(spec.height),
            format,
            planes: views,
            rotation,
            timestamp_us: ts,
        };
        let _ = frame.validate();
        if let Some((aw, ah)) = spec.aspect {
            fx.engine
                .set_aspect(AspectRatio::new(u32::from(aw), u32::from(ah)));
        }
        if spec.reset {
            fx.engine.reset();
            last_ts = None;
        }
        fx.cost.store(u64::from(spec.cost_us), Ordering::Relaxed);
        if let Ok(r) = fx.engine.process(&frame) {
            last_ts = Some(ts);
            let (fw, fh) = (r.frame_width as f32, r.frame_height as f32);
            let c = r.crop;
            assert!(
                c.x >= 0.0 && c.y >= 0.0 && c.x + c.width <= fw && c.y + c.height <= fh,
                "crop {c:?} outside the {fw}x{fh} frame"
            );
            assert!(c.width > 0.0 && c.height > 0.0, "empty crop {c:?}");
        }
    }
    // The same engine still gives a result for a good frame.
    fx.cost.store(0, Ordering::Relaxed);
    let good = vec![128u8; 64 * 48 * 3 / 2];
    let ts = match last_ts {
        Some(t) if t < i64::MAX => t + 1,
        _ => {
            fx.engine.reset();
            0
        }
    };
    fx.engine
        .process(&good_frame(&good, ts))
        .expect("a good frame after any sequence");
});
