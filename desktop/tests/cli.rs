//! End-to-end tests of the `ballcam` binary on small rendered clips (ballcam-sim): demo, run on
//! image folders / Y4M / video (through ffmpeg when installed), eval, label propagate, the
//! monitoring outputs (telemetry.json, `run --capture`, `report`), and bad inputs (one-line
//! errors naming the file, non-zero exit, no partial outputs).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use ballcam_core::color::RgbToYuv;
use ballcam_core::ColorRange;
use ballcam_sim::{Clip, ClipSpec, GroundTruth, Scenario};

/// Small frames keep the tests fast.
const W: u32 = 640;
const H: u32 = 360;
const FPS: f64 = 30.0;
const TRACK_HEADER: &str = "frame,source,timestamp_ms,ball_state,ball_x,ball_y,ball_vx,ball_vy,ball_radius,confidence,candidates,crop_x,crop_y,crop_w,crop_h,mode,latency_us";
const LABELS_HEADER: &str = "file,clip,frame_index,visible,x,y,w,h";

fn ballcam(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ballcam"))
        .args(args)
        .output()
        .expect("run ballcam")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn assert_ok(o: &Output) {
    assert!(
        o.status.success(),
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        o.status,
        String::from_utf8_lossy(&o.stdout),
        stderr(o)
    );
}

/// A fresh, empty scratch folder for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("ballcam-cli")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Renders `frames` frames of `scenario`.
fn render(scenario: Scenario, frames: u32, seed: u64) -> Vec<(Vec<u8>, GroundTruth)> {
    render_spec(ClipSpec::new(scenario, W, H, FPS, 4.0, seed), frames)
}

/// Renders the first `frames` frames of `spec` (W x H).
fn render_spec(spec: ClipSpec, frames: u32) -> Vec<(Vec<u8>, GroundTruth)> {
    let mut clip = Clip::new(spec).unwrap();
    (0..frames.min(clip.frame_count()))
        .map(|i| {
            let mut rgb = vec![0u8; (W * H * 3) as usize];
            let gt = clip.render_rgb(i, &mut rgb).unwrap();
            (rgb, gt)
        })
        .collect()
}

/// Writes PNG frames `frame_0000.png`… and, with `labels`, a labels.csv with the ground truth.
fn write_pngs(dir: &Path, frames: &[(Vec<u8>, GroundTruth)], labels: bool) {
    let mut csv = format!("{LABELS_HEADER}\n");
    for (i, (rgb, gt)) in frames.iter().enumerate() {
        let name = format!("frame_{i:04}.png");
        image::save_buffer(dir.join(&name), rgb, W, H, image::ExtendedColorType::Rgb8).unwrap();
        let d = gt.radius * 2.0;
        if gt.visible {
            csv += &format!("{name},c1,{i},1,{:.2},{:.2},{d:.2},{d:.2}\n", gt.x, gt.y);
        } else {
            csv += &format!("{name},c1,{i},0,,,,\n");
        }
    }
    if labels {
        std::fs::write(dir.join("labels.csv"), csv).unwrap();
    }
}

/// Writes a C444 limited-range Y4M file.
fn write_y4m(path: &Path, frames: &[(Vec<u8>, GroundTruth)]) {
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    writeln!(f, "YUV4MPEG2 W{W} H{H} F30:1 Ip A1:1 C444").unwrap();
    for (rgb, _) in frames {
        let n = (W * H) as usize;
        let (mut y, mut u, mut v) = (vec![0u8; n], vec![0u8; n], vec![0u8; n]);
        let enc = RgbToYuv::new(ColorRange::Limited);
        for i in 0..n {
            let p = &rgb[3 * i..3 * i + 3];
            let [l, cb, cr] = RgbToYuv::ycbcr(f32::from(p[0]), f32::from(p[1]), f32::from(p[2]));
            y[i] = enc.luma_code(l);
            u[i] = enc.chroma_code(cb);
            v[i] = enc.chroma_code(cr);
        }
        f.write_all(b"FRAME\n").unwrap();
        f.write_all(&y).unwrap();
        f.write_all(&u).unwrap();
        f.write_all(&v).unwrap();
    }
}

fn read_track(path: &Path) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some(TRACK_HEADER));
    lines
        .map(|l| l.split(',').map(String::from).collect())
        .collect()
}

