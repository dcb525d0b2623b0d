//! Frame sources: RGB8 frames with timestamps and source names from a video file (decoded by
//! the `ffmpeg` program through a raw rgb24 pipe), a folder of images, a Y4M file (read
//! natively), labelled images (labels.csv) or a synthetic clip (ballcam-sim, with ground truth).
//!
//! Every source yields frames in order through [`FrameSource::next_frame`]; errors name the
//! file and the problem, and are [`BadInput`](crate::errors::BadInput) when the input itself
//! is at fault.

use std::ffi::OsString;
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};

use anyhow::{anyhow, Context, Result};

use crate::errors::bad_input;
use crate::labels_csv::{LabelRow, Truth};
use crate::y4m;
use ballcam_core::US_PER_S;

/// Frame rate assumed for image sequences (and Y4M streams without one) unless `--fps` says.
pub const IMAGE_FPS: f64 = 30.0;
/// Accepted `--fps` range.
const FPS_RANGE: (f64, f64) = (0.001, 1000.0);
/// Image file extensions read from folders.
pub const IMAGE_EXTENSIONS: [&str; 3] = ["png", "jpg", "jpeg"];
/// The labels file looked for next to a folder's images (gives the frame order).
pub const LABELS_FILE: &str = "labels.csv";
/// Largest frame side accepted from any source.
const MAX_SIDE: u32 = 8192;
/// The only protocols ffmpeg and ffprobe may open while reading an input: local files and
/// pipes. A media file that is really a playlist or a description naming network addresses
/// (HLS, SDP, concat) is refused rather than fetched: frames never leave the machine.
pub const FFMPEG_PROTOCOLS: &str = "file,pipe";
/// Attempts at a fresh private log file name before giving up.
const LOG_NAME_TRIES: u32 = 16;

/// The arguments that make ffmpeg or ffprobe read `path` as a local file and nothing else: the
/// protocol whitelist, then `-i file:PATH`, so that a name starting with `-` is not read as an
/// option and one like `tcp:host:port` not as a network address.
pub fn ffmpeg_input_args(path: &Path) -> [OsString; 4] {
    let mut url = OsString::from("file:");
    url.push(path.as_os_str());
    [
        "-protocol_whitelist".into(),
        FFMPEG_PROTOCOLS.into(),
        "-i".into(),
        url,
    ]
}

