//! `ballcam profile`'s report: the [`Report`] document (`profile.json`), the targets it is held
//! to, its Markdown form (`profile.md`) and the histogram of the whole-frame latency per detector
//! mode (`latency.png`, drawn by [`crate::plots`]).

use std::fmt::Write as _;
use std::path::Path;

use anyhow::{Context, Result};
use ballcam_core::{DetectorMode, Preset};
use serde::Serialize;

use super::measure::{
    AllocationStats, InferenceTiming, ModeStats, Percentiles, PresetVerdict, RunOutcome, Sample,
    StageStats, LOOKOUT_ROW, MODES,
};
use super::{mb, ms, US_PER_MS};
use crate::overlay::{colors, Rgb};
use crate::plots::{self, Marker, StackedSeries};

/// Target: whole-frame p99 in tracking mode at 1080p NV21, microseconds.
const TARGET_TRACKING_P99_US: u64 = 2_000;
/// Target: peak RSS, MiB.
const TARGET_PEAK_RSS_MB: f64 = 64.0;
/// Goal (stretch target): peak RSS, MiB.
const GOAL_PEAK_RSS_MB: f64 = 40.0;
/// Target: phone-30fps frame interval over its p99 whole-frame latency.
const TARGET_PHONE_HEADROOM_X: f64 = 4.0;
/// Histogram bins.
const HIST_BINS: usize = 60;
/// The histogram's x range ends at this multiple of the largest p99 (or budget).
const HIST_RANGE_OVER_P99: f64 = 1.25;
/// Name of the JSON report.
const JSON_NAME: &str = "profile.json";
/// Name of the Markdown report.
const MD_NAME: &str = "profile.md";
/// Name of the histogram image.
const PNG_NAME: &str = "latency.png";

/// Where the report's files go.
pub(super) struct Paths {
    json: std::path::PathBuf,
    md: std::path::PathBuf,
    png: std::path::PathBuf,
}

impl Paths {
    /// The report's files in `dir`.
    pub(super) fn in_dir(dir: &Path) -> Paths {
        Paths {
            json: dir.join(JSON_NAME),
            md: dir.join(MD_NAME),
            png: dir.join(PNG_NAME),
        }
    }

    /// The files, for the report's `files`.
    pub(super) fn names(&self) -> Vec<String> {
        [&self.json, &self.md, &self.png]
            .iter()
            .map(|p| p.display().to_string())
            .collect()
    }
}

/// One target from the issue, measured.
#[derive(Debug, Clone, Serialize)]
pub(super) struct Target {
    name: String,
    value: String,
    limit: String,
    met: Option<bool>,
}

#[derive(Debug, Clone, Serialize)]
pub(super) struct MemoryReport {
    /// Peak resident set of the main run (`VmHWM`), bytes.
    peak_rss_bytes: Option<u64>,
    peak_rss_mb: Option<f64>,
    /// Whether the peak was reset just before the engine was built (else: process peak).
    peak_rss_reset_before_engine: bool,
    /// Resident set just before the engine was built: the binary, the input frame buffers
    /// and the renderer or decoder (so the engine's own share is the peak minus this).
    rss_before_engine_bytes: Option<u64>,
    /// Peak RSS minus the resident set before the engine was built.
    engine_rss_growth_bytes: Option<u64>,
    /// Input frame buffers the profiler holds (RGB + encoded), included in the RSS.
    input_buffer_bytes: usize,
    /// Buffers the engine holds itself (conversion scratch, input tensors).
    engine_heap_bytes: usize,
    model_bytes: usize,
    /// The model in words ("embedded model (ball = any)" or the file's name).
    model: String,
}

#[derive(Debug, Clone, Serialize)]
pub(super) struct InputReport {
    pub(super) source: String,
    pub(super) width: u32,
    pub(super) height: u32,
    pub(super) format: &'static str,
    pub(super) fps: f64,
    pub(super) warmup_frames: usize,
    pub(super) frames: usize,
}

