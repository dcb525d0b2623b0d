//! `ballcam demo`: renders a synthetic match (ballcam-sim) with ground truth, runs the engine on
//! it and writes the reframed and overlay videos, track.csv, report.md/json, plots and the
//! engine's quality telemetry (telemetry.json), and the renderer's ground truth as labels.csv
//! rows (truth.csv: for `ballcam eval`-style scoring elsewhere and `ballcam label review` of a
//! capture queue); `--light night` renders it as a night match, a domain the shipped detector
//! handles poorly (for `ballcam report --reference`).

use std::path::PathBuf;

use anyhow::Result;
use ballcam_sim::{ClipSpec, Light, Scenario};
use clap::Args;

use crate::costs::Costs;
use crate::errors::bad_input;
use crate::input::{FrameSource, SimSource};
use crate::labels_csv::{LabelRow, Truth};
use crate::output::{OutDir, VideoFormat};
use crate::session::{self, EngineOpts, Videos};

/// Default clip length, seconds.
pub const DEFAULT_DURATION_S: f64 = 10.0;
/// The ground truth's file in the output folder.
pub const TRUTH_CSV: &str = "truth.csv";

/// Render a synthetic match, track the ball and write the reframed video with a report.
#[derive(Args, Debug)]
pub struct DemoArgs {
    /// Output folder.
    #[arg(long, value_name = "DIR", default_value = "demo-out")]
    pub out: PathBuf,
    /// Number of frames to process [default: the whole clip, 10 s].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub frames: Option<u32>,
    /// Seed of the synthetic match (the same seed renders the same clip).
    #[arg(long, value_name = "S", default_value_t = 7)]
    pub seed: u64,
    /// Frame width of the rendered clip.
    #[arg(long, value_name = "PX", default_value_t = 1280, value_parser = clap::value_parser!(u32).range(16..=8192))]
    pub width: u32,
    /// Frame height of the rendered clip.
    #[arg(long, value_name = "PX", default_value_t = 720, value_parser = clap::value_parser!(u32).range(16..=8192))]
    pub height: u32,
    /// Frame rate of the rendered clip.
    #[arg(long, value_name = "FPS", default_value_t = 30.0)]
    pub fps: f64,
    /// Lighting of the rendered clip: `scene` (as scripted, daylight) or `night` (dimmed to
    /// 30% with a blue cast and high-gain sensor noise).
    #[arg(long, value_name = "scene|night", default_value = "scene", value_parser = parse_light)]
    pub light: Light,
    /// Keep the frames worth labelling and write them into DIR as a labelling queue (as
    /// `ballcam run --capture`).
    #[arg(long, value_name = "DIR")]
    pub capture: Option<PathBuf>,
    #[command(flatten)]
    pub engine: EngineOpts,
}

fn parse_light(s: &str) -> Result<Light, String> {
    match s {
        "scene" => Ok(Light::Scene),
        "night" => Ok(Light::Night),
        other => Err(format!("`{other}`: expected scene or night")),
    }
}

/// Writes the renderer's truth as labels.csv rows: clip `seed<S>`, one row per processed frame,
/// `file` naming the frame (`frame_000042`; no image is stored), positions in frame pixels.
fn write_truth(path: &std::path::Path, seed: u64, truths: &[Option<Truth>]) -> Result<()> {
    let clip = format!("seed{seed}");
    let rows: Vec<LabelRow> = truths
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let t = t.unwrap_or_default();
            LabelRow {
                file: format!("frame_{i:06}"),
                clip: clip.clone(),
                frame_index: i as u64,
                visible: t.visible,
                x: t.x,
                y: t.y,
                w: t.w,
                h: t.h,
                ..LabelRow::default()
            }
        })
        .collect();
    crate::labels_csv::write_labels(path, &rows, false, false)
}

