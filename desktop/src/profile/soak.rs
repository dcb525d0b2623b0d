//! `ballcam profile --soak N`: N frames through one engine, as in a long match, with the events
//! a phone camera app meets: the ball coming and going, one detector run stalled for 5 s, the
//! app in the background for a minute, the camera's clock restarting (the app resets the
//! engine, as the shells do on resume), and a change of resolution and of rotation mid-stream.
//!
//! Frames are rendered once (two small looping clips of ballcam-sim: the ball leaving and
//! re-entering the frame, and a match at another resolution), encoded to NV21 and fed with a
//! continuous clock. The scheduler runs on a fixed cost model (detector cost proportional to its
//! input pixels; the stalled run injected as 5 s), so the schedule does not depend on how busy
//! the machine is; the latencies reported are measured. Reported: RSS growth after warm-up, the
//! p99 latency of the first and last 10% of frames, frames to re-acquire the ball after each
//! event, and whether the telemetry counters agree with what the engine returned.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

use anyhow::{anyhow, Context, Result};
use ballcam_core::{Config, Engine, Frame, Preset, Rotation, TrackState};
use ballcam_sim::{nv21_from_rgb, Clip, ClipSpec, Scenario};
use serde::Serialize;

use super::ProfileArgs;
use crate::errors::bad_input;
use crate::stats::percentile;
use ballcam_core::US_PER_S;

/// Frame rate of the soak, frames per second.
const FPS: f64 = 30.0;
/// Frames of each rendered loop.
const LOOP_FRAMES: u32 = 240;
/// Size of the main loop (the ball leaving and re-entering the frame).
const MAIN_SIZE: (u32, u32) = (320, 240);
/// Size after the resolution change (a match clip).
const OTHER_SIZE: (u32, u32) = (480, 272);
/// Seeds of the two loops.
const SEEDS: (u64, u64) = (11, 12);
/// Smallest soak, frames.
const MIN_FRAMES: usize = 1_000;
/// RSS is sampled every this many frames.
const RSS_EVERY: usize = 1_000;
/// Share of the frames that counts as warm-up before RSS growth is measured.
const WARMUP_SHARE: f64 = 0.05;
/// Share of the frames compared for latency at the start and at the end.
const EDGE_SHARE: f64 = 0.1;
/// Scheduler cost model: detector nanoseconds per input pixel.
const NS_PER_PIXEL: u64 = 40;
/// The stalled detector run, microseconds.
const STALL_US: u64 = 5_000_000;
/// The background pause, microseconds.
const PAUSE_US: i64 = 60_000_000;
/// Frames searched after an event for the ball to be tracked again.
const REACQUIRE_WINDOW: usize = 900;
/// Goal: RSS growth after warm-up, bytes.
const GOAL_RSS_GROWTH: u64 = 1 << 20;
/// The latency percentile compared, as a quantile.
const P99: f64 = 0.99;
/// Goal: the last 10%'s p99 within this factor of the first 10%'s.
const GOAL_P99_RATIO: f64 = 1.1;
/// Where the events happen, as shares of the soak.
const EVENTS: [(f64, Event); 6] = [
    (0.25, Event::Stall),
    (0.40, Event::Pause),
    (0.55, Event::ClockReset),
    (0.70, Event::Resolution),
    (0.80, Event::Resolution),
    (0.85, Event::Rotation),
];

/// Something that happens to the stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
enum Event {
    /// One detector run takes 5 s (the process frozen mid-inference); the camera's frames of
    /// those 5 s are lost.
    Stall,
    /// The app spends a minute in the background: no frames.
    Pause,
    /// The camera's clock restarts at 0: the engine refuses the frame, the app resets it.
    ClockReset,
    /// The frame size changes (to the other loop and back).
    Resolution,
    /// The frames arrive rotated by 90°.
    Rotation,
}

/// One rendered frame.
struct Rendered {
    nv21: Vec<u8>,
    ball_visible: bool,
}

/// A looping clip, encoded.
struct Loop {
    size: (u32, u32),
    frames: Vec<Rendered>,
}

impl Loop {
    fn render(scenario: Scenario, size: (u32, u32), seed: u64) -> Result<Loop> {
        let (w, h) = size;
        let spec = ClipSpec::new(scenario, w, h, FPS, f64::from(LOOP_FRAMES) / FPS, seed);
        let mut clip = Clip::new(spec).map_err(|e| anyhow!("soak clip: {e}"))?;
        let mut rgb = vec![0u8; w as usize * h as usize * 3];
        let mut frames = Vec::with_capacity(LOOP_FRAMES as usize);
        for i in 0..LOOP_FRAMES.min(clip.frame_count()) {
            let gt = clip
                .render_rgb(i, &mut rgb)
                .map_err(|e| anyhow!("soak frame {i}: {e}"))?;
            let mut nv21 = vec![0u8; w as usize * h as usize * 3 / 2];
            nv21_from_rgb(&rgb, w, h, &mut nv21).map_err(|e| anyhow!("soak frame {i}: {e}"))?;
            frames.push(Rendered {
                nv21,
                ball_visible: gt.visible,
            });
        }
        Ok(Loop { size, frames })
    }
}

