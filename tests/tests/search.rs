//! Search mode on rendered 1080p clips: an engine with no track scans the whole frame (the
//! whole-frame pass, then native-resolution tiles spread over consecutive frames) and finds a
//! ball too small for the whole-frame pass alone within the promised number of frames,
//! `Engine::search_cycle_frames()` (the figure `ballcam profile` reports). Costs are injected,
//! so the schedule does not depend on how busy the test machine is.

use std::ops::ControlFlow;

use ballcam_core::testing::CostClass;
use ballcam_core::InputSize;
use ballcam_core::Preset;
use ballcam_core::{Config, Engine};
use ballcam_sim::{ClipSpec, Scenario};

#[path = "common/clips.rs"]
mod clips;

const WIDTH: u32 = 1920;
const HEIGHT: u32 = 1080;
const FPS: f64 = 30.0;
/// Injected costs, microseconds: two tiles fit the phone-30fps budget of 8 ms per frame.
const FULL_US: u64 = 5_000;
const TILE_US: u64 = 3_000;
const ROI_US: u64 = 1_500;
const ROI_SMALL_US: u64 = 800;
/// A candidate within max(this, ball diameter) of the truth has found the ball, pixels.
const MIN_TOLERANCE_PX: f32 = 10.0;

fn cost(class: CostClass, _: InputSize) -> u64 {
    match class {
        CostClass::Full => FULL_US,
        CostClass::Tile => TILE_US,
        CostClass::Roi => ROI_US,
        CostClass::RoiSmall => ROI_SMALL_US,
    }
}

/// First frame whose top candidate lies on the ball, and the whole-frame pass's view of frame 0.
fn first_find(scenario: Scenario, seed: u64) -> (Option<usize>, usize, f32) {
    let spec = ClipSpec::new(scenario, WIDTH, HEIGHT, FPS, 2.0, seed);
    let config = Config::preset(Preset::Phone30Fps);
    let full_scale = config.detector.full_input.width as f32 / WIDTH as f32;
    let mut engine = Engine::new(config).expect("engine");
    engine.set_cost_model(Some(Box::new(cost)));
    let mut cycle = 0;
    let mut radius = 0.0;
    let mut found = None;
    clips::push_frames(
        &mut engine,
        spec,
        1,
        |_, _, _| {},
        |engine, i, gt, r| {
            if i == 0 {
                radius = gt.radius;
                // The tiles are laid out for the frame size on the first frame.
                cycle = engine.search_cycle_frames();
            }
            let tolerance = MIN_TOLERANCE_PX.max(2.0 * gt.radius);
            if gt.visible
                && r.top_candidate
                    .is_some_and(|c| (c.x - gt.x).hypot(c.y - gt.y) <= tolerance)
            {
                println!(
                "{scenario:?} seed {seed}: ball (radius {:.1} px, {:.1} px in the whole-frame pass) found on frame {i} ({:?}), search cycle {cycle} frames",
                gt.radius,
                gt.radius * full_scale,
                r.mode
            );
                found = Some(i as usize);
                return ControlFlow::Break(());
            }
            ControlFlow::Continue(())
        },
    );
    (found, cycle, radius * full_scale)
}

#[test]
fn tiled_search_finds_a_small_ball_within_the_search_cycle() {
    for (scenario, seed) in [
        (Scenario::StraightPass, 31),
        (Scenario::LoftedBall, 32),
        (Scenario::Match, 33),
    ] {
        let (found, cycle, radius_full) = first_find(scenario, seed);
        assert!(
            radius_full < 3.0,
            "{scenario:?}: the ball ({radius_full:.1} px in the whole-frame pass) should be too small for it"
        );
        let found = found.unwrap_or_else(|| panic!("{scenario:?}: the ball was never found"));
        assert!(
            found < cycle,
            "{scenario:?}: found on frame {found}, promised within {cycle} frames"
        );
    }
}
