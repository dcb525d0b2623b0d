//! Command line shared by the model timing examples: `MODEL.onnx H W [RUNS]`.

use std::path::PathBuf;

/// The parsed command line.
pub struct ModelArgs {
    pub path: PathBuf,
    pub height: usize,
    pub width: usize,
    pub runs: usize,
}

/// Parses `MODEL.onnx H W [RUNS]`; prints the usage of `name` and exits with 2 when it is short.
/// Also tunes malloc and tract's kernel choice as the CLI does (`ballcam_core::malloc`,
/// `ballcam_core::kernels`), so that the timings are the CLI's.
pub fn model_args(name: &str, default_runs: usize) -> anyhow::Result<ModelArgs> {
    ballcam_core::keep_large_blocks();
    ballcam_core::prefer_256_bit_kernels_on_single_fma_cores();
    ballcam_core::prefer_tile_fitting_kernels_on_amd_single_fma_cores();
    // Flags (`--json`) are the example's own.
    let args: Vec<String> = std::env::args().filter(|a| !a.starts_with("--")).collect();
    if args.len() < 4 {
        eprintln!("usage: {name} MODEL.onnx H W [RUNS]");
        std::process::exit(2);
    }
    let runs = args
        .get(4)
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(default_runs)
        .max(1);
    Ok(ModelArgs {
        path: PathBuf::from(&args[1]),
        height: args[2].parse()?,
        width: args[3].parse()?,
        runs,
    })
}