/// Runs the demo.
pub fn run(args: &DemoArgs, json: bool) -> Result<()> {
    if !(args.fps.is_finite() && args.fps > 0.0 && args.fps <= 240.0) {
        return Err(bad_input(format!(
            "--fps {}: must be in (0, 240]",
            args.fps
        )));
    }
    let wanted = args
        .frames
        .map_or(DEFAULT_DURATION_S, |n| f64::from(n) / args.fps);
    let duration = wanted.max(DEFAULT_DURATION_S);
    let spec = ClipSpec::new(
        Scenario::Match,
        args.width,
        args.height,
        args.fps,
        duration,
        args.seed,
    )
    .with_light(args.light);
    let night = if args.light == Light::Night {
        ", night"
    } else {
        ""
    };
    let name = format!(
        "synthetic match (seed {}, {}x{} at {} fps{night})",
        args.seed, args.width, args.height, args.fps
    );
    let mut source = SimSource::new(spec, &name, args.frames.map(|n| n as usize))?;
    let info = source.info().clone();
    let capture = args.capture.is_some();
    let costs = args.engine.costs_or(Costs::Measured);
    let mut engine = args
        .engine
        .engine_edited(info.width, info.height, &costs, |c| {
            c.monitor.capture.enabled |= capture;
        })?;
    let out = OutDir::create(&args.out)?;
    let capture_out = session::capture_dir(args.capture.as_deref())?;
    let mut videos = Videos::new(&out, &info, true);
    if videos.format() == VideoFormat::Y4m {
        eprintln!("note: ffmpeg not found, writing .y4m videos instead of .mp4 (apt-get install ffmpeg for MP4)");
    }
    let bar = session::progress_bar(info.frames, json, "demo");
    let processed = session::process(&mut source, &mut engine, &bar, |fi, rgb, row| {
        videos.write(fi, rgb, row)
    })?;
    let reframed_size = videos.reframed_size();
    let format = videos.format();
    let video_files = videos.finish()?;
    session::write_telemetry(&out, &engine)?;
    let exported = session::export_captures(&engine, capture_out.as_ref())?;
    let (capture_doc, capture_line) =
        session::capture_report(&engine, exported.as_ref(), args.capture.as_deref());
    let metrics = crate::metrics::compute(&processed.rows, &processed.truths, None);
    let facts = vec![
        ("input".to_string(), name.clone()),
        (
            "engine".to_string(),
            format!(
                "preset {}, {}",
                engine.config().preset.name(),
                session::model_name(&engine)
            ),
        ),
        (
            "videos".to_string(),
            format!(
                "{} (reframed {}x{})",
                video_files.join(", "),
                reframed_size.0,
                reframed_size.1
            ),
        ),
        (
            "processing".to_string(),
            format!(
                "{:.1} s, {:.1} fps",
                processed.wall_s,
                session::processing_fps(&processed)
            ),
        ),
    ];
    let doc = serde_json::json!({
        "command": "demo",
        "input": { "kind": info.kind, "name": name, "width": info.width, "height": info.height,
                   "fps": info.fps, "seed": args.seed, "scenario": "match" },
        "frames": processed.rows.len(),
        "engine": session::engine_json(&engine),
        "videos": { "format": format.extension(), "files": video_files, "reframed_width": reframed_size.0, "reframed_height": reframed_size.1 },
        "wall_time_s": processed.wall_s,
        "processing_fps": session::processing_fps(&processed),
        "telemetry": session::TELEMETRY_JSON,
        "capture": capture_doc,
    });
    let threshold = Some(f64::from(engine.config().detector.threshold));
    let doc = session::write_reports(
        &out,
        "Ballcam demo",
        &facts,
        &processed,
        &metrics,
        threshold,
        session::REPORT_JSON,
        doc,
    )?;
    write_truth(&out.dir().join(TRUTH_CSV), args.seed, &processed.truths)?;
    let dir = out.dir().to_path_buf();
    out.commit()?;
    if let Some(c) = capture_out {
        c.commit()?;
    }
    if json {
        println!("{}", serde_json::to_string_pretty(&doc)?);
    } else {
        for line in session::summary_lines(processed.rows.len(), &metrics, processed.wall_s) {
            println!("{line}");
        }
        println!("{}", session::quality_line(&engine.telemetry()));
        if let Some(line) = capture_line {
            println!("{line}");
        }
        println!("outputs: {}", dir.display());
    }
    Ok(())
}
