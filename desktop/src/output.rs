//! Outputs: a staged output folder (nothing half-written is ever left), the `track.csv`
//! writer, and video writers (H.264 MP4 through the `ffmpeg` program, else native Y4M).
//!
//! Every file of a command goes to a hidden staging folder inside the output folder and is
//! moved into place by [`OutDir::commit`] once the command succeeded; when the command fails
//! (or panics), dropping the [`OutDir`] removes the staging folder, and the output folder too
//! when this command created it.

use std::fs::File;
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::OnceLock;

use anyhow::{anyhow, bail, Context, Result};

use crate::metrics::TrackRow;
use crate::y4m;

/// Prefix of the staging folder inside an output folder.
const STAGING_PREFIX: &str = ".ballcam-staging-";
/// The `track.csv` header (fixed format): the core's crop-path columns, which the phone shells
/// write too.
pub use ballcam_core::TRACK_COLUMNS as TRACK_HEADER;
/// x264 quality (constant rate factor; lower is better).
const X264_CRF: &str = "20";
/// x264 speed preset.
const X264_PRESET: &str = "veryfast";
/// Lines of ffmpeg's error output kept for error messages.
const FFMPEG_ERROR_LINES: usize = 3;

/// A path next to `path` for writing before an atomic rename.
pub fn temp_sibling(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".into());
    path.with_file_name(format!(".{name}.tmp-{}", std::process::id()))
}

/// A staged output folder.
pub struct OutDir {
    dir: PathBuf,
    staging: PathBuf,
    created_dir: bool,
    committed: bool,
}

impl OutDir {
    /// Creates `dir` when needed and a staging folder inside it.
    pub fn create(dir: &Path) -> Result<OutDir> {
        if dir.exists() && !dir.is_dir() {
            return Err(crate::errors::bad_input(format!(
                "{}: exists and is not a folder",
                dir.display()
            )));
        }
        let created_dir = !dir.exists();
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create output folder {}", dir.display()))?;
        let staging = dir.join(format!("{STAGING_PREFIX}{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&staging);
        if let Err(e) = std::fs::create_dir(&staging) {
            if created_dir {
                let _ = std::fs::remove_dir(dir);
            }
            return Err(anyhow!(
                "cannot write in output folder {}: {e}",
                dir.display()
            ));
        }
        Ok(OutDir {
            dir: dir.to_path_buf(),
            staging,
            created_dir,
            committed: false,
        })
    }

    /// Where to write the output named `name` (inside the staging folder).
    pub fn path(&self, name: &str) -> PathBuf {
        self.staging.join(name)
    }

    /// The output folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Moves every staged output into the output folder (replacing older ones); returns their
    /// final paths, sorted.
    pub fn commit(mut self) -> Result<Vec<PathBuf>> {
        let mut moved = Vec::new();
        let entries = std::fs::read_dir(&self.staging)
            .with_context(|| format!("cannot list {}", self.staging.display()))?;
        for entry in entries {
            let entry = entry?;
            let target = self.dir.join(entry.file_name());
            if target.is_dir() {
                std::fs::remove_dir_all(&target)
                    .with_context(|| format!("cannot replace {}", target.display()))?;
            }
            std::fs::rename(entry.path(), &target)
                .with_context(|| format!("cannot move output to {}", target.display()))?;
            moved.push(target);
        }
        std::fs::remove_dir_all(&self.staging).ok();
        self.committed = true;
        moved.sort();
        Ok(moved)
    }
}

impl Drop for OutDir {
    fn drop(&mut self) {
        if self.committed {
            return;
        }
        let _ = std::fs::remove_dir_all(&self.staging);
        if self.created_dir {
            // Only removes it when empty.
            let _ = std::fs::remove_dir(&self.dir);
        }
    }
}

/// Whether the `ffmpeg` program runs (checked once).
pub fn ffmpeg_available() -> bool {
    static AVAILABLE: OnceLock<bool> = OnceLock::new();
    *AVAILABLE.get_or_init(|| program_runs("ffmpeg") && program_runs("ffprobe"))
}

fn program_runs(name: &str) -> bool {
    Command::new(name)
        .arg("-version")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// The best H.264-or-fallback encoder ffmpeg has (checked once).
fn ffmpeg_encoder() -> &'static str {
    static ENCODER: OnceLock<&'static str> = OnceLock::new();
    ENCODER.get_or_init(|| {
        let listed = Command::new("ffmpeg")
            .args(["-hide_banner", "-encoders"])
            .stdin(Stdio::null())
            .stderr(Stdio::null())
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).contains("libx264"))
            .unwrap_or(false);
        if listed {
            "libx264"
        } else {
            "mpeg4"
        }
    })
}

