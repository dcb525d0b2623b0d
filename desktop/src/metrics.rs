//! Metrics over a processed sequence and the `report.md` / `report.json` / `metrics.json`
//! documents.
//!
//! Scoring (frames whose truth says visible or not; frames with unknown truth are not scored):
//! the system's answer is the engine's ball estimate (detected or predicted). A visible ball
//! answered within the tolerance is a true positive; a visible ball not answered, or answered
//! too far, is a false negative (too far is also a false positive); an answer when the ball is
//! not visible is a false positive. The tolerance is `--tolerance` px, else
//! max([`MIN_TOLERANCE_PX`], ball box size).

use std::fmt::Write as _;

use serde::Serialize;

use crate::labels_csv::Truth;
use crate::stats::{median, Stats};
use ballcam_core::US_PER_S;

/// Smallest default matching tolerance, pixels.
pub const MIN_TOLERANCE_PX: f64 = 10.0;
/// The safe zone: the crop's central fraction (per axis).
pub const SAFE_ZONE_FRACTION: f64 = 0.8;
/// Upper bounds (exclusive) of the ball-size buckets, pixels; the last bucket is open.
pub const SIZE_BUCKET_BOUNDS: [f64; 3] = [8.0, 16.0, 32.0];
/// Names of the ball-size buckets.
pub const SIZE_BUCKET_NAMES: [&str; 4] = ["<8 px", "8-16 px", "16-32 px", ">32 px"];

/// Per-stage timings of one frame, microseconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Timings {
    pub convert_us: u64,
    pub infer_us: u64,
    pub decode_us: u64,
    pub track_us: u64,
    pub plan_us: u64,
    pub total_us: u64,
}

impl Timings {
    /// Stage names and values, in pipeline order.
    pub fn stages(&self) -> [(&'static str, u64); 6] {
        [
            ("convert", self.convert_us),
            ("infer", self.infer_us),
            ("decode", self.decode_us),
            ("track", self.track_us),
            ("plan", self.plan_us),
            ("total", self.total_us),
        ]
    }
}

/// The ball estimate of one frame.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct BallRow {
    pub x: f64,
    pub y: f64,
    pub vx: f64,
    pub vy: f64,
    pub radius: f64,
    pub confidence: f64,
}

/// One processed frame (one row of `track.csv`), in pixels of the frame fed to the engine.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrackRow {
    pub frame: usize,
    /// Clip number (the engine is reset at each new clip).
    pub clip: usize,
    pub source: String,
    pub timestamp_us: i64,
    pub width: u32,
    pub height: u32,
    /// detected / predicted / lost.
    pub state: &'static str,
    pub ball: Option<BallRow>,
    pub candidates: u32,
    /// The frame's most confident detector candidate: x, y, score.
    pub top: Option<[f64; 3]>,
    /// x, y, width, height.
    pub crop: [f64; 4],
    /// full / roi / tile / skip.
    pub mode: &'static str,
    pub timings: Timings,
}

impl TrackRow {
    /// Whether `(x, y)` lies inside the crop shrunk to `fraction` of its size about its centre.
    pub fn in_crop(&self, x: f64, y: f64, fraction: f64) -> bool {
        let [cx, cy, cw, ch] = self.crop;
        let (mx, my) = (cx + cw / 2.0, cy + ch / 2.0);
        (x - mx).abs() <= cw * fraction / 2.0 && (y - my).abs() <= ch * fraction / 2.0
    }

    /// The crop's centre.
    pub fn crop_centre(&self) -> (f64, f64) {
        let [cx, cy, cw, ch] = self.crop;
        (cx + cw / 2.0, cy + ch / 2.0)
    }
}

/// Detection counts and rates.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Detection {
    pub true_positives: usize,
    pub false_positives: usize,
    pub false_negatives: usize,
    pub precision: Option<f64>,
    pub recall: Option<f64>,
    pub f1: Option<f64>,
}

