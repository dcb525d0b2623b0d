//! Quality telemetry: counters and fixed-bucket histograms updated on every processed frame,
//! read as a [`Telemetry`] snapshot (schema [`TELEMETRY_SCHEMA_VERSION`], JSON through serde and
//! the bindings).
//!
//! Everything but the latencies is derived from frame timestamps and results, so the same frames
//! give the same telemetry on any machine (with a fixed cost model the budget counts too).
//! Definitions:
//!
//! * **times** — each frame adds the interval since the previous frame of its clip (at most
//!   `monitor.max_interval_s`) to the time of its state: detected, predicted (coasting), lost
//!   (after the clip's first acquisition) or searching (before it).
//! * **loss** — a tracked ball becomes lost; the **lost episode** lasts from that frame to the
//!   first tracked frame after it (a **re-acquisition**) or, when the clip ends first (an engine
//!   reset), to the clip's last frame (unrecovered; a snapshot taken during an open episode
//!   counts it up to the last frame so far). Its duration goes to `lost_s`; the time
//!   from the ball's last detection to the re-acquisition goes to `reacquire_s`.
//! * **unseen gap** — the ball went without a detection for at least `monitor.min_gap_s` after a
//!   detection and was detected again (an occlusion the track coasted through, or a loss that
//!   was re-acquired): time from detection to detection, in `unseen_gap_s`.
//! * **multi-ball frame** — two or more distinct balls on the frame's candidates: the tracked
//!   ball's detection and a rival at or above `monitor.multi_ball_score`, or (no detection of
//!   the tracked ball) two candidates at or above it ([`FrameFacts`]): the catastrophic "two
//!   balls" case; runs of them, and the longest run, in frames. The detector only sees what the
//!   scheduler gives it: while tracking, a region around the ball (a second ball elsewhere on
//!   screen is counted on the frames of a whole-frame or tile search).
//! * **quality windows** — the windows of the tracking-quality indicator (`monitor.quality`, one
//!   second by default) that closed good, uncertain or lost: the quality as the user saw it.
//! * **confidence** — the detector score of the tracked ball on detected frames.
//! * **ball margin** — how far inside the crop the ball is: 1 at the crop centre, 0 on its
//!   edge, negative outside, as a share of the crop's half-size (the tighter axis).
//! * **crop speed, acceleration, jerk** — of the crop centre, by finite differences of
//!   consecutive frames (as `ballcam`'s reports compute them), in frame widths per second (per
//!   second squared, cubed). **zoom** — crop width over the widest crop of its aspect.
//!
//! Recording allocates nothing; a snapshot allocates its histograms' vectors.

use serde::{Deserialize, Serialize};

use super::facts::FrameFacts;
use super::histogram::{
    Histogram, Recorder, ACCEL_EDGES, DURATION_S_EDGES, JERK_EDGES, LATENCY_US_EDGES, MARGIN_EDGES,
    SCORE_EDGES, SPEED_EDGES, ZOOM_EDGES,
};
use super::quality::TrackingQuality;
use super::MonitorConfig;
use crate::pipeline::{FrameResult, StageTimings};
use crate::schedule::DetectorMode;
use crate::track::TrackState;
use crate::types::US_PER_S;

/// Version of the [`Telemetry`] document. 1 was the counters alone; 2 added the times,
/// episodes and histograms; 3 the quality indicator's windows; 4 the model's sha256.
pub const TELEMETRY_SCHEMA_VERSION: u32 = 4;
/// Crop-centre samples kept for the finite differences (position, speed, acceleration, jerk).
const CROP_SAMPLES: usize = 4;

/// Per-stage latency histograms, microseconds (measured: they vary with the machine's load).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LatencyHistograms {
    /// Pixel conversion into the model's inputs.
    pub convert_us: Histogram,
    /// Inference.
    pub infer_us: Histogram,
    /// Heatmap decoding.
    pub decode_us: Histogram,
    /// Tracking.
    pub track_us: Histogram,
    /// Crop planning.
    pub plan_us: Histogram,
    /// The whole frame.
    pub total_us: Histogram,
}