/// The whole report (`profile.json`).
#[derive(Debug, Clone, Serialize)]
pub(super) struct Report {
    input: InputReport,
    preset: String,
    threads: usize,
    budget_us: u64,
    machine: String,
    all: StageStats,
    modes: Vec<ModeStats>,
    frames_over_budget: usize,
    search_frames_over_budget: usize,
    /// Frames with no track on which no detector ran (the scheduler skipped the search:
    /// budget credit spent, or a search cost estimate above the burst credit).
    lost_frames_without_search: usize,
    warmup_max_total_us: u64,
    memory: MemoryReport,
    allocations: AllocationStats,
    search_cycle_frames: usize,
    telemetry: ballcam_core::Telemetry,
    presets: Vec<PresetVerdict>,
    inference: Vec<InferenceTiming>,
    targets: Vec<Target>,
    files: Vec<String>,
}

impl Report {
    /// The report of the main run `main` and the other presets' verdicts.
    pub(super) fn new(
        input: InputReport,
        main: &RunOutcome,
        allocations_counted: bool,
        input_buffer_bytes: usize,
        presets: Vec<PresetVerdict>,
        inference: Vec<InferenceTiming>,
        files: Vec<String>,
    ) -> Report {
        let all = StageStats::of(main.samples.iter());
        let search_over = main
            .samples
            .iter()
            .filter(|s| super::measure::is_search(s) && !s.budget_held)
            .count();
        let mut report = Report {
            preset: main.preset.name().to_string(),
            threads: main.threads,
            budget_us: main.budget_us,
            machine: machine_description(),
            frames_over_budget: all.over_budget,
            all,
            modes: super::measure::mode_rows(&main.samples),
            search_frames_over_budget: search_over,
            lost_frames_without_search: super::measure::starved(&main.samples),
            warmup_max_total_us: main.warmup_max_us,
            memory: MemoryReport {
                peak_rss_bytes: main.peak_rss_bytes,
                peak_rss_mb: main.peak_rss_bytes.map(mb),
                peak_rss_reset_before_engine: main.peak_rss_reset,
                rss_before_engine_bytes: main.rss_before_engine_bytes,
                engine_rss_growth_bytes: main
                    .peak_rss_bytes
                    .zip(main.rss_before_engine_bytes)
                    .map(|(peak, before)| peak.saturating_sub(before)),
                input_buffer_bytes,
                engine_heap_bytes: main.engine_heap_bytes,
                model_bytes: main.model_bytes,
                model: main.model.clone(),
            },
            allocations: AllocationStats::of(&main.samples, allocations_counted),
            search_cycle_frames: main.search_cycle_frames,
            telemetry: main.telemetry.clone(),
            presets,
            inference,
            targets: Vec::new(),
            files,
            input,
        };
        report.targets = targets(&report);
        report
    }

    /// Writes `profile.json`, `profile.md` and `latency.png` (from `main`'s samples) and prints
    /// the report (`json`: the JSON document, else the Markdown and the files written).
    pub(super) fn write(&self, paths: &Paths, main: &RunOutcome, json: bool) -> Result<()> {
        let text = serde_json::to_string_pretty(self)?;
        std::fs::write(&paths.json, &text)
            .with_context(|| format!("cannot write {}", paths.json.display()))?;
        let md = markdown(self);
        std::fs::write(&paths.md, &md)
            .with_context(|| format!("cannot write {}", paths.md.display()))?;
        let title = format!(
            "{}x{} {} {} ({} frames): whole-frame latency per detector mode",
            self.input.width, self.input.height, self.input.format, self.preset, self.input.frames
        );
        histogram_png(&main.samples, main.budget_us, &title, &paths.png)?;
        if json {
            println!("{text}");
        } else {
            println!("{md}");
            println!("wrote {}", self.files.join(", "));
        }
        Ok(())
    }
}

