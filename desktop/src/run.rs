//! `ballcam run`: the demo's pipeline on real input (a video file through ffmpeg, a folder of
//! images or a Y4M file): reframed and overlay videos, track.csv, report.md/json, plots and the
//! engine's quality telemetry (telemetry.json, for `ballcam report`); with `--capture DIR`, the
//! hard frames as a labelling queue (images, labels.csv pre-filled with the model's
//! pseudo-labels, manifest.json; see `ballcam_core::export`).

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;

use crate::costs::Costs;
use crate::output::{OutDir, VideoFormat};
use crate::session::{self, EngineOpts, Videos};

/// Reframe a video file, an image folder or a Y4M file.
#[derive(Args, Debug)]
pub struct RunArgs {
    /// Input: a video file (mp4, mov, mkv…; needs ffmpeg), a folder of images (sorted by name,
    /// or in the order of a labels.csv next to them) or a .y4m file.
    #[arg(long, short, value_name = "PATH")]
    pub input: PathBuf,
    /// Output folder.
    #[arg(long, value_name = "DIR", default_value = "run-out")]
    pub out: PathBuf,
    /// Feed frames to the engine at this size, e.g. 1920x1080 to restore stretched 640x640
    /// frames (outputs are in these pixels).
    #[arg(long, value_name = "WxH", value_parser = crate::input::parse_size)]
    pub resize: Option<(u32, u32)>,
    /// Frame rate of an image folder, or of a Y4M file whose header gives none [default: 30];
    /// videos keep their own.
    #[arg(long, value_name = "FPS", value_parser = crate::input::parse_fps)]
    pub fps: Option<f64>,
    /// Keep the frames worth labelling (low confidence, two balls, before a loss, after a
    /// re-acquisition) and write them into DIR as a labelling queue: images/, labels.csv
    /// pre-filled with the model's pseudo-labels (for `ballcam label`, `ballcam eval` and
    /// `models/train`) and manifest.json. Turns on `monitor.capture` (its ceiling and image
    /// size come from the config).
    #[arg(long, value_name = "DIR")]
    pub capture: Option<PathBuf>,
    #[command(flatten)]
    pub engine: EngineOpts,
}

/// Runs the command.
pub fn run(args: &RunArgs, json: bool) -> Result<()> {
    let mut source = crate::input::open(&args.input, args.resize, args.fps)?;
    let info = source.info().clone();
    let costs = args.engine.costs_or(Costs::Measured);
    let capture = args.capture.is_some();
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
    let bar = session::progress_bar(info.frames, json, "run");
    let processed = session::process(source.as_mut(), &mut engine, &bar, |fi, rgb, row| {
        videos.write(fi, rgb, row)
    })?;
    let reframed_size = videos.reframed_size();
    let format = videos.format();
    let video_files = videos.finish()?;
    session::write_telemetry(&out, &engine)?;
    let exported = session::export_captures(&engine, capture_out.as_ref())?;
    let (capture_doc, capture_line) =
        session::capture_report(&engine, exported.as_ref(), args.capture.as_deref());
    let telemetry = engine.telemetry();
    let metrics = crate::metrics::compute(&processed.rows, &processed.truths, None);
    let facts = vec![
        (
            "input".to_string(),
            format!(
                "{} ({}, {}x{}, {:.2} fps)",
                info.name, info.kind, info.width, info.height, info.fps
            ),
        ),
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
        "command": "run",
        "input": { "kind": info.kind, "name": info.name, "width": info.width, "height": info.height, "fps": info.fps },
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
        "Ballcam run",
        &facts,
        &processed,
        &metrics,
        threshold,
        session::REPORT_JSON,
        doc,
    )?;
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
        println!("{}", session::quality_line(&telemetry));
        if let Some(line) = capture_line {
            println!("{line}");
        }
        println!("outputs: {}", dir.display());
    }
    Ok(())
}