/// A new log file for ffmpeg's messages in the temporary folder, readable by this user only,
/// under a name no other process can predict and created exclusively (an existing file or a
/// symbolic link planted under that name is never opened).
pub fn private_log_file(what: &str) -> Result<(PathBuf, File)> {
    use std::collections::hash_map::RandomState;
    use std::hash::{BuildHasher, Hasher};
    let dir = std::env::temp_dir();
    let mut last_error = None;
    for _ in 0..LOG_NAME_TRIES {
        let mut h = RandomState::new().build_hasher();
        h.write_u32(std::process::id());
        let nonce = h.finish();
        let path = dir.join(format!("ballcam-{what}-{nonce:016x}.log"));
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        match options.open(&path) {
            Ok(file) => return Ok((path, file)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => last_error = Some(e),
            Err(e) => {
                return Err(e)
                    .with_context(|| format!("cannot create a log file in {}", dir.display()))
            }
        }
    }
    Err(anyhow!(
        "cannot create a log file in {}: {}",
        dir.display(),
        last_error.map_or_else(String::new, |e| e.to_string())
    ))
}

/// What a source delivers.
#[derive(Debug, Clone)]
pub struct SourceInfo {
    /// Input name (file or folder), for messages and reports.
    pub name: String,
    /// video / images / y4m / labels / synthetic.
    pub kind: &'static str,
    pub width: u32,
    pub height: u32,
    pub fps: f64,
    /// Number of frames, when known (may be an estimate for videos).
    pub frames: Option<usize>,
}

/// One delivered frame (its pixels are in the caller's buffer).
#[derive(Debug, Clone)]
pub struct FrameInfo {
    /// 0-based frame number in delivery order.
    pub index: usize,
    /// Strictly increasing within a clip.
    pub timestamp_us: i64,
    /// The image file name for image input, the frame number for video.
    pub source: String,
    pub width: u32,
    pub height: u32,
    /// The ball's truth, when the source knows it.
    pub truth: Option<Truth>,
    /// The first frame of a new clip (the engine is reset); true for the first frame.
    pub new_clip: bool,
    /// How far apart this clip's frames are, microseconds (1 / fps for videos; the typical
    /// gap between labelled frames for labelled stills): the engine treats a first frame of a
    /// sparse clip as a still.
    pub interval_us: i64,
}

/// A sequence of RGB8 frames.
pub trait FrameSource {
    /// What the source delivers.
    fn info(&self) -> &SourceInfo;
    /// Writes the next frame into `rgb` (resized as needed); `None` at the end.
    fn next_frame(&mut self, rgb: &mut Vec<u8>) -> Result<Option<FrameInfo>>;
}

/// The interval between frames at `fps`, microseconds.
pub fn interval_at(fps: f64) -> i64 {
    timestamp_at(1, fps)
}

/// Timestamp of frame `index` at `fps`.
pub fn timestamp_at(index: u64, fps: f64) -> i64 {
    (index as f64 * US_PER_S / fps).round() as i64
}

/// Parses `WxH` (e.g. `1920x1080`).
pub fn parse_size(s: &str) -> Result<(u32, u32), String> {
    let (w, h) = s
        .split_once(['x', 'X'])
        .ok_or_else(|| format!("`{s}` is not a size like 1920x1080"))?;
    let parse = |v: &str| {
        v.trim()
            .parse::<u32>()
            .ok()
            .filter(|&n| (2..=MAX_SIDE).contains(&n))
    };
    match (parse(w), parse(h)) {
        (Some(w), Some(h)) => Ok((w, h)),
        _ => Err(format!(
            "`{s}` is not a size like 1920x1080 (each side 2..={MAX_SIDE})"
        )),
    }
}

/// Parses `--fps`: a positive frame rate.
pub fn parse_fps(s: &str) -> Result<f64, String> {
    s.trim()
        .parse::<f64>()
        .ok()
        .filter(|f| f.is_finite() && (FPS_RANGE.0..=FPS_RANGE.1).contains(f))
        .ok_or_else(|| {
            format!(
                "`{s}` is not a frame rate (a number in {}..={})",
                FPS_RANGE.0, FPS_RANGE.1
            )
        })
}

/// Opens `path`: a folder of images, a `.y4m` file or a video (through ffmpeg); with `resize`,
/// frames are delivered at that size. `fps` is the rate of image folders and of Y4M streams
/// whose header has none ([`IMAGE_FPS`] when `None`); videos keep their own.
pub fn open(
    path: &Path,
    resize: Option<(u32, u32)>,
    fps: Option<f64>,
) -> Result<Box<dyn FrameSource>> {
    let meta = std::fs::metadata(path)
        .map_err(|e| bad_input(format!("{}: cannot open: {e}", path.display())))?;
    let source: Box<dyn FrameSource> = if meta.is_dir() {
        Box::new(ImageFolder::open(path, fps.unwrap_or(IMAGE_FPS))?)
    } else if has_extension(path, &["y4m"]) {
        Box::new(Y4mSource::open(path, fps)?)
    } else if has_extension(path, &IMAGE_EXTENSIONS) {
        return Err(bad_input(format!(
            "{}: a single image is not a sequence; pass the folder that holds the images",
            path.display()
        )));
    } else {
        // ffmpeg scales more cheaply than a resize afterwards.
        return Ok(Box::new(FfmpegSource::open(path, resize)?));
    };
    Ok(match resize {
        Some((w, h)) => Box::new(Resized::new(source, w, h)),
        None => source,
    })
}

fn has_extension(path: &Path, exts: &[&str]) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| exts.iter().any(|x| x.eq_ignore_ascii_case(e)))
}