/// The telemetry snapshot (see the module doc for the definitions). Serialises to the JSON
/// that `ballcam report --telemetry` reads; unknown fields are refused, missing ones are zero.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Telemetry {
    /// [`TELEMETRY_SCHEMA_VERSION`] of the engine that wrote it.
    pub schema_version: u32,
    /// sha256 of the detector model that produced these figures, lower-case hex (set by the
    /// engine; empty in a recorder's own snapshot and in documents before schema 4).
    pub model_sha256: String,
    /// Frames processed.
    pub frames: u64,
    /// Frames with a detection of the tracked ball.
    pub frames_detected: u64,
    /// Frames with a predicted (coasting) ball only.
    pub frames_predicted: u64,
    /// Frames without a ball (lost or searching).
    pub frames_lost: u64,
    /// Frames with a whole-frame detector run.
    pub frames_full: u64,
    /// Frames with a region-of-interest run.
    pub frames_roi: u64,
    /// Frames with tile runs.
    pub frames_tile: u64,
    /// Frames the scheduler ran no detector on (skipped detector runs).
    pub frames_skipped: u64,
    /// Frames with two or more candidates above the detector's thresholds (any score).
    pub frames_multi_candidate: u64,
    /// Frames with two or more distinct confident candidates.
    pub frames_multi_ball: u64,
    /// Runs of consecutive multi-ball frames.
    pub multi_ball_runs: u64,
    /// The longest such run, frames.
    pub longest_multi_ball_run: u64,
    /// Detections of the tracked ball scoring below `monitor.low_confidence`.
    pub frames_low_confidence: u64,
    /// Frames whose detector work exceeded the per-frame budget.
    pub frames_over_budget: u64,
    /// Frames refused with an error.
    pub frame_errors: u64,
    /// Detector runs (regions, whole frames, tiles).
    pub detector_runs: u64,
    /// Transitions from no ball to a tracked ball (first acquisitions and re-acquisitions).
    pub acquisitions: u64,
    /// Transitions from a tracked ball to lost.
    pub losses: u64,
    /// Lost episodes that ended with the ball tracked again.
    pub reacquisitions: u64,
    /// Unseen gaps of at least `monitor.min_gap_s` that ended with a detection.
    pub unseen_gaps: u64,
    /// Quality-indicator windows that closed good, uncertain and lost.
    pub quality_windows_good: u64,
    pub quality_windows_uncertain: u64,
    pub quality_windows_lost: u64,
    /// Time covered by the frames, seconds.
    pub time_s: f64,
    /// ... of which with a detected ball.
    pub detected_time_s: f64,
    /// ... with a predicted (coasting) ball.
    pub predicted_time_s: f64,
    /// ... lost after the clip's first acquisition.
    pub lost_time_s: f64,
    /// ... searching before the clip's first acquisition.
    pub searching_time_s: f64,
    /// Detector score of the tracked ball on detected frames.
    pub confidence: Histogram,
    /// Durations of lost episodes, seconds.
    pub lost_s: Histogram,
    /// Time from the last detection to the re-acquisition, seconds.
    pub reacquire_s: Histogram,
    /// Durations of unseen gaps, seconds.
    pub unseen_gap_s: Histogram,
    /// The ball's margin to the crop edge (1 centre, 0 edge, < 0 outside).
    pub ball_margin: Histogram,
    /// Crop-centre speed, frame widths per second.
    pub crop_speed: Histogram,
    /// Crop-centre acceleration, frame widths per second squared.
    pub crop_accel: Histogram,
    /// Crop-centre jerk, frame widths per second cubed.
    pub crop_jerk: Histogram,
    /// Crop width over the widest crop of its aspect.
    pub zoom: Histogram,
    /// Per-stage latencies (measured).
    pub latency: LatencyHistograms,
    /// Sum of per-frame time, microseconds (measured).
    pub total_time_us: u64,
    /// Slowest frame, microseconds (measured).
    pub max_frame_us: u64,
}

