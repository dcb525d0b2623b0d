//! PNG plots of a run: ball and crop-centre position over time, latency histograms per stage,
//! confidence over time; bar charts of the engine's fixed-bucket telemetry histograms
//! (`ballcam report`), a field snapshot beside its reference; and a stacked histogram with a log
//! count axis (`ballcam profile`'s whole-frame latency per detector mode).
//!
//! Series are drawn with plotters' bitmap backend into an RGB buffer; plotters is built
//! without its font features (no fontconfig/freetype), so titles, legends and tick labels are
//! drawn afterwards with the bitmap font of [`crate::overlay`].

use std::ops::Range;
use std::path::Path;

use anyhow::{anyhow, Result};
use plotters::prelude::*;

use crate::labels_csv::Truth;
use crate::metrics::TrackRow;
use crate::output::write_png;
use crate::overlay::{self, colors, Canvas};

/// Plot image size.
const PLOT_W: u32 = 1200;
const PLOT_H: u32 = 720;
/// Space around each panel's plotting area, pixels.
const MARGIN_TOP: u32 = 34;
const MARGIN_LEFT: u32 = 70;
const MARGIN_RIGHT: u32 = 16;
const MARGIN_BOTTOM: u32 = 30;
/// Font scale of plot text.
const TEXT_SCALE: u32 = 2;
/// Approximate tick count per axis.
const TICKS: usize = 6;
/// Radius of an operating-point marker, pixels.
const MARKER_PX: u32 = 6;
/// Histogram bins per stage.
const HIST_BINS: usize = 30;
/// File names of the plots.
pub const POSITION_PLOT: &str = "plot_position.png";
pub const LATENCY_PLOT: &str = "plot_latency.png";
pub const CONFIDENCE_PLOT: &str = "plot_confidence.png";
pub const CURVES_PLOT: &str = "plot_curves.png";
pub const BREAKDOWN_PLOT: &str = "plot_breakdown.png";

/// Share of a bucket's width taken by its bars.
const BAR_FILL: f64 = 0.8;
/// Most edge labels under a bar chart.
const BAR_EDGE_LABELS: usize = 7;
/// Room above the tallest stack of a log-count histogram, as a factor of its height.
const LOG_HEADROOM: f64 = 1.1;
/// Gap between lines of plot text, pixels.
const TEXT_GAP_PX: u32 = 6;

/// One panel of [`histograms_plot`]: a histogram's inner edges and, per series (a snapshot), the
/// share of its values in each bucket (`edges.len() + 1` of them).
pub struct HistogramPanel<'a> {
    pub title: String,
    pub edges: &'a [f64],
    pub series: Vec<(&'a str, overlay::Rgb, Vec<f64>)>,
    /// Names written under the bars instead of the edges (categories: clips), when not empty.
    pub names: Vec<String>,
}

/// Text to draw on the image after plotters is done.
struct Label {
    x: i64,
    y: i64,
    text: String,
    color: overlay::Rgb,
}

fn rgb(c: overlay::Rgb) -> RGBColor {
    RGBColor(c[0], c[1], c[2])
}

fn plot_err<E: std::fmt::Display>(e: E) -> anyhow::Error {
    anyhow!("plotting failed: {e}")
}

/// "Nice" tick values covering `[lo, hi]`.
fn ticks(lo: f64, hi: f64, n: usize) -> Vec<f64> {
    let span = (hi - lo).abs();
    if !span.is_finite() || span <= 0.0 {
        return vec![lo];
    }
    let raw = span / n.max(1) as f64;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag);
    let mut t = (lo / step).ceil() * step;
    let mut out = Vec::new();
    while t <= hi + step * 1e-9 && out.len() < 100 {
        out.push(if t.abs() < step * 1e-9 { 0.0 } else { t });
        t += step;
    }
    out
}

