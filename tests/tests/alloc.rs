//! Zero heap allocations per frame, once warm, in conversion, decoding, tracking, planning,
//! scheduling and monitoring (telemetry, quality indicator, hard-case capture) — counted by a global allocator. What tract's own run allocates is measured and
//! printed (it is tract's business; we keep it from growing).

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use ballcam_core::testing::CropPlanner;
use ballcam_core::testing::Monitor;
use ballcam_core::testing::Tracker;
use ballcam_core::testing::{decode_heatmap, Grid};
use ballcam_core::testing::{Converter, Region, TensorMapping};
use ballcam_core::testing::{CostClass, Lookout, Scheduler, TrackView};
use ballcam_core::Candidate;
use ballcam_core::ColorRange;
use ballcam_core::CropConfig;
use ballcam_core::CropRect;
use ballcam_core::DetectorMode;
use ballcam_core::MonitorConfig;
use ballcam_core::{BallEstimate, TrackerConfig};
use ballcam_core::{Config, Engine, Frame, FrameResult, Rotation, StageTimings, TrackState};

struct Counting;

static COUNTING: AtomicBool = AtomicBool::new(false);
static ALLOCS: AtomicU64 = AtomicU64::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if COUNTING.load(Ordering::Relaxed) {
            ALLOCS.fetch_add(1, Ordering::Relaxed);
        }
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if COUNTING.load(Ordering::Relaxed) {
            ALLOCS.fetch_add(1, Ordering::Relaxed);
        }
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Serialises the tests of this file: the counter is global.
static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn count<R>(f: impl FnOnce() -> R) -> (R, u64) {
    ALLOCS.store(0, Ordering::SeqCst);
    COUNTING.store(true, Ordering::SeqCst);
    let r = f();
    COUNTING.store(false, Ordering::SeqCst);
    (r, ALLOCS.load(Ordering::SeqCst))
}

const W: u32 = 1920;
const H: u32 = 1080;

fn nv21_frame() -> Vec<u8> {
    let mut rgb = vec![0u8; (W * H * 3) as usize];
    for (i, px) in rgb.chunks_exact_mut(3).enumerate() {
        px[0] = (i % 251) as u8;
        px[1] = (i % 241) as u8;
        px[2] = (i % 239) as u8;
    }
    let mut nv21 = vec![0u8; (W * H * 3 / 2) as usize];
    ballcam_sim::nv21_from_rgb(&rgb, W, H, &mut nv21).expect("encode");
    nv21
}

#[test]
fn conversion_decoding_tracking_planning_do_not_allocate_when_warm() {
    let _g = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let nv21 = nv21_frame();
    let mut conv = Converter::new(W, H, ColorRange::Limited);
    let mut roi = vec![0f32; 3 * 192 * 192];
    let mut full = vec![0f32; 3 * 512 * 288];
    let mut tracker = Tracker::new(TrackerConfig::default()).unwrap();
    let mut planner = CropPlanner::new(CropConfig::default()).unwrap();
    let cfg = Config::default();
    let mut sched = Scheduler::new(cfg.schedule.clone(), cfg.detector.clone());
    let heat = vec![-5.0f32; 4 * 48 * 48];
    let mut cands: Vec<Candidate> = Vec::with_capacity(8);
    let map = TensorMapping {
        origin_x: 100.0,
        origin_y: 100.0,
        scale_x: 1.0,
        scale_y: 1.0,
    };

    let mut frame_work = |i: i64| {
        let t = i * 33_333;
        let frame = Frame::nv21(&nv21, W, H, Rotation::Deg90, t);
        let region = Region {
            x: 300 + (i as i32 % 50),
            y: 200,
            width: 192,
            height: 192,
        };
        conv.tensor_from_region(&frame, region, &mut roi, 192, 192)
            .expect("roi");
        conv.tensor_from_frame(&frame, &mut full, 512, 288)
            .expect("full");
        cands.clear();
        decode_heatmap(
            &heat,
            Grid {
                width: 48,
                height: 48,
            },
            0.5,
            &map,
            (1e4, 1e4),
            &mut cands,
        )
        .expect("decode");
        cands.push(Candidate {
            x: 500.0 + i as f32 * 5.0,
            y: 400.0,
            radius: 6.0,
            score: 0.9,
        });
        let view = match tracker.predict(t) {
            Some(prediction) => TrackView::At {
                prediction,
                unseen_s: 0.0,
            },
            None => TrackView::None,
        };
        let d = sched.decide(1080, 1920, view, Lookout::default());
        for j in d.jobs() {
            sched.record(j.class, 1_000);
        }
        sched.record(CostClass::Roi, 1_000);
        let ball = tracker.update(t, &cands, true);
        planner.update(t, 1080, 1920, ball.as_ref());
    };
    for i in 0..30 {
        frame_work(i);
    }
    let (_, n) = count(|| {
        for i in 30..130 {
            frame_work(i);
        }
    });
    println!(
        "allocations in 100 warm frames of conversion+decoding+tracking+planning+scheduling: {n}"
    );
    assert_eq!(n, 0, "{n} allocations in 100 warm frames");
}