/// Reads an image file as RGB8; errors name the file.
pub fn read_image(path: &Path, rgb: &mut Vec<u8>) -> Result<(u32, u32)> {
    let reader = image::ImageReader::open(path)
        .map_err(|e| bad_input(format!("{}: cannot open image: {e}", path.display())))?
        .with_guessed_format()
        .map_err(|e| bad_input(format!("{}: cannot read image: {e}", path.display())))?;
    let img = reader
        .decode()
        .map_err(|e| bad_input(format!("{}: cannot decode image: {e}", path.display())))?;
    let img = img.into_rgb8();
    let (w, h) = img.dimensions();
    if w == 0 || h == 0 || w > MAX_SIDE || h > MAX_SIDE {
        return Err(bad_input(format!(
            "{}: image size {w}x{h} is not supported",
            path.display()
        )));
    }
    *rgb = img.into_raw();
    Ok((w, h))
}

/// Reads just the size of an image file.
fn image_size(path: &Path) -> Result<(u32, u32)> {
    image::ImageReader::open(path)
        .and_then(|r| r.with_guessed_format())
        .map_err(|e| bad_input(format!("{}: cannot open image: {e}", path.display())))?
        .into_dimensions()
        .map_err(|e| bad_input(format!("{}: cannot read image: {e}", path.display())))
}

/// Images of a folder, sorted by name or in the order of the `labels.csv` next to them.
pub struct ImageFolder {
    info: SourceInfo,
    dir: PathBuf,
    files: Vec<String>,
    truths: Vec<Option<Truth>>,
    next: usize,
}

impl ImageFolder {
    /// Lists the folder (and reads its labels.csv when there is one).
    pub fn open(dir: &Path, fps: f64) -> Result<ImageFolder> {
        let labels_path = dir.join(LABELS_FILE);
        let (files, truths) = if labels_path.is_file() {
            let rows = crate::labels_csv::read_labels(&labels_path)?;
            let files: Vec<String> = rows.iter().map(|r| r.file.clone()).collect();
            let truths = rows.iter().map(|r| Some(r.truth())).collect();
            (files, truths)
        } else {
            let entries = std::fs::read_dir(dir)
                .map_err(|e| bad_input(format!("{}: cannot list: {e}", dir.display())))?;
            let mut files = Vec::new();
            for entry in entries {
                let entry = entry.with_context(|| format!("cannot list {}", dir.display()))?;
                let path = entry.path();
                if path.is_file() && has_extension(&path, &IMAGE_EXTENSIONS) {
                    files.push(entry.file_name().to_string_lossy().into_owned());
                }
            }
            files.sort();
            let n = files.len();
            (files, vec![None; n])
        };
        if files.is_empty() {
            return Err(bad_input(format!(
                "{}: no images ({}) in the folder",
                dir.display(),
                IMAGE_EXTENSIONS.join(", ")
            )));
        }
        for f in &files {
            if !dir.join(f).is_file() {
                return Err(bad_input(format!(
                    "{}: no such image file",
                    dir.join(f).display()
                )));
            }
        }
        let (width, height) = image_size(&dir.join(&files[0]))?;
        let info = SourceInfo {
            name: dir.display().to_string(),
            kind: "images",
            width,
            height,
            fps,
            frames: Some(files.len()),
        };
        Ok(ImageFolder {
            info,
            dir: dir.to_path_buf(),
            files,
            truths,
            next: 0,
        })
    }
}

impl FrameSource for ImageFolder {
    fn info(&self) -> &SourceInfo {
        &self.info
    }

    fn next_frame(&mut self, rgb: &mut Vec<u8>) -> Result<Option<FrameInfo>> {
        let Some(file) = self.files.get(self.next) else {
            return Ok(None);
        };
        let path = self.dir.join(file);
        let (w, h) = read_image(&path, rgb)?;
        if (w, h) != (self.info.width, self.info.height) {
            return Err(bad_input(format!(
                "{}: image is {w}x{h} but the first image is {}x{} (all images must have one size; --resize makes them so)",
                path.display(),
                self.info.width,
                self.info.height
            )));
        }
        let index = self.next;
        self.next += 1;
        Ok(Some(FrameInfo {
            index,
            timestamp_us: timestamp_at(index as u64, self.info.fps),
            source: file.clone(),
            width: w,
            height: h,
            truth: self.truths[index],
            new_clip: index == 0,
            interval_us: interval_at(self.info.fps),
        }))
    }
}

