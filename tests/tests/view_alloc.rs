//! Zero heap allocations per frame, once warm, in what the FFI runs around the engine for every
//! frame: the lifecycle's plan, the view transform, the crop path row and the HUD averages —
//! counted by a global allocator.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use ballcam_core::{
    BallEstimate, CropRect, DetectorMode, FrameResult, Rotation, StageTimings, TrackState,
};
use ballcam_core::{
    FrameGeometry, FrameStats, Lifecycle, PathRecorder, ScaleMode, ShellEvent, ViewSize,
};

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

/// A result as the engine gives it, with the ball and the crop moving over time.
fn result(i: i64) -> FrameResult {
    let x = 100.0 + i as f32;
    FrameResult {
        timestamp_us: 1_000_000 + i * 33_333,
        frame_width: 720,
        frame_height: 1280,
        ball: Some(BallEstimate {
            x,
            y: 600.0,
            vx: 30.0,
            vy: -5.0,
            radius: 5.0,
            confidence: 0.8,
            state: TrackState::Detected,
        }),
        state: TrackState::Detected,
        crop: CropRect {
            x: x / 2.0,
            y: 100.0,
            width: 360.0,
            height: 780.0,
        },
        mode: DetectorMode::Roi,
        detector_runs: 1,
        candidates: 1,
        budget_held: true,
        top_candidate: None,
        timings: StageTimings {
            total_us: 900,
            ..StageTimings::default()
        },
    }
}

#[test]
fn per_frame_view_work_does_not_allocate() {
    let frame = FrameGeometry {
        width: 1280,
        height: 720,
        rotation: Rotation::Deg90,
    };
    let video = FrameGeometry {
        width: 1920,
        height: 1080,
        rotation: Rotation::Deg90,
    };
    let mut lifecycle = Lifecycle::new();
    lifecycle
        .handle(ShellEvent::ViewResized {
            size: ViewSize {
                width: 1080.0,
                height: 2340.0,
            },
            mode: ScaleMode::Fit,
        })
        .expect("view");
    let mut path = PathRecorder::new(video).expect("recorder");
    let mut stats = FrameStats::new();
    let mut bytes = 0usize;
    let mut step = |i: i64| {
        let r = result(i);
        let plan = lifecycle.before_frame(frame, r.timestamp_us);
        lifecycle.frame_done(frame, r.timestamp_us);
        let view = lifecycle
            .view_transform(frame, r.crop)
            .expect("view transform");
        bytes += path.row(frame, &r).len();
        stats.add(r.timestamp_us, r.timings.total_us, 1_000);
        (plan, view.scale)
    };
    // Warm: the first frame sets the aspect, the row buffer grows to a row.
    for i in 0..3 {
        step(i);
    }
    COUNTING.store(true, Ordering::SeqCst);
    for i in 3..300 {
        let (plan, scale) = step(i);
        assert!(plan.reset.is_none() && plan.aspect.is_none() && scale >= 1.0);
    }
    COUNTING.store(false, Ordering::SeqCst);
    let allocs = ALLOCS.load(Ordering::SeqCst);
    assert!(bytes > 0);
    assert_eq!(allocs, 0, "{allocs} allocations in 297 warm frames");
}
