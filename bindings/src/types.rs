//! FFI records and enums: flat copies of the core's result types, with the mappings.
//!
//! All coordinates are pixels of the *upright* frame (after the frame's rotation), as in the
//! core, so a shell can map them onto its preview directly.

use ballcam_core as core;

/// Named engine presets (see the core's `Preset`): choose from the device's class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum Preset {
    /// A phone at 30 fps: a small share of the 33 ms frame, one inference thread.
    Phone30Fps,
    /// A phone at 60 fps: half the time of `Phone30Fps`, smaller inputs.
    Phone60Fps,
    /// A laptop or desktop with a webcam.
    Desktop,
    /// The cloud setting: larger inputs, detection on every frame, more threads.
    Server,
}

/// Which embedded detector an engine loads (see the core's `Ball` and the model card).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum Ball {
    /// The general detector: every sport and camera (the default).
    Any,
    /// The broadcast-football detector: the most precise on a high football camera.
    Football,
}

impl From<Ball> for core::Ball {
    fn from(b: Ball) -> Self {
        match b {
            Ball::Any => core::Ball::Any,
            Ball::Football => core::Ball::Football,
        }
    }
}

impl From<Preset> for core::Preset {
    fn from(p: Preset) -> Self {
        match p {
            Preset::Phone30Fps => core::Preset::Phone30Fps,
            Preset::Phone60Fps => core::Preset::Phone60Fps,
            Preset::Desktop => core::Preset::Desktop,
            Preset::Server => core::Preset::Server,
        }
    }
}

impl From<core::Preset> for Preset {
    fn from(p: core::Preset) -> Self {
        match p {
            core::Preset::Phone30Fps => Preset::Phone30Fps,
            core::Preset::Phone60Fps => Preset::Phone60Fps,
            core::Preset::Desktop => Preset::Desktop,
            core::Preset::Server => Preset::Server,
        }
    }
}

/// What the tracker knows about the ball on a frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum TrackState {
    /// A detection updated the track.
    Detected,
    /// No detection matched: the position is a prediction (coasting).
    Predicted,
    /// No track.
    Lost,
}

impl From<core::TrackState> for TrackState {
    fn from(s: core::TrackState) -> Self {
        match s {
            core::TrackState::Detected => TrackState::Detected,
            core::TrackState::Predicted => TrackState::Predicted,
            core::TrackState::Lost => TrackState::Lost,
        }
    }
}

/// Which detector mode ran on a frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum DetectorMode {
    /// The whole frame, letterboxed.
    Full,
    /// A region of interest around the predicted ball.
    Roi,
    /// Search tiles.
    Tile,
    /// No detection on this frame (prediction only).
    Skip,
}

impl From<core::DetectorMode> for DetectorMode {
    fn from(m: core::DetectorMode) -> Self {
        match m {
            core::DetectorMode::Full => DetectorMode::Full,
            core::DetectorMode::Roi => DetectorMode::Roi,
            core::DetectorMode::Tile => DetectorMode::Tile,
            core::DetectorMode::Skip => DetectorMode::Skip,
        }
    }
}

/// The tracked ball on one frame, upright-frame pixels.
#[derive(Debug, Clone, Copy, PartialEq, uniffi::Record)]
pub struct BallEstimate {
    /// Centre x, pixels.
    pub x: f32,
    /// Centre y, pixels.
    pub y: f32,
    /// Velocity x, pixels per second.
    pub vx: f32,
    /// Velocity y, pixels per second.
    pub vy: f32,
    /// Apparent radius, pixels.
    pub radius: f32,
    /// 0..1: high when detected with a high score, decaying while coasting.
    pub confidence: f32,
    /// `Detected` or `Predicted`.
    pub state: TrackState,
}

impl From<core::BallEstimate> for BallEstimate {
    fn from(b: core::BallEstimate) -> Self {
        BallEstimate {
            x: b.x,
            y: b.y,
            vx: b.vx,
            vy: b.vy,
            radius: b.radius,
            confidence: b.confidence,
            state: b.state.into(),
        }
    }
}

/// One detector candidate (a heatmap peak above the threshold), upright-frame pixels.
#[derive(Debug, Clone, Copy, PartialEq, uniffi::Record)]
pub struct Candidate {
    /// Centre x, pixels.
    pub x: f32,
    /// Centre y, pixels.
    pub y: f32,
    /// Apparent radius, pixels.
    pub radius: f32,
    /// Detector score, 0..1.
    pub score: f32,
}