fn tick_text(v: f64) -> String {
    if v.abs() >= 100.0 || v.fract().abs() < 1e-9 {
        format!("{v:.0}")
    } else if v.abs() >= 1.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

/// A finite range around the values (padded; never empty).
fn range_of(values: impl Iterator<Item = f64>, pad_fraction: f64) -> Range<f64> {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in values.filter(|v| v.is_finite()) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if !lo.is_finite() {
        return 0.0..1.0;
    }
    if hi - lo < 1e-9 {
        return (lo - 1.0)..(hi + 1.0);
    }
    let pad = (hi - lo) * pad_fraction;
    (lo - pad)..(hi + pad)
}

/// One line series: points with gaps (`None` breaks the line).
struct Series<'a> {
    name: &'a str,
    color: overlay::Rgb,
    points: Vec<(f64, Option<f64>)>,
}

/// Draws one panel of line series; returns the labels to draw on it.
fn line_panel(
    area: &DrawingArea<BitMapBackend, plotters::coord::Shift>,
    title: &str,
    x_range: Range<f64>,
    y_range: Range<f64>,
    series: &[Series],
    x_name: &str,
) -> Result<Vec<Label>> {
    let mut chart = ChartBuilder::on(area)
        .margin_top(MARGIN_TOP)
        .margin_left(MARGIN_LEFT)
        .margin_right(MARGIN_RIGHT)
        .margin_bottom(MARGIN_BOTTOM)
        .build_cartesian_2d(x_range.clone(), y_range.clone())
        .map_err(plot_err)?;
    let grid = rgb(colors::LIGHT_GRAY);
    let x_ticks = ticks(x_range.start, x_range.end, TICKS);
    let y_ticks = ticks(y_range.start, y_range.end, TICKS);
    for &t in &x_ticks {
        chart
            .draw_series(LineSeries::new(
                [(t, y_range.start), (t, y_range.end)],
                grid,
            ))
            .map_err(plot_err)?;
    }
    for &t in &y_ticks {
        chart
            .draw_series(LineSeries::new(
                [(x_range.start, t), (x_range.end, t)],
                grid,
            ))
            .map_err(plot_err)?;
    }
    for s in series {
        let style = rgb(s.color).stroke_width(2);
        // A series of one point is a marker (an operating point); lone points of a line are dots.
        let dot = if s.points.len() == 1 { MARKER_PX } else { 2 };
        let mut run: Vec<(f64, f64)> = Vec::new();
        let flush = |run: &mut Vec<(f64, f64)>, chart: &mut ChartContext<_, _>| -> Result<()> {
            if run.len() == 1 {
                chart
                    .draw_series(std::iter::once(Circle::new(run[0], dot, style.filled())))
                    .map_err(plot_err)?;
            } else if run.len() > 1 {
                chart
                    .draw_series(LineSeries::new(run.iter().copied(), style))
                    .map_err(plot_err)?;
            }
            run.clear();
            Ok(())
        };
        for &(x, y) in &s.points {
            match y {
                Some(y) if y.is_finite() => run.push((x, y)),
                _ => flush(&mut run, &mut chart)?,
            }
        }
        flush(&mut run, &mut chart)?;
    }
    let (px, py) = chart.plotting_area().get_pixel_range();
    chart
        .plotting_area()
        .draw(&plotters::element::Rectangle::new(
            [(x_range.start, y_range.start), (x_range.end, y_range.end)],
            rgb(colors::GRAY).stroke_width(1),
        ))
        .map_err(plot_err)?;
    let map_x = |v: f64| {
        px.start as f64
            + (v - x_range.start) / (x_range.end - x_range.start) * (px.end - px.start) as f64
    };
    let map_y = |v: f64| {
        py.end as f64
            - (v - y_range.start) / (y_range.end - y_range.start) * (py.end - py.start) as f64
    };
    let mut labels = Vec::new();
    let char_w = i64::from(overlay::GLYPH_ADVANCE * TEXT_SCALE);
    let char_h = i64::from(overlay::GLYPH_H * TEXT_SCALE);
    labels.push(Label {
        x: i64::from(px.start),
        y: i64::from(py.start) - char_h - 10,
        text: title.into(),
        color: colors::BLACK,
    });
    for &t in &x_ticks {
        let s = tick_text(t);
        let x = map_x(t) as i64 - s.len() as i64 * char_w / 2;
        labels.push(Label {
            x,
            y: i64::from(py.end) + 6,
            text: s,
            color: colors::BLACK,
        });
    }
    for &t in &y_ticks {
        let s = tick_text(t);
        let x = i64::from(px.start) - 6 - s.len() as i64 * char_w;
        labels.push(Label {
            x,
            y: map_y(t) as i64 - char_h / 2,
            text: s,
            color: colors::BLACK,
        });
    }
    labels.push(Label {
        x: i64::from(px.end) - x_name.len() as i64 * char_w,
        y: i64::from(py.end) - char_h - 6,
        text: x_name.into(),
        color: colors::GRAY,
    });
    // Legend, top right, right to left; markers (one-point series) listed inside the panel,
    // bottom right.
    let mut lx = i64::from(px.end);
    for s in series.iter().rev().filter(|s| s.points.len() != 1) {
        lx -= (s.name.len() as i64 + 3) * char_w;
        labels.push(Label {
            x: lx,
            y: i64::from(py.start) - char_h - 10,
            text: format!("- {}", s.name),
            color: s.color,
        });
    }
    let mut ly = i64::from(py.end) - 2 * char_h - 12;
    for s in series.iter().rev().filter(|s| s.points.len() == 1) {
        labels.push(Label {
            x: i64::from(px.end) - (s.name.len() as i64 + 3) * char_w,
            y: ly,
            text: format!("o {}", s.name),
            color: s.color,
        });
        ly -= char_h + 6;
    }
    Ok(labels)
}

