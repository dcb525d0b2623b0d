//! `ballcam eval`: runs the engine over labelled frames (labels.csv) and writes metrics.json,
//! report.md, track.csv, plots and telemetry.json (the reference snapshot of `ballcam report
//! --reference`): precision/recall/F1, centre error, ball in crop and in the safe zone next to
//! the crop's tightness, crop smoothness, multi-candidate frames, the engine's multi-ball rate and
//! latency, overall, by ball size and per clip (`plot_breakdown.png`). `--curves` adds the
//! detector threshold curves ([`crate::curves`]).
//!
//! `--sets DIR[=WxH] ...` evaluates several labelled sets (each a folder with labels.csv and
//! one folder per split) and prints one table: per set and split, the detector's top-1 on the
//! whole frame at native scale (before any tracking), the engine's recall and precision, ball
//! in crop and crop tightness, and recall by ball size. Evaluations use fixed detector costs
//! unless `--costs` says otherwise, so that the same frames give the same figures on any
//! machine and under any load.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use ballcam_core::testing::Detector;
use ballcam_core::InputSize;
use clap::Args;
use serde::Serialize;

use crate::costs::Costs;
use crate::curves::{Curves, Peak};
use crate::errors::bad_input;
use crate::input::{FrameInfo, FrameSource, LabelledImages, Resized};
use crate::metrics::{Metrics, MIN_TOLERANCE_PX};
use crate::output::OutDir;
use crate::session::{self, EngineOpts};

/// The model's output stride: one heatmap cell per 4x4 input pixels (contract v1).
const MODEL_STRIDE: u32 = 4;
/// Input sides of the model are multiples of this (contract v1).
const MODEL_MULTIPLE: u32 = 32;
/// Output channels of the model (logit, offset x, offset y, radius).
const MODEL_CHANNELS: usize = 4;
/// Name of the combined table files of `--sets`.
const SETS_MD: &str = "sets.md";
const SETS_JSON: &str = "sets.json";
/// The threshold curves (`--curves`).
const CURVES_JSON: &str = "curves.json";

/// A set to evaluate: its folder and, for sets stored stretched, the true frame size.
#[derive(Debug, Clone, PartialEq)]
pub struct SetSpec {
    pub dir: PathBuf,
    pub resize: Option<(u32, u32)>,
}

impl std::str::FromStr for SetSpec {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.rsplit_once('=') {
            Some((dir, size)) => Ok(SetSpec {
                dir: PathBuf::from(dir),
                resize: Some(crate::input::parse_size(size)?),
            }),
            None => Ok(SetSpec {
                dir: PathBuf::from(s),
                resize: None,
            }),
        }
    }
}

/// Evaluate the engine on labelled frames.
#[derive(Args, Debug)]
pub struct EvalArgs {
    /// labels.csv: header file,clip,frame_index,visible,x,y,w,h (see `ballcam label --help`).
    #[arg(long, value_name = "FILE", required_unless_present = "sets")]
    pub labels: Option<PathBuf>,
    /// Folder the `file` column is relative to [default: the labels' folder].
    #[arg(long, value_name = "DIR")]
    pub images: Option<PathBuf>,
    /// Only the rows whose file lies in this folder of the labels (a split: `valid`, `train`).
    #[arg(long, value_name = "NAME")]
    pub split: Option<String>,
    /// Feed frames at this size (labels are scaled too), e.g. 1920x1080.
    #[arg(long, value_name = "WxH", value_parser = crate::input::parse_size)]
    pub resize: Option<(u32, u32)>,
    /// Frame rate of the labels' `frame_index` (timestamps = frame_index / fps) [default: 30].
    #[arg(long, value_name = "FPS", value_parser = crate::input::parse_fps)]
    pub fps: Option<f64>,
    /// Evaluate several sets instead: folders holding labels.csv and one folder per split,
    /// each optionally with the true frame size of a stretched set (`dfl-soccer=1920x1080`).
    #[arg(long, value_name = "DIR[=WxH]", num_args = 1.., conflicts_with_all = ["labels", "images", "split", "resize"])]
    pub sets: Vec<SetSpec>,
    /// Splits evaluated with --sets, comma-separated.
    #[arg(
        long,
        value_name = "NAMES",
        value_delimiter = ',',
        default_value = "valid"
    )]
    pub splits: Vec<String>,
    /// Output folder.
    #[arg(long, value_name = "DIR", default_value = "eval-out")]
    pub out: PathBuf,
    /// Matching tolerance in pixels [default: max(10 px, ball box size)].
    #[arg(long, value_name = "PX")]
    pub tolerance: Option<f64>,
    /// Keep the frames worth labelling (as `ballcam run --capture`) and write them into DIR as
    /// a labelling queue.
    #[arg(long, value_name = "DIR", conflicts_with = "sets")]
    pub capture: Option<PathBuf>,
    /// Also run the detector on every whole frame at native scale (slower) for the
    /// precision-recall and ROC-style curves over the detector threshold (curves.json,
    /// plot_curves.png; always on with --sets).
    #[arg(long)]
    pub curves: bool,
    #[command(flatten)]
    pub engine: EngineOpts,
}

