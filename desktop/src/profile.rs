//! `ballcam profile`: latency and memory budgets of the engine on this machine.
//!
//! Frames come from the synthetic renderer (`--synthetic`, a ballcam-sim `Match` clip at the
//! requested resolution) or a video file (`--input`, decoded by ffmpeg), encoded to the requested
//! camera format (NV21, NV12, I420, RGBA, BGRA, RGB). Each frame is rendered (or read) and encoded
//! just before it is handed to the engine, outside every timed region, so the process holds one
//! input frame at a time — like a phone, where the camera owns the frame buffers — and the peak
//! RSS is the engine's plus that one frame (reported separately).
//!
//! The report holds per-stage latency percentiles (convert, infer, decode, track, plan, total)
//! for each detector mode (full, roi, tile, skip), the frames over budget, a verdict for every
//! preset (each one is run briefly on the same frames), the peak RSS (`VmHWM`), allocations per
//! frame inside `Engine::process` (counted by [`crate::alloc_count`]),
//! the model size, the engine's heap, the search-cycle length, and inference alone per detector
//! input size (single thread, used by `benches/compare/compare.py`). It is written as
//! `profile.json`, `profile.md` and `latency.png` (a histogram of the whole-frame latency) in
//! `--out`, and printed (`--json`: the JSON document).