/// Labelled images in labels.csv order; the engine is reset at each new clip and timestamps
/// come from `frame_index` at the given rate ([`IMAGE_FPS`] by default).
pub struct LabelledImages {
    info: SourceInfo,
    dir: PathBuf,
    rows: Vec<LabelRow>,
    /// Each clip's typical interval between its labelled frames, microseconds.
    clip_intervals_us: std::collections::HashMap<String, i64>,
    next: usize,
}

/// The median gap between consecutive `frame_index`es of each clip at `fps`, microseconds
/// (one frame interval for a clip of one frame): labelled stills a few video frames apart are
/// a sparse stream.
fn clip_intervals(rows: &[LabelRow], fps: f64) -> std::collections::HashMap<String, i64> {
    let mut gaps: std::collections::HashMap<String, Vec<u64>> = std::collections::HashMap::new();
    for pair in rows.windows(2) {
        if pair[0].clip == pair[1].clip {
            gaps.entry(pair[1].clip.clone())
                .or_default()
                .push(pair[1].frame_index.saturating_sub(pair[0].frame_index));
        }
    }
    gaps.into_iter()
        .map(|(clip, mut g)| {
            g.sort_unstable();
            let median = g.get(g.len() / 2).copied().unwrap_or(1).max(1);
            (clip, timestamp_at(median, fps))
        })
        .collect()
}

impl LabelledImages {
    /// Checks that every image exists and reads the first one's size.
    pub fn new(
        labels_name: &str,
        rows: Vec<LabelRow>,
        dir: &Path,
        fps: f64,
    ) -> Result<LabelledImages> {
        for r in &rows {
            let p = dir.join(&r.file);
            if !p.is_file() {
                return Err(bad_input(format!(
                    "{labels_name}: image {} does not exist",
                    p.display()
                )));
            }
        }
        let (width, height) = image_size(&dir.join(&rows[0].file))?;
        let info = SourceInfo {
            name: labels_name.to_string(),
            kind: "labels",
            width,
            height,
            fps,
            frames: Some(rows.len()),
        };
        let clip_intervals_us = clip_intervals(&rows, fps);
        Ok(LabelledImages {
            info,
            dir: dir.to_path_buf(),
            rows,
            clip_intervals_us,
            next: 0,
        })
    }
}

impl FrameSource for LabelledImages {
    fn info(&self) -> &SourceInfo {
        &self.info
    }

    fn next_frame(&mut self, rgb: &mut Vec<u8>) -> Result<Option<FrameInfo>> {
        let Some(row) = self.rows.get(self.next) else {
            return Ok(None);
        };
        let (w, h) = read_image(&self.dir.join(&row.file), rgb)?;
        let index = self.next;
        self.next += 1;
        let new_clip = index == 0 || self.rows[index - 1].clip != row.clip;
        Ok(Some(FrameInfo {
            index,
            timestamp_us: timestamp_at(row.frame_index, self.info.fps),
            source: row.file.clone(),
            width: w,
            height: h,
            truth: Some(row.truth()),
            new_clip,
            interval_us: self
                .clip_intervals_us
                .get(&row.clip)
                .copied()
                .unwrap_or(interval_at(self.info.fps)),
        }))
    }
}

/// A Y4M file, read natively.
pub struct Y4mSource {
    info: SourceInfo,
    reader: y4m::Reader<BufReader<File>>,
    path: PathBuf,
    next: usize,
}

