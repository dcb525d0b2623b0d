//! Criterion benchmarks of the engine, stage by stage and per whole frame.
//!
//! Stages: conversion (a native-resolution region of interest, and the whole frame letterboxed
//! into the search input), inference (ROI, whole-frame and tile inputs, single thread),
//! heatmap decoding, tracking + crop planning. Whole frames: `Engine::process` in tracking mode
//! (a stretch of the clip where the engine tracks the ball: one ROI run per frame) and in
//! search mode (the engine reset before each frame: one search run, the whole frame or a tile
//! in cycle order). The scheduler gets a zero cost model, so every frame runs its detector
//! work instead of skipping when the budget is spent. Frames are ballcam-sim `Match` frames at
//! 1280x720 and 1920x1080, NV21 and RGBA, with the `phone-30fps` preset. Measurement is short
//! (20 samples, 2 s) so the whole run takes a few minutes:
//! `cargo bench -p ballcam-core --bench pipeline`.

use std::hint::black_box;
use std::time::Duration;

use ballcam_core::testing::CropPlanner;
use ballcam_core::testing::Tracker;
use ballcam_core::testing::{decode_heatmap, Detector, Grid};
use ballcam_core::testing::{Converter, Region, TensorMapping};
use ballcam_core::ColorRange;
use ballcam_core::CropConfig;
use ballcam_core::TrackerConfig;
use ballcam_core::{Candidate, InputSize, OUTPUT_CHANNELS, STRIDE};
use ballcam_core::{Config, DetectorMode, Engine, Frame, PixelFormat, Preset, Rotation};
use ballcam_sim::{Clip, ClipSpec, Nv21Feed, Scenario};
use criterion::{criterion_group, Criterion};

/// Frame sizes benchmarked.
const SIZES: [(u32, u32); 2] = [(1280, 720), (1920, 1080)];
/// Distinct frames rendered per size and format (played back and forth).
const RING: usize = 16;
/// Frame rate of the synthetic clip.
const FPS: f64 = 30.0;
/// Seed of the synthetic clip.
const SEED: u64 = 7;
/// Clip frames searched for a stretch where the engine tracks the ball.
const SEARCH_FRAMES: u32 = 300;
/// Frames a candidate ring is played (after the warm-up frames) to check that it stays tracked.
const VALIDATE_FRAMES: usize = 600;
/// Tracked stretches tried for the tracking benchmark.
const MAX_CANDIDATES: usize = 6;
/// A ring is good for the tracking benchmark when this fraction of its frames are tracked.
const GOOD_TRACKING: f64 = 0.95;
/// First clip frame used when no tracked stretch is found (and by the conversion benches).
const FALLBACK_FIRST_FRAME: u32 = 30;
/// Frames processed before the tracking benchmark (the track is acquired).
const WARMUP_FRAMES: usize = 60;
/// Microseconds per frame at `FPS`.
const FRAME_US: i64 = 33_333;
/// Criterion: samples per benchmark.
const SAMPLES: usize = 20;
/// Criterion: measurement time per benchmark.
const MEASUREMENT: Duration = Duration::from_secs(2);
/// Criterion: warm-up time per benchmark.
const WARM_UP: Duration = Duration::from_millis(500);
/// Heatmap logit of empty cells and of the one ball cell, for the decoding benchmark.
const EMPTY_LOGIT: f32 = -6.0;
const BALL_LOGIT: f32 = 4.0;
/// Ball radius (input pixels) written in the synthetic heatmap.
const BALL_RADIUS: f32 = 6.0;
/// Detection threshold.
const THRESHOLD: f32 = 0.5;

/// Camera formats benchmarked.
#[derive(Clone, Copy)]
enum Format {
    Nv21,
    Rgba,
}

impl Format {
    const ALL: [Format; 2] = [Format::Nv21, Format::Rgba];

    fn name(self) -> &'static str {
        match self {
            Format::Nv21 => "nv21",
            Format::Rgba => "rgba",
        }
    }

    fn frame(self, data: &[u8], w: u32, h: u32, ts: i64) -> Frame<'_> {
        match self {
            Format::Nv21 => Frame::nv21(data, w, h, Rotation::Deg0, ts),
            Format::Rgba => Frame::packed(
                PixelFormat::Rgba8,
                data,
                w,
                h,
                w as usize * 4,
                Rotation::Deg0,
                ts,
            ),
        }
    }
}

