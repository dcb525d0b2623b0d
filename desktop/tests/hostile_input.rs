//! The `ballcam` binary on hostile input files: media named or made to reach the network,
//! file names that look like options or spreadsheet formulas, and label files whose frame
//! numbers span the whole `u64` range. Each test failed before its fix.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// Longest a hostile run may take before it counts as stuck (a few seconds when it works).
const RUN_LIMIT: Duration = Duration::from_secs(60);
/// Address-space limit for runs that used to allocate without bound, KiB (4 GiB).
const ADDRESS_SPACE_KIB: u64 = 4 << 20;
const LABELS_HEADER: &str = "file,clip,frame_index,visible,x,y,w,h";

/// A fresh, empty scratch folder for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("ballcam-hostile")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Runs `cmd` for at most [`RUN_LIMIT`]; `None` when it had to be killed.
fn run_limited(mut cmd: Command) -> Option<Output> {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start ballcam");
    let start = Instant::now();
    while child.try_wait().expect("wait").is_none() {
        if start.elapsed() > RUN_LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Some(child.wait_with_output().expect("output"))
}

fn ballcam_in(dir: &Path, args: &[&str]) -> Option<Output> {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ballcam"));
    cmd.current_dir(dir).args(args);
    run_limited(cmd)
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn ffmpeg_installed() -> bool {
    Command::new("ffmpeg")
        .arg("-version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Whether anything connected to `listener` (a non-blocking one) since it was opened.
fn connected(listener: &TcpListener) -> bool {
    listener.accept().is_ok()
}

#[test]
fn media_files_never_make_ffmpeg_reach_the_network() {
    if !ffmpeg_installed() {
        eprintln!("ffmpeg not installed: skipped");
        return;
    }
    let dir = scratch("network");
    let listener = TcpListener::bind("127.0.0.1:0").expect("listen on loopback");
    listener.set_nonblocking(true).expect("non-blocking");
    let port = listener.local_addr().expect("address").port();
    // A local file whose name is a network address: ffprobe read `tcp:127.0.0.1:PORT` as a
    // URL and connected (then waited for an answer for ever).
    let named = format!("tcp:127.0.0.1:{port}");
    std::fs::write(dir.join(&named), b"not a video").unwrap();
    // An HLS playlist in a .mp4 naming a segment over http.
    let playlist = format!(
        "#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1,\nhttp://127.0.0.1:{port}/seg.ts\n#EXT-X-ENDLIST\n"
    );
    std::fs::write(dir.join("clip.mp4"), playlist).unwrap();
    for input in [named.as_str(), "clip.mp4"] {
        let o = ballcam_in(&dir, &["run", "--input", input, "--out", "out"]);
        assert!(!connected(&listener), "{input}: ffmpeg connected out");
        let o = o.unwrap_or_else(|| panic!("{input}: ballcam was stuck"));
        assert_eq!(o.status.code(), Some(2), "{input}: {}", stderr(&o));
        assert!(stderr(&o).contains(input), "{input}: {}", stderr(&o));
    }
}

#[test]
fn a_video_named_like_an_option_is_read_as_a_file() {
    if !ffmpeg_installed() {
        eprintln!("ffmpeg not installed: skipped");
        return;
    }
    let dir = scratch("dash");
    // ffprobe took `-clip.mp4` for an option ("Unrecognized option").
    let made = Command::new("ffmpeg")
        .current_dir(&dir)
        .args(["-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i"])
        .args([
            "testsrc=size=160x96:rate=10",
            "-t",
            "1",
            "-pix_fmt",
            "yuv420p",
        ])
        .arg("file:-clip.mp4")
        .status()
        .expect("ffmpeg");
    assert!(made.success());
    let o = ballcam_in(&dir, &["run", "--input=-clip.mp4", "--out", "out"]).expect("finished");
    assert!(o.status.success(), "{}", stderr(&o));
    let track = std::fs::read_to_string(dir.join("out/track.csv")).expect("track.csv");
    assert_eq!(track.lines().count(), 11, "header + 10 frames:\n{track}");
}

#[test]
fn propagating_labels_over_the_whole_u64_range_is_refused() {
    // Frames 0 and 2^64 - 1 in one clip: every frame between was filled, until memory ran out
    // (run here under a 4 GiB address-space limit, so that it fails instead).
    let dir = scratch("propagate");
    let keys = dir.join("keys.csv");
    std::fs::write(
        &keys,
        format!(
            "{LABELS_HEADER}\nf0.png,a,0,1,10,10,4,4\nf1.png,a,{},1,20,20,4,4\n",
            u64::MAX
        ),
    )
    .unwrap();
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg(format!(
            "ulimit -v {ADDRESS_SPACE_KIB} && exec \"$0\" label propagate --keyframes keys.csv --out dense.csv"
        ))
        .arg(env!("CARGO_BIN_EXE_ballcam"))
        .current_dir(&dir);
    let o = run_limited(cmd).expect("label propagate was stuck");
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("clip `a`") && err.contains(&u64::MAX.to_string()),
        "{err}"
    );
    assert!(!dir.join("dense.csv").exists());
}

#[test]
fn file_names_that_start_a_formula_are_written_as_text_in_track_csv() {
    // A folder of images named `=1+2.png` and so on: track.csv's `source` column held them as
    // they are, and a spreadsheet opening it ran them as formulas.
    let dir = scratch("formula");
    let images = dir.join("images");
    std::fs::create_dir_all(&images).unwrap();
    let names = ["+3.png", "-4.png", "=1+2.png", "@5.png"];
    let grey = vec![90u8; 64 * 48 * 3];
    for name in names {
        image::save_buffer(
            images.join(name),
            &grey,
            64,
            48,
            image::ExtendedColorType::Rgb8,
        )
        .unwrap();
    }
    let o = ballcam_in(&dir, &["run", "--input", s(&images), "--out", "out"]).expect("finished");
    assert!(o.status.success(), "{}", stderr(&o));
    let track = std::fs::read_to_string(dir.join("out/track.csv")).expect("track.csv");
    let sources: Vec<String> = track
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(1).unwrap_or("").to_string())
        .collect();
    let expected: Vec<String> = names.iter().map(|n| format!("'{n}")).collect();
    assert_eq!(sources, expected, "{track}");
}
