//! Drift: a telemetry snapshot from the field against a reference snapshot taken on the
//! evaluation set (`ballcam eval` writes one), with the thresholds of `monitor.drift`.
//!
//! Checks, each flagged when its threshold is crossed:
//!
//! * **confidence shift** — population stability index (PSI) of the tracked ball's detector
//!   scores, over 0.1-wide bins, `sum (p - q) ln(p / q)`, each bin's share smoothed with
//!   [`PSI_PSEUDOCOUNT`] scores (an empty bin on one side does not make the index explode on a
//!   few hundred scores); the Kolmogorov-Smirnov distance between the two binned distributions is
//!   reported beside it. Flagged only when the scores moved down (the current mean below the
//!   reference's): a model surer of the ball than on the evaluation set is no failure, and
//!   short clips of one domain differ both ways. With fewer than `min_detections` scores on one
//!   side the distributions are not compared; a current run with too few detections against a
//!   reference with enough is flagged (the detector stopped finding the ball).
//! * **untracked time** — rise of the share of time without a ball (lost or searching).
//! * **multi-ball frames** — rise of the share of frames with two distinct confident balls.
//! * **latency** — growth of the median and the 90th percentile of the whole frame's time
//!   (measured: compare runs of the same device class).

use serde::{Deserialize, Serialize};

use super::histogram::Histogram;
use super::telemetry::Telemetry;
use crate::error::ConfigError;

/// Scores added to every bin of both sides before the PSI (additive smoothing): with `n`
/// scores over `k` bins a bin's share is `(count + 0.5) / (n + 0.5 k)`.
pub const PSI_PSEUDOCOUNT: f64 = 0.5;
/// Share floor in [`psi`] (only reached by shares given without smoothing).
const PSI_FLOOR: f64 = 1e-6;
/// Score-histogram buckets merged into one PSI bin (0.05-wide buckets into 0.1-wide bins).
const PSI_MERGE: usize = 2;

/// Drift thresholds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DriftConfig {
    /// Confidence shift: flagged at a PSI at or above this (0.1-0.25 is the usual "moderate",
    /// above 0.25 "significant") when the mean score fell. Default 0.25.
    pub max_confidence_psi: f64,
    /// Fewest detection scores on each side for the confidence comparison. Default 30.
    pub min_detections: u64,
    /// Untracked time: flagged when its share of the time rises by more than this (absolute).
    /// Default 0.15.
    pub max_untracked_rise: f64,
    /// Multi-ball frames: flagged when their share of the frames rises by more than this
    /// (absolute). Default 0.02.
    pub max_multi_ball_rise: f64,
    /// Latency: flagged when the median or the 90th percentile of the frame time grows by more
    /// than this factor; 0 turns the check off. Default 1.5.
    pub max_latency_growth: f64,
}

impl Default for DriftConfig {
    fn default() -> Self {
        DriftConfig {
            max_confidence_psi: 0.25,
            min_detections: 30,
            max_untracked_rise: 0.15,
            max_multi_ball_rise: 0.02,
            max_latency_growth: 1.5,
        }
    }
}

impl DriftConfig {
    /// Checks every field.
    pub fn validate(&self) -> Result<(), ConfigError> {
        for (field, v) in [
            ("max_confidence_psi", self.max_confidence_psi),
            ("max_untracked_rise", self.max_untracked_rise),
            ("max_multi_ball_rise", self.max_multi_ball_rise),
        ] {
            if !(v.is_finite() && v > 0.0) {
                return Err(ConfigError::new(
                    field,
                    format!("{v} must be finite and positive"),
                ));
            }
        }
        let g = self.max_latency_growth;
        if !(g.is_finite() && (g == 0.0 || g >= 1.0)) {
            return Err(ConfigError::new(
                "max_latency_growth",
                format!("{g} must be 0 (off) or a finite factor >= 1"),
            ));
        }
        Ok(())
    }
}

/// One check of the comparison.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DriftCheck {
    /// `confidence_shift`, `untracked_time`, `multi_ball_frames`, `latency`.
    pub name: String,
    /// The compared value (PSI, absolute rise, growth factor); `None` when it could not be
    /// computed.
    pub value: Option<f64>,
    /// The threshold it is held to.
    pub threshold: f64,
    /// The value crossed the threshold (or the check could not be made for lack of current
    /// data where the reference had enough).
    pub flagged: bool,
    /// The figures behind it, in words.
    pub detail: String,
}

/// The outcome of [`compare`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DriftReport {
    /// Every check, in the order above.
    pub checks: Vec<DriftCheck>,
    /// Any check flagged.
    pub flagged: bool,
}

/// Shares of a histogram's buckets merged `PSI_MERGE` at a time, smoothed with
/// [`PSI_PSEUDOCOUNT`] per bin.
fn merged_shares(h: &Histogram) -> Vec<f64> {
    let counts: Vec<f64> = h
        .counts
        .chunks(PSI_MERGE)
        .map(|c| c.iter().sum::<u64>() as f64)
        .collect();
    let total: f64 = counts.iter().sum::<f64>() + PSI_PSEUDOCOUNT * counts.len() as f64;
    counts
        .iter()
        .map(|c| (c + PSI_PSEUDOCOUNT) / total.max(f64::MIN_POSITIVE))
        .collect()
}

