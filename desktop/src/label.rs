//! The `ballcam label` command: tools for annotators. `propagate` fills the frames between
//! sparse keyframe labels with a kinematic fit; `pseudo` writes the model's own labels (with
//! confidence) for annotators to correct; `review` corrects a capture queue's pseudo-labels from
//! full-frame labels of its clip ([`crate::queue_review`]). The labels.csv format itself is
//! [`crate::labels_csv`].

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use clap::{Args, Subcommand};

use crate::errors::bad_input;
use crate::input::{FrameSource, Resized};
use crate::labels_csv::LabelRow;
use crate::session::{self, EngineOpts};

/// Labelling tools (labels.csv: header file,clip,frame_index,visible,x,y,w,h; x,y the ball's
/// centre and w,h its box in pixels of the stored image, empty when unknown; visible 1/0).
#[derive(Subcommand, Debug)]
pub enum LabelCommand {
    /// Fill the frames between keyframe labels (every Nth frame) with a kinematic fit.
    #[command(after_help = crate::errors::EXIT_CODES_HELP)]
    Propagate(PropagateArgs),
    /// Label frames with the model (extra column `confidence`), for annotators to correct.
    #[command(after_help = crate::errors::EXIT_CODES_HELP)]
    Pseudo(PseudoArgs),
    /// Correct a capture queue's pseudo-labels from full-frame labels of the clip it was
    /// captured from (`ballcam demo`'s truth.csv, or an annotator's labels of the whole frames).
    #[command(after_help = crate::errors::EXIT_CODES_HELP)]
    Review(ReviewArgs),
}

/// `label review` options.
#[derive(Args, Debug)]
pub struct ReviewArgs {
    /// The capture queue: a folder written by `--capture` (labels.csv, manifest.json, images/).
    #[arg(long, value_name = "DIR")]
    pub queue: PathBuf,
    /// Labels of the whole frames of the one clip the queue was captured from, matched on
    /// `frame_index`; positions in the engine's upright frame pixels (as `ballcam demo`'s
    /// truth.csv).
    #[arg(long, value_name = "FILE")]
    pub frames: PathBuf,
    /// labels.csv to write, with a column `review` (confirmed, corrected, removed, added,
    /// ball_free, unknown). It may be the queue's own labels.csv (replaced whole at the end),
    /// the file `models/train --queue DIR` reads.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
}

/// `label propagate` options.
#[derive(Args, Debug)]
pub struct PropagateArgs {
    /// Sparse labels.csv: keyframe rows (others absent, or present with `visible` empty).
    #[arg(long, value_name = "FILE")]
    pub keyframes: PathBuf,
    /// Dense labels.csv to write: every frame between the first and last row of each clip,
    /// with a column `propagated` (1 = filled, 0 = keyframe, kept unchanged).
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
}

/// `label pseudo` options.
#[derive(Args, Debug)]
pub struct PseudoArgs {
    /// A folder of images, a video file or a .y4m file.
    #[arg(long, short, value_name = "PATH")]
    pub input: PathBuf,
    /// labels.csv to write (with a `confidence` column). For video and Y4M input, the frames
    /// are saved as PNG next to it in `<name>_frames/`.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Feed frames to the engine at this size (labels are written in stored-image pixels).
    #[arg(long, value_name = "WxH", value_parser = crate::input::parse_size)]
    pub resize: Option<(u32, u32)>,
    #[command(flatten)]
    pub engine: EngineOpts,
}

/// Runs a label command.
pub fn run(cmd: &LabelCommand, json: bool) -> Result<()> {
    match cmd {
        LabelCommand::Propagate(a) => propagate(a, json),
        LabelCommand::Pseudo(a) => pseudo(a, json),
        LabelCommand::Review(a) => review(a, json),
    }
}

