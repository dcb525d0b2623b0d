//! Tests of the tracker: filtering, association, coasting, acquisition and second looks.

use super::*;
use crate::types::US_PER_S;

/// Deterministic xorshift generator with Gaussian samples (tests only).
struct Rng(u64);

impl Rng {
    fn uniform(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }

    fn gauss(&mut self) -> f64 {
        let u1 = self.uniform().max(1e-12);
        let u2 = self.uniform();
        (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
    }
}

const R: f32 = 6.0;

fn cand(x: f64, y: f64, score: f32) -> Candidate {
    Candidate {
        x: x as f32,
        y: y as f32,
        radius: R,
        score,
    }
}

fn us(t: f64) -> i64 {
    (t * US_PER_S).round() as i64
}

fn tracker() -> Tracker {
    Tracker::new(TrackerConfig::default()).unwrap()
}

/// Ball position at time `t` for a constant-velocity path.
fn cv(t: f64) -> (f64, f64) {
    (200.0 + 400.0 * t, 300.0 - 50.0 * t)
}

#[test]
fn constant_velocity_with_noise_is_detected_with_accurate_velocity() {
    let mut tr = tracker();
    let mut rng = Rng(0x1234_5678);
    let fps = 30.0;
    let mut last = None;
    let mut err_sum = 0.0;
    let mut n = 0;
    for i in 0..90 {
        let t = i as f64 / fps;
        let (x, y) = cv(t);
        let c = [cand(x + rng.gauss(), y + rng.gauss(), 0.9)];
        let e = tr.update(us(t), &c, true);
        if i >= 45 {
            let e = e.unwrap();
            assert_eq!(e.state, TrackState::Detected, "frame {i}");
            let dv = (f64::from(e.vx) - 400.0).hypot(f64::from(e.vy) + 50.0);
            err_sum += dv / 403.1;
            n += 1;
            assert!(dv / 403.1 < 0.08, "frame {i}: velocity {} {}", e.vx, e.vy);
        }
        last = e;
    }
    let e = last.unwrap();
    assert!(
        err_sum / f64::from(n) < 0.03,
        "mean velocity error {}",
        err_sum / f64::from(n)
    );
    assert!(e.confidence > 0.6, "{e:?}");
    let (x, y) = cv(89.0 / fps);
    assert!(
        (f64::from(e.x) - x).hypot(f64::from(e.y) - y) < 2.0,
        "{e:?}"
    );
}

/// Frames until a moving ball first seen at 0.9, then only at 0.5, is confirmed (None: never
/// within a second).
fn frames_to_confirm(confirm_score: f32) -> Option<usize> {
    let cfg = TrackerConfig {
        confirm_score,
        ..TrackerConfig::default()
    };
    let mut tr = Tracker::new(cfg).unwrap();
    (0..30).find(|&i| {
        let t = i as f64 / 30.0;
        let (x, y) = cv(t);
        let score = if i == 0 { 0.9 } else { 0.5 };
        tr.update(us(t), &[cand(x, y, score)], true).is_some()
    })
}

#[test]
fn confirm_score_sets_the_bar_for_the_second_looks() {
    // The strong first sighting starts a hypothesis (acquire 0.55); the weaker second looks
    // confirm it only when confirm_score lets them.
    assert_eq!(frames_to_confirm(0.6), None);
    assert_eq!(frames_to_confirm(0.45), Some(2));
}

#[test]
fn occlusion_is_coasted_then_reacquired() {
    let mut tr = tracker();
    let fps = 30.0;
    let mut frames_to_reacquire = None;
    for i in 0..75 {
        let t = i as f64 / fps;
        let hidden = (30..45).contains(&i);
        let (x, y) = cv(t);
        let c = if hidden {
            vec![]
        } else {
            vec![cand(x, y, 0.9)]
        };
        if hidden {
            let p = tr.predict(us(t)).unwrap();
            let err = (f64::from(p.x) - x).hypot(f64::from(p.y) - y);
            assert!(
                err < 3.0 * f64::from(R),
                "frame {i}: prediction {err} px off"
            );
            assert!(p.sigma_x > 0.0);
        }
        let e = tr.update(us(t), &c, true);
        if i < 3 {
            continue;
        }
        let e = e.unwrap();
        if hidden {
            assert_eq!(e.state, TrackState::Predicted, "frame {i}");
            assert!(e.confidence < 0.9);
        } else if i >= 45 && frames_to_reacquire.is_none() && e.state == TrackState::Detected {
            frames_to_reacquire = Some(i - 45);
        }
    }
    let n = frames_to_reacquire.unwrap();
    assert!(
        f64::from(n as u32) / fps <= 0.1,
        "re-acquired after {n} frames"
    );
    assert_eq!(tr.state(), TrackState::Detected);
}

#[test]
fn confidence_decays_while_coasting() {
    let mut tr = tracker();
    for i in 0..10 {
        let t = i as f64 / 30.0;
        let (x, y) = cv(t);
        tr.update(us(t), &[cand(x, y, 0.95)], true);
    }
    let mut prev = 1.0;
    for i in 10..30 {
        let e = tr.update(us(i as f64 / 30.0), &[], true).unwrap();
        assert!(e.confidence < prev, "frame {i}");
        prev = e.confidence;
    }
}

/// Tracks the `cv` ball for 10 frames at 30 fps with strong detections.
fn tracked_cv_ball() -> Tracker {
    let mut tr = tracker();
    for i in 0..10 {
        let t = i as f64 / 30.0;
        let (x, y) = cv(t);
        tr.update(us(t), &[cand(x, y, 0.9)], true);
    }
    assert_eq!(tr.state(), TrackState::Detected);
    tr
}

#[test]
fn isolated_weak_detections_after_a_coast_do_not_keep_the_track_alive() {
    // The ball vanishes after frame 9; every 12th frame a weak stray peak appears right on
    // the drifting prediction. Such peaks must not extend the coast: the track is lost
    // `max_coast_s` after the last trusted detection, and the engine is told to search.
    let mut tr = tracked_cv_ball();
    let t_last = 9.0 / 30.0;
    let mut lost_after = None;
    let mut stray_accepted = false;
    for i in 10..90 {
        let t = i as f64 / 30.0;
        let stray = match tr.predict(us(t)) {
            Some(p) if (i - 10) % 12 == 11 => {
                vec![cand(f64::from(p.x) + 2.0, f64::from(p.y), 0.4)]
            }
            _ => vec![],
        };
        let e = tr.update(us(t), &stray, true);
        if !stray.is_empty() && e.is_some_and(|e| e.state == TrackState::Detected) {
            stray_accepted = true;
            assert!(
                tr.exploring(us(t)),
                "frame {i}: an untrusted track keeps the search on"
            );
            let unseen = tr.time_since_detection_s(us(t)).unwrap();
            assert!(
                unseen > 0.3,
                "frame {i}: a stray peak reset the coast clock"
            );
        }
        if e.is_none() && lost_after.is_none() {
            lost_after = Some(t - t_last);
        }
    }
    assert!(stray_accepted, "the stray peaks lie inside the gate");
    let lost_after = lost_after.expect("the track is lost");
    let max_coast = f64::from(TrackerConfig::default().max_coast_s);
    assert!(
        lost_after <= max_coast + 1.5 / 30.0,
        "lost {lost_after:.3} s after the last trusted detection"
    );
}

#[test]
fn weak_detections_of_a_reappearing_ball_restore_trust() {
    // Hidden for 0.3 s, then seen again with weak but consistent scores: the track follows
    // at once, and after `confirm_hits` detections it is trusted again.
    let mut tr = tracked_cv_ball();
    for i in 10..19 {
        tr.update(us(i as f64 / 30.0), &[], true);
    }
    let hits = TrackerConfig::default().confirm_hits as usize;
    for (k, i) in (19..30).enumerate() {
        let t = i as f64 / 30.0;
        let (x, y) = cv(t);
        let e = tr.update(us(t), &[cand(x, y, 0.4)], true).unwrap();
        assert_eq!(e.state, TrackState::Detected, "frame {i}");
        let unseen = tr.time_since_detection_s(us(t)).unwrap();
        if k + 1 < hits {
            assert!(unseen > 0.3, "frame {i}: trusted after {} weak hits", k + 1);
            assert!(tr.exploring(us(t)), "frame {i}");
        } else {
            assert_eq!(unseen, 0.0, "frame {i}: still on probation");
            assert!(!tr.exploring(us(t)), "frame {i}");
        }
    }
}

#[test]
fn hidden_longer_than_max_coast_is_lost() {
    let mut tr = tracked_cv_ball();
    let t_last = 9.0 / 30.0;
    let mut lost_at = None;
    for i in 10..60 {
        let t = i as f64 / 30.0;
        let e = tr.update(us(t), &[], true);
        if e.is_none() && lost_at.is_none() {
            lost_at = Some(t - t_last);
        }
    }
    let lost_after = lost_at.unwrap();
    assert!(
        lost_after > 1.0 && lost_after < 1.0 + 0.05,
        "lost after {lost_after}"
    );
    assert_eq!(tr.state(), TrackState::Lost);
    assert!(tr.predict(us(2.0)).is_none());
    assert!(tr.time_since_detection_s(us(2.0)).is_none());
}

#[test]
fn static_decoy_never_captures_a_confirmed_track() {
    let mut tr = tracker();
    let decoy = cand(1500.0, 900.0, 0.99);
    for i in 0..120 {
        let t = i as f64 / 30.0;
        let (x, y) = cv(t);
        // Hidden once the track is confirmed (the decoy holds confirmation back 1.5 s).
        let hidden = (60..80).contains(&i);
        let c = if hidden {
            vec![decoy]
        } else {
            vec![decoy, cand(x, y, 0.7)]
        };
        let e = tr.update(us(t), &c, true);
        // The much stronger static decoy holds confirmation back for up to
        // ambiguity_wait_s; then (and whenever a ball is reported) it is the real one.
        if i >= 50 {
            assert!(e.is_some(), "frame {i}: the ball is tracked");
        }
        if let Some(e) = e {
            let to_decoy = (e.x - decoy.x).hypot(e.y - decoy.y);
            assert!(to_decoy > 500.0, "frame {i}: captured by the decoy {e:?}");
            if !hidden {
                assert!((f64::from(e.x) - x).abs() < 20.0, "frame {i}: {e:?}");
            }
        }
    }
}

#[test]
fn moving_candidate_wins_acquisition_over_static_one() {
    for order in [false, true] {
        let mut tr = tracker();
        let mut confirmed = None;
        for i in 0..10 {
            let t = i as f64 / 30.0;
            let spare = cand(1000.0, 500.0, 0.95);
            let ball = cand(300.0 + 300.0 * t, 400.0, 0.8);
            let c = if order { [spare, ball] } else { [ball, spare] };
            if let Some(e) = tr.update(us(t), &c, true) {
                confirmed.get_or_insert(i);
                assert!(
                    (f64::from(e.x) - (300.0 + 300.0 * t)).abs() < 10.0,
                    "frame {i}: {e:?}"
                );
            }
        }
        assert_eq!(confirmed, Some(2), "confirmed on the third hit");
    }
}

#[test]
fn static_ball_alone_is_acquired() {
    let mut tr = tracker();
    // A static candidate is confirmed after static_confirm_s (1 s by default).
    for i in 0..35 {
        tr.update(us(i as f64 / 30.0), &[cand(640.0, 360.0, 0.9)], true);
    }
    let e = tr
        .update(us(35.0 / 30.0), &[cand(640.0, 360.0, 0.9)], true)
        .unwrap();
    assert_eq!(e.state, TrackState::Detected);
    assert!((e.x - 640.0).abs() < 0.5);
}

#[test]
fn tentative_track_is_visible_before_confirmation() {
    let mut tr = tracker();
    assert!(tr.tentative(0).is_none());
    tr.update(0, &[cand(300.0, 400.0, 0.5), cand(900.0, 500.0, 0.9)], true);
    let p = tr.tentative(us(0.02)).unwrap();
    assert!(
        (p.x - 900.0).abs() < 1.0 && (p.y - 500.0).abs() < 1.0,
        "{p:?}"
    );
    assert!(p.sigma_x > 0.0);
    assert!(tr.predict(us(0.02)).is_none());
    assert!(tr.tentative(us(1.0)).is_none(), "expired");
    for i in 1..4 {
        // Moving (a static one would wait for static_confirm_s).
        let t = i as f64 / 30.0;
        tr.update(us(t), &[cand(900.0 + 300.0 * t, 500.0, 0.9)], true);
    }
    assert_eq!(tr.state(), TrackState::Detected);
    assert!(tr.tentative(us(0.2)).is_none());
}

#[test]
fn weak_candidates_do_not_start_a_track() {
    let mut tr = tracker();
    for i in 0..30 {
        let e = tr.update(us(i as f64 / 30.0), &[cand(640.0, 360.0, 0.5)], true);
        assert!(e.is_none());
    }
}

#[test]
fn clutter_gives_one_estimate_on_the_ball() {
    let mut tr = tracker();
    let mut rng = Rng(99);
    let mut c = Vec::with_capacity(64);
    for i in 0..150 {
        let t = i as f64 / 30.0;
        let (x, y) = cv(t);
        c.clear();
        for _ in 0..8 {
            let score = (0.3 + 0.65 * rng.uniform()) as f32;
            c.push(cand(rng.uniform() * 1920.0, rng.uniform() * 1080.0, score));
        }
        c.push(cand(x, y, 0.9));
        let e = tr.update(us(t), &c, true);
        if i >= 60 {
            let e = e.unwrap();
            assert!(
                (f64::from(e.x) - x).hypot(f64::from(e.y) - y) < 10.0,
                "frame {i}: {e:?}"
            );
        }
    }
}

#[test]
fn non_finite_candidates_are_ignored() {
    let mut tr = tracker();
    for i in 0..60 {
        let t = i as f64 / 30.0;
        let (x, y) = cv(t);
        let c = [
            Candidate {
                x: f32::NAN,
                y: 10.0,
                radius: 5.0,
                score: 0.99,
            },
            Candidate {
                x: 10.0,
                y: f32::INFINITY,
                radius: 5.0,
                score: 0.99,
            },
            Candidate {
                x: x as f32 + 3.0,
                y: y as f32,
                radius: 5.0,
                score: f32::NAN,
            },
            Candidate {
                x: 1e30,
                y: -1e30,
                radius: 5.0,
                score: 0.99,
            },
            Candidate {
                x: x as f32,
                y: y as f32,
                radius: f32::NAN,
                score: 0.9,
            },
        ];
        let e = tr.update(us(t), &c, true);
        if i >= 3 {
            let e = e.unwrap();
            assert!(
                e.x.is_finite()
                    && e.vx.is_finite()
                    && e.radius.is_finite()
                    && e.confidence.is_finite()
            );
            assert!((f64::from(e.x) - x).abs() < 5.0, "frame {i}: {e:?}");
            assert_eq!(e.radius, TrackerConfig::default().default_radius_px);
        }
    }
}

#[test]
fn backwards_and_repeated_timestamps_do_not_move_or_panic() {
    let mut tr = tracker();
    for i in 0..10 {
        let t = i as f64 / 30.0;
        let (x, y) = cv(t);
        tr.update(us(t), &[cand(x, y, 0.9)], true);
    }
    let a = tr.update(us(0.3), &[], true).unwrap();
    let b = tr.update(us(0.3), &[], true).unwrap();
    let c = tr.update(us(0.1), &[], true).unwrap();
    let d = tr.update(i64::MIN, &[], false).unwrap();
    assert_eq!((a.x, a.y), (b.x, b.y));
    assert_eq!((a.x, a.y), (c.x, c.y));
    assert_eq!((a.x, a.y), (d.x, d.y));
    assert_eq!(tr.time_since_detection_s(0), Some(0.0));
    // A huge jump forward loses the track without overflow.
    assert!(tr.update(i64::MAX, &[cand(1.0, 1.0, 0.9)], true).is_none());
    assert!(tr.predict(i64::MAX).is_none());
    tr.reset();
    assert_eq!(tr.state(), TrackState::Lost);
    assert!(tr.update(i64::MIN, &[cand(1.0, 1.0, 0.9)], true).is_none());
}

/// A lofted ball: a parabola under an apparent gravity of about 90 radii/s^2.
fn parabola(t: f64) -> (f64, f64) {
    let g = 90.0 * f64::from(R);
    (300.0 + 350.0 * t, 800.0 - 700.0 * t + 0.5 * g * t * t)
}

#[test]
fn parabola_is_tracked_through_a_short_gap() {
    let mut tr = tracker();
    let mut rng = Rng(7);
    let fps = 30.0;
    for i in 0..60 {
        let t = i as f64 / fps;
        let (x, y) = parabola(t);
        let hidden = (30..36).contains(&i);
        let c = if hidden {
            vec![]
        } else {
            vec![cand(x + 0.5 * rng.gauss(), y + 0.5 * rng.gauss(), 0.8)]
        };
        let e = tr.update(us(t), &c, true);
        if i < 3 {
            continue;
        }
        let e = e.unwrap();
        let err = (f64::from(e.x) - x).hypot(f64::from(e.y) - y);
        if hidden {
            assert_eq!(e.state, TrackState::Predicted, "frame {i}");
            assert!(err < 4.0 * f64::from(R), "frame {i}: {err} px off");
        } else {
            assert_eq!(e.state, TrackState::Detected, "frame {i}");
            assert!(err < 6.0, "frame {i}: {err} px off");
        }
    }
}

#[test]
fn kick_reversal_is_followed() {
    let mut tr = tracker();
    let path = |t: f64| {
        if t < 1.0 {
            500.0 + 200.0 * t
        } else {
            700.0 - 1200.0 * (t - 1.0)
        }
    };
    for i in 0..60 {
        let t = i as f64 / 30.0;
        let e = tr.update(us(t), &[cand(path(t), 500.0, 0.9)], true);
        if i >= 3 {
            let e = e.unwrap();
            assert!((f64::from(e.x) - path(t)).abs() < 30.0, "frame {i}: {e:?}");
            assert_eq!(e.state, TrackState::Detected, "frame {i}");
        }
    }
    assert!(
        tr.update(us(2.0), &[cand(path(2.0), 500.0, 0.9)], true)
            .unwrap()
            .vx
            < -900.0
    );
}

#[test]
fn frame_rate_does_not_change_estimates() {
    let run = |fps: f64| {
        let mut tr = tracker();
        let mut out = Vec::new();
        let n = (2.0 * fps) as usize;
        for i in 0..n {
            let t = i as f64 / fps;
            let (x, y) = parabola(t);
            let c = if (1.0..1.2).contains(&t) {
                vec![]
            } else {
                vec![cand(x, y, 0.9)]
            };
            out.push((us(t), tr.update(us(t), &c, true)));
        }
        out
    };
    let a = run(30.0);
    let b = run(60.0);
    let mut compared = 0;
    for (t, ea) in &a {
        let Some((_, eb)) = b.iter().find(|(tb, _)| tb == t) else {
            continue;
        };
        if *t < us(0.5) {
            continue;
        }
        let (ea, eb) = (ea.unwrap(), eb.unwrap());
        assert_eq!(ea.state, eb.state, "t {t}");
        // Coasting on a curve amplifies the small difference in velocity lag.
        let tol = if ea.state == TrackState::Detected {
            2.0
        } else {
            5.0
        };
        assert!(
            (ea.x - eb.x).hypot(ea.y - eb.y) < tol,
            "t {t}: {ea:?} {eb:?}"
        );
        let speed = ea.vx.hypot(ea.vy);
        assert!(
            (ea.vx - eb.vx).hypot(ea.vy - eb.vy) < 0.1 * speed,
            "t {t}: {ea:?} {eb:?}"
        );
        compared += 1;
    }
    assert!(compared > 30);
}

#[test]
fn unsearched_frames_keep_the_track() {
    let mut tr = tracker();
    for i in 0..60 {
        let t = i as f64 / 30.0;
        let (x, y) = cv(t);
        let searched = i % 3 == 0;
        let c = if searched {
            vec![cand(x, y, 0.9)]
        } else {
            vec![]
        };
        let e = tr.update(us(t), &c, searched);
        if i >= 9 {
            let e = e.unwrap();
            assert_eq!(e.state, TrackState::Detected, "frame {i}");
            assert!((f64::from(e.x) - x).abs() < 3.0, "frame {i}: {e:?}");
        }
    }
}

#[test]
fn two_static_candidates_wait_for_one_to_move() {
    let mut tr = tracker();
    let spare = cand(1500.0, 900.0, 0.95);
    let mut first = None;
    for i in 0..90 {
        let t = i as f64 / 30.0;
        // The ball rests until 0.8 s, then rolls at 300 px/s.
        let bx = 400.0 + 300.0 * (t - 0.8).max(0.0);
        let e = tr.update(us(t), &[spare, cand(bx, 500.0, 0.8)], true);
        if let Some(e) = e {
            first.get_or_insert(i);
            assert!(
                (f64::from(e.x) - bx).abs() < 15.0,
                "frame {i}: reported {e:?}, ball at {bx}"
            );
        }
    }
    let first = first.expect("the moving ball is confirmed");
    assert!(
        (24..=30).contains(&first),
        "confirmed at frame {first}: after the ball moved (frame 24), soon after"
    );
}

#[test]
fn lone_static_candidate_waits_for_static_confirm_time() {
    let mut tr = tracker();
    let wait = f64::from(tr.config().static_confirm_s);
    let mut first = None;
    for i in 0..60 {
        let t = i as f64 / 30.0;
        if tr.update(us(t), &[cand(640.0, 360.0, 0.9)], true).is_some() {
            first.get_or_insert(t);
        }
    }
    let first = first.expect("confirmed");
    assert!(
        first >= wait && first < wait + 0.1,
        "confirmed at {first} s, wait {wait} s"
    );
}

#[test]
fn static_track_is_taken_over_by_a_moving_ball() {
    let mut tr = tracker();
    let spare = cand(1500.0, 900.0, 0.95);
    // Only the spare ball for 1.5 s: it is confirmed and becomes static.
    for i in 0..45 {
        tr.update(us(i as f64 / 30.0), &[spare], true);
    }
    assert_eq!(tr.state(), TrackState::Detected);
    assert!(
        tr.exploring(us(1.5)),
        "a static track keeps the search going"
    );
    let mut switched = None;
    for i in 45..75 {
        let t = i as f64 / 30.0;
        let bx = 300.0 + 400.0 * (t - 1.5);
        let e = tr
            .update(us(t), &[spare, cand(bx, 400.0, 0.8)], true)
            .unwrap();
        if (f64::from(e.x) - bx).abs() < 10.0 {
            switched.get_or_insert(i);
        }
    }
    let switched = switched.expect("the moving ball takes the track over");
    assert!(switched <= 50, "switched at frame {switched}");
    assert!(!tr.exploring(us(75.0 / 30.0)), "a moving track is trusted");
    // The spare ball cannot take the moving track back.
    for i in 75..120 {
        let t = i as f64 / 30.0;
        let bx = 300.0 + 400.0 * (t - 1.5);
        let e = tr
            .update(us(t), &[spare, cand(bx, 400.0, 0.8)], true)
            .unwrap();
        assert!((f64::from(e.x) - bx).abs() < 10.0, "frame {i}: {e:?}");
    }
}

#[test]
fn sparse_stills_confirm_a_moving_ball() {
    // Stills a third of a second apart (longer than confirm_window_s).
    let mut tr = tracker();
    let mut confirmed = None;
    for i in 0..8 {
        let t = i as f64 / 3.0;
        let x = 300.0 + 150.0 * t;
        if tr.update(us(t), &[cand(x, 500.0, 0.8)], true).is_some() {
            confirmed.get_or_insert(i);
        }
    }
    assert_eq!(confirmed, Some(2), "confirmed on the third still");
}

#[test]
fn a_still_confirmed_by_its_second_look_starts_the_track_at_once() {
    // Stills 0.3 s apart (>= still_gap_s 0.09): the search's candidate at (300, 500) and the
    // second look's detection at it (0.8 >= confirm_score 0.55) give the ball on the first
    // still, where ordinary acquisition needs three.
    let mut tr = tracker();
    assert!(
        !tr.is_still_gap(None),
        "a first frame of unknown gap may open a video"
    );
    assert!(tr.is_still_gap(Some(us(0.3))));
    assert!(!tr.is_still_gap(Some(us(1.0 / 30.0))), "30 fps video");
    let c = cand(300.0, 500.0, 0.8);
    let b = tr
        .update_still(0, &[c], true)
        .expect("ball on the first still");
    assert_eq!((b.x, b.y, b.state), (300.0, 500.0, TrackState::Detected));
    // Evidence below confirm_score (the mean of search and second look 0.5) does not start a
    // track, and leaves no hypothesis either: the next still's strong evidence 60 px away
    // starts the track there, alone.
    let mut tr = tracker();
    assert!(tr
        .update_still(0, &[cand(300.0, 500.0, 0.5)], true)
        .is_none());
    let b = tr
        .update_still(us(0.3), &[cand(360.0, 500.0, 0.8)], true)
        .expect("ball");
    assert_eq!((b.x, b.y), (360.0, 500.0));
}

#[test]
fn two_confirmed_balls_on_a_still_wait_for_the_ordinary_acquisition() {
    // 0.8 and 0.7 are within the rival margin (0.15) and 600 px apart: two balls, no guess.
    let mut tr = tracker();
    let (a, b) = (cand(300.0, 500.0, 0.8), cand(900.0, 500.0, 0.7));
    assert!(tr.update_still(0, &[a, b], true).is_none());
    // 0.9 against 0.6 (0.3 apart) is not a rival: the stronger starts the track.
    let mut tr = tracker();
    let (a, b) = (cand(300.0, 500.0, 0.9), cand(900.0, 500.0, 0.6));
    let ball = tr.update_still(0, &[a, b], true);
    assert_eq!(ball.map(|b| b.x), Some(300.0));
}

#[test]
fn a_still_moves_the_track_to_a_stronger_confirmed_ball_beyond_its_reach() {
    // Reach: max(moving_displacement 1.5 x radius 6, moving_min_px 8) = 9 px.
    let start = |tr: &mut Tracker| tr.update_still(0, &[cand(300.0, 500.0, 0.8)], true);
    // 0.3 s later the track's detection (0.6, 5 px from it) and a weaker confirmed one 400 px
    // away (0.58): the track's detection stands.
    let mut tr = tracker();
    start(&mut tr);
    let (near, far) = (cand(305.0, 500.0, 0.6), cand(700.0, 450.0, 0.58));
    let b = tr.update_still(us(0.3), &[near, far], true).expect("ball");
    assert!((b.x - 305.0).abs() < 1.0, "{b:?}");
    // A stronger one there (0.9 > 0.6) says the ball is there: the track starts again on it.
    let mut tr = tracker();
    start(&mut tr);
    let far = cand(700.0, 450.0, 0.9);
    let b = tr.update_still(us(0.3), &[near, far], true).expect("ball");
    assert_eq!((b.x, b.y, b.state), (700.0, 450.0, TrackState::Detected));
    // A still where nothing is confirmed reports no ball (the prediction across the gap is a
    // guess), but keeps the track.
    assert!(tr.update_still(us(0.6), &[], true).is_none());
    assert_eq!(tr.state(), TrackState::Predicted);
}

#[test]
fn a_weak_detection_near_the_track_on_a_still_is_no_ball() {
    // A confirmed track, then a still 0.3 s later whose only evidence near the prediction is
    // weak (mean of search and second look 0.45 < confirm 0.55): on a 30 fps video it would
    // update the track (track_score 0.3); on a still it is no ball, and the track coasts.
    let mut tr = tracker();
    tr.update_still(0, &[cand(300.0, 500.0, 0.8)], true);
    assert!(tr
        .update_still(us(0.3), &[cand(310.0, 500.0, 0.45)], true)
        .is_none());
    assert_eq!(tr.state(), TrackState::Predicted);
    // Confirmed evidence at the same place continues the track.
    let b = tr
        .update_still(us(0.6), &[cand(320.0, 500.0, 0.7)], true)
        .expect("ball");
    assert_eq!(b.state, TrackState::Detected);
    assert!((b.x - 320.0).abs() < 5.0, "{b:?}");
}

#[test]
fn hypotheses_are_ranked_and_kept_beside_a_track() {
    let mut tr = tracker();
    let mut out = [None; MAX_HYPOTHESES];
    assert_eq!(tr.hypotheses(0, &mut out), 0);
    tr.update(0, &[cand(300.0, 400.0, 0.7), cand(900.0, 500.0, 0.9)], true);
    tr.update(us(0.033), &[cand(300.0, 400.0, 0.7)], true);
    assert_eq!(tr.hypotheses(us(0.05), &mut out), 2);
    let (a, b) = (out[0].unwrap(), out[1].unwrap());
    assert!((a.x - 300.0).abs() < 1.0, "more hits first: {a:?}");
    assert!((b.x - 900.0).abs() < 1.0, "{b:?}");
    assert!(out[2].is_none());
}

#[test]
fn attention_looks_at_the_best_hypothesis_and_its_rival_then_at_the_track() {
    let mut tr = tracker();
    let (view, lookout) = tr.attention(0, false);
    assert_eq!(view, TrackView::None);
    assert_eq!(lookout.rival, None);
    assert!(lookout.search, "no track: search");
    tr.update(0, &[cand(300.0, 400.0, 0.7), cand(900.0, 500.0, 0.9)], true);
    tr.update(us(0.033), &[cand(300.0, 400.0, 0.7)], true);
    // Acquiring: the best hypothesis is the primary, the second best the rival.
    let (view, lookout) = tr.attention(us(0.05), false);
    let TrackView::At {
        prediction,
        unseen_s,
    } = view
    else {
        panic!("{view:?}");
    };
    assert!((prediction.x - 300.0).abs() < 1.0, "{prediction:?}");
    assert_eq!(unseen_s, 0.0);
    assert!(lookout.rival.is_some_and(|r| (r.x - 900.0).abs() < 1.0));
    assert!(lookout.search);
    // A confirmed, moving track: its prediction alone, no search but on a still.
    let mut tr = tracker();
    for i in 0..30 {
        let t = f64::from(i) / 30.0;
        let (x, y) = cv(t);
        tr.update(us(t), &[cand(x, y, 0.9)], true);
    }
    let t = us(30.0 / 30.0);
    let (view, lookout) = tr.attention(t, false);
    assert!(matches!(view, TrackView::At { prediction, .. } if Some(prediction) == tr.predict(t)));
    assert_eq!(lookout, Lookout::default());
    assert!(tr.attention(t, true).1.search, "a still searches");
}

#[test]
fn coasting_track_yields_to_a_ball_reappearing_elsewhere() {
    let mut tr = tracker();
    // A ball rolling right, then hidden at 1.0 s; it reappears 300 px behind the
    // prediction (it slowed down behind a player) rolling left.
    let mut back_at = None;
    for i in 0..75 {
        let t = i as f64 / 30.0;
        let c = if t < 1.0 {
            vec![cand(300.0 + 300.0 * t, 500.0, 0.8)]
        } else if t < 1.5 {
            vec![]
        } else {
            vec![cand(600.0 - 400.0 * (t - 1.5), 520.0, 0.8)]
        };
        let e = tr.update(us(t), &c, true);
        if let (Some(e), Some(c)) = (e, c.first()) {
            if t >= 1.5 && e.state == TrackState::Detected && (e.x - c.x).abs() < 10.0 {
                back_at.get_or_insert(t - 1.5);
            }
        }
    }
    let back = back_at.expect("re-acquired");
    assert!(back <= 0.15, "re-acquired {back:.3} s after it reappeared");
}

#[test]
fn weak_moving_candidate_waits_for_a_strong_resting_ball() {
    let mut tr = tracker();
    let wait = f64::from(tr.config().ambiguity_wait_s);
    for i in 0..60 {
        let t = i as f64 / 30.0;
        // A resting ball seen clearly, and a boot walking past with a weak score.
        let c = [
            cand(640.0, 360.0, 0.92),
            cand(200.0 + 60.0 * t, 600.0, 0.65),
        ];
        if let Some(e) = tr.update(us(t), &c, true) {
            assert!(
                (e.x - 640.0).abs() < 5.0 || t >= wait,
                "t {t:.2}: took the weak moving candidate {e:?}"
            );
        }
    }
}

#[test]
fn ball_back_near_its_exit_is_reacquired_at_once() {
    let mut tr = tracker();
    for i in 0..30 {
        let t = i as f64 / 30.0;
        tr.update(us(t), &[cand(1800.0 + 100.0 * t, 500.0, 0.9)], true);
    }
    for i in 30..120 {
        tr.update(us(i as f64 / 30.0), &[], true);
    }
    assert_eq!(tr.state(), TrackState::Lost);
    let e = tr
        .update(us(3.5), &[cand(1890.0, 520.0, 0.9)], true)
        .unwrap();
    assert_eq!(e.state, TrackState::Detected);
    // Elsewhere, acquisition takes the configured hits.
    let mut tr2 = tr.clone();
    tr2.reset();
    assert!(tr2
        .update(us(3.5), &[cand(200.0, 520.0, 0.9)], true)
        .is_none());
}

#[test]
fn config_is_validated_and_serialised() {
    assert!(TrackerConfig::default().validate().is_ok());
    let bad = TrackerConfig {
        gate: f32::NAN,
        ..TrackerConfig::default()
    };
    let e = Tracker::new(bad).unwrap_err();
    assert_eq!(e.field, "gate");
    assert!(e.message.contains("NaN"), "{e}");
    let bad = TrackerConfig {
        track_score: 0.9,
        ..TrackerConfig::default()
    };
    assert_eq!(bad.validate().unwrap_err().field, "track_score");
    let bad = TrackerConfig {
        confirm_hits: 0,
        ..TrackerConfig::default()
    };
    assert!(bad.validate().unwrap_err().message.contains('0'));
    let json = serde_json::to_string(&TrackerConfig::default()).unwrap();
    let back: TrackerConfig = serde_json::from_str(&json).unwrap();
    assert_eq!(back, TrackerConfig::default());
    let partial: TrackerConfig = serde_json::from_str(r#"{"gate": 9.2}"#).unwrap();
    assert_eq!(partial.gate, 9.2);
    assert!(serde_json::from_str::<TrackerConfig>(r#"{"gat": 9.2}"#).is_err());
    assert_eq!(
        serde_json::to_string(&TrackState::Predicted).unwrap(),
        "\"predicted\""
    );
}

#[test]
fn a_still_no_detector_ran_on_keeps_the_track_as_it_was() {
    // No detector run (the credit was spent): nothing was searched, so the track is not
    // counted as missed (it stays Detected, not Predicted), and no ball is reported.
    let mut tr = tracker();
    tr.update_still(0, &[cand(300.0, 500.0, 0.8)], true);
    assert!(tr.update_still(us(0.3), &[], false).is_none());
    assert_eq!(tr.state(), TrackState::Detected);
    // Evidence with no run is a caller's contradiction: it is ignored, the track stays.
    let far = cand(900.0, 200.0, 0.9);
    assert!(tr.update_still(us(0.35), &[far], false).is_none());
    assert_eq!(tr.state(), TrackState::Detected);
    // Searched and nothing confirmed: the track coasts.
    assert!(tr.update_still(us(0.6), &[], true).is_none());
    assert_eq!(tr.state(), TrackState::Predicted);
}
