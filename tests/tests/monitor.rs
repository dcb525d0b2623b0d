//! Post-deploy monitoring on rendered clips with known events: the telemetry counts the
//! occlusions, a 3 s loss, a second ball pasted in for a known number of frames and injected
//! budget overruns; the hard-case capture ring stays under its memory ceiling over a long run and
//! keeps frames of every failure; the drift comparison flags a night clip against a daytime
//! reference and not a second daytime clip.
//!
//! The scheduler is told fixed costs (except where overruns are injected), so every count below
//! depends on the frames only.

#[path = "common/clips.rs"]
mod clips;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use ballcam_core::DriftConfig;
use ballcam_core::Preset;
use ballcam_core::{Ball, Config, Engine, Error, Telemetry};
use ballcam_sim::{ClipSpec, Light, Scenario};

const W: u32 = 1280;
const H: u32 = 720;
const FPS: f64 = 30.0;
/// Occluded clips: lead-in and tail around the hidden span, seconds (the renderer's minimum).
const LEAD_S: f64 = 2.0;
const TAIL_S: f64 = 1.5;
/// A gap or loss is timed within this of the renderer's hidden span: the 0.3 s re-acquisition
/// deadline of the engine plus a frame.
const TIMING_TOLERANCE_S: f64 = 0.3 + 1.0 / FPS;

/// The desktop configuration on the football model: the clips, seeds and expected events here
/// were chosen with it (the general model tracks through more of the occlusions and sees more at
/// night, which would change what the telemetry is expected to count, not how it counts).
fn calibrated() -> Config {
    Config {
        ball: Ball::Football,
        ..Config::default()
    }
}

fn engine(config: Config) -> Engine {
    let mut e = Engine::new(config).expect("engine");
    e.set_cost_model(Some(clips::fixed_costs()));
    e
}

fn occluded(hidden_s: f64, seed: u64) -> ClipSpec {
    ClipSpec::new(
        Scenario::Occluded { hidden_s },
        W,
        H,
        FPS,
        LEAD_S + hidden_s + TAIL_S,
        seed,
    )
}

/// Pushes `spec` through `e`; returns the seconds the ball was hidden (frames not visible after
/// the first visible one, up to the last visible one).
fn push_counting_hidden(e: &mut Engine, spec: ClipSpec) -> f64 {
    let mut visible = Vec::new();
    clips::push_clip(e, spec, |_, _, _| {}, |_, gt, _| visible.push(gt.visible));
    let first = visible.iter().position(|&v| v).unwrap_or(0);
    let last = visible.iter().rposition(|&v| v).unwrap_or(0);
    let hidden = visible[first..=last].iter().filter(|&&v| !v).count();
    hidden as f64 / FPS
}

fn near(value: Option<f64>, expected: f64, what: &str) {
    let v = value.unwrap_or_else(|| panic!("{what}: no value"));
    assert!(
        (v - expected).abs() <= TIMING_TOLERANCE_S,
        "{what}: {v:.3} s, expected {expected:.3} s +- {TIMING_TOLERANCE_S:.3}"
    );
}

#[test]
fn telemetry_counts_two_occlusions_and_a_3s_loss() {
    // Clip 1 hides the ball 0.5 s (the track coasts through: max_coast_s is 1 s); clip 2 hides it
    // 3 s: lost after 1 s of coasting, re-acquired when it shows again.
    let mut e = engine(calibrated());
    // On other clips the engine follows a false ball on the occluding player for part of the
    // 3 s (the telemetry then shows more, shorter unseen gaps): these two it does not.
    let short = push_counting_hidden(&mut e, occluded(0.5, 21));
    e.reset();
    let long = push_counting_hidden(&mut e, occluded(3.0, 24));
    let t = e.telemetry();
    println!(
        "hidden {short:.3} s and {long:.3} s; telemetry {}",
        summary(&t)
    );
    assert_eq!(t.unseen_gaps, 2, "one unseen gap per occlusion");
    near(t.unseen_gap_s.min, short, "shorter unseen gap");
    near(t.unseen_gap_s.max, long, "longer unseen gap");
    assert_eq!(
        (t.losses, t.reacquisitions),
        (1, 1),
        "the 3 s occlusion only"
    );
    let coast = f64::from(Config::default().tracker.max_coast_s);
    // The lost episode runs from the end of the coast to the re-acquisition: 3 - 1 = 2 s.
    near(t.lost_s.max, long - coast, "lost episode");
    assert_eq!(t.lost_s.count, 1);
    near(t.reacquire_s.max, long, "time to re-acquire");
    // Lost time is the episode's frames: within a frame of its duration.
    assert!(
        (t.lost_time_s - t.lost_s.sum).abs() <= 1.0 / FPS + 1e-6,
        "{t:?}"
    );
    assert_eq!(
        t.acquisitions, 3,
        "two first acquisitions and a re-acquisition"
    );
    assert_eq!(t.frames_multi_ball, 0);
}

