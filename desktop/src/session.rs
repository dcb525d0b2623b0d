//! What `demo`, `run`, `eval` and `label pseudo` share: engine options, construction and name, the
//! per-frame loop (source → engine → rows), the overlay and reframed video outputs, progress
//! bars, and writing the track/plots/report set.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use ballcam_core::{
    AspectRatio, Ball, Config, Engine, Frame, FrameResult, PixelFormat, Preset, Rotation,
    Telemetry, TrackState,
};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};

use crate::costs::Costs;
use crate::errors::bad_input;
use crate::input::{resize_rgb, FrameInfo, FrameSource, SourceInfo};
use crate::labels_csv::Truth;
use crate::metrics::{BallRow, Metrics, Timings, TrackRow};
use crate::output::{OutDir, TrackWriter, VideoFormat, VideoWriter};
use crate::overlay::{colors, Canvas};

/// Largest height of the reframed video (smaller inputs keep their height).
pub const REFRAME_MAX_HEIGHT: u32 = 720;
/// The predicted path drawn on the overlay covers this many seconds ahead.
pub const PATH_AHEAD_S: f64 = 0.5;
/// Points of the predicted path.
const PATH_POINTS: usize = 11;
/// Frame height per unit of overlay line thickness and text scale.
const OVERLAY_UNIT_PX: u32 = 360;
/// Extra radius of the ball marker beyond the ball, pixels.
const MARKER_PAD_PX: f64 = 4.0;
/// Progress bar refresh rate.
const PROGRESS_HZ: u8 = 10;
/// Names of the output files.
pub const TRACK_CSV: &str = "track.csv";
pub const REPORT_MD: &str = "report.md";
pub const REPORT_JSON: &str = "report.json";
pub const METRICS_JSON: &str = "metrics.json";
/// The engine's telemetry snapshot (`ballcam report --telemetry`; an evaluation's is the
/// reference of `--reference`).
pub const TELEMETRY_JSON: &str = "telemetry.json";
/// The measured times of an evaluation (beside metrics.json, which has none).
pub const TIMING_JSON: &str = "timing.json";
pub const OVERLAY_STEM: &str = "overlay";
pub const REFRAMED_STEM: &str = "reframed";

fn parse_aspect(s: &str) -> Result<AspectRatio, String> {
    s.parse::<AspectRatio>().map_err(|e| e.to_string())
}

fn parse_preset(s: &str) -> Result<Preset, String> {
    s.parse::<Preset>().map_err(|e| e.message)
}

pub fn parse_ball(s: &str) -> Result<Ball, String> {
    s.parse::<Ball>().map_err(|e| e.message)
}

/// Engine options shared by the commands.
#[derive(Args, Debug, Clone, Default)]
pub struct EngineOpts {
    /// Aspect ratio of the virtual camera's crop, W:H (e.g. 16:9, 9:16, 1:1) [default: the
    /// config's, 16:9].
    #[arg(long, value_name = "W:H", value_parser = parse_aspect)]
    pub aspect: Option<AspectRatio>,
    /// Engine preset: phone-30fps, phone-60fps, desktop (default) or server.
    #[arg(long = "profile", value_name = "NAME", value_parser = parse_preset, conflicts_with = "config")]
    pub preset: Option<Preset>,
    /// Engine configuration file (.toml or .json: a preset plus overrides).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// ONNX detector model [default: the embedded model `--ball` names].
    #[arg(long, value_name = "FILE")]
    pub model: Option<PathBuf>,
    /// Which embedded detector: `any` (every sport and camera) or `football` (a high football
    /// broadcast camera) [default: the config's, any].
    #[arg(long, value_name = "any|football", value_parser = parse_ball, conflicts_with = "model")]
    pub ball: Option<Ball>,
    /// What the scheduler is told each detector run cost: `measured` (live use; results move
    /// with the machine's load), `fixed` (a cost per input size from the model's work: the same
    /// input gives the same track on any machine) or a cost table FILE.json
    /// (`{"costs_us": {"192x192": 1100, ...}}`) [default: fixed for eval, measured otherwise].
    #[arg(long, value_name = "measured|fixed|FILE.json", value_parser = clap::value_parser!(Costs))]
    pub costs: Option<Costs>,
}

