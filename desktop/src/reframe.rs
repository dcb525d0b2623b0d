//! `ballcam reframe`: renders the reframed clip from a recorded video and its crop path — the
//! `track.csv` columns, as `ballcam run` writes them or as the phone shells write them beside
//! their full-resolution recording (in the recorded video's pixels, timestamps from its first
//! frame).
//!
//! Each video frame takes the crop at its time, interpolated linearly between the path's rows
//! (held before the first and after the last). `--smooth` first smooths the path again, offline,
//! with a centred Gaussian window: the look-ahead a live camera could not have (no lag, no
//! jitter). Every crop is widened to the output's aspect about its centre and kept inside the
//! frame. `--crops` writes the crop rendered for each frame.
//!
//! The outputs are written beside their final names and renamed into place only on success.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use clap::Args;

use crate::errors::bad_input;
use crate::input::{parse_size, resize_rgb};
use crate::output::{ffmpeg_available, VideoFormat, VideoWriter, TRACK_HEADER};
use crate::session::{progress_bar, REFRAME_MAX_HEIGHT};
use ballcam_core::{US_PER_MS, US_PER_S};

/// The columns of the path this command reads (all in [`TRACK_HEADER`]).
const TIMESTAMP_COLUMN: &str = "timestamp_ms";
const CROP_COLUMNS: [&str; 4] = ["crop_x", "crop_y", "crop_w", "crop_h"];
/// Default half-width of the smoothing window, seconds.
pub const DEFAULT_SMOOTH_S: f64 = 0.4;
/// The window's standard deviation, as a fraction of its half-width.
const SIGMA_FRACTION: f64 = 0.5;
/// Smallest crop side rendered, pixels.
const MIN_CROP_PX: f64 = 2.0;

/// Render the reframed clip from a recorded video and its crop path.
#[derive(Args, Debug)]
pub struct ReframeArgs {
    /// The recorded video: a file ffmpeg decodes (mp4, mov…) or a .y4m file.
    #[arg(long, value_name = "FILE")]
    pub video: PathBuf,
    /// The crop path (track.csv columns; crops in the video's pixels unless --path-size).
    #[arg(long, value_name = "FILE")]
    pub path: PathBuf,
    /// The reframed clip to write: .mp4 (through ffmpeg) or .y4m.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Smooth the path again offline, with look-ahead (a centred window).
    #[arg(long)]
    pub smooth: bool,
    /// Half-width of the smoothing window, seconds.
    #[arg(long, value_name = "S", default_value_t = DEFAULT_SMOOTH_S, requires = "smooth")]
    pub smooth_s: f64,
    /// The frame size the path's pixels refer to, when it is not the video's (WxH).
    #[arg(long, value_name = "WxH", value_parser = parse_size)]
    pub path_size: Option<(u32, u32)>,
    /// Height of the reframed clip [default: the first crop's height, at most 720].
    #[arg(long, value_name = "PX")]
    pub height: Option<u32>,
    /// Also write the crop rendered for each frame (frame,timestamp_ms,crop_x,crop_y,crop_w,crop_h).
    #[arg(long, value_name = "FILE")]
    pub crops: Option<PathBuf>,
}

/// A crop: x, y, width, height.
type Crop = [f64; 4];

/// One row of the path: its time and its crop.
#[derive(Debug, Clone, Copy, PartialEq)]
struct PathRow {
    t_us: f64,
    crop: Crop,
}