/// Renders into a fresh buffer with `draw`, then draws the returned labels and saves a PNG.
fn render(
    path: &Path,
    draw: impl FnOnce(&DrawingArea<BitMapBackend, plotters::coord::Shift>) -> Result<Vec<Label>>,
) -> Result<()> {
    let mut buf = vec![255u8; PLOT_W as usize * PLOT_H as usize * overlay::RGB_BYTES];
    let labels = {
        let root = BitMapBackend::with_buffer(&mut buf, (PLOT_W, PLOT_H)).into_drawing_area();
        root.fill(&WHITE).map_err(plot_err)?;
        let labels = draw(&root)?;
        root.present().map_err(plot_err)?;
        labels
    };
    let mut canvas =
        Canvas::new(&mut buf, PLOT_W, PLOT_H).ok_or_else(|| anyhow!("plot buffer too small"))?;
    for l in labels {
        canvas.text(l.x, l.y, &l.text, TEXT_SCALE, l.color);
    }
    write_png(path, &buf, PLOT_W, PLOT_H)
}

fn seconds(row: &TrackRow, t0: i64) -> f64 {
    row.timestamp_us.saturating_sub(t0) as f64 / 1e6
}

/// Ball (estimate and truth) and crop-centre x and y over time, two panels.
pub fn position_plot(path: &Path, rows: &[TrackRow], truths: &[Option<Truth>]) -> Result<()> {
    let t0 = rows.first().map_or(0, |r| r.timestamp_us);
    // With several clips, time restarts: plot against the frame number instead.
    let by_frame = rows
        .windows(2)
        .any(|w| w[1].timestamp_us <= w[0].timestamp_us);
    let xval = |r: &TrackRow| {
        if by_frame {
            r.frame as f64
        } else {
            seconds(r, t0)
        }
    };
    let x_name = if by_frame { "frame" } else { "time (s)" };
    let x_range = range_of(rows.iter().map(xval), 0.0);
    let has_truth = truths
        .iter()
        .any(|t| t.and_then(|t| t.position()).is_some());
    render(path, |root| {
        let panels = root.split_evenly((2, 1));
        let mut labels = Vec::new();
        for (axis, panel) in panels.iter().enumerate() {
            let pick = |p: (f64, f64)| if axis == 0 { p.0 } else { p.1 };
            let mut series = vec![
                Series {
                    name: "ball",
                    color: colors::GREEN,
                    points: rows
                        .iter()
                        .map(|r| (xval(r), r.ball.map(|b| pick((b.x, b.y)))))
                        .collect(),
                },
                Series {
                    name: "crop centre",
                    color: colors::BLUE,
                    points: rows
                        .iter()
                        .map(|r| (xval(r), Some(pick(r.crop_centre()))))
                        .collect(),
                },
            ];
            if has_truth {
                series.push(Series {
                    name: "truth",
                    color: colors::RED,
                    points: rows
                        .iter()
                        .zip(truths)
                        .map(|(r, t)| (xval(r), t.and_then(|t| t.position()).map(pick)))
                        .collect(),
                });
            }
            let extent = rows.first().map_or(1.0, |r| {
                f64::from(if axis == 0 { r.width } else { r.height })
            });
            let y_range = range_of(
                series
                    .iter()
                    .flat_map(|s| s.points.iter().filter_map(|p| p.1))
                    .chain([0.0, extent]),
                0.02,
            );
            let title = if axis == 0 { "x (px)" } else { "y (px)" };
            labels.extend(line_panel(
                panel,
                title,
                x_range.clone(),
                y_range,
                &series,
                x_name,
            )?);
        }
        Ok(labels)
    })
}

