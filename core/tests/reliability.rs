//! Regression tests of defects found by reading the engine as an attacker and as a fault
//! injector would: a crop planner that panicked on start, a scheduler that one slow run blinded
//! for seconds, a model path read without bound, a memory ceiling checked after the allocation,
//! timestamp arithmetic that overflowed, and a `[crop.zoom]` variant that could not be chosen.
//! Each test failed on the code before its fix.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use ballcam_core::testing::CropPlanner;
use ballcam_core::testing::{CostClass, Lookout, Scheduler, TrackView};
use ballcam_core::testing::{Prediction, Tracker};
use ballcam_core::testing::{MAX_DEBT_BUDGETS, MAX_RUN_COST_BUDGETS};
use ballcam_core::TrackerConfig;
use ballcam_core::{
    AspectRatio, BallEstimate, Candidate, Config, CropRect, Engine, Error, ModelError, Preset,
    TrackState,
};
use ballcam_core::{CropConfig, ZoomMode};
use ballcam_core::{InputSize, MAX_MODEL_FILE_BYTES};

// ---------------------------------------------------------------------------------------------
// Peak heap, for the memory-ceiling test.

// Counted per thread: the other tests of this binary run on their own threads at the same time
// and must not inflate the measuring test's peak. Allocations only are counted (a block freed on
// another thread is not subtracted here), which can only make the measured peak larger.
thread_local! {
    /// Bytes this thread allocated since `peak_growth` started, and the most at any moment.
    static CURRENT: Cell<isize> = const { Cell::new(0) };
    static PEAK: Cell<isize> = const { Cell::new(0) };
    static TRACKING: Cell<bool> = const { Cell::new(false) };
}

struct PeakAlloc;

impl PeakAlloc {
    fn grow(size: usize) {
        // `try_with`: the allocator runs during thread teardown too, after the locals are gone.
        let _ = TRACKING.try_with(|t| {
            if t.get() {
                let now = CURRENT.with(|c| {
                    let now = c.get().saturating_add(size as isize);
                    c.set(now);
                    now
                });
                PEAK.with(|p| p.set(p.get().max(now)));
            }
        });
    }
    fn shrink(size: usize) {
        let _ = TRACKING.try_with(|t| {
            if t.get() {
                CURRENT.with(|c| c.set(c.get().saturating_sub(size as isize)));
            }
        });
    }
}

// SAFETY: every call is forwarded unchanged to `System`; the counters are thread-local cells
// with constant initialisers (no allocation inside the allocator).
unsafe impl GlobalAlloc for PeakAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        Self::grow(layout.size());
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        Self::grow(layout.size());
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        Self::shrink(layout.size());
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        Self::shrink(layout.size());
        Self::grow(new_size);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: PeakAlloc = PeakAlloc;

/// Bytes this thread allocated above its starting level, at the most, while `f` ran.
fn peak_growth<R>(f: impl FnOnce() -> R) -> (R, usize) {
    CURRENT.with(|c| c.set(0));
    PEAK.with(|p| p.set(0));
    TRACKING.with(|t| t.set(true));
    let r = f();
    TRACKING.with(|t| t.set(false));
    (r, PEAK.with(|p| p.get()).max(0) as usize)
}

// ---------------------------------------------------------------------------------------------
// 1. Crop planner start.

fn ball_at(x: f32, y: f32) -> BallEstimate {
    BallEstimate {
        x,
        y,
        vx: 0.0,
        vy: 0.0,
        radius: 6.0,
        confidence: 0.9,
        state: TrackState::Detected,
    }
}

fn planner(aspect: AspectRatio) -> CropPlanner {
    CropPlanner::new(CropConfig {
        aspect,
        ..CropConfig::default()
    })
    .expect("valid aspect")
}

fn assert_inside(r: &CropRect, w: u32, h: u32, what: &str) {
    let (fw, fh) = (w as f32, h as f32);
    assert!(
        r.x >= 0.0 && r.y >= 0.0 && r.x + r.width <= fw && r.y + r.height <= fh,
        "{what}: {r:?} outside {w}x{h}"
    );
    assert!(r.width > 0.0 && r.height > 0.0, "{what}: empty {r:?}");
}