fn propagate(args: &PropagateArgs, json: bool) -> Result<()> {
    let rows = crate::labels_csv::read_labels(&args.keyframes)?;
    let dense = crate::labels_csv::propagate(&rows)?;
    let filled = dense.iter().filter(|r| r.propagated == Some(true)).count();
    let keys = dense.len() - filled;
    crate::labels_csv::write_labels(
        &args.out,
        &dense,
        true,
        rows.iter().any(|r| r.confidence.is_some()),
    )?;
    if json {
        let doc = serde_json::json!({ "command": "label propagate", "out": args.out.display().to_string(),
                                      "rows": dense.len(), "keyframes": keys, "propagated": filled });
        println!("{}", serde_json::to_string_pretty(&doc)?);
    } else {
        println!(
            "{}: {} rows ({keys} keyframes, {filled} filled)",
            args.out.display(),
            dense.len()
        );
    }
    Ok(())
}

fn review(args: &ReviewArgs, json: bool) -> Result<()> {
    let labels = args.queue.join(ballcam_core::QUEUE_LABELS_FILE);
    let manifest_path = args.queue.join(ballcam_core::QUEUE_MANIFEST_FILE);
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&manifest_path).map_err(|e| {
            bad_input(format!(
                "{}: {e} (not a capture queue?)",
                manifest_path.display()
            ))
        })?)
        .map_err(|e| bad_input(format!("{}: {e}", manifest_path.display())))?;
    let image_side = manifest
        .get("image_side")
        .and_then(serde_json::Value::as_f64)
        .ok_or_else(|| {
            bad_input(format!(
                "{}: no number `image_side`",
                manifest_path.display()
            ))
        })?;
    let queue = crate::labels_csv::read_labels(&labels)?;
    let frames = crate::labels_csv::read_labels(&args.frames)?;
    let (rows, counts) =
        crate::queue_review::review(&queue, &labels.display().to_string(), &frames, image_side)?;
    crate::labels_csv::write_labels(
        &args.out,
        &rows,
        rows.iter().any(|r| r.propagated.is_some()),
        rows.iter().any(|r| r.confidence.is_some()),
    )?;
    if json {
        let doc = serde_json::json!({ "command": "label review", "out": args.out.display().to_string(),
                                      "rows": rows.len(), "changed": counts.changed(), "counts": counts });
        println!("{}", serde_json::to_string_pretty(&doc)?);
    } else {
        println!(
            "{}: {} rows, {} changed (confirmed {}, corrected {}, removed {}, added {}, ball-free {}, unknown {})",
            args.out.display(),
            rows.len(),
            counts.changed(),
            counts.confirmed,
            counts.corrected,
            counts.removed,
            counts.added,
            counts.ball_free,
            counts.unknown
        );
    }
    Ok(())
}

/// A staged folder of exported frames, moved into place by `commit`.
struct FramesDir {
    staging: PathBuf,
    target: PathBuf,
    done: bool,
}

impl FramesDir {
    fn create(target: PathBuf) -> Result<FramesDir> {
        let staging = crate::output::temp_sibling(&target);
        let _ = std::fs::remove_dir_all(&staging);
        std::fs::create_dir_all(&staging)
            .with_context(|| format!("cannot create {}", staging.display()))?;
        Ok(FramesDir {
            staging,
            target,
            done: false,
        })
    }

    fn commit(mut self) -> Result<()> {
        if self.target.is_dir() {
            std::fs::remove_dir_all(&self.target)
                .with_context(|| format!("cannot replace {}", self.target.display()))?;
        }
        std::fs::rename(&self.staging, &self.target)
            .with_context(|| format!("cannot write {}", self.target.display()))?;
        self.done = true;
        Ok(())
    }
}

impl Drop for FramesDir {
    fn drop(&mut self) {
        if !self.done {
            let _ = std::fs::remove_dir_all(&self.staging);
        }
    }
}

