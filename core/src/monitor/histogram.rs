//! Fixed-bucket histograms: recorded per frame without allocating, read as a [`Histogram`]
//! snapshot (JSON, the bindings, the drift report).
//!
//! A histogram's buckets are set by its ascending inner edges `e_1 < … < e_k`: bucket 0 holds
//! values below `e_1`, bucket `i` holds `[e_i, e_(i+1))` and the last bucket values at or above
//! `e_k`. The edges of every histogram the engine keeps are named constants of this module, so
//! two snapshots (a phone's and the evaluation set's reference) always compare bucket by bucket.
//! Non-finite values are not recorded.

use serde::{Deserialize, Serialize};

/// Most buckets a live histogram has (inner edges + 1).
pub const MAX_BUCKETS: usize = 24;

/// Detector scores and confidences, 0..1, in steps of 0.05.
pub const SCORE_EDGES: &[f64] = &[
    0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85,
    0.9, 0.95,
];
/// Stage latencies, microseconds (roughly logarithmic up to 100 ms).
pub const LATENCY_US_EDGES: &[f64] = &[
    50.0, 100.0, 200.0, 300.0, 500.0, 700.0, 1_000.0, 1_500.0, 2_000.0, 3_000.0, 5_000.0, 7_000.0,
    10_000.0, 15_000.0, 20_000.0, 33_000.0, 50_000.0, 100_000.0,
];
/// Durations of losses and of the time to re-acquire, seconds.
pub const DURATION_S_EDGES: &[f64] = &[
    0.1, 0.2, 0.3, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 5.0, 10.0, 30.0, 60.0,
];
/// The ball's margin to the crop edge, as a share of the crop's half-size on the tighter axis
/// (1: the crop centre, 0: on the edge, negative: outside the crop).
pub const MARGIN_EDGES: &[f64] = &[
    -0.5, -0.25, 0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9,
];
/// Crop-centre speed, frame widths per second.
pub const SPEED_EDGES: &[f64] = &[
    0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1.0, 1.5, 2.0,
];
/// Crop-centre acceleration, frame widths per second squared.
pub const ACCEL_EDGES: &[f64] = &[0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0, 20.0];
/// Crop-centre jerk, frame widths per second cubed.
pub const JERK_EDGES: &[f64] = &[
    1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0, 500.0, 1_000.0,
];
/// Zoom: crop width over the widest crop of its aspect (1: the widest view).
pub const ZOOM_EDGES: &[f64] = &[0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.99];

/// A live histogram: fixed edges, counts in a fixed array (no allocation, `Copy`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Recorder {
    edges: &'static [f64],
    counts: [u64; MAX_BUCKETS],
    count: u64,
    sum: f64,
    min: f64,
    max: f64,
}

impl Recorder {
    /// An empty histogram over `edges` (ascending; at most `MAX_BUCKETS - 1` of them, extra
    /// edges are ignored).
    pub const fn new(edges: &'static [f64]) -> Recorder {
        Recorder {
            edges,
            counts: [0; MAX_BUCKETS],
            count: 0,
            sum: 0.0,
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
        }
    }

    /// The inner edges in use.
    pub fn edges(&self) -> &'static [f64] {
        let n = self.edges.len().min(MAX_BUCKETS - 1);
        self.edges.get(..n).unwrap_or(&[])
    }

    /// Records one value (non-finite values are ignored).
    pub fn add(&mut self, value: f64) {
        if !value.is_finite() {
            return;
        }
        let edges = self.edges();
        let bucket = edges.partition_point(|&e| e <= value);
        if let Some(c) = self.counts.get_mut(bucket) {
            *c += 1;
        }
        self.count += 1;
        self.sum += value;
        self.min = self.min.min(value);
        self.max = self.max.max(value);
    }

    /// Forgets every value.
    #[cfg(test)]
    pub fn clear(&mut self) {
        *self = Recorder::new(self.edges);
    }

    /// The snapshot (allocates its two vectors).
    pub fn snapshot(&self) -> Histogram {
        let edges = self.edges();
        let buckets = edges.len() + 1;
        Histogram {
            edges: edges.to_vec(),
            counts: self.counts.get(..buckets).unwrap_or(&[]).to_vec(),
            count: self.count,
            sum: self.sum,
            min: (self.count > 0).then_some(self.min),
            max: (self.count > 0).then_some(self.max),
        }
    }
}