/// Metrics of one ball-size bucket.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SizeBucket {
    pub name: &'static str,
    /// Frames with a visible, located ball of this size.
    pub frames: usize,
    pub recall: Option<f64>,
    pub median_error_px: Option<f64>,
    pub ball_in_crop: Option<f64>,
    pub ball_in_safe_zone: Option<f64>,
}

/// Crop width as a share of the frame width, over every frame.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Tightness {
    pub mean_width_share: f64,
    pub p90_width_share: f64,
    /// Share of frames whose crop spans (nearly) the whole frame width.
    pub full_width_frames: f64,
}

/// A crop at least this share of the frame width counts as the full frame.
pub const FULL_WIDTH_SHARE: f64 = 0.99;

/// The crop tightness of `rows`.
pub fn tightness(rows: &[TrackRow]) -> Tightness {
    let shares: Vec<f64> = rows
        .iter()
        .filter(|r| r.width > 0)
        .map(|r| r.crop[2] / f64::from(r.width))
        .collect();
    if shares.is_empty() {
        return Tightness::default();
    }
    let st = Stats::of(&shares);
    Tightness {
        mean_width_share: st.mean,
        p90_width_share: st.p90,
        full_width_frames: shares.iter().filter(|&&s| s >= FULL_WIDTH_SHARE).count() as f64
            / shares.len() as f64,
    }
}

/// Smoothness of the crop centre's path.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Smoothness {
    /// Mean magnitude of the crop centre's acceleration, px/s².
    pub mean_abs_accel_px_s2: f64,
    /// Mean magnitude of its jerk, px/s³.
    pub mean_abs_jerk_px_s3: f64,
}

/// Counts per tracker state and detector mode.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Counts {
    pub detected: usize,
    pub predicted: usize,
    pub lost: usize,
    pub full: usize,
    pub roi: usize,
    pub tile: usize,
    pub skip: usize,
}

/// Latency statistics per stage, microseconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Latency {
    pub convert: Stats,
    pub infer: Stats,
    pub decode: Stats,
    pub track: Stats,
    pub plan: Stats,
    pub total: Stats,
}

impl Latency {
    /// Stage names and statistics, in pipeline order.
    pub fn stages(&self) -> [(&'static str, Stats); 6] {
        [
            ("convert", self.convert),
            ("infer", self.infer),
            ("decode", self.decode),
            ("track", self.track),
            ("plan", self.plan),
            ("total", self.total),
        ]
    }
}

/// All metrics of a run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Metrics {
    pub frames: usize,
    /// Frames whose truth says visible or not.
    pub scored_frames: usize,
    /// Frames with a visible ball at a known position.
    pub visible_frames: usize,
    /// The matching tolerance: a fixed number of pixels, or `null` for max(10 px, ball size).
    pub tolerance_px: Option<f64>,
    pub detection: Detection,
    /// Distance between the estimate and the truth where both exist, pixels.
    pub median_error_px: Option<f64>,
    pub p90_error_px: Option<f64>,
    /// Fraction of visible-ball frames with the ball inside the crop.
    pub ball_in_crop: Option<f64>,
    /// ... inside the crop's central 80%.
    pub ball_in_safe_zone: Option<f64>,
    /// How tight the crop is (always read next to `ball_in_crop`: a crop at the full frame
    /// keeps every ball and frames nothing).
    pub crop_tightness: Tightness,
    pub crop_smoothness: Smoothness,
    /// Frames with two or more candidates above threshold.
    pub multi_candidate_frames: usize,
    /// Share of visible-ball frames whose most confident detector candidate lies on the ball
    /// (within the tolerance), whatever the tracker made of it: the detector's per-frame recall
    /// on the regions the scheduler chose.
    pub top_candidate_recall: Option<f64>,
    pub counts: Counts,
    pub latency_us: Latency,
    pub by_size: Vec<SizeBucket>,
}

fn ratio(num: usize, den: usize) -> Option<f64> {
    (den > 0).then(|| num as f64 / den as f64)
}

