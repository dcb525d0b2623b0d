//! The FFI object hammered from several threads for a bounded number of rounds, as a camera app
//! uses it: a camera thread pushing frames, a UI thread changing the aspect and the config, a
//! telemetry reader, and a log sink that calls back into the engine. Checked: every result is
//! consistent (inside its frame, with one of the aspects set), the telemetry never runs
//! backwards within one config, and nothing deadlocks (a watchdog fails the test instead).

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{mpsc, Arc};
use std::time::Duration;

use ballcam_ffi::{set_log_sink, BallcamEngine, ColorRange, LogLevel, LogSink, Preset};
use ballcam_sim::{ClipSpec, Nv21Feed, Scenario};

const W: u32 = 320;
const H: u32 = 240;
/// Frames the camera thread pushes.
const CAMERA_FRAMES: u32 = 400;
/// Rounds of the UI thread (aspect changes; a config change every `CONFIG_EVERY`).
const UI_ROUNDS: u32 = 60;
const CONFIG_EVERY: u32 = 20;
/// The aspects the UI thread sets.
const ASPECTS: [(u32, u32); 3] = [(16, 9), (9, 16), (393, 852)];
/// Longest the whole hammer may take before it counts as a deadlock (seconds when it works).
const WATCHDOG: Duration = Duration::from_secs(300);

fn frames(n: u32) -> Vec<Vec<u8>> {
    let spec = ClipSpec::new(
        Scenario::StraightPass,
        W,
        H,
        30.0,
        f64::from(n) / 30.0 + 1.0,
        5,
    );
    let mut feed = Nv21Feed::new(spec).expect("clip");
    (0..n)
        .map(|i| feed.render(i).expect("render").1.to_vec())
        .collect()
}

/// Reads the telemetry from inside the log sink (the engine must not hold its lock while it
/// logs).
struct ReadsBack {
    engine: Arc<BallcamEngine>,
    calls: Arc<AtomicU64>,
}

impl LogSink for ReadsBack {
    fn log(&self, _level: LogLevel, _target: String, _message: String) {
        let _ = self.engine.telemetry();
        self.calls.fetch_add(1, Ordering::Relaxed);
    }
}

#[test]
fn camera_ui_and_telemetry_threads_on_one_engine() {
    let frames = Arc::new(frames(40));
    let engine = BallcamEngine::new(Preset::Phone30Fps).expect("engine");
    let sink_calls = Arc::new(AtomicU64::new(0));
    set_log_sink(
        Box::new(ReadsBack {
            engine: Arc::clone(&engine),
            calls: Arc::clone(&sink_calls),
        }),
        LogLevel::Info,
    )
    .expect("sink");
    let done = Arc::new(AtomicBool::new(false));
    let (tx, rx) = mpsc::channel::<&'static str>();

    let camera = {
        let (engine, frames, tx) = (Arc::clone(&engine), Arc::clone(&frames), tx.clone());
        std::thread::spawn(move || {
            let mut ok = 0u32;
            for i in 0..CAMERA_FRAMES {
                let t = i64::from(i + 1) * 33_333;
                let rotation = if (i / 100) % 2 == 0 { 0 } else { 90 };
                let r = engine
                    .push_nv21(
                        &frames[(i as usize) % frames.len()],
                        W,
                        H,
                        ColorRange::Limited,
                        rotation,
                        t,
                    )
                    .expect("a good frame");
                let (fw, fh) = (f64::from(r.frame_width), f64::from(r.frame_height));
                let c = r.crop;
                assert!(
                    c.x >= -1e-3
                        && c.y >= -1e-3
                        && c.x + c.width <= fw + 1e-3
                        && c.y + c.height <= fh + 1e-3,
                    "frame {i}: {c:?} outside {fw}x{fh}"
                );
                let ratio = c.width / c.height;
                assert!(
                    ASPECTS
                        .iter()
                        .any(|&(w, h)| (ratio - f64::from(w) / f64::from(h)).abs() < 0.02),
                    "frame {i}: crop ratio {ratio} is none of the aspects set"
                );
                ok += 1;
            }
            let _ = tx.send("camera");
            ok
        })
    };
    let ui = {
        let (engine, tx) = (Arc::clone(&engine), tx.clone());
        std::thread::spawn(move || {
            for round in 0..UI_ROUNDS {
                let (w, h) = ASPECTS[(round as usize) % ASPECTS.len()];
                engine.set_aspect(w, h).expect("aspect");
                if round % CONFIG_EVERY == CONFIG_EVERY - 1 {
                    engine
                        .set_config_toml("preset = \"phone-30fps\"\n".into())
                        .expect("config");
                }
                std::thread::sleep(Duration::from_millis(5));
            }
            let _ = tx.send("ui");
        })
    };
    let reader = {
        let (engine, done, tx) = (Arc::clone(&engine), Arc::clone(&done), tx.clone());
        std::thread::spawn(move || {
            let mut reads = 0u64;
            let mut last = 0u64;
            let mut restarts = 0u64;
            while !done.load(Ordering::SeqCst) {
                let tm = engine.telemetry();
                // A config change starts the counters over; otherwise they only grow.
                if tm.frames < last {
                    restarts += 1;
                }
                last = tm.frames;
                assert!(tm.frames_detected + tm.frames_predicted + tm.frames_lost == tm.frames);
                assert!(engine.heap_bytes() > 0);
                if reads.is_multiple_of(50) {
                    assert!(engine.config_toml().expect("toml").contains("phone-30fps"));
                }
                reads += 1;
            }
            let _ = tx.send("reader");
            (reads, restarts)
        })
    };
    drop(tx);
    for _ in 0..2 {
        let who = rx
            .recv_timeout(WATCHDOG)
            .expect("deadlock: the camera or UI thread did not finish");
        assert!(who == "camera" || who == "ui");
    }
    done.store(true, Ordering::SeqCst);
    rx.recv_timeout(WATCHDOG)
        .expect("deadlock: the telemetry reader did not finish");
    let pushed = camera.join().expect("camera thread");
    ui.join().expect("ui thread");
    let (reads, restarts) = reader.join().expect("reader thread");
    ballcam_ffi::clear_log_sink();
    assert_eq!(pushed, CAMERA_FRAMES);
    assert!(reads > 0);
    assert!(
        restarts <= u64::from(UI_ROUNDS / CONFIG_EVERY),
        "{restarts} restarts"
    );
    assert!(
        sink_calls.load(Ordering::Relaxed) > 0,
        "the sink saw the config changes"
    );
}