impl Y4mSource {
    /// Opens and checks the header; `fps` is the rate when the header has none.
    pub fn open(path: &Path, fps: Option<f64>) -> Result<Y4mSource> {
        let file = File::open(path)
            .map_err(|e| bad_input(format!("{}: cannot open: {e}", path.display())))?;
        let len = file.metadata().map(|m| m.len()).unwrap_or(0);
        let reader = y4m::Reader::new(BufReader::new(file))
            .map_err(|e| bad_input(format!("{}: {e}", path.display())))?;
        let h = reader.header().clone();
        // Frames carry a 6-byte "FRAME\n" tag when they have no parameters.
        let frames = (len as usize).saturating_sub(h.header_len) / (h.frame_bytes() + 6);
        let info = SourceInfo {
            name: path.display().to_string(),
            kind: "y4m",
            width: h.width,
            height: h.height,
            fps: match fps {
                Some(f) if !h.rate_given => f,
                _ => h.fps,
            },
            frames: Some(frames),
        };
        Ok(Y4mSource {
            info,
            reader,
            path: path.to_path_buf(),
            next: 0,
        })
    }
}

impl FrameSource for Y4mSource {
    fn info(&self) -> &SourceInfo {
        &self.info
    }

    fn next_frame(&mut self, rgb: &mut Vec<u8>) -> Result<Option<FrameInfo>> {
        let more = self
            .reader
            .read_rgb(rgb)
            .map_err(|e| bad_input(format!("{}: frame {}: {e}", self.path.display(), self.next)))?;
        if !more {
            if self.next == 0 {
                return Err(bad_input(format!("{}: no frames", self.path.display())));
            }
            return Ok(None);
        }
        let index = self.next;
        self.next += 1;
        Ok(Some(FrameInfo {
            index,
            timestamp_us: timestamp_at(index as u64, self.info.fps),
            source: index.to_string(),
            width: self.info.width,
            height: self.info.height,
            truth: None,
            new_clip: index == 0,
            interval_us: interval_at(self.info.fps),
        }))
    }
}

/// A video decoded by the `ffmpeg` program into raw rgb24 frames.
pub struct FfmpegSource {
    info: SourceInfo,
    path: PathBuf,
    child: Option<Child>,
    stdout: Option<BufReader<ChildStdout>>,
    log: PathBuf,
    next: usize,
}

/// What ffprobe reports about the first video stream.
struct Probe {
    width: u32,
    height: u32,
    fps: f64,
    frames: Option<usize>,
}

fn parse_rate(s: &str) -> Option<f64> {
    let (n, d) = s.split_once('/').unwrap_or((s, "1"));
    let (n, d): (f64, f64) = (n.parse().ok()?, d.parse().ok()?);
    (n > 0.0 && d > 0.0)
        .then_some(n / d)
        .filter(|r| r.is_finite() && *r < 1000.0)
}

fn probe(path: &Path) -> Result<Probe> {
    let out = Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-select_streams",
            "v:0",
            "-show_streams",
            "-show_format",
            "-of",
            "json",
        ])
        .args(ffmpeg_input_args(path))
        .stdin(Stdio::null())
        .output()
        .context("cannot run ffprobe")?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        let last = err
            .lines()
            .map(str::trim)
            .rfind(|l| !l.is_empty())
            .unwrap_or("unknown error")
            .to_string();
        return Err(bad_input(format!(
            "{}: ffmpeg cannot decode this video: {last}",
            path.display()
        )));
    }
    let json: serde_json::Value = serde_json::from_slice(&out.stdout)
        .map_err(|e| anyhow!("{}: unreadable ffprobe output: {e}", path.display()))?;
    let stream = json["streams"]
        .get(0)
        .ok_or_else(|| bad_input(format!("{}: no video stream", path.display())))?;
    let dim = |k: &str| {
        stream[k]
            .as_u64()
            .and_then(|v| u32::try_from(v).ok())
            .filter(|&v| v > 0 && v <= MAX_SIDE)
    };
    let (Some(mut width), Some(mut height)) = (dim("width"), dim("height")) else {
        return Err(bad_input(format!(
            "{}: the video stream has no valid frame size",
            path.display()
        )));
    };
    // ffmpeg rotates frames upright by default: swap the sides for ±90°.
    let rotation = stream["side_data_list"]
        .as_array()
        .and_then(|l| l.iter().find_map(|d| d["rotation"].as_f64()))
        .or_else(|| {
            stream["tags"]["rotate"]
                .as_str()
                .and_then(|r| r.parse().ok())
        })
        .unwrap_or(0.0);
    if (rotation.abs() - 90.0).abs() < 1.0 || (rotation.abs() - 270.0).abs() < 1.0 {
        std::mem::swap(&mut width, &mut height);
    }
    let fps = ["avg_frame_rate", "r_frame_rate"]
        .iter()
        .find_map(|k| stream[*k].as_str().and_then(parse_rate))
        .unwrap_or(IMAGE_FPS);
    let frames = stream["nb_frames"]
        .as_str()
        .and_then(|s| s.parse::<usize>().ok())
        .or_else(|| {
            let d = stream["duration"]
                .as_str()
                .or_else(|| json["format"]["duration"].as_str())?;
            d.parse::<f64>().ok().map(|d| (d * fps).round() as usize)
        });
    Ok(Probe {
        width,
        height,
        fps,
        frames,
    })
}

