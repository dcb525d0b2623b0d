//! Running the engine for `ballcam profile`: warm-up then measured frames through a new engine
//! per preset ([`run_engine`]), the samples of each frame (mode, stage timings, allocations),
//! their per-stage percentiles per detector mode, the presets' verdicts, and inference alone
//! per detector input size ([`time_inference`]).

use std::time::Instant;

use anyhow::{Context, Result};
use ballcam_core::testing::Detector;
use ballcam_core::testing::TensorMapping;
use ballcam_core::{Config, DetectorMode, Engine, Preset, StageTimings};
use serde::Serialize;

use super::frames::Frames;
use super::{ms, ProfileArgs, US_PER_MS, US_PER_S};
use crate::alloc_count;
use crate::args::Size;
use crate::stats::percentile;

/// Frames run before measuring (tract's first runs allocate and warm caches).
pub(super) const WARMUP_FRAMES: usize = 20;
/// Inference-alone timing: warm-up runs per input size.
const INFER_WARMUP_RUNS: usize = 5;
/// Inference-alone timing: measured runs per input size.
const INFER_RUNS: usize = 50;
/// Detection threshold used for inference-alone timing (decoding is timed apart).
const INFER_THRESHOLD: f32 = 0.5;
/// Bytes per kB in /proc/self/status.
const BYTES_PER_KB: u64 = 1024;
/// Value written to /proc/self/clear_refs to reset the peak RSS (`VmHWM`).
const CLEAR_REFS_RESET_PEAK: &str = "5";
/// The percentiles reported, as quantiles.
const P50: f64 = 0.5;
const P95: f64 = 0.95;
const P99: f64 = 0.99;

/// One measured frame.
#[derive(Debug, Clone, Copy)]
pub(super) struct Sample {
    pub(super) mode: DetectorMode,
    /// A tracking frame that also ran lookout work (a rival's region of interest or search
    /// passes, asked for while the tracker is unsure): reported apart from plain tracking.
    pub(super) lookout: bool,
    /// No track after the frame (the ball is lost).
    pub(super) lost: bool,
    pub(super) timings: StageTimings,
    pub(super) budget_held: bool,
    pub(super) allocations: u64,
    pub(super) allocated_bytes: u64,
}

/// What one engine run measured.
pub(super) struct RunOutcome {
    pub(super) preset: Preset,
    pub(super) threads: usize,
    pub(super) budget_us: u64,
    pub(super) samples: Vec<Sample>,
    pub(super) warmup_max_us: u64,
    pub(super) engine_heap_bytes: usize,
    pub(super) model_bytes: usize,
    /// The model in words ("embedded model (ball = any)" or the file's name).
    pub(super) model: String,
    pub(super) search_cycle_frames: usize,
    pub(super) telemetry: ballcam_core::Telemetry,
    pub(super) peak_rss_bytes: Option<u64>,
    /// Whether the peak RSS was reset before this run (else it is the process's peak so far).
    pub(super) peak_rss_reset: bool,
    /// Resident set just before the engine was built (binary, input buffers, renderer), bytes.
    pub(super) rss_before_engine_bytes: Option<u64>,
}

/// The command line's threads, model and ball over `config`.
pub(super) fn apply_overrides(config: &mut Config, args: &ProfileArgs) {
    if let Some(threads) = args.threads {
        config.threads = threads;
    }
    if let Some(model) = &args.model {
        config.model_path = Some(model.clone());
    }
    if let Some(ball) = args.ball {
        config.ball = ball;
    }
}

/// The config of a preset for this run: threads and model overridden, frame limits raised
/// when the frames are larger than the preset's.
pub(super) fn config_for(preset: Preset, args: &ProfileArgs, size: Size) -> Config {
    let mut config = Config::preset(preset);
    apply_overrides(&mut config, args);
    let (long, short) = (size.width.max(size.height), size.width.min(size.height));
    let (max_long, max_short) = (
        config.max_frame_width.max(config.max_frame_height),
        config.max_frame_width.min(config.max_frame_height),
    );
    if long > max_long || short > max_short {
        config.max_frame_width = size.width.max(config.max_frame_width);
        config.max_frame_height = size.height.max(config.max_frame_height);
    }
    config
}

