//! Sparse frames through the whole engine: stills a third of a second apart (labelled photos,
//! a 3 fps capture, a throttled phone) carry no motion evidence, so a strong search candidate
//! confirmed by a second look on the same frame is the ball, and each still gets the
//! budget of the interval it stands for. A video's first frame is not a still (a spare ball by
//! the line must not be taken for the ball in play before anything moved). Costs are injected:
//! the schedule does not depend on how busy the test machine is.

use std::ops::ControlFlow;

use ballcam_core::{Config, Engine, FrameResult};
use ballcam_sim::{ClipSpec, GroundTruth, Scenario};

#[path = "common/clips.rs"]
mod clips;

const WIDTH: u32 = 1280;
const HEIGHT: u32 = 720;
const FPS: f64 = 30.0;
/// Every 10th frame of a 30 fps clip: stills 0.333 s apart.
const STILL_STEP: u32 = 10;
/// A reported ball within max(this, ball diameter) of the truth is on the ball, pixels.
const MIN_TOLERANCE_PX: f32 = 10.0;

fn engine() -> Engine {
    let mut engine = Engine::new(Config::default()).expect("engine");
    engine.set_cost_model(Some(clips::fixed_costs()));
    engine
}

fn on_ball(r: &FrameResult, gt: &GroundTruth) -> bool {
    let tolerance = MIN_TOLERANCE_PX.max(2.0 * gt.radius);
    r.ball
        .is_some_and(|b| (b.x - gt.x).hypot(b.y - gt.y) <= tolerance)
}

/// Runs every `step`-th frame of a clip through `engine`; returns (truth, result) pairs.
fn run(
    engine: &mut Engine,
    scenario: Scenario,
    seed: u64,
    step: u32,
) -> Vec<(GroundTruth, FrameResult)> {
    let spec = ClipSpec::new(scenario, WIDTH, HEIGHT, FPS, 4.0, seed);
    let mut out = Vec::new();
    clips::push_frames(
        engine,
        spec,
        step,
        |_, _, _| {},
        |_, _, gt, r| {
            out.push((*gt, *r));
            ControlFlow::Continue(())
        },
    );
    out
}

#[test]
fn a_still_stream_reports_the_ball_on_its_first_frame_and_a_video_does_not() {
    let interval_us = (1e6 * f64::from(STILL_STEP) / FPS).round() as i64;
    let mut stills = engine();
    stills.set_frame_interval_hint(Some(interval_us));
    let first = run(&mut stills, Scenario::Match, 7, STILL_STEP);
    let (gt, r) = &first[0];
    assert!(gt.visible);
    assert!(on_ball(r, gt), "first still: {r:?} vs truth {gt:?}");
    // The same first frame opening a video: no motion seen yet, no ball reported.
    let mut video = engine();
    let first = run(&mut video, Scenario::Match, 7, 1);
    assert!(
        first[0].1.ball.is_none(),
        "video frame 0: {:?}",
        first[0].1.ball
    );
}

#[test]
fn stills_a_third_of_a_second_apart_keep_the_ball() {
    // The match clip sampled at 3 fps: the ball is reported on most stills where it is
    // visible, and a reported ball is on the ball.
    let mut engine = engine();
    engine.set_frame_interval_hint(Some((1e6 * f64::from(STILL_STEP) / FPS).round() as i64));
    let mut visible = 0;
    let (mut hits, mut reported) = (0, 0);
    for seed in [7, 11] {
        engine.reset();
        for (gt, r) in run(&mut engine, Scenario::Match, seed, STILL_STEP) {
            visible += usize::from(gt.visible);
            reported += usize::from(r.ball.is_some());
            hits += usize::from(gt.visible && on_ball(&r, &gt));
        }
    }
    let recall = hits as f64 / visible as f64;
    let precision = hits as f64 / reported.max(1) as f64;
    println!("stills at 3 fps: recall {recall:.3} ({hits}/{visible}), precision {precision:.3} ({hits}/{reported})");
    assert!(recall >= 0.7, "recall {recall:.3}");
    assert!(precision >= 0.9, "precision {precision:.3}");
}

#[test]
fn a_still_with_nothing_confirmed_is_searched_again_finer() {
    // 1280x720 stills, desktop preset: the ordinary search is the whole-frame pass and 3x3
    // tiles of 576x336 px (384x224 inputs at tile_scale 1.5; (1280 - 576) / 528 and
    // (720 - 336) / 288 -> 2 steps each): 10 runs. A still where nothing is confirmed is
    // searched again as a 1080p frame natively (scale 720 / 1080 = 2/3): 6x6 tiles of 256x149
    // px overlapping by 21 ((1280 - 256) / 235 and (720 - 149) / 128 -> 5 steps each): 36
    // more runs, 46 in all (the credit of a third of a second at 1 ms per run pays for them).
    const ORDINARY: u32 = 10;
    const FINE: u32 = 36;
    let interval_us = (1e6 * f64::from(STILL_STEP) / FPS).round() as i64;
    let spec = ClipSpec::new(Scenario::Match, WIDTH, HEIGHT, FPS, 4.0, 7);
    let mut blank = engine();
    blank.set_frame_interval_hint(Some(interval_us));
    let mut runs = None;
    clips::push_frames(
        &mut blank,
        spec,
        STILL_STEP,
        |_, _, rgb| rgb.fill(128),
        |_, _, _, r| {
            runs = Some(r.detector_runs);
            ControlFlow::Break(())
        },
    );
    assert_eq!(runs, Some(ORDINARY + FINE), "a grey still");
    // The same still with its ball: the ordinary search finds it, second looks confirm it,
    // and no fine pass runs.
    let mut ball = engine();
    ball.set_frame_interval_hint(Some(interval_us));
    let first = run(&mut ball, Scenario::Match, 7, STILL_STEP);
    let (gt, r) = &first[0];
    assert!(on_ball(r, gt), "{r:?}");
    assert!(
        (ORDINARY + 1..ORDINARY + FINE).contains(&r.detector_runs),
        "{} runs: the search and its second looks",
        r.detector_runs
    );
}