impl FfmpegSource {
    /// Probes the video and starts decoding (scaled to `resize` when given).
    pub fn open(path: &Path, resize: Option<(u32, u32)>) -> Result<FfmpegSource> {
        if !path.is_file() {
            return Err(bad_input(format!("{}: not a file", path.display())));
        }
        if !crate::output::ffmpeg_available() {
            return Err(bad_input(format!(
                "{}: reading video files needs the ffmpeg program: install it (apt-get install ffmpeg), or pass a folder of images or a .y4m file",
                path.display()
            )));
        }
        let p = probe(path)?;
        let (width, height) = resize.unwrap_or((p.width, p.height));
        let (log, log_file) = private_log_file("ffmpeg-decode")?;
        let mut cmd = Command::new("ffmpeg");
        cmd.args(["-hide_banner", "-loglevel", "error", "-nostdin"])
            .args(ffmpeg_input_args(path))
            .args(["-map", "0:v:0", "-an", "-sn", "-vsync", "passthrough"]);
        if resize.is_some() {
            cmd.args(["-vf", &format!("scale={width}:{height}:flags=bilinear")]);
        }
        cmd.args(["-f", "rawvideo", "-pix_fmt", "rgb24", "-"]);
        let mut child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log_file))
            .spawn()
            .context("cannot start ffmpeg")?;
        let stdout = child.stdout.take().map(BufReader::new);
        let info = SourceInfo {
            name: path.display().to_string(),
            kind: "video",
            width,
            height,
            fps: p.fps,
            frames: p.frames,
        };
        Ok(FfmpegSource {
            info,
            path: path.to_path_buf(),
            child: Some(child),
            stdout,
            log,
            next: 0,
        })
    }

    /// Waits for ffmpeg; an error when it failed.
    fn finish(&mut self) -> Result<()> {
        self.stdout = None;
        if let Some(mut child) = self.child.take() {
            let status = child.wait().context("ffmpeg did not finish")?;
            let tail = crate::output::ffmpeg_log_tail(&self.log);
            let _ = std::fs::remove_file(&self.log);
            if !status.success() || self.next == 0 {
                let why = if tail.is_empty() {
                    "no frames decoded".to_string()
                } else {
                    tail
                };
                return Err(bad_input(format!(
                    "{}: ffmpeg cannot decode this video: {why}",
                    self.path.display()
                )));
            }
        }
        Ok(())
    }
}

impl FrameSource for FfmpegSource {
    fn info(&self) -> &SourceInfo {
        &self.info
    }

