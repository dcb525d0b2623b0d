//! End-to-end scenarios: rendered clips with known ground truth through the whole engine.
//!
//! Each clip (ballcam-sim, deterministic from its seed) is encoded to NV21 as a phone camera
//! hands it over and pushed through `Engine::process` with the shipped model. The scheduler is
//! given a fixed cost model so that the schedule, and so the result, does not depend on how
//! busy the test machine is. Assertions follow the core issue: the ball inside the crop in at
//! least 99% of the frames where it is visible, at most one ball reported (and it is the real
//! ball, not the decoy), re-acquisition within 0.3 s after an occlusion and after the ball
//! comes back into the frame, the crop inside the frame always, and the crop's acceleration
//! never above the configured limit.

use std::ops::ControlFlow;

use ballcam_core::testing::CostClass;
use ballcam_core::testing::CostModel;
use ballcam_core::InputSize;
use ballcam_core::{Config, Engine, FrameResult, TrackState};
use ballcam_sim::{ClipSpec, GroundTruth, Scenario};

#[path = "common/clips.rs"]
mod clips;

const WIDTH: u32 = 1280;
const HEIGHT: u32 = 720;
/// Required share of visible frames with the ball inside the crop.
const MIN_BALL_IN_CROP: f64 = 0.99;
/// Re-acquisition deadline after an occlusion ends, seconds.
const REACQUIRE_S: f64 = 0.3;
/// Tolerance on the acceleration check (float rounding of the crop position), pixels.
const ACCEL_EPS_PX: f64 = 0.05;
/// Environment variable naming a candidate ONNX model to run the scenarios with instead of the
/// embedded one (`BALLCAM_SCENARIO_MODEL=models/train/runs/slim2.onnx cargo test ...`).
const CANDIDATE_MODEL_VAR: &str = "BALLCAM_SCENARIO_MODEL";
/// Environment variable that prints every frame's result (`BALLCAM_DUMP=1 cargo test ...
/// -- --nocapture`).
const DUMP_VAR: &str = "BALLCAM_DUMP";

struct Run {
    truth: Vec<GroundTruth>,
    results: Vec<FrameResult>,
    config: Config,
}

fn run_clip(scenario: Scenario, fps: f64, duration_s: f64, seed: u64) -> Run {
    run_clip_with_costs(scenario, fps, duration_s, seed, clips::fixed_costs())
}

fn run_clip_with_costs(
    scenario: Scenario,
    fps: f64,
    duration_s: f64,
    seed: u64,
    costs: CostModel,
) -> Run {
    let spec = ClipSpec::new(scenario, WIDTH, HEIGHT, fps, duration_s, seed);
    let mut config = Config::default();
    // A candidate model can be put through the suite before it replaces the shipped one.
    if let Some(path) = std::env::var_os(CANDIDATE_MODEL_VAR).filter(|p| !p.is_empty()) {
        config.model_path = Some(path.into());
    }
    let mut engine = Engine::new(config.clone()).expect("engine");
    engine.set_cost_model(Some(costs));
    let mut truth = Vec::new();
    let mut results = Vec::new();
    let dump = std::env::var_os(DUMP_VAR).is_some();
    clips::push_frames(
        &mut engine,
        spec,
        1,
        |_, _, _| {},
        |_, i, gt, r| {
            if dump {
                println!(
                "{i:4} gt ({:7.1},{:6.1}) r {:4.1} vis {} | {:?} {:?} ball {:?} crop ({:6.1},{:6.1},{:6.1},{:6.1}) cands {} runs {} top {:?}",
                gt.x, gt.y, gt.radius, gt.visible, r.mode, r.state,
                r.ball.map(|b| (b.x as i32, b.y as i32, b.confidence)), r.crop.x, r.crop.y, r.crop.width, r.crop.height, r.candidates, r.detector_runs,
                r.top_candidate.map(|c| (c.x as i32, c.y as i32, c.score))
            );
            }
            results.push(*r);
            truth.push(*gt);
            ControlFlow::Continue(())
        },
    );
    Run {
        truth,
        results,
        config,
    }
}

fn inside_crop(r: &FrameResult, x: f32, y: f32) -> bool {
    let c = r.crop;
    x >= c.x && y >= c.y && x <= c.x + c.width && y <= c.y + c.height
}

/// Share of visible frames whose ball lies inside the crop.
fn ball_in_crop(run: &Run) -> f64 {
    let visible: Vec<_> = run
        .truth
        .iter()
        .zip(&run.results)
        .filter(|(t, _)| t.visible)
        .collect();
    let inside = visible
        .iter()
        .filter(|(t, r)| inside_crop(r, t.x, t.y))
        .count();
    inside as f64 / visible.len().max(1) as f64
}

