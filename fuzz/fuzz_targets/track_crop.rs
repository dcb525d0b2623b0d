//! Tracker, scheduler and crop planner fed arbitrary candidate sequences, timestamps (i64
//! extremes, repeats, backwards), frame sizes, aspect changes and detector costs. Checked: no
//! panic (overflow checks are on); the crop always lies inside its frame.
#![no_main]

use arbitrary::Arbitrary;
use ballcam_core::CropConfig;
use ballcam_core::testing::CropPlanner;
use ballcam_core::testing::{CostClass, Lookout, Scheduler, TrackView};
use ballcam_core::TrackerConfig;
use ballcam_core::testing::{Tracker, MAX_HYPOTHESES};
use ballcam_core::{AspectRatio, Candidate, Config, Preset};
use libfuzzer_sys::fuzz_target;

/// Most steps per input.
const MAX_STEPS: usize = 64;

#[derive(Arbitrary, Debug)]
struct Step {
    timestamp: i64,
    relative: bool,
    step_us: u32,
    width: u16,
    height: u16,
    candidates: Vec<(f32, f32, f32, f32)>,
    searched: bool,
    aspect: Option<(u16, u16)>,
    cost_us: u64,
    reset: bool,
}

#[derive(Arbitrary, Debug)]
struct Input {
    preset: u8,
    steps: Vec<Step>,
}

fuzz_target!(|input: Input| {
    let preset = Preset::ALL[usize::from(input.preset) % Preset::ALL.len()];
    let cfg = Config::preset(preset);
    let mut tracker = Tracker::new(TrackerConfig::default()).expect("tracker");
    let mut planner = CropPlanner::new(CropConfig::default()).expect("planner");
    let mut sched = Scheduler::new(cfg.schedule.clone(), cfg.detector.clone());
    let mut t = 0i64;
    let mut cands: Vec<Candidate> = Vec::with_capacity(8);
    for step in input.steps.iter().take(MAX_STEPS) {
        t = if step.relative {
            t.saturating_add(i64::from(step.step_us))
        } else {
            step.timestamp
        };
        if step.reset {
            tracker.reset();
            planner.reset();
            sched.reset();
        }
        if let Some((w, h)) = step.aspect {
            planner.set_aspect(AspectRatio::new(u32::from(w), u32::from(h)));
        }
        let (w, h) = (u32::from(step.width), u32::from(step.height));
        let mut hyps = [None; MAX_HYPOTHESES];
        tracker.hypotheses(t, &mut hyps);
        let view = match tracker.predict(t).or(hyps[0]) {
            Some(prediction) => TrackView::At {
                prediction,
                unseen_s: tracker.time_since_detection_s(t).unwrap_or(0.0),
            },
            None => TrackView::None,
        };
        let lookout = Lookout {
            rival: hyps[1],
            search: tracker.exploring(t),
        };
        if w > 0 && h > 0 {
            let d = sched.decide(w, h, view, lookout);
            for j in d.jobs() {
                sched.record(j.class, step.cost_us);
            }
        }
        sched.record(CostClass::Tile, step.cost_us);
        cands.clear();
        for &(x, y, radius, score) in step.candidates.iter().take(8) {
            cands.push(Candidate {
                x,
                y,
                radius,
                score,
            });
        }
        let ball = tracker.update(t, &cands, step.searched);
        let r = planner.update(t, w, h, ball.as_ref());
        if w > 0 && h > 0 {
            let (fw, fh) = (w as f32, h as f32);
            assert!(
                r.x >= 0.0 && r.y >= 0.0 && r.x + r.width <= fw && r.y + r.height <= fh,
                "crop {r:?} outside {w}x{h}"
            );
        }
    }
});