    fn next_frame(&mut self, rgb: &mut Vec<u8>) -> Result<Option<FrameInfo>> {
        let Some(stdout) = self.stdout.as_mut() else {
            return Ok(None);
        };
        let (w, h) = (self.info.width, self.info.height);
        rgb.resize(w as usize * h as usize * 3, 0);
        let mut filled = 0;
        while filled < rgb.len() {
            match stdout.read(&mut rgb[filled..]) {
                Ok(0) => break,
                Ok(n) => filled += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => {
                    return Err(anyhow!(
                        "{}: reading ffmpeg's output: {e}",
                        self.path.display()
                    ))
                }
            }
        }
        if filled < rgb.len() {
            // End of stream (a partial last frame is dropped).
            self.finish()?;
            return Ok(None);
        }
        let index = self.next;
        self.next += 1;
        Ok(Some(FrameInfo {
            index,
            timestamp_us: timestamp_at(index as u64, self.info.fps),
            source: index.to_string(),
            width: w,
            height: h,
            truth: None,
            new_clip: index == 0,
            interval_us: interval_at(self.info.fps),
        }))
    }
}

impl Drop for FfmpegSource {
    fn drop(&mut self) {
        self.stdout = None;
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        let _ = std::fs::remove_file(&self.log);
    }
}

/// Delivers another source's frames at a fixed size (bilinear), scaling its truth too.
pub struct Resized {
    inner: Box<dyn FrameSource>,
    info: SourceInfo,
    scratch: Vec<u8>,
    resizer: fast_image_resize::Resizer,
}

impl Resized {
    /// Wraps `inner` to deliver `width` x `height` frames.
    pub fn new(inner: Box<dyn FrameSource>, width: u32, height: u32) -> Resized {
        let info = SourceInfo {
            width,
            height,
            ..inner.info().clone()
        };
        Resized {
            inner,
            info,
            scratch: Vec::new(),
            resizer: fast_image_resize::Resizer::new(),
        }
    }
}

/// Resizes RGB8 `src` (`sw` x `sh`) into `dst` (`dw` x `dh`), taking the region `crop`
/// (x, y, w, h in source pixels) or the whole image.
pub fn resize_rgb(
    resizer: &mut fast_image_resize::Resizer,
    src: &[u8],
    (sw, sh): (u32, u32),
    dst: &mut Vec<u8>,
    (dw, dh): (u32, u32),
    crop: Option<[f64; 4]>,
) -> Result<()> {
    use fast_image_resize::{
        images::Image, images::ImageRef, FilterType, PixelType, ResizeAlg, ResizeOptions,
    };
    let src_img =
        ImageRef::new(sw, sh, src, PixelType::U8x3).map_err(|e| anyhow!("resize: {e}"))?;
    dst.resize(dw as usize * dh as usize * 3, 0);
    let mut dst_img =
        Image::from_slice_u8(dw, dh, dst, PixelType::U8x3).map_err(|e| anyhow!("resize: {e}"))?;
    let mut options = ResizeOptions::new().resize_alg(ResizeAlg::Convolution(FilterType::Bilinear));
    if let Some([x, y, w, h]) = crop {
        let x = x.clamp(0.0, f64::from(sw) - 1.0);
        let y = y.clamp(0.0, f64::from(sh) - 1.0);
        let w = w.clamp(1.0, f64::from(sw) - x);
        let h = h.clamp(1.0, f64::from(sh) - y);
        options = options.crop(x, y, w, h);
    }
    resizer
        .resize(&src_img, &mut dst_img, &options)
        .map_err(|e| anyhow!("resize: {e}"))
}

impl FrameSource for Resized {
    fn info(&self) -> &SourceInfo {
        &self.info
    }

    fn next_frame(&mut self, rgb: &mut Vec<u8>) -> Result<Option<FrameInfo>> {
        let Some(mut info) = self.inner.next_frame(&mut self.scratch)? else {
            return Ok(None);
        };
        let (w, h) = (self.info.width, self.info.height);
        if (info.width, info.height) == (w, h) {
            std::mem::swap(rgb, &mut self.scratch);
        } else {
            resize_rgb(
                &mut self.resizer,
                &self.scratch,
                (info.width, info.height),
                rgb,
                (w, h),
                None,
            )?;
            let (sx, sy) = (
                f64::from(w) / f64::from(info.width),
                f64::from(h) / f64::from(info.height),
            );
            info.truth = info.truth.map(|t| t.scaled(sx, sy));
        }
        info.width = w;
        info.height = h;
        Ok(Some(info))
    }
}