impl From<core::Candidate> for Candidate {
    fn from(c: core::Candidate) -> Self {
        Candidate {
            x: c.x,
            y: c.y,
            radius: c.radius,
            score: c.score,
        }
    }
}

/// The virtual camera's crop window, inside the upright frame, pixels.
#[derive(Debug, Clone, Copy, PartialEq, uniffi::Record)]
pub struct CropRect {
    /// Left edge.
    pub x: f64,
    /// Top edge.
    pub y: f64,
    /// Width.
    pub width: f64,
    /// Height.
    pub height: f64,
}

impl From<core::CropRect> for CropRect {
    fn from(c: core::CropRect) -> Self {
        CropRect {
            x: f64::from(c.x),
            y: f64::from(c.y),
            width: f64::from(c.width),
            height: f64::from(c.height),
        }
    }
}

/// Per-stage timings of one frame, microseconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, uniffi::Record)]
pub struct StageTimings {
    /// Pixel conversion into the model's inputs.
    pub convert_us: u64,
    /// Inference.
    pub infer_us: u64,
    /// Heatmap decoding.
    pub decode_us: u64,
    /// Tracking.
    pub track_us: u64,
    /// Crop planning.
    pub plan_us: u64,
    /// The whole frame.
    pub total_us: u64,
}

impl From<core::StageTimings> for StageTimings {
    fn from(t: core::StageTimings) -> Self {
        StageTimings {
            convert_us: t.convert_us,
            infer_us: t.infer_us,
            decode_us: t.decode_us,
            track_us: t.track_us,
            plan_us: t.plan_us,
            total_us: t.total_us,
        }
    }
}

/// What the engine made of one frame.
#[derive(Debug, Clone, Copy, PartialEq, uniffi::Record)]
pub struct FrameResult {
    /// The frame's timestamp, microseconds.
    pub timestamp_us: i64,
    /// Upright frame width (after rotation).
    pub frame_width: u32,
    /// Upright frame height (after rotation).
    pub frame_height: u32,
    /// The ball, when the tracker has one.
    pub ball: Option<BallEstimate>,
    /// Track state on this frame.
    pub state: TrackState,
    /// The virtual camera's crop, inside the upright frame.
    pub crop: CropRect,
    /// Which detector mode ran.
    pub mode: DetectorMode,
    /// Detector runs on this frame.
    pub detector_runs: u32,
    /// Candidates above the threshold over all runs.
    pub candidates: u32,
    /// The detector work stayed within the per-frame budget.
    pub budget_held: bool,
    /// The most confident detector candidate of this frame, whether or not the tracker took
    /// it (hard-case capture: a strong candidate far from the ball, or a weak one on it).
    pub top_candidate: Option<Candidate>,
    /// Per-stage timings.
    pub timings: StageTimings,
    /// Moving averages for the HUD, over the frames this engine processed.
    pub stats: HudStats,
    /// The virtual camera for this frame on the shell's preview view
    /// ([`BallcamEngine::set_view`](crate::BallcamEngine::set_view)); `None` while the view's size
    /// is unknown.
    pub view: Option<ViewTransform>,
}

impl From<core::FrameResult> for FrameResult {
    fn from(r: core::FrameResult) -> Self {
        FrameResult {
            timestamp_us: r.timestamp_us,
            frame_width: r.frame_width,
            frame_height: r.frame_height,
            ball: r.ball.map(BallEstimate::from),
            state: r.state.into(),
            crop: r.crop.into(),
            mode: r.mode.into(),
            detector_runs: r.detector_runs,
            candidates: r.candidates,
            budget_held: r.budget_held,
            top_candidate: r.top_candidate.map(Candidate::from),
            timings: r.timings.into(),
            stats: HudStats::default(),
            view: None,
        }
    }
}