/// One evaluation's inputs.
struct Job<'a> {
    labels: &'a Path,
    images: PathBuf,
    split: Option<&'a str>,
    resize: Option<(u32, u32)>,
}

/// One evaluation's outputs.
struct Evaluated {
    metrics: Metrics,
    doc: serde_json::Value,
    /// Detector top-1 on the whole frame at native scale (`--sets` only).
    native_top1: Option<NativeTop1>,
    clips: usize,
}

/// The detector's top-1 peak on whole frames at native scale.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct NativeTop1 {
    /// Frames with a visible, located ball.
    pub frames: usize,
    /// Of which the highest peak lies on the ball (within the tolerance).
    pub hits: usize,
}

impl NativeTop1 {
    fn rate(&self) -> Option<f64> {
        (self.frames > 0).then(|| self.hits as f64 / self.frames as f64)
    }
}

/// Runs the command.
pub fn run(args: &EvalArgs, json: bool) -> Result<()> {
    if let Some(t) = args.tolerance {
        if !(t.is_finite() && t > 0.0) {
            return Err(bad_input(format!(
                "--tolerance {t}: must be a positive number of pixels"
            )));
        }
    }
    if !args.sets.is_empty() {
        return run_sets(args, json);
    }
    let Some(labels) = args.labels.as_deref() else {
        return Err(bad_input("--labels FILE or --sets DIR... is required"));
    };
    let images = match &args.images {
        Some(d) => d.clone(),
        None => labels.parent().map(PathBuf::from).unwrap_or_default(),
    };
    let job = Job {
        labels,
        images,
        split: args.split.as_deref(),
        resize: args.resize,
    };
    let out = OutDir::create(&args.out)?;
    let capture = session::capture_dir(args.capture.as_deref())?;
    let ev = evaluate(args, &job, &out, json, false, capture.as_ref())?;
    let out_dir = out.dir().to_path_buf();
    out.commit()?;
    if let Some(c) = capture {
        c.commit()?;
    }
    if json {
        println!("{}", serde_json::to_string_pretty(&ev.doc)?);
    } else {
        print_summary(&ev, &out_dir);
    }
    Ok(())
}

