//! Command line shared by the model timing examples: `MODEL.onnx H W [RUNS]`.

use std::path::PathBuf;

/// The parsed command line.
pub struct ModelArgs {
    pub path: PathBuf,
    pub height: usize,
    pub width: usize,
    pub runs: usize,
}

/// Blocks up to this size stay in glibc malloc's heap (its largest mmap threshold on 64-bit).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const KEEP_BLOCKS_UP_TO_BYTES: libc::c_int = 32 << 20;

/// Keeps tract's large per-run tensors in malloc's heap instead of mapping and unmapping them on
/// every run, as the `ballcam` CLI does (`desktop/src/allocator.rs`), so that the timings are the
/// CLI's.
fn keep_large_blocks() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only tunes malloc; called once at start, before any other thread exists.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, KEEP_BLOCKS_UP_TO_BYTES);
        libc::mallopt(libc::M_TRIM_THRESHOLD, 2 * KEEP_BLOCKS_UP_TO_BYTES);
    }
}

/// Parses `MODEL.onnx H W [RUNS]`; prints the usage of `name` and exits with 2 when it is short.
/// Also tunes the allocator as the CLI does.
pub fn model_args(name: &str, default_runs: usize) -> anyhow::Result<ModelArgs> {
    keep_large_blocks();
    let args: Vec<String> = std::env::args().collect();
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
