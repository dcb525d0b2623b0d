//! Tests of the crop planner: framing, zoom, limits, lost ball, frame-rate independence.

use super::*;

const W: u32 = 1920;
const H: u32 = 1080;

/// Deterministic xorshift generator (tests only).
struct Rng(u64);

impl Rng {
    fn uniform(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn ball(x: f64, y: f64, vx: f64, vy: f64, state: TrackState) -> BallEstimate {
    BallEstimate {
        x: x as f32,
        y: y as f32,
        vx: vx as f32,
        vy: vy as f32,
        radius: 6.0,
        confidence: 0.9,
        state,
    }
}

fn us(t: f64) -> i64 {
    (t * US_PER_S).round() as i64
}

fn planner() -> CropPlanner {
    CropPlanner::new(CropConfig::default()).unwrap()
}

fn centre(r: &CropRect) -> (f64, f64) {
    (
        f64::from(r.x) + 0.5 * f64::from(r.width),
        f64::from(r.y) + 0.5 * f64::from(r.height),
    )
}

/// Inside the frame with the aspect's shape (within 1 px).
fn check_rect(r: &CropRect, fw: u32, fh: u32, aspect: AspectRatio, what: &str) {
    let (fw, fh) = (fw as f32, fh as f32);
    assert!(r.x >= 0.0 && r.y >= 0.0, "{what}: {r:?}");
    assert!(
        r.x + r.width <= fw && r.y + r.height <= fh,
        "{what}: {r:?} in {fw}x{fh}"
    );
    assert!(r.width >= 1.0 && r.height >= 1.0, "{what}: {r:?}");
    let expect_h = r.width * aspect.h as f32 / aspect.w as f32;
    assert!(
        (expect_h - r.height).abs() <= 1.0,
        "{what}: {r:?} is not {aspect}"
    );
}

/// The crop centre's path never accelerates beyond the limit between three outputs.
fn check_accel(path: &[(i64, CropRect)], fw: u32, what: &str) {
    let limit = f64::from(CropConfig::default().max_pan_accel) * f64::from(fw);
    for win in path.windows(3) {
        let (t0, t1, t2) = (win[0].0, win[1].0, win[2].0);
        let (dt1, dt2) = (seconds(t1 - t0), seconds(t2 - t1));
        let (c0, c1, c2) = (centre(&win[0].1), centre(&win[1].1), centre(&win[2].1));
        // Second difference scaled for uneven steps: exact for uniform ones.
        let ddx = (c2.0 - c1.0) - (c1.0 - c0.0) * dt2 / dt1;
        let ddy = (c2.1 - c1.1) - (c1.1 - c0.1) * dt2 / dt1;
        let bound = limit * dt2 * 0.5 * (dt1 + dt2) + 0.01;
        assert!(
            ddx.hypot(ddy) <= bound,
            "{what}: t {t1}: second difference {} > {bound}",
            ddx.hypot(ddy)
        );
    }
}

#[test]
fn coasting_ball_at_an_edge_widens_to_the_wide_view() {
    // A ball held at the left edge, then coasting with confidence falling to zero: the
    // crop must grow (moving its centre off the edge), not stay stuck at its width.
    let (fw, fh) = (1280u32, 720u32);
    let mut p = planner();
    let mut path = Vec::new();
    let mut last = None;
    for i in 0..150 {
        let t = i as f64 / 30.0;
        let mut b = ball(40.0, 600.0, 0.0, 0.0, TrackState::Detected);
        if i >= 60 {
            b.state = TrackState::Predicted;
            b.confidence = (0.9 * (1.0 - (t - 2.0))).max(0.0) as f32;
        }
        let r = p.update(us(t), fw, fh, Some(&b));
        check_rect(&r, fw, fh, AspectRatio::new(16, 9), "coast");
        path.push((us(t), r));
        if i == 59 {
            assert!(r.width < 0.9 * fw as f32, "zoomed in on the ball: {r:?}");
        }
        last = Some(r);
    }
    let r = last.unwrap();
    assert!(
        r.width > 0.95 * fw as f32,
        "zero confidence: wide view expected, got {r:?}"
    );
    check_accel(&path, fw, "coast");
}

/// Adversarial ball: jumping to corners, outside the frame, NaN, lost, predicted.
fn adversarial(i: usize, fw: f64, fh: f64) -> Option<BallEstimate> {
    let s = [
        TrackState::Detected,
        TrackState::Predicted,
        TrackState::Detected,
        TrackState::Lost,
    ];
    let state = s[i % 4];
    match i % 11 {
        0 => Some(ball(0.0, 0.0, -5000.0, -5000.0, state)),
        1 => Some(ball(fw, fh, 9000.0, 0.0, state)),
        2 => Some(ball(fw, 0.0, 0.0, 9000.0, state)),
        3 => Some(ball(0.0, fh, 1e9, -1e9, state)),
        4 => Some(ball(-500.0, 3.0 * fh, 0.0, 0.0, state)),
        5 => Some(ball(f64::NAN, 10.0, 0.0, 0.0, TrackState::Detected)),
        6 => None,
        7 => Some(ball(
            0.5 * fw,
            0.5 * fh,
            f64::INFINITY,
            f64::NAN,
            TrackState::Detected,
        )),
        8 => Some(BallEstimate {
            confidence: f32::NAN,
            ..ball(fw, fh * 0.5, 100.0, 0.0, TrackState::Predicted)
        }),
        9 => Some(ball(1e20, -1e20, 0.0, 0.0, TrackState::Detected)),
        _ => Some(ball(fw * 0.9, fh * 0.1, 0.0, 0.0, TrackState::Detected)),
    }
}

#[test]
fn crop_stays_inside_with_its_aspect_and_acceleration_limit_under_adversarial_input() {
    let aspects = ["16:9", "9:16", "1:1", "21:9", "4:3"];
    let frames = [(W, H), (H, W), (640, 480)];
    for aspect in aspects {
        let aspect: AspectRatio = aspect.parse().unwrap();
        for (fw, fh) in frames {
            for timing in 0..3 {
                let cfg = CropConfig {
                    aspect,
                    ..CropConfig::default()
                };
                let mut p = CropPlanner::new(cfg).unwrap();
                let mut rng = Rng(42 + timing);
                let mut t = 1_000_000i64;
                let mut path = Vec::new();
                for i in 0..600 {
                    t += match timing {
                        0 => 33_333,
                        1 => 16_667,
                        _ => (2_000.0 + 80_000.0 * rng.uniform()) as i64,
                    };
                    let b = adversarial(i, f64::from(fw), f64::from(fh));
                    let r = p.update(t, fw, fh, b.as_ref());
                    let what = format!("{aspect} {fw}x{fh} timing {timing} frame {i}");
                    check_rect(&r, fw, fh, aspect, &what);
                    path.push((t, r));
                }
                check_accel(&path, fw, &format!("{aspect} {fw}x{fh} timing {timing}"));
            }
        }
    }
}

#[test]
fn acceleration_limit_holds_while_following_and_zooming() {
    for (fps, jitter) in [(30.0, false), (60.0, false), (30.0, true)] {
        let mut p = planner();
        let mut rng = Rng(5);
        let mut path = Vec::new();
        let mut t = 0.0;
        for i in 0..400 {
            t += if jitter {
                (0.3 + 1.4 * rng.uniform()) / fps
            } else {
                1.0 / fps
            };
            // A ball shooting from side to side, each time near the frame edge.
            let phase = (t * 1.3).sin();
            let x = 960.0 + 940.0 * phase;
            let vx = 940.0 * 1.3 * (t * 1.3).cos();
            let state = if i % 50 < 40 {
                TrackState::Detected
            } else {
                TrackState::Predicted
            };
            let b = if i % 120 > 110 {
                None
            } else {
                Some(ball(x, 540.0 + 500.0 * phase, vx, 0.0, state))
            };
            let r = p.update(us(t), W, H, b.as_ref());
            check_rect(&r, W, H, AspectRatio::default(), "follow");
            path.push((us(t), r));
        }
        check_accel(&path, W, &format!("{fps} fps jitter {jitter}"));
    }
}

#[test]
fn crop_brakes_before_the_frame_edge() {
    for (fps, vx, vy) in [
        (30.0, 1.0, 0.0),
        (60.0, -1.0, 0.3),
        (30.0, 0.2, 1.0),
        (60.0, 0.7, -0.7),
    ] {
        let mut p = planner();
        let mut path = Vec::new();
        let speed = 1.5 * f64::from(W);
        for i in 0..150 {
            let t = i as f64 / fps;
            // The ball runs out of the frame and on: the camera must stop at the edge.
            let (x, y) = (960.0 + vx * speed * t, 540.0 + vy * speed * t);
            let r = p.update(
                us(t),
                W,
                H,
                Some(&ball(x, y, vx * speed, vy * speed, TrackState::Detected)),
            );
            check_rect(&r, W, H, AspectRatio::default(), "edge");
            path.push((us(t), r));
        }
        check_accel(&path, W, &format!("edge {fps} fps {vx},{vy}"));
        let last = path[path.len() - 1].1;
        if vx > 0.5 {
            assert!(last.x + last.width >= W as f32 - 1.0, "{last:?}");
        }
    }
}

#[test]
fn ball_at_most_of_the_pan_speed_stays_in_the_crop() {
    let v = 0.8 * f64::from(CropConfig::default().max_pan_speed) * f64::from(W);
    for fps in [30.0, 60.0] {
        let mut p = planner();
        // Left to right, back, diagonally up, then down, at full test speed.
        let legs = [
            (v, 0.0, 1820.0 / v),
            (-v, 0.0, 1820.0 / v),
            (0.85 * v, -0.5 * v, 480.0 / (0.5 * v)),
            (0.0, v, 960.0 / v),
        ];
        let (mut x, mut y) = (50.0, 540.0);
        let mut t = 0.0;
        let step = 1.0 / fps;
        for (vx, vy, dur) in legs {
            let n = (dur * fps) as usize;
            for _ in 0..n {
                let r = p.update(us(t), W, H, Some(&ball(x, y, vx, vy, TrackState::Detected)));
                let inside = x >= f64::from(r.x)
                    && x <= f64::from(r.x + r.width)
                    && y >= f64::from(r.y)
                    && y <= f64::from(r.y + r.height);
                assert!(inside, "{fps} fps, t {t}: ball {x},{y} outside {r:?}");
                x += vx * step;
                y += vy * step;
                t += step;
            }
        }
    }
}

#[test]
fn dead_zone_ignores_jitter() {
    let mut p = planner();
    let mut rng = Rng(11);
    let mut settled = None;
    for i in 0..300 {
        let t = i as f64 / 30.0;
        let jx = 4.0 * (rng.uniform() - 0.5);
        let jy = 4.0 * (rng.uniform() - 0.5);
        let jv = 30.0 * (rng.uniform() - 0.5);
        let b = ball(700.0 + jx, 500.0 + jy, jv, -jv, TrackState::Detected);
        let r = p.update(us(t), W, H, Some(&b));
        if i == 150 {
            settled = Some(r);
        }
        if let Some(s) = settled {
            assert_eq!(r, s, "frame {i}: the crop moved with jitter");
        }
    }
    // A real move is followed.
    let r = (300..330).fold(CropRect::default(), |_, i| {
        p.update(
            us(i as f64 / 30.0),
            W,
            H,
            Some(&ball(1100.0, 500.0, 0.0, 0.0, TrackState::Detected)),
        )
    });
    assert!(centre(&r).0 > centre(&settled.unwrap()).0 + 100.0);
}

#[test]
fn lost_ball_holds_then_eases_to_the_wide_view() {
    let mut p = planner();
    let mut t = 0.0;
    let mut r = CropRect::default();
    while t < 3.0 {
        r = p.update(
            us(t),
            W,
            H,
            Some(&ball(400.0, 700.0, 0.0, 0.0, TrackState::Detected)),
        );
        t += 1.0 / 30.0;
    }
    let held = r;
    assert!(held.width < 0.5 * W as f32, "{held:?}");
    let lost_t = t;
    let mut prev_w = held.width;
    while t < lost_t + 4.0 {
        let b = if ((t * 30.0) as i64) % 2 == 0 {
            None
        } else {
            Some(ball(0.0, 0.0, 0.0, 0.0, TrackState::Lost))
        };
        r = p.update(us(t), W, H, b.as_ref());
        let since = t - lost_t;
        if since < 0.99 {
            assert_eq!(r, held, "hold at {since}");
        }
        assert!(
            r.width >= prev_w - 1e-3,
            "the crop narrowed while easing out at {since}"
        );
        prev_w = r.width;
        if (1.2..2.3).contains(&since) {
            assert!(r.width > held.width && r.width < W as f32, "{since}: {r:?}");
        }
        t += 1.0 / 30.0;
    }
    let wide = CropRect {
        x: 0.0,
        y: 0.0,
        width: W as f32,
        height: H as f32,
    };
    assert!(
        (r.x - wide.x).abs() < 1.0 && (r.width - wide.width).abs() < 1.0,
        "{r:?}"
    );
    assert!(
        (r.y - wide.y).abs() < 1.0 && (r.height - wide.height).abs() < 1.0,
        "{r:?}"
    );
    // Found again: eased back in, not jumped.
    let r2 = p.update(
        us(t),
        W,
        H,
        Some(&ball(400.0, 700.0, 0.0, 0.0, TrackState::Detected)),
    );
    assert!(
        (r2.width - r.width).abs() <= 0.3 * W as f32 / 30.0 + 1.0,
        "{r2:?}"
    );
}

#[test]
fn first_frame_is_wide_or_on_the_ball() {
    let mut p = planner();
    let r = p.update(0, W, H, None);
    assert_eq!(
        r,
        CropRect {
            x: 0.0,
            y: 0.0,
            width: W as f32,
            height: H as f32
        }
    );
    let mut p = planner();
    let r = p.update(
        0,
        W,
        H,
        Some(&ball(900.0, 500.0, 0.0, 0.0, TrackState::Detected)),
    );
    let c = centre(&r);
    assert!(
        (c.0 - 900.0).abs() < 0.5 && (c.1 - 500.0).abs() < 0.5,
        "{r:?}"
    );
    assert!((r.width - 0.45 * W as f32).abs() < 0.5, "{r:?}");
    // A frame-size change restarts.
    let r = p.update(10_000, H, W, None);
    assert_eq!(
        r,
        CropRect {
            x: 0.0,
            y: 0.0,
            width: H as f32,
            height: H as f32 * 9.0 / 16.0
        }
        .centred_in(H, W)
    );
}

impl CropRect {
    fn centred_in(self, fw: u32, fh: u32) -> CropRect {
        CropRect {
            x: (fw as f32 - self.width) / 2.0,
            y: (fh as f32 - self.height) / 2.0,
            ..self
        }
    }
}

/// A smooth ball path with its exact velocity.
fn smooth_path(t: f64) -> BallEstimate {
    let x = 960.0 + 700.0 * (0.9 * t).sin() + 150.0 * (2.3 * t).sin();
    let vx = 700.0 * 0.9 * (0.9 * t).cos() + 150.0 * 2.3 * (2.3 * t).cos();
    let y = 540.0 + 250.0 * (0.7 * t).sin();
    let vy = 250.0 * 0.7 * (0.7 * t).cos();
    ball(x, y, vx, vy, TrackState::Detected)
}

#[test]
fn same_path_at_30_and_60_fps_gives_the_same_crop() {
    let run = |fps: u32| {
        let mut p = planner();
        let n = 12 * fps;
        let mut out = Vec::new();
        for i in 0..n {
            let t_us = i64::from(i) * 1_000_000 / i64::from(fps);
            let t = seconds(t_us);
            let b = if (5.0..5.5).contains(&t) {
                Some(BallEstimate {
                    state: TrackState::Predicted,
                    confidence: 0.5,
                    ..smooth_path(t)
                })
            } else {
                Some(smooth_path(t))
            };
            out.push((t_us, p.update(t_us, W, H, b.as_ref())));
        }
        out
    };
    let a = run(30);
    let b = run(60);
    let mut worst: f64 = 0.0;
    for (t, ra) in &a {
        let Some((_, rb)) = b.iter().find(|(tb, _)| tb == t) else {
            continue;
        };
        let (ca, cb) = (centre(ra), centre(rb));
        worst = worst
            .max((ca.0 - cb.0).hypot(ca.1 - cb.1))
            .max(f64::from((ra.width - rb.width).abs()));
    }
    assert!(
        worst < 0.01 * f64::from(W),
        "30 vs 60 fps differ by {worst} px"
    );
}

#[test]
fn zoom_follows_speed_within_its_rate() {
    let zoom = ZoomMode::Speed {
        min_width_fraction: 0.45,
        max_width_fraction: 0.8,
        full_speed: 0.2,
    };
    let mut p = CropPlanner::new(CropConfig {
        zoom,
        ..CropConfig::default()
    })
    .unwrap();
    let mut prev: Option<CropRect> = None;
    let max_dw = f64::from(CropConfig::default().max_zoom_speed) * f64::from(W) / 30.0 + 0.01;
    let mut slow_w = 0.0;
    let speed = 0.2 * f64::from(W);
    for i in 0..210 {
        let t = i as f64 / 30.0;
        let b = if i < 90 {
            ball(200.0, 540.0, 0.0, 0.0, TrackState::Detected)
        } else {
            ball(
                200.0 + speed * (t - 3.0),
                540.0,
                speed,
                0.0,
                TrackState::Detected,
            )
        };
        let r = p.update(us(t), W, H, Some(&b));
        if let Some(q) = prev {
            assert!(
                f64::from((r.width - q.width).abs()) <= max_dw,
                "frame {i}: {q:?} -> {r:?}"
            );
        }
        if i == 89 {
            slow_w = r.width;
        }
        prev = Some(r);
    }
    let fast_w = prev.unwrap().width;
    assert!((slow_w - 0.45 * W as f32).abs() < 1.0, "{slow_w}");
    assert!((fast_w - 0.8 * W as f32).abs() < 1.0, "{fast_w}");
}

#[test]
fn repeated_backwards_and_huge_timestamps() {
    let mut p = planner();
    let b = ball(300.0, 300.0, 100.0, 0.0, TrackState::Detected);
    let r1 = p.update(1_000_000, W, H, Some(&b));
    let r2 = p.update(1_033_333, W, H, Some(&b));
    assert_eq!(p.update(1_033_333, W, H, Some(&b)), r2);
    assert_eq!(p.update(0, W, H, None), r2);
    assert_eq!(p.update(i64::MIN, W, H, None), r2);
    let r = p.update(i64::MAX, W, H, Some(&b));
    check_rect(&r, W, H, AspectRatio::default(), "huge dt");
    let r = p.update(i64::MAX, W, H, None);
    check_rect(&r, W, H, AspectRatio::default(), "max time");
    assert_ne!(r1, CropRect::default());
    assert_eq!(p.update(5, 0, H, None), CropRect::default());
    p.reset();
    let r = p.update(5, W, H, None);
    assert_eq!(r.width, W as f32);
}

#[test]
fn aspect_change_keeps_the_crop_valid() {
    let mut p = planner();
    let mut path = Vec::new();
    for i in 0..200 {
        let t = i as f64 / 30.0;
        if i == 60 {
            p.set_aspect("9:16".parse().unwrap());
            path.clear();
        }
        if i == 120 {
            p.set_aspect(AspectRatio::new(1, 1));
            path.clear();
        }
        let b = smooth_path(t);
        let r = p.update(us(t), W, H, Some(&b));
        check_rect(&r, W, H, p.config().aspect, &format!("frame {i}"));
        path.push((us(t), r));
        if path.len() >= 3 {
            check_accel(&path[path.len() - 3..], W, &format!("frame {i}"));
        }
    }
    // Invalid aspects are ignored.
    p.set_aspect(AspectRatio::new(0, 1));
    assert_eq!(p.config().aspect, AspectRatio::new(1, 1));
}

#[test]
fn aspect_ratio_parses_and_serialises() {
    assert_eq!(
        "16:9".parse::<AspectRatio>().unwrap(),
        AspectRatio::new(16, 9)
    );
    assert_eq!(
        " 9 : 16 ".parse::<AspectRatio>().unwrap(),
        AspectRatio::new(9, 16)
    );
    for bad in ["16x9", "0:9", "a:b", "16:", "100:1", "-16:9", ""] {
        let e = bad.parse::<AspectRatio>().unwrap_err();
        assert_eq!(e.field, "aspect");
        assert!(
            e.message.contains("16:9") || e.message.contains(bad),
            "{bad}: {e}"
        );
    }
    assert_eq!(
        serde_json::to_string(&AspectRatio::new(21, 9)).unwrap(),
        "\"21:9\""
    );
    assert!(serde_json::from_str::<AspectRatio>("\"4:0\"").is_err());
}

#[test]
fn config_is_validated_and_serialised() {
    assert!(CropConfig::default().validate().is_ok());
    let json = serde_json::to_string(&CropConfig::default()).unwrap();
    assert!(
        json.contains("\"aspect\":\"16:9\"") && json.contains("\"mode\":\"speed\""),
        "{json}"
    );
    assert_eq!(
        serde_json::from_str::<CropConfig>(&json).unwrap(),
        CropConfig::default()
    );
    let c: CropConfig = serde_json::from_str(
        r#"{"aspect": "9:16", "zoom": {"mode": "fixed", "width_fraction": 0.5}}"#,
    )
    .unwrap();
    assert_eq!(
        c.zoom,
        ZoomMode::Fixed {
            width_fraction: 0.5
        }
    );
    assert_eq!(c.aspect, AspectRatio::new(9, 16));
    assert!(serde_json::from_str::<CropConfig>(r#"{"dead_zon": 0.1}"#).is_err());
    assert!(
        serde_json::from_str::<CropConfig>(r#"{"zoom": {"mode": "fixed", "width": 0.5}}"#).is_err()
    );
    let e = CropPlanner::new(CropConfig {
        max_pan_accel: f32::NAN,
        ..CropConfig::default()
    })
    .unwrap_err();
    assert_eq!(e.field, "max_pan_accel");
    assert!(e.message.contains("NaN"));
    let zoom = ZoomMode::Speed {
        min_width_fraction: 0.8,
        max_width_fraction: 0.4,
        full_speed: 1.0,
    };
    let e = CropConfig {
        zoom,
        ..CropConfig::default()
    }
    .validate()
    .unwrap_err();
    assert_eq!(e.field, "zoom.max_width_fraction");
    let e = CropConfig {
        aspect: AspectRatio::new(1, 0),
        ..CropConfig::default()
    }
    .validate()
    .unwrap_err();
    assert_eq!(e.field, "aspect");
}