/// Population stability index of two binned distributions (same bins).
pub fn psi(current: &[f64], reference: &[f64]) -> f64 {
    current
        .iter()
        .zip(reference)
        .map(|(&p, &q)| {
            let (p, q) = (p.max(PSI_FLOOR), q.max(PSI_FLOOR));
            (p - q) * (p / q).ln()
        })
        .sum()
}

/// Kolmogorov-Smirnov distance of two binned distributions (largest CDF gap at a bin edge).
pub fn ks(current: &[f64], reference: &[f64]) -> f64 {
    let (mut a, mut b, mut d) = (0.0f64, 0.0f64, 0.0f64);
    for (&p, &q) in current.iter().zip(reference) {
        a += p;
        b += q;
        d = d.max((a - b).abs());
    }
    d
}

fn pct(v: f64) -> String {
    format!("{:.1}%", v * 100.0)
}

fn confidence_check(cur: &Telemetry, reference: &Telemetry, cfg: &DriftConfig) -> DriftCheck {
    let (n_cur, n_ref) = (cur.confidence.count, reference.confidence.count);
    let enough = |n: u64| n >= cfg.min_detections;
    let mut check = DriftCheck {
        name: "confidence_shift".into(),
        value: None,
        threshold: cfg.max_confidence_psi,
        flagged: false,
        detail: String::new(),
    };
    if !cur.confidence.same_buckets(&reference.confidence) {
        check.detail = "the two snapshots bin the scores differently".into();
        return check;
    }
    if !enough(n_ref) {
        check.detail = format!(
            "reference has {n_ref} detection scores (fewer than {}): not compared",
            cfg.min_detections
        );
        return check;
    }
    if !enough(n_cur) {
        check.flagged = true;
        check.detail = format!(
            "only {n_cur} detection scores against the reference's {n_ref}: the detector stopped finding the ball"
        );
        return check;
    }
    let (p, q) = (
        merged_shares(&cur.confidence),
        merged_shares(&reference.confidence),
    );
    let v = psi(&p, &q);
    check.value = Some(v);
    let fell = match (cur.confidence.mean(), reference.confidence.mean()) {
        (Some(c), Some(r)) => c < r,
        _ => true,
    };
    check.flagged = v >= cfg.max_confidence_psi && fell;
    let mean = |h: &Histogram| h.mean().map_or_else(|| "n/a".into(), |m| format!("{m:.3}"));
    check.detail = format!(
        "PSI {v:.3}, KS {:.3}; mean score {} ({n_cur} detections) against {} ({n_ref}){}",
        ks(&p, &q),
        mean(&cur.confidence),
        mean(&reference.confidence),
        if fell { "" } else { ", higher: not a failure" }
    );
    check
}

fn rise_check(
    name: &str,
    what: &str,
    current: Option<f64>,
    reference: Option<f64>,
    threshold: f64,
) -> DriftCheck {
    match (current, reference) {
        (Some(c), Some(r)) => {
            let rise = c - r;
            DriftCheck {
                name: name.into(),
                value: Some(rise),
                threshold,
                flagged: rise > threshold,
                detail: format!(
                    "{what} {} against {} ({:+.1} points)",
                    pct(c),
                    pct(r),
                    rise * 100.0
                ),
            }
        }
        _ => DriftCheck {
            name: name.into(),
            value: None,
            threshold,
            flagged: false,
            detail: format!("{what}: one snapshot has no frames"),
        },
    }
}

fn latency_check(cur: &Telemetry, reference: &Telemetry, cfg: &DriftConfig) -> DriftCheck {
    let (c, r) = (&cur.latency.total_us, &reference.latency.total_us);
    let mut check = DriftCheck {
        name: "latency".into(),
        value: None,
        threshold: cfg.max_latency_growth,
        flagged: false,
        detail: String::new(),
    };
    if cfg.max_latency_growth == 0.0 {
        check.detail = "off (monitor.drift.max_latency_growth = 0)".into();
        return check;
    }
    let q = |h: &Histogram, p: f64| h.quantile(p).filter(|v| *v > 0.0);
    match (q(c, 0.5), q(r, 0.5), q(c, 0.9), q(r, 0.9)) {
        (Some(c50), Some(r50), Some(c90), Some(r90)) => {
            let growth = (c50 / r50).max(c90 / r90);
            check.value = Some(growth);
            check.flagged = growth > cfg.max_latency_growth;
            check.detail = format!(
                "frame time p50 {:.2} ms against {:.2} ms, p90 {:.2} ms against {:.2} ms",
                c50 / 1e3,
                r50 / 1e3,
                c90 / 1e3,
                r90 / 1e3
            );
        }
        _ => check.detail = "one snapshot has no frame times".into(),
    }
    check
}

