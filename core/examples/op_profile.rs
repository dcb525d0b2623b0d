//! Per-operation time of an ONNX model in tract, prepared like the engine prepares it (fixed
//! input size, direct spatial convolution off), single thread: finds the slow operations.
//!
//! Usage: cargo run --release -p ballcam-core --example op_profile -- MODEL.onnx H W [RUNS] [--json]
//! [--direct-spatial]
//! Prints each node's share of the total and its mean time over RUNS runs (default 100) after
//! 10 warm-up runs, slowest first. With `--json`: every node as one JSON document (name,
//! operation, tract's description of it, mean and median milliseconds), read by `benches/opprofile/op_compare.py`.
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
/// The flag that prints every node as JSON.
const JSON_FLAG: &str = "--json";
/// The flag that leaves tract's direct spatial convolution on (the engine turns it off).
const DIRECT_SPATIAL_FLAG: &str = "--direct-spatial";

fn main() -> anyhow::Result<()> {
    let args = common::model_args("op_profile", DEFAULT_RUNS)?;
    let (h, w, runs) = (args.height, args.width, args.runs);
    let typed = tract_onnx::onnx()
        .model_for_path(&args.path)?
        .with_input_fact(0, f32::fact([1, 3, h, w]).into())?
        .into_typed()?;
    // As the engine: direct spatial convolution off, unless `--direct-spatial` (to compare).
    let disable_direct = if std::env::args().any(|a| a == DIRECT_SPATIAL_FLAG) {
        "false"
    } else {
        "true"
    };
    let scope = KnobScope::new([("TRACT_DISABLE_DIRECT_SPATIAL", disable_direct)])?;
    let plan = scope.enter(|| typed.into_optimized())?.into_runnable()?;
    let mut state = TypedSimpleState::new(&plan)?;
    let input: Tensor =
        tract_ndarray::Array4::<f32>::from_shape_fn((1, 3, h, w), |(_, c, y, x)| {
            ((c * 7 + y * 13 + x * 31) % 256) as f32
        })
        .into();
    let n_nodes = plan.model().nodes().len();
    let mut spent = vec![0f64; n_nodes];
    // Every timed run of every node, for the medians of `--json` (robust to a busy machine).
    let mut samples: Vec<Vec<f64>> = vec![Vec::with_capacity(runs); n_nodes];
    for i in 0..WARMUP_RUNS + runs {
        let timed = i >= WARMUP_RUNS;
        state.run_plan_with_eval(
            tvec!(input.clone().into_tvalue()),
            |ctx, op_state, node, inputs| {
                let t = Instant::now();
                let out = eval(ctx, op_state, node, inputs);
                if timed {
                    let dt = t.elapsed().as_secs_f64();
                    spent[node.id] += dt;
                    samples[node.id].push(dt);
                }
                out
            },
        )?;
    }
    let total: f64 = spent.iter().sum();
    if std::env::args().any(|a| a == JSON_FLAG) {
        let nodes: Vec<serde_json::Value> = plan
            .model()
            .nodes()
            .iter()
            .map(|node| {
                serde_json::json!({
                    "name": node.name,
                    "op": node.op().name(),
                    "info": node.op().info().unwrap_or_default(),
                    "ms": spent[node.id] * 1e3 / runs as f64,
                    "median_ms": median(&mut samples[node.id]) * 1e3,
                })
            })
            .collect();
        let doc = serde_json::json!({
            "model": args.path.display().to_string(),
            "height": h,
            "width": w,
            "runs": runs,
            "total_ms": total * 1e3 / runs as f64,
            "nodes": nodes,
        });
        println!("{doc}");
        return Ok(());
    }
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

/// The median of `values` (0 when empty); sorts them.
fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(0.0)
}