use std::fmt::Write as _;
use std::io::{Read, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::time::Instant;

use anyhow::{Context, Result};
use ballcam_core::detect::Detector;
use ballcam_core::frame::TensorMapping;
use ballcam_core::{
    Config, DetectorMode, Engine, Frame, PixelFormat, Preset, Rotation, StageTimings,
};
use serde::Serialize;

use crate::args::Size;
use crate::errors::bad_input;
use crate::overlay::{colors, text_size, Canvas, Rgb};

/// Frames run before measuring (tract's first runs allocate and warm caches).
const WARMUP_FRAMES: usize = 20;
/// Frames each of the other presets runs for its verdict.
const PRESET_CHECK_FRAMES: usize = 150;
/// Default number of measured frames.
const DEFAULT_FRAMES: usize = 600;
/// Default resolution of synthetic frames.
const DEFAULT_SYNTHETIC_SIZE: Size = Size {
    width: 1920,
    height: 1080,
};
/// Frame rate of synthetic frames, and of files whose rate ffprobe cannot tell.
const DEFAULT_FPS: f64 = 30.0;
/// Seed of the synthetic clip (fixed, so runs are comparable).
const SYNTHETIC_SEED: u64 = 7;
/// Extra seconds of synthetic clip beyond the frames needed (the clip must not run out).
const CLIP_SLACK_S: f64 = 1.0;
/// Inference-alone timing: warm-up runs per input size.
const INFER_WARMUP_RUNS: usize = 5;
/// Inference-alone timing: measured runs per input size.
const INFER_RUNS: usize = 50;
/// Detection threshold used for inference-alone timing (decoding is timed apart).
const INFER_THRESHOLD: f32 = 0.5;
/// Target: whole-frame p99 in tracking mode at 1080p NV21, microseconds.
const TARGET_TRACKING_P99_US: u64 = 2_000;
/// Target: peak RSS, MiB.
const TARGET_PEAK_RSS_MB: f64 = 64.0;
/// Goal (stretch target): peak RSS, MiB.
const GOAL_PEAK_RSS_MB: f64 = 40.0;
/// Target: phone-30fps frame interval over its p99 whole-frame latency.
const TARGET_PHONE_HEADROOM_X: f64 = 4.0;
/// Microseconds per second.
const US_PER_S: f64 = 1e6;
/// Microseconds per millisecond.
const US_PER_MS: f64 = 1e3;
/// Bytes per MiB.
const BYTES_PER_MIB: f64 = 1024.0 * 1024.0;
/// Bytes per kB in /proc/self/status.
const BYTES_PER_KB: u64 = 1024;
/// Value written to /proc/self/clear_refs to reset the peak RSS (`VmHWM`).
const CLEAR_REFS_RESET_PEAK: &str = "5";
/// Histogram image size.
const HIST_W: u32 = 960;
const HIST_H: u32 = 540;
/// Histogram bins.
const HIST_BINS: usize = 60;
/// Histogram plot margins (left, right, top, bottom), pixels.
const HIST_MARGIN: (u32, u32, u32, u32) = (70, 20, 60, 60);
/// Font scale of the histogram's labels.
const HIST_FONT: u32 = 2;
/// The histogram's x range ends at this multiple of the largest p99 (or budget).
const HIST_RANGE_OVER_P99: f64 = 1.25;
/// Background colour of the histogram.
const HIST_BG: Rgb = [250, 250, 250];
/// Name of the JSON report.
const JSON_NAME: &str = "profile.json";
/// Name of the Markdown report.
const MD_NAME: &str = "profile.md";
/// Name of the histogram image.
const PNG_NAME: &str = "latency.png";

// ---------------------------------------------------------------------------------------------
// Arguments.

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
    fn frame_bytes(self, size: Size) -> usize {
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
    /// Video file to profile on (decoded by ffmpeg, looped when shorter than --frames).
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
    /// ONNX model (default: the model built into the binary).
    #[arg(long, value_name = "PATH")]
    pub model: Option<PathBuf>,
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

// ---------------------------------------------------------------------------------------------
// Frame sources.

/// ffmpeg decoding a file to raw RGB frames.
struct VideoReader {
    path: PathBuf,
    size: Size,
    child: Child,
    stdout: ChildStdout,
}

impl VideoReader {
    fn open(path: &Path, size: Size) -> Result<VideoReader> {
        let scale = format!("scale={}:{}", size.width, size.height);
        let mut child = Command::new("ffmpeg")
            .args(["-v", "error", "-nostdin"])
            .args(crate::input::ffmpeg_input_args(path))
            .args(["-vf", &scale, "-f", "rawvideo", "-pix_fmt", "rgb24", "-"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .context("cannot start ffmpeg (is it installed? apt-get install ffmpeg)")?;
        let stdout = child.stdout.take().context("ffmpeg has no stdout")?;
        Ok(VideoReader {
            path: path.to_path_buf(),
            size,
            child,
            stdout,
        })
    }

    /// Reads the next frame into `rgb`, starting the file again at its end.
    fn read(&mut self, rgb: &mut [u8]) -> Result<()> {
        if self.stdout.read_exact(rgb).is_ok() {
            return Ok(());
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        *self = VideoReader::open(&self.path.clone(), self.size)?;
        self.stdout.read_exact(rgb).map_err(|e| {
            bad_input(format!(
                "cannot decode a frame of {}: {e}",
                self.path.display()
            ))
        })
    }
}

impl Drop for VideoReader {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Width, height and frame rate of a video file (ffprobe).
fn probe_video(path: &Path) -> Result<(Size, f64)> {
    if !path.exists() {
        return Err(bad_input(format!(
            "input file {} does not exist",
            path.display()
        )));
    }
    let out = Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-select_streams",
            "v:0",
            "-show_entries",
            "stream=width,height,r_frame_rate",
        ])
        .args(["-of", "csv=p=0"])
        .args(crate::input::ffmpeg_input_args(path))
        .stdin(Stdio::null())
        .output()
        .context("cannot start ffprobe (is ffmpeg installed? apt-get install ffmpeg)")?;
    let text = String::from_utf8_lossy(&out.stdout);
    let fields: Vec<&str> = text.trim().split(',').collect();
    let parse = |i: usize| fields.get(i).and_then(|v| v.trim().parse::<u32>().ok());
    let (Some(width), Some(height)) = (parse(0), parse(1)) else {
        return Err(bad_input(format!(
            "{} has no readable video stream",
            path.display()
        )));
    };
    let fps = fields
        .get(2)
        .and_then(|r| {
            let (n, d) = r.trim().split_once('/')?;
            let (n, d) = (n.parse::<f64>().ok()?, d.parse::<f64>().ok()?);
            (d > 0.0 && n > 0.0).then_some(n / d)
        })
        .unwrap_or(DEFAULT_FPS);
    Ok((Size { width, height }, fps))
}

enum SourceKind {
    Synthetic(Box<ballcam_sim::Clip>),
    Video(VideoReader),
}

/// Frames for the engine: rendered or decoded to RGB, then encoded to the camera format.
struct FrameSource {
    kind: SourceKind,
    size: Size,
    format: FormatArg,
    fps: f64,
    rgb: Vec<u8>,
    encoded: Vec<u8>,
    clip_frames: u32,
}

impl FrameSource {
    fn new(args: &ProfileArgs, frames_needed: usize) -> Result<FrameSource> {
        let (kind, size, fps, clip_frames) = match &args.input {
            Some(path) => {
                let (native, fps) = probe_video(path)?;
                let size = args.resolution.unwrap_or(native);
                (
                    SourceKind::Video(VideoReader::open(path, size)?),
                    size,
                    fps,
                    u32::MAX,
                )
            }
            None => {
                let size = args.resolution.unwrap_or(DEFAULT_SYNTHETIC_SIZE);
                let duration_s = frames_needed as f64 / DEFAULT_FPS + CLIP_SLACK_S;
                let spec = ballcam_sim::ClipSpec::new(
                    ballcam_sim::Scenario::Match,
                    size.width,
                    size.height,
                    DEFAULT_FPS,
                    duration_s,
                    SYNTHETIC_SEED,
                );
                let clip = ballcam_sim::Clip::new(spec)
                    .map_err(|e| bad_input(format!("synthetic clip: {e}")))?;
                let n = clip.frame_count();
                (SourceKind::Synthetic(Box::new(clip)), size, DEFAULT_FPS, n)
            }
        };
        if matches!(
            args.format,
            FormatArg::Nv21 | FormatArg::Nv12 | FormatArg::I420
        ) && (size.width & 1 != 0 || size.height & 1 != 0)
        {
            return Err(bad_input(format!(
                "{} needs an even width and height, not {size}",
                args.format.name()
            )));
        }
        let rgb = vec![0u8; size.width as usize * size.height as usize * 3];
        let encoded = vec![0u8; args.format.frame_bytes(size)];
        Ok(FrameSource {
            kind,
            size,
            format: args.format,
            fps,
            rgb,
            encoded,
            clip_frames,
        })
    }

    /// Bytes of input buffers this source holds (the RGB and the encoded frame).
    fn buffer_bytes(&self) -> usize {
        self.rgb.len() + self.encoded.len()
    }

    /// Timestamp of frame `i`, microseconds.
    fn timestamp_us(&self, i: usize) -> i64 {
        (i as f64 * US_PER_S / self.fps).round() as i64
    }

    /// Renders or reads frame `i` and encodes it.
    fn load(&mut self, i: usize) -> Result<()> {
        match &mut self.kind {
            SourceKind::Synthetic(clip) => {
                let index = u32::try_from(i).unwrap_or(u32::MAX) % self.clip_frames.max(1);
                clip.render_rgb(index, &mut self.rgb)
                    .map_err(|e| anyhow::anyhow!("rendering frame {i}: {e}"))?;
            }
            SourceKind::Video(reader) => reader.read(&mut self.rgb)?,
        }
        let (w, h) = (self.size.width, self.size.height);
        let (rgb, out) = (&self.rgb, &mut self.encoded);
        let encoded = match self.format {
            FormatArg::Nv21 => ballcam_sim::nv21_from_rgb(rgb, w, h, out),
            FormatArg::Nv12 => ballcam_sim::nv12_from_rgb(rgb, w, h, out),
            FormatArg::I420 => ballcam_sim::i420_from_rgb(rgb, w, h, out),
            FormatArg::Rgba => ballcam_sim::rgba_from_rgb(rgb, w, h, out),
            FormatArg::Bgra => ballcam_sim::bgra_from_rgb(rgb, w, h, out),
            FormatArg::Rgb => {
                out.copy_from_slice(rgb);
                Ok(())
            }
        };
        encoded.map_err(|e| anyhow::anyhow!("encoding frame {i} to {}: {e}", self.format.name()))
    }

    /// The loaded frame as the engine sees it.
    fn frame(&self, timestamp_us: i64) -> Frame<'_> {
        let (w, h) = (self.size.width, self.size.height);
        let data = &self.encoded;
        let packed = |format: PixelFormat, bpp: usize| {
            Frame::packed(
                format,
                data,
                w,
                h,
                w as usize * bpp,
                Rotation::Deg0,
                timestamp_us,
            )
        };
        match self.format {
            FormatArg::Nv21 => Frame::nv21(data, w, h, Rotation::Deg0, timestamp_us),
            FormatArg::Nv12 => Frame::nv12(data, w, h, Rotation::Deg0, timestamp_us),
            FormatArg::I420 => Frame::i420(data, w, h, Rotation::Deg0, timestamp_us),
            FormatArg::Rgba => packed(PixelFormat::Rgba8, 4),
            FormatArg::Bgra => packed(PixelFormat::Bgra8, 4),
            FormatArg::Rgb => packed(PixelFormat::Rgb8, 3),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Measuring.

/// One measured frame.
#[derive(Debug, Clone, Copy)]
struct Sample {
    mode: DetectorMode,
    /// A tracking frame that also ran lookout work (a rival's region of interest or search
    /// passes, asked for while the tracker is unsure): reported apart from plain tracking.
    lookout: bool,
    /// No track after the frame (the ball is lost).
    lost: bool,
    timings: StageTimings,
    budget_held: bool,
    allocations: u64,
    allocated_bytes: u64,
}

/// What one engine run measured.
struct RunOutcome {
    preset: Preset,
    threads: usize,
    budget_us: u64,
    samples: Vec<Sample>,
    warmup_max_us: u64,
    engine_heap_bytes: usize,
    model_bytes: usize,
    search_cycle_frames: usize,
    telemetry: ballcam_core::Telemetry,
    peak_rss_bytes: Option<u64>,
    /// Whether the peak RSS was reset before this run (else it is the process's peak so far).
    peak_rss_reset: bool,
    /// Resident set just before the engine was built (binary, input buffers, renderer), bytes.
    rss_before_engine_bytes: Option<u64>,
}

/// The config of a preset for this run: threads and model overridden, frame limits raised
/// when the frames are larger than the preset's.
fn config_for(preset: Preset, args: &ProfileArgs, size: Size) -> Config {
    let mut config = Config::preset(preset);
    if let Some(threads) = args.threads {
        config.threads = threads;
    }
    if let Some(model) = &args.model {
        config.model_path = Some(model.clone());
    }
    let (long, short) = (size.width.max(size.height), size.width.min(size.height));
    let (max_long, max_short) = (
        config.max_frame_width.max(config.max_frame_height),
        config.max_frame_width.min(config.max_frame_height),
    );
    if long > max_long || short > max_short {
        config.max_frame_width = size.width.max(config.max_frame_width);
        config.max_frame_height = size.height.max(config.max_frame_height);
    }
    config
}

/// Reads a `kB` field of /proc/self/status, in bytes.
fn proc_status_bytes(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * BYTES_PER_KB)
}

/// Resets the peak RSS so that `VmHWM` measures from now on; false where the kernel refuses.
fn reset_peak_rss() -> bool {
    std::fs::write("/proc/self/clear_refs", CLEAR_REFS_RESET_PEAK).is_ok()
}

/// Runs `warmup + frames` frames of `source` through a new engine for `preset`.
fn run_engine(
    preset: Preset,
    args: &ProfileArgs,
    source: &mut FrameSource,
    frames: usize,
) -> Result<RunOutcome> {
    let config = config_for(preset, args, source.size);
    let threads = config.threads;
    let budget_us = config.schedule.budget_us;
    let peak_rss_reset = reset_peak_rss();
    let rss_before_engine_bytes = proc_status_bytes("VmRSS:");
    let mut engine = Engine::new(config)
        .with_context(|| format!("cannot build the engine for preset {preset}"))?;
    let mut samples = Vec::with_capacity(frames);
    let mut warmup_max_us = 0;
    for i in 0..WARMUP_FRAMES + frames {
        source.load(i)?;
        let frame = source.frame(source.timestamp_us(i));
        let (a0, b0) = crate::alloc_count::counters();
        let result = engine.process(&frame);
        let (a1, b1) = crate::alloc_count::counters();
        let result = result.with_context(|| format!("frame {i}"))?;
        if i < WARMUP_FRAMES {
            warmup_max_us = warmup_max_us.max(result.timings.total_us);
            continue;
        }
        samples.push(Sample {
            mode: result.mode,
            lookout: result.mode == DetectorMode::Roi && result.detector_runs > 1,
            lost: result.state == ballcam_core::TrackState::Lost,
            timings: result.timings,
            budget_held: result.budget_held,
            allocations: a1 - a0,
            allocated_bytes: b1 - b0,
        });
    }
    Ok(RunOutcome {
        preset,
        threads,
        budget_us,
        samples,
        warmup_max_us,
        engine_heap_bytes: engine.heap_bytes(),
        model_bytes: engine.model_bytes(),
        search_cycle_frames: engine.search_cycle_frames(),
        telemetry: engine.telemetry(),
        peak_rss_bytes: proc_status_bytes("VmHWM:"),
        peak_rss_reset,
        rss_before_engine_bytes,
    })
}

// ---------------------------------------------------------------------------------------------
// Statistics.

/// Latency percentiles of one stage, microseconds.
#[derive(Debug, Clone, Copy, Default, Serialize)]
struct Percentiles {
    p50: u64,
    p95: u64,
    p99: u64,
    max: u64,
    mean: f64,
}

impl Percentiles {
    /// Nearest-rank percentiles of `values` (zeros when empty).
    fn of(mut values: Vec<u64>) -> Percentiles {
        if values.is_empty() {
            return Percentiles::default();
        }
        values.sort_unstable();
        let n = values.len();
        let rank = |p: f64| values[((p / 100.0 * n as f64).ceil() as usize).clamp(1, n) - 1];
        Percentiles {
            p50: rank(50.0),
            p95: rank(95.0),
            p99: rank(99.0),
            max: values[n - 1],
            mean: values.iter().sum::<u64>() as f64 / n as f64,
        }
    }
}

/// Per-stage latency of a set of frames.
#[derive(Debug, Clone, Serialize)]
struct StageStats {
    frames: usize,
    over_budget: usize,
    convert_us: Percentiles,
    infer_us: Percentiles,
    decode_us: Percentiles,
    track_us: Percentiles,
    plan_us: Percentiles,
    total_us: Percentiles,
}

impl StageStats {
    fn of<'a>(samples: impl Iterator<Item = &'a Sample> + Clone) -> StageStats {
        let stage = |f: fn(&StageTimings) -> u64| {
            Percentiles::of(samples.clone().map(|s| f(&s.timings)).collect())
        };
        StageStats {
            frames: samples.clone().count(),
            over_budget: samples.clone().filter(|s| !s.budget_held).count(),
            convert_us: stage(|t| t.convert_us),
            infer_us: stage(|t| t.infer_us),
            decode_us: stage(|t| t.decode_us),
            track_us: stage(|t| t.track_us),
            plan_us: stage(|t| t.plan_us),
            total_us: stage(|t| t.total_us),
        }
    }
}

/// The detector modes, in report order.
const MODES: [DetectorMode; 4] = [
    DetectorMode::Full,
    DetectorMode::Roi,
    DetectorMode::Tile,
    DetectorMode::Skip,
];

/// Frames on which the ball was lost and no detector ran.
fn starved(samples: &[Sample]) -> usize {
    samples
        .iter()
        .filter(|s| s.lost && s.mode == DetectorMode::Skip)
        .count()
}

/// Whether a frame searched: no track (whole frame or tiles), or tracking with lookout work.
fn is_search(s: &Sample) -> bool {
    matches!(s.mode, DetectorMode::Full | DetectorMode::Tile) || s.lookout
}

/// Name of the report row of tracking frames with lookout work.
const LOOKOUT_ROW: &str = "roi+lookout";

/// The report rows: each detector mode (`roi` = the track's region of interest alone) and
/// the tracking frames with lookout work.
fn mode_rows(samples: &[Sample]) -> Vec<ModeStats> {
    let mut rows: Vec<ModeStats> = MODES
        .iter()
        .map(|&m| ModeStats {
            mode: m.name(),
            stats: StageStats::of(samples.iter().filter(move |s| s.mode == m && !s.lookout)),
        })
        .collect();
    let at = rows.iter().position(|r| r.mode == DetectorMode::Roi.name());
    let lookout = ModeStats {
        mode: LOOKOUT_ROW,
        stats: StageStats::of(samples.iter().filter(|s| s.lookout)),
    };
    rows.insert(at.map_or(rows.len(), |i| i + 1), lookout);
    rows
}

#[derive(Debug, Clone, Serialize)]
struct ModeStats {
    mode: &'static str,
    #[serde(flatten)]
    stats: StageStats,
}

#[derive(Debug, Clone, Serialize)]
struct AllocationStats {
    /// Whether allocations were counted (CountingAlloc registered as the global allocator).
    counted: bool,
    /// Allocations inside `Engine::process` over the measured frames (after warm-up).
    total: Option<u64>,
    per_frame_mean: Option<f64>,
    per_frame_max: Option<u64>,
    frames_with_allocations: Option<usize>,
    bytes_per_frame_mean: Option<f64>,
}

impl AllocationStats {
    fn of(samples: &[Sample], counted: bool) -> AllocationStats {
        if !counted || samples.is_empty() {
            return AllocationStats {
                counted,
                total: None,
                per_frame_mean: None,
                per_frame_max: None,
                frames_with_allocations: None,
                bytes_per_frame_mean: None,
            };
        }
        let total: u64 = samples.iter().map(|s| s.allocations).sum();
        let bytes: u64 = samples.iter().map(|s| s.allocated_bytes).sum();
        let n = samples.len() as f64;
        AllocationStats {
            counted,
            total: Some(total),
            per_frame_mean: Some(total as f64 / n),
            per_frame_max: samples.iter().map(|s| s.allocations).max(),
            frames_with_allocations: Some(samples.iter().filter(|s| s.allocations > 0).count()),
            bytes_per_frame_mean: Some(bytes as f64 / n),
        }
    }
}

/// Frame rate a preset is designed for (its frame interval is the time available per frame).
fn preset_fps(preset: Preset) -> f64 {
    match preset {
        Preset::Phone60Fps => 60.0,
        Preset::Phone30Fps | Preset::Desktop | Preset::Server => 30.0,
    }
}

/// A preset's verdict: does this machine meet its budget?
#[derive(Debug, Clone, Serialize)]
struct PresetVerdict {
    preset: String,
    threads: usize,
    budget_us: u64,
    frames: usize,
    /// `run`: this preset was run on the frames; `estimated`: not run (--only-preset).
    measured: &'static str,
    p50_total_us: u64,
    p99_total_us: u64,
    max_total_us: u64,
    /// Slowest search frame (full or tile), microseconds.
    max_search_total_us: u64,
    frames_over_budget: usize,
    search_frames_over_budget: usize,
    /// Budget minus p99 whole-frame latency: positive is slack, negative is the miss.
    margin_us: i64,
    /// Budget over p99 whole-frame latency.
    budget_headroom_x: f64,
    /// Frame interval of the preset's frame rate over p99 whole-frame latency.
    frame_headroom_x: f64,
    /// Frames with the ball lost on which no detector ran (the scheduler skipped the search).
    lost_frames_without_search: usize,
    /// p99 whole-frame latency within budget, no frame's detector work over budget, and the
    /// search never starved (no frame with the ball lost and no detector run).
    meets: bool,
    /// The verdict in words: meets / misses, and by how much.
    verdict: String,
    peak_rss_bytes: Option<u64>,
}

impl PresetVerdict {
    fn of(run: &RunOutcome) -> PresetVerdict {
        let all = StageStats::of(run.samples.iter());
        let search = run.samples.iter().filter(|s| is_search(s));
        let max_search = search
            .clone()
            .map(|s| s.timings.total_us)
            .max()
            .unwrap_or(0);
        let search_over = search.filter(|s| !s.budget_held).count();
        let p99 = all.total_us.p99.max(1);
        let interval_us = US_PER_S / preset_fps(run.preset);
        PresetVerdict {
            preset: run.preset.name().to_string(),
            threads: run.threads,
            budget_us: run.budget_us,
            frames: all.frames,
            measured: "run",
            p50_total_us: all.total_us.p50,
            p99_total_us: all.total_us.p99,
            max_total_us: all.total_us.max,
            max_search_total_us: max_search,
            frames_over_budget: all.over_budget,
            search_frames_over_budget: search_over,
            margin_us: run.budget_us as i64 - all.total_us.p99 as i64,
            budget_headroom_x: run.budget_us as f64 / p99 as f64,
            frame_headroom_x: interval_us / p99 as f64,
            lost_frames_without_search: starved(&run.samples),
            meets: all.total_us.p99 <= run.budget_us
                && all.over_budget == 0
                && starved(&run.samples) == 0,
            verdict: String::new(),
            peak_rss_bytes: run.peak_rss_reset.then_some(run.peak_rss_bytes).flatten(),
        }
        .with_verdict()
    }

    /// Fills `verdict` from the figures.
    fn with_verdict(mut self) -> PresetVerdict {
        let by = self.margin_us.unsigned_abs() as f64 / US_PER_MS;
        let (p99, budget) = (ms(self.p99_total_us), ms(self.budget_us));
        self.verdict = if self.lost_frames_without_search > 0 {
            format!(
                "misses: on {} of {} frames the ball was lost and no detector ran (the search was \
                 skipped for lack of budget), p99 {p99:.2} ms, budget {budget:.1} ms",
                self.lost_frames_without_search, self.frames
            )
        } else if self.meets {
            format!("meets: p99 {p99:.2} ms, {by:.2} ms under the {budget:.1} ms budget")
        } else if self.margin_us < 0 {
            format!(
                "misses by {by:.2} ms: p99 {p99:.2} ms over the {budget:.1} ms budget; {} frames over budget",
                self.frames_over_budget
            )
        } else {
            format!(
                "misses: p99 {p99:.2} ms within the {budget:.1} ms budget, but {} frames over budget",
                self.frames_over_budget
            )
        };
        self
    }

    /// The verdict of a preset that was not run, from the main run's costs (same frames, other
    /// input sizes: indicative only).
    fn estimated(preset: Preset, main: &RunOutcome) -> PresetVerdict {
        let budget_us = Config::preset(preset).schedule.budget_us;
        let mut v = PresetVerdict::of(main);
        v.preset = preset.name().to_string();
        v.measured = "estimated";
        v.budget_us = budget_us;
        let over = main.samples.iter().filter(|s| {
            s.timings.convert_us + s.timings.infer_us + s.timings.decode_us > budget_us
        });
        v.frames_over_budget = over.clone().count();
        v.search_frames_over_budget = over.filter(|s| is_search(s)).count();
        let p99 = v.p99_total_us.max(1);
        v.margin_us = budget_us as i64 - v.p99_total_us as i64;
        v.budget_headroom_x = budget_us as f64 / p99 as f64;
        v.frame_headroom_x = US_PER_S / preset_fps(preset) / p99 as f64;
        v.meets = v.p99_total_us <= budget_us
            && v.frames_over_budget == 0
            && v.lost_frames_without_search == 0;
        v.peak_rss_bytes = None;
        v.with_verdict()
    }
}

/// Inference alone at one detector input size (single thread, no conversion).
#[derive(Debug, Clone, Serialize)]
struct InferenceTiming {
    role: &'static str,
    input: String,
    width: u32,
    height: u32,
    runs: usize,
    p50_us: u64,
    mean_us: f64,
    min_us: u64,
    /// Heatmap decoding, timed apart (not in the figures above).
    decode_p50_us: u64,
}

/// Times the model alone at each of the preset's detector input sizes, single-threaded.
fn time_inference(config: &Config) -> Result<Vec<InferenceTiming>> {
    let d = &config.detector;
    let roles = [
        ("full", d.full_input),
        ("roi", d.roi_input),
        ("roi_small", d.roi_small_input),
        ("tile", d.tile_input),
    ];
    let sizes: Vec<_> = roles.iter().map(|(_, s)| *s).collect();
    let mut detector = match &config.model_path {
        Some(path) => Detector::from_path(path, &sizes, 1)?,
        None => Detector::from_bytes(
            ballcam_core::pipeline::embedded_model(config.ball)?,
            &sizes,
            1,
        )?,
    };
    let mut out = Vec::with_capacity(roles.len());
    let mut candidates = Vec::with_capacity(config.detector.max_candidates as usize);
    for (role, size) in roles {
        let slot = detector
            .slot(size)
            .with_context(|| format!("no slot for {size}"))?;
        for (i, v) in detector.input_mut(slot)?.iter_mut().enumerate() {
            *v = ((i * 31) % 256) as f32;
        }
        let mapping = TensorMapping {
            origin_x: 0.0,
            origin_y: 0.0,
            scale_x: 1.0,
            scale_y: 1.0,
        };
        let bounds = (size.width as f32, size.height as f32);
        let mut infer = Vec::with_capacity(INFER_RUNS);
        let mut decode = Vec::with_capacity(INFER_RUNS);
        for run in 0..INFER_WARMUP_RUNS + INFER_RUNS {
            candidates.clear();
            let t0 = Instant::now();
            let stats = detector.run(slot, INFER_THRESHOLD, &mapping, bounds, &mut candidates)?;
            let us = u64::try_from(t0.elapsed().as_micros()).unwrap_or(u64::MAX);
            if run >= INFER_WARMUP_RUNS {
                infer.push(us.saturating_sub(stats.decode_us));
                decode.push(stats.decode_us);
            }
        }
        let p = Percentiles::of(infer.clone());
        out.push(InferenceTiming {
            role,
            input: size.to_string(),
            width: size.width,
            height: size.height,
            runs: INFER_RUNS,
            p50_us: p.p50,
            mean_us: p.mean,
            min_us: infer.iter().copied().min().unwrap_or(0),
            decode_p50_us: Percentiles::of(decode).p50,
        });
    }
    Ok(out)
}

/// One target from the issue, measured.
#[derive(Debug, Clone, Serialize)]
struct Target {
    name: String,
    value: String,
    limit: String,
    met: Option<bool>,
}

#[derive(Debug, Clone, Serialize)]
struct MemoryReport {
    /// Peak resident set of the main run (`VmHWM`), bytes.
    peak_rss_bytes: Option<u64>,
    peak_rss_mb: Option<f64>,
    /// Whether the peak was reset just before the engine was built (else: process peak).
    peak_rss_reset_before_engine: bool,
    /// Resident set just before the engine was built: the binary, the input frame buffers
    /// and the renderer or decoder (so the engine's own share is the peak minus this).
    rss_before_engine_bytes: Option<u64>,
    /// Peak RSS minus the resident set before the engine was built.
    engine_rss_growth_bytes: Option<u64>,
    /// Input frame buffers the profiler holds (RGB + encoded), included in the RSS.
    input_buffer_bytes: usize,
    /// Buffers the engine holds itself (conversion scratch, input tensors).
    engine_heap_bytes: usize,
    model_bytes: usize,
}

#[derive(Debug, Clone, Serialize)]
struct InputReport {
    source: String,
    width: u32,
    height: u32,
    format: &'static str,
    fps: f64,
    warmup_frames: usize,
    frames: usize,
}

/// The whole report (`profile.json`).
#[derive(Debug, Clone, Serialize)]
struct Report {
    input: InputReport,
    preset: String,
    threads: usize,
    budget_us: u64,
    machine: String,
    all: StageStats,
    modes: Vec<ModeStats>,
    frames_over_budget: usize,
    search_frames_over_budget: usize,
    /// Frames with no track on which no detector ran (the scheduler skipped the search:
    /// budget credit spent, or a search cost estimate above the burst credit).
    lost_frames_without_search: usize,
    warmup_max_total_us: u64,
    memory: MemoryReport,
    allocations: AllocationStats,
    search_cycle_frames: usize,
    telemetry: ballcam_core::Telemetry,
    presets: Vec<PresetVerdict>,
    inference: Vec<InferenceTiming>,
    targets: Vec<Target>,
    files: Vec<String>,
}

/// The machine, as far as the kernel tells (CPU model and core count).
fn machine_description() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|t| {
            t.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_string())
        })
        .unwrap_or_else(|| std::env::consts::ARCH.to_string());
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    let load = std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|t| t.split_whitespace().next().map(str::to_string))
        .map_or(String::new(), |l| {
            format!(", load average {l} at the end of the run")
        });
    format!("{cpu}, {cores} cores{load}")
}