impl EngineOpts {
    /// The configuration for frames of `width` x `height`.
    pub fn config(&self, width: u32, height: u32) -> Result<Config> {
        let mut config = match (&self.config, self.preset) {
            (Some(path), _) => {
                if !path.is_file() {
                    return Err(bad_input(format!(
                        "{}: no such config file",
                        path.display()
                    )));
                }
                Config::from_path(path)
                    .map_err(|e| bad_input(format!("{}: {e}", path.display())))?
            }
            (None, Some(preset)) => Config::preset(preset),
            (None, None) => Config::default(),
        };
        if let Some(model) = &self.model {
            if !model.is_file() {
                return Err(bad_input(format!(
                    "{}: no such model file",
                    model.display()
                )));
            }
            config.model_path = Some(model.clone());
        }
        if let Some(ball) = self.ball {
            config.ball = ball;
        }
        if let Some(aspect) = self.aspect {
            config.crop.aspect = aspect;
        }
        config.max_frame_width = config.max_frame_width.max(width);
        config.max_frame_height = config.max_frame_height.max(height);
        Ok(config)
    }

    /// The costs asked for, or `default`.
    pub fn costs_or(&self, default: Costs) -> Costs {
        self.costs.clone().unwrap_or(default)
    }

    /// Builds the engine for frames of `width` x `height`, with measured costs unless
    /// `--costs` says otherwise.
    pub fn engine(&self, width: u32, height: u32) -> Result<Engine> {
        self.engine_with_costs(width, height, &self.costs_or(Costs::Measured))
    }

    /// Builds the engine for frames of `width` x `height` with `costs`.
    pub fn engine_with_costs(&self, width: u32, height: u32, costs: &Costs) -> Result<Engine> {
        self.engine_edited(width, height, costs, |_| {})
    }

    /// Builds the engine for frames of `width` x `height` with `costs`, once `edit` has applied
    /// a command's own options to the configuration (`run --capture` turns capture on).
    pub fn engine_edited(
        &self,
        width: u32,
        height: u32,
        costs: &Costs,
        edit: impl FnOnce(&mut Config),
    ) -> Result<Engine> {
        let mut config = self.config(width, height)?;
        edit(&mut config);
        let mut engine = self.build(config)?;
        engine.set_cost_model(costs.model()?);
        Ok(engine)
    }

    fn build(&self, config: Config) -> Result<Engine> {
        Engine::new(config).map_err(|e| {
            let user_model = self.model.is_some() && matches!(e, ballcam_core::Error::Model(_));
            let user_config = matches!(e, ballcam_core::Error::Config(_));
            if user_model || user_config {
                bad_input(format!("cannot build the engine: {e}"))
            } else {
                anyhow::Error::new(e).context("cannot build the engine")
            }
        })
    }
}

/// The engine's model in words: "embedded model (ball = any)" or the model file's name.
pub fn model_name(engine: &ballcam_core::Engine) -> String {
    engine.config().model_path.as_ref().map_or_else(
        || format!("embedded model (ball = {})", engine.config().ball),
        |p| format!("model {}", p.display()),
    )
}

/// A progress bar on stderr, hidden when stderr is not a terminal or output is JSON.
pub fn progress_bar(len: Option<usize>, json: bool, message: &str) -> ProgressBar {
    if json || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = match len {
        Some(n) => ProgressBar::new(n as u64),
        None => ProgressBar::new_spinner(),
    };
    let template = if len.is_some() {
        "{msg} [{bar:40.cyan/blue}] {pos}/{len} frames, {per_sec}, eta {eta}"
    } else {
        "{spinner} {msg} {pos} frames, {per_sec}"
    };
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message(message.to_string());
    bar.enable_steady_tick(Duration::from_millis(1000 / u64::from(PROGRESS_HZ)));
    bar
}

