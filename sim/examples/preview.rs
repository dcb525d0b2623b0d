//! Render a few frames of a scenario to PNG with the ground truth printed, for eyeballing.
//!
//! `cargo run --release -p ballcam-sim --example preview -- OUT_DIR SCENARIO SEED [W H FPS SECONDS]`

use anyhow::{bail, Result};
use ballcam_sim::{Clip, ClipSpec, Scenario};

fn main() -> Result<()> {
    let a: Vec<String> = std::env::args().collect();
    if a.len() < 4 {
        bail!("usage: preview OUT_DIR SCENARIO SEED [W H FPS SECONDS]");
    }
    let scenario = match a[2].as_str() {
        "straight" => Scenario::StraightPass,
        "lofted" => Scenario::LoftedBall,
        "occluded" => Scenario::Occluded { hidden_s: 1.0 },
        "leaves" => Scenario::LeavesFrame,
        "decoy" => Scenario::Decoy,
        _ => Scenario::Match,
    };
    let seed: u64 = a[3].parse()?;
    let num = |i: usize, d: f64| a.get(i).and_then(|s| s.parse().ok()).unwrap_or(d);
    let (w, h) = (num(4, 1280.0) as u32, num(5, 720.0) as u32);
    let spec = ClipSpec::new(scenario, w, h, num(6, 30.0), num(7, 6.0), seed);
    let mut clip = Clip::new(spec)?;
    std::fs::create_dir_all(&a[1])?;
    let mut rgb = vec![0u8; (w * h * 3) as usize];
    let n = clip.frame_count();
    let t0 = std::time::Instant::now();
    for f in 0..n {
        let gt = clip.render_rgb(f, &mut rgb)?;
        println!(
            "{f} t={} x={:.1} y={:.1} r={:.2} in={} vf={:.2} vis={} decoy={:?} z={:.2}",
            gt.timestamp_us,
            gt.x,
            gt.y,
            gt.radius,
            gt.in_frame,
            gt.visible_fraction,
            gt.visible,
            gt.decoy,
            clip.ball_height_m(f)
        );
        if f % 15 == 0 {
            image::save_buffer(
                format!("{}/{f:04}.png", a[1]),
                &rgb,
                w,
                h,
                image::ColorType::Rgb8,
            )?;
        }
    }
    eprintln!(
        "{:.2} ms/frame",
        t0.elapsed().as_secs_f64() * 1e3 / f64::from(n)
    );
    Ok(())
}
