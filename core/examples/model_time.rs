//! Time an ONNX model in tract on one input shape, through the core's `Detector` (the same plan,
//! state and preparation settings the engine uses), single thread.
//!
//! Usage: cargo run --release -p ballcam-core --example model_time -- MODEL.onnx H W [RUNS]
//! Prints median / p90 / min latency in ms over RUNS runs (default 200) after 20 warm-up runs.
//! Under load from other processes, the minimum is the best estimate of the quiet-machine time.
use std::time::Instant;

use ballcam_core::testing::Detector;
use ballcam_core::InputSize;

mod common;

/// Warm-up runs before timing.
const WARMUP_RUNS: usize = 20;
/// Timed runs unless given.
const DEFAULT_RUNS: usize = 200;

fn main() -> anyhow::Result<()> {
    let args = common::model_args("model_time", DEFAULT_RUNS)?;
    let (path, runs) = (args.path.as_path(), args.runs);
    let h = u32::try_from(args.height)?;
    let w = u32::try_from(args.width)?;

    let size = InputSize::new(w, h);
    let t0 = Instant::now();
    let mut det = Detector::from_path(path, &[size], 1)?;
    let load_ms = t0.elapsed().as_secs_f64() * 1e3;
    // Deterministic input in 0..255, channel-major like the model's [1,3,H,W], written once;
    // the timed runs keep it.
    let (hh, ww) = (h as usize, w as usize);
    let pattern = |input: &mut [f32]| {
        for (i, v) in input.iter_mut().enumerate() {
            let (c, y, x) = (i / (hh * ww), (i / ww) % hh, i % ww);
            *v = ((c * 7 + y * 13 + x * 31) % 256) as f32;
        }
    };
    let mut out = Vec::new();
    det.detect_raw(size, pattern, &mut out)?;
    for _ in 1..WARMUP_RUNS {
        det.detect_raw(size, |_| {}, &mut out)?;
    }
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t = Instant::now();
        det.detect_raw(size, |_| {}, &mut out)?;
        times.push(t.elapsed().as_secs_f64() * 1e3);
    }
    times.sort_by(f64::total_cmp);
    let pct = |p: f64| times[((times.len() - 1) as f64 * p).round() as usize];
    println!(
        "{} input 1x3x{h}x{w} -> {} output values: median {:.3} ms, p90 {:.3} ms, min {:.3} ms ({runs} runs, load+optimise {load_ms:.0} ms)",
        path.display(),
        out.len(),
        pct(0.5),
        pct(0.9),
        times[0]
    );
    Ok(())
}