/// The row of `track.csv` for one engine result.
pub fn track_row(info: &FrameInfo, clip: usize, r: &FrameResult) -> TrackRow {
    let t = r.timings;
    TrackRow {
        frame: info.index,
        clip,
        source: info.source.clone(),
        timestamp_us: r.timestamp_us,
        width: r.frame_width,
        height: r.frame_height,
        state: match r.state {
            TrackState::Detected => "detected",
            TrackState::Predicted => "predicted",
            TrackState::Lost => "lost",
        },
        ball: r.ball.map(|b| BallRow {
            x: f64::from(b.x),
            y: f64::from(b.y),
            vx: f64::from(b.vx),
            vy: f64::from(b.vy),
            radius: f64::from(b.radius),
            confidence: f64::from(b.confidence),
        }),
        candidates: r.candidates,
        top: r
            .top_candidate
            .map(|c| [f64::from(c.x), f64::from(c.y), f64::from(c.score)]),
        crop: [
            f64::from(r.crop.x),
            f64::from(r.crop.y),
            f64::from(r.crop.width),
            f64::from(r.crop.height),
        ],
        mode: r.mode.name(),
        timings: Timings {
            convert_us: t.convert_us,
            infer_us: t.infer_us,
            decode_us: t.decode_us,
            track_us: t.track_us,
            plan_us: t.plan_us,
            total_us: t.total_us,
        },
    }
}

/// Rows and truths of a processed sequence.
pub struct Processed {
    pub rows: Vec<TrackRow>,
    pub truths: Vec<Option<Truth>>,
    /// Wall time of the loop, seconds.
    pub wall_s: f64,
}

/// Runs every frame of `source` through `engine` (reset at each new clip), calling `sink`
/// with each frame's pixels and row.
pub fn process(
    source: &mut dyn FrameSource,
    engine: &mut Engine,
    progress: &ProgressBar,
    mut sink: impl FnMut(&FrameInfo, &[u8], &TrackRow) -> Result<()>,
) -> Result<Processed> {
    let start = Instant::now();
    let mut rgb = Vec::new();
    let (mut rows, mut truths) = (Vec::new(), Vec::new());
    let mut clip = 0usize;
    while let Some(info) = source.next_frame(&mut rgb)? {
        if info.new_clip && info.index > 0 {
            engine.reset();
            clip += 1;
        }
        if info.new_clip {
            engine.set_frame_interval_hint(Some(info.interval_us));
        }
        let stride = info.width as usize * 3;
        let frame = Frame::packed(
            PixelFormat::Rgb8,
            &rgb,
            info.width,
            info.height,
            stride,
            Rotation::Deg0,
            info.timestamp_us,
        );
        let result = engine.process(&frame).with_context(|| {
            format!(
                "{}: frame {} ({})",
                source.info().name,
                info.index,
                info.source
            )
        })?;
        let row = track_row(&info, clip, &result);
        sink(&info, &rgb, &row)?;
        rows.push(row);
        truths.push(info.truth);
        progress.inc(1);
    }
    progress.finish_and_clear();
    if rows.is_empty() {
        return Err(bad_input(format!("{}: no frames", source.info().name)));
    }
    Ok(Processed {
        rows,
        truths,
        wall_s: start.elapsed().as_secs_f64(),
    })
}

/// Draws the overlay of one frame: crop and safe zone, ground truth, ball marker with its
/// predicted path, and a status line.
pub fn draw_overlay(canvas: &mut Canvas, row: &TrackRow, truth: Option<&Truth>) {
    let unit = (canvas.height().min(canvas.width()) / OVERLAY_UNIT_PX).max(1);
    let [cx, cy, cw, ch] = row.crop;
    let safe = crate::metrics::SAFE_ZONE_FRACTION;
    canvas.dashed_rect(
        cx + cw * (1.0 - safe) / 2.0,
        cy + ch * (1.0 - safe) / 2.0,
        cw * safe,
        ch * safe,
        6 * unit,
        colors::CYAN,
    );
    canvas.rect(cx, cy, cw, ch, 2 * unit, colors::WHITE);
    if let Some((tx, ty)) = truth.and_then(|t| t.position()) {
        canvas.cross(tx, ty, 4.0 * f64::from(unit), unit, colors::RED);
    }
    if let Some(b) = row.ball {
        let color = if row.state == "detected" {
            colors::GREEN
        } else {
            colors::YELLOW
        };
        let path: Vec<(f64, f64)> = (0..PATH_POINTS)
            .map(|i| {
                let t = PATH_AHEAD_S * i as f64 / (PATH_POINTS - 1) as f64;
                (b.x + b.vx * t, b.y + b.vy * t)
            })
            .collect();
        canvas.polyline(&path, 1, colors::ORANGE);
        canvas.dotted_polyline(
            &path,
            6.0 * f64::from(unit),
            f64::from(unit),
            colors::ORANGE,
        );
        canvas.circle(
            b.x,
            b.y,
            b.radius + MARKER_PAD_PX * f64::from(unit),
            unit + 1,
            color,
        );
    }
    let conf = row
        .ball
        .map_or_else(String::new, |b| format!(" {:.2}", b.confidence));
    let status = format!(
        "#{} {}{} {} {:.1} ms",
        row.frame,
        row.state,
        conf,
        row.mode,
        row.timings.total_us as f64 / 1000.0
    );
    canvas.label(
        8 * i64::from(unit),
        8 * i64::from(unit),
        &status,
        2 * unit,
        colors::WHITE,
    );
}

