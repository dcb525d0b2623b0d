//! Workloads for the instruction-count benchmark (`benches/icount/icount.py`, `make icount`):
//! one frame class per process, its warm-up outside and its measured frames inside
//! [`icount_measured_frame`], the function that callgrind collects with
//! `--collect-atstart=no --toggle-collect='*icount_measured_frame*'`.
//!
//! Usage:
//!   icount prepare DIR            render the 1080p NV21 frames (natively, once) into DIR
//!   icount measure CLASS DIR [N]  warm up, then run N measured frames of CLASS
//!
//! `prepare` finds a stretch of the ballcam-sim `Match` clip (seed 7, 1920x1080, 30 fps) that
//! the engine keeps tracking when it is played back and forth, as `core/benches/pipeline.rs`
//! does, and writes its NV21 frames to `DIR/ring.nv21`. `measure` prints one JSON line (the
//! class, the measured frames, the detector modes that ran). The classes, with the
//! `phone-30fps` preset and a single inference thread:
//!
//! - `tracking-frame`: `Engine::process` on a tracked frame (conversion of the region of
//!   interest, ROI inference, decoding, tracking, crop planning): the whole tracking frame;
//! - `search-frame`: `Engine::process` right after `Engine::reset` (a whole-frame or tile pass);
//! - `roi`, `roi-small`, `tile`, `full`: the detector alone (inference and decoding) at the
//!   ROI, small-ROI, tile and whole-frame inputs (192x192, 128x128, 320x192, 384x224);
//! - `convert-full`: NV21 1080p letterboxed into the whole-frame tensor;
//! - `convert-roi`: a native-resolution 192x192 region of NV21 1080p into the ROI tensor.
//!
//! The tracking class warms up until the engine has tracked `SETTLED_ROI_FRAMES` frames in a
//! row and then plays the ring on; the others warm up with a few runs. The engine's scheduler
//! gets a zero cost model, so every frame runs its detector work and no
//! decision depends on the clock: the instruction counts repeat exactly.

use std::hint::black_box;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use ballcam_core::testing::Detector;
use ballcam_core::testing::{Converter, Region, TensorMapping};
use ballcam_core::ColorRange;
use ballcam_core::{Candidate, InputSize};
use ballcam_core::{Config, DetectorMode, Engine, Frame, Preset, Rotation};
use ballcam_sim::{ClipSpec, Nv21Feed, Scenario};

/// Frame size of every class.
const WIDTH: u32 = 1920;
const HEIGHT: u32 = 1080;
/// Frame rate of the synthetic clip.
const FPS: f64 = 30.0;
/// Seed of the synthetic clip.
const SEED: u64 = 7;
/// Microseconds per frame at `FPS`.
const FRAME_US: i64 = 33_333;
/// Distinct frames in the ring played back and forth.
const RING: usize = 16;
/// Clip frames searched for a stretch the engine tracks.
const SEARCH_FRAMES: u32 = 300;
/// Stretches tried.
const MAX_CANDIDATES: usize = 6;
/// Frames a candidate ring is played (after warm-up) to check that it stays tracked.
const VALIDATE_FRAMES: usize = 300;
/// A ring is good when this fraction of its frames are tracked.
const GOOD_TRACKING: f64 = 0.95;
/// Clip frame used when no tracked stretch is found.
const FALLBACK_FIRST_FRAME: u32 = 30;
/// Frames processed before the validation of a candidate ring (the track is acquired).
const ENGINE_WARMUP_FRAMES: usize = 60;
/// Tracking class: warm-up ends after this many consecutive frames in ROI mode (tract's
/// buffers exist, the track is settled) ...
const SETTLED_ROI_FRAMES: usize = 8;
/// ... or after this many frames.
const MAX_TRACKING_WARMUP_FRAMES: usize = 60;
/// Search class: frames processed (each after a reset) before measuring.
const SEARCH_WARMUP_FRAMES: usize = 2;
/// Runs of the detector or converter before measuring.
const WARMUP_RUNS: usize = 3;
/// Measured frames unless given.
const DEFAULT_FRAMES: usize = 10;
/// Detection threshold of the detector-alone classes.
const THRESHOLD: f32 = 0.5;
/// File of the prepared frames in DIR.
const RING_FILE: &str = "ring.nv21";

