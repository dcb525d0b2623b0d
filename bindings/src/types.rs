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

impl From<core::detect::Candidate> for Candidate {
    fn from(c: core::detect::Candidate) -> Self {
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

/// Counters since the engine was built (post-deploy monitoring).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, uniffi::Record)]
pub struct Telemetry {
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
    /// Frames whose detector work exceeded the budget.
    pub frames_over_budget: u64,
    /// Frames refused with an error.
    pub frame_errors: u64,
    /// Transitions from lost to tracked.
    pub acquisitions: u64,
    /// Transitions to lost.
    pub losses: u64,
    /// Sum of per-frame time, microseconds.
    pub total_time_us: u64,
    /// Slowest frame, microseconds.
    pub max_frame_us: u64,
}

impl From<core::Telemetry> for Telemetry {
    fn from(t: core::Telemetry) -> Self {
        Telemetry {
            frames: t.frames,
            frames_detected: t.frames_detected,
            frames_predicted: t.frames_predicted,
            frames_lost: t.frames_lost,
            frames_full: t.frames_full,
            frames_roi: t.frames_roi,
            frames_tile: t.frames_tile,
            frames_skipped: t.frames_skipped,
            frames_multi_candidate: t.frames_multi_candidate,
            frames_over_budget: t.frames_over_budget,
            frame_errors: t.frame_errors,
            acquisitions: t.acquisitions,
            losses: t.losses,
            total_time_us: t.total_time_us,
            max_frame_us: t.max_frame_us,
        }
    }
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

impl From<ScaleMode> for core::view::ScaleMode {
    fn from(m: ScaleMode) -> Self {
        match m {
            ScaleMode::Fill => core::view::ScaleMode::Fill,
            ScaleMode::Fit => core::view::ScaleMode::Fit,
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

impl From<core::view::ViewTransform> for ViewTransform {
    fn from(t: core::view::ViewTransform) -> Self {
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

impl From<CropRect> for core::view::Rect {
    fn from(c: CropRect) -> Self {
        core::view::Rect {
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

impl From<CaptureFormat> for core::view::CaptureFormat {
    fn from(f: CaptureFormat) -> Self {
        core::view::CaptureFormat {
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
}

impl From<core::view::FrameStats> for HudStats {
    fn from(s: core::view::FrameStats) -> Self {
        HudStats {
            fps: s.fps,
            engine_ms: s.engine_ms,
            latency_ms: s.latency_ms,
        }
    }
}
