//! Exports the capture ring as a labelling queue: the only way captured frames leave the
//! engine, and only when the app asks (`Engine::export_captures`, `ballcam run --capture DIR`,
//! the bindings' `export_captures`).
//!
//! ```text
//! DIR/images/capture_000042.png   one image per captured frame (RGB, image_side² pixels)
//! DIR/labels.csv                  labels.csv columns, pre-filled with the model's pseudo-labels
//! DIR/manifest.json               model sha256, the engine's config (TOML), the ring's counts
//! ```
//!
//! `labels.csv` has the columns `ballcam label`, `ballcam eval` and `models/train`
//! (`data.FolderSource`) read — `file,clip,frame_index,visible,x,y,w,h` in image pixels — then
//! `confidence` and the capture's metadata: `reason,episode,state,timestamp_us,frame_width,
//! frame_height,region_x,region_y,region_side,candidates,model_sha256` (`candidates`:
//! `x:y:radius:score` in image pixels, `;`-separated). Pseudo-labels: a ball the engine reported
//! (detected or predicted) inside the image is `visible = 1` with its box; otherwise `visible` is
//! empty (not labelled: a reviewer decides). Each image is its own clip (`capture_<sequence>`):
//! images of different regions are not a sequence to propagate labels along.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::capture::{CaptureMeta, CaptureRing, CaptureStats};
use super::png::encode_rgb;
use crate::track::TrackState;

/// Folder of the images inside the queue.
pub const IMAGES_DIR: &str = "images";
/// The labels file.
pub const LABELS_FILE: &str = "labels.csv";
/// The manifest.
pub const MANIFEST_FILE: &str = "manifest.json";
/// Version of the queue's layout and columns.
pub const QUEUE_SCHEMA_VERSION: u32 = 1;
/// The header of the queue's labels.csv.
pub const QUEUE_COLUMNS: &str = "file,clip,frame_index,visible,x,y,w,h,confidence,reason,episode,state,timestamp_us,frame_width,frame_height,region_x,region_y,region_side,candidates,model_sha256";

/// Writing the queue failed.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// A file or folder could not be written.
    #[error("cannot write {path}: {source}")]
    Io {
        /// The path.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// Capture is off: there is nothing to export.
    #[error("capture is off (monitor.capture.enabled = false): nothing to export")]
    Disabled,
    /// The manifest could not be serialised.
    #[error("cannot write the manifest: {0}")]
    Manifest(String),
}

/// What an export wrote.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExportSummary {
    /// The queue's folder.
    pub dir: PathBuf,
    /// Images written.
    pub images: usize,
    /// Of which pre-labelled with a ball.
    pub pseudo_labelled: usize,
}

/// The manifest document.
#[derive(Debug, Serialize)]
struct Manifest<'a> {
    schema_version: u32,
    model_sha256: &'a str,
    image_side: u32,
    images: usize,
    stats: CaptureStats,
    /// Images per reason.
    reasons: Vec<(&'static str, usize)>,
    config_toml: &'a str,
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> ExportError + '_ {
    move |source| ExportError::Io {
        path: path.display().to_string(),
        source,
    }
}

fn state_name(s: TrackState) -> &'static str {
    match s {
        TrackState::Detected => "detected",
        TrackState::Predicted => "predicted",
        TrackState::Lost => "lost",
    }
}

/// The labels.csv row of one captured frame (without the newline); whether it holds a ball.
pub fn label_row(m: &CaptureMeta, file: &str, model_sha256: &str) -> (String, bool) {
    let mut row = String::new();
    let clip = format!("capture_{:06}", m.sequence);
    let ball = m.ball.filter(|b| m.shows(b.x, b.y));
    let _ = write!(row, "{file},{clip},{},", m.frame);
    match ball {
        Some(b) => {
            let (x, y) = m.to_image(b.x, b.y);
            let d = 2.0 * b.radius * m.scale();
            let conf = m.ball_score.unwrap_or(b.confidence);
            let _ = write!(row, "1,{x:.2},{y:.2},{d:.2},{d:.2},{conf:.3},");
        }
        None => row.push_str(",,,,,,"),
    }
    let cands: Vec<String> = m
        .candidates()
        .iter()
        .map(|c| {
            let (x, y) = m.to_image(c.x, c.y);
            format!("{x:.1}:{y:.1}:{:.1}:{:.3}", c.radius * m.scale(), c.score)
        })
        .collect();
    let _ = write!(
        row,
        "{},{},{},{},{},{},{},{},{},{},{model_sha256}",
        m.reason.name(),
        m.episode,
        state_name(m.state),
        m.timestamp_us,
        m.frame_width,
        m.frame_height,
        m.region_x,
        m.region_y,
        m.region_side,
        cands.join(";"),
    );
    (row, ball.is_some())
}

/// Writes the ring's frames into `dir` (created when missing; files of the same names are
/// replaced). `config_toml` is the engine's configuration.
pub fn write_queue(
    dir: &Path,
    ring: &CaptureRing,
    model_sha256: &str,
    config_toml: &str,
) -> Result<ExportSummary, ExportError> {
    let images_dir = dir.join(IMAGES_DIR);
    std::fs::create_dir_all(&images_dir).map_err(io(&images_dir))?;
    let side = ring.image_side();
    let entries = ring.entries();
    let mut csv = String::from(QUEUE_COLUMNS);
    csv.push('\n');
    let mut labelled = 0;
    let mut reasons = super::capture::CaptureReason::ALL.map(|r| (r.name(), 0usize));
    for (meta, pixels) in &entries {
        let name = format!("capture_{:06}.png", meta.sequence);
        let path = images_dir.join(&name);
        let png = encode_rgb(pixels, side, side).ok_or_else(|| {
            ExportError::Manifest(format!("image {name} does not fit {side}x{side}"))
        })?;
        std::fs::write(&path, png).map_err(io(&path))?;
        let (row, ball) = label_row(meta, &format!("{IMAGES_DIR}/{name}"), model_sha256);
        labelled += usize::from(ball);
        csv.push_str(&row);
        csv.push('\n');
        if let Some(r) = reasons.iter_mut().find(|(n, _)| *n == meta.reason.name()) {
            r.1 += 1;
        }
    }
    let labels = dir.join(LABELS_FILE);
    std::fs::write(&labels, csv).map_err(io(&labels))?;
    let manifest = Manifest {
        schema_version: QUEUE_SCHEMA_VERSION,
        model_sha256,
        image_side: side,
        images: entries.len(),
        stats: ring.stats(),
        reasons: reasons.to_vec(),
        config_toml,
    };
    let text = serde_json::to_string_pretty(&manifest)
        .map_err(|e| ExportError::Manifest(e.to_string()))?;
    let path = dir.join(MANIFEST_FILE);
    std::fs::write(&path, text + "\n").map_err(io(&path))?;
    Ok(ExportSummary {
        dir: dir.to_path_buf(),
        images: entries.len(),
        pseudo_labelled: labelled,
    })
}