fn ffmpeg_installed() -> bool {
    Command::new("ffmpeg")
        .arg("-version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Checks a failure: non-zero exit, one line of error naming `needle`, no `out` left.
fn assert_clean_failure(o: &Output, needle: &str, out: &Path) {
    assert!(!o.status.success(), "expected a failure, got success");
    let err = stderr(o);
    let lines: Vec<&str> = err.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "expected a one-line error, got:\n{err}");
    assert!(lines[0].starts_with("error: "), "{err}");
    assert!(
        lines[0].contains(needle),
        "error should name {needle}: {err}"
    );
    assert!(
        !out.exists() || std::fs::read_dir(out).unwrap().next().is_none(),
        "partial outputs left in {}",
        out.display()
    );
}

#[test]
fn every_command_has_help() {
    for args in [
        vec!["--help"],
        vec!["demo", "--help"],
        vec!["run", "--help"],
        vec!["eval", "--help"],
        vec!["label", "--help"],
        vec!["label", "propagate", "--help"],
        vec!["label", "pseudo", "--help"],
        vec!["camera", "--help"],
        vec!["profile", "--help"],
        vec!["report", "--help"],
    ] {
        let o = ballcam(&args);
        assert_ok(&o);
        let text = String::from_utf8_lossy(&o.stdout);
        assert!(text.contains("Usage"), "{args:?}: {text}");
    }
    let o = ballcam(&["demo", "--help"]);
    assert!(String::from_utf8_lossy(&o.stdout).contains("Exit codes"));
    // Usage errors exit with 2.
    assert_eq!(ballcam(&["demo", "--bogus"]).status.code(), Some(2));
    assert_eq!(
        ballcam(&["run", "--input", "x", "--aspect", "16-9"])
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn demo_writes_videos_track_report_and_plots() {
    let dir = scratch("demo");
    let out = dir.join("out");
    let o = ballcam(&[
        "demo",
        "--out",
        s(&out),
        "--frames",
        "24",
        "--width",
        "640",
        "--height",
        "360",
    ]);
    assert_ok(&o);
    let summary = String::from_utf8_lossy(&o.stdout);
    assert!(summary.contains("ball in crop"), "{summary}");
    assert!(summary.contains("p99"), "{summary}");
    let ext = if ffmpeg_installed() { "mp4" } else { "y4m" };
    for f in [
        "track.csv",
        "report.json",
        "report.md",
        "plot_position.png",
        "plot_latency.png",
        "plot_confidence.png",
    ] {
        assert!(out.join(f).is_file(), "{f} missing");
    }
    for stem in ["reframed", "overlay"] {
        let p = out.join(format!("{stem}.{ext}"));
        assert!(
            std::fs::metadata(&p)
                .map(|m| m.len() > 1000)
                .unwrap_or(false),
            "{} missing or empty",
            p.display()
        );
    }
    let rows = read_track(&out.join("track.csv"));
    assert_eq!(rows.len(), 24);
    for (i, r) in rows.iter().enumerate() {
        assert_eq!(r.len(), 17);
        assert_eq!(r[0], i.to_string());
        assert!(
            ["detected", "predicted", "lost"].contains(&r[3].as_str()),
            "{r:?}"
        );
        assert!(
            ["full", "roi", "tile", "skip"].contains(&r[15].as_str()),
            "{r:?}"
        );
        let crop_w: f64 = r[13].parse().unwrap();
        assert!(crop_w > 0.0 && crop_w <= W as f64 + 0.5);
    }
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    assert_eq!(report["frames"], 24);
    assert_eq!(report["command"], "demo");
    let m = &report["metrics"];
    assert!(m["visible_frames"].as_u64().unwrap() > 0);
    let in_crop = m["ball_in_crop"].as_f64().unwrap();
    assert!((0.0..=1.0).contains(&in_crop));
    assert!(m["latency_us"]["total"]["p50"].as_f64().unwrap() > 0.0);
    assert!(m["crop_smoothness"]["mean_abs_accel_px_s2"]
        .as_f64()
        .is_some());
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(md.contains("plot_position.png"));
    // Nothing staged is left behind.
    assert!(std::fs::read_dir(&out).unwrap().all(|e| !e
        .unwrap()
        .file_name()
        .to_string_lossy()
        .starts_with('.')));
}

#[test]
fn demo_json_is_machine_readable() {
    let dir = scratch("demo_json");
    let out = dir.join("out");
    let o = ballcam(&[
        "demo",
        "--json",
        "--out",
        s(&out),
        "--frames",
        "6",
        "--width",
        "320",
        "--height",
        "180",
        "--aspect",
        "9:16",
    ]);
    assert_ok(&o);
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).expect("stdout is JSON");
    assert_eq!(doc["frames"], 6);
    assert_eq!(doc["engine"]["aspect"], "9:16");
    let rows = read_track(&out.join("track.csv"));
    let (w, h): (f64, f64) = (rows[0][13].parse().unwrap(), rows[0][14].parse().unwrap());
    assert!(
        (w / h - 9.0 / 16.0).abs() < 0.05,
        "crop {w}x{h} is not 9:16"
    );
}

#[test]
fn profile_runs_the_embedded_model_ball_names() {
    let dir = scratch("profile_ball");
    let mut sizes = Vec::new();
    for ball in ["football", "any"] {
        let out = dir.join(ball);
        let o = ballcam(&[
            "profile",
            "--synthetic",
            "--resolution",
            "320x180",
            "--frames",
            "5",
            "--only-preset",
            "--ball",
            ball,
            "--json",
            "--out",
            s(&out),
        ]);
        assert_ok(&o);
        let doc: serde_json::Value = serde_json::from_slice(&o.stdout).expect("stdout is JSON");
        assert_eq!(
            doc["memory"]["model"],
            format!("embedded model (ball = {ball})")
        );
        sizes.push(doc["memory"]["model_bytes"].as_u64().expect("model size"));
    }
    // Two different models: the football one is the smaller.
    assert!(sizes[0] < sizes[1], "model sizes {sizes:?}");
    let o = ballcam(&["profile", "--synthetic", "--ball", "tennis"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}

#[test]
fn run_on_an_image_folder_and_a_y4m_file() {
    let dir = scratch("run_images");
    let frames = render(Scenario::StraightPass, 12, 3);
    let images = dir.join("images");
    std::fs::create_dir_all(&images).unwrap();
    write_pngs(&images, &frames, false);
    let out = dir.join("out");
    assert_ok(&ballcam(&["run", "--input", s(&images), "--out", s(&out)]));
    let rows = read_track(&out.join("track.csv"));
    assert_eq!(rows.len(), 12);
    assert_eq!(rows[3][1], "frame_0003.png");
    assert_eq!(rows[3][2], "100.000");
    assert!(out.join("report.json").is_file());

    let y4m = dir.join("clip.y4m");
    write_y4m(&y4m, &frames[..8]);
    let out = dir.join("out_y4m");
    assert_ok(&ballcam(&[
        "run",
        "--input",
        s(&y4m),
        "--out",
        s(&out),
        "--aspect",
        "1:1",
    ]));
    let rows = read_track(&out.join("track.csv"));
    assert_eq!(rows.len(), 8);
    assert_eq!(rows[5][1], "5");
    // --resize feeds frames at another size: coordinates are in those pixels.
    let out = dir.join("out_resized");
    assert_ok(&ballcam(&[
        "run",
        "--input",
        s(&y4m),
        "--out",
        s(&out),
        "--resize",
        "320x320",
    ]));
    let rows = read_track(&out.join("track.csv"));
    for r in &rows {
        let (cx, cw): (f64, f64) = (r[11].parse().unwrap(), r[13].parse().unwrap());
        assert!(cx >= -0.5 && cx + cw <= 320.5, "{r:?}");
    }
}

#[test]
fn run_on_a_video_through_ffmpeg() {
    if !ffmpeg_installed() {
        println!(
            "notice: ffmpeg is not installed, skipping the video test (make test installs it)"
        );
        return;
    }
    let dir = scratch("run_video");
    let frames = render(Scenario::LoftedBall, 15, 5);
    let images = dir.join("images");
    std::fs::create_dir_all(&images).unwrap();
    write_pngs(&images, &frames, false);
    let video = dir.join("clip.mp4");
    let st = Command::new("ffmpeg")
        .args(["-v", "error", "-y", "-framerate", "30", "-i"])
        .arg(images.join("frame_%04d.png"))
        .args(["-c:v", "libx264", "-pix_fmt", "yuv420p"])
        .arg(&video)
        .status()
        .unwrap();
    assert!(st.success());
    let out = dir.join("out");
    assert_ok(&ballcam(&["run", "--input", s(&video), "--out", s(&out)]));
    let rows = read_track(&out.join("track.csv"));
    assert_eq!(rows.len(), 15);
    assert!(out.join("reframed.mp4").is_file() && out.join("overlay.mp4").is_file());
}

#[test]
fn eval_on_rendered_frames_with_known_labels() {
    let dir = scratch("eval");
    // Two seconds: the ball rests at first (a static ball is confirmed only after the tracker's
    // static_confirm_s, 1 s), then it is passed.
    let frames = render(Scenario::StraightPass, 60, 9);
    write_pngs(&dir, &frames, true);
    // A budget no frame can exceed: the schedule (and so the figures) must not depend on how
    // busy the test machine is.
    let config = dir.join("unbounded.toml");
    std::fs::write(&config, "[schedule]\nbudget_us = 10000000\n").unwrap();
    let out = dir.join("out");
    let o = ballcam(&[
        "eval",
        "--labels",
        s(&dir.join("labels.csv")),
        "--out",
        s(&out),
        "--config",
        s(&config),
    ]);
    assert_ok(&o);
    let m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("metrics.json")).unwrap()).unwrap();
    let metrics = &m["metrics"];
    assert_eq!(metrics["frames"], 60);
    let visible = frames.iter().filter(|f| f.1.visible).count() as u64;
    assert_eq!(metrics["visible_frames"].as_u64().unwrap(), visible);
    let recall = metrics["detection"]["recall"].as_f64().unwrap();
    let precision = metrics["detection"]["precision"].as_f64().unwrap_or(0.0);
    assert!(recall > 0.5, "recall {recall} on an easy clip");
    assert!(precision > 0.5, "precision {precision} on an easy clip");
    assert!(metrics["median_error_px"].as_f64().unwrap() < 5.0);
    assert_eq!(metrics["by_size"].as_array().unwrap().len(), 4);
    assert!(out.join("report.md").is_file() && out.join("plot_latency.png").is_file());
    // Resized: labels are scaled with the frames.
    let out = dir.join("out_resized");
    assert_ok(&ballcam(&[
        "eval",
        "--labels",
        s(&dir.join("labels.csv")),
        "--out",
        s(&out),
        "--resize",
        "1280x720",
        "--config",
        s(&config),
    ]));
    let m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("metrics.json")).unwrap()).unwrap();
    assert_eq!(m["width"], 1280);
    assert!(m["metrics"]["detection"]["recall"].as_f64().unwrap() > 0.5);
}