fn mb(bytes: u64) -> f64 {
    bytes as f64 / BYTES_PER_MIB
}

fn ms(us: u64) -> f64 {
    us as f64 / US_PER_MS
}

fn targets(report: &Report) -> Vec<Target> {
    let mut out = Vec::new();
    let roi = report
        .modes
        .iter()
        .find(|m| m.mode == DetectorMode::Roi.name());
    let tracking_name = format!(
        "whole frame, tracking (roi) mode without lookout work, p99 ({}x{} {}, {})",
        report.input.width, report.input.height, report.input.format, report.preset
    );
    out.push(match roi {
        Some(m) if m.stats.frames > 0 => Target {
            name: tracking_name,
            value: format!(
                "{:.3} ms over {} frames",
                ms(m.stats.total_us.p99),
                m.stats.frames
            ),
            limit: format!("<= {:.3} ms", ms(TARGET_TRACKING_P99_US)),
            met: Some(m.stats.total_us.p99 <= TARGET_TRACKING_P99_US),
        },
        _ => Target {
            name: tracking_name,
            value: "no tracking frames (the ball was never tracked)".into(),
            limit: format!("<= {:.3} ms", ms(TARGET_TRACKING_P99_US)),
            met: None,
        },
    });
    let search_frames: usize = report
        .modes
        .iter()
        .filter(|m| m.mode == "full" || m.mode == "tile" || m.mode == LOOKOUT_ROW)
        .map(|m| m.stats.frames)
        .sum();
    out.push(Target {
        name: format!(
            "search frames over the {} budget ({} us)",
            report.preset, report.budget_us
        ),
        value: format!(
            "{} of {search_frames}; {} frames with the ball lost and no search run",
            report.search_frames_over_budget, report.lost_frames_without_search
        ),
        limit: "0, and no skipped search".into(),
        met: Some(report.search_frames_over_budget == 0 && report.lost_frames_without_search == 0),
    });
    let rss = report.memory.peak_rss_bytes.map(mb);
    out.push(Target {
        name: "peak RSS (VmHWM)".into(),
        value: rss.map_or("unknown".into(), |v| {
            let growth = report
                .memory
                .engine_rss_growth_bytes
                .map_or("unknown".into(), |g| format!("{:.1} MiB", mb(g)));
            format!(
                "{v:.1} MiB (input frame buffers {:.1} MiB; engine growth {growth})",
                mb(report.memory.input_buffer_bytes as u64)
            )
        }),
        limit: format!("<= {TARGET_PEAK_RSS_MB} MiB (goal {GOAL_PEAK_RSS_MB})"),
        met: rss.map(|v| v <= TARGET_PEAK_RSS_MB),
    });
    if let Some(phone) = report
        .presets
        .iter()
        .find(|p| p.preset == Preset::Phone30Fps.name())
    {
        out.push(Target {
            name: format!("phone-30fps met with {TARGET_PHONE_HEADROOM_X}x headroom ({})", phone.measured),
            value: format!(
                "p99 {:.3} ms: {:.1}x the 33.3 ms frame, {:.1}x the {:.1} ms budget; {} frames over \
                 budget; {} frames lost without a search",
                ms(phone.p99_total_us),
                phone.frame_headroom_x,
                phone.budget_headroom_x,
                ms(phone.budget_us),
                phone.frames_over_budget,
                phone.lost_frames_without_search
            ),
            limit: format!(">= {TARGET_PHONE_HEADROOM_X}x and budget met"),
            met: Some(phone.meets && phone.frame_headroom_x >= TARGET_PHONE_HEADROOM_X),
        });
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Output.

fn markdown(r: &Report) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "# Ballcam profile\n");
    let _ = writeln!(
        s,
        "{} frames ({} warm-up frames not counted) of {} {}x{} {}, preset `{}` ({} thread(s), budget {:.1} ms), on {}.\n",
        r.input.frames,
        r.input.warmup_frames,
        r.input.source,
        r.input.width,
        r.input.height,
        r.input.format,
        r.preset,
        r.threads,
        ms(r.budget_us),
        r.machine
    );
    let _ = writeln!(
        s,
        "## Targets\n\n| target | measured | limit | met |\n|---|---|---|---|"
    );
    for t in &r.targets {
        let met = match t.met {
            Some(true) => "yes",
            Some(false) => "**no**",
            None => "n/a",
        };
        let _ = writeln!(s, "| {} | {} | {} | {met} |", t.name, t.value, t.limit);
    }
    let _ = writeln!(
        s,
        "\n## Latency per detector mode (ms: p50 / p95 / p99 / max)\n"
    );
    let _ = writeln!(
        s,
        "`roi`: the track's region of interest alone; `{LOOKOUT_ROW}`: tracking frames that also \
         ran lookout work the tracker asked for while unsure (a rival's region of interest, search \
         passes over a resting or coasting ball), counted as search frames.\n"
    );
    let _ = writeln!(
        s,
        "| mode | frames | over budget | convert | infer | decode | track | plan | total |"
    );
    let _ = writeln!(s, "|---|---|---|---|---|---|---|---|---|");
    let cell = |p: &Percentiles| {
        format!(
            "{:.3} / {:.3} / {:.3} / {:.3}",
            ms(p.p50),
            ms(p.p95),
            ms(p.p99),
            ms(p.max)
        )
    };
    let rows = r
        .modes
        .iter()
        .map(|m| (m.mode, &m.stats))
        .chain(std::iter::once(("all", &r.all)));
    for (name, st) in rows {
        let _ = writeln!(
            s,
            "| {name} | {} | {} | {} | {} | {} | {} | {} | {} |",
            st.frames,
            st.over_budget,
            cell(&st.convert_us),
            cell(&st.infer_us),
            cell(&st.decode_us),
            cell(&st.track_us),
            cell(&st.plan_us),
            cell(&st.total_us)
        );
    }
    let _ = writeln!(
        s,
        "\nSlowest warm-up frame: {:.3} ms.\n",
        ms(r.warmup_max_total_us)
    );
    if r.lost_frames_without_search > 0 {
        let _ = writeln!(
            s,
            "Note: on {} of {} frames the ball was lost and no detector ran (the scheduler skipped \
             the search); their near-zero latency lowers the `all` figures.\n",
            r.lost_frames_without_search, r.input.frames
        );
    }
    let _ = writeln!(s, "## Presets\n\n| preset | threads | budget ms | p50 ms | p99 ms | max ms | max search ms | over budget (search) | margin ms | x budget | x frame | verdict |");
    let _ = writeln!(s, "|---|---|---|---|---|---|---|---|---|---|---|---|");
    for p in &r.presets {
        let verdict = &p.verdict;
        let _ = writeln!(
            s,
            "| {} ({}) | {} | {:.1} | {:.3} | {:.3} | {:.3} | {:.3} | {} ({}) | {:+.3} | {:.1} | {:.1} | {verdict} |",
            p.preset,
            p.measured,
            p.threads,
            ms(p.budget_us),
            ms(p.p50_total_us),
            ms(p.p99_total_us),
            ms(p.max_total_us),
            ms(p.max_search_total_us),
            p.frames_over_budget,
            p.search_frames_over_budget,
            p.margin_us as f64 / US_PER_MS,
            p.budget_headroom_x,
            p.frame_headroom_x
        );
    }
    let m = &r.memory;
    let _ = writeln!(s, "\n## Memory and allocations\n");
    let _ = writeln!(
        s,
        "- peak RSS: {} (peak reset before the engine was built: {}); before the engine: {}, \
         of which input frame buffers {:.1} MiB; growth from building and running the engine: {}",
        m.peak_rss_mb
            .map_or("unknown".into(), |v| format!("{v:.1} MiB")),
        m.peak_rss_reset_before_engine,
        m.rss_before_engine_bytes
            .map_or("unknown".into(), |v| format!("{:.1} MiB", mb(v))),
        mb(m.input_buffer_bytes as u64),
        m.engine_rss_growth_bytes
            .map_or("unknown".into(), |v| format!("{:.1} MiB", mb(v)))
    );
    let _ = writeln!(
        s,
        "- engine heap: {:.2} MiB; model: {:.2} MiB",
        mb(m.engine_heap_bytes as u64),
        mb(m.model_bytes as u64)
    );
    let a = &r.allocations;
    if a.counted {
        let _ = writeln!(
            s,
            "- allocations in `Engine::process` after warm-up: {} total, {:.2} per frame (max {}), {} frames allocated, {:.0} bytes per frame",
            a.total.unwrap_or(0),
            a.per_frame_mean.unwrap_or(0.0),
            a.per_frame_max.unwrap_or(0),
            a.frames_with_allocations.unwrap_or(0),
            a.bytes_per_frame_mean.unwrap_or(0.0)
        );
    } else {
        let _ = writeln!(
            s,
            "- allocations: not counted (CountingAlloc is not the global allocator)"
        );
    }
    let _ = writeln!(s, "- search cycle: {} frames", r.search_cycle_frames);
    let _ = writeln!(s, "\n## Inference alone (single thread)\n\n| role | input | p50 ms | mean ms | min ms | decode p50 ms |\n|---|---|---|---|---|---|");
    for t in &r.inference {
        let _ = writeln!(
            s,
            "| {} | {} | {:.3} | {:.3} | {:.3} | {:.3} |",
            t.role,
            t.input,
            ms(t.p50_us),
            t.mean_us / US_PER_MS,
            ms(t.min_us),
            ms(t.decode_p50_us)
        );
    }
    let _ = writeln!(s, "\nHistogram of the whole-frame latency: `{PNG_NAME}`.");
    s
}