/// Reads the path's timestamps and crops; errors name the file, the row and the problem.
fn read_path(path: &Path) -> Result<Vec<PathRow>> {
    let name = path.display();
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .from_path(path)
        .map_err(|e| bad_input(format!("{name}: cannot read the crop path: {e}")))?;
    let headers = reader
        .headers()
        .map_err(|e| bad_input(format!("{name}: no header: {e}")))?
        .clone();
    let column = |want: &str| {
        headers.iter().position(|h| h == want).ok_or_else(|| {
            bad_input(format!(
                "{name}: no column {want:?} (a crop path has the track.csv columns: {})",
                TRACK_HEADER.join(",")
            ))
        })
    };
    let t_col = column(TIMESTAMP_COLUMN)?;
    let crop_cols = [
        column(CROP_COLUMNS[0])?,
        column(CROP_COLUMNS[1])?,
        column(CROP_COLUMNS[2])?,
        column(CROP_COLUMNS[3])?,
    ];
    let mut rows: Vec<PathRow> = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let line = i + 2;
        let record = record.map_err(|e| bad_input(format!("{name}: line {line}: {e}")))?;
        let number = |col: usize| -> Result<f64> {
            let field = record.get(col).unwrap_or("");
            field
                .trim()
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite())
                .ok_or_else(|| {
                    bad_input(format!(
                        "{name}: line {line}: {} = {field:?} is not a number",
                        headers.get(col).unwrap_or("?")
                    ))
                })
        };
        let t_us = number(t_col)? * US_PER_MS;
        let crop = [
            number(crop_cols[0])?,
            number(crop_cols[1])?,
            number(crop_cols[2])?,
            number(crop_cols[3])?,
        ];
        if crop[2] <= 0.0 || crop[3] <= 0.0 {
            return Err(bad_input(format!(
                "{name}: line {line}: crop {}x{} is empty",
                crop[2], crop[3]
            )));
        }
        if let Some(prev) = rows.last() {
            if t_us <= prev.t_us {
                return Err(bad_input(format!(
                    "{name}: line {line}: timestamp {:.3} ms is not after the previous row's {:.3} ms",
                    t_us / US_PER_MS,
                    prev.t_us / US_PER_MS
                )));
            }
        }
        rows.push(PathRow { t_us, crop });
    }
    if rows.is_empty() {
        return Err(bad_input(format!("{name}: the crop path has no rows")));
    }
    Ok(rows)
}

/// The path smoothed with a centred Gaussian window of half-width `half_us` (σ = half / 2):
/// each crop's centre and size become the weighted means over the rows within the window, the
/// rows after it included (look-ahead).
fn smooth(rows: &[PathRow], half_us: f64) -> Vec<PathRow> {
    let sigma = half_us * SIGMA_FRACTION;
    let mut start = 0;
    rows.iter()
        .map(|row| {
            while rows[start].t_us < row.t_us - half_us {
                start += 1;
            }
            let mut sum = [0.0; 4];
            let mut total = 0.0;
            for other in rows[start..]
                .iter()
                .take_while(|o| o.t_us <= row.t_us + half_us)
            {
                let d = (other.t_us - row.t_us) / sigma;
                let w = (-0.5 * d * d).exp();
                let [x, y, cw, ch] = other.crop;
                for (s, v) in sum.iter_mut().zip([x + cw / 2.0, y + ch / 2.0, cw, ch]) {
                    *s += w * v;
                }
                total += w;
            }
            let [cx, cy, cw, ch] = sum.map(|s| s / total);
            PathRow {
                t_us: row.t_us,
                crop: [cx - cw / 2.0, cy - ch / 2.0, cw, ch],
            }
        })
        .collect()
}

/// The crop at time `t_us`: linear between the rows around it, held outside the path. Also
/// whether `t_us` lies outside the path's span.
fn crop_at(rows: &[PathRow], t_us: f64) -> (Crop, bool) {
    let after = rows.partition_point(|r| r.t_us <= t_us);
    match (after.checked_sub(1).map(|i| rows[i]), rows.get(after)) {
        (Some(a), Some(b)) => {
            let f = (t_us - a.t_us) / (b.t_us - a.t_us);
            let mut crop = [0.0; 4];
            for (k, c) in crop.iter_mut().enumerate() {
                *c = a.crop[k] + f * (b.crop[k] - a.crop[k]);
            }
            (crop, false)
        }
        (Some(a), None) => (a.crop, t_us > a.t_us),
        (None, Some(b)) => (b.crop, true),
        // `rows` is never empty.
        (None, None) => ([0.0, 0.0, 1.0, 1.0], true),
    }
}