/// The overlay and reframed video writers, opened at the first frame.
pub struct Videos {
    format: VideoFormat,
    fps: f64,
    overlay_path: PathBuf,
    reframed_path: PathBuf,
    overlay: Option<VideoWriter>,
    reframed: Option<VideoWriter>,
    reframed_size: (u32, u32),
    draw_truth: bool,
    buffer: Vec<u8>,
    crop_buffer: Vec<u8>,
    resizer: fast_image_resize::Resizer,
}

/// Rounds up to an even number (video encoders need even sides).
fn even(v: f64) -> u32 {
    let n = v.round().max(2.0) as u32;
    n + n % 2
}

impl Videos {
    /// Prepares `overlay.<ext>` and `reframed.<ext>` in `out`.
    pub fn new(out: &OutDir, info: &SourceInfo, draw_truth: bool) -> Videos {
        let format = VideoFormat::detect();
        let ext = format.extension();
        Videos {
            format,
            fps: info.fps,
            overlay_path: out.path(&format!("{OVERLAY_STEM}.{ext}")),
            reframed_path: out.path(&format!("{REFRAMED_STEM}.{ext}")),
            overlay: None,
            reframed: None,
            reframed_size: (0, 0),
            draw_truth,
            buffer: Vec::new(),
            crop_buffer: Vec::new(),
            resizer: fast_image_resize::Resizer::new(),
        }
    }

    /// The container written.
    pub fn format(&self) -> VideoFormat {
        self.format
    }

    /// Size of the reframed video (0 x 0 before the first frame).
    pub fn reframed_size(&self) -> (u32, u32) {
        self.reframed_size
    }

    /// Adds one frame to both videos.
    pub fn write(&mut self, info: &FrameInfo, rgb: &[u8], row: &TrackRow) -> Result<()> {
        let (w, h) = (info.width, info.height);
        if self.overlay.is_none() {
            let oh = even(f64::from(h.min(REFRAME_MAX_HEIGHT)));
            let aspect = if row.crop[3] > 0.0 {
                row.crop[2] / row.crop[3]
            } else {
                16.0 / 9.0
            };
            self.reframed_size = (even(f64::from(oh) * aspect), oh);
            self.overlay = Some(VideoWriter::create(
                &self.overlay_path,
                self.format,
                w,
                h,
                self.fps,
            )?);
            let (rw, rh) = self.reframed_size;
            self.reframed = Some(VideoWriter::create(
                &self.reframed_path,
                self.format,
                rw,
                rh,
                self.fps,
            )?);
        }
        self.buffer.clear();
        self.buffer
            .extend_from_slice(&rgb[..w as usize * h as usize * 3]);
        if let Some(mut canvas) = Canvas::new(&mut self.buffer, w, h) {
            let truth = if self.draw_truth {
                info.truth.as_ref()
            } else {
                None
            };
            draw_overlay(&mut canvas, row, truth);
        }
        if let Some(v) = self.overlay.as_mut() {
            v.write(&self.buffer)?;
        }
        resize_rgb(
            &mut self.resizer,
            rgb,
            (w, h),
            &mut self.crop_buffer,
            self.reframed_size,
            Some(row.crop),
        )?;
        if let Some(v) = self.reframed.as_mut() {
            v.write(&self.crop_buffer)?;
        }
        Ok(())
    }