fn check_common(name: &str, run: &Run) -> f64 {
    let share = ball_in_crop(run);
    println!(
        "scenario {name}: ball in crop {:.2}% of {} visible frames",
        share * 100.0,
        run.truth.iter().filter(|t| t.visible).count()
    );
    assert!(
        share >= MIN_BALL_IN_CROP,
        "{name}: ball in crop {share:.4} < {MIN_BALL_IN_CROP}"
    );
    let (fw, fh) = (WIDTH as f32, HEIGHT as f32);
    for (i, r) in run.results.iter().enumerate() {
        let c = r.crop;
        assert!(
            c.x >= -0.01
                && c.y >= -0.01
                && c.x + c.width <= fw + 0.01
                && c.y + c.height <= fh + 0.01,
            "{name} frame {i}: crop {c:?} outside the frame"
        );
        assert!(
            r.ball.is_some() == (r.state != TrackState::Lost),
            "{name} frame {i}: state {:?} with ball {:?}",
            r.state,
            r.ball
        );
    }
    // Acceleration of the crop centre, from second differences over irregular steps.
    let limit = f64::from(run.config.crop.max_pan_accel) * f64::from(WIDTH);
    for k in 2..run.results.len() {
        let p = |j: usize| {
            let c = run.results[j].crop;
            (
                f64::from(c.x + c.width / 2.0),
                f64::from(c.y + c.height / 2.0),
                run.results[j].timestamp_us as f64 / 1e6,
            )
        };
        let (x0, y0, t0) = p(k - 2);
        let (x1, y1, t1) = p(k - 1);
        let (x2, y2, t2) = p(k);
        let (d1, d2) = (t1 - t0, t2 - t1);
        let ax = ((x2 - x1) / d2 - (x1 - x0) / d1) / ((d1 + d2) / 2.0);
        let ay = ((y2 - y1) / d2 - (y1 - y0) / d1) / ((d1 + d2) / 2.0);
        let a = ax.hypot(ay);
        let eps = ACCEL_EPS_PX / (d1 * d2);
        assert!(
            a <= limit + eps,
            "{name} frame {k}: crop acceleration {a:.1} px/s² > limit {limit:.1}"
        );
    }
    share
}

#[test]
fn straight_pass_30fps() {
    let run = run_clip(Scenario::StraightPass, 30.0, 4.0, 11);
    check_common("straight pass 30 fps", &run);
}

#[test]
fn straight_pass_60fps() {
    let run = run_clip(Scenario::StraightPass, 60.0, 4.0, 11);
    check_common("straight pass 60 fps", &run);
}

#[test]
fn lofted_ball_30fps() {
    let run = run_clip(Scenario::LoftedBall, 30.0, 4.0, 12);
    check_common("lofted ball 30 fps", &run);
}

#[test]
fn lofted_ball_60fps() {
    let run = run_clip(Scenario::LoftedBall, 60.0, 4.0, 12);
    check_common("lofted ball 60 fps", &run);
}

#[test]
fn occluded_half_second_is_reacquired() {
    let run = run_clip(Scenario::Occluded { hidden_s: 0.5 }, 30.0, 5.0, 13);
    check_common("occluded 0.5 s", &run);
    // The occlusion: the longest run of invisible frames after the ball was first visible.
    let first_visible = run
        .truth
        .iter()
        .position(|t| t.visible)
        .expect("ball visible at some point");
    let hidden_end = (first_visible..run.truth.len())
        .find(|&i| !run.truth[i].visible && run.truth.get(i + 1).is_some_and(|t| t.visible))
        .map(|i| i + 1)
        .expect("the ball reappears");
    let t_end = run.truth[hidden_end].timestamp_us;
    let reacquired = run.results[hidden_end..]
        .iter()
        .find(|r| r.state == TrackState::Detected)
        .map(|r| (r.timestamp_us - t_end) as f64 / 1e6)
        .expect("re-acquired at all");
    println!(
        "scenario occluded: re-acquired {:.3} s after the occlusion ended",
        reacquired
    );
    assert!(
        reacquired <= REACQUIRE_S,
        "re-acquired after {reacquired:.3} s"
    );
}

