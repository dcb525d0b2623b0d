//! Time clip construction and per-frame rendering.
//!
//! `cargo run --release -p ballcam-sim --example time_render -- [FRAMES]` renders FRAMES
//! (default 300) frames of a `Match` and a `StraightPass` clip at 1280x720 and 1920x1080.

use std::time::Instant;

use anyhow::Result;
use ballcam_sim::{Clip, ClipSpec, Scenario};

/// Frame rate of the timed clips.
const FPS: f64 = 30.0;

fn main() -> Result<()> {
    let frames: u32 = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(300);
    for (w, h) in [(1280u32, 720u32), (1920, 1080)] {
        for scenario in [Scenario::Match, Scenario::StraightPass] {
            let t0 = Instant::now();
            let spec = ClipSpec::new(scenario, w, h, FPS, f64::from(frames) / FPS, 1);
            let mut clip = Clip::new(spec)?;
            let build_ms = t0.elapsed().as_secs_f64() * 1e3;
            let mut rgb = vec![0u8; w as usize * h as usize * 3];
            let t1 = Instant::now();
            let mut visible = 0;
            for f in 0..clip.frame_count() {
                visible += usize::from(clip.render_rgb(f, &mut rgb)?.visible);
            }
            let per = t1.elapsed().as_secs_f64() * 1e3 / f64::from(clip.frame_count());
            println!(
                "{w}x{h} {scenario:?}: Clip::new {build_ms:.1} ms, render {per:.2} ms/frame ({} frames, {visible} visible)",
                clip.frame_count()
            );
        }
    }
    Ok(())
}
