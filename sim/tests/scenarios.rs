//! End-to-end checks of the public API: determinism, frame-rate independence, each scenario's
//! promise, encoders, training frames and error handling.

use ballcam_core::color::YuvToRgb;
use ballcam_core::ColorRange;
use ballcam_sim::{
    bgra_from_rgb, i420_from_rgb, nv12_from_rgb, nv21_from_rgb, render_random_frame, rgba_from_rgb,
    Clip, ClipSpec, GroundTruth, Scenario, SimError, VISIBLE_THRESHOLD,
};

const W: u32 = 640;
const H: u32 = 360;

fn gts(spec: ClipSpec) -> Vec<GroundTruth> {
    let clip = Clip::new(spec).expect("valid spec");
    (0..clip.frame_count())
        .map(|f| clip.ground_truth(f))
        .collect()
}

fn all_scenarios() -> Vec<Scenario> {
    vec![
        Scenario::StraightPass,
        Scenario::LoftedBall,
        Scenario::Occluded { hidden_s: 1.0 },
        Scenario::LeavesFrame,
        Scenario::Decoy,
        Scenario::Match,
    ]
}

#[test]
fn same_seed_same_bytes_different_seed_different() {
    for sc in all_scenarios() {
        let spec = ClipSpec::new(sc, W, H, 30.0, 5.0, 11);
        let mut a = Clip::new(spec).unwrap();
        let mut b = Clip::new(spec).unwrap();
        let mut c = Clip::new(ClipSpec { seed: 12, ..spec }).unwrap();
        let n = (W * H * 3) as usize;
        let (mut fa, mut fb, mut fc) = (vec![0u8; n], vec![0u8; n], vec![0u8; n]);
        for f in [0, 37, a.frame_count() - 1] {
            let ga = a.render_rgb(f, &mut fa).unwrap();
            // Render out of order on b to show frames do not depend on history.
            b.render_rgb(a.frame_count() - 1 - f, &mut fb).unwrap();
            let gb = b.render_rgb(f, &mut fb).unwrap();
            c.render_rgb(f, &mut fc).unwrap();
            assert_eq!(ga, gb);
            assert!(fa == fb, "{sc:?} frame {f} differs between identical clips");
            assert!(fa != fc, "{sc:?} frame {f} same for different seeds");
            assert_eq!(ga, a.ground_truth(f), "render and ground_truth disagree");
        }
    }
}

#[test]
fn trajectories_do_not_depend_on_frame_rate() {
    for sc in all_scenarios() {
        for seed in 0..3 {
            let g30 = gts(ClipSpec::new(sc, W, H, 30.0, 6.0, seed));
            let g60 = gts(ClipSpec::new(sc, W, H, 60.0, 6.0, seed));
            for (k, a) in g30.iter().enumerate() {
                let b = &g60[2 * k];
                assert_eq!(a.timestamp_us, b.timestamp_us);
                assert!(
                    (a.x - b.x).abs() < 1e-3
                        && (a.y - b.y).abs() < 1e-3
                        && (a.radius - b.radius).abs() < 1e-4,
                    "{sc:?} seed {seed} frame {k}: {a:?} vs {b:?}"
                );
            }
        }
    }
}

#[test]
fn timestamps_are_rounded_microseconds() {
    let clip = Clip::new(ClipSpec::new(Scenario::StraightPass, 64, 36, 29.97, 2.0, 1)).unwrap();
    for f in 0..clip.frame_count() {
        assert_eq!(
            clip.ground_truth(f).timestamp_us,
            (f64::from(f) * 1e6 / 29.97).round() as i64
        );
    }
}