/// `crop` widened to `aspect` (width / height) about its centre, shrunk to fit a `fw` x `fh`
/// frame if needed, and moved inside it.
fn fit(crop: Crop, aspect: f64, fw: f64, fh: f64) -> Crop {
    let [x, y, w, h] = crop;
    let (cx, cy) = (x + w / 2.0, y + h / 2.0);
    let (mut w, mut h) = if w / h < aspect {
        (h * aspect, h)
    } else {
        (w, w / aspect)
    };
    if w > fw {
        (w, h) = (fw, fw / aspect);
    }
    if h > fh {
        (w, h) = (fh * aspect, fh);
    }
    let (w, h) = (w.max(MIN_CROP_PX), h.max(MIN_CROP_PX));
    let x = (cx - w / 2.0).clamp(0.0, (fw - w).max(0.0));
    let y = (cy - h / 2.0).clamp(0.0, (fh - h).max(0.0));
    [x, y, w.min(fw), h.min(fh)]
}

/// A hidden name beside `path` to write before the rename, keeping its extension (ffmpeg picks
/// the container from it).
fn staging_name(path: &Path) -> PathBuf {
    let stem = path
        .file_stem()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".into());
    let ext = path
        .extension()
        .map(|e| format!(".{}", e.to_string_lossy()))
        .unwrap_or_default();
    path.with_file_name(format!(".{stem}.tmp-{}{ext}", std::process::id()))
}

/// Rounds to an even number, at least 2 (video encoders need even sides).
fn even(v: f64) -> u32 {
    let n = v.round().max(2.0) as u32;
    n + n % 2
}

/// The container for `out`, from its extension.
fn format_of(out: &Path) -> Result<VideoFormat> {
    match out
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
    {
        Some(e) if e == "y4m" => Ok(VideoFormat::Y4m),
        Some(e) if e == "mp4" => {
            if ffmpeg_available() {
                Ok(VideoFormat::Mp4)
            } else {
                Err(bad_input(format!(
                    "{}: writing .mp4 needs the ffmpeg program (apt-get install ffmpeg); or write a .y4m",
                    out.display()
                )))
            }
        }
        _ => Err(bad_input(format!(
            "{}: the reframed clip must be a .mp4 or a .y4m file",
            out.display()
        ))),
    }
}

