//! `ballcam profile`: latency and memory budgets of the engine on this machine.
//!
//! Frames come from the synthetic renderer (`--synthetic`, a ballcam-sim `Match` clip at the
//! requested resolution) or a video file (`--input`, decoded by ffmpeg through
//! [`crate::input`]), encoded to the requested camera format (NV21, NV12, I420, RGBA, BGRA,
//! RGB). Each frame is rendered (or read) and encoded just before it is handed to the engine,
//! outside every timed region, so the process holds one input frame at a time — like a phone,
//! where the camera owns the frame buffers — and the peak RSS is the engine's plus that one
//! frame (reported separately).
//!
//! The report holds per-stage latency percentiles (convert, infer, decode, track, plan, total;
//! as [`crate::stats`] defines them) for each detector mode (full, roi, tile, skip), the frames
//! over budget, a verdict for every preset (each one is run briefly on the same frames), the
//! peak RSS (`VmHWM`), allocations per frame inside `Engine::process` (counted by
//! [`crate::alloc_count`]), the model size, the engine's heap, the search-cycle length, and
//! inference alone per detector input size (single thread, used by
//! `benches/compare/compare.py`). It is written as `profile.json`, `profile.md` and
//! `latency.png` (a histogram of the whole-frame latency) in `--out`, and printed (`--json`: the
//! JSON document). `--soak` runs the long-stream soak of [`soak`] instead.
//!
//! Layout: this module holds the arguments and the orchestration; [`frames`] the input frames,
//! [`measure`] the engine runs and their statistics, [`report`] the report and its files.

mod frames;
mod measure;
mod report;
mod soak;

use std::io::Write as _;
use std::path::PathBuf;

use anyhow::{Context, Result};
use ballcam_core::{Ball, Preset};
use serde::Serialize;

use crate::args::Size;
use crate::errors::bad_input;
use ballcam_core::{US_PER_MS, US_PER_S};
use frames::Frames;
use measure::{PresetVerdict, WARMUP_FRAMES};
use report::{InputReport, Report};

/// Frames each of the other presets runs for its verdict.
const PRESET_CHECK_FRAMES: usize = 150;
/// Default number of measured frames.
const DEFAULT_FRAMES: usize = 600;
/// Bytes per MiB.
const BYTES_PER_MIB: f64 = 1024.0 * 1024.0;

/// Bytes in MiB.
fn mb(bytes: u64) -> f64 {
    bytes as f64 / BYTES_PER_MIB
}

/// Microseconds in milliseconds.
fn ms(us: u64) -> f64 {
    us as f64 / US_PER_MS
}

/// Camera pixel formats the frames are encoded to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FormatArg {
    Nv21,
    Nv12,
    I420,
    Rgba,
    Bgra,
    Rgb,
}

impl FormatArg {
    /// Lower-case name.
    pub fn name(self) -> &'static str {
        match self {
            FormatArg::Nv21 => "nv21",
            FormatArg::Nv12 => "nv12",
            FormatArg::I420 => "i420",
            FormatArg::Rgba => "rgba",
            FormatArg::Bgra => "bgra",
            FormatArg::Rgb => "rgb",
        }
    }

    /// Bytes of one encoded frame.
    pub fn frame_bytes(self, size: Size) -> usize {
        let pixels = size.width as usize * size.height as usize;
        match self {
            FormatArg::Nv21 | FormatArg::Nv12 | FormatArg::I420 => pixels + pixels / 2,
            FormatArg::Rgba | FormatArg::Bgra => pixels * 4,
            FormatArg::Rgb => pixels * 3,
        }
    }
}