/// A fixed-bucket histogram: inner edges `e_1 < … < e_k`, one count per bucket (below `e_1`,
/// `[e_i, e_(i+1))`, at or above `e_k`), and the exact count, sum, minimum and maximum.
#[derive(Debug, Clone, Default, PartialEq, uniffi::Record)]
pub struct Histogram {
    /// Ascending inner edges.
    pub edges: Vec<f64>,
    /// Values per bucket (`edges.len() + 1`).
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

impl From<core::Histogram> for Histogram {
    fn from(h: core::Histogram) -> Self {
        Histogram {
            edges: h.edges,
            counts: h.counts,
            count: h.count,
            sum: h.sum,
            min: h.min,
            max: h.max,
        }
    }
}

/// The quality telemetry (post-deploy monitoring; definitions in the core's
/// `monitor::telemetry`). `BallcamEngine::telemetry_json` gives the same as the JSON document
/// `ballcam report --telemetry` reads.
#[derive(Debug, Clone, Default, PartialEq, uniffi::Record)]
pub struct Telemetry {
    /// Version of the telemetry document.
    pub schema_version: u32,
    /// sha256 of the detector model that produced these figures, lower-case hex.
    pub model_sha256: String,
    /// Frames processed.
    pub frames: u64,
    /// Frames with a detection.
    pub frames_detected: u64,
    /// Frames with a predicted (coasting) ball.
    pub frames_predicted: u64,
    /// Frames without a track.
    pub frames_lost: u64,
    /// Frames with a whole-frame detector run.
    pub frames_full: u64,
    /// Frames with a region-of-interest run.
    pub frames_roi: u64,
    /// Frames with tile runs.
    pub frames_tile: u64,
    /// Frames without a detector run.
    pub frames_skipped: u64,
    /// Frames with two or more candidates above threshold.
    pub frames_multi_candidate: u64,
    /// Frames with two or more distinct confident balls.
    pub frames_multi_ball: u64,
    /// Runs of consecutive multi-ball frames.
    pub multi_ball_runs: u64,
    /// The longest such run, frames.
    pub longest_multi_ball_run: u64,
    /// Detections of the tracked ball with a low score.
    pub frames_low_confidence: u64,
    /// Frames whose detector work exceeded the budget.
    pub frames_over_budget: u64,
    /// Frames refused with an error.
    pub frame_errors: u64,
    /// Detector runs.
    pub detector_runs: u64,
    /// Transitions from lost to tracked.
    pub acquisitions: u64,
    /// Transitions to lost.
    pub losses: u64,
    /// Lost episodes that ended with the ball tracked again.
    pub reacquisitions: u64,
    /// Gaps without a detection (at least `monitor.min_gap_s`) that ended with one.
    pub unseen_gaps: u64,
    /// Quality-indicator windows (a second each by default) that closed good, uncertain and
    /// lost.
    pub quality_windows_good: u64,
    pub quality_windows_uncertain: u64,
    pub quality_windows_lost: u64,
    /// Time covered by the frames, seconds.
    pub time_s: f64,
    /// ... with a detected ball.
    pub detected_time_s: f64,
    /// ... with a predicted ball.
    pub predicted_time_s: f64,
    /// ... lost after the first acquisition.
    pub lost_time_s: f64,
    /// ... searching before the first acquisition.
    pub searching_time_s: f64,
    /// Detector score of the tracked ball on detected frames.
    pub confidence: Histogram,
    /// Durations of lost episodes, seconds.
    pub lost_s: Histogram,
    /// Time from the last detection to the re-acquisition, seconds.
    pub reacquire_s: Histogram,
    /// Durations of gaps without a detection, seconds.
    pub unseen_gap_s: Histogram,
    /// The ball's margin to the crop edge (1 centre, 0 edge, negative outside).
    pub ball_margin: Histogram,
    /// Crop-centre speed, frame widths per second.
    pub crop_speed: Histogram,
    /// Crop-centre acceleration, frame widths per second squared.
    pub crop_accel: Histogram,
    /// Crop-centre jerk, frame widths per second cubed.
    pub crop_jerk: Histogram,
    /// Crop width over the widest crop of its aspect.
    pub zoom: Histogram,
    /// Whole-frame time, microseconds (measured).
    pub latency_total_us: Histogram,
    /// Inference time per frame, microseconds (measured).
    pub latency_infer_us: Histogram,
    /// Sum of per-frame time, microseconds.
    pub total_time_us: u64,
    /// Slowest frame, microseconds.
    pub max_frame_us: u64,
}

impl From<core::Telemetry> for Telemetry {
    fn from(t: core::Telemetry) -> Self {
        Telemetry {
            schema_version: t.schema_version,
            model_sha256: t.model_sha256,
            frames: t.frames,
            frames_detected: t.frames_detected,
            frames_predicted: t.frames_predicted,
            frames_lost: t.frames_lost,
            frames_full: t.frames_full,
            frames_roi: t.frames_roi,
            frames_tile: t.frames_tile,
            frames_skipped: t.frames_skipped,
            frames_multi_candidate: t.frames_multi_candidate,
            frames_multi_ball: t.frames_multi_ball,
            multi_ball_runs: t.multi_ball_runs,
            longest_multi_ball_run: t.longest_multi_ball_run,
            frames_low_confidence: t.frames_low_confidence,
            frames_over_budget: t.frames_over_budget,
            frame_errors: t.frame_errors,
            detector_runs: t.detector_runs,
            acquisitions: t.acquisitions,
            losses: t.losses,
            reacquisitions: t.reacquisitions,
            unseen_gaps: t.unseen_gaps,
            quality_windows_good: t.quality_windows_good,
            quality_windows_uncertain: t.quality_windows_uncertain,
            quality_windows_lost: t.quality_windows_lost,
            time_s: t.time_s,
            detected_time_s: t.detected_time_s,
            predicted_time_s: t.predicted_time_s,
            lost_time_s: t.lost_time_s,
            searching_time_s: t.searching_time_s,
            confidence: t.confidence.into(),
            lost_s: t.lost_s.into(),
            reacquire_s: t.reacquire_s.into(),
            unseen_gap_s: t.unseen_gap_s.into(),
            ball_margin: t.ball_margin.into(),
            crop_speed: t.crop_speed.into(),
            crop_accel: t.crop_accel.into(),
            crop_jerk: t.crop_jerk.into(),
            zoom: t.zoom.into(),
            latency_total_us: t.latency.total_us.into(),
            latency_infer_us: t.latency.infer_us.into(),
            total_time_us: t.total_time_us,
            max_frame_us: t.max_frame_us,
        }
    }
}

/// The tracking-quality indicator a user understands (the core's `monitor::quality`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, uniffi::Enum)]
pub enum TrackingQuality {
    /// The ball is followed with confident detections.
    Good,
    /// The ball is followed on weak or sparse detections, or a second ball tempts the tracker.
    Uncertain,
    /// No ball (searching or lost).
    #[default]
    Lost,
}

impl From<core::TrackingQuality> for TrackingQuality {
    fn from(q: core::TrackingQuality) -> Self {
        match q {
            core::TrackingQuality::Good => TrackingQuality::Good,
            core::TrackingQuality::Uncertain => TrackingQuality::Uncertain,
            core::TrackingQuality::Lost => TrackingQuality::Lost,
        }
    }
}

/// One second's tracking-quality summary (the last complete window of `monitor.quality`).
#[derive(Debug, Clone, Copy, Default, PartialEq, uniffi::Record)]
pub struct QualitySummary {
    /// The indicator.
    pub quality: TrackingQuality,
    /// Frames in the window.
    pub frames: u32,
    /// Share of them with a detected ball.
    pub detected_share: f32,
    /// Share of them without a ball.
    pub lost_share: f32,
    /// Mean detector score of the ball's detections (0 when none).
    pub mean_confidence: f32,
    /// Frames with two or more distinct confident balls.
    pub multi_ball_frames: u32,
    /// Frames over the detector budget.
    pub over_budget_frames: u32,
}

impl From<core::QualitySummary> for QualitySummary {
    fn from(s: core::QualitySummary) -> Self {
        QualitySummary {
            quality: s.quality.into(),
            frames: s.frames,
            detected_share: s.detected_share,
            lost_share: s.lost_share,
            mean_confidence: s.mean_confidence,
            multi_ball_frames: s.multi_ball_frames,
            over_budget_frames: s.over_budget_frames,
        }
    }
}

/// What `BallcamEngine::export_captures` wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, uniffi::Record)]
pub struct CaptureExport {
    /// Images written (with their rows in labels.csv).
    pub images: u64,
    /// Of which pre-labelled with a ball.
    pub pseudo_labelled: u64,
    /// Frames taken since the engine was built (or the captures were cleared), including
    /// those replaced when the ring was full.
    pub captured: u64,
    /// Failure episodes seen.
    pub episodes: u64,
}

/// YUV range of a camera's frames (BT.601).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum ColorRange {
    /// Video range: Y in 16..235, chroma in 16..240 (iOS `...VideoRange` formats).
    Limited,
    /// Full range: Y and chroma in 0..255 (iOS `...FullRange` formats, most Android cameras'
    /// `YUV_420_888`).
    Full,
}

