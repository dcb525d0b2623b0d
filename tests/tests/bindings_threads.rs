//! `BallcamEngine` from several threads at once, through its Rust API (the same calls the
//! foreign bindings make): pushers on every format while another thread changes the config.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use ballcam_ffi::{BallcamEngine, BallcamError, ColorRange, Preset};
use ballcam_sim::{nv12_from_rgb, nv21_from_rgb, Clip, ClipSpec, Scenario};

const W: u32 = 320;
const H: u32 = 240;
/// The renderer's YUV is BT.601 video range.
const LIMITED: ColorRange = ColorRange::Limited;

fn frames(n: u32) -> Vec<(Vec<u8>, Vec<u8>)> {
    let spec = ClipSpec::new(Scenario::StraightPass, W, H, 30.0, f64::from(n) / 30.0, 3);
    let mut clip = Clip::new(spec).expect("clip");
    let mut rgb = vec![0u8; (W * H * 3) as usize];
    (0..n)
        .map(|i| {
            clip.render_rgb(i, &mut rgb).expect("render");
            let mut nv21 = vec![0u8; (W * H * 3 / 2) as usize];
            let mut nv12 = vec![0u8; (W * H * 3 / 2) as usize];
            nv21_from_rgb(&rgb, W, H, &mut nv21).expect("nv21");
            nv12_from_rgb(&rgb, W, H, &mut nv12).expect("nv12");
            (nv21, nv12)
        })
        .collect()
}

#[test]
fn pushers_and_config_changer() {
    let engine = BallcamEngine::new(Preset::Phone30Fps).expect("engine");
    let frames = Arc::new(frames(8));
    let clock = Arc::new(AtomicI64::new(0));
    let plane = (W * H) as usize;
    let pushers: Vec<_> = (0..3)
        .map(|k| {
            let (engine, frames, clock) = (engine.clone(), frames.clone(), clock.clone());
            std::thread::spawn(move || {
                let mut ok = 0;
                for i in 0..10 {
                    let (nv21, nv12) = &frames[(i + k) % frames.len()];
                    let ts = clock.fetch_add(33_333, Ordering::SeqCst) + 33_333;
                    let result = match (i + k) % 3 {
                        0 => engine.push_nv21(nv21, W, H, LIMITED, 90, ts),
                        1 => engine.push_nv12(
                            &nv12[..plane],
                            W,
                            &nv12[plane..],
                            W,
                            W,
                            H,
                            LIMITED,
                            90,
                            ts,
                        ),
                        _ => engine.push_yuv420(
                            &nv21[..plane],
                            W,
                            &nv21[plane + 1..],
                            &nv21[plane..nv21.len() - 1],
                            W,
                            2,
                            W,
                            H,
                            LIMITED,
                            90,
                            ts,
                        ),
                    };
                    match result {
                        Ok(r) => {
                            assert_eq!((r.frame_width, r.frame_height), (H, W));
                            assert!(
                                r.crop.x >= -0.5 && r.crop.x + r.crop.width <= f64::from(H) + 0.5,
                                "{r:?}"
                            );
                            ok += 1;
                        }
                        // Another thread's later timestamp got in first: the only expected error.
                        Err(BallcamError::InvalidFrame(m)) if m.contains("timestamp") => {}
                        Err(e) => panic!("unexpected error: {e:?}"),
                    }
                }
                ok
            })
        })
        .collect();
    let configurer = {
        let engine = engine.clone();
        std::thread::spawn(move || {
            for preset in ["phone-60fps", "phone-30fps"] {
                engine
                    .set_config_toml(format!("preset = \"{preset}\""))
                    .expect("config change");
                engine.set_aspect(9, 16).expect("aspect");
                assert!(matches!(
                    engine.set_config_toml("threads = 0".into()),
                    Err(BallcamError::InvalidConfig(_))
                ));
            }
        })
    };
    let done: u32 = pushers
        .into_iter()
        .map(|t| t.join().expect("pusher panicked"))
        .sum();
    configurer.join().expect("configurer panicked");
    assert!(done > 0);
    let ts = clock.load(Ordering::SeqCst) + 1;
    let r = engine
        .push_nv21(&frames[0].0, W, H, LIMITED, 0, ts)
        .expect("push after the threads");
    assert!(
        (r.crop.width / r.crop.height - 9.0 / 16.0).abs() < 0.05,
        "aspect kept: {r:?}"
    );
    assert!(engine.config_toml().expect("toml").contains("phone-30fps"));
}