/// `ballcam profile`: latency and memory budgets.
#[derive(Debug, Clone, clap::Args)]
#[command(after_help = crate::errors::EXIT_CODES_HELP)]
pub struct ProfileArgs {
    /// Video file to profile on (decoded by ffmpeg, started again when shorter than --frames).
    #[arg(
        long,
        value_name = "PATH",
        conflicts_with = "synthetic",
        required_unless_present_any = ["synthetic", "soak"]
    )]
    pub input: Option<PathBuf>,
    /// Profile on a synthetic match clip (ballcam-sim).
    #[arg(long)]
    pub synthetic: bool,
    /// Frame size WIDTHxHEIGHT (synthetic default 1920x1080; a file is scaled to it, default
    /// its own size).
    #[arg(long, value_name = "WxH")]
    pub resolution: Option<Size>,
    /// Camera pixel format the frames are encoded to.
    #[arg(long, value_enum, default_value = "nv21")]
    pub format: FormatArg,
    /// Preset to profile (the others are run briefly for their verdicts).
    #[arg(long, default_value = "phone-30fps", value_name = "NAME")]
    pub preset: String,
    /// Measured frames (after the warm-up frames).
    #[arg(long, default_value_t = DEFAULT_FRAMES)]
    pub frames: usize,
    /// Inference threads (default: the preset's).
    #[arg(long)]
    pub threads: Option<usize>,
    /// ONNX model (default: the model built into the binary that `--ball` names).
    #[arg(long, value_name = "PATH")]
    pub model: Option<PathBuf>,
    /// Which embedded detector: `any` (every sport and camera) or `football` (a high football
    /// broadcast camera) [default: the preset's, any].
    #[arg(long, value_name = "any|football", value_parser = crate::session::parse_ball, conflicts_with = "model")]
    pub ball: Option<Ball>,
    /// Output folder for profile.json, profile.md and latency.png.
    #[arg(long, default_value = "out/profile", value_name = "DIR")]
    pub out: PathBuf,
    /// Soak instead: N frames (at least 1000; 108000 is an hour at 30 fps) of small rendered
    /// clips through one engine, with a 5 s stall, a minute in the background, a clock reset
    /// and a change of resolution and rotation; reports RSS growth, latency drift, frames to
    /// re-acquire after each event and the telemetry's consistency (soak.json in --out).
    #[arg(long, value_name = "N", conflicts_with = "input")]
    pub soak: Option<usize>,
    /// Skip the other presets' runs (verdicts then compare this run's costs only).
    #[arg(long)]
    pub only_preset: bool,
    /// Also write the first N encoded input frames to DIR/frames.<format> (raw, concatenated),
    /// for benches/compare/compare.py.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub dump_frames: usize,
}

/// Writes the first `n` encoded frames (for compare.py) to `dir/frames.<format>`.
fn dump_frames(args: &ProfileArgs, n: usize) -> Result<PathBuf> {
    let mut frames = Frames::new(args, n)?;
    let path = args.out.join(format!("frames.{}", args.format.name()));
    let mut file = std::io::BufWriter::new(
        std::fs::File::create(&path).with_context(|| format!("cannot write {}", path.display()))?,
    );
    for i in 0..n {
        frames.load(i)?;
        file.write_all(frames.encoded())?;
    }
    file.flush()?;
    Ok(path)
}

/// Runs `ballcam profile`.
pub fn run(args: &ProfileArgs, json: bool) -> Result<()> {
    if let Some(frames) = args.soak {
        return soak::run(args, frames, json);
    }
    let preset: Preset = args.preset.parse().map_err(|e| bad_input(format!("{e}")))?;
    if args.frames == 0 {
        return Err(bad_input("--frames must be at least 1"));
    }
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("cannot create {}", args.out.display()))?;
    let counted = crate::alloc_count::counting_active();
    let mut frames = Frames::new(args, WARMUP_FRAMES + args.frames)?;
    let input = InputReport {
        source: match &args.input {
            Some(p) => p.display().to_string(),
            None => "synthetic match clip".to_string(),
        },
        width: frames.size().width,
        height: frames.size().height,
        format: args.format.name(),
        fps: frames.fps(),
        warmup_frames: WARMUP_FRAMES,
        frames: args.frames,
    };
    let input_buffer_bytes = frames.buffer_bytes();
    if !json {
        eprintln!(
            "profiling {} {}x{} {} frames with {preset}...",
            input.frames, input.width, input.height, input.format
        );
    }
    let main = measure::run_engine(preset, args, &mut frames, args.frames)?;
    drop(frames);

    let mut presets = Vec::with_capacity(Preset::ALL.len());
    for other in Preset::ALL {
        if other == preset {
            presets.push(PresetVerdict::of(&main));
        } else if args.only_preset {
            presets.push(PresetVerdict::estimated(other, &main));
        } else {
            if !json {
                eprintln!("checking preset {other} ({PRESET_CHECK_FRAMES} frames)...");
            }
            let mut frames = Frames::new(args, WARMUP_FRAMES + PRESET_CHECK_FRAMES)?;
            let run = measure::run_engine(other, args, &mut frames, PRESET_CHECK_FRAMES)?;
            presets.push(PresetVerdict::of(&run));
        }
    }
    let inference = measure::time_inference(&measure::config_for(
        preset,
        args,
        Size {
            width: input.width,
            height: input.height,
        },
    ))?;

    let paths = report::Paths::in_dir(&args.out);
    let mut files = paths.names();
    if args.dump_frames > 0 {
        files.push(dump_frames(args, args.dump_frames)?.display().to_string());
    }
    let report = Report::new(
        input,
        &main,
        counted,
        input_buffer_bytes,
        presets,
        inference,
        files,
    );
    report.write(&paths, &main, json)
}