/// `--costs fixed`: the schedule does not depend on the machine, so two evaluations of the
/// same frames write the same metrics.json (the measured times go to timing.json).
#[test]
fn eval_with_fixed_costs_is_repeatable() {
    let dir = scratch("eval_fixed");
    let frames = render(Scenario::StraightPass, 30, 4);
    write_pngs(&dir, &frames, true);
    let mut files = Vec::new();
    for run in ["a", "b"] {
        let out = dir.join(run);
        assert_ok(&ballcam(&[
            "eval",
            "--labels",
            s(&dir.join("labels.csv")),
            "--out",
            s(&out),
            "--costs",
            "fixed",
        ]));
        let timing: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(out.join("timing.json")).unwrap())
                .unwrap();
        assert!(timing["latency_us"]["total"]["p50"].as_f64().unwrap() > 0.0);
        files.push(std::fs::read_to_string(out.join("metrics.json")).unwrap());
    }
    assert_eq!(
        files[0], files[1],
        "metrics.json differs between two fixed-cost runs"
    );
    assert!(!files[0].contains("latency_us"));
}

/// `--sets`: every set's split through the engine and the detector alone, one table; the
/// split's rows are the ones under its folder.
#[test]
fn eval_sets_prints_one_table_per_set_and_split() {
    let dir = scratch("eval_sets");
    let set = dir.join("rendered-set");
    std::fs::create_dir_all(set.join("valid")).unwrap();
    std::fs::create_dir_all(set.join("train")).unwrap();
    let frames = render(Scenario::StraightPass, 12, 5);
    let mut csv = format!("{LABELS_HEADER}\n");
    for (i, (rgb, gt)) in frames.iter().enumerate() {
        let split = if i < 8 { "valid" } else { "train" };
        let name = format!("{split}/frame_{i:04}.png");
        image::save_buffer(set.join(&name), rgb, W, H, image::ExtendedColorType::Rgb8).unwrap();
        let d = gt.radius * 2.0;
        // Stills 0.3 s apart (frame_index steps of 9 at 30 fps).
        csv += &format!(
            "{name},c1,{},1,{:.2},{:.2},{d:.2},{d:.2}\n",
            i * 9,
            gt.x,
            gt.y
        );
    }
    std::fs::write(set.join("labels.csv"), csv).unwrap();
    let out = dir.join("out");
    let spec = format!("{}={W}x{H}", set.display());
    assert_ok(&ballcam(&["eval", "--sets", &spec, "--out", s(&out)]));
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("sets.json")).unwrap()).unwrap();
    let rows = doc["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["set"], "rendered-set");
    assert_eq!(rows[0]["split"], "valid");
    assert_eq!(rows[0]["frames"], 8, "only the valid split's rows");
    assert!(rows[0]["native_top1"].as_f64().is_some());
    assert!(out.join("sets.md").is_file());
    assert!(out.join("rendered-set/valid/metrics.json").is_file());
}