/// The last few lines of an ffmpeg log file, on one line.
pub fn ffmpeg_log_tail(path: &Path) -> String {
    let mut text = String::new();
    if let Ok(mut f) = File::open(path) {
        let _ = f.read_to_string(&mut text);
    }
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let tail = &lines[lines.len().saturating_sub(FFMPEG_ERROR_LINES)..];
    tail.join(" | ")
}

/// Container written by a [`VideoWriter`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VideoFormat {
    Mp4,
    Y4m,
}

impl VideoFormat {
    /// The file extension.
    pub fn extension(self) -> &'static str {
        match self {
            VideoFormat::Mp4 => "mp4",
            VideoFormat::Y4m => "y4m",
        }
    }

    /// The format available on this machine: MP4 when ffmpeg runs, else Y4M.
    pub fn detect() -> VideoFormat {
        if ffmpeg_available() {
            VideoFormat::Mp4
        } else {
            VideoFormat::Y4m
        }
    }
}

/// Writes RGB8 frames to a video file.
pub enum VideoWriter {
    Ffmpeg {
        child: Child,
        stdin: Option<BufWriter<ChildStdin>>,
        path: PathBuf,
        log: PathBuf,
    },
    Y4m {
        writer: y4m::Writer<BufWriter<File>>,
        path: PathBuf,
    },
}

impl VideoWriter {
    /// Starts writing `path` (`.mp4` through ffmpeg, `.y4m` natively) of `width` x `height`.
    pub fn create(
        path: &Path,
        format: VideoFormat,
        width: u32,
        height: u32,
        fps: f64,
    ) -> Result<VideoWriter> {
        match format {
            VideoFormat::Y4m => {
                let file = File::create(path)
                    .with_context(|| format!("cannot create {}", path.display()))?;
                let writer = y4m::Writer::new(BufWriter::new(file), width, height, fps)?;
                Ok(VideoWriter::Y4m {
                    writer,
                    path: path.to_path_buf(),
                })
            }
            VideoFormat::Mp4 => {
                let log = path.with_extension("ffmpeg.log");
                let log_file = File::create(&log)
                    .with_context(|| format!("cannot create {}", log.display()))?;
                let fps = if fps.is_finite() && fps > 0.0 {
                    fps
                } else {
                    y4m::DEFAULT_FPS
                };
                let mut cmd = Command::new("ffmpeg");
                cmd.args([
                    "-hide_banner",
                    "-loglevel",
                    "error",
                    "-y",
                    "-f",
                    "rawvideo",
                    "-pix_fmt",
                    "rgb24",
                ])
                .args([
                    "-s",
                    &format!("{width}x{height}"),
                    "-r",
                    &format!("{fps}"),
                    "-i",
                    "-",
                ])
                .args([
                    "-an",
                    "-vf",
                    "pad=ceil(iw/2)*2:ceil(ih/2)*2",
                    "-c:v",
                    ffmpeg_encoder(),
                ]);
                if ffmpeg_encoder() == "libx264" {
                    cmd.args(["-preset", X264_PRESET, "-crf", X264_CRF]);
                } else {
                    cmd.args(["-q:v", "3"]);
                }
                // `file:` so that an output path starting with `-` or naming a protocol is
                // written as the local file it is.
                let mut target = std::ffi::OsString::from("file:");
                target.push(path.as_os_str());
                cmd.args(["-pix_fmt", "yuv420p", "-movflags", "+faststart"])
                    .arg(target);
                let mut child = cmd
                    .stdin(Stdio::piped())
                    .stdout(Stdio::null())
                    .stderr(Stdio::from(log_file))
                    .spawn()
                    .context("cannot start ffmpeg (install it with `apt-get install ffmpeg`)")?;
                let stdin = child.stdin.take().map(BufWriter::new);
                Ok(VideoWriter::Ffmpeg {
                    child,
                    stdin,
                    path: path.to_path_buf(),
                    log,
                })
            }
        }
    }

