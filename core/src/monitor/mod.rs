//! Post-deploy monitoring: how well Ballcam tracks in the field, measured on the device without
//! anyone watching the screen, and the frames that would teach the next model.
//!
//! * [`facts`] — what one frame's result says about quality (the tracked ball's detector score,
//!   two distinct confident balls, the rival candidate), derived once per frame.
//! * [`telemetry`] — counters and fixed-bucket histograms, always on ([`Telemetry`]).
//! * [`histogram`] — the fixed-bucket histograms.
//! * [`quality`] — the per-second "tracking quality" indicator (good / uncertain / lost).
//! * [`capture`] — the opt-in ring of hard frames (low confidence, two balls, before a loss, after
//!   a re-acquisition), bounded by a memory ceiling; [`export`] writes it as a labelling queue
//!   ([`png`] encodes its images).
//! * [`drift`] — a field snapshot against the evaluation set's reference snapshot.
//!
//! The [`Monitor`] is called once per processed frame by the engine; with capture off it does a
//! few counter updates, with capture on a region conversion on the rare hard frames. Nothing
//! allocates per frame. Everything but the latency histograms is derived from timestamps and
//! results (deterministic).

pub mod capture;
pub mod drift;
pub mod export;
pub mod facts;
pub mod histogram;
pub mod png;
pub mod quality;
pub mod telemetry;

use serde::{Deserialize, Serialize};

use crate::error::ConfigError;
use crate::frame::{Converter, Frame};
use crate::pipeline::FrameResult;
use crate::types::Candidate;

pub use capture::{CaptureConfig, CaptureMeta, CaptureReason, CaptureRing, CaptureStats, Seen};
pub use drift::{DriftCheck, DriftConfig, DriftReport};
pub use export::{
    ExportError, ExportSummary, IMAGES_DIR as QUEUE_IMAGES_DIR, LABELS_FILE as QUEUE_LABELS_FILE,
    MANIFEST_FILE as QUEUE_MANIFEST_FILE,
};
pub use facts::FrameFacts;
pub use histogram::Histogram;
pub use quality::{QualityConfig, QualityMeter, QualitySummary, TrackingQuality};
pub use telemetry::{LatencyHistograms, Telemetry, TelemetryRecorder, TELEMETRY_SCHEMA_VERSION};

/// Largest accepted `max_interval_s`, seconds.
const MAX_INTERVAL_LIMIT_S: f32 = 3600.0;

/// Monitoring settings (`[monitor]` in a config file).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MonitorConfig {
    /// A detection of the tracked ball scoring below this is low-confidence: counted, captured,
    /// and it makes the quality indicator uncertain. Default 0.5.
    pub low_confidence: f32,
    /// Smallest score of a candidate, other than the tracked ball's own detection, that counts
    /// toward a multi-ball frame. Default 0.55 (the tracker's `acquire_score`: a candidate that
    /// could start a track).
    pub multi_ball_score: f32,
    /// Two confident candidates are distinct balls when farther apart than this many radii of
    /// the larger (duplicates of one ball from overlapping passes are closer). Default 3.
    pub multi_ball_separation: f32,
    /// ... and farther apart than this many pixels. Default 8.
    pub multi_ball_min_px: f32,
    /// An unseen gap (no detection between two detections) shorter than this is not counted,
    /// seconds. Default 0.2.
    pub min_gap_s: f32,
    /// Longest frame interval counted into the telemetry's times, seconds (a stalled stream
    /// does not count as an hour of tracking). Default 1.0.
    pub max_interval_s: f32,
    /// The tracking-quality indicator.
    pub quality: QualityConfig,
    /// Hard-case capture (off by default).
    pub capture: CaptureConfig,
    /// Drift thresholds (`ballcam report --reference`).
    pub drift: DriftConfig,
}

impl Default for MonitorConfig {
    fn default() -> Self {
        MonitorConfig {
            low_confidence: 0.5,
            multi_ball_score: 0.55,
            multi_ball_separation: 3.0,
            multi_ball_min_px: 8.0,
            min_gap_s: 0.2,
            max_interval_s: 1.0,
            quality: QualityConfig::default(),
            capture: CaptureConfig::default(),
            drift: DriftConfig::default(),
        }
    }
}