/// Confidence of the ball estimate over time (gaps when lost).
pub fn confidence_plot(path: &Path, rows: &[TrackRow], threshold: Option<f64>) -> Result<()> {
    let t0 = rows.first().map_or(0, |r| r.timestamp_us);
    let by_frame = rows
        .windows(2)
        .any(|w| w[1].timestamp_us <= w[0].timestamp_us);
    let xval = |r: &TrackRow| {
        if by_frame {
            r.frame as f64
        } else {
            seconds(r, t0)
        }
    };
    let x_name = if by_frame { "frame" } else { "time (s)" };
    let x_range = range_of(rows.iter().map(xval), 0.0);
    render(path, |root| {
        let mut series = vec![Series {
            name: "confidence",
            color: colors::PURPLE,
            points: rows
                .iter()
                .map(|r| (xval(r), r.ball.map(|b| b.confidence)))
                .collect(),
        }];
        if let Some(th) = threshold {
            series.push(Series {
                name: "threshold",
                color: colors::ORANGE,
                points: vec![(x_range.start, Some(th)), (x_range.end, Some(th))],
            });
        }
        line_panel(
            root,
            "Ball confidence",
            x_range.clone(),
            0.0..1.05,
            &series,
            x_name,
        )
    })
}

/// A histogram of each stage's latency (µs), one panel per stage.
pub fn latency_plot(path: &Path, rows: &[TrackRow]) -> Result<()> {
    render(path, |root| {
        let panels = root.split_evenly((2, 3));
        let mut labels = Vec::new();
        let stage_names = ["convert", "infer", "decode", "track", "plan", "total"];
        for (i, panel) in panels.iter().enumerate() {
            let Some(&name) = stage_names.get(i) else {
                break;
            };
            let values: Vec<f64> = rows
                .iter()
                .map(|r| {
                    r.timings
                        .stages()
                        .iter()
                        .find(|(n, _)| *n == name)
                        .map_or(0, |s| s.1) as f64
                })
                .collect();
            let stats = crate::stats::Stats::of(&values);
            let hi = if stats.max > 0.0 {
                stats.max * 1.02
            } else {
                1.0
            };
            let width = hi / HIST_BINS as f64;
            let mut bins = vec![0usize; HIST_BINS];
            for v in &values {
                let b = ((v / width) as usize).min(HIST_BINS - 1);
                bins[b] += 1;
            }
            let top = bins.iter().copied().max().unwrap_or(1).max(1) as f64 * 1.1;
            let mut chart = ChartBuilder::on(panel)
                .margin_top(MARGIN_TOP)
                .margin_left(MARGIN_LEFT)
                .margin_right(MARGIN_RIGHT)
                .margin_bottom(MARGIN_BOTTOM)
                .build_cartesian_2d(0.0..hi, 0.0..top)
                .map_err(plot_err)?;
            let color = rgb(colors::BLUE);
            chart
                .draw_series(
                    bins.iter()
                        .enumerate()
                        .filter(|(_, c)| **c > 0)
                        .map(|(b, &c)| {
                            let x0 = b as f64 * width;
                            plotters::element::Rectangle::new(
                                [(x0, 0.0), (x0 + width * 0.9, c as f64)],
                                color.filled(),
                            )
                        }),
                )
                .map_err(plot_err)?;
            chart
                .plotting_area()
                .draw(&plotters::element::Rectangle::new(
                    [(0.0, 0.0), (hi, top)],
                    rgb(colors::GRAY).stroke_width(1),
                ))
                .map_err(plot_err)?;
            let (px, py) = chart.plotting_area().get_pixel_range();
            let char_h = i64::from(overlay::GLYPH_H * TEXT_SCALE);
            labels.push(Label {
                x: i64::from(px.start),
                y: i64::from(py.start) - char_h - 10,
                text: format!("{} µs: p50 {:.0} p99 {:.0}", name, stats.p50, stats.p99),
                color: colors::BLACK,
            });
            labels.push(Label {
                x: i64::from(px.start),
                y: i64::from(py.end) + 6,
                text: "0".into(),
                color: colors::BLACK,
            });
            let max_text = format!("{hi:.0}");
            let char_w = i64::from(overlay::GLYPH_ADVANCE * TEXT_SCALE);
            labels.push(Label {
                x: i64::from(px.end) - max_text.len() as i64 * char_w,
                y: i64::from(py.end) + 6,
                text: max_text,
                color: colors::BLACK,
            });
            let count_text = format!("{:.0}", top);
            labels.push(Label {
                x: i64::from(px.start) - 6 - count_text.len() as i64 * char_w,
                y: i64::from(py.start),
                text: count_text,
                color: colors::GRAY,
            });
        }
        Ok(labels)
    })
}