/// Keyframes every 10 frames from the ground truth, filled by `label propagate`: median error
/// under 2 px on the frames in between.
fn propagate_accuracy(scenario: Scenario, name: &str) {
    const KEY_EVERY: u32 = 10;
    let dir = scratch(name);
    let spec = ClipSpec::new(scenario, 1280, 720, FPS, 4.0, 21);
    let clip = Clip::new(spec).unwrap();
    let n = clip.frame_count();
    let mut csv = format!("{LABELS_HEADER}\n");
    for f in (0..n).step_by(KEY_EVERY as usize) {
        let gt = clip.ground_truth(f);
        let d = gt.radius * 2.0;
        if gt.visible {
            csv += &format!(
                "f_{f:05}.png,{name},{f},1,{:.2},{:.2},{d:.2},{d:.2}\n",
                gt.x, gt.y
            );
        } else {
            csv += &format!("f_{f:05}.png,{name},{f},0,,,,\n");
        }
    }
    let keys = dir.join("sparse.csv");
    std::fs::write(&keys, &csv).unwrap();
    let dense = dir.join("dense.csv");
    assert_ok(&ballcam(&[
        "label",
        "propagate",
        "--keyframes",
        s(&keys),
        "--out",
        s(&dense),
    ]));
    let text = std::fs::read_to_string(&dense).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some(format!("{LABELS_HEADER},propagated").as_str())
    );
    let mut errors = Vec::new();
    let mut count = 0;
    for line in lines {
        let c: Vec<&str> = line.split(',').collect();
        let f: u32 = c[2].parse().unwrap();
        assert_eq!(c[0], format!("f_{f:05}.png"));
        count += 1;
        if f.is_multiple_of(KEY_EVERY) {
            assert_eq!(c[8], "0", "keyframe {f} marked propagated");
            continue;
        }
        assert_eq!(c[8], "1");
        let gt = clip.ground_truth(f);
        if gt.visible && c[3] == "1" {
            let (x, y): (f64, f64) = (c[4].parse().unwrap(), c[5].parse().unwrap());
            errors.push(((x - gt.x as f64).powi(2) + (y - gt.y as f64).powi(2)).sqrt());
        }
    }
    let last_key = (n - 1) / KEY_EVERY * KEY_EVERY;
    assert_eq!(count, last_key as usize + 1);
    assert!(
        errors.len() > 20,
        "{name}: only {} filled visible frames",
        errors.len()
    );
    errors.sort_by(f64::total_cmp);
    let median = errors[errors.len() / 2];
    assert!(median < 2.0, "{name}: median error {median:.2} px");
}