/// The machine, as far as the kernel tells (CPU model and core count).
fn machine_description() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|t| {
            t.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_string())
        })
        .unwrap_or_else(|| std::env::consts::ARCH.to_string());
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    let load = std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|t| t.split_whitespace().next().map(str::to_string))
        .map_or(String::new(), |l| {
            format!(", load average {l} at the end of the run")
        });
    format!("{cpu}, {cores} cores{load}")
}

fn targets(report: &Report) -> Vec<Target> {
    let mut out = Vec::new();
    let roi = report
        .modes
        .iter()
        .find(|m| m.mode == DetectorMode::Roi.name());
    let tracking_name = format!(
        "whole frame, tracking (roi) mode without lookout work, p99 ({}x{} {}, {})",
        report.input.width, report.input.height, report.input.format, report.preset
    );
    out.push(match roi {
        Some(m) if m.stats.frames > 0 => Target {
            name: tracking_name,
            value: format!(
                "{:.3} ms over {} frames",
                ms(m.stats.total_us.p99),
                m.stats.frames
            ),
            limit: format!("<= {:.3} ms", ms(TARGET_TRACKING_P99_US)),
            met: Some(m.stats.total_us.p99 <= TARGET_TRACKING_P99_US),
        },
        _ => Target {
            name: tracking_name,
            value: "no tracking frames (the ball was never tracked)".into(),
            limit: format!("<= {:.3} ms", ms(TARGET_TRACKING_P99_US)),
            met: None,
        },
    });
    let search_frames: usize = report
        .modes
        .iter()
        .filter(|m| m.mode == "full" || m.mode == "tile" || m.mode == LOOKOUT_ROW)
        .map(|m| m.stats.frames)
        .sum();
    out.push(Target {
        name: format!(
            "search frames over the {} budget ({} us)",
            report.preset, report.budget_us
        ),
        value: format!(
            "{} of {search_frames}; {} frames with the ball lost and no search run",
            report.search_frames_over_budget, report.lost_frames_without_search
        ),
        limit: "0, and no skipped search".into(),
        met: Some(report.search_frames_over_budget == 0 && report.lost_frames_without_search == 0),
    });
    let rss = report.memory.peak_rss_bytes.map(mb);
    out.push(Target {
        name: "peak RSS (VmHWM)".into(),
        value: rss.map_or("unknown".into(), |v| {
            let growth = report
                .memory
                .engine_rss_growth_bytes
                .map_or("unknown".into(), |g| format!("{:.1} MiB", mb(g)));
            format!(
                "{v:.1} MiB (input frame buffers {:.1} MiB; engine growth {growth})",
                mb(report.memory.input_buffer_bytes as u64)
            )
        }),
        limit: format!("<= {TARGET_PEAK_RSS_MB} MiB (goal {GOAL_PEAK_RSS_MB})"),
        met: rss.map(|v| v <= TARGET_PEAK_RSS_MB),
    });
    if let Some(phone) = report
        .presets
        .iter()
        .find(|p| p.preset == Preset::Phone30Fps.name())
    {
        out.push(Target {
            name: format!("phone-30fps met with {TARGET_PHONE_HEADROOM_X}x headroom ({})", phone.measured),
            value: format!(
                "p99 {:.3} ms: {:.1}x the 33.3 ms frame, {:.1}x the {:.1} ms budget; {} frames over \
                 budget; {} frames lost without a search",
                ms(phone.p99_total_us),
                phone.frame_headroom_x,
                phone.budget_headroom_x,
                ms(phone.budget_us),
                phone.frames_over_budget,
                phone.lost_frames_without_search
            ),
            limit: format!(">= {TARGET_PHONE_HEADROOM_X}x and budget met"),
            met: Some(phone.meets && phone.frame_headroom_x >= TARGET_PHONE_HEADROOM_X),
        });
    }
    out
}