/// The match clip, long enough for the search for a tracked stretch.
fn clip_spec(w: u32, h: u32) -> ClipSpec {
    let duration_s = f64::from(SEARCH_FRAMES + RING as u32 + 1) / FPS;
    ClipSpec::new(Scenario::Match, w, h, FPS, duration_s, SEED)
}

fn clip(w: u32, h: u32) -> Clip {
    Clip::new(clip_spec(w, h)).expect("clip")
}

/// An engine whose scheduler counts every detector run as free: every frame runs its detector
/// work (one ROI while tracking, one search run otherwise) instead of skipping when the budget
/// is spent, so that each benchmark measures one well-defined kind of frame.
fn engine() -> Engine {
    let mut engine = Engine::new(preset()).expect("engine");
    engine.set_cost_model(Some(Box::new(|_, _| 0)));
    engine
}

/// Starts of stretches of `RING` consecutive clip frames that the engine processes in tracking
/// (ROI) mode, in clip order (at most `MAX_CANDIDATES`).
fn tracked_stretches(w: u32, h: u32) -> Vec<u32> {
    let mut feed = Nv21Feed::new(clip_spec(w, h)).expect("clip");
    let mut engine = engine();
    let mut starts = Vec::new();
    let mut run = 0u32;
    for i in 0..SEARCH_FRAMES {
        let (_, nv21) = feed.render(i).expect("render");
        let frame = Format::Nv21.frame(nv21, w, h, i64::from(i) * FRAME_US);
        let mode = engine.process(&frame).expect("process").mode;
        run = if mode == DetectorMode::Roi {
            run + 1
        } else {
            0
        };
        if run >= RING as u32 {
            starts.push(i + 1 - RING as u32);
            run = 0;
            if starts.len() >= MAX_CANDIDATES {
                break;
            }
        }
    }
    starts
}

/// Fraction of frames in ROI mode when `ring` is played back and forth (after acquisition).
fn tracked_fraction(ring: &[Vec<u8>], w: u32, h: u32) -> f64 {
    let mut engine = engine();
    let mut roi = 0usize;
    for i in 0..WARMUP_FRAMES + VALIDATE_FRAMES {
        let frame = Format::Nv21.frame(&ring[ping_pong(i)], w, h, i as i64 * FRAME_US);
        let mode = engine.process(&frame).expect("process").mode;
        roi += usize::from(i >= WARMUP_FRAMES && mode == DetectorMode::Roi);
    }
    roi as f64 / VALIDATE_FRAMES as f64
}

/// The first clip frame of a ring that the engine keeps tracking when it is played back and
/// forth, so that the tracking benchmark measures tracking.
fn tracked_start(w: u32, h: u32) -> u32 {
    let mut best = (FALLBACK_FIRST_FRAME, -1.0);
    for start in tracked_stretches(w, h) {
        let fraction = tracked_fraction(&frames(w, h, Format::Nv21, start), w, h);
        if fraction > best.1 {
            best = (start, fraction);
        }
        if fraction >= GOOD_TRACKING {
            break;
        }
    }
    if best.1 < GOOD_TRACKING {
        eprintln!(
            "{w}x{h}: no stretch tracked throughout; using clip frame {} ({:.0}% tracked)",
            best.0,
            best.1 * 100.0
        );
    }
    best.0
}

/// `RING` encoded frames of the match clip from clip frame `first`.
fn frames(w: u32, h: u32, format: Format, first: u32) -> Vec<Vec<u8>> {
    let mut clip = clip(w, h);
    let pixels = w as usize * h as usize;
    let mut rgb = vec![0u8; pixels * 3];
    (0..RING as u32)
        .map(|i| {
            clip.render_rgb(first + i, &mut rgb).expect("render");
            match format {
                Format::Nv21 => {
                    let mut out = vec![0u8; pixels + pixels / 2];
                    ballcam_sim::nv21_from_rgb(&rgb, w, h, &mut out).expect("nv21");
                    out
                }
                Format::Rgba => {
                    let mut out = vec![0u8; pixels * 4];
                    ballcam_sim::rgba_from_rgb(&rgb, w, h, &mut out).expect("rgba");
                    out
                }
            }
        })
        .collect()
}

