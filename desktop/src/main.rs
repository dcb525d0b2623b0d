//! `ballcam`: the Ballcam desktop command line.
//!
//! Commands: `demo` (synthetic match, end to end), `run` (video file, image folder or Y4M),
//! `eval` (metrics against labels.csv), `label propagate|pseudo` (annotation tools), `camera`
//! (live webcam window), `profile` (latency profiling), `reframe` (a recorded video and its
//! crop path into the reframed clip) and `report` (the quality telemetry of a run, with drift
//! flags against the evaluation set's). Errors are printed on one line and
//! mapped to exit codes by [`errors::exit_code`].

mod alloc_count;
mod args;
mod camera;
mod costs;
mod curves;
mod demo;
mod errors;
mod eval;
mod input;
mod label;
mod labels_csv;
mod metrics;
mod output;
mod overlay;
mod plots;
mod profile;
mod queue_review;
mod reframe;
mod run;
mod session;
mod stats;
mod telemetry_report;
mod y4m;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Counts allocations for `ballcam profile` (two relaxed atomic adds per allocation).
#[global_allocator]
static ALLOC: alloc_count::CountingAlloc = alloc_count::CountingAlloc;

/// Ballcam: finds the ball in every frame of a sideline football video and moves a virtual
/// camera (a crop window) to follow it smoothly.
#[derive(Parser, Debug)]
#[command(name = "ballcam", version, about, long_about = None, after_help = errors::EXIT_CODES_HELP)]
struct Cli {
    /// Print machine-readable JSON on stdout instead of the summary (hides progress bars).
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Render a synthetic match with ground truth, track the ball, write the reframed video,
    /// an overlay video, track.csv, report.md/json and plots.
    #[command(after_help = errors::EXIT_CODES_HELP)]
    Demo(demo::DemoArgs),
    /// Reframe a video file (via ffmpeg), an image folder or a Y4M file: same outputs as demo.
    #[command(after_help = errors::EXIT_CODES_HELP)]
    Run(run::RunArgs),
    /// Evaluate on labelled frames (labels.csv): metrics.json, report.md, plots.
    #[command(after_help = errors::EXIT_CODES_HELP)]
    Eval(eval::EvalArgs),
    /// Labelling tools: fill keyframe labels, pseudo-label with the model.
    #[command(subcommand)]
    Label(label::LabelCommand),
    /// Live webcam window with the virtual camera.
    #[command(after_help = errors::EXIT_CODES_HELP)]
    Camera(camera::CameraArgs),
    /// Profile the engine's latency.
    #[command(after_help = errors::EXIT_CODES_HELP)]
    Profile(profile::ProfileArgs),
    /// Render the reframed clip from a recorded video and its crop path (a phone's recording and
    /// the path written beside it, or a video and its track.csv).
    #[command(after_help = errors::EXIT_CODES_HELP)]
    Reframe(reframe::ReframeArgs),
    /// Report the quality telemetry of a run (telemetry.json) as report.md with plots, with
    /// drift flags against a reference snapshot from the evaluation set.
    #[command(after_help = errors::EXIT_CODES_HELP)]
    Report(telemetry_report::ReportArgs),
}

fn main() -> ExitCode {
    let kept = ballcam_core::keep_large_blocks();
    let cli = Cli::parse();
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("warn")).init();
    log::debug!("allocator keeps large blocks: {kept}");
    let ymm = ballcam_core::prefer_256_bit_kernels_on_single_fma_cores();
    log::debug!("tract's 256-bit kernels preferred on this single-FMA AVX-512 core: {ymm}");
    // Still one thread: the choice is an environment variable (see `ballcam_core::kernels`).
    let fit = ballcam_core::prefer_tile_fitting_kernels_on_amd_single_fma_cores();
    log::debug!("tract's kernels picked by tile fit on this AMD single-FMA core: {fit}");
    let json = cli.json;
    let result = match &cli.command {
        Command::Demo(a) => demo::run(a, json),
        Command::Run(a) => run::run(a, json),
        Command::Eval(a) => eval::run(a, json),
        Command::Label(c) => label::run(c, json),
        Command::Camera(a) => camera::run(a, json),
        Command::Profile(a) => profile::run(a, json),
        Command::Reframe(a) => reframe::run(a, json),
        Command::Report(a) => telemetry_report::run(a, json),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {}", errors::one_line(&e));
            ExitCode::from(errors::exit_code(&e))
        }
    }
}
