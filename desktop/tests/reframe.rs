//! `ballcam reframe` end to end on a rendered clip (ballcam-sim): the clip is written as a Y4M
//! video, `ballcam run` tracks it into `track.csv`, and `ballcam reframe` renders the reframed clip
//! from the video and the path, plain and smoothed. The ball must stay in the reframed frames:
//! inside the rendered crop, and at its place in the rendered pixels.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use ballcam_core::color::{RgbToYuv, YuvToRgb, CHROMA_ZERO as NEUTRAL};
use ballcam_core::ColorRange;
use ballcam_sim::{Clip, ClipSpec, GroundTruth, Scenario};

const W: u32 = 640;
const H: u32 = 360;
const FPS: f64 = 30.0;
const SECONDS: f64 = 2.5;
/// The share of the frames with a visible ball that must show it.
const MIN_BALL_SHOWN: f64 = 0.95;
/// Largest difference between the ball's luma in the reframed frame and in the source, levels
/// (resampling and the 4:2:0 video round-trip blur a small ball a little).
const BALL_LUMA_TOLERANCE: f64 = 40.0;

fn ballcam(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ballcam"))
        .args(args)
        .output()
        .expect("run ballcam")
}

fn assert_ok(o: &Output) {
    assert!(
        o.status.success(),
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        o.status,
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
}

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("ballcam-reframe")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Analog BT.601 Y, Cb, Cr of an RGB pixel (the core's).
fn ycbcr(rgb: &[u8]) -> [f32; 3] {
    RgbToYuv::ycbcr(f32::from(rgb[0]), f32::from(rgb[1]), f32::from(rgb[2]))
}

/// Full-range BT.601 luma of an RGB pixel.
fn luma(rgb: &[u8]) -> f64 {
    f64::from(ycbcr(rgb)[0])
}

/// Renders the clip and writes it as a 4:4:4 full-range Y4M video; returns the frames.
fn write_clip(path: &Path) -> Vec<(Vec<u8>, GroundTruth)> {
    let spec = ClipSpec::new(Scenario::StraightPass, W, H, FPS, SECONDS, 5);
    let mut clip = Clip::new(spec).unwrap();
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    writeln!(
        out,
        "YUV4MPEG2 W{W} H{H} F30:1 Ip A1:1 C444 XCOLORRANGE=FULL"
    )
    .unwrap();
    let mut frames = Vec::new();
    for i in 0..clip.frame_count() {
        let mut rgb = vec![0u8; (W * H * 3) as usize];
        let gt = clip.render_rgb(i, &mut rgb).unwrap();
        let px = || rgb.chunks_exact(3);
        let enc = RgbToYuv::new(ColorRange::Full);
        let y: Vec<u8> = px().map(|p| enc.luma_code(ycbcr(p)[0])).collect();
        let u: Vec<u8> = px().map(|p| enc.chroma_code(ycbcr(p)[1])).collect();
        let v: Vec<u8> = px().map(|p| enc.chroma_code(ycbcr(p)[2])).collect();
        out.write_all(b"FRAME\n").unwrap();
        for plane in [&y, &u, &v] {
            out.write_all(plane).unwrap();
        }
        frames.push((rgb, gt));
    }
    out.flush().unwrap();
    frames
}

/// The luma planes of a `C420jpeg` limited-range Y4M file (as `ballcam` writes), full range.
fn read_luma(path: &Path) -> (u32, u32, Vec<Vec<f64>>) {
    let data = std::fs::read(path).unwrap();
    let end = data.iter().position(|&b| b == b'\n').unwrap();
    let header = std::str::from_utf8(&data[..end]).unwrap();
    let field = |tag: char| -> u32 {
        header
            .split(' ')
            .find_map(|f| f.strip_prefix(tag))
            .unwrap()
            .parse()
            .unwrap()
    };
    let (w, h) = (field('W'), field('H'));
    assert!(header.contains("C420"), "{header}");
    let (w_us, h_us) = (w as usize, h as usize);
    let frame_bytes = w_us * h_us + 2 * w_us.div_ceil(2) * h_us.div_ceil(2);
    // Limited-range luma to full range: the core's decode of a grey.
    let grey = YuvToRgb::new(ColorRange::Limited);
    let mut frames = Vec::new();
    let mut at = end + 1;
    while at < data.len() {
        let tag_end = at + data[at..].iter().position(|&b| b == b'\n').unwrap();
        assert!(data[at..tag_end].starts_with(b"FRAME"));
        let y = &data[tag_end + 1..tag_end + 1 + w_us * h_us];
        frames.push(
            y.iter()
                .map(|&v| f64::from(grey.convert(f32::from(v), NEUTRAL, NEUTRAL)[0]))
                .collect(),
        );
        at = tag_end + 1 + frame_bytes;
    }
    (w, h, frames)
}

/// The crops of `--crops`: x, y, w, h per frame.
fn read_crops(path: &Path) -> Vec<[f64; 4]> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("frame,timestamp_ms,crop_x,crop_y,crop_w,crop_h")
    );
    lines
        .map(|l| {
            let v: Vec<f64> = l.split(',').skip(2).map(|x| x.parse().unwrap()).collect();
            [v[0], v[1], v[2], v[3]]
        })
        .collect()
}