/// Ring index of the `i`-th frame played back and forth (continuous motion).
fn ping_pong(i: usize) -> usize {
    let period = 2 * (RING - 1);
    let k = i % period;
    if k < RING {
        k
    } else {
        period - k
    }
}

fn preset() -> Config {
    Config::preset(Preset::Phone30Fps)
}

fn conversion(c: &mut Criterion) {
    let config = preset();
    let (full, roi) = (config.detector.full_input, config.detector.roi_input);
    let mut group = c.benchmark_group("convert");
    for (w, h) in SIZES {
        for format in Format::ALL {
            let ring = frames(w, h, format, FALLBACK_FIRST_FRAME);
            let frame = format.frame(&ring[0], w, h, 0);
            let mut converter = Converter::new(w, h, ColorRange::Limited);
            let mut tensor = vec![0f32; full.tensor_len().max(roi.tensor_len())];
            let region = Region {
                x: (w / 2 - roi.width / 2) as i32,
                y: (h / 2 - roi.height / 2) as i32,
                width: roi.width,
                height: roi.height,
            };
            let tag = format!("{w}x{h} {}", format.name());
            group.bench_function(format!("roi {roi} {tag}"), |b| {
                b.iter(|| {
                    converter
                        .tensor_from_region(&frame, region, &mut tensor, roi.width, roi.height)
                        .expect("roi")
                })
            });
            // A region of interest scaled up for a near, fast ball (1.5x: resampled).
            let scaled = Region {
                x: region.x - (roi.width / 4) as i32,
                y: region.y - (roi.height / 4) as i32,
                width: roi.width * 3 / 2,
                height: roi.height * 3 / 2,
            };
            group.bench_function(format!("roi {roi} from 1.5x {tag}"), |b| {
                b.iter(|| {
                    converter
                        .tensor_from_region(&frame, scaled, &mut tensor, roi.width, roi.height)
                        .expect("scaled roi")
                })
            });
            group.bench_function(format!("full {full} {tag}"), |b| {
                b.iter(|| {
                    converter
                        .tensor_from_frame(&frame, &mut tensor, full.width, full.height)
                        .expect("full")
                })
            });
        }
    }
    group.finish();
}

fn inference(c: &mut Criterion) {
    let d = preset().detector;
    let sizes = [
        ("roi", d.roi_input),
        ("full", d.full_input),
        ("tile", d.tile_input),
    ];
    let inputs: Vec<InputSize> = sizes.iter().map(|(_, s)| *s).collect();
    // The model the engine benches above load (the preset's `ball`).
    let model = ballcam_core::embedded_model(preset().ball).expect("embedded model");
    let mut detector = Detector::from_bytes(model, &inputs, 1).expect("model");
    let mut candidates = Vec::with_capacity(d.max_candidates as usize);
    let mapping = TensorMapping {
        origin_x: 0.0,
        origin_y: 0.0,
        scale_x: 1.0,
        scale_y: 1.0,
    };
    let mut group = c.benchmark_group("infer");
    for (name, size) in sizes {
        let bounds = (size.width as f32, size.height as f32);
        // The input is written once; later runs keep it (inference and decoding alone).
        let pattern = |dst: &mut [f32]| {
            for (i, v) in dst.iter_mut().enumerate() {
                *v = ((i * 31) % 256) as f32;
            }
            Ok::<_, ballcam_core::Error>(mapping)
        };
        detector
            .detect(size, pattern, THRESHOLD, bounds, &mut candidates)
            .expect("run");
        group.bench_function(format!("{name} {size}"), |b| {
            b.iter(|| {
                candidates.clear();
                detector
                    .detect(
                        size,
                        |_| Ok::<_, ballcam_core::Error>(mapping),
                        THRESHOLD,
                        bounds,
                        &mut candidates,
                    )
                    .expect("run")
            })
        });
    }
    group.finish();
}