#[test]
fn crop_planner_starts_on_a_ball_when_the_crop_is_as_tall_as_the_frame() {
    // 5:9 on 640x480: the widest crop is 480 / (9/5) = 266.67 px wide, and its half height
    // 0.5 * 266.67 * 1.8 rounds to 240.00000000000003 > 480 - that = 239.99999999999997: the
    // old clamp(min, max) panicked ("min > max"). Same for 9:21 and 3:7 on 352-high frames and
    // the iOS view's 393:852 on 1080x1440 and 1280x720.
    for (aspect, w, h) in [
        ((5, 9), 640, 480),
        ((9, 21), 640, 352),
        ((3, 7), 480, 352),
        ((393, 852), 1080, 1440),
        ((393, 852), 1280, 720),
    ] {
        let aspect = AspectRatio::new(aspect.0, aspect.1);
        let mut p = planner(aspect);
        let ball = ball_at(w as f32 / 2.0, h as f32 / 2.0);
        let r = p.update(0, w, h, Some(&ball));
        assert_inside(&r, w, h, &format!("{aspect} on {w}x{h}"));
    }
}

/// Camera sizes the shells ask for (CameraX's 1280x720 target and its fallbacks, AVFoundation's
/// hd1280x720), upright and rotated, plus odd, tiny and largest sizes.
const FRAME_SIZES: [(u32, u32); 22] = [
    (1280, 720),
    (720, 1280),
    (1920, 1080),
    (1080, 1920),
    (1440, 1080),
    (1080, 1440),
    (960, 720),
    (720, 960),
    (640, 480),
    (480, 640),
    (640, 352),
    (352, 288),
    (176, 144),
    (3840, 2160),
    (2160, 3840),
    (8192, 8192),
    (8192, 2),
    (2, 8192),
    (1, 1),
    (3, 7),
    (1279, 719),
    (641, 353),
];

/// Aspect ratios to sweep: every pair of terms up to 24, the extremes of the accepted range
/// (terms up to 10000, ratio up to 10:1) and pseudo-random pairs over 1..=10000.
fn aspects() -> Vec<AspectRatio> {
    let mut out = Vec::new();
    for w in 1..=24 {
        for h in 1..=24 {
            out.push(AspectRatio::new(w, h));
        }
    }
    for (w, h) in [
        (1, 10),
        (10, 1),
        (1000, 10000),
        (10000, 1000),
        (9999, 10000),
        (10000, 9999),
        (10000, 1),
        (1, 10000),
        (393, 852),
        (852, 393),
        (5, 9),
        (9, 21),
        (3, 7),
    ] {
        out.push(AspectRatio::new(w, h));
    }
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    for _ in 0..1500 {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let w = (state % 10_000) as u32 + 1;
        let h = ((state >> 32) % 10_000) as u32 + 1;
        out.push(AspectRatio::new(w, h));
    }
    // Only aspects the config accepts reach the planner (others are refused with an error).
    out.retain(|a| a.to_string().parse::<AspectRatio>().is_ok());
    out
}

#[test]
fn crop_planner_start_sweep_over_aspects_and_frame_sizes() {
    let aspects = aspects();
    assert!(aspects.len() > 1000, "{} aspects", aspects.len());
    let mut cases = 0;
    for &aspect in &aspects {
        for &(w, h) in &FRAME_SIZES {
            let (fw, fh) = (w as f32, h as f32);
            let balls = [
                None,
                Some(ball_at(fw / 2.0, fh / 2.0)),
                Some(ball_at(0.0, 0.0)),
                Some(ball_at(fw, fh)),
                Some(ball_at(fw, 0.0)),
                Some(ball_at(fw / 3.0, fh)),
            ];
            for ball in balls {
                let mut p = planner(aspect);
                let what = format!("{aspect} on {w}x{h}, ball {ball:?}");
                let r = p.update(1_000, w, h, ball.as_ref());
                assert_inside(&r, w, h, &what);
                let r = p.update(34_333, w, h, ball.as_ref());
                assert_inside(&r, w, h, &what);
                cases += 1;
            }
        }
    }
    assert!(cases > 100_000, "{cases} cases");
}

#[test]
fn crop_planner_restarts_on_a_held_ball_after_a_rotation() {
    // The engine's path to the panic: a ball held, then the upright size changes (rotation).
    let aspect = AspectRatio::new(5, 9);
    let mut p = planner(aspect);
    let mut t = 0;
    for _ in 0..30 {
        t += 33_333;
        p.update(t, 480, 640, Some(&ball_at(240.0, 320.0)));
    }
    t += 33_333;
    let r = p.update(t, 640, 480, Some(&ball_at(320.0, 240.0)));
    assert_inside(&r, 640, 480, "after the rotation");
}

// ---------------------------------------------------------------------------------------------
// 2. Scheduler after a stall.