fn print_summary(ev: &Evaluated, out_dir: &Path) {
    use crate::metrics::{num, pct};
    let m = &ev.metrics;
    let d = &m.detection;
    println!(
        "frames: {} ({} scored, {} with a visible ball, {} clips)",
        m.frames, m.scored_frames, m.visible_frames, ev.clips
    );
    println!(
        "precision {}, recall {}, F1 {}, median error {} px",
        pct(d.precision),
        pct(d.recall),
        num(d.f1, 3),
        num(m.median_error_px, 2)
    );
    println!(
        "detector top-1 on the ball (per frame, on the regions the engine chose) {}",
        pct(m.top_candidate_recall)
    );
    println!(
        "ball in crop {}, in safe zone {}; crop width {:.1}% of the frame (mean), {:.1}% (p90), full width on {:.1}% of frames",
        pct(m.ball_in_crop),
        pct(m.ball_in_safe_zone),
        m.crop_tightness.mean_width_share * 100.0,
        m.crop_tightness.p90_width_share * 100.0,
        m.crop_tightness.full_width_frames * 100.0
    );
    let t = m.latency_us.total;
    println!(
        "latency: p50 {:.1} ms, p99 {:.1} ms",
        t.p50 / 1000.0,
        t.p99 / 1000.0
    );
    println!("outputs: {}", out_dir.display());
}

/// Evaluates one labels file (or one split of it) into `out`; with `native`, also the
/// detector's top-1 on whole frames at native scale.
fn evaluate(
    args: &EvalArgs,
    job: &Job<'_>,
    out: &OutDir,
    json: bool,
    native: bool,
    capture: Option<&OutDir>,
) -> Result<Evaluated> {
    let rows = crate::labels_csv::read_labels_under(job.labels, job.split)?;
    let labels_name = job.labels.display().to_string();
    let fps = args.fps.unwrap_or(crate::input::IMAGE_FPS);
    let inner = LabelledImages::new(&labels_name, rows, &job.images, fps)?;
    let mut source: Box<dyn FrameSource> = match job.resize {
        Some((w, h)) => Box::new(Resized::new(Box::new(inner), w, h)),
        None => Box::new(inner),
    };
    let info = source.info().clone();
    let costs = args.engine.costs_or(Costs::Fixed);
    let mut engine = args
        .engine
        .engine_edited(info.width, info.height, &costs, |c| {
            c.monitor.capture.enabled |= capture.is_some();
        })?;
    let native = native || args.curves;
    let mut top1 = if native {
        Some(NativeDetector::new(&args.engine, info.width, info.height)?)
    } else {
        None
    };
    let mut counts = NativeTop1::default();
    let mut peaks = Vec::new();
    let tolerance = args.tolerance;
    let bar = session::progress_bar(info.frames, json, "eval");
    let processed = session::process(source.as_mut(), &mut engine, &bar, |fi, rgb, _| {
        if let Some(det) = top1.as_mut() {
            peaks.extend(det.score_frame(fi, rgb, tolerance, &mut counts)?);
        }
        Ok(())
    })?;
    let curves = native.then(|| {
        let c = engine.config();
        crate::curves::curves(
            &peaks,
            &[
                ("detector.threshold", f64::from(c.detector.threshold)),
                (
                    "detector.roi_threshold",
                    f64::from(c.detector.roi_threshold),
                ),
                ("tracker.acquire_score", f64::from(c.tracker.acquire_score)),
            ],
        )
    });
    if let Some(c) = &curves {
        crate::plots::curves_plot(&out.path(crate::plots::CURVES_PLOT), c)?;
        let text = serde_json::to_string_pretty(c)?;
        std::fs::write(out.path(CURVES_JSON), text + "\n").context("cannot write curves.json")?;
    }
    let metrics = crate::metrics::compute(&processed.rows, &processed.truths, args.tolerance);
    let clips = processed.rows.last().map_or(0, |r| r.clip + 1);
    let mut facts = vec![
        ("labels".to_string(), labels_name.clone()),
        ("images".to_string(), job.images.display().to_string()),
        (
            "frames fed at".to_string(),
            format!(
                "{}x{}{}, {} fps",
                info.width,
                info.height,
                if job.resize.is_some() {
                    " (resized)"
                } else {
                    ""
                },
                fps
            ),
        ),
        ("clips".to_string(), clips.to_string()),
        (
            "engine".to_string(),
            format!(
                "preset {}, {}, {} costs",
                engine.config().preset.name(),
                session::model_name(&engine),
                costs.describe()
            ),
        ),
    ];
    if let Some(split) = job.split {
        facts.push(("split".to_string(), split.to_string()));
    }
    if let Some(rate) = counts.rate() {
        facts.push((
            "detector top-1 on the whole frame at native scale".to_string(),
            format!("{:.1}% of {} frames", rate * 100.0, counts.frames),
        ));
    }
    let exported = session::export_captures(&engine, capture)?;
    let (capture_doc, capture_line) =
        session::capture_report(&engine, exported.as_ref(), args.capture.as_deref());
    if let Some(line) = capture_line.filter(|_| !json) {
        println!("{line}");
    }
    let clips_figures = per_clip(&processed, args.tolerance);
    let doc = serde_json::json!({
        "command": "eval",
        "labels": labels_name,
        "images": job.images.display().to_string(),
        "split": job.split,
        "frames": processed.rows.len(),
        "clips": clips,
        "width": info.width,
        "height": info.height,
        "fps": fps,
        "costs": costs.describe(),
        "native_top1": native.then_some(counts),
        "multi_ball_rate": engine.telemetry().multi_ball_share(),
        "per_clip": &clips_figures,
        "capture": capture_doc,
        "operating_points": curves.as_ref().map(|c| &c.operating_points),
        "engine": session::engine_json(&engine),
        "wall_time_s": processed.wall_s,
    });
    let threshold = Some(f64::from(engine.config().detector.threshold));
    // The evaluation set's telemetry: the reference of `ballcam report --reference`.
    session::write_telemetry(out, &engine)?;
    let doc = session::write_reports(
        out,
        "Ballcam evaluation",
        &facts,
        &processed,
        &metrics,
        threshold,
        session::METRICS_JSON,
        doc,
    )?;
    breakdown_plot(out, &metrics, &clips_figures)?;
    let t = engine.telemetry();
    let mut md = breakdown_markdown(&clips_figures);
    md += &format!(
        "\n## Multi-ball rate\n\nFrames where the engine saw two distinct balls (the tracked one and a rival scoring at least `monitor.multi_ball_score`, or two such candidates): {} of {} ({}).\n",
        t.frames_multi_ball,
        t.frames,
        crate::metrics::pct(t.multi_ball_share())
    );
    if let Some(c) = &curves {
        md.push_str(&curves_markdown(c));
    }
    append(&out.path(session::REPORT_MD), &md)?;
    Ok(Evaluated {
        metrics,
        doc,
        native_top1: native.then_some(counts),
        clips,
    })
}