/// Colour of a detector mode in the histogram.
fn mode_color(mode: DetectorMode) -> Rgb {
    match mode {
        DetectorMode::Full => colors::RED,
        DetectorMode::Roi => colors::BLUE,
        DetectorMode::Tile => colors::ORANGE,
        DetectorMode::Skip => colors::GRAY,
    }
}

/// Draws a histogram of the whole-frame latency per mode (stacked bars, log count axis) with
/// the budget and the tracking target as vertical lines.
fn histogram_png(samples: &[Sample], budget_us: u64, title: &str, path: &Path) -> Result<()> {
    let mut rgb = vec![0u8; HIST_W as usize * HIST_H as usize * 3];
    let mut canvas = Canvas::new(&mut rgb, HIST_W, HIST_H).context("histogram canvas")?;
    canvas.fill_rect(0, 0, i64::from(HIST_W), i64::from(HIST_H), HIST_BG);
    let (ml, mr, mt, mb_) = HIST_MARGIN;
    let (x0, x1) = (i64::from(ml), i64::from(HIST_W - mr));
    let (y0, y1) = (i64::from(mt), i64::from(HIST_H - mb_));
    let p99 = Percentiles::of(samples.iter().map(|s| s.timings.total_us).collect()).p99;
    let range_us =
        ((p99.max(budget_us).max(TARGET_TRACKING_P99_US)) as f64 * HIST_RANGE_OVER_P99).max(1.0);
    let bin_us = range_us / HIST_BINS as f64;
    // counts[bin][mode]; the last bin holds everything beyond the range.
    let mut counts = vec![[0u64; MODES.len()]; HIST_BINS];
    for s in samples {
        let bin = ((s.timings.total_us as f64 / bin_us) as usize).min(HIST_BINS - 1);
        let m = MODES
            .iter()
            .position(|&m| m == s.mode)
            .unwrap_or(MODES.len() - 1);
        counts[bin][m] += 1;
    }
    let max_count = counts
        .iter()
        .map(|c| c.iter().sum::<u64>())
        .max()
        .unwrap_or(1)
        .max(1);
    let log_max = ((max_count + 1) as f64).log10();
    let height_of = |n: u64| ((n as f64 + 1.0).log10() / log_max * (y1 - y0) as f64) as i64;
    let bar_w = (x1 - x0) as f64 / HIST_BINS as f64;
    for (b, c) in counts.iter().enumerate() {
        let bx0 = x0 + (b as f64 * bar_w) as i64 + 1;
        let bx1 = x0 + ((b + 1) as f64 * bar_w) as i64 - 1;
        // Stack in mode order; each segment's height is the log of the cumulative count.
        let mut cumulative = 0u64;
        let mut top = y1;
        for (m, &n) in c.iter().enumerate() {
            if n == 0 {
                continue;
            }
            cumulative += n;
            let h = y1 - height_of(cumulative);
            canvas.fill_rect(bx0, h, bx1, top, mode_color(MODES[m]));
            top = h;
        }
    }
    // Axes, ticks, labels.
    canvas.fill_rect(x0, y1, x1, y1 + 2, colors::BLACK);
    canvas.fill_rect(x0 - 2, y0, x0, y1 + 2, colors::BLACK);
    let tick_ms = nice_step(range_us / US_PER_MS / 8.0);
    let mut t = 0.0;
    while t <= range_us / US_PER_MS + 1e-9 {
        let x = x0 + (t * US_PER_MS / range_us * (x1 - x0) as f64) as i64;
        canvas.fill_rect(x, y1, x + 1, y1 + 6, colors::BLACK);
        let label = if tick_ms < 1.0 {
            format!("{t:.1}")
        } else {
            format!("{t:.0}")
        };
        let (w, _) = text_size(&label, HIST_FONT);
        canvas.text(
            x - i64::from(w) / 2,
            y1 + 10,
            &label,
            HIST_FONT,
            colors::BLACK,
        );
        t += tick_ms;
    }
    let xlabel = format!(
        "whole-frame latency, ms (last bar: >= {:.2} ms)",
        (range_us - bin_us) / US_PER_MS
    );
    canvas.text(
        x0,
        i64::from(HIST_H) - 22,
        &xlabel,
        HIST_FONT,
        colors::BLACK,
    );
    let mut n = 1u64;
    while n <= max_count {
        let y = y1 - height_of(n);
        canvas.fill_rect(x0 - 6, y, x0, y + 1, colors::BLACK);
        let label = n.to_string();
        let (w, _) = text_size(&label, HIST_FONT);
        canvas.text(
            x0 - 10 - i64::from(w),
            y - 6,
            &label,
            HIST_FONT,
            colors::BLACK,
        );
        n *= 10;
    }
    // Budget and tracking target.
    for (us, color, name) in [
        (budget_us, colors::RED, "budget"),
        (TARGET_TRACKING_P99_US, colors::GREEN, "2 ms target"),
    ] {
        let x = x0 + (us as f64 / range_us * (x1 - x0) as f64) as i64;
        canvas.fill_rect(x, y0, x + 2, y1, color);
        canvas.text(x + 4, y0 + 4, name, HIST_FONT, color);
    }
    canvas.text(10, 10, title, HIST_FONT, colors::BLACK);
    let mut lx = 10i64;
    for mode in MODES {
        let label = format!(
            "{} ({})",
            mode.name(),
            samples.iter().filter(|s| s.mode == mode).count()
        );
        canvas.fill_rect(lx, 34, lx + 14, 48, mode_color(mode));
        canvas.text(lx + 20, 36, &label, HIST_FONT, colors::BLACK);
        lx += 20 + i64::from(text_size(&label, HIST_FONT).0) + 24;
    }
    canvas.text(lx, 36, "count: log scale", HIST_FONT, colors::GRAY);
    image::save_buffer(path, &rgb, HIST_W, HIST_H, image::ColorType::Rgb8)
        .with_context(|| format!("cannot write {}", path.display()))
}