fn confident_track() -> TrackView {
    TrackView::At {
        prediction: Prediction {
            x: 900.0,
            y: 500.0,
            vx: 0.0,
            vy: 0.0,
            sigma_x: 2.0,
            sigma_y: 2.0,
            radius: 6.0,
        },
        unseen_s: 0.0,
    }
}

#[test]
fn one_stalled_run_does_not_blind_the_detector() {
    // phone-30fps: 8 ms budget, runs cost 1 ms. One run measured at 5 s (the process frozen
    // mid-inference): the old credit fell to -4.99 s and paid back 8 ms a frame, ~620 frames
    // (20 s at 30 fps) without a detector run. Now the run counts as at most
    // MAX_RUN_COST_BUDGETS budgets (32 ms) and the debt at most MAX_DEBT_BUDGETS (16 ms): the
    // credit is back above zero two frames later and the planned cost affordable soon after.
    let c = Config::preset(Preset::Phone30Fps);
    let budget = c.schedule.budget_us as f64;
    let mut s = Scheduler::new(c.schedule, c.detector);
    for _ in 0..30 {
        let d = s.decide(1920, 1080, confident_track(), Lookout::default());
        for j in d.jobs() {
            s.record(j.class, 1_000);
        }
    }
    let d = s.decide(1920, 1080, confident_track(), Lookout::default());
    let class = d.jobs().next().expect("a job before the stall").class;
    s.record(class, 5_000_000);
    assert!(
        s.credit_us() >= -budget * MAX_DEBT_BUDGETS,
        "{}",
        s.credit_us()
    );
    assert!(
        s.cost_estimate(class).unwrap() <= budget * MAX_RUN_COST_BUDGETS,
        "{:?}",
        s.cost_estimate(class)
    );
    let mut skipped = 0;
    loop {
        let d = s.decide(1920, 1080, confident_track(), Lookout::default());
        if d.jobs().next().is_some() {
            break;
        }
        skipped += 1;
        assert!(
            skipped <= 5,
            "no detector run {skipped} frames after a stall"
        );
    }
    // ... and the stalled class itself runs again within a few frames.
    let mut frames = 0;
    loop {
        let d = s.decide(1920, 1080, confident_track(), Lookout::default());
        if d.jobs().any(|j| j.class == class) {
            break;
        }
        for j in d.jobs() {
            s.record(j.class, 1_000);
        }
        frames += 1;
        assert!(frames <= 10, "{class:?} not run again {frames} frames on");
    }
}

#[test]
fn cost_records_at_the_extremes_keep_the_schedule_finite() {
    let c = Config::preset(Preset::Phone60Fps);
    let mut s = Scheduler::new(c.schedule, c.detector);
    for cost in [u64::MAX, 0, u64::MAX, 1] {
        for class in CostClass::ALL {
            s.record(class, cost);
        }
        let d = s.decide(1280, 720, TrackView::None, Lookout::default());
        assert!(s.credit_us().is_finite());
        for class in CostClass::ALL {
            assert!(s.planned_cost(class).is_finite());
        }
        let _ = d.estimated_us;
    }
}

// ---------------------------------------------------------------------------------------------
// 3. Model files.

fn model_error(path: &std::path::Path) -> ModelError {
    let config = Config {
        model_path: Some(path.to_path_buf()),
        ..Config::preset(Preset::Phone30Fps)
    };
    match Engine::new(config) {
        Err(Error::Model(e)) => e,
        other => panic!("{}: expected a model error, got {other:?}", path.display()),
    }
}

fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("ballcam-reliability")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch folder");
    dir
}

#[test]
fn a_model_path_that_is_no_regular_file_is_refused_before_reading() {
    // /dev/zero was read until the process was killed; a FIFO blocked the open for ever.
    let e = model_error(std::path::Path::new("/dev/zero"));
    assert!(matches!(e, ModelError::NotAFile { .. }), "{e}");
    assert!(e.to_string().contains("/dev/zero"), "{e}");
    let dir = scratch("model-paths");
    let e = model_error(&dir);
    assert!(matches!(e, ModelError::NotAFile { .. }), "{e}");
    let fifo = dir.join("model.fifo");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .is_ok_and(|s| s.success());
    if made {
        let e = model_error(&fifo);
        assert!(matches!(e, ModelError::NotAFile { .. }), "{e}");
    }
    // A symbolic link is followed to what it names.
    let link = dir.join("zero.onnx");
    std::os::unix::fs::symlink("/dev/zero", &link).expect("symlink");
    let e = model_error(&link);
    assert!(matches!(e, ModelError::NotAFile { .. }), "{e}");
}