    /// Finishes both files; returns their final names.
    pub fn finish(self) -> Result<Vec<String>> {
        let mut names = Vec::new();
        for (writer, path) in [
            (self.overlay, &self.overlay_path),
            (self.reframed, &self.reframed_path),
        ] {
            if let Some(w) = writer {
                w.finish()?;
                names.push(
                    path.file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_default(),
                );
            }
        }
        Ok(names)
    }
}

/// Writes track.csv, the plots, report.md and the JSON document (`json_name`) into `out`;
/// returns the JSON document.
#[allow(clippy::too_many_arguments)]
pub fn write_reports(
    out: &OutDir,
    title: &str,
    facts: &[(String, String)],
    processed: &Processed,
    metrics: &Metrics,
    threshold: Option<f64>,
    json_name: &str,
    mut json: serde_json::Value,
) -> Result<serde_json::Value> {
    let mut track = TrackWriter::create(&out.path(TRACK_CSV))?;
    for row in &processed.rows {
        track.write(row)?;
    }
    track.finish()?;
    let plots = crate::plots::write_all(
        |name| out.path(name),
        &processed.rows,
        &processed.truths,
        threshold,
    )?;
    let md = crate::metrics::markdown(title, facts, metrics, &plots);
    std::fs::write(out.path(REPORT_MD), md).context("cannot write report.md")?;
    if let Some(obj) = json.as_object_mut() {
        obj.insert("metrics".into(), serde_json::to_value(metrics)?);
        obj.insert(
            "plots".into(),
            serde_json::Value::Array(
                plots
                    .iter()
                    .map(|(_, f)| serde_json::Value::String((*f).into()))
                    .collect(),
            ),
        );
    }
    let mut written = json.clone();
    if json_name == METRICS_JSON {
        // metrics.json holds what the engine made of the frames and nothing the machine's
        // speed changes: with fixed costs, two runs give the same file; timings go beside it.
        let timing = split_timing(&mut written);
        let text = serde_json::to_string_pretty(&timing)?;
        std::fs::write(out.path(TIMING_JSON), text + "\n")
            .with_context(|| format!("cannot write {TIMING_JSON}"))?;
    }
    let text = serde_json::to_string_pretty(&written)?;
    std::fs::write(out.path(json_name), text + "\n")
        .with_context(|| format!("cannot write {json_name}"))?;
    Ok(json)
}

/// Moves the measured times out of a report document (latency statistics, wall time, the
/// telemetry's time sums and latency histograms) and returns them as their own document.
fn split_timing(doc: &mut serde_json::Value) -> serde_json::Value {
    let mut timing = serde_json::Map::new();
    let Some(obj) = doc.as_object_mut() else {
        return serde_json::Value::Object(timing);
    };
    for key in ["wall_time_s", "processing_fps"] {
        if let Some(v) = obj.remove(key) {
            timing.insert(key.into(), v);
        }
    }
    if let Some(v) = obj
        .get_mut("metrics")
        .and_then(|m| m.as_object_mut())
        .and_then(|m| m.remove("latency_us"))
    {
        timing.insert("latency_us".into(), v);
    }
    if let Some(t) = obj
        .get_mut("engine")
        .and_then(|e| e.get_mut("telemetry"))
        .and_then(|t| t.as_object_mut())
    {
        for key in ["total_time_us", "max_frame_us", "latency"] {
            if let Some(v) = t.remove(key) {
                timing.insert(format!("telemetry_{key}"), v);
            }
        }
    }
    serde_json::Value::Object(timing)
}

/// Frames per second of processing.
pub fn processing_fps(p: &Processed) -> f64 {
    if p.wall_s > 0.0 {
        p.rows.len() as f64 / p.wall_s
    } else {
        0.0
    }
}