/// A histogram snapshot: inner edges, one count per bucket (`edges.len() + 1`), and the exact
/// count, sum, minimum and maximum of the values.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Histogram {
    /// Ascending inner edges.
    pub edges: Vec<f64>,
    /// Values per bucket.
    pub counts: Vec<u64>,
    /// Values recorded.
    pub count: u64,
    /// Their sum.
    pub sum: f64,
    /// The smallest value, when any.
    pub min: Option<f64>,
    /// The largest value, when any.
    pub max: Option<f64>,
}

impl Histogram {
    /// The mean value, when any.
    pub fn mean(&self) -> Option<f64> {
        (self.count > 0).then(|| self.sum / self.count as f64)
    }

    /// Share of the values in each bucket (all zero when empty).
    pub fn shares(&self) -> Vec<f64> {
        let total: u64 = self.counts.iter().sum();
        self.counts
            .iter()
            .map(|&c| {
                if total > 0 {
                    c as f64 / total as f64
                } else {
                    0.0
                }
            })
            .collect()
    }

    /// The value below which a share `q` (0..=1) of the values lie, interpolated linearly
    /// within its bucket; the open outer buckets are bounded by the minimum and maximum.
    pub fn quantile(&self, q: f64) -> Option<f64> {
        let (min, max) = (self.min?, self.max?);
        let total: u64 = self.counts.iter().sum();
        if total == 0 || !q.is_finite() {
            return None;
        }
        let target = q.clamp(0.0, 1.0) * total as f64;
        let mut below = 0.0;
        for (i, &c) in self.counts.iter().enumerate() {
            let c = c as f64;
            if c > 0.0 && below + c >= target {
                let lo = if i == 0 {
                    min
                } else {
                    self.edges.get(i - 1).copied().unwrap_or(min).max(min)
                };
                let hi = self.edges.get(i).copied().unwrap_or(max).min(max);
                let frac = ((target - below) / c).clamp(0.0, 1.0);
                return Some(lo + (hi.max(lo) - lo) * frac);
            }
            below += c;
        }
        Some(max)
    }

    /// Whether `other` has the same buckets (then the two compare bucket by bucket).
    pub fn same_buckets(&self, other: &Histogram) -> bool {
        self.edges == other.edges && self.counts.len() == other.counts.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_fall_in_their_buckets() {
        let mut h = Recorder::new(&[1.0, 2.0, 5.0]);
        for v in [
            0.5,
            1.0,
            1.5,
            2.0,
            4.99,
            5.0,
            100.0,
            f64::NAN,
            f64::INFINITY,
        ] {
            h.add(v);
        }
        let s = h.snapshot();
        assert_eq!(s.counts, vec![1, 2, 2, 2]);
        assert_eq!(s.count, 7);
        assert_eq!(s.min, Some(0.5));
        assert_eq!(s.max, Some(100.0));
        assert!((s.mean().unwrap() - 114.99 / 7.0).abs() < 1e-9);
        h.clear();
        assert_eq!(h.snapshot().count, 0);
        assert_eq!(h.snapshot().min, None);
    }

    #[test]
    fn quantiles_interpolate_within_buckets() {
        let mut h = Recorder::new(&[10.0, 20.0]);
        for v in 0..30 {
            h.add(f64::from(v));
        }
        let s = h.snapshot();
        let median = s.quantile(0.5).unwrap();
        assert!((median - 15.0).abs() < 1e-9, "{median}");
        assert_eq!(s.quantile(1.0), Some(29.0));
        assert_eq!(s.quantile(0.0), Some(0.0));
        assert_eq!(Histogram::default().quantile(0.5), None);
    }

    #[test]
    fn every_engine_histogram_fits_and_is_ascending() {
        for edges in [
            SCORE_EDGES,
            LATENCY_US_EDGES,
            DURATION_S_EDGES,
            MARGIN_EDGES,
            SPEED_EDGES,
            ACCEL_EDGES,
            JERK_EDGES,
            ZOOM_EDGES,
        ] {
            assert!(edges.len() < MAX_BUCKETS, "{edges:?}");
            assert!(edges.windows(2).all(|w| w[0] < w[1]), "{edges:?}");
        }
    }

    #[test]
    fn snapshots_round_trip_through_json() {
        let mut h = Recorder::new(SCORE_EDGES);
        h.add(0.73);
        let s = h.snapshot();
        let text = serde_json::to_string(&s).unwrap();
        let back: Histogram = serde_json::from_str(&text).unwrap();
        assert_eq!(back, s);
        assert!(back.same_buckets(&Recorder::new(SCORE_EDGES).snapshot()));
    }
}