/// Computes the metrics of `rows` against `truths` (same length; `None`: no truth).
pub fn compute(rows: &[TrackRow], truths: &[Option<Truth>], tolerance_px: Option<f64>) -> Metrics {
    let mut det = Detection::default();
    let (mut scored, mut visible) = (0usize, 0usize);
    let (mut in_crop, mut in_safe) = (0usize, 0usize);
    let mut top_hits = 0usize;
    let mut errors = Vec::new();
    #[derive(Default)]
    struct Bucket {
        frames: usize,
        tp: usize,
        errors: Vec<f64>,
        in_crop: usize,
        in_safe: usize,
    }
    let mut buckets: Vec<Bucket> = (0..SIZE_BUCKET_NAMES.len())
        .map(|_| Bucket::default())
        .collect();
    for (row, truth) in rows.iter().zip(truths) {
        let Some(truth) = truth else { continue };
        let Some(vis) = truth.visible else { continue };
        scored += 1;
        if !vis {
            det.false_positives += usize::from(row.ball.is_some());
            continue;
        }
        let Some((tx, ty)) = truth.position() else {
            continue;
        };
        visible += 1;
        let size = truth.size();
        let tol = tolerance_px.unwrap_or_else(|| size.unwrap_or(0.0).max(MIN_TOLERANCE_PX));
        top_hits += usize::from(
            row.top
                .is_some_and(|[cx, cy, _]| ((cx - tx).powi(2) + (cy - ty).powi(2)).sqrt() <= tol),
        );
        let crop_hit = row.in_crop(tx, ty, 1.0);
        let safe_hit = row.in_crop(tx, ty, SAFE_ZONE_FRACTION);
        in_crop += usize::from(crop_hit);
        in_safe += usize::from(safe_hit);
        let error = row
            .ball
            .map(|b| ((b.x - tx).powi(2) + (b.y - ty).powi(2)).sqrt());
        let hit = error.is_some_and(|e| e <= tol);
        if let Some(e) = error {
            errors.push(e);
            if !hit {
                det.false_positives += 1;
            }
        }
        if hit {
            det.true_positives += 1;
        } else {
            det.false_negatives += 1;
        }
        if let Some(size) = size {
            let b = SIZE_BUCKET_BOUNDS
                .iter()
                .position(|&bound| size < bound)
                .unwrap_or(SIZE_BUCKET_BOUNDS.len());
            let bucket = &mut buckets[b];
            bucket.frames += 1;
            bucket.tp += usize::from(hit);
            bucket.in_crop += usize::from(crop_hit);
            bucket.in_safe += usize::from(safe_hit);
            bucket.errors.extend(error);
        }
    }
    det.precision = ratio(det.true_positives, det.true_positives + det.false_positives);
    det.recall = ratio(det.true_positives, det.true_positives + det.false_negatives);
    det.f1 = match (det.precision, det.recall) {
        (Some(p), Some(r)) if p + r > 0.0 => Some(2.0 * p * r / (p + r)),
        (Some(_), Some(_)) => Some(0.0),
        _ => None,
    };
    let mut counts = Counts::default();
    for r in rows {
        match r.state {
            "detected" => counts.detected += 1,
            "predicted" => counts.predicted += 1,
            _ => counts.lost += 1,
        }
        match r.mode {
            "full" => counts.full += 1,
            "roi" => counts.roi += 1,
            "tile" => counts.tile += 1,
            _ => counts.skip += 1,
        }
    }
    let stage = |f: fn(&Timings) -> u64| {
        Stats::of(
            &rows
                .iter()
                .map(|r| f(&r.timings) as f64)
                .collect::<Vec<_>>(),
        )
    };
    let latency = Latency {
        convert: stage(|t| t.convert_us),
        infer: stage(|t| t.infer_us),
        decode: stage(|t| t.decode_us),
        track: stage(|t| t.track_us),
        plan: stage(|t| t.plan_us),
        total: stage(|t| t.total_us),
    };
    let errors_stats = Stats::of(&errors);
    Metrics {
        frames: rows.len(),
        scored_frames: scored,
        visible_frames: visible,
        tolerance_px,
        detection: det,
        median_error_px: median(&errors),
        p90_error_px: (!errors.is_empty()).then_some(errors_stats.p90),
        ball_in_crop: ratio(in_crop, visible),
        ball_in_safe_zone: ratio(in_safe, visible),
        crop_tightness: tightness(rows),
        crop_smoothness: smoothness(rows),
        multi_candidate_frames: rows.iter().filter(|r| r.candidates >= 2).count(),
        top_candidate_recall: ratio(top_hits, visible),
        counts,
        latency_us: latency,
        by_size: buckets
            .into_iter()
            .zip(SIZE_BUCKET_NAMES)
            .map(|(b, name)| SizeBucket {
                name,
                frames: b.frames,
                recall: ratio(b.tp, b.frames),
                median_error_px: median(&b.errors),
                ball_in_crop: ratio(b.in_crop, b.frames),
                ball_in_safe_zone: ratio(b.in_safe, b.frames),
            })
            .collect(),
    }
}