/// Reads a `kB` field of /proc/self/status, in bytes.
fn proc_status_bytes(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * BYTES_PER_KB)
}

/// Resets the peak RSS so that `VmHWM` measures from now on; false where the kernel refuses.
fn reset_peak_rss() -> bool {
    std::fs::write("/proc/self/clear_refs", CLEAR_REFS_RESET_PEAK).is_ok()
}

/// Runs `warmup + frames` frames of `source` through a new engine for `preset`.
pub(super) fn run_engine(
    preset: Preset,
    args: &ProfileArgs,
    source: &mut Frames,
    frames: usize,
) -> Result<RunOutcome> {
    let config = config_for(preset, args, source.size());
    let threads = config.threads;
    let budget_us = config.schedule.budget_us;
    let peak_rss_reset = reset_peak_rss();
    let rss_before_engine_bytes = proc_status_bytes("VmRSS:");
    let mut engine = Engine::new(config)
        .with_context(|| format!("cannot build the engine for preset {preset}"))?;
    let mut samples = Vec::with_capacity(frames);
    let mut warmup_max_us = 0;
    for i in 0..WARMUP_FRAMES + frames {
        source.load(i)?;
        let frame = source.frame(source.timestamp_us(i));
        let (a0, b0) = alloc_count::counters();
        let result = engine.process(&frame);
        let (a1, b1) = alloc_count::counters();
        let result = result.with_context(|| format!("frame {i}"))?;
        if i < WARMUP_FRAMES {
            warmup_max_us = warmup_max_us.max(result.timings.total_us);
            continue;
        }
        samples.push(Sample {
            mode: result.mode,
            lookout: result.mode == DetectorMode::Roi && result.detector_runs > 1,
            lost: result.state == ballcam_core::TrackState::Lost,
            timings: result.timings,
            budget_held: result.budget_held,
            allocations: a1 - a0,
            allocated_bytes: b1 - b0,
        });
    }
    Ok(RunOutcome {
        preset,
        threads,
        budget_us,
        samples,
        warmup_max_us,
        engine_heap_bytes: engine.heap_bytes(),
        model_bytes: engine.model_bytes(),
        model: crate::session::model_name(&engine),
        search_cycle_frames: engine.search_cycle_frames(),
        telemetry: engine.telemetry(),
        peak_rss_bytes: proc_status_bytes("VmHWM:"),
        peak_rss_reset,
        rss_before_engine_bytes,
    })
}

/// Latency percentiles of one stage, microseconds.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub(super) struct Percentiles {
    pub(super) p50: u64,
    pub(super) p95: u64,
    pub(super) p99: u64,
    pub(super) max: u64,
    pub(super) mean: f64,
}

impl Percentiles {
    /// Percentiles of `values` ([`crate::stats`]' definition; zeros when empty).
    pub(super) fn of(mut values: Vec<u64>) -> Percentiles {
        values.sort_unstable();
        let Some(&max) = values.last() else {
            return Percentiles::default();
        };
        let pct = |q: f64| percentile(&values, q).unwrap_or(max);
        Percentiles {
            p50: pct(P50),
            p95: pct(P95),
            p99: pct(P99),
            max,
            mean: values.iter().sum::<u64>() as f64 / values.len() as f64,
        }
    }
}

/// Per-stage latency of a set of frames.
#[derive(Debug, Clone, Serialize)]
pub(super) struct StageStats {
    pub(super) frames: usize,
    pub(super) over_budget: usize,
    pub(super) convert_us: Percentiles,
    pub(super) infer_us: Percentiles,
    pub(super) decode_us: Percentiles,
    pub(super) track_us: Percentiles,
    pub(super) plan_us: Percentiles,
    pub(super) total_us: Percentiles,
}

impl StageStats {
    pub(super) fn of<'a>(samples: impl Iterator<Item = &'a Sample> + Clone) -> StageStats {
        let stage = |f: fn(&StageTimings) -> u64| {
            Percentiles::of(samples.clone().map(|s| f(&s.timings)).collect())
        };
        StageStats {
            frames: samples.clone().count(),
            over_budget: samples.clone().filter(|s| !s.budget_held).count(),
            convert_us: stage(|t| t.convert_us),
            infer_us: stage(|t| t.infer_us),
            decode_us: stage(|t| t.decode_us),
            track_us: stage(|t| t.track_us),
            plan_us: stage(|t| t.plan_us),
            total_us: stage(|t| t.total_us),
        }
    }
}