impl Default for Telemetry {
    fn default() -> Self {
        TelemetryRecorder::new().snapshot()
    }
}

impl Telemetry {
    /// Share of the covered time without a ball (lost or searching); `None` before any time.
    pub fn untracked_share(&self) -> Option<f64> {
        (self.time_s > 0.0).then(|| (self.lost_time_s + self.searching_time_s) / self.time_s)
    }

    /// Share of frames with two or more distinct confident candidates.
    pub fn multi_ball_share(&self) -> Option<f64> {
        (self.frames > 0).then(|| self.frames_multi_ball as f64 / self.frames as f64)
    }

    /// The document as pretty JSON.
    pub fn to_json(&self) -> Result<String, serde_json::Error> {
        serde_json::to_string_pretty(self)
    }

    /// Reads a document written by [`Telemetry::to_json`].
    pub fn from_json(text: &str) -> Result<Telemetry, serde_json::Error> {
        serde_json::from_str(text)
    }
}

/// What the recorder remembers of the current clip (forgotten by an engine reset).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Clip {
    last_t: Option<i64>,
    last_state: Option<TrackState>,
    /// The clip has had a tracked ball.
    acquired: bool,
    /// Last frame with a detection, and whether frames without one followed it.
    last_detected_t: Option<i64>,
    unseen_since_detection: bool,
    /// First frame of the open lost episode.
    lost_since: Option<i64>,
    multi_run: u64,
    /// Crop centres (seconds, x and y in frame widths), oldest first.
    crops: [(f64, f64, f64); CROP_SAMPLES],
    crop_count: usize,
}

/// The live counters and histograms.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TelemetryRecorder {
    frames: u64,
    frames_detected: u64,
    frames_predicted: u64,
    frames_lost: u64,
    frames_full: u64,
    frames_roi: u64,
    frames_tile: u64,
    frames_skipped: u64,
    frames_multi_candidate: u64,
    frames_multi_ball: u64,
    multi_ball_runs: u64,
    longest_multi_ball_run: u64,
    frames_low_confidence: u64,
    frames_over_budget: u64,
    frame_errors: u64,
    detector_runs: u64,
    acquisitions: u64,
    losses: u64,
    reacquisitions: u64,
    unseen_gaps: u64,
    quality_windows: [u64; 3],
    time_s: f64,
    detected_time_s: f64,
    predicted_time_s: f64,
    lost_time_s: f64,
    searching_time_s: f64,
    confidence: Recorder,
    lost_s: Recorder,
    reacquire_s: Recorder,
    unseen_gap_s: Recorder,
    ball_margin: Recorder,
    crop_speed: Recorder,
    crop_accel: Recorder,
    crop_jerk: Recorder,
    zoom: Recorder,
    latency: [Recorder; 6],
    total_time_us: u64,
    max_frame_us: u64,
    clip: Clip,
}

impl Default for TelemetryRecorder {
    fn default() -> Self {
        Self::new()
    }
}

fn seconds(us: i64) -> f64 {
    us as f64 / US_PER_S
}

/// Velocities (at midpoints) of consecutive samples `(t, x, y)`; returns how many were written.
fn differences(samples: &[(f64, f64, f64)], out: &mut [(f64, f64, f64)]) -> usize {
    let mut n = 0;
    for w in samples.windows(2) {
        let dt = w[1].0 - w[0].0;
        if dt > 0.0 {
            if let Some(slot) = out.get_mut(n) {
                *slot = (
                    (w[0].0 + w[1].0) / 2.0,
                    (w[1].1 - w[0].1) / dt,
                    (w[1].2 - w[0].2) / dt,
                );
                n += 1;
            }
        }
    }
    n
}