/// One category of [`stacked_histogram_plot`]: its values, stacked in the given order.
pub struct StackedSeries<'a> {
    /// Legend text.
    pub name: String,
    pub color: overlay::Rgb,
    pub values: &'a [f64],
}

/// A named vertical line across a plot (a budget, a target), in x units.
pub struct Marker<'a> {
    pub at: f64,
    pub name: &'a str,
    pub color: overlay::Rgb,
}

/// A histogram of every series' values over `0..range` in `bins` bins, the series stacked in
/// order, counts on a log scale (each stack's height is the log of its cumulative count); the
/// last bin also holds the values beyond the range. `markers` are drawn as vertical lines.
pub fn stacked_histogram_plot(
    path: &Path,
    title: &str,
    x_name: &str,
    series: &[StackedSeries],
    range: f64,
    bins: usize,
    markers: &[Marker],
) -> Result<()> {
    let bins = bins.max(1);
    let range = if range.is_finite() && range > 0.0 {
        range
    } else {
        1.0
    };
    let width = range / bins as f64;
    // counts[bin][series]
    let mut counts = vec![vec![0u64; series.len()]; bins];
    for (k, s) in series.iter().enumerate() {
        for &v in s.values.iter().filter(|v| v.is_finite()) {
            let b = ((v.max(0.0) / width) as usize).min(bins - 1);
            counts[b][k] += 1;
        }
    }
    let max_count = counts
        .iter()
        .map(|c| c.iter().sum::<u64>())
        .max()
        .unwrap_or(0)
        .max(1);
    let log_height = |n: u64| (n as f64 + 1.0).log10();
    let top = log_height(max_count) * LOG_HEADROOM;
    let char_w = i64::from(overlay::GLYPH_ADVANCE * TEXT_SCALE);
    let char_h = i64::from(overlay::GLYPH_H * TEXT_SCALE);
    render(path, |root| {
        let mut chart = ChartBuilder::on(root)
            .margin_top(MARGIN_TOP)
            .margin_left(MARGIN_LEFT)
            .margin_right(MARGIN_RIGHT)
            .margin_bottom(MARGIN_BOTTOM + char_h as u32 + TEXT_GAP_PX)
            .build_cartesian_2d(0.0..range, 0.0..top)
            .map_err(plot_err)?;
        let grid = rgb(colors::LIGHT_GRAY);
        let x_ticks = ticks(0.0, range, TICKS);
        let mut y_ticks = Vec::new();
        let mut n = 1u64;
        while n <= max_count {
            y_ticks.push(n);
            n = n.saturating_mul(10);
        }
        for &t in &x_ticks {
            chart
                .draw_series(LineSeries::new([(t, 0.0), (t, top)], grid))
                .map_err(plot_err)?;
        }
        for &n in &y_ticks {
            let y = log_height(n);
            chart
                .draw_series(LineSeries::new([(0.0, y), (range, y)], grid))
                .map_err(plot_err)?;
        }
        for (b, c) in counts.iter().enumerate() {
            let x0 = b as f64 * width;
            let x1 = x0 + width * BAR_FILL;
            let mut cumulative = 0u64;
            for (k, &n) in c.iter().enumerate().filter(|(_, &n)| n > 0) {
                let bottom = log_height(cumulative);
                cumulative += n;
                chart
                    .draw_series(std::iter::once(plotters::element::Rectangle::new(
                        [(x0, bottom), (x1, log_height(cumulative))],
                        rgb(series[k].color).filled(),
                    )))
                    .map_err(plot_err)?;
            }
        }
        for m in markers.iter().filter(|m| m.at.is_finite()) {
            chart
                .draw_series(LineSeries::new(
                    [(m.at, 0.0), (m.at, top)],
                    rgb(m.color).stroke_width(2),
                ))
                .map_err(plot_err)?;
        }
        chart
            .plotting_area()
            .draw(&plotters::element::Rectangle::new(
                [(0.0, 0.0), (range, top)],
                rgb(colors::GRAY).stroke_width(1),
            ))
            .map_err(plot_err)?;
        let (px, py) = chart.plotting_area().get_pixel_range();
        let map_x = |v: f64| px.start as f64 + v / range * (px.end - px.start) as f64;
        let map_y = |v: f64| py.end as f64 - v / top * (py.end - py.start) as f64;
        let mut labels = vec![Label {
            x: i64::from(px.start),
            y: i64::from(py.start) - char_h - 10,
            text: title.into(),
            color: colors::BLACK,
        }];
        for &t in &x_ticks {
            let text = tick_text(t);
            labels.push(Label {
                x: map_x(t) as i64 - text.len() as i64 * char_w / 2,
                y: i64::from(py.end) + 6,
                text,
                color: colors::BLACK,
            });
        }
        labels.push(Label {
            x: i64::from(px.start),
            y: i64::from(py.end) + 6 + char_h + i64::from(TEXT_GAP_PX),
            text: x_name.into(),
            color: colors::BLACK,
        });
        for &n in &y_ticks {
            let text = n.to_string();
            labels.push(Label {
                x: i64::from(px.start) - 6 - text.len() as i64 * char_w,
                y: map_y(log_height(n)) as i64 - char_h / 2,
                text,
                color: colors::BLACK,
            });
        }
        // Legend, top right, one line per series, then the scale.
        let line = char_h + i64::from(TEXT_GAP_PX);
        let legend = series
            .iter()
            .map(|s| (format!("- {}", s.name), s.color))
            .chain(std::iter::once((
                "count: log scale".to_string(),
                colors::GRAY,
            )));
        for (i, (text, color)) in legend.enumerate() {
            labels.push(Label {
                x: i64::from(px.end) - 6 - text.len() as i64 * char_w,
                y: i64::from(py.start) + 6 + i as i64 * line,
                text,
                color,
            });
        }
        // Marker names beside their lines, near the bottom, one line each.
        for (i, m) in markers.iter().filter(|m| m.at.is_finite()).enumerate() {
            labels.push(Label {
                x: map_x(m.at) as i64 + 6,
                y: i64::from(py.end) - (i as i64 + 1) * line - 6,
                text: m.name.into(),
                color: m.color,
            });
        }
        Ok(labels)
    })
}