#[test]
fn propagate_straight_pass_within_2px() {
    propagate_accuracy(Scenario::StraightPass, "straight_pass");
}

#[test]
fn propagate_lofted_ball_within_2px() {
    propagate_accuracy(Scenario::LoftedBall, "lofted_ball");
}

#[test]
fn missing_input_file_fails_cleanly() {
    let dir = scratch("bad_missing");
    let out = dir.join("out");
    let o = ballcam(&["run", "--input", s(&dir.join("nope.mp4")), "--out", s(&out)]);
    assert_eq!(o.status.code(), Some(2));
    assert_clean_failure(&o, "nope.mp4", &out);
}

#[test]
fn unreadable_image_fails_cleanly() {
    let dir = scratch("bad_image");
    let images = dir.join("images");
    std::fs::create_dir_all(&images).unwrap();
    let frames = render(Scenario::StraightPass, 2, 1);
    write_pngs(&images, &frames, false);
    std::fs::write(images.join("frame_0001.png"), b"this is not a png at all").unwrap();
    let out = dir.join("out");
    let o = ballcam(&["run", "--input", s(&images), "--out", s(&out)]);
    assert_clean_failure(&o, "frame_0001.png", &out);
}

#[test]
fn undecodable_video_fails_cleanly() {
    let dir = scratch("bad_video");
    let video = dir.join("garbage.mp4");
    std::fs::write(&video, vec![0x5au8; 4096]).unwrap();
    let out = dir.join("out");
    let o = ballcam(&["run", "--input", s(&video), "--out", s(&out)]);
    assert_clean_failure(&o, "garbage.mp4", &out);
}