fn markdown(r: &Report) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "# Ballcam profile\n");
    let _ = writeln!(
        s,
        "{} frames ({} warm-up frames not counted) of {} {}x{} {}, preset `{}` ({} thread(s), budget {:.1} ms), on {}.\n",
        r.input.frames,
        r.input.warmup_frames,
        r.input.source,
        r.input.width,
        r.input.height,
        r.input.format,
        r.preset,
        r.threads,
        ms(r.budget_us),
        r.machine
    );
    let _ = writeln!(
        s,
        "## Targets\n\n| target | measured | limit | met |\n|---|---|---|---|"
    );
    for t in &r.targets {
        let met = match t.met {
            Some(true) => "yes",
            Some(false) => "**no**",
            None => "n/a",
        };
        let _ = writeln!(s, "| {} | {} | {} | {met} |", t.name, t.value, t.limit);
    }
    let _ = writeln!(
        s,
        "\n## Latency per detector mode (ms: p50 / p95 / p99 / max)\n"
    );
    let _ = writeln!(
        s,
        "`roi`: the track's region of interest alone; `{LOOKOUT_ROW}`: tracking frames that also \
         ran lookout work the tracker asked for while unsure (a rival's region of interest, search \
         passes over a resting or coasting ball), counted as search frames.\n"
    );
    let _ = writeln!(
        s,
        "| mode | frames | over budget | convert | infer | decode | track | plan | total |"
    );
    let _ = writeln!(s, "|---|---|---|---|---|---|---|---|---|");
    let cell = |p: &Percentiles| {
        format!(
            "{:.3} / {:.3} / {:.3} / {:.3}",
            ms(p.p50),
            ms(p.p95),
            ms(p.p99),
            ms(p.max)
        )
    };
    let rows = r
        .modes
        .iter()
        .map(|m| (m.mode, &m.stats))
        .chain(std::iter::once(("all", &r.all)));
    for (name, st) in rows {
        let _ = writeln!(
            s,
            "| {name} | {} | {} | {} | {} | {} | {} | {} | {} |",
            st.frames,
            st.over_budget,
            cell(&st.convert_us),
            cell(&st.infer_us),
            cell(&st.decode_us),
            cell(&st.track_us),
            cell(&st.plan_us),
            cell(&st.total_us)
        );
    }
    let _ = writeln!(
        s,
        "\nSlowest warm-up frame: {:.3} ms.\n",
        ms(r.warmup_max_total_us)
    );
    if r.lost_frames_without_search > 0 {
        let _ = writeln!(
            s,
            "Note: on {} of {} frames the ball was lost and no detector ran (the scheduler skipped \
             the search); their near-zero latency lowers the `all` figures.\n",
            r.lost_frames_without_search, r.input.frames
        );
    }
    let _ = writeln!(s, "## Presets\n\n| preset | threads | budget ms | p50 ms | p99 ms | max ms | max search ms | over budget (search) | margin ms | x budget | x frame | verdict |");
    let _ = writeln!(s, "|---|---|---|---|---|---|---|---|---|---|---|---|");
    for p in &r.presets {
        let verdict = &p.verdict;
        let _ = writeln!(
            s,
            "| {} ({}) | {} | {:.1} | {:.3} | {:.3} | {:.3} | {:.3} | {} ({}) | {:+.3} | {:.1} | {:.1} | {verdict} |",
            p.preset,
            p.measured,
            p.threads,
            ms(p.budget_us),
            ms(p.p50_total_us),
            ms(p.p99_total_us),
            ms(p.max_total_us),
            ms(p.max_search_total_us),
            p.frames_over_budget,
            p.search_frames_over_budget,
            p.margin_us as f64 / US_PER_MS,
            p.budget_headroom_x,
            p.frame_headroom_x
        );
    }
    let m = &r.memory;
    let _ = writeln!(s, "\n## Memory and allocations\n");
    let _ = writeln!(
        s,
        "- peak RSS: {} (peak reset before the engine was built: {}); before the engine: {}, \
         of which input frame buffers {:.1} MiB; growth from building and running the engine: {}",
        m.peak_rss_mb
            .map_or("unknown".into(), |v| format!("{v:.1} MiB")),
        m.peak_rss_reset_before_engine,
        m.rss_before_engine_bytes
            .map_or("unknown".into(), |v| format!("{:.1} MiB", mb(v))),
        mb(m.input_buffer_bytes as u64),
        m.engine_rss_growth_bytes
            .map_or("unknown".into(), |v| format!("{:.1} MiB", mb(v)))
    );
    let _ = writeln!(
        s,
        "- engine heap: {:.2} MiB; model: {} ({:.2} MiB)",
        mb(m.engine_heap_bytes as u64),
        m.model,
        mb(m.model_bytes as u64)
    );
    let a = &r.allocations;
    if a.counted {
        let _ = writeln!(
            s,
            "- allocations in `Engine::process` after warm-up: {} total, {:.2} per frame (max {}), {} frames allocated, {:.0} bytes per frame",
            a.total.unwrap_or(0),
            a.per_frame_mean.unwrap_or(0.0),
            a.per_frame_max.unwrap_or(0),
            a.frames_with_allocations.unwrap_or(0),
            a.bytes_per_frame_mean.unwrap_or(0.0)
        );
    } else {
        let _ = writeln!(
            s,
            "- allocations: not counted (CountingAlloc is not the global allocator)"
        );
    }
    let _ = writeln!(s, "- search cycle: {} frames", r.search_cycle_frames);
    let _ = writeln!(s, "\n## Inference alone (single thread)\n\n| role | input | p50 ms | mean ms | min ms | decode p50 ms |\n|---|---|---|---|---|---|");
    for t in &r.inference {
        let _ = writeln!(
            s,
            "| {} | {} | {:.3} | {:.3} | {:.3} | {:.3} |",
            t.role,
            t.input,
            ms(t.p50_us),
            t.mean_us / US_PER_MS,
            ms(t.min_us),
            ms(t.decode_p50_us)
        );
    }
    let _ = writeln!(s, "\nHistogram of the whole-frame latency: `{PNG_NAME}`.");
    s
}