/// Checks one reframed clip against the source frames: the ball inside the rendered crop, and
/// the ball's pixels where the crop puts them. Returns the share of visible-ball frames that
/// show it.
fn ball_shown(frames: &[(Vec<u8>, GroundTruth)], video: &Path, crops: &Path) -> (f64, usize) {
    let (ow, oh, out) = read_luma(video);
    let crops = read_crops(crops);
    assert_eq!(
        out.len(),
        frames.len(),
        "one reframed frame per source frame"
    );
    assert_eq!(crops.len(), frames.len());
    assert!(ow % 2 == 0 && oh % 2 == 0 && oh <= H);
    let (mut visible, mut shown) = (0usize, 0usize);
    for ((rgb, gt), (luma_out, c)) in frames.iter().zip(out.iter().zip(&crops)) {
        // Every crop lies inside the frame and has the clip's aspect.
        assert!(c[0] >= -1e-6 && c[1] >= -1e-6 && c[0] + c[2] <= f64::from(W) + 0.01);
        assert!(c[1] + c[3] <= f64::from(H) + 0.01);
        assert!(
            (c[2] / c[3] - f64::from(ow) / f64::from(oh)).abs() < 0.01,
            "{c:?}"
        );
        if !gt.visible {
            continue;
        }
        visible += 1;
        let (x, y) = (f64::from(gt.x), f64::from(gt.y));
        if x < c[0] || x > c[0] + c[2] || y < c[1] || y > c[1] + c[3] {
            continue;
        }
        // The ball's centre in the reframed frame, and its luma there against the source's.
        let ox = ((x - c[0]) / c[2] * f64::from(ow)).floor() as usize;
        let oy = ((y - c[1]) / c[3] * f64::from(oh)).floor() as usize;
        let (ox, oy) = (ox.min(ow as usize - 1), oy.min(oh as usize - 1));
        let src = (y.floor() as usize * W as usize + x.floor() as usize) * 3;
        let expected = luma(&rgb[src..src + 3]);
        let got = luma_out[oy * ow as usize + ox];
        if (got - expected).abs() <= BALL_LUMA_TOLERANCE {
            shown += 1;
        }
    }
    (shown as f64 / visible.max(1) as f64, visible)
}