#[test]
fn malformed_labels_fail_cleanly() {
    let dir = scratch("bad_labels");
    let frames = render(Scenario::StraightPass, 2, 1);
    write_pngs(&dir, &frames, false);
    let out = dir.join("out");

    let missing = dir.join("missing_col.csv");
    std::fs::write(
        &missing,
        "file,clip,frame_index,visible,x,y,w\nframe_0000.png,a,0,1,1,2,3\n",
    )
    .unwrap();
    let o = ballcam(&[
        "eval",
        "--labels",
        s(&missing),
        "--images",
        s(&dir),
        "--out",
        s(&out),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert_clean_failure(&o, "missing_col.csv", &out);
    assert!(stderr(&o).contains("missing column h"), "{}", stderr(&o));

    let bad = dir.join("bad_number.csv");
    std::fs::write(
        &bad,
        format!("{LABELS_HEADER}\nframe_0000.png,a,0,1,12.5,abc,4,4\n"),
    )
    .unwrap();
    let o = ballcam(&[
        "eval",
        "--labels",
        s(&bad),
        "--images",
        s(&dir),
        "--out",
        s(&out),
    ]);
    assert_clean_failure(&o, "bad_number.csv", &out);
    assert!(
        stderr(&o).contains("line 2") && stderr(&o).contains("abc"),
        "{}",
        stderr(&o)
    );

    let dense = dir.join("dense.csv");
    let o = ballcam(&[
        "label",
        "propagate",
        "--keyframes",
        s(&bad),
        "--out",
        s(&dense),
    ]);
    assert_clean_failure(&o, "bad_number.csv", &dir.join("nothing"));
    assert!(!dense.exists());
}

#[test]
fn pseudo_labels_round_trip_through_eval() {
    let dir = scratch("pseudo");
    let frames = render(Scenario::StraightPass, 8, 4);
    let y4m = dir.join("clip.y4m");
    write_y4m(&y4m, &frames);
    let labels = dir.join("labels").join("pseudo.csv");
    assert_ok(&ballcam(&[
        "label",
        "pseudo",
        "--input",
        s(&y4m),
        "--out",
        s(&labels),
    ]));
    let text = std::fs::read_to_string(&labels).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some(format!("{LABELS_HEADER},confidence").as_str())
    );
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 8);
    assert!(
        rows[0].starts_with("pseudo_frames/frame_000000.png,clip,0,"),
        "{}",
        rows[0]
    );
    assert!(dir.join("labels/pseudo_frames/frame_000007.png").is_file());
    // The exported frames and labels are valid eval input.
    let out = dir.join("out");
    assert_ok(&ballcam(&[
        "eval",
        "--labels",
        s(&labels),
        "--out",
        s(&out),
    ]));
    assert!(out.join("metrics.json").is_file());
}

#[test]
fn run_with_capture_writes_telemetry_and_a_labelling_queue() {
    // A 2 s occlusion: the track coasts 1 s, is lost, and is re-acquired when the ball shows.
    let dir = scratch("run_capture");
    let spec = ClipSpec::new(Scenario::Occluded { hidden_s: 2.0 }, W, H, FPS, 5.5, 7);
    let frames = render_spec(spec, u32::MAX);
    let y4m = dir.join("clip.y4m");
    write_y4m(&y4m, &frames);
    let (out, queue) = (dir.join("out"), dir.join("queue"));
    let o = ballcam(&[
        "run",
        "--input",
        s(&y4m),
        "--out",
        s(&out),
        "--capture",
        s(&queue),
        "--costs",
        "fixed",
    ]);
    assert_ok(&o);
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        stdout.contains("quality: no ball") && stdout.contains("capture: "),
        "{stdout}"
    );
    let t: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("telemetry.json")).unwrap())
            .unwrap();
    assert_eq!(t["frames"], frames.len());
    assert_eq!(t["schema_version"], 4);
    // The model that produced the figures: a sha256 in hex (64 digits).
    let sha = t["model_sha256"].as_str().expect("model sha256");
    assert!(
        sha.len() == 64 && sha.bytes().all(|b| b.is_ascii_hexdigit()),
        "{sha}"
    );
    // 165 frames at 30 fps: 5 one-second quality windows closed (31 frames each: 30 frames
    // span 0.967 s).
    let windows: u64 = ["good", "uncertain", "lost"]
        .iter()
        .map(|q| t[format!("quality_windows_{q}")].as_u64().unwrap())
        .sum();
    assert_eq!(windows, 5, "{t}");
    assert!(t["losses"].as_u64().unwrap() >= 1, "{t}");
    // The queue: images, labels.csv in the labels format (extra columns after), manifest.
    let labels = std::fs::read_to_string(queue.join("labels.csv")).unwrap();
    let mut lines = labels.lines();
    assert!(lines.next().unwrap().starts_with(LABELS_HEADER));
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    let reasons: Vec<&str> = rows.iter().map(|r| r[9]).collect();
    assert!(
        reasons.contains(&"before_loss") && reasons.contains(&"after_reacquire"),
        "{reasons:?}"
    );
    for r in &rows {
        let img = image::open(queue.join(r[0])).unwrap();
        assert_eq!((img.width(), img.height()), (160, 160));
        if r[3] == "1" {
            let (x, y): (f64, f64) = (r[4].parse().unwrap(), r[5].parse().unwrap());
            assert!(
                (0.0..160.0).contains(&x) && (0.0..160.0).contains(&y),
                "{r:?}"
            );
        }
    }
    assert!(rows.iter().any(|r| r[3] == "1"), "pseudo-labels: {labels}");
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(queue.join("manifest.json")).unwrap())
            .unwrap();
    assert_eq!(manifest["images"], rows.len());
    assert_eq!(manifest["model_sha256"].as_str().unwrap().len(), 64);
    // ballcam reads the queue as labels: eval runs on it.
    let eval_out = dir.join("eval");
    assert_ok(&ballcam(&[
        "eval",
        "--labels",
        s(&queue.join("labels.csv")),
        "--out",
        s(&eval_out),
    ]));
    assert!(eval_out.join("telemetry.json").is_file());
}