fn pseudo(args: &PseudoArgs, json: bool) -> Result<()> {
    if args.out.is_dir() {
        return Err(bad_input(format!(
            "{}: is a folder; --out names the labels.csv to write",
            args.out.display()
        )));
    }
    let is_folder = args.input.is_dir();
    let source = crate::input::open(&args.input, None, None)?;
    let (stored_w, stored_h) = (source.info().width, source.info().height);
    let mut source: Box<dyn FrameSource> = match args.resize {
        Some((w, h)) => Box::new(Resized::new(source, w, h)),
        None => source,
    };
    let info = source.info().clone();
    let (sx, sy) = (
        f64::from(stored_w) / f64::from(info.width),
        f64::from(stored_h) / f64::from(info.height),
    );
    let mut engine = args.engine.engine(info.width, info.height)?;
    let out_dir = args.out.parent().map(Path::to_path_buf).unwrap_or_default();
    if !out_dir.as_os_str().is_empty() {
        std::fs::create_dir_all(&out_dir)
            .with_context(|| format!("cannot create {}", out_dir.display()))?;
    }
    let stem = args
        .out
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "labels".into());
    let frames_name = format!("{stem}_frames");
    let frames = if is_folder {
        None
    } else {
        Some(FramesDir::create(out_dir.join(&frames_name))?)
    };
    let clip = Path::new(&info.name)
        .file_stem()
        .map_or_else(|| "clip".into(), |s| s.to_string_lossy().into_owned());
    let mut labels: Vec<LabelRow> = Vec::new();
    let mut stored = Vec::new();
    let mut resizer = fast_image_resize::Resizer::new();
    let bar = session::progress_bar(info.frames, json, "pseudo-labels");
    session::process(source.as_mut(), &mut engine, &bar, |fi, rgb, row| {
        let file = match &frames {
            Some(dir) => {
                let name = format!("frame_{:06}.png", fi.index);
                let path = dir.staging.join(&name);
                if (stored_w, stored_h) == (fi.width, fi.height) {
                    crate::output::write_png(&path, rgb, fi.width, fi.height)?;
                } else {
                    crate::input::resize_rgb(
                        &mut resizer,
                        rgb,
                        (fi.width, fi.height),
                        &mut stored,
                        (stored_w, stored_h),
                        None,
                    )?;
                    crate::output::write_png(&path, &stored, stored_w, stored_h)?;
                }
                format!("{frames_name}/{name}")
            }
            None => {
                // Image folders: the file name relative to the folder; labels next to them
                // refer to it relative to the labels' own folder.
                let abs = args.input.join(&fi.source);
                relative_to(&abs, &out_dir)
            }
        };
        let ball = row.ball;
        labels.push(LabelRow {
            file,
            clip: clip.clone(),
            frame_index: fi.index as u64,
            visible: Some(ball.is_some()),
            x: ball.map(|b| b.x * sx),
            y: ball.map(|b| b.y * sy),
            w: ball.map(|b| 2.0 * b.radius * sx),
            h: ball.map(|b| 2.0 * b.radius * sy),
            propagated: None,
            confidence: ball.map(|b| b.confidence),
            extra: Vec::new(),
        });
        Ok(())
    })?;
    if let Some(dir) = frames {
        dir.commit()?;
    }
    crate::labels_csv::write_labels(&args.out, &labels, false, true)?;
    let visible = labels.iter().filter(|l| l.visible == Some(true)).count();
    if json {
        let doc = serde_json::json!({ "command": "label pseudo", "out": args.out.display().to_string(),
                                      "rows": labels.len(), "with_ball": visible });
        println!("{}", serde_json::to_string_pretty(&doc)?);
    } else {
        println!(
            "{}: {} rows, {visible} with a ball",
            args.out.display(),
            labels.len()
        );
    }
    Ok(())
}

/// `path` relative to `base` when both are relative or both absolute and `path` is inside
/// `base`; else `path` made absolute.
fn relative_to(path: &Path, base: &Path) -> String {
    let abs = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    let (p, b) = (abs(path), abs(base));
    match p.strip_prefix(&b) {
        Ok(rel) => rel.display().to_string(),
        Err(_) => p.display().to_string(),
    }
}
