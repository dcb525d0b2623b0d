//! Rendered clips pushed through an engine as a phone camera hands them over: each frame of a
//! ballcam-sim clip is rendered to RGB, optionally edited, encoded to NV21 and processed.
//! Included with `#[path = "common/clips.rs"] mod clips;` by the tests that need it; each uses
//! a part of it.
#![allow(dead_code)]

use std::ops::ControlFlow;

use ballcam_core::testing::CostClass;
use ballcam_core::testing::CostModel;
use ballcam_core::{Engine, Frame, FrameResult, Rotation};
use ballcam_sim::{ClipSpec, GroundTruth, Nv21Feed};

/// Nominal cost of one detector run, microseconds: well inside every budget, so that the
/// schedule (and so the result) does not depend on how busy the test machine is.
pub const NOMINAL_COST_US: u64 = 1_000;

/// A cost model that tells the scheduler every run cost [`NOMINAL_COST_US`].
pub fn fixed_costs() -> CostModel {
    Box::new(|_: CostClass, _| NOMINAL_COST_US)
}

/// Renders every frame of `spec`, lets `edit` change its RGB pixels (frame number, truth,
/// pixels), pushes it through `engine` as NV21 and hands the engine, each truth and each result
/// to `each`.
pub fn push_clip(
    engine: &mut Engine,
    spec: ClipSpec,
    mut edit: impl FnMut(u32, &GroundTruth, &mut [u8]),
    mut each: impl FnMut(&Engine, &GroundTruth, &FrameResult),
) {
    push_frames(engine, spec, 1, &mut edit, |e, _, gt, r| {
        each(e, gt, r);
        ControlFlow::Continue(())
    });
}

/// Pushes every `step`-th frame of `spec` (from frame 0) through `engine` as a phone camera
/// hands them over: rendered, edited by `edit` (frame number, truth, RGB pixels), encoded to NV21 and
/// processed. `each` sees the engine, the frame number, its truth and its result, and stops the
/// clip early with `ControlFlow::Break`.
pub fn push_frames(
    engine: &mut Engine,
    spec: ClipSpec,
    step: u32,
    mut edit: impl FnMut(u32, &GroundTruth, &mut [u8]),
    mut each: impl FnMut(&Engine, u32, &GroundTruth, &FrameResult) -> ControlFlow<()>,
) {
    let (w, h) = (spec.width, spec.height);
    let mut feed = Nv21Feed::new(spec).expect("clip");
    for i in (0..feed.frame_count()).step_by(step.max(1) as usize) {
        let (gt, nv21) = feed
            .render_edited(i, |gt, rgb| edit(i, gt, rgb))
            .expect("render");
        let frame = Frame::nv21(nv21, w, h, Rotation::Deg0, gt.timestamp_us);
        let r = engine.process(&frame).expect("process");
        if each(engine, i, &gt, &r).is_break() {
            break;
        }
    }
}

/// Pastes a copy of the ball's disc (radius plus a pixel) `dx` pixels to the right of it: a
/// second ball on screen. Nothing when the copy would leave the image.
pub fn paste_second_ball(rgb: &mut [u8], width: u32, height: u32, gt: &GroundTruth, dx: f32) {
    let (w, h) = (width as i64, height as i64);
    let r = gt.radius + 1.0;
    let reach = r.ceil() as i64;
    let (cx, cy) = (gt.x.round() as i64, gt.y.round() as i64);
    let shift = dx.round() as i64;
    if cx - reach < 0 || cy - reach < 0 || cy + reach >= h || cx + shift + reach >= w {
        return;
    }
    for y in cy - reach..=cy + reach {
        for x in cx - reach..=cx + reach {
            let (fx, fy) = ((x - cx) as f32, (y - cy) as f32);
            if fx.hypot(fy) > r {
                continue;
            }
            let src = ((y * w + x) * 3) as usize;
            let dst = ((y * w + x + shift) * 3) as usize;
            for c in 0..3 {
                rgb[dst + c] = rgb[src + c];
            }
        }
    }
}