/// Frames until the ball was tracked again after an event.
#[derive(Debug, Serialize)]
struct Reacquire {
    event: Event,
    frame: usize,
    /// Frames from the event to the first frame whose ball was detected (None: not within
    /// [`REACQUIRE_WINDOW`]).
    frames_to_detect: Option<usize>,
    /// The same, counting only frames whose ball was visible.
    visible_frames_to_detect: Option<usize>,
}

/// What `--soak` reports.
#[derive(Debug, Serialize)]
struct SoakReport {
    frames: usize,
    preset: String,
    wall_s: f64,
    rss_warm_bytes: u64,
    rss_last_bytes: u64,
    rss_max_after_warmup_bytes: u64,
    rss_growth_bytes: i64,
    rss_goal_met: bool,
    p99_first_us: u64,
    p99_last_us: u64,
    p99_ratio: f64,
    p99_goal_met: bool,
    reacquire: Vec<Reacquire>,
    errors: u64,
    telemetry: ballcam_core::Telemetry,
    telemetry_consistent: bool,
    telemetry_checks: Vec<String>,
}

fn rss_bytes() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            let line = s.lines().find(|l| l.starts_with("VmRSS:"))?;
            line.split_whitespace().nth(1)?.parse::<u64>().ok()
        })
        .map_or(0, |kb| kb * 1024)
}

/// The p99 latency of `values` (0 when empty).
fn p99(values: &mut [u64]) -> u64 {
    values.sort_unstable();
    percentile(values, P99).unwrap_or(0)
}