/// The detector modes, in report order.
pub(super) const MODES: [DetectorMode; 4] = [
    DetectorMode::Full,
    DetectorMode::Roi,
    DetectorMode::Tile,
    DetectorMode::Skip,
];

/// Frames on which the ball was lost and no detector ran.
pub(super) fn starved(samples: &[Sample]) -> usize {
    samples
        .iter()
        .filter(|s| s.lost && s.mode == DetectorMode::Skip)
        .count()
}

/// Whether a frame searched: no track (whole frame or tiles), or tracking with lookout work.
pub(super) fn is_search(s: &Sample) -> bool {
    matches!(s.mode, DetectorMode::Full | DetectorMode::Tile) || s.lookout
}

/// Name of the report row of tracking frames with lookout work.
pub(super) const LOOKOUT_ROW: &str = "roi+lookout";

/// The report rows: each detector mode (`roi` = the track's region of interest alone) and
/// the tracking frames with lookout work.
pub(super) fn mode_rows(samples: &[Sample]) -> Vec<ModeStats> {
    let mut rows: Vec<ModeStats> = MODES
        .iter()
        .map(|&m| ModeStats {
            mode: m.name(),
            stats: StageStats::of(samples.iter().filter(move |s| s.mode == m && !s.lookout)),
        })
        .collect();
    let at = rows.iter().position(|r| r.mode == DetectorMode::Roi.name());
    let lookout = ModeStats {
        mode: LOOKOUT_ROW,
        stats: StageStats::of(samples.iter().filter(|s| s.lookout)),
    };
    rows.insert(at.map_or(rows.len(), |i| i + 1), lookout);
    rows
}

#[derive(Debug, Clone, Serialize)]
pub(super) struct ModeStats {
    pub(super) mode: &'static str,
    #[serde(flatten)]
    pub(super) stats: StageStats,
}

#[derive(Debug, Clone, Serialize)]
pub(super) struct AllocationStats {
    /// Whether allocations were counted (CountingAlloc registered as the global allocator).
    pub(super) counted: bool,
    /// Allocations inside `Engine::process` over the measured frames (after warm-up).
    pub(super) total: Option<u64>,
    pub(super) per_frame_mean: Option<f64>,
    pub(super) per_frame_max: Option<u64>,
    pub(super) frames_with_allocations: Option<usize>,
    pub(super) bytes_per_frame_mean: Option<f64>,
}

impl AllocationStats {
    pub(super) fn of(samples: &[Sample], counted: bool) -> AllocationStats {
        if !counted || samples.is_empty() {
            return AllocationStats {
                counted,
                total: None,
                per_frame_mean: None,
                per_frame_max: None,
                frames_with_allocations: None,
                bytes_per_frame_mean: None,
            };
        }
        let total: u64 = samples.iter().map(|s| s.allocations).sum();
        let bytes: u64 = samples.iter().map(|s| s.allocated_bytes).sum();
        let n = samples.len() as f64;
        AllocationStats {
            counted,
            total: Some(total),
            per_frame_mean: Some(total as f64 / n),
            per_frame_max: samples.iter().map(|s| s.allocations).max(),
            frames_with_allocations: Some(samples.iter().filter(|s| s.allocations > 0).count()),
            bytes_per_frame_mean: Some(bytes as f64 / n),
        }
    }
}

/// Frame rate a preset is designed for (its frame interval is the time available per frame).
fn preset_fps(preset: Preset) -> f64 {
    match preset {
        Preset::Phone60Fps => 60.0,
        Preset::Phone30Fps | Preset::Desktop | Preset::Server => 30.0,
    }
}