/// Where the second ball is pasted, frames, and how far to the right, in radii of the ball.
const PASTE_FROM: u32 = 45;
const PASTE_FRAMES: u32 = 30;
const PASTE_RADII: f32 = 4.5;

/// Telemetry of a straight pass, with a second ball for `PASTE_FRAMES` frames when `paste`.
fn straight_pass(paste: bool) -> Telemetry {
    let mut e = engine(calibrated());
    let spec = ClipSpec::new(Scenario::StraightPass, W, H, FPS, 4.0, 31);
    let window = PASTE_FROM..PASTE_FROM + PASTE_FRAMES;
    clips::push_clip(
        &mut e,
        spec,
        |i, gt, rgb| {
            if paste && window.contains(&i) && gt.visible {
                clips::paste_second_ball(rgb, W, H, gt, PASTE_RADII * gt.radius);
            }
        },
        |_, _, _| {},
    );
    e.telemetry()
}

#[test]
fn telemetry_counts_a_second_ball_for_n_frames() {
    let clean = straight_pass(false);
    assert_eq!(clean.frames_multi_ball, 0, "{}", summary(&clean));
    let t = straight_pass(true);
    println!("second ball for {PASTE_FRAMES} frames: {}", summary(&t));
    // Every pasted frame where the detector looked near the ball counts; none outside.
    let n = u64::from(PASTE_FRAMES);
    assert!(
        t.frames_multi_ball <= n && t.frames_multi_ball * 10 >= n * 8,
        "{} multi-ball frames for {n} pasted",
        t.frames_multi_ball
    );
    assert!(t.longest_multi_ball_run <= n && t.longest_multi_ball_run * 2 >= n);
}

#[test]
fn telemetry_counts_injected_budget_overruns() {
    // Every 20th frame from frame 20 the scheduler is told its run cost ten budgets.
    let config = Config::default();
    let budget = config.schedule.budget_us;
    let overrun = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&overrun);
    let mut e = Engine::new(config).expect("engine");
    e.set_cost_model(Some(Box::new(move |_, _| {
        if flag.load(Ordering::Relaxed) {
            10 * budget
        } else {
            clips::NOMINAL_COST_US
        }
    })));
    let spec = ClipSpec::new(Scenario::StraightPass, W, H, FPS, 4.0, 41);
    let injected_at = |i: u32| i >= 20 && i.is_multiple_of(20);
    let frame = std::cell::Cell::new(0u32);
    let (mut injected_runs, mut injected) = (0u64, 0u64);
    clips::push_clip(
        &mut e,
        spec,
        |i, _, _| {
            frame.set(i);
            overrun.store(injected_at(i), Ordering::Relaxed);
        },
        |_, _, r| {
            if injected_at(frame.get()) {
                injected += 1;
                injected_runs += u64::from(r.detector_runs > 0);
            }
        },
    );
    let t = e.telemetry();
    println!(
        "{injected} injected, {injected_runs} with a detector run: {}",
        summary(&t)
    );
    assert!(injected_runs + 1 >= injected, "the injections must land");
    assert_eq!(t.frames_over_budget, injected_runs);
    assert!(
        t.frames_skipped > 0,
        "overruns are paid back with skipped runs"
    );
}

#[test]
fn the_capture_ring_stays_under_its_ceiling_and_keeps_every_failure_episode() {
    // 96 px images; 450 KiB hold 10 of them beside the fixed buffers (6 images' worth).
    let mut config = calibrated();
    config.monitor.capture.enabled = true;
    config.monitor.capture.side_px = 96;
    config.monitor.capture.memory_kib = 450;
    let ceiling = config.monitor.capture.memory_kib as usize * 1024;
    let mut e = engine(config);
    // Six clips, each with a 3 s occlusion, 39 s of frames: every failure episode, and every
    // clip where the track was lost, keeps frames.
    let clips_n = 6u64;
    let mut lost_in = Vec::new();
    for c in 0..clips_n {
        if c > 0 {
            e.reset();
        }
        let losses = e.telemetry().losses;
        let mut within = true;
        clips::push_clip(
            &mut e,
            occluded(3.0, 50 + c),
            |_, _, _| {},
            |e, _, _| within &= e.captures().map_or(0, |r| r.heap_bytes()) <= ceiling,
        );
        let bytes = e.captures().expect("capture on").heap_bytes();
        assert!(within && bytes <= ceiling, "{bytes} > {ceiling}");
        if e.telemetry().losses > losses {
            lost_in.push(c);
        }
    }
    let ring = e.captures().expect("capture on");
    let stats = ring.stats();
    let held = ring.entries();
    println!("capture ring after {clips_n} clips (losses in clips {lost_in:?}): {stats:?}");
    for (m, _) in &held {
        println!(
            "  clip {} episode {} {:?} t {}",
            m.clip, m.episode, m.reason, m.timestamp_us
        );
    }
    assert!(
        stats.replaced > 0,
        "the run must overflow the ring: {stats:?}"
    );
    assert_eq!(stats.stored, stats.capacity);
    assert!(lost_in.len() >= 4, "losses in clips {lost_in:?}");
    for episode in 1..=stats.episodes {
        assert!(
            held.iter().any(|(m, _)| m.episode == episode),
            "episode {episode} lost every frame"
        );
    }
    for c in lost_in {
        assert!(
            held.iter().any(|(m, _)| m.clip == c),
            "clip {c}: no frame of its failure kept"
        );
    }
}