impl TelemetryRecorder {
    /// Nothing recorded.
    pub const fn new() -> Self {
        TelemetryRecorder {
            frames: 0,
            frames_detected: 0,
            frames_predicted: 0,
            frames_lost: 0,
            frames_full: 0,
            frames_roi: 0,
            frames_tile: 0,
            frames_skipped: 0,
            frames_multi_candidate: 0,
            frames_multi_ball: 0,
            multi_ball_runs: 0,
            longest_multi_ball_run: 0,
            frames_low_confidence: 0,
            frames_over_budget: 0,
            frame_errors: 0,
            detector_runs: 0,
            acquisitions: 0,
            losses: 0,
            reacquisitions: 0,
            unseen_gaps: 0,
            quality_windows: [0; 3],
            time_s: 0.0,
            detected_time_s: 0.0,
            predicted_time_s: 0.0,
            lost_time_s: 0.0,
            searching_time_s: 0.0,
            confidence: Recorder::new(SCORE_EDGES),
            lost_s: Recorder::new(DURATION_S_EDGES),
            reacquire_s: Recorder::new(DURATION_S_EDGES),
            unseen_gap_s: Recorder::new(DURATION_S_EDGES),
            ball_margin: Recorder::new(MARGIN_EDGES),
            crop_speed: Recorder::new(SPEED_EDGES),
            crop_accel: Recorder::new(ACCEL_EDGES),
            crop_jerk: Recorder::new(JERK_EDGES),
            zoom: Recorder::new(ZOOM_EDGES),
            latency: [Recorder::new(LATENCY_US_EDGES); 6],
            total_time_us: 0,
            max_frame_us: 0,
            clip: Clip {
                last_t: None,
                last_state: None,
                acquired: false,
                last_detected_t: None,
                unseen_since_detection: false,
                lost_since: None,
                multi_run: 0,
                crops: [(0.0, 0.0, 0.0); CROP_SAMPLES],
                crop_count: 0,
            },
        }
    }

    /// A window of the quality indicator closed with `quality`.
    pub fn quality_window(&mut self, quality: TrackingQuality) {
        let i = match quality {
            TrackingQuality::Good => 0,
            TrackingQuality::Uncertain => 1,
            TrackingQuality::Lost => 2,
        };
        if let Some(n) = self.quality_windows.get_mut(i) {
            *n += 1;
        }
    }

    /// A frame refused with an error.
    pub fn frame_error(&mut self) {
        self.frame_errors += 1;
    }

    /// The clip ends (engine reset): an open lost episode is recorded as unrecovered, and the
    /// next frame starts a new clip. Counters and histograms are kept.
    pub fn end_clip(&mut self) {
        if let (Some(since), Some(last)) = (self.clip.lost_since, self.clip.last_t) {
            self.lost_s.add(seconds(last.saturating_sub(since)));
        }
        self.clip = TelemetryRecorder::new().clip;
    }

    /// Records one processed frame.
    pub fn record(&mut self, r: &FrameResult, facts: &FrameFacts, config: &MonitorConfig) {
        let t = r.timestamp_us;
        self.frames += 1;
        self.detector_runs += u64::from(r.detector_runs);
        match r.state {
            TrackState::Detected => self.frames_detected += 1,
            TrackState::Predicted => self.frames_predicted += 1,
            TrackState::Lost => self.frames_lost += 1,
        }
        match r.mode {
            DetectorMode::Full => self.frames_full += 1,
            DetectorMode::Roi => self.frames_roi += 1,
            DetectorMode::Tile => self.frames_tile += 1,
            DetectorMode::Skip => self.frames_skipped += 1,
        }
        self.frames_multi_candidate += u64::from(r.candidates >= 2);
        self.frames_over_budget += u64::from(!r.budget_held);
        self.record_times(r, config);
        self.record_events(r, config);
        if facts.multi_ball() {
            self.frames_multi_ball += 1;
            self.clip.multi_run += 1;
            if self.clip.multi_run == 1 {
                self.multi_ball_runs += 1;
            }
            self.longest_multi_ball_run = self.longest_multi_ball_run.max(self.clip.multi_run);
        } else {
            self.clip.multi_run = 0;
        }
        if let Some(score) = facts.ball_score {
            self.confidence.add(f64::from(score));
            self.frames_low_confidence += u64::from(facts.low_confidence(config));
        }
        self.record_crop(r);
        self.record_latency(&r.timings);
        self.clip.last_t = Some(t);
        self.clip.last_state = Some(r.state);
    }