/// Mean acceleration and jerk magnitudes of the crop centre, by finite differences within each
/// clip.
pub fn smoothness(rows: &[TrackRow]) -> Smoothness {
    let (mut acc_sum, mut acc_n, mut jerk_sum, mut jerk_n) = (0.0, 0usize, 0.0, 0usize);
    let mut start = 0;
    while start < rows.len() {
        let clip = rows[start].clip;
        let end = rows[start..]
            .iter()
            .position(|r| r.clip != clip)
            .map_or(rows.len(), |n| start + n);
        let seg = &rows[start..end];
        let t: Vec<f64> = seg
            .iter()
            .map(|r| r.timestamp_us as f64 / US_PER_S)
            .collect();
        let p: Vec<(f64, f64)> = seg.iter().map(TrackRow::crop_centre).collect();
        // Velocities at midpoints.
        let mut vel = Vec::new();
        for i in 1..seg.len() {
            let dt = t[i] - t[i - 1];
            if dt > 0.0 {
                vel.push((
                    (t[i] + t[i - 1]) / 2.0,
                    (p[i].0 - p[i - 1].0) / dt,
                    (p[i].1 - p[i - 1].1) / dt,
                ));
            }
        }
        let diff = |v: &[(f64, f64, f64)]| -> Vec<(f64, f64, f64)> {
            v.windows(2)
                .filter(|w| w[1].0 > w[0].0)
                .map(|w| {
                    let dt = w[1].0 - w[0].0;
                    (
                        (w[0].0 + w[1].0) / 2.0,
                        (w[1].1 - w[0].1) / dt,
                        (w[1].2 - w[0].2) / dt,
                    )
                })
                .collect()
        };
        let acc = diff(&vel);
        let jerk = diff(&acc);
        acc_sum += acc.iter().map(|a| a.1.hypot(a.2)).sum::<f64>();
        acc_n += acc.len();
        jerk_sum += jerk.iter().map(|j| j.1.hypot(j.2)).sum::<f64>();
        jerk_n += jerk.len();
        start = end;
    }
    Smoothness {
        mean_abs_accel_px_s2: if acc_n > 0 {
            acc_sum / acc_n as f64
        } else {
            0.0
        },
        mean_abs_jerk_px_s3: if jerk_n > 0 {
            jerk_sum / jerk_n as f64
        } else {
            0.0
        },
    }
}

/// A fraction as a percentage with one decimal, or `n/a`.
pub fn pct(v: Option<f64>) -> String {
    v.map_or_else(|| "n/a".into(), |v| format!("{:.1}%", v * 100.0))
}

/// A number with `decimals`, or `n/a`.
pub fn num(v: Option<f64>, decimals: usize) -> String {
    v.map_or_else(|| "n/a".into(), |v| format!("{v:.decimals$}"))
}