impl From<ColorRange> for core::ColorRange {
    fn from(r: ColorRange) -> Self {
        match r {
            ColorRange::Limited => core::ColorRange::Limited,
            ColorRange::Full => core::ColorRange::Full,
        }
    }
}

/// How the preview view scales the upright frame into its bounds (see the core's
/// `view::geometry`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum ScaleMode {
    /// Fill-centre (`PreviewView.ScaleType.FILL_CENTER`, `resizeAspectFill`): the overflow is cut
    /// off, so a crop near the frame's edge may be out of reach.
    Fill,
    /// Fit-centre (`PreviewView.ScaleType.FIT_CENTER`, `resizeAspect`): every crop is reachable
    /// and shown exactly. The shells use it.
    Fit,
}

impl From<ScaleMode> for core::ScaleMode {
    fn from(m: ScaleMode) -> Self {
        match m {
            ScaleMode::Fill => core::ScaleMode::Fill,
            ScaleMode::Fit => core::ScaleMode::Fit,
        }
    }
}

/// The virtual camera on a preview view, and the mapping of upright-frame pixels to view
/// coordinates under it. View coordinates are the view's own units (Android pixels, iOS points).
#[derive(Debug, Clone, Copy, PartialEq, uniffi::Record)]
pub struct ViewTransform {
    /// The view width this was computed for (skip a transform for another size).
    pub view_width: f64,
    /// The view height this was computed for.
    pub view_height: f64,
    /// Scale of the preview view about its top-left corner (Android: `pivotX = pivotY = 0`,
    /// `scaleX = scaleY = scale`).
    pub scale: f64,
    /// Translation after the scale (Android `translationX`).
    pub tx: f64,
    /// Translation after the scale (Android `translationY`).
    pub ty: f64,
    /// Translation of the same transform about the view's centre (iOS
    /// `CGAffineTransform(a: scale, b: 0, c: 0, d: scale, tx: centre_tx, ty: centre_ty)`).
    pub centre_tx: f64,
    /// See `centre_tx`.
    pub centre_ty: f64,
    /// Upright-frame pixel to view: `view_x = frame_scale * x + frame_x` (the ball marker);
    /// back: `x = (view_x - frame_x) / frame_scale`.
    pub frame_scale: f64,
    /// See `frame_scale`.
    pub frame_x: f64,
    /// `view_y = frame_scale * y + frame_y`.
    pub frame_y: f64,
    /// The part of the upright frame the view shows, frame pixels.
    pub shown: CropRect,
}