/// One clip's figures (the engine is reset at each clip).
#[derive(Debug, Clone, Serialize)]
struct ClipFigures {
    clip: usize,
    /// Its first frame's file.
    first_file: String,
    frames: usize,
    visible_frames: usize,
    recall: Option<f64>,
    precision: Option<f64>,
    ball_in_crop: Option<f64>,
    multi_candidate_frames: usize,
}

/// The figures of each clip of `p`.
fn per_clip(p: &session::Processed, tolerance: Option<f64>) -> Vec<ClipFigures> {
    let mut out = Vec::new();
    let mut start = 0;
    while start < p.rows.len() {
        let clip = p.rows[start].clip;
        let end = p.rows[start..]
            .iter()
            .position(|r| r.clip != clip)
            .map_or(p.rows.len(), |n| start + n);
        let m = crate::metrics::compute(&p.rows[start..end], &p.truths[start..end], tolerance);
        out.push(ClipFigures {
            clip,
            first_file: p.rows[start].source.clone(),
            frames: m.frames,
            visible_frames: m.visible_frames,
            recall: m.detection.recall,
            precision: m.detection.precision,
            ball_in_crop: m.ball_in_crop,
            multi_candidate_frames: m.multi_candidate_frames,
        });
        start = end;
    }
    out
}