/// The frame classes, in the order the benchmark reports them.
const CLASSES: [&str; 8] = [
    "tracking-frame",
    "search-frame",
    "roi",
    "roi-small",
    "tile",
    "full",
    "convert-full",
    "convert-roi",
];

/// Runs one measured frame. Callgrind collects this function and everything it calls, and
/// nothing else: the name is the benchmark's `--toggle-collect` pattern.
#[inline(never)]
fn icount_measured_frame(work: &mut dyn FnMut() -> Result<()>) -> Result<()> {
    work()
}

fn preset() -> Config {
    Config::preset(Preset::Phone30Fps)
}

/// An engine whose scheduler counts every detector run as free (see the module docs).
fn engine() -> Result<Engine> {
    let mut engine = Engine::new(preset())?;
    engine.set_cost_model(Some(Box::new(|_, _| 0)));
    Ok(engine)
}

fn nv21_len() -> usize {
    let pixels = WIDTH as usize * HEIGHT as usize;
    pixels + pixels / 2
}

fn frame(data: &[u8], i: usize) -> Frame<'_> {
    Frame::nv21(data, WIDTH, HEIGHT, Rotation::Deg0, i as i64 * FRAME_US)
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

fn clip_spec() -> ClipSpec {
    let duration_s = f64::from(SEARCH_FRAMES + RING as u32 + 1) / FPS;
    ClipSpec::new(Scenario::Match, WIDTH, HEIGHT, FPS, duration_s, SEED)
}

/// `RING` NV21 frames of the clip from clip frame `first`.
fn render_ring(first: u32) -> Result<Vec<Vec<u8>>> {
    let mut feed = Nv21Feed::new(clip_spec())?;
    (0..RING as u32)
        .map(|i| Ok(feed.render(first + i)?.1.to_vec()))
        .collect()
}