/// A preset's verdict: does this machine meet its budget?
#[derive(Debug, Clone, Serialize)]
pub(super) struct PresetVerdict {
    pub(super) preset: String,
    pub(super) threads: usize,
    pub(super) budget_us: u64,
    pub(super) frames: usize,
    /// `run`: this preset was run on the frames; `estimated`: not run (--only-preset).
    pub(super) measured: &'static str,
    pub(super) p50_total_us: u64,
    pub(super) p99_total_us: u64,
    pub(super) max_total_us: u64,
    /// Slowest search frame (full or tile), microseconds.
    pub(super) max_search_total_us: u64,
    pub(super) frames_over_budget: usize,
    pub(super) search_frames_over_budget: usize,
    /// Budget minus p99 whole-frame latency: positive is slack, negative is the miss.
    pub(super) margin_us: i64,
    /// Budget over p99 whole-frame latency.
    pub(super) budget_headroom_x: f64,
    /// Frame interval of the preset's frame rate over p99 whole-frame latency.
    pub(super) frame_headroom_x: f64,
    /// Frames with the ball lost on which no detector ran (the scheduler skipped the search).
    pub(super) lost_frames_without_search: usize,
    /// p99 whole-frame latency within budget, no frame's detector work over budget, and the
    /// search never starved (no frame with the ball lost and no detector run).
    pub(super) meets: bool,
    /// The verdict in words: meets / misses, and by how much.
    pub(super) verdict: String,
    pub(super) peak_rss_bytes: Option<u64>,
}

impl PresetVerdict {
    pub(super) fn of(run: &RunOutcome) -> PresetVerdict {
        let all = StageStats::of(run.samples.iter());
        let search = run.samples.iter().filter(|s| is_search(s));
        let max_search = search
            .clone()
            .map(|s| s.timings.total_us)
            .max()
            .unwrap_or(0);
        let search_over = search.filter(|s| !s.budget_held).count();
        let p99 = all.total_us.p99.max(1);
        let interval_us = US_PER_S / preset_fps(run.preset);
        PresetVerdict {
            preset: run.preset.name().to_string(),
            threads: run.threads,
            budget_us: run.budget_us,
            frames: all.frames,
            measured: "run",
            p50_total_us: all.total_us.p50,
            p99_total_us: all.total_us.p99,
            max_total_us: all.total_us.max,
            max_search_total_us: max_search,
            frames_over_budget: all.over_budget,
            search_frames_over_budget: search_over,
            margin_us: run.budget_us as i64 - all.total_us.p99 as i64,
            budget_headroom_x: run.budget_us as f64 / p99 as f64,
            frame_headroom_x: interval_us / p99 as f64,
            lost_frames_without_search: starved(&run.samples),
            meets: all.total_us.p99 <= run.budget_us
                && all.over_budget == 0
                && starved(&run.samples) == 0,
            verdict: String::new(),
            peak_rss_bytes: run.peak_rss_reset.then_some(run.peak_rss_bytes).flatten(),
        }
        .with_verdict()
    }

    /// Fills `verdict` from the figures.
    pub(super) fn with_verdict(mut self) -> PresetVerdict {
        let by = self.margin_us.unsigned_abs() as f64 / US_PER_MS;
        let (p99, budget) = (ms(self.p99_total_us), ms(self.budget_us));
        self.verdict = if self.lost_frames_without_search > 0 {
            format!(
                "misses: on {} of {} frames the ball was lost and no detector ran (the search was \
                 skipped for lack of budget), p99 {p99:.2} ms, budget {budget:.1} ms",
                self.lost_frames_without_search, self.frames
            )
        } else if self.meets {
            format!("meets: p99 {p99:.2} ms, {by:.2} ms under the {budget:.1} ms budget")
        } else if self.margin_us < 0 {
            format!(
                "misses by {by:.2} ms: p99 {p99:.2} ms over the {budget:.1} ms budget; {} frames over budget",
                self.frames_over_budget
            )
        } else {
            format!(
                "misses: p99 {p99:.2} ms within the {budget:.1} ms budget, but {} frames over budget",
                self.frames_over_budget
            )
        };
        self
    }

