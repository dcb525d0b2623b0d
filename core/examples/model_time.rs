//! Time an ONNX model in tract on one input shape (single thread).
//!
//! Usage: cargo run --release -p ballcam-core --example model_time -- MODEL.onnx H W [RUNS]
//! Prints median / p90 / min latency in ms over RUNS runs (default 200) after 20 warm-up runs.
use std::time::Instant;
use tract_onnx::prelude::*;

fn main() -> TractResult<()> {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 4 {
        eprintln!("usage: model_time MODEL.onnx H W [RUNS]");
        std::process::exit(2);
    }
    let path = &args[1];
    let h: usize = args[2].parse()?;
    let w: usize = args[3].parse()?;
    let runs: usize = args.get(4).map(|s| s.parse()).transpose()?.unwrap_or(200);

    let t0 = Instant::now();
    let model = tract_onnx::onnx()
        .model_for_path(path)?
        .with_input_fact(0, f32::fact([1, 3, h, w]).into())?
        .into_optimized()?
        .into_runnable()?;
    let load_ms = t0.elapsed().as_secs_f64() * 1e3;

    // Deterministic input in 0..255.
    let input: Tensor =
        tract_ndarray::Array4::<f32>::from_shape_fn((1, 3, h, w), |(_, c, y, x)| {
            ((c * 7 + y * 13 + x * 31) % 256) as f32
        })
        .into();
    let out = model.run(tvec!(input.clone().into_tvalue()))?;
    let shape = out[0].shape().to_vec();
    for _ in 0..20 {
        model.run(tvec!(input.clone().into_tvalue()))?;
    }
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let inp = tvec!(input.clone().into_tvalue());
        let t = Instant::now();
        let _ = model.run(inp)?;
        times.push(t.elapsed().as_secs_f64() * 1e3);
    }
    times.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let pct = |p: f64| times[((times.len() - 1) as f64 * p).round() as usize];
    println!(
        "{path} input 1x3x{h}x{w} -> output {shape:?}: median {:.3} ms, p90 {:.3} ms, min {:.3} ms ({runs} runs, load+optimise {load_ms:.0} ms)",
        pct(0.5),
        pct(0.9),
        times[0]
    );
    Ok(())
}
