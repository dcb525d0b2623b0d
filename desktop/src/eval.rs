//! `ballcam eval`: runs the engine over labelled frames (labels.csv) and writes metrics.json,
//! report.md, track.csv and plots: precision/recall/F1, centre error, ball in crop and in the
//! safe zone, crop smoothness, multi-candidate frames and latency, overall and by ball size.

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;

use crate::errors::bad_input;
use crate::input::{FrameSource, LabelledImages, Resized};
use crate::output::OutDir;
use crate::session::{self, EngineOpts};

/// Evaluate the engine on labelled frames.
#[derive(Args, Debug)]
pub struct EvalArgs {
    /// labels.csv: header file,clip,frame_index,visible,x,y,w,h (see `ballcam label --help`).
    #[arg(long, value_name = "FILE")]
    pub labels: PathBuf,
    /// Folder the `file` column is relative to [default: the labels' folder].
    #[arg(long, value_name = "DIR")]
    pub images: Option<PathBuf>,
    /// Feed frames at this size (labels are scaled too), e.g. 1920x1080.
    #[arg(long, value_name = "WxH", value_parser = crate::input::parse_size)]
    pub resize: Option<(u32, u32)>,
    /// Output folder.
    #[arg(long, value_name = "DIR", default_value = "eval-out")]
    pub out: PathBuf,
    /// Matching tolerance in pixels [default: max(10 px, ball box size)].
    #[arg(long, value_name = "PX")]
    pub tolerance: Option<f64>,
    #[command(flatten)]
    pub engine: EngineOpts,
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
    let rows = crate::labels::read_labels(&args.labels)?;
    let dir = match &args.images {
        Some(d) => d.clone(),
        None => args.labels.parent().map(PathBuf::from).unwrap_or_default(),
    };
    let labels_name = args.labels.display().to_string();
    let inner = LabelledImages::new(&labels_name, rows, &dir)?;
    let mut source: Box<dyn FrameSource> = match args.resize {
        Some((w, h)) => Box::new(Resized::new(Box::new(inner), w, h)),
        None => Box::new(inner),
    };
    let info = source.info().clone();
    let mut engine = args.engine.engine(info.width, info.height)?;
    let out = OutDir::create(&args.out)?;
    let bar = session::progress_bar(info.frames, json, "eval");
    let processed = session::process(source.as_mut(), &mut engine, &bar, |_, _, _| Ok(()))?;
    let metrics = crate::report::compute(&processed.rows, &processed.truths, args.tolerance);
    let clips = processed.rows.last().map_or(0, |r| r.clip + 1);
    let facts = vec![
        ("labels".to_string(), labels_name.clone()),
        ("images".to_string(), dir.display().to_string()),
        (
            "frames fed at".to_string(),
            format!(
                "{}x{}{}",
                info.width,
                info.height,
                if args.resize.is_some() {
                    " (resized)"
                } else {
                    ""
                }
            ),
        ),
        ("clips".to_string(), clips.to_string()),
        (
            "engine".to_string(),
            format!(
                "preset {}, {}",
                engine.config().preset.name(),
                crate::demo::model_name(&engine)
            ),
        ),
    ];
    let doc = serde_json::json!({
        "command": "eval",
        "labels": labels_name,
        "images": dir.display().to_string(),
        "frames": processed.rows.len(),
        "clips": clips,
        "width": info.width,
        "height": info.height,
        "engine": session::engine_json(&engine),
        "wall_time_s": processed.wall_s,
    });
    let threshold = Some(f64::from(engine.config().detector.threshold));
    let doc = session::write_reports(
        &out,
        "Ballcam evaluation",
        &facts,
        &processed,
        &metrics,
        threshold,
        session::METRICS_JSON,
        doc,
    )?;
    let out_dir = out.dir().to_path_buf();
    out.commit()?;
    if json {
        println!("{}", serde_json::to_string_pretty(&doc)?);
    } else {
        use crate::report::{num, pct};
        let d = &metrics.detection;
        println!(
            "frames: {} ({} scored, {} with a visible ball, {clips} clips)",
            metrics.frames, metrics.scored_frames, metrics.visible_frames
        );
        println!(
            "precision {}, recall {}, F1 {}, median error {} px",
            pct(d.precision),
            pct(d.recall),
            num(d.f1, 3),
            num(metrics.median_error_px, 2)
        );
        println!(
            "detector top-1 on the ball (per frame, before tracking) {}",
            pct(metrics.top_candidate_recall)
        );
        println!(
            "ball in crop {}, in safe zone {}",
            pct(metrics.ball_in_crop),
            pct(metrics.ball_in_safe_zone)
        );
        let t = metrics.latency_us.total;
        println!(
            "latency: p50 {:.1} ms, p99 {:.1} ms",
            t.p50 / 1000.0,
            t.p99 / 1000.0
        );
        println!("outputs: {}", out_dir.display());
    }
    Ok(())
}