/// Colours of the operating points on the threshold curves, in order.
const OPERATING_COLORS: [overlay::Rgb; 3] = [colors::RED, colors::GREEN, colors::ORANGE];

/// The detector threshold curves, two panels: precision against recall, and recall against
/// false alarms per ball-free frame, each with the operating points marked.
pub fn curves_plot(path: &Path, c: &crate::curves::Curves) -> Result<()> {
    let pr: Vec<(f64, Option<f64>)> = c
        .points
        .iter()
        .filter_map(|p| Some((p.recall?, p.precision)))
        .collect();
    // Per ball-free frame when the set labels some, else per frame.
    let per_free = c.ball_free_frames > 0;
    let alarms = move |p: &crate::curves::CurvePoint| {
        if per_free {
            p.false_alarms_per_free_frame
        } else {
            p.false_alarms_per_frame
        }
    };
    let roc: Vec<(f64, Option<f64>)> = c
        .points
        .iter()
        .filter_map(|p| Some((alarms(p)?, p.recall)))
        .collect();
    let names: Vec<String> = c
        .operating_points
        .iter()
        .map(|o| format!("{} {:.2}", o.name, o.point.threshold))
        .collect();
    let marks = |xy: &dyn Fn(&crate::curves::CurvePoint) -> Option<(f64, f64)>| -> Vec<Series> {
        c.operating_points
            .iter()
            .zip(&names)
            .zip(OPERATING_COLORS.iter().cycle())
            .filter_map(|((o, name), color)| {
                let (x, y) = xy(&o.point)?;
                Some(Series {
                    name,
                    color: *color,
                    points: vec![(x, Some(y))],
                })
            })
            .collect()
    };
    let mut pr_series = vec![Series {
        name: "precision",
        color: colors::BLUE,
        points: pr,
    }];
    pr_series.extend(marks(&|p| Some((p.recall?, p.precision?))));
    let roc_max = roc.iter().map(|p| p.0).fold(0.0f64, f64::max).max(0.01) * 1.05;
    let mut roc_series = vec![Series {
        name: "recall",
        color: colors::BLUE,
        points: roc,
    }];
    roc_series.extend(marks(&|p| Some((alarms(p)?, p.recall?))));
    render(path, |root| {
        let panels = root.split_evenly((1, 2));
        let mut labels = Vec::new();
        if let [left, right] = panels.as_slice() {
            labels.extend(line_panel(
                left,
                "Precision vs recall",
                0.0..1.0,
                0.0..1.05,
                &pr_series,
                "recall",
            )?);
            labels.extend(line_panel(
                right,
                "Recall vs false alarms",
                0.0..roc_max,
                0.0..1.05,
                &roc_series,
                if per_free {
                    "per ball-free frame"
                } else {
                    "per frame (no ball-free frames)"
                },
            )?);
        }
        Ok(labels)
    })
}