    /// The frame's interval, added to the time of its state.
    fn record_times(&mut self, r: &FrameResult, config: &MonitorConfig) {
        let Some(prev) = self.clip.last_t else {
            return;
        };
        let cap = f64::from(config.max_interval_s);
        let dt = seconds(r.timestamp_us.saturating_sub(prev)).clamp(0.0, cap);
        self.time_s += dt;
        match r.state {
            TrackState::Detected => self.detected_time_s += dt,
            TrackState::Predicted => self.predicted_time_s += dt,
            TrackState::Lost if self.clip.acquired => self.lost_time_s += dt,
            TrackState::Lost => self.searching_time_s += dt,
        }
    }

    /// Losses, re-acquisitions and unseen gaps.
    fn record_events(&mut self, r: &FrameResult, config: &MonitorConfig) {
        let t = r.timestamp_us;
        let was = self.clip.last_state.unwrap_or(TrackState::Lost);
        let tracked = r.state != TrackState::Lost;
        if was == TrackState::Lost && tracked {
            self.acquisitions += 1;
            if let Some(since) = self.clip.lost_since.take() {
                self.reacquisitions += 1;
                self.lost_s.add(seconds(t.saturating_sub(since)));
                if let Some(seen) = self.clip.last_detected_t {
                    self.reacquire_s.add(seconds(t.saturating_sub(seen)));
                }
            }
            self.clip.acquired = true;
        }
        if was != TrackState::Lost && !tracked {
            self.losses += 1;
            self.clip.lost_since = Some(t);
        }
        if r.state == TrackState::Detected {
            if let Some(seen) = self.clip.last_detected_t {
                let gap = seconds(t.saturating_sub(seen));
                if self.clip.unseen_since_detection && gap >= f64::from(config.min_gap_s) {
                    self.unseen_gaps += 1;
                    self.unseen_gap_s.add(gap);
                }
            }
            self.clip.last_detected_t = Some(t);
            self.clip.unseen_since_detection = false;
        } else if self.clip.last_detected_t.is_some() {
            self.clip.unseen_since_detection = true;
        }
    }

    /// Ball margin, crop motion and zoom.
    fn record_crop(&mut self, r: &FrameResult) {
        let c = r.crop;
        let (fw, fh) = (f64::from(r.frame_width), f64::from(r.frame_height));
        let (cw, ch) = (f64::from(c.width), f64::from(c.height));
        if !(fw > 0.0 && fh > 0.0 && cw > 0.0 && ch > 0.0) {
            return;
        }
        let (cx, cy) = (f64::from(c.x) + cw / 2.0, f64::from(c.y) + ch / 2.0);
        if let Some(b) = r.ball {
            let mx = 1.0 - (f64::from(b.x) - cx).abs() / (cw / 2.0);
            let my = 1.0 - (f64::from(b.y) - cy).abs() / (ch / 2.0);
            self.ball_margin.add(mx.min(my));
        }
        let widest = fw.min(fh * cw / ch);
        self.zoom.add(cw / widest);
        let sample = (seconds(r.timestamp_us), cx / fw, cy / fw);
        let clip = &mut self.clip;
        if clip.crop_count == CROP_SAMPLES {
            clip.crops.rotate_left(1);
            clip.crop_count -= 1;
        }
        if let Some(slot) = clip.crops.get_mut(clip.crop_count) {
            *slot = sample;
            clip.crop_count += 1;
        }
        let samples = clip.crops.get(..clip.crop_count).unwrap_or(&[]);
        let mut vel = [(0.0, 0.0, 0.0); CROP_SAMPLES];
        let nv = differences(samples, &mut vel);
        let mut acc = [(0.0, 0.0, 0.0); CROP_SAMPLES];
        let na = differences(vel.get(..nv).unwrap_or(&[]), &mut acc);
        let mut jerk = [(0.0, 0.0, 0.0); CROP_SAMPLES];
        let nj = differences(acc.get(..na).unwrap_or(&[]), &mut jerk);
        let last = |v: &[(f64, f64, f64)], n: usize| {
            n.checked_sub(1)
                .and_then(|i| v.get(i))
                .map(|d| d.1.hypot(d.2))
        };
        if let Some(v) = last(&vel, nv) {
            self.crop_speed.add(v);
        }
        if let Some(a) = last(&acc, na) {
            self.crop_accel.add(a);
        }
        if let Some(j) = last(&jerk, nj) {
            self.crop_jerk.add(j);
        }
    }