    /// Appends one frame.
    pub fn write(&mut self, rgb: &[u8]) -> Result<()> {
        match self {
            VideoWriter::Y4m { writer, path } => writer
                .write_rgb(rgb)
                .with_context(|| format!("cannot write {}", path.display())),
            VideoWriter::Ffmpeg {
                stdin, path, log, ..
            } => {
                let pipe = stdin
                    .as_mut()
                    .ok_or_else(|| anyhow!("ffmpeg's input is closed"))?;
                pipe.write_all(rgb).map_err(|e| {
                    anyhow!(
                        "ffmpeg failed writing {}: {e}: {}",
                        path.display(),
                        ffmpeg_log_tail(log)
                    )
                })
            }
        }
    }

    /// Finishes the file (waits for ffmpeg).
    pub fn finish(self) -> Result<()> {
        match self {
            VideoWriter::Y4m { writer, path } => {
                let mut out = writer.finish()?;
                out.flush()
                    .with_context(|| format!("cannot write {}", path.display()))?;
                Ok(())
            }
            VideoWriter::Ffmpeg {
                mut child,
                stdin,
                path,
                log,
            } => {
                if let Some(mut pipe) = stdin {
                    pipe.flush().ok();
                    drop(pipe);
                }
                let status = child.wait().context("ffmpeg did not finish")?;
                if !status.success() {
                    bail!(
                        "ffmpeg failed writing {}: {}",
                        path.display(),
                        ffmpeg_log_tail(&log)
                    );
                }
                let _ = std::fs::remove_file(&log);
                Ok(())
            }
        }
    }
}

/// First characters that make a spreadsheet read a cell as a formula (and tab and carriage
/// return, which some read past).
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// `text` as a spreadsheet shows it verbatim: a leading `'` when it would start a formula (a
/// file named `=HYPERLINK(...).png` must not become a live link in track.csv).
pub fn spreadsheet_text(text: &str) -> String {
    if text.starts_with(FORMULA_STARTS) {
        format!("'{text}")
    } else {
        text.to_string()
    }
}

/// Writes `track.csv`.
pub struct TrackWriter {
    writer: csv::Writer<BufWriter<File>>,
}

impl TrackWriter {
    /// Creates the file and writes the header.
    pub fn create(path: &Path) -> Result<TrackWriter> {
        let file =
            File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
        let mut writer = csv::Writer::from_writer(BufWriter::new(file));
        writer.write_record(TRACK_HEADER)?;
        Ok(TrackWriter { writer })
    }

    /// Appends one row.
    pub fn write(&mut self, row: &TrackRow) -> Result<()> {
        let f2 = |v: f64| format!("{v:.2}");
        let (bx, by, bvx, bvy, br, conf) = match &row.ball {
            Some(b) => (
                f2(b.x),
                f2(b.y),
                f2(b.vx),
                f2(b.vy),
                f2(b.radius),
                format!("{:.3}", b.confidence),
            ),
            None => Default::default(),
        };
        let [cx, cy, cw, ch] = row.crop;
        self.writer.write_record([
            row.frame.to_string(),
            spreadsheet_text(&row.source),
            format!("{:.3}", row.timestamp_us as f64 / 1000.0),
            row.state.to_string(),
            bx,
            by,
            bvx,
            bvy,
            br,
            conf,
            row.candidates.to_string(),
            f2(cx),
            f2(cy),
            f2(cw),
            f2(ch),
            row.mode.to_string(),
            row.timings.total_us.to_string(),
        ])?;
        Ok(())
    }

    /// Flushes the file.
    pub fn finish(mut self) -> Result<()> {
        self.writer.flush()?;
        Ok(())
    }
}

/// Writes an RGB8 buffer as PNG.
pub fn write_png(path: &Path, rgb: &[u8], width: u32, height: u32) -> Result<()> {
    image::save_buffer_with_format(
        path,
        rgb,
        width,
        height,
        image::ExtendedColorType::Rgb8,
        image::ImageFormat::Png,
    )
    .with_context(|| format!("cannot write {}", path.display()))
}
