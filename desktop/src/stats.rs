//! Summary statistics of a sample, with the one percentile definition of the CLI: `run`,
//! `eval` and `demo` (report.md / report.json / metrics.json, the latency plot) and `profile`
//! (profile.json, soak.json) all take their percentiles from [`percentile`].
//!
//! Definition: the `q` quantile (`0 <= q <= 1`) of `n` values is the sorted value at 0-based
//! index `round(q * (n - 1))`, halves rounded away from zero ("nearest" on the sorted values'
//! index scale, numpy's `method="nearest"` but for its ties). It is always one of the values
//! (never interpolated), `q = 0` is the smallest and `q = 1` the largest.
//!
//! [`median`] is apart: the conventional median (the mean of the two middle values of an even
//! count), the definition of the published `median_error_px` metrics.

use serde::Serialize;

/// Index of the `q` quantile in `n` sorted values (see the module documentation); `n > 0`.
pub fn quantile_index(n: usize, q: f64) -> usize {
    let last = n.saturating_sub(1);
    let q = if q.is_nan() { 0.0 } else { q.clamp(0.0, 1.0) };
    ((last as f64 * q).round() as usize).min(last)
}

/// The `q` quantile (`0..=1`) of `sorted` (ascending); `None` when empty.
pub fn percentile<T: Copy>(sorted: &[T], q: f64) -> Option<T> {
    sorted.get(quantile_index(sorted.len(), q)).copied()
}

/// Summary statistics of a sample.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Stats {
    pub count: usize,
    pub mean: f64,
    pub p50: f64,
    pub p90: f64,
    pub p99: f64,
    pub max: f64,
}

impl Stats {
    /// Statistics of the finite `values` (all zero when there are none).
    pub fn of(values: &[f64]) -> Stats {
        let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
        v.sort_by(f64::total_cmp);
        let Some(&max) = v.last() else {
            return Stats::default();
        };
        let pct = |q: f64| percentile(&v, q).unwrap_or(max);
        Stats {
            count: v.len(),
            mean: v.iter().sum::<f64>() / v.len() as f64,
            p50: pct(0.5),
            p90: pct(0.9),
            p99: pct(0.99),
            max,
        }
    }
}

/// The median of the finite `values` (the mean of the two middle ones for an even count),
/// `None` when there are none.
pub fn median(values: &[f64]) -> Option<f64> {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let mid = v.len() / 2;
    Some(if v.len().is_multiple_of(2) {
        (v[mid - 1] + v[mid]) / 2.0
    } else {
        v[mid]
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_sample_values_nearest_the_index_scale() {
        let v: Vec<u64> = (1..=10).collect();
        assert_eq!(percentile(&v, 0.0), Some(1));
        // Index 0.5 * 9 = 4.5 rounds away from zero to 5.
        assert_eq!(percentile(&v, 0.5), Some(6));
        // 0.9 * 9 = 8.1 and 0.99 * 9 = 8.91.
        assert_eq!(percentile(&v, 0.9), Some(9));
        assert_eq!(percentile(&v, 0.99), Some(10));
        assert_eq!(percentile(&v, 1.0), Some(10));
        assert_eq!(percentile::<u64>(&[], 0.5), None);
        assert_eq!(percentile(&[7u64], 0.99), Some(7));
        // 600 frames: p99 is the 594th value (index 593.01 rounded).
        let v: Vec<u64> = (0..600).collect();
        assert_eq!(percentile(&v, 0.99), Some(593));
        assert_eq!(quantile_index(600, f64::NAN), 0);
        assert_eq!(quantile_index(600, 2.0), 599);
    }

    #[test]
    fn stats_skip_non_finite_values() {
        let s = Stats::of(&[3.0, f64::NAN, 1.0, 2.0, f64::INFINITY]);
        assert_eq!(s.count, 3);
        assert_eq!((s.p50, s.max, s.mean), (2.0, 3.0, 2.0));
        assert_eq!(Stats::of(&[]), Stats::default());
        assert_eq!(Stats::of(&[f64::NAN]), Stats::default());
    }

    #[test]
    fn the_median_averages_the_middle_pair() {
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), Some(2.5));
        assert_eq!(median(&[5.0, 1.0, 3.0]), Some(3.0));
        assert_eq!(median(&[]), None);
    }
}