#[test]
fn ball_leaves_frame_and_comes_back() {
    let run = run_clip(Scenario::LeavesFrame, 30.0, 5.0, 14);
    check_common("leaves frame", &run);
    let out = run
        .truth
        .iter()
        .position(|t| !t.in_frame)
        .expect("ball leaves");
    let back = (out..run.truth.len())
        .find(|&i| run.truth[i].visible)
        .expect("ball comes back");
    let t_back = run.truth[back].timestamp_us;
    let reacquired = run.results[back..]
        .iter()
        .zip(&run.truth[back..])
        .find(|(r, t)| {
            r.state == TrackState::Detected
                && r.ball.is_some_and(|b| (b.x - t.x).hypot(b.y - t.y) < 20.0)
        })
        .map(|(r, _)| (r.timestamp_us - t_back) as f64 / 1e6)
        .expect("re-acquired after coming back");
    println!("scenario leaves frame: re-acquired {reacquired:.3} s after the ball came back");
    assert!(
        reacquired <= REACQUIRE_S,
        "re-acquired {reacquired:.3} s after the ball came back (limit {REACQUIRE_S} s)"
    );
}

#[test]
fn decoy_does_not_capture_the_track() {
    let run = run_clip(Scenario::Decoy, 30.0, 4.0, 15);
    check_common("decoy", &run);
    let mut on_decoy = 0;
    for (t, r) in run.truth.iter().zip(&run.results) {
        if let (Some(b), Some((dx, dy, _))) = (r.ball, t.decoy) {
            if (b.x - dx).hypot(b.y - dy) < (b.x - t.x).hypot(b.y - t.y) {
                on_decoy += 1;
            }
        }
    }
    println!("scenario decoy: {on_decoy} frames with the reported ball nearer the decoy");
    assert_eq!(
        on_decoy, 0,
        "the reported ball followed the decoy in {on_decoy} frames"
    );
}

/// The demo's clip (`ballcam demo`: a 10 s match, seed 7): passes, dribbles, a lofted ball
/// and occlusions by moving players.
#[test]
fn match_clip() {
    let run = run_clip(Scenario::Match, 30.0, 10.0, 7);
    check_common("match", &run);
}

/// Detector cost per input pixel in the tight-budget run, nanoseconds: a device about 2.5x
/// slower than this machine's one core (a whole 512x288 pass then fills the desktop budget).
const TIGHT_NS_PER_PIXEL: u64 = 100;
/// Fixed cost of every detector run in the tight-budget run (conversion, decoding), microseconds.
const TIGHT_FIXED_US: u64 = 300;
/// Spread of the tight-budget costs: each run costs its base times 1 + U(0, 1), drawn from a fixed
/// sequence (measured costs vary; the run stays deterministic).
const TIGHT_SPREAD: f64 = 1.0;
/// Smallest share of visible frames with the ball detected within max(10 px, its diameter)
/// in the tight-budget run (measured 0.736 with the shipped model; 0.700 before a long-coasting
/// track got its search frames; the `slim2` candidate got 0.514 while its stray detections kept a
/// coasting track alive, 0.557 since weak detections after a coast are on probation and confirmed
/// tracks use the small native region).
const TIGHT_MIN_RECALL: f64 = 0.65;

#[test]
fn match_clip_under_a_tight_budget_keeps_detecting_the_ball() {
    // A budget-limited schedule: the lofted kick has to be found again by a search that the
    // budget rations, and a track kept alive by stray detections must not hide the ball.
    let draws = std::sync::atomic::AtomicU64::new(0);
    let costs: CostModel = Box::new(move |_: CostClass, s: InputSize| {
        let n = draws.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let u = (n.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 11) as f64 / (1u64 << 53) as f64;
        let base = u64::from(s.width * s.height) * TIGHT_NS_PER_PIXEL / 1_000 + TIGHT_FIXED_US;
        (base as f64 * (1.0 + TIGHT_SPREAD * u)).round() as u64
    });
    let run = run_clip_with_costs(Scenario::Match, 30.0, 10.0, 7, costs);
    let (mut visible, mut found) = (0usize, 0usize);
    for (t, r) in run.truth.iter().zip(&run.results) {
        if !t.visible {
            continue;
        }
        visible += 1;
        let tol = 10f32.max(2.0 * t.radius);
        if r.state == TrackState::Detected
            && r.ball.is_some_and(|b| (b.x - t.x).hypot(b.y - t.y) <= tol)
        {
            found += 1;
        }
    }
    let recall = found as f64 / visible.max(1) as f64;
    println!(
        "scenario match, tight budget: ball detected in {:.1}% of {visible} visible frames, in crop {:.1}%",
        recall * 100.0,
        ball_in_crop(&run) * 100.0
    );
    assert!(
        recall >= TIGHT_MIN_RECALL,
        "recall {recall:.3} < {TIGHT_MIN_RECALL}"
    );
}