/// Colour of a detector mode in the histogram.
fn mode_color(mode: DetectorMode) -> Rgb {
    match mode {
        DetectorMode::Full => colors::RED,
        DetectorMode::Roi => colors::BLUE,
        DetectorMode::Tile => colors::ORANGE,
        DetectorMode::Skip => colors::GRAY,
    }
}

/// Draws a histogram of the whole-frame latency per mode (stacked bars, log count axis) with
/// the budget and the tracking target as vertical lines.
fn histogram_png(samples: &[Sample], budget_us: u64, title: &str, path: &Path) -> Result<()> {
    let p99 = Percentiles::of(samples.iter().map(|s| s.timings.total_us).collect()).p99;
    let range_us =
        ((p99.max(budget_us).max(TARGET_TRACKING_P99_US)) as f64 * HIST_RANGE_OVER_P99).max(1.0);
    let per_mode: Vec<Vec<f64>> = MODES
        .iter()
        .map(|&m| {
            samples
                .iter()
                .filter(|s| s.mode == m)
                .map(|s| ms(s.timings.total_us))
                .collect()
        })
        .collect();
    let series: Vec<StackedSeries> = MODES
        .iter()
        .zip(&per_mode)
        .map(|(&mode, values)| StackedSeries {
            name: format!("{} ({})", mode.name(), values.len()),
            color: mode_color(mode),
            values,
        })
        .collect();
    let target = format!("{:.0} ms target", ms(TARGET_TRACKING_P99_US));
    let markers = [
        Marker {
            at: ms(budget_us),
            name: "budget",
            color: colors::RED,
        },
        Marker {
            at: ms(TARGET_TRACKING_P99_US),
            name: &target,
            color: colors::GREEN,
        },
    ];
    let bin_us = range_us / HIST_BINS as f64;
    let x_name = format!(
        "whole-frame latency, ms (last bar: >= {:.2} ms)",
        (range_us - bin_us) / US_PER_MS
    );
    plots::stacked_histogram_plot(
        path,
        title,
        &x_name,
        &series,
        range_us / US_PER_MS,
        HIST_BINS,
        &markers,
    )
}