/// A round tick step (1, 2 or 5 times a power of ten) close to `raw`.
fn nice_step(raw: f64) -> f64 {
    if !(raw.is_finite() && raw > 0.0) {
        return 1.0;
    }
    let p = 10f64.powf(raw.log10().floor());
    let f = raw / p;
    let m = if f < 1.5 {
        1.0
    } else if f < 3.5 {
        2.0
    } else if f < 7.5 {
        5.0
    } else {
        10.0
    };
    m * p
}

/// Writes the first `n` encoded frames (for compare.py) to `dir/frames.<format>`.
fn dump_frames(args: &ProfileArgs, n: usize) -> Result<PathBuf> {
    let mut source = FrameSource::new(args, n)?;
    let path = args.out.join(format!("frames.{}", args.format.name()));
    let mut file = std::io::BufWriter::new(
        std::fs::File::create(&path).with_context(|| format!("cannot write {}", path.display()))?,
    );
    for i in 0..n {
        source.load(i)?;
        file.write_all(&source.encoded)?;
    }
    file.flush()?;
    Ok(path)
}

/// Runs `ballcam profile`.
pub fn run(args: &ProfileArgs, json: bool) -> Result<()> {
    if let Some(frames) = args.soak {
        return crate::soak::run(args, frames, json);
    }
    let preset: Preset = args.preset.parse().map_err(|e| bad_input(format!("{e}")))?;
    if args.frames == 0 {
        return Err(bad_input("--frames must be at least 1"));
    }
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("cannot create {}", args.out.display()))?;
    let counted = crate::alloc_count::counting_active();
    let mut source = FrameSource::new(args, WARMUP_FRAMES + args.frames)?;
    let source_name = match &args.input {
        Some(p) => p.display().to_string(),
        None => "synthetic match clip".to_string(),
    };
    let input = InputReport {
        source: source_name,
        width: source.size.width,
        height: source.size.height,
        format: args.format.name(),
        fps: source.fps,
        warmup_frames: WARMUP_FRAMES,
        frames: args.frames,
    };
    let input_buffer_bytes = source.buffer_bytes();
    if !json {
        eprintln!(
            "profiling {} {}x{} {} frames with {preset}...",
            input.frames, input.width, input.height, input.format
        );
    }
    let main = run_engine(preset, args, &mut source, args.frames)?;
    drop(source);

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
            let mut source = FrameSource::new(args, WARMUP_FRAMES + PRESET_CHECK_FRAMES)?;
            let run = run_engine(other, args, &mut source, PRESET_CHECK_FRAMES)?;
            presets.push(PresetVerdict::of(&run));
        }
    }
    let inference = time_inference(&config_for(
        preset,
        args,
        Size {
            width: input.width,
            height: input.height,
        },
    ))?;

    let all = StageStats::of(main.samples.iter());
    let modes = mode_rows(&main.samples);
    let search_over = main
        .samples
        .iter()
        .filter(|s| is_search(s) && !s.budget_held)
        .count();
    let json_path = args.out.join(JSON_NAME);
    let md_path = args.out.join(MD_NAME);
    let png_path = args.out.join(PNG_NAME);
    let mut files = vec![
        json_path.display().to_string(),
        md_path.display().to_string(),
        png_path.display().to_string(),
    ];
    if args.dump_frames > 0 {
        files.push(dump_frames(args, args.dump_frames)?.display().to_string());
    }
    let mut report = Report {
        preset: preset.name().to_string(),
        threads: main.threads,
        budget_us: main.budget_us,
        machine: machine_description(),
        frames_over_budget: all.over_budget,
        all,
        modes,
        search_frames_over_budget: search_over,
        lost_frames_without_search: starved(&main.samples),
        warmup_max_total_us: main.warmup_max_us,
        memory: MemoryReport {
            peak_rss_bytes: main.peak_rss_bytes,
            peak_rss_mb: main.peak_rss_bytes.map(mb),
            peak_rss_reset_before_engine: main.peak_rss_reset,
            rss_before_engine_bytes: main.rss_before_engine_bytes,
            engine_rss_growth_bytes: main
                .peak_rss_bytes
                .zip(main.rss_before_engine_bytes)
                .map(|(peak, before)| peak.saturating_sub(before)),
            input_buffer_bytes,
            engine_heap_bytes: main.engine_heap_bytes,
            model_bytes: main.model_bytes,
        },
        allocations: AllocationStats::of(&main.samples, counted),
        search_cycle_frames: main.search_cycle_frames,
        telemetry: main.telemetry,
        presets,
        inference,
        targets: Vec::new(),
        files,
        input,
    };
    report.targets = targets(&report);

    let text = serde_json::to_string_pretty(&report)?;
    std::fs::write(&json_path, &text)
        .with_context(|| format!("cannot write {}", json_path.display()))?;
    let md = markdown(&report);
    std::fs::write(&md_path, &md).with_context(|| format!("cannot write {}", md_path.display()))?;
    let title = format!(
        "{}x{} {} {} ({} frames): whole-frame latency per detector mode",
        report.input.width,
        report.input.height,
        report.input.format,
        report.preset,
        report.input.frames
    );
    histogram_png(&main.samples, main.budget_us, &title, &png_path)?;
    if json {
        println!("{text}");
    } else {
        println!("{md}");
        println!("wrote {}", report.files.join(", "));
    }
    Ok(())
}
