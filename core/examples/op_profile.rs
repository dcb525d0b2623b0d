//! Per-operation time of an ONNX model in tract, prepared like the engine prepares it (fixed
//! input size, direct spatial convolution off), single thread: finds the slow operations.
//!
//! Usage: cargo run --release -p ballcam-core --example op_profile -- MODEL.onnx H W [RUNS]
//! Prints each node's share of the total and its mean time over RUNS runs (default 100) after
//! 10 warm-up runs, slowest first.
use std::time::Instant;

use tract_onnx::prelude::*;
use tract_onnx::tract_core::knobs::KnobScope;
use tract_onnx::tract_core::plan::eval;

mod common;

/// Warm-up runs before timing.
const WARMUP_RUNS: usize = 10;
/// Timed runs unless given.
const DEFAULT_RUNS: usize = 100;
/// Nodes listed.
const TOP: usize = 25;

fn main() -> anyhow::Result<()> {
    let args = common::model_args("op_profile", DEFAULT_RUNS)?;
    let (h, w, runs) = (args.height, args.width, args.runs);
    let typed = tract_onnx::onnx()
        .model_for_path(&args.path)?
        .with_input_fact(0, f32::fact([1, 3, h, w]).into())?
        .into_typed()?;
    let scope = KnobScope::new([("TRACT_DISABLE_DIRECT_SPATIAL", "true")])?;
    let plan = scope.enter(|| typed.into_optimized())?.into_runnable()?;
    let mut state = TypedSimpleState::new(&plan)?;
    let input: Tensor =
        tract_ndarray::Array4::<f32>::from_shape_fn((1, 3, h, w), |(_, c, y, x)| {
            ((c * 7 + y * 13 + x * 31) % 256) as f32
        })
        .into();
    let n_nodes = plan.model().nodes().len();
    let mut spent = vec![0f64; n_nodes];
    for i in 0..WARMUP_RUNS + runs {
        let timed = i >= WARMUP_RUNS;
        state.run_plan_with_eval(
            tvec!(input.clone().into_tvalue()),
            |ctx, op_state, node, inputs| {
                let t = Instant::now();
                let out = eval(ctx, op_state, node, inputs);
                if timed {
                    spent[node.id] += t.elapsed().as_secs_f64();
                }
                out
            },
        )?;
    }
    let total: f64 = spent.iter().sum();
    let mut order: Vec<usize> = (0..n_nodes).collect();
    order.sort_by(|&a, &b| spent[b].total_cmp(&spent[a]));
    println!(
        "{} at 1x3x{h}x{w}: {:.3} ms per run in {n_nodes} nodes ({runs} runs)",
        args.path.display(),
        total * 1e3 / runs as f64
    );
    for &id in order.iter().take(TOP) {
        let node = plan.model().node(id);
        println!(
            "{:5.1}%  {:7.3} ms  {}  {}",
            100.0 * spent[id] / total.max(f64::MIN_POSITIVE),
            spent[id] * 1e3 / runs as f64,
            node.op().name(),
            node.name
        );
    }
    Ok(())
}
