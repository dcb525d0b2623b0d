//! The "tracking quality" indicator a user understands: good, uncertain or lost, summarised once
//! per second of frame timestamps (cheap: a few counters per frame, no allocation).
//!
//! Over each window of `monitor.quality.window_s`:
//!
//! * **lost** — no ball was reported for at least `lost_share` of the window's frames;
//! * **uncertain** — otherwise, when the ball was detected in fewer than `good_detected_share` of
//!   the frames, or the detections scored `good_confidence` or less on average, or any frame
//!   showed two distinct confident balls;
//! * **good** — otherwise.
//!
//! [`QualityMeter::summary`] gives the last complete window (the window being filled before the
//! first one completes). The shells show it next to the HUD's frame rate and latency
//! ([`crate::view::FrameStats`]), which stay there.

use serde::{Deserialize, Serialize};

use super::facts::FrameFacts;
use crate::error::ConfigError;
use crate::pipeline::FrameResult;
use crate::track::TrackState;
use crate::types::US_PER_S;

/// Longest accepted window, seconds.
const MAX_WINDOW_S: f32 = 60.0;

/// The indicator's three levels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TrackingQuality {
    /// The ball is followed with confident detections.
    Good,
    /// The ball is followed, but on weak or sparse detections, or a second ball tempts the
    /// tracker.
    Uncertain,
    /// No ball (searching, or lost).
    #[default]
    Lost,
}

impl TrackingQuality {
    /// Lower-case name (`good`, `uncertain`, `lost`).
    pub fn name(self) -> &'static str {
        match self {
            TrackingQuality::Good => "good",
            TrackingQuality::Uncertain => "uncertain",
            TrackingQuality::Lost => "lost",
        }
    }
}

/// Thresholds of the indicator.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct QualityConfig {
    /// Length of one summary window, seconds of frame timestamps. Default 1.0.
    pub window_s: f32,
    /// Lost when no ball was reported on at least this share of the window's frames.
    /// Default 0.5.
    pub lost_share: f32,
    /// Uncertain when the ball was detected on less than this share of the frames.
    /// Default 0.6.
    pub good_detected_share: f32,
    /// Uncertain when the detections' mean score is at or below this. Default 0.5.
    pub good_confidence: f32,
}

impl Default for QualityConfig {
    fn default() -> Self {
        QualityConfig {
            window_s: 1.0,
            lost_share: 0.5,
            good_detected_share: 0.6,
            good_confidence: 0.5,
        }
    }
}

impl QualityConfig {
    /// Checks every field.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if !(self.window_s.is_finite() && self.window_s > 0.0 && self.window_s <= MAX_WINDOW_S) {
            return Err(ConfigError::new(
                "window_s",
                format!("{} must be in (0, {MAX_WINDOW_S}]", self.window_s),
            ));
        }
        for (field, v) in [
            ("lost_share", self.lost_share),
            ("good_detected_share", self.good_detected_share),
            ("good_confidence", self.good_confidence),
        ] {
            if !(v.is_finite() && (0.0..=1.0).contains(&v)) {
                return Err(ConfigError::new(field, format!("{v} must be in [0, 1]")));
            }
        }
        Ok(())
    }
}

/// One window's summary.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct QualitySummary {
    /// The indicator.
    pub quality: TrackingQuality,
    /// Frames in the window.
    pub frames: u32,
    /// Share of them with a detected ball.
    pub detected_share: f32,
    /// Share of them without a ball.
    pub lost_share: f32,
    /// Mean detector score of the tracked ball's detections (0 when none).
    pub mean_confidence: f32,
    /// Frames with two or more distinct confident balls.
    pub multi_ball_frames: u32,
    /// Frames whose detector work went over the budget.
    pub over_budget_frames: u32,
}

/// Counters of the window being filled.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
struct Window {
    start_us: Option<i64>,
    frames: u32,
    detected: u32,
    lost: u32,
    scored: u32,
    score_sum: f32,
    multi_ball: u32,
    over_budget: u32,
}

/// The per-second summary.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct QualityMeter {
    config: QualityConfig,
    window: Window,
    last: Option<QualitySummary>,
}

impl QualityMeter {
    /// A meter with `config` (checked by the engine's config).
    pub fn new(config: QualityConfig) -> QualityMeter {
        QualityMeter {
            config,
            window: Window::default(),
            last: None,
        }
    }

