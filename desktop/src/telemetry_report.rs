//! `ballcam report`: a telemetry snapshot (telemetry.json from `ballcam run`, or the document a
//! phone app exported through the bindings' `telemetry_json`) as report.md with PNG plots, and,
//! with `--reference` (the evaluation set's telemetry.json from `ballcam eval`), the drift checks
//! of `Telemetry::drift_from` with the thresholds of the config's `[monitor.drift]`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use ballcam_core::{Config, Telemetry};
use ballcam_core::{DriftConfig, DriftReport};
use ballcam_core::{Histogram, TELEMETRY_SCHEMA_VERSION};
use clap::Args;

use crate::errors::bad_input;
use crate::output::OutDir;
use crate::overlay::colors;
use crate::plots::{histograms_plot, HistogramPanel};

/// Output file names.
pub const REPORT_MD: &str = "report.md";
pub const REPORT_JSON: &str = "report.json";
pub const HISTOGRAMS_PLOT: &str = "plot_telemetry.png";
pub const EPISODES_PLOT: &str = "plot_episodes.png";
/// Panels a row in the plots.
const PLOT_COLUMNS: usize = 2;
/// Largest telemetry file read, bytes (a snapshot is a few tens of KiB).
const MAX_TELEMETRY_BYTES: u64 = 16 << 20;

/// Write a report of the engine's quality telemetry, with drift flags against a reference.
#[derive(Args, Debug)]
pub struct ReportArgs {
    /// Telemetry snapshot: telemetry.json of `ballcam run`, or a phone's `telemetry_json`.
    #[arg(long, value_name = "FILE")]
    pub telemetry: PathBuf,
    /// Reference snapshot taken on the evaluation set (telemetry.json of `ballcam eval`): adds
    /// the drift checks (confidence shift, untracked time, two-ball frames, latency).
    #[arg(long, value_name = "FILE")]
    pub reference: Option<PathBuf>,
    /// Engine configuration file whose `[monitor.drift]` thresholds apply [default: the
    /// defaults documented in `ballcam_core::DriftConfig`].
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Output folder.
    #[arg(long, value_name = "DIR", default_value = "report-out")]
    pub out: PathBuf,
}

/// Reads a telemetry document; errors name the file.
pub fn read_telemetry(path: &Path) -> Result<Telemetry> {
    let name = path.display();
    let meta =
        std::fs::metadata(path).map_err(|e| bad_input(format!("{name}: cannot open: {e}")))?;
    if !meta.is_file() || meta.len() > MAX_TELEMETRY_BYTES {
        return Err(bad_input(format!(
            "{name}: not a telemetry file (a file of at most {MAX_TELEMETRY_BYTES} bytes)"
        )));
    }
    let text = std::fs::read_to_string(path)
        .map_err(|e| bad_input(format!("{name}: cannot read: {e}")))?;
    // The version first: a newer engine's document has fields this build refuses.
    let doc: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| bad_input(format!("{name}: not a JSON document: {e}")))?;
    let version = doc
        .get("schema_version")
        .and_then(serde_json::Value::as_u64);
    if version.is_some_and(|v| v > u64::from(TELEMETRY_SCHEMA_VERSION)) {
        return Err(bad_input(format!(
            "{name}: telemetry schema {} is newer than this build's {TELEMETRY_SCHEMA_VERSION}",
            version.unwrap_or_default()
        )));
    }
    Telemetry::from_json(&text)
        .map_err(|e| bad_input(format!("{name}: not a telemetry document: {e}")))
}

fn drift_config(path: Option<&Path>) -> Result<DriftConfig> {
    match path {
        None => Ok(DriftConfig::default()),
        Some(p) if !p.is_file() => Err(bad_input(format!("{}: no such config file", p.display()))),
        Some(p) => Ok(Config::from_path(p)
            .map_err(|e| bad_input(format!("{}: {e}", p.display())))?
            .monitor
            .drift),
    }
}

/// Runs the command.
pub fn run(args: &ReportArgs, json: bool) -> Result<()> {
    let current = read_telemetry(&args.telemetry)?;
    let reference = args.reference.as_deref().map(read_telemetry).transpose()?;
    let cfg = drift_config(args.config.as_deref())?;
    let drift = reference.as_ref().map(|r| current.drift_from(r, &cfg));
    let out = OutDir::create(&args.out)?;
    write_plots(&out, &current, reference.as_ref())?;
    let md = markdown(args, &current, reference.as_ref(), drift.as_ref());
    std::fs::write(out.path(REPORT_MD), md).context("cannot write report.md")?;
    let doc = serde_json::json!({
        "command": "report",
        "telemetry": args.telemetry.display().to_string(),
        "reference": args.reference.as_ref().map(|p| p.display().to_string()),
        "figures": figures(&current),
        "reference_figures": reference.as_ref().map(figures),
        "drift": drift,
        "drift_thresholds": cfg,
        "plots": [HISTOGRAMS_PLOT, EPISODES_PLOT],
    });
    let text = serde_json::to_string_pretty(&doc)?;
    std::fs::write(out.path(REPORT_JSON), text + "\n").context("cannot write report.json")?;
    let dir = out.dir().to_path_buf();
    out.commit()?;
    if json {
        println!("{}", serde_json::to_string_pretty(&doc)?);
        return Ok(());
    }
    println!("{}", crate::session::quality_line(&current));
    if let Some(d) = &drift {
        for c in &d.checks {
            let mark = if c.flagged { "FLAGGED" } else { "ok" };
            println!("drift {}: {mark} ({})", c.name, c.detail);
        }
    }
    println!("outputs: {}", dir.display());
    Ok(())
}