impl MonitorConfig {
    /// Checks every field; errors name the field within `monitor`.
    pub fn validate(&self) -> Result<(), ConfigError> {
        for (field, v) in [
            ("low_confidence", self.low_confidence),
            ("multi_ball_score", self.multi_ball_score),
        ] {
            if !(v.is_finite() && (0.0..=1.0).contains(&v)) {
                return Err(ConfigError::new(field, format!("{v} must be in [0, 1]")));
            }
        }
        for (field, v) in [
            ("multi_ball_separation", self.multi_ball_separation),
            ("multi_ball_min_px", self.multi_ball_min_px),
            ("min_gap_s", self.min_gap_s),
        ] {
            if !(v.is_finite() && v >= 0.0) {
                return Err(ConfigError::new(
                    field,
                    format!("{v} must be finite and >= 0"),
                ));
            }
        }
        if !(self.max_interval_s.is_finite()
            && self.max_interval_s > 0.0
            && self.max_interval_s <= MAX_INTERVAL_LIMIT_S)
        {
            return Err(ConfigError::new(
                "max_interval_s",
                format!(
                    "{} must be in (0, {MAX_INTERVAL_LIMIT_S}]",
                    self.max_interval_s
                ),
            ));
        }
        self.quality
            .validate()
            .map_err(|e| e.in_section("quality"))?;
        self.capture
            .validate()
            .map_err(|e| e.in_section("capture"))?;
        self.drift.validate().map_err(|e| e.in_section("drift"))?;
        Ok(())
    }
}

/// The engine's monitor: telemetry, quality indicator and (when enabled) the capture ring.
#[derive(Debug, Clone)]
pub struct Monitor {
    config: MonitorConfig,
    telemetry: TelemetryRecorder,
    quality: QualityMeter,
    capture: Option<CaptureRing>,
    /// Frames processed and resets since the engine was built (capture metadata).
    frames: u64,
    clips: u64,
}

impl Monitor {
    /// A monitor for `config` (the capture ring is allocated here when enabled).
    pub fn new(config: &MonitorConfig) -> Result<Monitor, ConfigError> {
        config.validate()?;
        let capture = CaptureRing::new(&config.capture).map_err(|e| e.in_section("capture"))?;
        Ok(Monitor {
            config: config.clone(),
            telemetry: TelemetryRecorder::new(),
            quality: QualityMeter::new(config.quality.clone()),
            capture,
            frames: 0,
            clips: 0,
        })
    }

    /// One processed frame: `candidates` are the frame's detector candidates (best first) and
    /// `converter` reads the frame's pixels for a capture.
    pub fn observe(
        &mut self,
        frame: &Frame,
        result: &FrameResult,
        candidates: &[Candidate],
        converter: &mut Converter,
    ) {
        let facts = FrameFacts::of(result, candidates, &self.config);
        self.telemetry.record(result, &facts, &self.config);
        if let Some(closed) = self.quality.record(result, &facts) {
            self.telemetry.quality_window(closed.quality);
        }
        if let Some(ring) = self.capture.as_mut() {
            let seen = Seen {
                frame,
                result,
                facts: &facts,
                candidates,
                frame_no: self.frames,
                clip: self.clips,
                low_confidence: facts.low_confidence(&self.config),
            };
            ring.observe(&seen, converter);
        }
        self.frames += 1;
    }

    /// A frame refused with an error.
    pub fn frame_error(&mut self) {
        self.telemetry.frame_error();
    }

    /// The engine was reset (a new clip, a camera switch).
    pub fn end_clip(&mut self) {
        self.telemetry.end_clip();
        self.quality.reset();
        if let Some(ring) = self.capture.as_mut() {
            ring.end_clip();
        }
        self.clips += 1;
    }

    /// The telemetry snapshot.
    pub fn telemetry(&self) -> Telemetry {
        self.telemetry.snapshot()
    }

    /// Starts the telemetry over (the capture ring is kept).
    pub fn reset_telemetry(&mut self) {
        self.telemetry = TelemetryRecorder::new();
    }

    /// The last second's quality summary.
    pub fn quality(&self) -> QualitySummary {
        self.quality.summary()
    }

    /// The capture ring, when enabled.
    pub fn capture(&self) -> Option<&CaptureRing> {
        self.capture.as_ref()
    }

    /// Forgets the captured frames.
    pub fn clear_captures(&mut self) {
        if let Some(ring) = self.capture.as_mut() {
            ring.clear();
        }
    }

    /// Bytes the monitor holds on the heap (the capture ring).
    pub fn heap_bytes(&self) -> usize {
        self.capture.as_ref().map_or(0, CaptureRing::heap_bytes)
    }
}