impl From<core::ViewTransform> for ViewTransform {
    fn from(t: core::ViewTransform) -> Self {
        ViewTransform {
            view_width: t.view.width,
            view_height: t.view.height,
            scale: t.scale,
            tx: t.tx,
            ty: t.ty,
            centre_tx: t.centre_tx,
            centre_ty: t.centre_ty,
            frame_scale: t.frame_scale,
            frame_x: t.frame_x,
            frame_y: t.frame_y,
            shown: CropRect {
                x: t.shown.x,
                y: t.shown.y,
                width: t.shown.width,
                height: t.shown.height,
            },
        }
    }
}

impl From<CropRect> for core::Rect {
    fn from(c: CropRect) -> Self {
        core::Rect {
            x: c.x,
            y: c.y,
            width: c.width,
            height: c.height,
        }
    }
}

/// One format a camera offers (iOS `AVCaptureDevice.Format`), for
/// [`choose_capture_format`](crate::choose_capture_format).
#[derive(Debug, Clone, Copy, PartialEq, uniffi::Record)]
pub struct CaptureFormat {
    /// Buffer width, pixels.
    pub width: u32,
    /// Buffer height, pixels.
    pub height: u32,
    /// Highest frame rate it supports.
    pub max_fps: f64,
    /// Full-range YUV (`420f`) rather than video range (`420v`).
    pub full_range: bool,
}

impl From<CaptureFormat> for core::CaptureFormat {
    fn from(f: CaptureFormat) -> Self {
        core::CaptureFormat {
            width: f.width,
            height: f.height,
            max_fps: f.max_fps,
            full_range: f.full_range,
        }
    }
}

/// The HUD's numbers (exponential moving averages; see the core's `view::hud`).
#[derive(Debug, Clone, Copy, Default, PartialEq, uniffi::Record)]
pub struct HudStats {
    /// Frames per second, from the capture timestamps (0 until two frames were seen).
    pub fps: f64,
    /// Engine time per frame, milliseconds.
    pub engine_ms: f64,
    /// Time from the frame's arrival at the library to its result, milliseconds.
    pub latency_ms: f64,
    /// Tracking quality over the last second (good / uncertain / lost).
    pub quality: TrackingQuality,
}

impl From<core::FrameStats> for HudStats {
    fn from(s: core::FrameStats) -> Self {
        HudStats {
            fps: s.fps,
            engine_ms: s.engine_ms,
            latency_ms: s.latency_ms,
            quality: TrackingQuality::default(),
        }
    }
}