/// Renders `report.md`: a title, `facts` (name, value) lines, the metrics tables and the plots.
pub fn markdown(
    title: &str,
    facts: &[(String, String)],
    m: &Metrics,
    plots: &[(&str, &str)],
) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "# {title}\n");
    for (k, v) in facts {
        let _ = writeln!(s, "- **{k}**: {v}");
    }
    let _ = writeln!(s, "\n## Summary\n");
    let _ = writeln!(s, "| metric | value |\n|---|---|");
    let tol = m.tolerance_px.map_or_else(
        || format!("max({MIN_TOLERANCE_PX} px, ball size)"),
        |t| format!("{t} px"),
    );
    let d = &m.detection;
    let rows: Vec<(String, String)> = vec![
        ("frames".into(), m.frames.to_string()),
        (
            "scored frames (truth known)".into(),
            m.scored_frames.to_string(),
        ),
        (
            "frames with a visible ball".into(),
            m.visible_frames.to_string(),
        ),
        ("tolerance".into(), tol),
        ("precision".into(), pct(d.precision)),
        ("recall".into(), pct(d.recall)),
        ("F1".into(), num(d.f1, 3)),
        (
            "true / false positives, false negatives".into(),
            format!(
                "{} / {} / {}",
                d.true_positives, d.false_positives, d.false_negatives
            ),
        ),
        (
            "median centre error".into(),
            format!("{} px", num(m.median_error_px, 2)),
        ),
        (
            "p90 centre error".into(),
            format!("{} px", num(m.p90_error_px, 2)),
        ),
        ("ball inside the crop".into(), pct(m.ball_in_crop)),
        (
            "crop width / frame width: mean, p90, frames at full width".into(),
            format!(
                "{:.1}%, {:.1}%, {:.1}%",
                m.crop_tightness.mean_width_share * 100.0,
                m.crop_tightness.p90_width_share * 100.0,
                m.crop_tightness.full_width_frames * 100.0
            ),
        ),
        (
            "ball inside the safe zone (central 80%)".into(),
            pct(m.ball_in_safe_zone),
        ),
        (
            "crop centre mean |acceleration|".into(),
            format!("{:.1} px/s²", m.crop_smoothness.mean_abs_accel_px_s2),
        ),
        (
            "crop centre mean |jerk|".into(),
            format!("{:.1} px/s³", m.crop_smoothness.mean_abs_jerk_px_s3),
        ),
        (
            "frames with 2+ confident candidates".into(),
            m.multi_candidate_frames.to_string(),
        ),
        (
            "detector top-1 on the ball (per frame, before tracking)".into(),
            pct(m.top_candidate_recall),
        ),
        (
            "tracker states (detected / predicted / lost)".into(),
            format!(
                "{} / {} / {}",
                m.counts.detected, m.counts.predicted, m.counts.lost
            ),
        ),
        (
            "detector modes (full / roi / tile / skip)".into(),
            format!(
                "{} / {} / {} / {}",
                m.counts.full, m.counts.roi, m.counts.tile, m.counts.skip
            ),
        ),
    ];
    for (k, v) in rows {
        let _ = writeln!(s, "| {k} | {v} |");
    }
    let _ = writeln!(s, "\n## By ball size\n");
    let _ = writeln!(s, "| ball size | frames | recall | median error | in crop | in safe zone |\n|---|---|---|---|---|---|");
    for b in &m.by_size {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} px | {} | {} |",
            b.name,
            b.frames,
            pct(b.recall),
            num(b.median_error_px, 2),
            pct(b.ball_in_crop),
            pct(b.ball_in_safe_zone)
        );
    }
    let _ = writeln!(s, "\n## Latency per stage (µs)\n");
    let _ = writeln!(
        s,
        "| stage | mean | p50 | p90 | p99 | max |\n|---|---|---|---|---|---|"
    );
    for (name, st) in m.latency_us.stages() {
        let _ = writeln!(
            s,
            "| {name} | {:.0} | {:.0} | {:.0} | {:.0} | {:.0} |",
            st.mean, st.p50, st.p90, st.p99, st.max
        );
    }
    if !plots.is_empty() {
        let _ = writeln!(s, "\n## Plots\n");
        for (caption, file) in plots {
            let _ = writeln!(s, "### {caption}\n\n![{caption}]({file})\n");
        }
    }
    let _ = writeln!(
        s,
        "\n---\nScoring: the answer is the engine's ball estimate (detected or predicted); a visible ball answered within the tolerance is a true positive, one missed or answered too far a false negative (too far also counts as a false positive), an answer with no visible ball a false positive. Crop metrics count frames with a visible ball at a known position."
    );
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(i: usize, ball: Option<(f64, f64)>, crop_x: f64) -> TrackRow {
        TrackRow {
            frame: i,
            clip: 0,
            source: i.to_string(),
            timestamp_us: i as i64 * 33_333,
            width: 640,
            height: 360,
            state: if ball.is_some() { "detected" } else { "lost" },
            ball: ball.map(|(x, y)| BallRow {
                x,
                y,
                vx: 0.0,
                vy: 0.0,
                radius: 4.0,
                confidence: 0.9,
            }),
            candidates: 1,
            top: ball.map(|(x, y)| [x, y, 0.9]),
            crop: [crop_x, 0.0, 320.0, 180.0],
            mode: "full",
            timings: Timings {
                total_us: 1000 + i as u64,
                ..Timings::default()
            },
        }
    }

    fn truth(visible: bool, x: f64, y: f64) -> Option<Truth> {
        Some(Truth {
            visible: Some(visible),
            x: Some(x),
            y: Some(y),
            w: Some(10.0),
            h: Some(10.0),
        })
    }

    #[test]
    fn counts_hits_misses_and_false_alarms() {
        let rows = vec![
            row(0, Some((100.0, 100.0)), 0.0),
            row(1, Some((150.0, 100.0)), 0.0),
            row(2, None, 0.0),
            row(3, Some((10.0, 10.0)), 0.0),
            row(4, None, 0.0),
        ];
        let truths = vec![
            truth(true, 102.0, 100.0),
            truth(true, 100.0, 100.0),
            truth(true, 50.0, 50.0),
            truth(false, 0.0, 0.0),
            None,
        ];
        let mut rows = rows;
        // The detector saw the ball on frame 2 although the tracker reported nothing.
        rows[2].top = Some([51.0, 50.0, 0.6]);
        let m = compute(&rows, &truths, None);
        assert_eq!(m.scored_frames, 4);
        assert_eq!(m.visible_frames, 3);
        assert_eq!(m.top_candidate_recall, Some(2.0 / 3.0));
        assert_eq!(m.detection.true_positives, 1);
        assert_eq!(m.detection.false_negatives, 2);
        assert_eq!(m.detection.false_positives, 2);
        assert_eq!(m.ball_in_crop, Some(1.0));
        assert_eq!(m.by_size[1].frames, 3);
        assert!((m.median_error_px.unwrap() - 26.0).abs() < 1e-9);
        let md = markdown("t", &[], &m, &[("x", "x.png")]);
        assert!(md.contains("x.png"));
    }

    #[test]
    fn constant_velocity_crop_is_smooth() {
        let rows: Vec<TrackRow> = (0..10).map(|i| row(i, None, i as f64 * 3.0)).collect();
        let s = smoothness(&rows);
        assert!(
            s.mean_abs_accel_px_s2 < 1e-6 && s.mean_abs_jerk_px_s3 < 1e-6,
            "{s:?}"
        );
        let rows: Vec<TrackRow> = (0..10).map(|i| row(i, None, (i * i) as f64)).collect();
        assert!(smoothness(&rows).mean_abs_accel_px_s2 > 1.0);
    }
}