#[test]
fn reframe_keeps_the_ball_in_the_reframed_frames() {
    let dir = scratch("ball");
    let clip = dir.join("match.y4m");
    let frames = write_clip(&clip);
    // A budget that never binds: the path does not depend on this machine's speed.
    let config = dir.join("unbounded.toml");
    std::fs::write(
        &config,
        "preset = \"desktop\"\n[schedule]\nbudget_us = 10000000\n",
    )
    .unwrap();
    let run = dir.join("run");
    assert_ok(&ballcam(&[
        "run",
        "--input",
        s(&clip),
        "--config",
        s(&config),
        "--out",
        s(&run),
        "--json",
    ]));
    let path = run.join("track.csv");
    for smooth in [false, true] {
        let name = if smooth { "smoothed" } else { "plain" };
        let out = dir.join(format!("{name}.y4m"));
        let crops = dir.join(format!("{name}.csv"));
        let mut args = vec![
            "reframe",
            "--video",
            s(&clip),
            "--path",
            s(&path),
            "--out",
            s(&out),
            "--crops",
            s(&crops),
            "--json",
        ];
        if smooth {
            args.push("--smooth");
        }
        let o = ballcam(&args);
        assert_ok(&o);
        let doc: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(doc["frames"], frames.len());
        assert_eq!(doc["smoothed"], smooth);
        let (share, visible) = ball_shown(&frames, &out, &crops);
        println!(
            "{name}: ball shown in {:.1}% of {visible} frames with a visible ball",
            share * 100.0
        );
        assert!(visible > frames.len() / 2, "the clip shows the ball");
        assert!(
            share >= MIN_BALL_SHOWN,
            "{name}: ball shown in only {share:.3} of the frames"
        );
    }
    // The same as H.264 MP4 (a phone's container) when ffmpeg is installed: decoded back to Y4M.
    if !ffmpeg_runs() {
        eprintln!("SKIPPED the .mp4 output: no ffmpeg");
        return;
    }
    let (mp4, crops) = (dir.join("plain.mp4"), dir.join("mp4.csv"));
    let o = ballcam(&[
        "reframe",
        "--video",
        s(&clip),
        "--path",
        s(&path),
        "--out",
        s(&mp4),
        "--crops",
        s(&crops),
    ]);
    assert_ok(&o);
    let decoded = dir.join("plain-mp4.y4m");
    let status = Command::new("ffmpeg")
        .args([
            "-v",
            "error",
            "-y",
            "-i",
            s(&mp4),
            "-pix_fmt",
            "yuv420p",
            "-f",
            "yuv4mpegpipe",
        ])
        .arg(&decoded)
        .status()
        .expect("ffmpeg");
    assert!(status.success());
    let (share, _) = ball_shown(&frames, &decoded, &crops);
    assert!(
        share >= MIN_BALL_SHOWN,
        "mp4: ball shown in only {share:.3} of the frames"
    );
}

/// Whether the ffmpeg program runs.
fn ffmpeg_runs() -> bool {
    Command::new("ffmpeg")
        .arg("-version")
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn bad_inputs_name_the_file() {
    let dir = scratch("bad");
    let clip = dir.join("match.y4m");
    // A small valid clip is enough here.
    let _ = write_clip(&clip);
    let missing = dir.join("missing.csv");
    let out = dir.join("out.y4m");
    let o = ballcam(&[
        "reframe",
        "--video",
        s(&clip),
        "--path",
        s(&missing),
        "--out",
        s(&out),
    ]);
    assert_eq!(o.status.code(), Some(2), "{o:?}");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("missing.csv") && err.lines().count() == 1,
        "{err}"
    );
    let path = dir.join("track.csv");
    std::fs::write(&path, "frame,source,timestamp_ms\n0,0,0\n").unwrap();
    let o = ballcam(&[
        "reframe",
        "--video",
        s(&clip),
        "--path",
        s(&path),
        "--out",
        s(&out),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no column \"crop_x\""));
    let o = ballcam(&[
        "reframe",
        "--video",
        s(&clip),
        "--path",
        s(&path),
        "--out",
        s(&dir.join("x.avi")),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(!out.exists(), "no partial output");
}