/// Bar charts of fixed-bucket histograms, `cols` panels a row: each bucket's share, one bar per
/// series, the bucket edges written under the bars.
pub fn histograms_plot(path: &Path, panels: &[HistogramPanel], cols: usize) -> Result<()> {
    let cols = cols.max(1);
    let rows = panels.len().div_ceil(cols).max(1);
    render(path, |root| {
        let areas = root.split_evenly((rows, cols));
        let mut labels = Vec::new();
        for (panel, area) in panels.iter().zip(&areas) {
            labels.extend(bar_panel(area, panel)?);
        }
        Ok(labels)
    })
}

/// Draws one bar chart; returns its labels.
fn bar_panel(
    area: &DrawingArea<BitMapBackend, plotters::coord::Shift>,
    panel: &HistogramPanel,
) -> Result<Vec<Label>> {
    let buckets = panel.edges.len() + 1;
    let top = panel
        .series
        .iter()
        .flat_map(|s| s.2.iter().copied())
        .filter(|v| v.is_finite())
        .fold(0.0f64, f64::max)
        .max(0.01)
        * 1.1;
    let mut chart = ChartBuilder::on(area)
        .margin_top(MARGIN_TOP)
        .margin_left(MARGIN_LEFT)
        .margin_right(MARGIN_RIGHT)
        .margin_bottom(MARGIN_BOTTOM)
        .build_cartesian_2d(0.0..buckets as f64, 0.0..top)
        .map_err(plot_err)?;
    let y_ticks = ticks(0.0, top, TICKS / 2);
    for &t in &y_ticks {
        chart
            .draw_series(LineSeries::new(
                [(0.0, t), (buckets as f64, t)],
                rgb(colors::LIGHT_GRAY),
            ))
            .map_err(plot_err)?;
    }
    let width = BAR_FILL / panel.series.len().max(1) as f64;
    for (si, (_, color, shares)) in panel.series.iter().enumerate() {
        let style = rgb(*color).filled();
        chart
            .draw_series(
                shares
                    .iter()
                    .enumerate()
                    .filter(|(_, v)| **v > 0.0)
                    .map(|(b, &v)| {
                        let x0 = b as f64 + (1.0 - BAR_FILL) / 2.0 + si as f64 * width;
                        plotters::element::Rectangle::new([(x0, 0.0), (x0 + width, v)], style)
                    }),
            )
            .map_err(plot_err)?;
    }
    chart
        .plotting_area()
        .draw(&plotters::element::Rectangle::new(
            [(0.0, 0.0), (buckets as f64, top)],
            rgb(colors::GRAY).stroke_width(1),
        ))
        .map_err(plot_err)?;
    let (px, py) = chart.plotting_area().get_pixel_range();
    let map_x = |v: f64| px.start as f64 + v / buckets as f64 * (px.end - px.start) as f64;
    let map_y = |v: f64| py.end as f64 - v / top * (py.end - py.start) as f64;
    let char_w = i64::from(overlay::GLYPH_ADVANCE * TEXT_SCALE);
    let char_h = i64::from(overlay::GLYPH_H * TEXT_SCALE);
    let mut labels = vec![Label {
        x: i64::from(px.start),
        y: i64::from(py.start) - char_h - 10,
        text: panel.title.clone(),
        color: colors::BLACK,
    }];
    if panel.names.is_empty() {
        let step = panel.edges.len().div_ceil(BAR_EDGE_LABELS).max(1);
        for (i, &e) in panel.edges.iter().enumerate().step_by(step) {
            let text = tick_text(e);
            labels.push(Label {
                x: map_x((i + 1) as f64) as i64 - text.len() as i64 * char_w / 2,
                y: i64::from(py.end) + 6,
                text,
                color: colors::BLACK,
            });
        }
    } else {
        let step = panel.names.len().div_ceil(BAR_EDGE_LABELS * 2).max(1);
        for (i, name) in panel.names.iter().enumerate().step_by(step) {
            labels.push(Label {
                x: map_x(i as f64 + 0.5) as i64 - name.len() as i64 * char_w / 2,
                y: i64::from(py.end) + 6,
                text: name.clone(),
                color: colors::BLACK,
            });
        }
    }
    for &t in &y_ticks {
        let text = format!("{:.0}%", t * 100.0);
        labels.push(Label {
            x: i64::from(px.start) - 6 - text.len() as i64 * char_w,
            y: map_y(t) as i64 - char_h / 2,
            text,
            color: colors::BLACK,
        });
    }
    let mut lx = i64::from(px.end);
    for (name, color, _) in panel.series.iter().rev() {
        lx -= (name.len() as i64 + 3) * char_w;
        labels.push(Label {
            x: lx,
            y: i64::from(py.start) + 4,
            text: format!("- {name}"),
            color: *color,
        });
    }
    Ok(labels)
}

/// Writes all three plots into `dir`-relative paths given by `path_of`; returns (caption, file
/// name) pairs for the report.
pub fn write_all(
    path_of: impl Fn(&str) -> std::path::PathBuf,
    rows: &[TrackRow],
    truths: &[Option<Truth>],
    threshold: Option<f64>,
) -> Result<Vec<(&'static str, &'static str)>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    position_plot(&path_of(POSITION_PLOT), rows, truths)?;
    latency_plot(&path_of(LATENCY_PLOT), rows)?;
    confidence_plot(&path_of(CONFIDENCE_PLOT), rows, threshold)?;
    Ok(vec![
        ("Ball and crop centre over time", POSITION_PLOT),
        ("Latency per stage", LATENCY_PLOT),
        ("Confidence over time", CONFIDENCE_PLOT),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round_and_cover_the_range() {
        assert_eq!(ticks(0.0, 10.0, 5), vec![0.0, 2.0, 4.0, 6.0, 8.0, 10.0]);
        assert_eq!(ticks(5.0, 5.0, 5), vec![5.0]);
        let t = ticks(-3.3, 1280.0, 6);
        assert!(t.len() >= 4 && t.len() <= 10, "{t:?}");
    }
}