#[test]
fn an_oversized_model_file_is_refused_before_reading() {
    // A sparse file one byte over the limit costs no disk; it used to be read whole (64 MiB)
    // and then failed to parse.
    let path = scratch("model-size").join("huge.onnx");
    let f = std::fs::File::create(&path).expect("create");
    f.set_len(MAX_MODEL_FILE_BYTES + 1).expect("sparse file");
    drop(f);
    let (e, grown) = peak_growth(|| model_error(&path));
    match e {
        ModelError::FileTooLarge { bytes, max, .. } => {
            assert_eq!(
                (bytes, max),
                (MAX_MODEL_FILE_BYTES + 1, MAX_MODEL_FILE_BYTES)
            )
        }
        other => panic!("expected FileTooLarge, got {other}"),
    }
    assert!(grown < (1 << 20), "{grown} bytes allocated to refuse it");
}

// ---------------------------------------------------------------------------------------------
// 4. Memory ceiling.

#[test]
fn the_memory_ceiling_is_checked_before_anything_is_loaded() {
    // phone-30fps (64 MiB ceiling) with 4096x4096 detector inputs: each input tensor is
    // 3 * 4096 * 4096 * 4 bytes = 192 MiB. The old engine prepared the model and allocated
    // ~800 MB of tensors before it returned the ceiling error.
    let side = InputSize::new(4096, 4096);
    let mut c = Config::preset(Preset::Phone30Fps);
    c.detector.full_input = side;
    c.detector.roi_input = side;
    c.detector.tile_input = side;
    let (result, grown) = peak_growth(|| Engine::new(c));
    match result {
        Err(Error::Config(e)) => {
            assert_eq!(e.field, "memory_ceiling_mb");
            assert!(e.message.contains("4096x4096"), "{e}");
        }
        other => panic!("expected the ceiling error, got {other:?}"),
    }
    assert!(
        grown < 32 << 20,
        "{grown} bytes allocated before the refusal"
    );
}

// ---------------------------------------------------------------------------------------------
// 5. Timestamp extremes.

#[test]
fn timestamps_at_the_i64_extremes_do_not_overflow() {
    // now - prev with prev = i64::MIN and now = i64::MAX is 2^64 - 1: it wrapped in release
    // and panicked with overflow checks (the core's unit tests run once with them in CI).
    let mut tracker = Tracker::new(TrackerConfig::default()).expect("tracker");
    let cand = [Candidate {
        x: 100.0,
        y: 100.0,
        radius: 5.0,
        score: 0.9,
    }];
    let mut planner = CropPlanner::new(CropConfig::default()).expect("planner");
    for t in [i64::MIN, i64::MAX, i64::MIN, 0, i64::MAX - 1, i64::MAX] {
        let ball = tracker.update(t, &cand, true);
        let _ = tracker.predict(t);
        let _ = tracker.time_since_detection_s(t);
        let r = planner.update(t, 1280, 720, ball.as_ref());
        assert_inside(&r, 1280, 720, &format!("t {t}"));
    }
}

// ---------------------------------------------------------------------------------------------
// 7. Config merge of a tagged table.

#[test]
fn fixed_zoom_can_be_chosen_from_toml_and_json() {
    // The presets' zoom is `speed`: the old merge kept its min/max/full_speed fields next to
    // `mode = "fixed"`, and the fixed variant refused them as unknown fields.
    let c = Config::from_toml_str("[crop.zoom]\nmode = \"fixed\"\nwidth_fraction = 0.5\n")
        .expect("fixed zoom from TOML");
    assert_eq!(
        c.crop.zoom,
        ZoomMode::Fixed {
            width_fraction: 0.5
        }
    );
    let c = Config::from_json_str(
        r#"{"preset": "phone-30fps", "crop": {"zoom": {"mode": "fixed", "width_fraction": 0.7}}}"#,
    )
    .expect("fixed zoom from JSON");
    assert_eq!(
        c.crop.zoom,
        ZoomMode::Fixed {
            width_fraction: 0.7
        }
    );
    // The same variant still merges field by field.
    let c = Config::from_toml_str("[crop.zoom]\nfull_speed = 2.0\n").expect("speed override");
    assert!(matches!(c.crop.zoom, ZoomMode::Speed { full_speed, .. } if full_speed == 2.0));
    // A fixed zoom without its width names the missing field.
    let e = Config::from_toml_str("[crop.zoom]\nmode = \"fixed\"\n").unwrap_err();
    assert!(e.message.contains("width_fraction"), "{e}");
}