/// The summary lines printed after a run.
pub fn summary_lines(frames: usize, m: &Metrics, wall_s: f64) -> Vec<String> {
    use crate::metrics::pct;
    let mut lines = vec![format!(
        "frames: {frames} in {wall_s:.1} s ({:.1} fps)",
        if wall_s > 0.0 {
            frames as f64 / wall_s
        } else {
            0.0
        }
    )];
    if m.visible_frames > 0 {
        lines.push(format!(
            "ball in crop: {}, in safe zone: {} (of {} frames with a visible ball); crop width {:.1}% of the frame (mean), {:.1}% (p90)",
            pct(m.ball_in_crop),
            pct(m.ball_in_safe_zone),
            m.visible_frames,
            m.crop_tightness.mean_width_share * 100.0,
            m.crop_tightness.p90_width_share * 100.0
        ));
        lines.push(format!(
            "detection: precision {}, recall {}, median error {} px; detector top-1 on the ball {}",
            pct(m.detection.precision),
            pct(m.detection.recall),
            crate::metrics::num(m.median_error_px, 1),
            pct(m.top_candidate_recall)
        ));
    }
    lines.push(format!(
        "tracker: {} detected, {} predicted, {} lost",
        m.counts.detected, m.counts.predicted, m.counts.lost
    ));
    let t = m.latency_us.total;
    lines.push(format!(
        "latency: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        t.p50 / 1000.0,
        t.p99 / 1000.0,
        t.max / 1000.0
    ));
    lines
}

/// Writes the engine's telemetry snapshot (the document `ballcam report --telemetry` reads,
/// latencies included) into `out` as [`TELEMETRY_JSON`].
pub fn write_telemetry(out: &OutDir, engine: &Engine) -> Result<()> {
    let text = engine
        .telemetry()
        .to_json()
        .context("cannot serialise the telemetry")?;
    std::fs::write(out.path(TELEMETRY_JSON), text + "\n")
        .with_context(|| format!("cannot write {TELEMETRY_JSON}"))
}

/// The staged output folder of `--capture DIR`, when asked.
pub fn capture_dir(dir: Option<&std::path::Path>) -> Result<Option<OutDir>> {
    dir.map(OutDir::create).transpose()
}

/// Writes the engine's captured frames as a labelling queue into `dir` (staged; committed by
/// the caller); `None` without `--capture`.
pub fn export_captures(
    engine: &Engine,
    dir: Option<&OutDir>,
) -> Result<Option<ballcam_core::ExportSummary>> {
    dir.map(|d| {
        engine
            .export_captures(&d.path(""))
            .context("cannot write the capture queue")
    })
    .transpose()
}

/// The capture queue's part of a command's JSON document, and its summary line.
pub fn capture_report(
    engine: &Engine,
    exported: Option<&ballcam_core::ExportSummary>,
    dir: Option<&std::path::Path>,
) -> (serde_json::Value, Option<String>) {
    let (Some(e), Some(d)) = (exported, dir) else {
        return (serde_json::Value::Null, None);
    };
    let episodes = engine.captures().map_or(0, |r| r.stats().episodes);
    let doc = serde_json::json!({
        "dir": d.display().to_string(),
        "images": e.images,
        "pseudo_labelled": e.pseudo_labelled,
        "episodes": episodes,
    });
    let line = format!(
        "capture: {} images ({} pre-labelled with a ball) from {episodes} failure episodes in {}",
        e.images,
        e.pseudo_labelled,
        d.display()
    );
    (doc, Some(line))
}

/// One line on the telemetry: time without a ball, losses, two-ball frames, budget overruns.
pub fn quality_line(t: &Telemetry) -> String {
    format!(
        "quality: no ball {:.1}% of {:.1} s, {} losses ({} re-acquired), {} frames with two confident balls, {} low-confidence detections, {} frames over budget (telemetry.json)",
        t.untracked_share().unwrap_or(0.0) * 100.0,
        t.time_s,
        t.losses,
        t.reacquisitions,
        t.frames_multi_ball,
        t.frames_low_confidence,
        t.frames_over_budget
    )
}

/// The engine's telemetry and sizes as JSON.
pub fn engine_json(engine: &Engine) -> serde_json::Value {
    serde_json::json!({
        "preset": engine.config().preset.name(),
        "aspect": format!("{}:{}", engine.config().crop.aspect.w, engine.config().crop.aspect.h),
        "threshold": engine.config().detector.threshold,
        "roi_threshold": engine.config().detector.roi_threshold,
        "model": engine.config().model_path.as_ref().map_or_else(|| format!("embedded ({})", engine.config().ball), |p| p.display().to_string()),
        "model_bytes": engine.model_bytes(),
        "heap_bytes": engine.heap_bytes(),
        "telemetry": engine.telemetry(),
    })
}