fn decode(c: &mut Criterion) {
    let full = preset().detector.full_input;
    let grid = Grid {
        width: (full.width / STRIDE) as usize,
        height: (full.height / STRIDE) as usize,
    };
    let plane = grid.width * grid.height;
    let mut heatmap = vec![0f32; OUTPUT_CHANNELS * plane];
    heatmap[..plane].fill(EMPTY_LOGIT);
    let ball = grid.height / 2 * grid.width + grid.width / 3;
    heatmap[ball] = BALL_LOGIT;
    heatmap[3 * plane + ball] = BALL_RADIUS;
    let mapping = TensorMapping {
        origin_x: 0.0,
        origin_y: 0.0,
        scale_x: 5.0,
        scale_y: 5.0,
    };
    let bounds = (1920.0, 1080.0);
    let mut out: Vec<Candidate> = Vec::with_capacity(8);
    c.bench_function(&format!("decode heatmap {full}"), |b| {
        b.iter(|| {
            out.clear();
            decode_heatmap(
                black_box(&heatmap),
                grid,
                THRESHOLD,
                &mapping,
                bounds,
                &mut out,
            )
            .expect("decode")
        })
    });
}

fn track_and_plan(c: &mut Criterion) {
    let mut tracker = Tracker::new(TrackerConfig::default()).expect("tracker");
    let mut planner = CropPlanner::new(CropConfig::default()).expect("planner");
    let mut i = 0i64;
    c.bench_function("track+plan 1920x1080", |b| {
        b.iter(|| {
            i += 1;
            let t = i * FRAME_US;
            let x = 200.0 + (i % 300) as f32 * 5.0;
            let candidate = Candidate {
                x,
                y: 600.0,
                radius: 8.0,
                score: 0.9,
            };
            let ball = tracker.update(t, &[candidate], true);
            planner.update(t, 1920, 1080, ball.as_ref())
        })
    });
}

fn whole_frame(c: &mut Criterion) {
    let mut group = c.benchmark_group("frame");
    for (w, h) in SIZES {
        let first = tracked_start(w, h);
        for format in Format::ALL {
            let ring = frames(w, h, format, first);
            let tag = format!("{w}x{h} {}", format.name());
            let mut engine = engine();
            let mut i = 0usize;
            let mut roi = 0usize;
            for _ in 0..WARMUP_FRAMES {
                let frame = format.frame(&ring[ping_pong(i)], w, h, i as i64 * FRAME_US);
                i += 1;
                roi +=
                    usize::from(engine.process(&frame).expect("process").mode == DetectorMode::Roi);
            }
            eprintln!("frame {tag} (clip frames {first}..): {roi} of {WARMUP_FRAMES} warm-up frames in roi mode");
            let (mut measured, mut tracked) = (0usize, 0usize);
            group.bench_function(format!("tracking {tag}"), |b| {
                b.iter(|| {
                    let frame = format.frame(&ring[ping_pong(i)], w, h, i as i64 * FRAME_US);
                    i += 1;
                    let result = engine.process(&frame).expect("process");
                    measured += 1;
                    tracked += usize::from(result.mode == DetectorMode::Roi);
                    result
                })
            });
            eprintln!(
                "frame/tracking {tag}: {tracked} of {measured} benchmarked frames in roi mode"
            );
            let (mut measured, mut searched) = (0usize, 0usize);
            group.bench_function(format!("search {tag}"), |b| {
                b.iter(|| {
                    engine.reset();
                    let frame = format.frame(&ring[ping_pong(i)], w, h, i as i64 * FRAME_US);
                    i += 1;
                    let result = engine.process(&frame).expect("process");
                    measured += 1;
                    searched += usize::from(matches!(
                        result.mode,
                        DetectorMode::Full | DetectorMode::Tile
                    ));
                    result
                })
            });
            eprintln!("frame/search {tag}: {searched} of {measured} benchmarked frames searched (full or tile)");
        }
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(SAMPLES).measurement_time(MEASUREMENT).warm_up_time(WARM_UP);
    targets = conversion, inference, decode, track_and_plan, whole_frame
}
fn main() {
    // The process-wide tuning the CLI applies (`ballcam_core::malloc`, `ballcam_core::kernels`),
    // before any model loads, so that the benches time what the CLI runs.
    ballcam_core::keep_large_blocks();
    ballcam_core::prefer_256_bit_kernels_on_single_fma_cores();
    ballcam_core::prefer_tile_fitting_kernels_on_amd_single_fma_cores();
    benches();
    Criterion::default().configure_from_args().final_summary();
}