/// The headline figures of a snapshot, as (name, value) pairs.
fn figures(t: &Telemetry) -> serde_json::Value {
    let q = |h: &Histogram, p: f64| h.quantile(p);
    serde_json::json!({
        "frames": t.frames,
        "time_s": t.time_s,
        "untracked_share": t.untracked_share(),
        "quality_windows": [t.quality_windows_good, t.quality_windows_uncertain, t.quality_windows_lost],
        "lost_time_s": t.lost_time_s,
        "losses": t.losses,
        "reacquisitions": t.reacquisitions,
        "median_lost_s": q(&t.lost_s, 0.5),
        "median_reacquire_s": q(&t.reacquire_s, 0.5),
        "unseen_gaps": t.unseen_gaps,
        "multi_ball_share": t.multi_ball_share(),
        "longest_multi_ball_run": t.longest_multi_ball_run,
        "low_confidence_detections": t.frames_low_confidence,
        "frames_over_budget": t.frames_over_budget,
        "frames_skipped": t.frames_skipped,
        "confidence_mean": t.confidence.mean(),
        "confidence_p10": q(&t.confidence, 0.1),
        "ball_margin_p10": q(&t.ball_margin, 0.1),
        "crop_speed_p90": q(&t.crop_speed, 0.9),
        "crop_jerk_p90": q(&t.crop_jerk, 0.9),
        "zoom_median": q(&t.zoom, 0.5),
        "frame_ms_p50": q(&t.latency.total_us, 0.5).map(|v| v / 1e3),
        "frame_ms_p90": q(&t.latency.total_us, 0.9).map(|v| v / 1e3),
    })
}

/// One panel: `pick` of the current snapshot and of the reference.
fn panel<'a>(
    title: &str,
    current: &'a Telemetry,
    reference: Option<&'a Telemetry>,
    pick: impl Fn(&Telemetry) -> &Histogram,
) -> HistogramPanel<'a> {
    let h = pick(current);
    let mut series = vec![("FIELD", colors::BLUE, h.shares())];
    if let Some(r) = reference.map(&pick).filter(|r| r.same_buckets(h)) {
        series.push(("REFERENCE", colors::ORANGE, r.shares()));
    }
    HistogramPanel {
        title: format!("{title} (N {})", h.count),
        edges: &pick(current).edges,
        series,
        names: Vec::new(),
    }
}

fn write_plots(out: &OutDir, t: &Telemetry, r: Option<&Telemetry>) -> Result<()> {
    let main = [
        panel("BALL CONFIDENCE", t, r, |x| &x.confidence),
        panel("BALL MARGIN TO CROP EDGE", t, r, |x| &x.ball_margin),
        panel("CROP SPEED (WIDTHS/S)", t, r, |x| &x.crop_speed),
        panel("CROP JERK (WIDTHS/S3)", t, r, |x| &x.crop_jerk),
        panel("ZOOM (CROP/WIDEST)", t, r, |x| &x.zoom),
        panel("FRAME TIME (US)", t, r, |x| &x.latency.total_us),
    ];
    histograms_plot(&out.path(HISTOGRAMS_PLOT), &main, PLOT_COLUMNS)?;
    let episodes = [
        panel("LOST EPISODES (S)", t, r, |x| &x.lost_s),
        panel("TIME TO RE-ACQUIRE (S)", t, r, |x| &x.reacquire_s),
        panel("UNSEEN GAPS (S)", t, r, |x| &x.unseen_gap_s),
    ];
    histograms_plot(&out.path(EPISODES_PLOT), &episodes, PLOT_COLUMNS)
}

fn pct(v: Option<f64>) -> String {
    v.map_or_else(|| "n/a".into(), |v| format!("{:.1}%", v * 100.0))
}

fn num(v: Option<f64>, decimals: usize) -> String {
    v.map_or_else(|| "n/a".into(), |v| format!("{v:.decimals$}"))
}