fn hidden_runs(g: &[GroundTruth]) -> Vec<(usize, usize)> {
    let mut runs = Vec::new();
    let mut start = None;
    for (i, x) in g.iter().enumerate() {
        match (x.visible, start) {
            (false, None) => start = Some(i),
            (true, Some(s)) => {
                runs.push((s, i));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        runs.push((s, g.len()));
    }
    runs
}

#[test]
fn occluded_hides_for_the_requested_time() {
    for &hidden_s in &[0.5, 1.0, 2.5] {
        for fps in [30.0, 60.0] {
            for seed in 0..6 {
                let g = gts(ClipSpec::new(
                    Scenario::Occluded { hidden_s },
                    W,
                    H,
                    fps,
                    hidden_s + 5.0,
                    seed,
                ));
                let runs = hidden_runs(&g);
                assert_eq!(
                    runs.len(),
                    1,
                    "hidden_s {hidden_s} fps {fps} seed {seed}: runs {runs:?}"
                );
                let (s, e) = runs[0];
                let want = hidden_s * fps;
                assert!(
                    ((e - s) as f64 - want).abs() <= 1.0 + 1e-9,
                    "hidden {} frames, want {want} (seed {seed}, fps {fps})",
                    e - s
                );
                // Really hidden in the middle, fully shown away from the transitions.
                let margin = (0.15 * fps) as usize;
                for (i, x) in g.iter().enumerate() {
                    assert!(x.in_frame, "ball left the image at frame {i}");
                    if i + margin < s || i >= e + margin {
                        assert!(
                            x.visible_fraction > 0.99,
                            "seed {seed} fps {fps} frame {i}: vf {} outside the hidden stretch {s}..{e}",
                            x.visible_fraction
                        );
                    }
                    if i > s && i + 1 < e {
                        assert!(
                            x.visible_fraction < 0.05,
                            "frame {i} vf {}",
                            x.visible_fraction
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn leaves_frame_goes_out_and_comes_back() {
    for seed in 0..8 {
        let fps = 30.0;
        let g = gts(ClipSpec::new(Scenario::LeavesFrame, W, H, fps, 6.0, seed));
        assert!(g[0].in_frame && g[0].visible);
        assert!(g.last().unwrap().in_frame);
        let out: Vec<usize> = (0..g.len()).filter(|&i| !g[i].in_frame).collect();
        assert!(!out.is_empty(), "seed {seed}: never left");
        let (first, last) = (out[0], *out.last().unwrap());
        assert_eq!(
            out.len(),
            last - first + 1,
            "seed {seed}: out stretch not contiguous"
        );
        let secs = out.len() as f64 / fps;
        assert!((0.6..=2.0).contains(&secs), "seed {seed}: out for {secs} s");
        assert!(out.iter().all(|&i| !g[i].visible));
        // Beyond a side edge, not top/bottom.
        let x = g[first].x;
        assert!(x < 0.0 || x >= W as f32);
    }
}

#[test]
fn decoy_is_ball_like_and_away_from_the_ball() {
    for seed in 0..8 {
        let g = gts(ClipSpec::new(Scenario::Decoy, W, H, 30.0, 8.0, seed));
        let min_d = 150.0 * W as f32 / 1280.0;
        let mut with = 0;
        let mut far = 0;
        for x in &g {
            if let Some((dx, dy, dr)) = x.decoy {
                with += 1;
                assert!(
                    dr > 0.5 * x.radius && dr < 2.0 * x.radius,
                    "decoy radius {dr} vs ball {}",
                    x.radius
                );
                if ((dx - x.x).powi(2) + (dy - x.y).powi(2)).sqrt() >= min_d {
                    far += 1;
                }
            }
            assert!(x.visible, "seed {seed}: ball hidden at frame {}", x.frame);
        }
        assert!(
            with as f64 >= 0.95 * g.len() as f64,
            "seed {seed}: decoy in view {with}/{}",
            g.len()
        );
        assert!(
            far as f64 >= 0.9 * g.len() as f64,
            "seed {seed}: decoy far {far}/{}",
            g.len()
        );
    }
}

/// Image speed in metres per second is not available, so check pixels per second against
/// the projected size of the ball (radius 0.11 m): speed_m = speed_px * 0.11 / radius.
fn max_speed_mps(g: &[GroundTruth], fps: f64) -> f64 {
    g.windows(2)
        .map(|w| {
            let d = ((w[1].x - w[0].x).powi(2) + (w[1].y - w[0].y).powi(2)).sqrt() as f64;
            d * fps * 0.11 / w[0].radius as f64
        })
        .fold(0.0, f64::max)
}

#[test]
fn straight_pass_is_always_visible_and_crosses_the_view() {
    for seed in 0..8 {
        let g = gts(ClipSpec::new(Scenario::StraightPass, W, H, 30.0, 6.0, seed));
        for x in &g {
            assert!(
                x.in_frame && x.visible_fraction > 0.99,
                "seed {seed} frame {}: {x:?}",
                x.frame
            );
        }
        let (lo, hi) = g
            .iter()
            .fold((f32::MAX, f32::MIN), |a, x| (a.0.min(x.x), a.1.max(x.x)));
        assert!(hi - lo > 0.5 * W as f32, "seed {seed}: x range {lo}..{hi}");
        let v = max_speed_mps(&g, 30.0);
        assert!((8.0..=30.0).contains(&v), "seed {seed}: top speed {v} m/s");
    }
}

#[test]
fn lofted_ball_flies_and_stays_in_view() {
    for seed in 0..8 {
        let spec = ClipSpec::new(Scenario::LoftedBall, W, H, 30.0, 6.0, seed);
        let clip = Clip::new(spec).unwrap();
        let top = (0..clip.frame_count())
            .map(|f| clip.ball_height_m(f))
            .fold(0.0, f64::max);
        assert!(top >= 3.0, "seed {seed}: apex {top} m");
        for f in 0..clip.frame_count() {
            let g = clip.ground_truth(f);
            assert!(
                g.in_frame && g.visible_fraction > 0.99,
                "seed {seed}: {g:?}"
            );
        }
    }
}

#[test]
fn match_runs_and_keeps_ball_mostly_in_view() {
    for seed in 0..4 {
        let g = gts(ClipSpec::new(Scenario::Match, W, H, 30.0, 20.0, seed));
        let inside = g.iter().filter(|x| x.in_frame).count();
        assert!(
            inside as f64 > 0.8 * g.len() as f64,
            "seed {seed}: {inside}/{}",
            g.len()
        );
    }
}

#[test]
fn ball_radius_follows_depth_and_is_plausible() {
    let mut radii = Vec::new();
    for seed in 0..6 {
        let g = gts(ClipSpec::new(
            Scenario::StraightPass,
            1280,
            720,
            10.0,
            6.0,
            seed,
        ));
        // Lower in the image (nearer) means bigger.
        for a in &g {
            for b in &g {
                if a.y > b.y + 40.0 {
                    assert!(a.radius > b.radius, "{a:?} vs {b:?}");
                }
            }
        }
        radii.extend(g.iter().map(|x| x.radius));
    }
    radii.sort_by(f32::total_cmp);
    let median = radii[radii.len() / 2];
    assert!((3.0..=10.0).contains(&median), "median radius {median}");
}

#[test]
fn ball_is_drawn_where_the_ground_truth_says() {
    for seed in 0..4 {
        let spec = ClipSpec::new(Scenario::StraightPass, 1280, 720, 30.0, 3.0, seed);
        let mut clip = Clip::new(spec).unwrap();
        let mut rgb = vec![0u8; 1280 * 720 * 3];
        let g = clip.render_rgb(20, &mut rgb).unwrap();
        let lum = |x: i32, y: i32| {
            let i = ((y * 1280 + x) * 3) as usize;
            rgb[i..i + 3].iter().map(|&v| f32::from(v)).sum::<f32>() / 3.0
        };
        let r = g.radius;
        let (cx, cy) = (g.x as i32, g.y as i32);
        let mut inner = Vec::new();
        let mut ring = Vec::new();
        for dy in -30..=30 {
            for dx in -30..=30 {
                let d = ((dx * dx + dy * dy) as f32).sqrt();
                if d < 0.5 * r {
                    inner.push(lum(cx + dx, cy + dy));
                } else if d > 2.5 * r + 6.0 && d < 3.5 * r + 10.0 {
                    ring.push(lum(cx + dx, cy + dy));
                }
            }
        }
        inner.sort_by(f32::total_cmp);
        ring.sort_by(f32::total_cmp);
        let (a, b) = (inner[inner.len() * 3 / 4], ring[ring.len() / 2]);
        assert!(a > b + 40.0, "seed {seed}: ball {a} vs surround {b}");
    }
}

#[test]
fn random_frames_are_labelled_and_deterministic() {
    let (w, h) = (320u32, 180u32);
    let mut a = vec![0u8; (w * h * 3) as usize];
    let mut b = a.clone();
    let mut absent = 0;
    let n = 200;
    for seed in 0..n {
        let ga = render_random_frame(seed, w, h, &mut a).unwrap();
        if seed < 5 {
            let gb = render_random_frame(seed, w, h, &mut b).unwrap();
            assert_eq!(ga, gb);
            assert!(a == b);
        }
        if ga.radius == 0.0 {
            absent += 1;
            assert!(!ga.visible && !ga.in_frame);
        } else {
            assert!(ga.radius > 0.3 && ga.radius < 8.0, "radius {}", ga.radius);
            assert_eq!(ga.visible, ga.visible_fraction >= VISIBLE_THRESHOLD);
        }
    }
    let share = f64::from(absent) / n as f64;
    assert!((0.1..=0.3).contains(&share), "absent share {share}");
    render_random_frame(1, w, h, &mut b).unwrap();
    render_random_frame(2, w, h, &mut a).unwrap();
    assert!(a != b);
}

/// BT.601 limited-range inverse (the core's).
fn yuv_to_rgb(y: u8, u: u8, v: u8) -> [f32; 3] {
    YuvToRgb::new(ColorRange::Limited).convert(f32::from(y), f32::from(u), f32::from(v))
}

#[test]
fn nv21_round_trips() {
    let (w, h) = (320u32, 180u32);
    let mut rgb = vec![0u8; (w * h * 3) as usize];
    let spec = ClipSpec::new(Scenario::Match, w, h, 30.0, 1.0, 3);
    Clip::new(spec).unwrap().render_rgb(10, &mut rgb).unwrap();
    let mut nv21 = vec![0u8; (w * h * 3 / 2) as usize];
    nv21_from_rgb(&rgb, w, h, &mut nv21).unwrap();
    let (wu, hu) = (w as usize, h as usize);
    let mut err_sum = 0.0f64;
    let mut smooth_max = 0.0f32;
    for y in 0..hu {
        for x in 0..wu {
            let yy = nv21[y * wu + x];
            let c = wu * hu + (y / 2) * wu + (x / 2) * 2;
            let (v, u) = (nv21[c], nv21[c + 1]);
            let back = yuv_to_rgb(yy, u, v);
            let orig = &rgb[(y * wu + x) * 3..(y * wu + x) * 3 + 3];
            // Flat areas (the 2x2 block is uniform) must match closely.
            let i0 = ((y & !1) * wu + (x & !1)) * 3;
            let uniform = (0..2).all(|dy| {
                (0..2).all(|dx| {
                    let j = (((y & !1) + dy) * wu + (x & !1) + dx) * 3;
                    (0..3).all(|k| (i32::from(rgb[j + k]) - i32::from(rgb[i0 + k])).abs() <= 2)
                })
            });
            for k in 0..3 {
                let e = (back[k] - f32::from(orig[k])).abs();
                err_sum += f64::from(e);
                if uniform {
                    smooth_max = smooth_max.max(e);
                }
            }
        }
    }
    let mean = err_sum / (wu * hu * 3) as f64;
    assert!(mean < 6.0, "mean error {mean}");
    assert!(smooth_max < 6.0, "max error on flat blocks {smooth_max}");
    // Layout relations between the formats.
    let mut nv12 = vec![0u8; nv21.len()];
    let mut i420 = vec![0u8; nv21.len()];
    nv12_from_rgb(&rgb, w, h, &mut nv12).unwrap();
    i420_from_rgb(&rgb, w, h, &mut i420).unwrap();
    let ylen = wu * hu;
    let clen = ylen / 4;
    assert_eq!(nv12[..ylen], nv21[..ylen]);
    for i in 0..clen {
        assert_eq!(nv12[ylen + 2 * i], nv21[ylen + 2 * i + 1]);
        assert_eq!(i420[ylen + i], nv12[ylen + 2 * i]);
        assert_eq!(i420[ylen + clen + i], nv12[ylen + 2 * i + 1]);
    }
    let mut rgba = vec![0u8; ylen * 4];
    let mut bgra = vec![0u8; ylen * 4];
    rgba_from_rgb(&rgb, w, h, &mut rgba).unwrap();
    bgra_from_rgb(&rgb, w, h, &mut bgra).unwrap();
    for i in 0..ylen {
        assert_eq!(rgba[i * 4..i * 4 + 3], rgb[i * 3..i * 3 + 3]);
        assert_eq!(
            [bgra[i * 4 + 2], bgra[i * 4 + 1], bgra[i * 4]],
            [rgb[i * 3], rgb[i * 3 + 1], rgb[i * 3 + 2]]
        );
        assert_eq!(rgba[i * 4 + 3], 255);
    }
    // Pure colours land on the textbook values.
    let white = vec![255u8; 2 * 2 * 3];
    let mut o = vec![0u8; 6];
    nv21_from_rgb(&white, 2, 2, &mut o).unwrap();
    assert_eq!(o, vec![235, 235, 235, 235, 128, 128]);
    let black = vec![0u8; 2 * 2 * 3];
    nv21_from_rgb(&black, 2, 2, &mut o).unwrap();
    assert_eq!(o, vec![16, 16, 16, 16, 128, 128]);
}

#[test]
fn bad_specs_are_errors() {
    let ok = ClipSpec::new(Scenario::StraightPass, 64, 36, 30.0, 1.0, 0);
    assert!(Clip::new(ok).is_ok());
    let bad = [
        ClipSpec { width: 0, ..ok },
        ClipSpec { height: 0, ..ok },
        ClipSpec {
            width: 100_000,
            ..ok
        },
        ClipSpec { fps: 0.0, ..ok },
        ClipSpec { fps: -5.0, ..ok },
        ClipSpec {
            fps: f64::NAN,
            ..ok
        },
        ClipSpec {
            fps: f64::INFINITY,
            ..ok
        },
        ClipSpec { frames: 0, ..ok },
        ClipSpec::new(Scenario::StraightPass, 64, 36, 30.0, 0.0, 0),
        ClipSpec::new(Scenario::StraightPass, 64, 36, 30.0, f64::NAN, 0),
        ClipSpec::new(Scenario::StraightPass, 64, 36, 30.0, -1.0, 0),
        ClipSpec::new(Scenario::Occluded { hidden_s: 1.0 }, 64, 36, 30.0, 2.0, 0),
        ClipSpec::new(
            Scenario::Occluded { hidden_s: f64::NAN },
            64,
            36,
            30.0,
            9.0,
            0,
        ),
        ClipSpec::new(Scenario::Occluded { hidden_s: -1.0 }, 64, 36, 30.0, 9.0, 0),
        ClipSpec::new(Scenario::LeavesFrame, 64, 36, 30.0, 1.0, 0),
        ClipSpec {
            frames: u32::MAX,
            ..ok
        },
    ];
    for s in bad {
        let e = Clip::new(s).err();
        assert!(e.is_some(), "{s:?} accepted");
        // Errors print.
        assert!(!e.map(|e| e.to_string()).unwrap_or_default().is_empty());
    }
    let mut clip = Clip::new(ok).unwrap();
    let mut small = vec![0u8; 10];
    assert!(matches!(
        clip.render_rgb(0, &mut small),
        Err(SimError::BufferTooSmall { .. })
    ));
    let mut buf = vec![0u8; 64 * 36 * 3];
    assert!(matches!(
        clip.render_rgb(30, &mut buf),
        Err(SimError::FrameOutOfRange { .. })
    ));
    // Beyond the end, ground truth still answers (no panic).
    let _ = clip.ground_truth(u32::MAX);
    assert!(matches!(
        render_random_frame(0, 0, 10, &mut buf),
        Err(SimError::InvalidSize { .. })
    ));
    assert!(matches!(
        render_random_frame(0, 64, 36, &mut small),
        Err(SimError::BufferTooSmall { .. })
    ));
    let mut out = vec![0u8; 64 * 36 * 2];
    let odd = vec![0u8; 63 * 35 * 3];
    assert!(matches!(
        nv21_from_rgb(&odd, 63, 35, &mut out),
        Err(SimError::OddSize { .. })
    ));
    assert!(matches!(
        nv12_from_rgb(&buf, 64, 36, &mut small),
        Err(SimError::BufferTooSmall { .. })
    ));
    assert!(matches!(
        i420_from_rgb(&small, 64, 36, &mut out),
        Err(SimError::BufferTooSmall { .. })
    ));
    assert!(matches!(
        rgba_from_rgb(&buf, 64, 36, &mut small),
        Err(SimError::BufferTooSmall { .. })
    ));
    assert!(matches!(
        bgra_from_rgb(&buf, 0, 36, &mut out),
        Err(SimError::InvalidSize { .. })
    ));
}

#[test]
fn tiny_and_odd_sizes_render() {
    for (w, h) in [(1u32, 1u32), (3, 2), (17, 9), (2, 300)] {
        for sc in all_scenarios() {
            let spec = ClipSpec::new(sc, w, h, 25.0, 6.0, 5);
            let mut clip = Clip::new(spec).unwrap();
            let mut buf = vec![0u8; (w * h * 3) as usize];
            for f in [0, 50, clip.frame_count() - 1] {
                clip.render_rgb(f, &mut buf).unwrap();
            }
        }
        let mut buf = vec![0u8; (w * h * 3) as usize];
        for seed in 0..10 {
            render_random_frame(seed, w, h, &mut buf).unwrap();
        }
    }
}

#[test]
fn portrait_and_square_images_keep_the_promises() {
    for (w, h) in [(360u32, 640u32), (400, 400)] {
        for seed in 0..4 {
            let fps = 30.0;
            let g = gts(ClipSpec::new(
                Scenario::Occluded { hidden_s: 1.2 },
                w,
                h,
                fps,
                6.0,
                seed,
            ));
            let runs = hidden_runs(&g);
            assert_eq!(runs.len(), 1, "{w}x{h} seed {seed}: {runs:?}");
            let n = runs[0].1 - runs[0].0;
            assert!(
                (n as f64 - 1.2 * fps).abs() <= 1.0,
                "{w}x{h} seed {seed}: hidden {n} frames"
            );
            let g = gts(ClipSpec::new(Scenario::StraightPass, w, h, fps, 4.0, seed));
            assert!(
                g.iter().all(|x| x.in_frame && x.visible_fraction > 0.99),
                "{w}x{h} seed {seed}"
            );
            let g = gts(ClipSpec::new(Scenario::LeavesFrame, w, h, fps, 5.0, seed));
            assert!(g.iter().any(|x| !x.in_frame) && g[0].in_frame && g[g.len() - 1].in_frame);
        }
    }
}