    /// Counts one frame; a frame at or past the window's end closes it first and returns the
    /// closed window's summary.
    pub fn record(&mut self, r: &FrameResult, facts: &FrameFacts) -> Option<QualitySummary> {
        let t = r.timestamp_us;
        let window_us = (f64::from(self.config.window_s) * US_PER_S) as i64;
        let mut closed = None;
        match self.window.start_us {
            Some(start) if t.saturating_sub(start) >= window_us || t < start => {
                let summary = self.summarise();
                self.last = Some(summary);
                closed = Some(summary);
                self.window = Window {
                    start_us: Some(t),
                    ..Window::default()
                };
            }
            Some(_) => {}
            None => self.window.start_us = Some(t),
        }
        let w = &mut self.window;
        w.frames += 1;
        w.detected += u32::from(r.state == TrackState::Detected);
        w.lost += u32::from(r.state == TrackState::Lost);
        if let Some(s) = facts.ball_score {
            w.scored += 1;
            w.score_sum += s;
        }
        w.multi_ball += u32::from(facts.multi_ball());
        w.over_budget += u32::from(!r.budget_held);
        closed
    }

    /// Starts over (the engine was reset: a new clip or camera).
    pub fn reset(&mut self) {
        self.window = Window::default();
        self.last = None;
    }

    /// The last complete window, or the current one before any completed.
    pub fn summary(&self) -> QualitySummary {
        self.last.unwrap_or_else(|| self.summarise())
    }

    fn summarise(&self) -> QualitySummary {
        let w = &self.window;
        let share = |n: u32| {
            if w.frames > 0 {
                n as f32 / w.frames as f32
            } else {
                0.0
            }
        };
        let mean_confidence = if w.scored > 0 {
            w.score_sum / w.scored as f32
        } else {
            0.0
        };
        let (detected_share, lost_share) = (share(w.detected), share(w.lost));
        let c = &self.config;
        let quality = if w.frames == 0 || lost_share >= c.lost_share {
            TrackingQuality::Lost
        } else if detected_share < c.good_detected_share
            || mean_confidence <= c.good_confidence
            || w.multi_ball > 0
        {
            TrackingQuality::Uncertain
        } else {
            TrackingQuality::Good
        };
        QualitySummary {
            quality,
            frames: w.frames,
            detected_share,
            lost_share,
            mean_confidence,
            multi_ball_frames: w.multi_ball,
            over_budget_frames: w.over_budget,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::monitor::facts::tests::result;

    fn feed(meter: &mut QualityMeter, from: i64, frames: i64, state: TrackState, score: f32) {
        for i in 0..frames {
            let mut r = result(state, (state != TrackState::Lost).then_some((100.0, 100.0)));
            r.timestamp_us = from + i * 33_333;
            let facts = FrameFacts {
                ball_score: (state == TrackState::Detected).then_some(score),
                ..FrameFacts::default()
            };
            let _ = meter.record(&r, &facts);
        }
    }

    #[test]
    fn good_uncertain_and_lost_seconds() {
        let mut m = QualityMeter::new(QualityConfig::default());
        assert_eq!(m.summary().quality, TrackingQuality::Lost);
        feed(&mut m, 0, 30, TrackState::Detected, 0.9);
        // The first second is still being filled: shown as it stands.
        assert_eq!(m.summary().quality, TrackingQuality::Good);
        // Second 2: weak detections.
        feed(&mut m, 1_000_000, 30, TrackState::Detected, 0.35);
        let s = m.summary();
        assert_eq!(s.quality, TrackingQuality::Good, "{s:?}");
        assert_eq!(s.frames, 30);
        // Second 3 closes second 2.
        feed(&mut m, 2_000_000, 30, TrackState::Lost, 0.0);
        assert_eq!(m.summary().quality, TrackingQuality::Uncertain);
        feed(&mut m, 3_000_000, 1, TrackState::Lost, 0.0);
        let s = m.summary();
        assert_eq!(s.quality, TrackingQuality::Lost, "{s:?}");
        assert_eq!(s.lost_share, 1.0);
        m.reset();
        assert_eq!(m.summary().frames, 0);
    }

    #[test]
    fn bad_thresholds_are_named() {
        let c = QualityConfig {
            lost_share: 1.5,
            ..QualityConfig::default()
        };
        assert_eq!(c.validate().unwrap_err().field, "lost_share");
        let c = QualityConfig {
            window_s: 0.0,
            ..QualityConfig::default()
        };
        assert_eq!(c.validate().unwrap_err().field, "window_s");
    }
}