#[test]
fn report_writes_plots_and_flags_drift_against_a_reference() {
    let dir = scratch("report");
    let frames = render(Scenario::StraightPass, 30, 5);
    let y4m = dir.join("clip.y4m");
    write_y4m(&y4m, &frames);
    let out = dir.join("run");
    assert_ok(&ballcam(&[
        "run",
        "--input",
        s(&y4m),
        "--out",
        s(&out),
        "--costs",
        "fixed",
    ]));
    let reference = out.join("telemetry.json");
    // The same run against itself: nothing to flag.
    let rep = dir.join("same");
    let o = ballcam(&[
        "report",
        "--telemetry",
        s(&reference),
        "--reference",
        s(&reference),
        "--out",
        s(&rep),
    ]);
    assert_ok(&o);
    let md = std::fs::read_to_string(rep.join("report.md")).unwrap();
    assert!(md.contains("no flag"), "{md}");
    assert!(md.contains(", as the reference's"), "{md}");
    for plot in ["plot_telemetry.png", "plot_episodes.png"] {
        assert!(image::open(rep.join(plot)).is_ok(), "{plot}");
    }
    // The same frames as 10 s with 0.5 s without a ball (the reference), and with 9 s lost (the
    // field): the untracked time rose by 85 points, far more than the default 15.
    let edited = |lost: f64, name: &str| {
        let mut t: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&reference).unwrap()).unwrap();
        t["time_s"] = 10.0.into();
        t["lost_time_s"] = lost.into();
        t["searching_time_s"] = 0.0.into();
        // The field ran another model than the reference.
        if lost > 1.0 {
            t["model_sha256"] = "0".repeat(64).into();
        }
        let path = dir.join(name);
        std::fs::write(&path, t.to_string()).unwrap();
        path
    };
    let reference = edited(0.5, "reference.json");
    let field = edited(9.0, "field.json");
    let rep = dir.join("drift");
    let o = ballcam(&[
        "--json",
        "report",
        "--telemetry",
        s(&field),
        "--reference",
        s(&reference),
        "--out",
        s(&rep),
    ]);
    assert_ok(&o);
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(doc["drift"]["flagged"], true, "{doc}");
    let flagged: Vec<&str> = doc["drift"]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["flagged"] == true)
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(flagged, ["untracked_time"]);
    let md = std::fs::read_to_string(rep.join("report.md")).unwrap();
    assert!(md.contains(": another model"), "{md}");
    // A threshold from the config: a 95-point rise is allowed, nothing flagged.
    let cfg = dir.join("lenient.toml");
    std::fs::write(&cfg, "[monitor.drift]\nmax_untracked_rise = 0.95\n").unwrap();
    let o = ballcam(&[
        "--json",
        "report",
        "--telemetry",
        s(&field),
        "--reference",
        s(&reference),
        "--config",
        s(&cfg),
        "--out",
        s(&dir.join("lenient")),
    ]);
    assert_ok(&o);
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(doc["drift"]["flagged"], false, "{doc}");
    // A newer engine's document is refused by its version, not by its new fields.
    let newer = dir.join("newer.json");
    std::fs::write(
        &newer,
        "{\"schema_version\": 99, \"frames_seen_by_v99\": 1}",
    )
    .unwrap();
    let rep = dir.join("newer_out");
    assert_clean_failure(
        &ballcam(&["report", "--telemetry", s(&newer), "--out", s(&rep)]),
        "schema 99 is newer",
        &rep,
    );
    // A file that is not telemetry fails cleanly, naming it.
    let bad = dir.join("bad.json");
    std::fs::write(&bad, "{\"frames\": \"many\"}").unwrap();
    let rep = dir.join("bad_out");
    assert_clean_failure(
        &ballcam(&["report", "--telemetry", s(&bad), "--out", s(&rep)]),
        "bad.json",
        &rep,
    );
}