/// Starts of stretches of `RING` consecutive clip frames processed in ROI mode.
fn tracked_stretches() -> Result<Vec<u32>> {
    let mut feed = Nv21Feed::new(clip_spec())?;
    let mut engine = engine()?;
    let (mut starts, mut run) = (Vec::new(), 0u32);
    for i in 0..SEARCH_FRAMES {
        let (_, nv21) = feed.render(i)?;
        let mode = engine.process(&frame(nv21, i as usize))?.mode;
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
    Ok(starts)
}

/// Fraction of frames in ROI mode when `ring` is played back and forth after warm-up.
fn tracked_fraction(ring: &[Vec<u8>]) -> Result<f64> {
    let mut engine = engine()?;
    let mut roi = 0usize;
    for i in 0..ENGINE_WARMUP_FRAMES + VALIDATE_FRAMES {
        let mode = engine.process(&frame(&ring[ping_pong(i)], i))?.mode;
        roi += usize::from(i >= ENGINE_WARMUP_FRAMES && mode == DetectorMode::Roi);
    }
    Ok(roi as f64 / VALIDATE_FRAMES as f64)
}

fn prepare(dir: &Path) -> Result<()> {
    let mut best = (FALLBACK_FIRST_FRAME, -1.0);
    for start in tracked_stretches()? {
        let fraction = tracked_fraction(&render_ring(start)?)?;
        if fraction > best.1 {
            best = (start, fraction);
        }
        if fraction >= GOOD_TRACKING {
            break;
        }
    }
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let ring = render_ring(best.0)?;
    let path = dir.join(RING_FILE);
    std::fs::write(&path, ring.concat()).with_context(|| format!("writing {}", path.display()))?;
    println!(
        "{{\"first_clip_frame\": {}, \"tracked_fraction\": {:.3}, \"frames\": {RING}}}",
        best.0, best.1
    );
    Ok(())
}

fn load_ring(dir: &Path) -> Result<Vec<Vec<u8>>> {
    let path = dir.join(RING_FILE);
    let bytes = std::fs::read(&path)
        .with_context(|| format!("reading {} (run `icount prepare` first)", path.display()))?;
    if bytes.len() != RING * nv21_len() {
        bail!(
            "{}: {} bytes, expected {}",
            path.display(),
            bytes.len(),
            RING * nv21_len()
        );
    }
    Ok(bytes.chunks(nv21_len()).map(<[u8]>::to_vec).collect())
}

/// Counts of the detector modes over the measured frames, as JSON.
#[derive(Default)]
struct Modes {
    counts: Vec<(DetectorMode, usize)>,
}

impl Modes {
    fn add(&mut self, mode: DetectorMode) {
        match self.counts.iter_mut().find(|(m, _)| *m == mode) {
            Some((_, n)) => *n += 1,
            None => self.counts.push((mode, 1)),
        }
    }

    fn json(&self) -> String {
        let fields: Vec<String> = self
            .counts
            .iter()
            .map(|(m, n)| format!("\"{m:?}\": {n}"))
            .collect();
        format!("{{{}}}", fields.join(", "))
    }
}

/// Engine frames: tracking (played on from the warm-up) or search (reset before each frame).
fn measure_engine(ring: &[Vec<u8>], frames: usize, search: bool) -> Result<String> {
    let mut engine = engine()?;
    let (mut i, mut settled) = (0usize, 0usize);
    let (warmup, settle) = if search {
        (SEARCH_WARMUP_FRAMES, usize::MAX)
    } else {
        (MAX_TRACKING_WARMUP_FRAMES, SETTLED_ROI_FRAMES)
    };
    while i < warmup && settled < settle {
        if search {
            engine.reset();
        }
        let mode = engine.process(&frame(&ring[ping_pong(i)], i))?.mode;
        settled = if mode == DetectorMode::Roi {
            settled + 1
        } else {
            0
        };
        i += 1;
    }
    let mut modes = Modes::default();
    for _ in 0..frames {
        if search {
            engine.reset();
        }
        icount_measured_frame(&mut || {
            let result = engine.process(&frame(&ring[ping_pong(i)], i))?;
            modes.add(result.mode);
            black_box(result);
            Ok(())
        })?;
        i += 1;
    }
    Ok(modes.json())
}

/// The detector alone at one input size (inference and heatmap decoding).
fn measure_detector(size: InputSize, frames: usize) -> Result<String> {
    // The same embedded model as the engine classes (the preset's `ball`).
    let model = ballcam_core::embedded_model(preset().ball)?;
    let mut detector = Detector::from_bytes(model, &[size], 1)?;
    let mapping = TensorMapping {
        origin_x: 0.0,
        origin_y: 0.0,
        scale_x: 1.0,
        scale_y: 1.0,
    };
    let bounds = (size.width as f32, size.height as f32);
    let mut candidates: Vec<Candidate> =
        Vec::with_capacity(preset().detector.max_candidates as usize);
    // The input is written once; the measured runs keep it (inference and decoding alone).
    let pattern = |dst: &mut [f32]| {
        for (i, v) in dst.iter_mut().enumerate() {
            *v = ((i * 31) % 256) as f32;
        }
        Ok::<_, ballcam_core::Error>(mapping)
    };
    detector.detect(size, pattern, THRESHOLD, bounds, &mut candidates)?;
    let mut run = || -> Result<()> {
        candidates.clear();
        let keep = |_: &mut [f32]| Ok::<_, ballcam_core::Error>(mapping);
        black_box(detector.detect(size, keep, THRESHOLD, bounds, &mut candidates)?);
        Ok(())
    };
    for _ in 0..WARMUP_RUNS {
        run()?;
    }
    for _ in 0..frames {
        icount_measured_frame(&mut run)?;
    }
    Ok(format!("{{\"input\": \"{size}\"}}"))
}

/// Conversion alone: the whole frame letterboxed, or a native-resolution ROI.
fn measure_conversion(ring: &[Vec<u8>], frames: usize, roi: bool) -> Result<String> {
    let d = preset().detector;
    let size = if roi { d.roi_input } else { d.full_input };
    let mut converter = Converter::new(WIDTH, HEIGHT, ColorRange::Limited);
    let mut tensor = vec![0f32; size.tensor_len()];
    let region = Region {
        x: (WIDTH / 2 - size.width / 2) as i32,
        y: (HEIGHT / 2 - size.height / 2) as i32,
        width: size.width,
        height: size.height,
    };
    let mut i = 0usize;
    let mut run = || -> Result<()> {
        let frame = frame(&ring[ping_pong(i)], i);
        i += 1;
        let mapping = if roi {
            converter.tensor_from_region(&frame, region, &mut tensor, size.width, size.height)?
        } else {
            converter.tensor_from_frame(&frame, &mut tensor, size.width, size.height)?
        };
        black_box(mapping);
        Ok(())
    };
    for _ in 0..WARMUP_RUNS {
        run()?;
    }
    for _ in 0..frames {
        icount_measured_frame(&mut run)?;
    }
    Ok(format!("{{\"input\": \"{size}\"}}"))
}

fn measure(class: &str, dir: &Path, frames: usize) -> Result<()> {
    let d = preset().detector;
    let detail = match class {
        "tracking-frame" => measure_engine(&load_ring(dir)?, frames, false)?,
        "search-frame" => measure_engine(&load_ring(dir)?, frames, true)?,
        "roi" => measure_detector(d.roi_input, frames)?,
        "roi-small" => measure_detector(d.roi_small_input, frames)?,
        "tile" => measure_detector(d.tile_input, frames)?,
        "full" => measure_detector(d.full_input, frames)?,
        "convert-full" => measure_conversion(&load_ring(dir)?, frames, false)?,
        "convert-roi" => measure_conversion(&load_ring(dir)?, frames, true)?,
        other => bail!("unknown class `{other}`: one of {}", CLASSES.join(", ")),
    };
    println!(
        "{{\"class\": \"{class}\", \"frames\": {frames}, \"detail\": {detail}, \"cpu_features\": {}}}",
        cpu_features()
    );
    Ok(())
}

/// The instruction sets this process sees, as JSON (under valgrind: the ones it emulates, which
/// decide tract's kernels).
fn cpu_features() -> String {
    #[cfg(target_arch = "x86_64")]
    {
        format!(
            "{{\"avx2\": {}, \"fma\": {}, \"avx512f\": {}}}",
            std::arch::is_x86_feature_detected!("avx2"),
            std::arch::is_x86_feature_detected!("fma"),
            std::arch::is_x86_feature_detected!("avx512f")
        )
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        format!("{{\"arch\": \"{}\"}}", std::env::consts::ARCH)
    }
}

fn usage() -> ! {
    eprintln!(
        "usage: icount prepare DIR | icount measure CLASS DIR [FRAMES] | icount classes\n\
         classes: {}",
        CLASSES.join(", ")
    );
    std::process::exit(2);
}

fn main() -> Result<()> {
    // The process-wide tuning the CLI applies, before any model loads.
    ballcam_core::keep_large_blocks();
    ballcam_core::prefer_256_bit_kernels_on_single_fma_cores();
    ballcam_core::prefer_tile_fitting_kernels_on_amd_single_fma_cores();
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["classes"] => {
            println!("{}", CLASSES.join("\n"));
            Ok(())
        }
        ["prepare", dir] => prepare(&PathBuf::from(dir)),
        ["measure", class, dir] => measure(class, &PathBuf::from(dir), DEFAULT_FRAMES),
        ["measure", class, dir, n] => {
            let frames: usize = n.parse().with_context(|| format!("frames `{n}`"))?;
            measure(class, &PathBuf::from(dir), frames.max(1))
        }
        _ => usage(),
    }
}