/// Compares `current` against `reference` with the thresholds of `cfg`.
pub fn compare(current: &Telemetry, reference: &Telemetry, cfg: &DriftConfig) -> DriftReport {
    let checks = vec![
        confidence_check(current, reference, cfg),
        rise_check(
            "untracked_time",
            "time without a ball",
            current.untracked_share(),
            reference.untracked_share(),
            cfg.max_untracked_rise,
        ),
        rise_check(
            "multi_ball_frames",
            "frames with two confident balls",
            current.multi_ball_share(),
            reference.multi_ball_share(),
            cfg.max_multi_ball_rise,
        ),
        latency_check(current, reference, cfg),
    ];
    let flagged = checks.iter().any(|c| c.flagged);
    DriftReport { checks, flagged }
}

impl Telemetry {
    /// This telemetry against a `reference` snapshot (see [`compare`]).
    pub fn drift_from(&self, reference: &Telemetry, cfg: &DriftConfig) -> DriftReport {
        compare(self, reference, cfg)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::monitor::histogram::{Recorder, LATENCY_US_EDGES, SCORE_EDGES};

    fn telemetry(scores: &[f64], untracked: f64, multi: u64, latency_us: f64) -> Telemetry {
        let mut t = Telemetry::default();
        let mut h = Recorder::new(SCORE_EDGES);
        scores.iter().for_each(|&s| h.add(s));
        t.confidence = h.snapshot();
        t.frames = 300;
        t.frames_multi_ball = multi;
        t.time_s = 10.0;
        t.lost_time_s = untracked * 10.0;
        let mut l = Recorder::new(LATENCY_US_EDGES);
        (0..300).for_each(|i| l.add(latency_us * (1.0 + f64::from(i % 10) / 100.0)));
        t.latency.total_us = l.snapshot();
        t
    }

    /// `n` scores evenly over `[lo, hi)`.
    fn spread(lo: f64, hi: f64, n: usize) -> Vec<f64> {
        (0..n)
            .map(|i| lo + (hi - lo) * i as f64 / n as f64)
            .collect()
    }

    #[test]
    fn the_same_distribution_is_not_flagged_and_a_shift_is() {
        let cfg = DriftConfig::default();
        // Day scores over 0.55..0.98; a second day run slightly lower, with a bit more untracked
        // time (+2 points), one multi-ball frame (+0.3 points) and 10% slower frames.
        let day = telemetry(&spread(0.55, 0.98, 200), 0.1, 0, 1000.0);
        let day2 = telemetry(&spread(0.53, 0.96, 150), 0.12, 1, 1100.0);
        let r = compare(&day2, &day, &cfg);
        assert!(!r.flagged, "{r:#?}");
        // Night: scores over 0.3..0.7, untracked half the time (+40 points).
        let night = telemetry(&spread(0.3, 0.7, 120), 0.5, 0, 1000.0);
        let r = compare(&night, &day, &cfg);
        let names: Vec<&str> = r
            .checks
            .iter()
            .filter(|c| c.flagged)
            .map(|c| c.name.as_str())
            .collect();
        assert_eq!(names, ["confidence_shift", "untracked_time"], "{r:#?}");
        // Surer than the reference (scores over 0.8..0.99): shifted, yet not a failure.
        let sure = telemetry(&spread(0.8, 0.99, 200), 0.1, 0, 1000.0);
        let r = compare(&sure, &day, &cfg);
        let c = &r.checks[0];
        assert!(
            c.value.is_some_and(|v| v >= cfg.max_confidence_psi) && !c.flagged,
            "{c:#?}"
        );
        assert!(c.detail.contains("not a failure"), "{}", c.detail);
    }

    #[test]
    fn few_detections_multi_balls_and_latency_are_flagged() {
        let cfg = DriftConfig::default();
        let day = telemetry(&spread(0.55, 0.98, 200), 0.1, 0, 1000.0);
        // 5 scores (fewer than 30), +40 points untracked, 10% multi-ball frames, twice as slow.
        let blind = telemetry(&spread(0.5, 0.7, 5), 0.5, 30, 2000.0);
        let r = compare(&blind, &day, &cfg);
        assert!(r.checks.iter().all(|c| c.flagged), "{r:#?}");
        let off = DriftConfig {
            max_latency_growth: 0.0,
            ..DriftConfig::default()
        };
        assert!(!compare(&blind, &day, &off).checks[3].flagged);
        assert!(off.validate().is_ok());
        let bad = DriftConfig {
            max_latency_growth: 0.5,
            ..DriftConfig::default()
        };
        assert_eq!(bad.validate().unwrap_err().field, "max_latency_growth");
    }

    #[test]
    fn psi_and_ks_of_known_distributions() {
        assert!(psi(&[0.5, 0.5], &[0.5, 0.5]).abs() < 1e-12);
        let v = psi(&[0.9, 0.1], &[0.5, 0.5]);
        // (0.4 ln 1.8) + (-0.4 ln 0.2)
        assert!((v - (0.4 * 1.8f64.ln() - 0.4 * 0.2f64.ln())).abs() < 1e-12);
        assert!((ks(&[0.9, 0.1], &[0.5, 0.5]) - 0.4).abs() < 1e-12);
    }
}