/// A rendered synthetic clip (ballcam-sim), with ground truth.
pub struct SimSource {
    info: SourceInfo,
    clip: ballcam_sim::Clip,
    count: usize,
    next: usize,
}

impl SimSource {
    /// Builds the clip; `max_frames` caps the frame count.
    pub fn new(
        spec: ballcam_sim::ClipSpec,
        name: &str,
        max_frames: Option<usize>,
    ) -> Result<SimSource> {
        let (width, height, fps) = (spec.width, spec.height, spec.fps);
        let clip =
            ballcam_sim::Clip::new(spec).map_err(|e| bad_input(format!("synthetic clip: {e}")))?;
        let total = clip.frame_count() as usize;
        let count = max_frames.map_or(total, |m| m.min(total));
        let info = SourceInfo {
            name: name.to_string(),
            kind: "synthetic",
            width,
            height,
            fps,
            frames: Some(count),
        };
        Ok(SimSource {
            info,
            clip,
            count,
            next: 0,
        })
    }
}

impl FrameSource for SimSource {
    fn info(&self) -> &SourceInfo {
        &self.info
    }

    fn next_frame(&mut self, rgb: &mut Vec<u8>) -> Result<Option<FrameInfo>> {
        if self.next >= self.count {
            return Ok(None);
        }
        let (w, h) = (self.info.width, self.info.height);
        rgb.resize(w as usize * h as usize * 3, 0);
        let index = self.next;
        let frame = u32::try_from(index).context("frame number out of range")?;
        let gt = self
            .clip
            .render_rgb(frame, rgb)
            .map_err(|e| anyhow!("rendering frame {index}: {e}"))?;
        self.next += 1;
        let size = f64::from(gt.radius) * 2.0;
        let truth = Truth {
            visible: Some(gt.visible),
            x: Some(f64::from(gt.x)),
            y: Some(f64::from(gt.y)),
            w: Some(size),
            h: Some(size),
        };
        Ok(Some(FrameInfo {
            index,
            timestamp_us: gt.timestamp_us,
            source: index.to_string(),
            width: w,
            height: h,
            truth: Some(truth),
            new_clip: index == 0,
            interval_us: interval_at(self.info.fps),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_decode_log_is_private_and_never_follows_a_planted_link() {
        if !crate::output::ffmpeg_available() {
            eprintln!("ffmpeg not installed: skipped");
            return;
        }
        let dir = std::env::temp_dir().join(format!("ballcam-log-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let video = dir.join("clip.y4m");
        let mut w = y4m::Writer::new(File::create(&video).unwrap(), 16, 16, 30.0).unwrap();
        w.write_rgb(&[128u8; 16 * 16 * 3]).unwrap();
        w.finish().unwrap();
        // The decoder's log used to be /tmp/ballcam-ffmpeg-decode-<pid>.log, opened with
        // File::create: a link planted there made it truncate whatever the link named.
        let victim = dir.join("victim.txt");
        std::fs::write(&victim, "precious").unwrap();
        let planted =
            std::env::temp_dir().join(format!("ballcam-ffmpeg-decode-{}.log", std::process::id()));
        let _ = std::fs::remove_file(&planted);
        std::os::unix::fs::symlink(&victim, &planted).unwrap();
        let mut source = FfmpegSource::open(&video, None).unwrap();
        let log = source.log.clone();
        let mut rgb = Vec::new();
        while source.next_frame(&mut rgb).unwrap().is_some() {}
        let kept = std::fs::read_to_string(&victim).unwrap();
        let _ = std::fs::remove_file(&planted);
        let _ = std::fs::remove_dir_all(&dir);
        assert_eq!(kept, "precious", "the planted link was followed");
        assert_ne!(log, planted);
        // Two logs never share a name.
        let (a, _) = private_log_file("test").unwrap();
        let (b, _) = private_log_file("test").unwrap();
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&a).unwrap().permissions().mode() & 0o777;
        let _ = (std::fs::remove_file(&a), std::fs::remove_file(&b));
        assert_ne!(a, b);
        assert_eq!(mode, 0o600);
    }
}