/// Runs the soak and prints (and writes) its report.
pub fn run(args: &ProfileArgs, frames: usize, json: bool) -> Result<()> {
    if frames < MIN_FRAMES {
        return Err(bad_input(format!(
            "--soak needs at least {MIN_FRAMES} frames"
        )));
    }
    let preset: Preset = args.preset.parse().map_err(|e| bad_input(format!("{e}")))?;
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("cannot create {}", args.out.display()))?;
    if !json {
        eprintln!("soak: rendering the loops...");
    }
    let loops = [
        Loop::render(Scenario::LeavesFrame, MAIN_SIZE, SEEDS.0)?,
        Loop::render(Scenario::Match, OTHER_SIZE, SEEDS.1)?,
    ];
    let mut config = Config::preset(preset);
    let side = MAIN_SIZE.0.max(OTHER_SIZE.0);
    config.max_frame_width = config.max_frame_width.max(side);
    config.max_frame_height = config.max_frame_height.max(side);
    super::measure::apply_overrides(&mut config, args);
    let mut engine = Engine::new(config).context("cannot build the engine")?;
    let injected = Arc::new(AtomicU64::new(0));
    let cost = Arc::clone(&injected);
    engine.set_cost_model(Some(Box::new(move |_, input| {
        match cost.swap(0, Ordering::Relaxed) {
            0 => u64::from(input.width) * u64::from(input.height) * NS_PER_PIXEL / 1_000,
            stall => stall,
        }
    })));

    let step_us = (US_PER_S / FPS).round() as i64;
    let warm_at = ((frames as f64 * WARMUP_SHARE) as usize).max(RSS_EVERY);
    let edge = ((frames as f64 * EDGE_SHARE) as usize).max(1);
    let events: Vec<(usize, Event)> = EVENTS
        .iter()
        .map(|&(share, e)| ((frames as f64 * share) as usize, e))
        .collect();
    let (mut t, mut which, mut rotation) = (0i64, 0usize, Rotation::Deg0);
    let (mut ok, mut errors) = (0u64, 0u64);
    let mut latency = Vec::with_capacity(frames);
    let (mut rss_warm, mut rss_max, mut rss_last) = (0u64, 0u64, 0u64);
    let mut pending: Vec<(usize, Event, usize)> = Vec::new();
    let mut reacquire = Vec::new();
    let mut counts = [0u64; 3];
    let started = Instant::now();
    for i in 0..frames {
        t += step_us;
        for &(at, event) in events.iter().filter(|(at, _)| *at == i) {
            match event {
                Event::Stall => {
                    injected.store(STALL_US, Ordering::Relaxed);
                    t += STALL_US as i64;
                }
                Event::Pause => t += PAUSE_US,
                Event::ClockReset => t = step_us,
                Event::Resolution => which = 1 - which,
                Event::Rotation => rotation = Rotation::Deg90,
            }
            pending.push((at, event, 0));
        }
        let lp = &loops[which];
        let r = &lp.frames[i % lp.frames.len()];
        let frame = Frame::nv21(&r.nv21, lp.size.0, lp.size.1, rotation, t);
        let result = match engine.process(&frame) {
            Ok(result) => result,
            Err(e) => {
                errors += 1;
                // What an app does when the camera's clock restarts: reset and go on.
                engine.reset();
                engine
                    .process(&frame)
                    .with_context(|| format!("frame {i} after a reset ({e})"))?
            }
        };
        ok += 1;
        counts[match result.state {
            TrackState::Detected => 0,
            TrackState::Predicted => 1,
            TrackState::Lost => 2,
        }] += 1;
        latency.push(result.timings.total_us);
        let detected = result.state == TrackState::Detected;
        pending.retain_mut(|(at, event, visible)| {
            *visible += usize::from(r.ball_visible);
            let done = detected || i - *at >= REACQUIRE_WINDOW;
            if done {
                reacquire.push(Reacquire {
                    event: *event,
                    frame: *at,
                    frames_to_detect: detected.then_some(i - *at),
                    visible_frames_to_detect: detected.then_some(visible.saturating_sub(1)),
                });
            }
            !done
        });
        if (i + 1) % RSS_EVERY == 0 || i + 1 == warm_at {
            let rss = rss_bytes();
            if i + 1 == warm_at {
                rss_warm = rss;
            } else if i + 1 > warm_at {
                rss_max = rss_max.max(rss);
                rss_last = rss;
            }
            if !json && (i + 1) % (RSS_EVERY * 10) == 0 {
                eprintln!(
                    "soak: {} frames, RSS {:.1} MiB",
                    i + 1,
                    rss as f64 / 1048576.0
                );
            }
        }
    }
    let wall_s = started.elapsed().as_secs_f64();
    for (at, event, _) in pending {
        reacquire.push(Reacquire {
            event,
            frame: at,
            frames_to_detect: None,
            visible_frames_to_detect: None,
        });
    }
    let p99_first = p99(&mut latency[..edge].to_vec());
    let p99_last = p99(&mut latency[frames - edge..].to_vec());
    let tm = engine.telemetry();
    // Counters since the engine was built (a reset keeps them), against what it returned.
    let mut checks = Vec::new();
    let states = tm.frames_detected + tm.frames_predicted + tm.frames_lost;
    let modes = tm.frames_full + tm.frames_roi + tm.frames_tile + tm.frames_skipped;
    checks.push(format!("frames {} = processed {ok}", tm.frames));
    checks.push(format!(
        "frame_errors {} = errors {errors}",
        tm.frame_errors
    ));
    checks.push(format!("detected + predicted + lost {states} = frames"));
    checks.push(format!("full + roi + tile + skipped {modes} = frames"));
    checks.push(format!(
        "detected {} predicted {} lost {} = returned {:?}",
        tm.frames_detected, tm.frames_predicted, tm.frames_lost, counts
    ));
    checks.push(format!(
        "acquisitions {} - losses {} in 0..=1 + resets {errors}",
        tm.acquisitions, tm.losses
    ));
    let consistent = tm.frames == ok
        && tm.frame_errors == errors
        && states == tm.frames
        && modes == tm.frames
        && [tm.frames_detected, tm.frames_predicted, tm.frames_lost] == counts
        && tm.losses <= tm.acquisitions
        && tm.acquisitions <= tm.losses + 1 + errors;
    let growth = rss_last as i64 - rss_warm as i64;
    let ratio = p99_last as f64 / p99_first.max(1) as f64;
    let report = SoakReport {
        frames,
        preset: preset.name().to_string(),
        wall_s,
        rss_warm_bytes: rss_warm,
        rss_last_bytes: rss_last,
        rss_max_after_warmup_bytes: rss_max,
        rss_growth_bytes: growth,
        rss_goal_met: growth <= GOAL_RSS_GROWTH as i64,
        p99_first_us: p99_first,
        p99_last_us: p99_last,
        p99_ratio: ratio,
        p99_goal_met: ratio <= GOAL_P99_RATIO,
        reacquire,
        errors,
        telemetry: tm,
        telemetry_consistent: consistent,
        telemetry_checks: checks,
    };
    let text = serde_json::to_string_pretty(&report)?;
    let path = args.out.join("soak.json");
    std::fs::write(&path, &text).with_context(|| format!("cannot write {}", path.display()))?;
    if json {
        println!("{text}");
    } else {
        println!("soak: {frames} frames ({preset}) in {wall_s:.0} s");
        println!(
            "RSS: {:.2} MiB after warm-up, {:.2} MiB at the end (growth {:+.3} MiB, max {:.2} MiB; goal <= 1 MiB: {})",
            rss_warm as f64 / 1048576.0,
            rss_last as f64 / 1048576.0,
            growth as f64 / 1048576.0,
            rss_max as f64 / 1048576.0,
            if report.rss_goal_met { "met" } else { "missed" }
        );
        println!(
            "latency p99: first 10% {p99_first} us, last 10% {p99_last} us (x{ratio:.2}; goal <= x{GOAL_P99_RATIO}: {})",
            if report.p99_goal_met { "met" } else { "missed" }
        );
        for r in &report.reacquire {
            println!(
                "{:?} at frame {}: detected again after {} frames ({} with the ball visible)",
                r.event,
                r.frame,
                r.frames_to_detect.map_or("-".into(), |n| n.to_string()),
                r.visible_frames_to_detect
                    .map_or("-".into(), |n| n.to_string())
            );
        }
        println!(
            "telemetry consistent: {consistent} ({})",
            report.telemetry_checks.join("; ")
        );
        println!("{}", path.display());
    }
    Ok(())
}