    /// The verdict of a preset that was not run, from the main run's costs (same frames, other
    /// input sizes: indicative only).
    pub(super) fn estimated(preset: Preset, main: &RunOutcome) -> PresetVerdict {
        let budget_us = Config::preset(preset).schedule.budget_us;
        let mut v = PresetVerdict::of(main);
        v.preset = preset.name().to_string();
        v.measured = "estimated";
        v.budget_us = budget_us;
        let over = main.samples.iter().filter(|s| {
            s.timings.convert_us + s.timings.infer_us + s.timings.decode_us > budget_us
        });
        v.frames_over_budget = over.clone().count();
        v.search_frames_over_budget = over.filter(|s| is_search(s)).count();
        let p99 = v.p99_total_us.max(1);
        v.margin_us = budget_us as i64 - v.p99_total_us as i64;
        v.budget_headroom_x = budget_us as f64 / p99 as f64;
        v.frame_headroom_x = US_PER_S / preset_fps(preset) / p99 as f64;
        v.meets = v.p99_total_us <= budget_us
            && v.frames_over_budget == 0
            && v.lost_frames_without_search == 0;
        v.peak_rss_bytes = None;
        v.with_verdict()
    }
}

/// Inference alone at one detector input size (single thread, no conversion).
#[derive(Debug, Clone, Serialize)]
pub(super) struct InferenceTiming {
    pub(super) role: &'static str,
    pub(super) input: String,
    pub(super) width: u32,
    pub(super) height: u32,
    pub(super) runs: usize,
    pub(super) p50_us: u64,
    pub(super) mean_us: f64,
    pub(super) min_us: u64,
    /// Heatmap decoding, timed apart (not in the figures above).
    pub(super) decode_p50_us: u64,
}

/// Times the model alone at each of the preset's detector input sizes, single-threaded.
pub(super) fn time_inference(config: &Config) -> Result<Vec<InferenceTiming>> {
    let d = &config.detector;
    let roles = [
        ("full", d.full_input),
        ("roi", d.roi_input),
        ("roi_small", d.roi_small_input),
        ("tile", d.tile_input),
    ];
    let sizes: Vec<_> = roles.iter().map(|(_, s)| *s).collect();
    let mut detector = match &config.model_path {
        Some(path) => Detector::from_path(path, &sizes, 1)?,
        None => Detector::from_bytes(ballcam_core::embedded_model(config.ball)?, &sizes, 1)?,
    };
    let mut out = Vec::with_capacity(roles.len());
    let mut candidates = Vec::with_capacity(config.detector.max_candidates as usize);
    for (role, size) in roles {
        let mapping = TensorMapping {
            origin_x: 0.0,
            origin_y: 0.0,
            scale_x: 1.0,
            scale_y: 1.0,
        };
        let bounds = (size.width as f32, size.height as f32);
        // The input is written on the first (warm-up) run; the later runs keep it, so that the
        // figures are inference and decoding alone.
        let pattern = |input: &mut [f32]| {
            for (i, v) in input.iter_mut().enumerate() {
                *v = ((i * 31) % 256) as f32;
            }
            Ok::<_, ballcam_core::Error>(mapping)
        };
        detector.detect(size, pattern, INFER_THRESHOLD, bounds, &mut candidates)?;
        let mut infer = Vec::with_capacity(INFER_RUNS);
        let mut decode = Vec::with_capacity(INFER_RUNS);
        for run in 0..INFER_WARMUP_RUNS + INFER_RUNS {
            candidates.clear();
            let t0 = Instant::now();
            let keep = |_: &mut [f32]| Ok::<_, ballcam_core::Error>(mapping);
            let stats = detector.detect(size, keep, INFER_THRESHOLD, bounds, &mut candidates)?;
            let us = u64::try_from(t0.elapsed().as_micros()).unwrap_or(u64::MAX);
            if run >= INFER_WARMUP_RUNS {
                infer.push(us.saturating_sub(stats.decode_us + stats.input_us));
                decode.push(stats.decode_us);
            }
        }
        let p = Percentiles::of(infer.clone());
        out.push(InferenceTiming {
            role,
            input: size.to_string(),
            width: size.width,
            height: size.height,
            runs: INFER_RUNS,
            p50_us: p.p50,
            mean_us: p.mean,
            min_us: infer.iter().copied().min().unwrap_or(0),
            decode_p50_us: Percentiles::of(decode).p50,
        });
    }
    Ok(out)
}