/// Recall and ball in crop by ball size and per clip, as bar charts.
fn breakdown_plot(out: &OutDir, m: &Metrics, clips: &[ClipFigures]) -> Result<()> {
    use crate::overlay::colors;
    use crate::plots::HistogramPanel;
    let size_series = |f: fn(&crate::metrics::SizeBucket) -> Option<f64>| -> Vec<f64> {
        m.by_size.iter().map(|b| f(b).unwrap_or(0.0)).collect()
    };
    let clip_series = |f: fn(&ClipFigures) -> Option<f64>| -> Vec<f64> {
        clips.iter().map(|c| f(c).unwrap_or(0.0)).collect()
    };
    let clip_edges: Vec<f64> = (1..clips.len()).map(|i| i as f64).collect();
    let panels = [
        HistogramPanel {
            title: "By ball size (px)".into(),
            edges: &crate::metrics::SIZE_BUCKET_BOUNDS,
            series: vec![
                ("recall", colors::BLUE, size_series(|b| b.recall)),
                (
                    "ball in crop",
                    colors::ORANGE,
                    size_series(|b| b.ball_in_crop),
                ),
            ],
            names: Vec::new(),
        },
        HistogramPanel {
            title: "Per clip".into(),
            edges: &clip_edges,
            series: vec![
                ("recall", colors::BLUE, clip_series(|c| c.recall)),
                (
                    "ball in crop",
                    colors::ORANGE,
                    clip_series(|c| c.ball_in_crop),
                ),
            ],
            names: clips.iter().map(|c| c.clip.to_string()).collect(),
        },
    ];
    crate::plots::histograms_plot(&out.path(crate::plots::BREAKDOWN_PLOT), &panels, 1)
}

/// The per-clip section of report.md.
fn breakdown_markdown(clips: &[ClipFigures]) -> String {
    use crate::metrics::pct;
    let mut s = String::from(
        "\n## Per clip\n\n| clip | first file | frames | with a ball | recall | precision | ball in crop | multi-candidate frames |\n|---|---|---|---|---|---|---|---|\n",
    );
    for c in clips {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} | {} | {} | {} |",
            c.clip,
            c.first_file,
            c.frames,
            c.visible_frames,
            pct(c.recall),
            pct(c.precision),
            pct(c.ball_in_crop),
            c.multi_candidate_frames
        );
    }
    let _ = writeln!(
        s,
        "\nRecall and ball in crop by ball size and per clip: ![breakdown]({})",
        crate::plots::BREAKDOWN_PLOT
    );
    s
}

/// Appends `text` to the file at `path`.
fn append(path: &Path, text: &str) -> Result<()> {
    use std::io::Write as _;
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(path)
        .with_context(|| format!("cannot append to {}", path.display()))?;
    f.write_all(text.as_bytes())
        .with_context(|| format!("cannot append to {}", path.display()))
}

/// The curves' section of report.md: the operating points and the plot.
fn curves_markdown(c: &Curves) -> String {
    use crate::metrics::pct;
    let mut s = format!(
        "\n## Detector threshold curves\n\nTop-1 peak of each whole frame at native scale: {} frames with a visible ball, {} labelled ball-free (curves.json).\n\n| operating point | threshold | precision | recall | false alarms per ball-free frame | false alarms per frame |\n|---|---|---|---|---|---|\n",
        c.frames_with_ball, c.ball_free_frames
    );
    for o in &c.operating_points {
        let p = o.point;
        let _ = writeln!(
            s,
            "| {} | {:.2} | {} | {} | {} | {} |",
            o.name,
            p.threshold,
            pct(p.precision),
            pct(p.recall),
            crate::metrics::num(p.false_alarms_per_free_frame, 3),
            crate::metrics::num(p.false_alarms_per_frame, 3)
        );
    }
    let _ = writeln!(
        s,
        "\n![Precision-recall and false alarms against recall]({})",
        crate::plots::CURVES_PLOT
    );
    s
}

