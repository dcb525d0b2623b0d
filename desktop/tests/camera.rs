//! `ballcam camera`: the no-camera error (exit code 3), the synthetic camera headless, and the
//! window under Xvfb when `xvfb-run` is installed.

use std::path::Path;
use std::process::{Command, Output};

/// Exit code of a missing camera (`errors::EXIT_NO_DEVICE`).
const EXIT_NO_DEVICE: i32 = 3;

fn ballcam() -> Command {
    Command::new(env!("CARGO_BIN_EXE_ballcam"))
}

fn text(out: &Output) -> String {
    format!(
        "stdout:\n{}\nstderr:\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Whether this machine has a video device (the no-camera test cannot run there).
fn has_video_device() -> bool {
    std::fs::read_dir("/dev")
        .map(|d| {
            d.flatten()
                .any(|e| e.file_name().to_string_lossy().starts_with("video"))
        })
        .unwrap_or(false)
}

#[test]
fn no_camera_is_a_clear_error_with_exit_code_3() {
    if has_video_device() {
        println!("skipped: this machine has a /dev/video* device");
        return;
    }
    let out = ballcam()
        .args(["camera", "--headless", "--frames", "5"])
        .output()
        .expect("run ballcam");
    assert_eq!(out.status.code(), Some(EXIT_NO_DEVICE), "{}", text(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("no camera found"), "{}", text(&out));
    assert!(
        stderr.contains("/dev/video"),
        "says what it looked for: {}",
        text(&out)
    );
    assert!(
        stderr.contains("ballcam run --input"),
        "says how to use a file: {}",
        text(&out)
    );

    let out = ballcam()
        .args(["camera", "--list"])
        .output()
        .expect("run ballcam");
    assert_eq!(out.status.code(), Some(EXIT_NO_DEVICE), "{}", text(&out));
}

#[test]
fn synthetic_camera_runs_headless() {
    let out = ballcam()
        .args([
            "camera",
            "--synthetic",
            "--frames",
            "30",
            "--headless",
            "--resolution",
            "640x360",
            "--fps",
            "60",
        ])
        .output()
        .expect("run ballcam");
    assert!(out.status.success(), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("30 frames") && stdout.contains("ball = any"),
        "{}",
        text(&out)
    );
}

#[test]
fn synthetic_camera_takes_the_football_model() {
    let out = ballcam()
        .args([
            "--json",
            "camera",
            "--synthetic",
            "--frames",
            "5",
            "--headless",
            "--resolution",
            "640x360",
            "--ball",
            "football",
        ])
        .output()
        .expect("run ballcam");
    assert!(out.status.success(), "{}", text(&out));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON summary");
    assert_eq!(doc["model"], "embedded model (ball = football)", "{doc}");
    let bad = ballcam()
        .args(["camera", "--synthetic", "--headless", "--ball", "cricket"])
        .output()
        .expect("run ballcam");
    assert_eq!(bad.status.code(), Some(2), "{}", text(&bad));
}

#[test]
fn synthetic_camera_window_under_xvfb() {
    let xvfb = ["/usr/bin/xvfb-run", "/usr/local/bin/xvfb-run"]
        .into_iter()
        .find(|p| Path::new(p).exists());
    let Some(xvfb) = xvfb else {
        println!("skipped: xvfb-run is not installed (apt-get install xvfb)");
        return;
    };
    let out = Command::new(xvfb)
        .args(["-a", "-s", "-screen 0 1280x720x24"])
        .arg(env!("CARGO_BIN_EXE_ballcam"))
        .args([
            "camera",
            "--synthetic",
            "--frames",
            "30",
            "--resolution",
            "640x360",
            "--fps",
            "60",
        ])
        .output()
        .expect("run xvfb-run");
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("30 frames"),
        "{}",
        text(&out)
    );
}