/// Runs the command.
pub fn run(args: &ReframeArgs, json: bool) -> Result<()> {
    if !(args.smooth_s.is_finite() && args.smooth_s > 0.0) {
        return Err(bad_input(format!(
            "--smooth-s {}: must be a positive number of seconds",
            args.smooth_s
        )));
    }
    let format = format_of(&args.out)?;
    let rows = read_path(&args.path)?;
    let mut source = crate::input::open(&args.video, None, None)?;
    let info = source.info().clone();
    let (fw, fh) = (f64::from(info.width), f64::from(info.height));
    // The path's pixels to the video's.
    let (sx, sy) = match args.path_size {
        Some((pw, ph)) => (fw / f64::from(pw), fh / f64::from(ph)),
        None => (1.0, 1.0),
    };
    let rows: Vec<PathRow> = rows
        .iter()
        .map(|r| PathRow {
            t_us: r.t_us,
            crop: [
                r.crop[0] * sx,
                r.crop[1] * sy,
                r.crop[2] * sx,
                r.crop[3] * sy,
            ],
        })
        .collect();
    let rows = if args.smooth {
        smooth(&rows, args.smooth_s * US_PER_S)
    } else {
        rows
    };
    let first = rows[0].crop;
    let aspect = first[2] / first[3];
    let out_h = even(match args.height {
        Some(h) => f64::from(h),
        None => first[3].min(fh).min(f64::from(REFRAME_MAX_HEIGHT)),
    });
    let out_size = (even(f64::from(out_h) * aspect), out_h);
    let aspect = f64::from(out_size.0) / f64::from(out_size.1);

    let staged = staging_name(&args.out);
    let mut writer = VideoWriter::create(&staged, format, out_size.0, out_size.1, info.fps)?;
    let crops_staged = args.crops.as_deref().map(staging_name);
    let mut crops_csv = match &crops_staged {
        Some(p) => {
            let mut w = csv::Writer::from_path(p)
                .with_context(|| format!("cannot create {}", p.display()))?;
            w.write_record([
                "frame",
                TIMESTAMP_COLUMN,
                CROP_COLUMNS[0],
                CROP_COLUMNS[1],
                CROP_COLUMNS[2],
                CROP_COLUMNS[3],
            ])?;
            Some(w)
        }
        None => None,
    };
    let bar = progress_bar(info.frames, json, "reframe");
    let mut resizer = fast_image_resize::Resizer::new();
    let (mut rgb, mut out) = (Vec::new(), Vec::new());
    let (mut frames, mut held) = (0usize, 0usize);
    let result = (|| -> Result<()> {
        while let Some(fi) = source.next_frame(&mut rgb)? {
            let (crop, outside) = crop_at(&rows, fi.timestamp_us as f64);
            let crop = fit(crop, aspect, fw, fh);
            resize_rgb(
                &mut resizer,
                &rgb,
                (fi.width, fi.height),
                &mut out,
                out_size,
                Some(crop),
            )?;
            writer.write(&out)?;
            if let Some(w) = crops_csv.as_mut() {
                let f2 = |v: f64| format!("{v:.2}");
                w.write_record([
                    fi.index.to_string(),
                    format!("{:.3}", fi.timestamp_us as f64 / US_PER_MS),
                    f2(crop[0]),
                    f2(crop[1]),
                    f2(crop[2]),
                    f2(crop[3]),
                ])?;
            }
            frames += 1;
            held += usize::from(outside);
            bar.inc(1);
        }
        Ok(())
    })();
    bar.finish_and_clear();
    let finished = result
        .and_then(|()| writer.finish())
        .and_then(|()| match crops_csv.as_mut() {
            Some(w) => Ok(w.flush()?),
            None => Ok(()),
        })
        .and_then(|()| {
            if frames == 0 {
                Err(bad_input(format!("{}: no frames", info.name)))
            } else {
                Ok(())
            }
        });
    drop(crops_csv);
    let placed = finished.and_then(|()| {
        std::fs::rename(&staged, &args.out)
            .with_context(|| format!("cannot write {}", args.out.display()))?;
        if let (Some(from), Some(to)) = (&crops_staged, &args.crops) {
            std::fs::rename(from, to).with_context(|| format!("cannot write {}", to.display()))?;
        }
        Ok(())
    });
    if let Err(e) = placed {
        let _ = std::fs::remove_file(&staged);
        if let Some(p) = &crops_staged {
            let _ = std::fs::remove_file(p);
        }
        return Err(e);
    }
    if json {
        let doc = serde_json::json!({
            "command": "reframe",
            "video": { "name": info.name, "width": info.width, "height": info.height, "fps": info.fps },
            "path_rows": rows.len(),
            "frames": frames,
            "frames_outside_path": held,
            "smoothed": args.smooth,
            "out": { "file": args.out.display().to_string(), "width": out_size.0, "height": out_size.1 },
        });
        println!("{}", serde_json::to_string_pretty(&doc)?);
    } else {
        println!(
            "reframed {frames} frames ({}x{}) from {} path rows into {}{}",
            out_size.0,
            out_size.1,
            rows.len(),
            args.out.display(),
            if held > 0 {
                format!("; {held} frames outside the path's time span held its end crop")
            } else {
                String::new()
            }
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(t_ms: f64, x: f64) -> PathRow {
        PathRow {
            t_us: t_ms * US_PER_MS,
            crop: [x, 10.0, 160.0, 90.0],
        }
    }

    #[test]
    fn columns_are_track_csv_columns() {
        assert!(TRACK_HEADER.contains(&TIMESTAMP_COLUMN));
        assert!(CROP_COLUMNS.iter().all(|c| TRACK_HEADER.contains(c)));
    }

    #[test]
    fn crops_between_rows_are_interpolated_and_held_outside() {
        let rows = [row(0.0, 0.0), row(100.0, 50.0)];
        // 40 ms of 100: x = 0 + 0.4 * 50 = 20.
        assert_eq!(crop_at(&rows, 40_000.0), ([20.0, 10.0, 160.0, 90.0], false));
        assert_eq!(crop_at(&rows, -5.0), (rows[0].crop, true));
        assert_eq!(crop_at(&rows, 100_000.0), (rows[1].crop, false));
        assert_eq!(crop_at(&rows, 200_000.0), (rows[1].crop, true));
    }

    #[test]
    fn smoothing_looks_ahead_without_lag() {
        // A step from x = 0 to x = 100 at t = 500 ms, rows every 100 ms. The centred window
        // starts moving before the step (look-ahead) and is halfway at the step's midpoint.
        let rows: Vec<PathRow> = (0..10)
            .map(|i| row(f64::from(i) * 100.0, if i < 5 { 0.0 } else { 100.0 }))
            .collect();
        let s = smooth(&rows, 300_000.0);
        assert!(s[3].crop[0] > 0.0 && s[3].crop[0] < 50.0, "{:?}", s[3]);
        // Rows 4 and 5 sit symmetrically around the step: their centres average to 50.
        assert!((s[4].crop[0] + s[5].crop[0] - 100.0).abs() < 1e-9, "{s:?}");
        // A constant path stays put; sizes are kept.
        let flat = smooth(&[row(0.0, 7.0), row(33.0, 7.0)], 300_000.0);
        assert!(flat
            .iter()
            .all(|r| (r.crop[0] - 7.0).abs() < 1e-9 && (r.crop[2] - 160.0).abs() < 1e-9));
    }

    #[test]
    fn staged_outputs_keep_their_extension() {
        let staged = staging_name(Path::new("/tmp/out/reframed.mp4"));
        let name = staged.file_name().unwrap().to_string_lossy().into_owned();
        assert!(
            name.starts_with(".reframed.tmp-") && name.ends_with(".mp4"),
            "{name}"
        );
        assert_eq!(staged.parent(), Some(Path::new("/tmp/out")));
    }

    #[test]
    fn crops_fit_the_output_and_the_frame() {
        // A 9:16 crop widened to 16:9 about its centre (100, 100): 160 high -> 284.4 wide.
        let c = fit([55.0, 20.0, 90.0, 160.0], 16.0 / 9.0, 640.0, 360.0);
        assert!((c[2] / c[3] - 16.0 / 9.0).abs() < 1e-9 && (c[3] - 160.0).abs() < 1e-9);
        assert!(c[0] == 0.0, "moved inside the frame: {c:?}");
        // Too big for the frame: shrunk to it.
        let c = fit([0.0, 0.0, 1000.0, 100.0], 16.0 / 9.0, 640.0, 360.0);
        assert!(c[2] <= 640.0 && c[3] <= 360.0 && (c[2] / c[3] - 16.0 / 9.0).abs() < 1e-9);
    }

    #[test]
    fn bad_paths_are_named() {
        let dir = std::env::temp_dir().join(format!("ballcam-reframe-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let write = |name: &str, text: &str| {
            let p = dir.join(name);
            std::fs::write(&p, text).unwrap();
            p
        };
        let header = TRACK_HEADER.join(",");
        let e = read_path(&write("none.csv", "a,b\n1,2\n")).unwrap_err();
        assert!(e.to_string().contains("no column \"timestamp_ms\""), "{e}");
        let e = read_path(&write("empty.csv", &format!("{header}\n"))).unwrap_err();
        assert!(e.to_string().contains("no rows"), "{e}");
        let row = |t: &str, w: &str| format!("0,0,{t},lost,,,,,,,0,1,2,{w},9,full,5\n");
        let e = read_path(&write("nan.csv", &format!("{header}\n{}", row("x", "16")))).unwrap_err();
        assert!(
            e.to_string().contains("line 2: timestamp_ms = \"x\""),
            "{e}"
        );
        let e = read_path(&write(
            "back.csv",
            &format!("{header}\n{}{}", row("5", "16"), row("5", "16")),
        ))
        .unwrap_err();
        assert!(e.to_string().contains("line 3"), "{e}");
        let e = read_path(&write("zero.csv", &format!("{header}\n{}", row("5", "0")))).unwrap_err();
        assert!(e.to_string().contains("empty"), "{e}");
        let ok = read_path(&write("ok.csv", &format!("{header}\n{}", row("5", "16")))).unwrap();
        assert_eq!(
            ok,
            vec![PathRow {
                t_us: 5_000.0,
                crop: [1.0, 2.0, 16.0, 9.0]
            }]
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