#[test]
fn eval_curves_over_the_threshold_with_the_operating_points() {
    // The ball leaves the frame for about a second: frames labelled ball-free as well.
    let dir = scratch("eval_curves");
    let frames = render(Scenario::LeavesFrame, 120, 11);
    write_pngs(&dir, &frames, true);
    let free = frames.iter().filter(|f| !f.1.visible).count();
    assert!(free >= 15, "{free} ball-free frames");
    let out = dir.join("out");
    let queue = dir.join("queue");
    let o = ballcam(&[
        "eval",
        "--labels",
        s(&dir.join("labels.csv")),
        "--out",
        s(&out),
        "--curves",
        "--capture",
        s(&queue),
    ]);
    assert_ok(&o);
    // The evaluation's hard frames as a queue too (the ball leaving the frame is a loss).
    let labels = std::fs::read_to_string(queue.join("labels.csv")).unwrap();
    assert!(labels.starts_with(LABELS_HEADER), "{labels}");
    assert!(labels.lines().count() >= 2, "{labels}");
    let c: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("curves.json")).unwrap()).unwrap();
    assert_eq!(c["frames_with_ball"], frames.len() - free);
    assert_eq!(c["ball_free_frames"], free);
    let points = c["points"].as_array().unwrap();
    assert_eq!(points.len(), 99);
    let recall: Vec<f64> = points
        .iter()
        .map(|p| p["recall"].as_f64().unwrap())
        .collect();
    assert!(recall.windows(2).all(|w| w[1] <= w[0]), "{recall:?}");
    assert!(
        recall[0] > 0.5,
        "the top peak is on the ball on an easy clip: {recall:?}"
    );
    let ops = c["operating_points"].as_array().unwrap();
    assert_eq!(ops[0]["name"], "detector.threshold");
    assert_eq!(
        ops[0]["point"]["threshold"].as_f64().unwrap(),
        0.5f32 as f64
    );
    assert!(ops[0]["point"]["false_alarms_per_free_frame"].is_number());
    assert!(image::open(out.join("plot_curves.png")).is_ok());
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(md.contains("## Detector threshold curves") && md.contains("## Multi-ball rate"));
    let m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("metrics.json")).unwrap()).unwrap();
    assert!(m["multi_ball_rate"].is_number(), "{}", m["multi_ball_rate"]);
    // One clip: its figures are the whole run's.
    let clips = m["per_clip"].as_array().unwrap();
    assert_eq!(clips.len(), 1);
    assert_eq!(clips[0]["frames"], 120);
    assert_eq!(clips[0]["recall"], m["metrics"]["detection"]["recall"]);
    assert!(image::open(out.join("plot_breakdown.png")).is_ok());
    assert!(md.contains("## Per clip"));
}

#[test]
fn a_night_capture_queue_is_reviewed_against_the_demos_truth() {
    // The loop's labelling step on a rendered night clip: the demo writes its ground truth as
    // labels rows, `label review` replaces the queue's pseudo-labels with it.
    let dir = scratch("review");
    let (out, queue) = (dir.join("night"), dir.join("queue"));
    let o = ballcam(&[
        "demo",
        "--seed",
        "62",
        "--light",
        "night",
        "--width",
        "640",
        "--height",
        "360",
        "--costs",
        "fixed",
        "--out",
        s(&out),
        "--capture",
        s(&queue),
    ]);
    assert_ok(&o);
    let truth = std::fs::read_to_string(out.join("truth.csv")).unwrap();
    assert!(truth.starts_with(LABELS_HEADER), "{truth}");
    assert_eq!(truth.lines().count(), 1 + 300, "one row per frame");
    let before = std::fs::read_to_string(queue.join("labels.csv")).unwrap();
    let images = before.lines().count() - 1;
    assert!(images >= 1, "the night clip keeps hard frames: {before}");
    let reviewed = queue.join("labels.csv");
    let o = ballcam(&[
        "--json",
        "label",
        "review",
        "--queue",
        s(&queue),
        "--frames",
        s(&out.join("truth.csv")),
        "--out",
        s(&reviewed),
    ]);
    assert_ok(&o);
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(doc["rows"], images);
    let counts = doc["counts"].as_object().unwrap();
    let total: u64 = counts.values().map(|v| v.as_u64().unwrap()).sum();
    assert_eq!(total as usize, images);
    assert_eq!(counts["unknown"], 0, "the truth covers every frame");
    let text = std::fs::read_to_string(&reviewed).unwrap();
    let header: Vec<&str> = text.lines().next().unwrap().split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        assert!(["0", "1"].contains(&f[col("visible")]), "{line}");
        if f[col("visible")] == "1" {
            // Inside the 160 px image.
            let (x, y): (f64, f64) = (f[col("x")].parse().unwrap(), f[col("y")].parse().unwrap());
            assert!(
                (0.0..160.0).contains(&x) && (0.0..160.0).contains(&y),
                "{line}"
            );
        }
        assert!(
            !f[col("review")].is_empty() && !f[col("region_side")].is_empty(),
            "{line}"
        );
    }
    // Not a queue: named.
    let o = ballcam(&[
        "label",
        "review",
        "--queue",
        s(&out),
        "--frames",
        s(&out.join("truth.csv")),
        "--out",
        s(&dir.join("x.csv")),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("manifest.json"));
}