#[test]
fn whole_engine_allocations_per_frame_are_measured() {
    let _g = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let nv21 = nv21_frame();
    let mut engine = Engine::new(Config::default()).expect("engine");
    for i in 0..20 {
        engine
            .process(&Frame::nv21(&nv21, W, H, Rotation::Deg0, i * 33_333))
            .expect("frame");
    }
    let frames = 50;
    let (_, n) = count(|| {
        for i in 20..20 + frames {
            engine
                .process(&Frame::nv21(&nv21, W, H, Rotation::Deg0, i * 33_333))
                .expect("frame");
        }
    });
    let per_frame = n as f64 / frames as f64;
    println!("whole engine (tract run included): {per_frame:.1} allocations per frame");
    // tract allocates its intermediate tensors per run; the engine adds none. Keep it bounded so
    // that a regression (say, a plan rebuilt per frame) shows.
    assert!(per_frame < 2_000.0, "{per_frame} allocations per frame");
}

/// Frames of one cycle of [`monitored_frame`].
const CYCLE: i64 = 150;

/// The engine's result for frame `i` of a 150-frame (5 s) cycle: detected, with weak detections
/// at phases 80 and 85 and a second ball at 88, then 20 frames coasting, then lost until the
/// cycle ends; the next cycle re-acquires. Each cycle is one failure episode (2.7 s of good
/// frames part them). Returns the result and its candidates.
fn monitored_frame(i: i64) -> (FrameResult, [Candidate; 2]) {
    let phase = i % CYCLE;
    let state = match phase {
        0..90 => TrackState::Detected,
        90..110 => TrackState::Predicted,
        _ => TrackState::Lost,
    };
    let (x, y) = (400.0 + (phase as f32) * 4.0, 500.0);
    let score = if phase == 80 || phase == 85 { 0.4 } else { 0.9 };
    let ball = (state != TrackState::Lost).then_some(BallEstimate {
        x,
        y,
        vx: 120.0,
        vy: 0.0,
        radius: 8.0,
        confidence: score,
        state,
    });
    let second = if phase == 88 { 0.8 } else { 0.1 };
    let cands = [
        Candidate {
            x,
            y,
            radius: 8.0,
            score: if state == TrackState::Detected {
                score
            } else {
                0.1
            },
        },
        Candidate {
            x: x + 200.0,
            y,
            radius: 8.0,
            score: second,
        },
    ];
    let r = FrameResult {
        timestamp_us: i * 33_333,
        frame_width: W,
        frame_height: H,
        ball,
        state,
        crop: CropRect {
            x: x - 320.0,
            y: y - 180.0,
            width: 640.0,
            height: 360.0,
        },
        mode: DetectorMode::Roi,
        detector_runs: 1,
        candidates: 2,
        budget_held: phase != 50,
        top_candidate: Some(cands[0]),
        timings: StageTimings::default(),
    };
    (r, cands)
}

#[test]
fn the_monitor_does_not_allocate_when_warm_even_while_capturing() {
    let _g = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let nv21 = nv21_frame();
    let mut config = MonitorConfig::default();
    config.capture.enabled = true;
    let mut monitor = Monitor::new(&config).expect("monitor");
    let mut conv = Converter::new(W, H, ColorRange::Limited);
    let mut observe = |monitor: &mut Monitor, i: i64| {
        let (r, cands) = monitored_frame(i);
        let frame = Frame::nv21(&nv21, W, H, Rotation::Deg0, r.timestamp_us);
        monitor.observe(&frame, &r, &cands, &mut conv);
    };
    for i in 0..2 * CYCLE {
        observe(&mut monitor, i);
    }
    let before = monitor.capture().expect("capture on").stats();
    let (_, n) = count(|| {
        for i in 2 * CYCLE..8 * CYCLE {
            observe(&mut monitor, i);
        }
    });
    let after = monitor.capture().expect("capture on").stats();
    println!("monitor with capture, 6 warm cycles: {n} allocations; ring {after:?}");
    assert_eq!(n, 0, "{n} allocations in {} warm frames", 6 * CYCLE);
    // Each counted cycle is an episode and takes frames (weak, two balls, before the loss,
    // after the re-acquisition).
    assert_eq!(after.episodes - before.episodes, 6, "{after:?}");
    assert!(
        after.captured - before.captured >= 18,
        "{before:?} {after:?}"
    );
    let t = monitor.telemetry();
    assert_eq!(t.losses, 8);
    // 1200 frames at 30 fps; a one-second quality window closes on its 31st frame (30 frames
    // span 0.99999 s): 1200 / 31 = 38 windows closed.
    let windows = t.quality_windows_good + t.quality_windows_uncertain + t.quality_windows_lost;
    assert_eq!(windows, 38, "{t:?}");
    assert!(
        t.quality_windows_good > 0 && t.quality_windows_lost > 0,
        "{t:?}"
    );
}