/// The table rows: (what, value of a snapshot).
#[allow(clippy::type_complexity)]
fn rows() -> Vec<(&'static str, Box<dyn Fn(&Telemetry) -> String>)> {
    let q = |h: &Histogram, p: f64| h.quantile(p);
    vec![
        ("frames", Box::new(|t| t.frames.to_string())),
        ("time covered (s)", Box::new(|t| format!("{:.1}", t.time_s))),
        (
            "time without a ball (lost or searching)",
            Box::new(|t| pct(t.untracked_share())),
        ),
        (
            "quality windows good / uncertain / lost",
            Box::new(|t| {
                format!(
                    "{} / {} / {}",
                    t.quality_windows_good, t.quality_windows_uncertain, t.quality_windows_lost
                )
            }),
        ),
        (
            "losses / re-acquisitions",
            Box::new(|t| format!("{} / {}", t.losses, t.reacquisitions)),
        ),
        (
            "median lost episode (s)",
            Box::new(move |t| num(q(&t.lost_s, 0.5), 2)),
        ),
        (
            "median time to re-acquire (s)",
            Box::new(move |t| num(q(&t.reacquire_s, 0.5), 2)),
        ),
        (
            "unseen gaps (occlusions coasted or lost)",
            Box::new(|t| t.unseen_gaps.to_string()),
        ),
        (
            "frames with two confident balls",
            Box::new(|t| format!("{} ({})", t.frames_multi_ball, pct(t.multi_ball_share()))),
        ),
        (
            "longest two-ball run (frames)",
            Box::new(|t| t.longest_multi_ball_run.to_string()),
        ),
        (
            "low-confidence detections",
            Box::new(|t| t.frames_low_confidence.to_string()),
        ),
        (
            "mean ball confidence",
            Box::new(|t| num(t.confidence.mean(), 3)),
        ),
        (
            "frames over budget / skipped runs",
            Box::new(|t| format!("{} / {}", t.frames_over_budget, t.frames_skipped)),
        ),
        (
            "ball margin to crop edge, p10",
            Box::new(move |t| num(q(&t.ball_margin, 0.1), 2)),
        ),
        (
            "crop speed p90 (widths/s)",
            Box::new(move |t| num(q(&t.crop_speed, 0.9), 3)),
        ),
        (
            "crop jerk p90 (widths/s³)",
            Box::new(move |t| num(q(&t.crop_jerk, 0.9), 1)),
        ),
        ("zoom, median", Box::new(move |t| num(q(&t.zoom, 0.5), 2))),
        (
            "frame time p50 / p90 (ms, measured)",
            Box::new(move |t| {
                format!(
                    "{} / {}",
                    num(q(&t.latency.total_us, 0.5).map(|v| v / 1e3), 2),
                    num(q(&t.latency.total_us, 0.9).map(|v| v / 1e3), 2)
                )
            }),
        ),
    ]
}

/// The model behind the telemetry, and whether the reference came from another one (a drift
/// may then be the model's, not the footage's).
fn model_line(t: &Telemetry, r: Option<&Telemetry>) -> String {
    let name = |sha: &str| {
        if sha.is_empty() {
            "unknown (telemetry before schema 4)".to_string()
        } else {
            format!("sha256 `{sha}`")
        }
    };
    match r {
        Some(r) if r.model_sha256 != t.model_sha256 => format!(
            "{}; the reference's is {}: another model",
            name(&t.model_sha256),
            name(&r.model_sha256)
        ),
        Some(_) => format!("{}, as the reference's", name(&t.model_sha256)),
        None => name(&t.model_sha256),
    }
}

fn markdown(
    args: &ReportArgs,
    t: &Telemetry,
    r: Option<&Telemetry>,
    drift: Option<&DriftReport>,
) -> String {
    let mut md = String::from("# Ballcam quality telemetry\n\n");
    let _ = writeln!(
        md,
        "Telemetry: `{}` (schema {}).",
        args.telemetry.display(),
        t.schema_version
    );
    if let Some(p) = &args.reference {
        let _ = writeln!(md, "Reference: `{}`.", p.display());
    }
    let _ = writeln!(md, "Model: {}.", model_line(t, r));
    md.push_str("\n| | field |");
    if r.is_some() {
        md.push_str(" reference |");
    }
    md.push_str("\n|---|---|");
    if r.is_some() {
        md.push_str("---|");
    }
    md.push('\n');
    for (name, value) in rows() {
        let _ = write!(md, "| {name} | {} |", value(t));
        if let Some(r) = r {
            let _ = write!(md, " {} |", value(r));
        }
        md.push('\n');
    }
    if let Some(d) = drift {
        let _ = writeln!(
            md,
            "\n## Drift against the reference: {}\n",
            if d.flagged { "FLAGGED" } else { "no flag" }
        );
        md.push_str("| check | value | threshold | flagged | figures |\n|---|---|---|---|---|\n");
        for c in &d.checks {
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} | {} |",
                c.name,
                num(c.value, 3),
                c.threshold,
                if c.flagged { "**yes**" } else { "no" },
                c.detail
            );
        }
        md.push_str(
            "\nThresholds: `[monitor.drift]` of the engine config (`--config`); the confidence \
             shift is the population stability index over 0.1-wide score bins, the rises are \
             absolute shares, latency growth compares the frame time's p50 and p90 (measured: \
             compare runs on the same device class).\n",
        );
    }
    md.push_str("\n## Plots\n\n");
    let _ = writeln!(
        md,
        "Histograms (share of values per bucket{}): ![telemetry]({HISTOGRAMS_PLOT})\n",
        if r.is_some() {
            ", field in blue, reference in orange"
        } else {
            ""
        }
    );
    let _ = writeln!(
        md,
        "Lost episodes, time to re-acquire, unseen gaps: ![episodes]({EPISODES_PLOT})"
    );
    md
}