/// `--sets`: every set and split, one table.
fn run_sets(args: &EvalArgs, json: bool) -> Result<()> {
    let out = OutDir::create(&args.out)?;
    let mut table = Vec::new();
    for spec in &args.sets {
        let labels = spec.dir.join(crate::input::LABELS_FILE);
        if !labels.is_file() {
            return Err(bad_input(format!(
                "{}: no {} in the set's folder",
                spec.dir.display(),
                crate::input::LABELS_FILE
            )));
        }
        let name = spec.dir.file_name().map_or_else(
            || spec.dir.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        for split in &args.splits {
            let job = Job {
                labels: &labels,
                images: spec.dir.clone(),
                split: Some(split),
                resize: spec.resize,
            };
            let sub_out = OutDir::create(&out.dir().join(&name).join(split))?;
            let ev = evaluate(args, &job, &sub_out, json, true, None)?;
            sub_out.commit()?;
            table.push(SetRow::of(&name, split, &ev));
        }
    }
    let md = sets_markdown(&table, args);
    std::fs::write(out.path(SETS_MD), &md).context("cannot write sets.md")?;
    let doc = serde_json::json!({ "command": "eval --sets", "rows": table });
    std::fs::write(out.path(SETS_JSON), serde_json::to_string_pretty(&doc)?)
        .context("cannot write sets.json")?;
    let out_dir = out.dir().to_path_buf();
    out.commit()?;
    if json {
        println!("{}", serde_json::to_string_pretty(&doc)?);
    } else {
        print!("{md}");
        println!("outputs: {}", out_dir.display());
    }
    Ok(())
}

/// One line of the `--sets` table.
#[derive(Debug, Clone, Serialize)]
struct SetRow {
    set: String,
    split: String,
    frames: usize,
    with_ball: usize,
    native_top1: Option<f64>,
    engine_top1: Option<f64>,
    recall: Option<f64>,
    precision: Option<f64>,
    ball_in_crop: Option<f64>,
    crop_width_mean: f64,
    crop_width_p90: f64,
    /// (bucket name, frames, recall)
    by_size: Vec<(String, usize, Option<f64>)>,
}

impl SetRow {
    fn of(set: &str, split: &str, ev: &Evaluated) -> SetRow {
        let m = &ev.metrics;
        SetRow {
            set: set.to_string(),
            split: split.to_string(),
            frames: m.frames,
            with_ball: m.visible_frames,
            native_top1: ev.native_top1.and_then(|n| n.rate()),
            engine_top1: m.top_candidate_recall,
            recall: m.detection.recall,
            precision: m.detection.precision,
            ball_in_crop: m.ball_in_crop,
            crop_width_mean: m.crop_tightness.mean_width_share,
            crop_width_p90: m.crop_tightness.p90_width_share,
            by_size: m
                .by_size
                .iter()
                .map(|b| (b.name.to_string(), b.frames, b.recall))
                .collect(),
        }
    }
}

fn sets_markdown(rows: &[SetRow], args: &EvalArgs) -> String {
    use crate::metrics::pct;
    let mut s = String::new();
    let costs = args.engine.costs_or(Costs::Fixed).describe();
    let _ = writeln!(
        s,
        "| set | split | frames (ball) | detector top-1, native | engine recall | precision | ball in crop | crop width mean / p90 | recall by ball size |"
    );
    let _ = writeln!(s, "|---|---|---|---|---|---|---|---|---|");
    for r in rows {
        let sizes: Vec<String> = r
            .by_size
            .iter()
            .filter(|(_, n, _)| *n > 0)
            .map(|(name, n, rec)| format!("{name}: {} ({n})", pct(*rec)))
            .collect();
        let _ = writeln!(
            s,
            "| {} | {} | {} ({}) | {} | {} | {} | {} | {:.0}% / {:.0}% | {} |",
            r.set,
            r.split,
            r.frames,
            r.with_ball,
            pct(r.native_top1),
            pct(r.recall),
            pct(r.precision),
            pct(r.ball_in_crop),
            r.crop_width_mean * 100.0,
            r.crop_width_p90 * 100.0,
            sizes.join(", ")
        );
    }
    let _ = writeln!(
        s,
        "\nDetector top-1: the highest peak of the whole frame at native scale lies on the ball (within max({MIN_TOLERANCE_PX} px, ball size)). Engine: preset {}, {costs} costs; a reported ball (detected or predicted) is a hit within the same tolerance.",
        args.engine
            .config(2, 2)
            .map_or_else(|_| "?".to_string(), |c| c.preset.name().to_string())
    );
    s
}

/// The model on whole frames at native scale (letterboxed to multiples of 32), top-1 peak.
struct NativeDetector {
    detector: Detector,
    size: InputSize,
    raw: Vec<f32>,
}

impl NativeDetector {
    fn new(opts: &EngineOpts, width: u32, height: u32) -> Result<NativeDetector> {
        let config = opts.config(width, height)?;
        let size = InputSize::new(
            width.div_ceil(MODEL_MULTIPLE) * MODEL_MULTIPLE,
            height.div_ceil(MODEL_MULTIPLE) * MODEL_MULTIPLE,
        );
        let detector = match &config.model_path {
            Some(path) => Detector::from_path(path, &[size], 1),
            None => Detector::from_bytes(ballcam_core::embedded_model(config.ball)?, &[size], 1),
        }
        .context("cannot load the model for the native-scale pass")?;
        Ok(NativeDetector {
            detector,
            size,
            raw: Vec::new(),
        })
    }

    /// Runs the frame (RGB8, `fi.width` x `fi.height`), counts whether the top-1 peak lies on
    /// the labelled ball and returns the peak (frames labelled with a visible, located ball or
    /// labelled ball-free; `None` for the others).
    fn score_frame(
        &mut self,
        fi: &FrameInfo,
        rgb: &[u8],
        tolerance: Option<f64>,
        counts: &mut NativeTop1,
    ) -> Result<Option<Peak>> {
        let Some(truth) = fi.truth else {
            return Ok(None);
        };
        let ball = match (truth.visible, truth.position()) {
            (Some(true), Some(p)) => Some(p),
            (Some(false), _) => None,
            _ => return Ok(None),
        };
        let (w, h) = (fi.width as usize, fi.height as usize);
        let (iw, ih) = (self.size.width as usize, self.size.height as usize);
        let fill = |input: &mut [f32]| {
            input.fill(0.0);
            let plane = iw * ih;
            for y in 0..h.min(ih) {
                for x in 0..w.min(iw) {
                    let p = (y * w + x) * 3;
                    for c in 0..3 {
                        input[c * plane + y * iw + x] = f32::from(rgb[p + c]);
                    }
                }
            }
        };
        self.detector.detect_raw(self.size, fill, &mut self.raw)?;
        let (gw, gh) = (
            (self.size.width / MODEL_STRIDE) as usize,
            (self.size.height / MODEL_STRIDE) as usize,
        );
        let cells = gw * gh;
        if self.raw.len() < MODEL_CHANNELS * cells {
            return Err(anyhow::anyhow!("model output too short"));
        }
        let best = (0..cells)
            .max_by(|&a, &b| self.raw[a].total_cmp(&self.raw[b]))
            .unwrap_or(0);
        let (cx, cy) = (best % gw, best / gw);
        let stride = f64::from(MODEL_STRIDE);
        let px = (cx as f64 + f64::from(self.raw[cells + best]).clamp(0.0, 1.0)) * stride;
        let py = (cy as f64 + f64::from(self.raw[2 * cells + best]).clamp(0.0, 1.0)) * stride;
        let score = 1.0 / (1.0 + (-f64::from(self.raw[best])).exp());
        let Some((tx, ty)) = ball else {
            return Ok(Some(Peak {
                score,
                ball: false,
                hit: false,
            }));
        };
        let tol = tolerance.unwrap_or_else(|| truth.size().unwrap_or(0.0).max(MIN_TOLERANCE_PX));
        let hit = (px - tx).hypot(py - ty) <= tol;
        counts.frames += 1;
        counts.hits += usize::from(hit);
        Ok(Some(Peak {
            score,
            ball: true,
            hit,
        }))
    }
}