#[test]
fn the_capture_ring_counts_in_the_memory_ceiling() {
    // phone-30fps has a 64 MiB ceiling: a 1 GiB ring cannot fit, and the error says why.
    let mut c = Config::preset(Preset::Phone30Fps);
    c.monitor.capture.enabled = true;
    c.monitor.capture.memory_kib = 1 << 20;
    match Engine::new(c.clone()) {
        Err(Error::Config(e)) => {
            assert_eq!(e.field, "memory_ceiling_mb");
            assert!(e.message.contains("capture ring 1024 MiB"), "{e}");
        }
        other => panic!("expected the ceiling error, got {:?}", other.map(|_| ())),
    }
    // The default 8 MiB ring fits, and the engine counts it in its heap.
    c.monitor.capture.memory_kib = 8192;
    let e = Engine::new(c).expect("engine");
    let ring = e.captures().expect("capture on").heap_bytes();
    assert!(ring <= 8 << 20 && ring > 7 << 20, "{ring}");
    assert!(e.heap_bytes() > ring);
}

/// Telemetry of a 10 s match under `light`.
fn match_clip(seed: u64, light: Light) -> Telemetry {
    let mut e = engine(calibrated());
    let spec = ClipSpec::new(Scenario::Match, W, H, FPS, 10.0, seed).with_light(light);
    clips::push_clip(&mut e, spec, |_, _, _| {}, |_, _, _| {});
    e.telemetry()
}

#[test]
fn drift_flags_a_night_clip_and_not_a_second_daytime_clip() {
    // Latency is measured (it moves with the test machine's load): compared only in the field.
    let cfg = DriftConfig {
        max_latency_growth: 0.0,
        ..DriftConfig::default()
    };
    let reference = match_clip(61, Light::Scene);
    let day = match_clip(62, Light::Scene);
    let night = match_clip(62, Light::Night);
    for (name, t) in [("reference", &reference), ("day", &day), ("night", &night)] {
        println!("{name}: {}", summary(t));
    }
    let d = day.drift_from(&reference, &cfg);
    let n = night.drift_from(&reference, &cfg);
    for (name, r) in [("day", &d), ("night", &n)] {
        for c in &r.checks {
            println!("{name} {}: {} ({})", c.name, c.flagged, c.detail);
        }
    }
    assert!(!d.flagged, "a second daytime clip is flagged: {d:#?}");
    assert!(n.flagged, "the night clip is not flagged: {n:#?}");
    // The user's indicator agrees: more seconds shown as lost at night.
    assert!(
        night.quality_windows_lost > reference.quality_windows_lost + 3,
        "{} lost seconds at night, {} by day",
        night.quality_windows_lost,
        reference.quality_windows_lost
    );
    assert!(
        n.checks
            .iter()
            .any(|c| c.name == "confidence_shift" && c.flagged),
        "{n:#?}"
    );
}

fn summary(t: &Telemetry) -> String {
    format!(
        "frames {} (detected {}, predicted {}, lost {}), quality seconds {}/{}/{}, untracked {:.1}%, gaps {} {:?}..{:?} s, losses {}, reacquisitions {}, lost_s max {:?}, reacquire_s max {:?}, multi-ball {} (runs {}, longest {}), over budget {}, skipped {}, confidence mean {:?} of {}, low {}",
        t.frames,
        t.frames_detected,
        t.frames_predicted,
        t.frames_lost,
        t.quality_windows_good,
        t.quality_windows_uncertain,
        t.quality_windows_lost,
        t.untracked_share().unwrap_or(0.0) * 100.0,
        t.unseen_gaps,
        t.unseen_gap_s.min,
        t.unseen_gap_s.max,
        t.losses,
        t.reacquisitions,
        t.lost_s.max,
        t.reacquire_s.max,
        t.frames_multi_ball,
        t.multi_ball_runs,
        t.longest_multi_ball_run,
        t.frames_over_budget,
        t.frames_skipped,
        t.confidence.mean(),
        t.confidence.count,
        t.frames_low_confidence,
    )
}