    fn record_latency(&mut self, t: &StageTimings) {
        let values = [
            t.convert_us,
            t.infer_us,
            t.decode_us,
            t.track_us,
            t.plan_us,
            t.total_us,
        ];
        for (h, v) in self.latency.iter_mut().zip(values) {
            h.add(v as f64);
        }
        self.total_time_us = self.total_time_us.saturating_add(t.total_us);
        self.max_frame_us = self.max_frame_us.max(t.total_us);
    }

    /// The snapshot. A lost episode still open counts in `lost_s` with its duration so far
    /// (up to the last frame), as an engine reset would record it.
    pub fn snapshot(&self) -> Telemetry {
        let [convert, infer, decode, track, plan, total] = &self.latency;
        let mut lost_s = self.lost_s;
        if let (Some(since), Some(last)) = (self.clip.lost_since, self.clip.last_t) {
            lost_s.add(seconds(last.saturating_sub(since)));
        }
        Telemetry {
            schema_version: TELEMETRY_SCHEMA_VERSION,
            model_sha256: String::new(),
            frames: self.frames,
            frames_detected: self.frames_detected,
            frames_predicted: self.frames_predicted,
            frames_lost: self.frames_lost,
            frames_full: self.frames_full,
            frames_roi: self.frames_roi,
            frames_tile: self.frames_tile,
            frames_skipped: self.frames_skipped,
            frames_multi_candidate: self.frames_multi_candidate,
            frames_multi_ball: self.frames_multi_ball,
            multi_ball_runs: self.multi_ball_runs,
            longest_multi_ball_run: self.longest_multi_ball_run,
            frames_low_confidence: self.frames_low_confidence,
            frames_over_budget: self.frames_over_budget,
            frame_errors: self.frame_errors,
            detector_runs: self.detector_runs,
            acquisitions: self.acquisitions,
            losses: self.losses,
            reacquisitions: self.reacquisitions,
            unseen_gaps: self.unseen_gaps,
            quality_windows_good: self.quality_windows[0],
            quality_windows_uncertain: self.quality_windows[1],
            quality_windows_lost: self.quality_windows[2],
            time_s: self.time_s,
            detected_time_s: self.detected_time_s,
            predicted_time_s: self.predicted_time_s,
            lost_time_s: self.lost_time_s,
            searching_time_s: self.searching_time_s,
            confidence: self.confidence.snapshot(),
            lost_s: lost_s.snapshot(),
            reacquire_s: self.reacquire_s.snapshot(),
            unseen_gap_s: self.unseen_gap_s.snapshot(),
            ball_margin: self.ball_margin.snapshot(),
            crop_speed: self.crop_speed.snapshot(),
            crop_accel: self.crop_accel.snapshot(),
            crop_jerk: self.crop_jerk.snapshot(),
            zoom: self.zoom.snapshot(),
            latency: LatencyHistograms {
                convert_us: convert.snapshot(),
                infer_us: infer.snapshot(),
                decode_us: decode.snapshot(),
                track_us: track.snapshot(),
                plan_us: plan.snapshot(),
                total_us: total.snapshot(),
            },
            total_time_us: self.total_time_us,
            max_frame_us: self.max_frame_us,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::monitor::facts::tests::result;

    /// Frame interval of the sequences below: 10 fps.
    const STEP_US: i64 = 100_000;

    /// Records `n` frames of `state` from frame number `from`, each with `facts`.
    fn feed(rec: &mut TelemetryRecorder, from: i64, n: i64, state: TrackState, facts: FrameFacts) {
        let cfg = MonitorConfig::default();
        for i in from..from + n {
            let ball = (state != TrackState::Lost).then_some((100.0, 100.0));
            let mut r = result(state, ball);
            r.timestamp_us = i * STEP_US;
            rec.record(&r, &facts, &cfg);
        }
    }

    fn scored(score: f32) -> FrameFacts {
        FrameFacts {
            ball_score: Some(score),
            confident_balls: 1,
            rival: None,
        }
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn a_loss_and_its_reacquisition_are_timed() {
        // Frames 0-9 detected, 10-14 coasting, 15-24 lost, 25-29 detected (10 fps).
        let mut rec = TelemetryRecorder::new();
        feed(&mut rec, 0, 10, TrackState::Detected, scored(0.9));
        feed(
            &mut rec,
            10,
            5,
            TrackState::Predicted,
            FrameFacts::default(),
        );
        feed(&mut rec, 15, 10, TrackState::Lost, FrameFacts::default());
        feed(&mut rec, 25, 5, TrackState::Detected, scored(0.4));
        let t = rec.snapshot();
        assert_eq!(
            (t.frames, t.losses, t.reacquisitions, t.acquisitions),
            (30, 1, 1, 2)
        );
        // Lost from 1.5 s to 2.5 s; last detection 0.9 s, so 1.6 s to re-acquire and one unseen
        // gap of 1.6 s.
        assert!(
            close(t.lost_s.sum, 1.0) && t.lost_s.count == 1,
            "{:?}",
            t.lost_s
        );
        assert!(close(t.reacquire_s.sum, 1.6), "{:?}", t.reacquire_s);
        assert!(t.unseen_gaps == 1 && close(t.unseen_gap_s.sum, 1.6));
        // 29 intervals: detected 9 + 5, predicted 5, lost 10 (after the first acquisition).
        assert!(close(t.time_s, 2.9) && close(t.detected_time_s, 1.4));
        assert!(close(t.predicted_time_s, 0.5) && close(t.lost_time_s, 1.0));
        assert!(close(t.searching_time_s, 0.0));
        // The five weak detections (0.4 < 0.5).
        assert_eq!((t.frames_low_confidence, t.confidence.count), (5, 15));
    }

    #[test]
    fn an_open_episode_is_in_the_snapshot_and_recorded_once_at_the_reset() {
        let mut rec = TelemetryRecorder::new();
        feed(&mut rec, 0, 3, TrackState::Detected, scored(0.9));
        feed(&mut rec, 3, 8, TrackState::Lost, FrameFacts::default());
        // Lost since 0.3 s, last frame 1.0 s: 0.7 s so far.
        let t = rec.snapshot();
        assert!(
            t.lost_s.count == 1 && close(t.lost_s.sum, 0.7),
            "{:?}",
            t.lost_s
        );
        assert_eq!(rec.snapshot().lost_s, t.lost_s, "reading twice counts once");
        rec.end_clip();
        let t = rec.snapshot();
        assert!(
            t.lost_s.count == 1 && close(t.lost_s.sum, 0.7),
            "{:?}",
            t.lost_s
        );
        assert_eq!(t.reacquisitions, 0);
    }

    #[test]
    fn multi_ball_runs_and_the_longest() {
        let two = FrameFacts {
            confident_balls: 2,
            ..scored(0.9)
        };
        let mut rec = TelemetryRecorder::new();
        // Runs of 3 and 5 two-ball frames.
        feed(&mut rec, 0, 3, TrackState::Detected, two);
        feed(&mut rec, 3, 2, TrackState::Detected, scored(0.9));
        feed(&mut rec, 5, 5, TrackState::Detected, two);
        let t = rec.snapshot();
        assert_eq!(
            (
                t.frames_multi_ball,
                t.multi_ball_runs,
                t.longest_multi_ball_run
            ),
            (8, 2, 5)
        );
        assert_eq!(t.multi_ball_share(), Some(0.8));
    }
}
