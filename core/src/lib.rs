//! Ballcam core: camera frames in, ball state and a smooth virtual-camera crop out.
//!
//! ```text
//! Frame ──► frame (convert only the needed pixels) ──► detect (tract, heatmap decoding)
//!        ──► track (Kalman, one ball) ──► crop (virtual camera) ──► FrameResult
//!                     ▲ schedule (ROI / full / tiles / skip within the latency budget)
//! ```
//! Everything returned is in pixels of the *upright* frame (after the frame's rotation).
//! Tracking, planning and scheduling are pure and deterministic: time comes from frame
//! timestamps only. The monitor keeps the quality telemetry, the per-second quality indicator
//! and the opt-in capture of hard frames; the view helpers compute what a phone shell shows.
//!
//! The modules are private; their public items are re-exported here. The API an app uses is
//! [`Engine`] with its [`Config`], [`Frame`] in and [`FrameResult`] out, the typed [`Error`]s,
//! [`Telemetry`], the view helpers ([`FrameGeometry`], [`Lifecycle`], [`PathRecorder`] ...),
//! the BT.601 colour conversion ([`color`]) and the model contract's constants. The engine's
//! parts on their own (the detector, the converter, the tracker, the scheduler, the crop
//! planner, the monitor) and the scheduler's cost-model hook are for tests, benchmarks and the
//! evaluation tools: they are in `testing`, behind the `testing` feature.

mod config;
mod crop;
mod detect;
mod error;
mod frame;
mod kernels;
mod malloc;
mod monitor;
mod pipeline;
mod schedule;
mod track;
mod types;
mod view;

pub use config::{Ball, Config, Preset, MAX_FRAME_SIDE, MAX_THREADS};
pub use crop::{AspectRatio, CropConfig, CropRect, ZoomMode};
pub use detect::{
    DetectorConfig, DEFAULT_MAX_CANDIDATES, INPUT_NAME, MAX_CANDIDATES, MAX_MODEL_FILE_BYTES,
    OUTPUT_CHANNELS, OUTPUT_NAME, ROI_THRESHOLD, SEARCH_THRESHOLD, STRIDE,
};
pub use error::{ConfigError, Error, FrameError, InferenceError, ModelError, Result};
pub use frame::color;
pub use frame::{ColorRange, Frame, PixelFormat, Plane, Rotation};
pub use kernels::{
    prefer_256_bit_kernels_on_single_fma_cores, prefer_tile_fitting_kernels_on_amd_single_fma_cores,
};
pub use malloc::keep_large_blocks;
pub use monitor::{
    CaptureConfig, CaptureMeta, CaptureReason, CaptureRing, CaptureStats, DriftCheck, DriftConfig,
    DriftReport, ExportError, ExportSummary, Histogram, LatencyHistograms, MonitorConfig,
    QualityConfig, QualitySummary, Telemetry, TrackingQuality, QUEUE_IMAGES_DIR, QUEUE_LABELS_FILE,
    QUEUE_MANIFEST_FILE, TELEMETRY_SCHEMA_VERSION,
};
pub use pipeline::{embedded_model, Engine, FrameResult, StageTimings};
pub use schedule::{
    DetectorMode, ScheduleConfig, SearchStrategy, FRAME_INTERVAL_30FPS_US, FRAME_INTERVAL_60FPS_US,
    MAX_FINE_UPSCALE, MIN_FINE_GAIN, MIN_TILE_SCALE, TILE_COARSEN_SIDE, TILE_REFERENCE_SIDE,
};
pub use track::{BallEstimate, TrackState, TrackerConfig};
pub use types::{
    Candidate, InputSize, InputSizeError, INPUT_CHANNELS, MAX_INPUT_SIDE, SIZE_MULTIPLE, US_PER_MS,
    US_PER_S,
};
pub use view::{
    aspect_for_view, buffer_rotation, choose_capture_format, view_transform, CaptureFormat,
    FrameGeometry, FramePlan, FrameStats, Lifecycle, PathRecorder, Rect, ResetReason, ScaleMode,
    ShellEvent, ViewError, ViewSize, ViewTransform, TRACK_COLUMNS,
};

/// The engine's parts on their own and its test hooks (feature `testing`): for the tests, the
/// benchmarks and the CLI's evaluation and profiling tools, not for apps.
#[cfg(feature = "testing")]
pub mod testing {
    pub use crate::crop::CropPlanner;
    pub use crate::detect::{decode_heatmap, read_model_file, Detector, Grid, RunStats};
    pub use crate::frame::{Converter, TensorMapping};
    pub use crate::monitor::{FrameFacts, Monitor};
    pub use crate::pipeline::CostModel;
    pub use crate::schedule::{
        CostClass, Decision, Job, Scheduler, MAX_DEBT_BUDGETS, MAX_RUN_COST_BUDGETS,
    };
    pub use crate::track::{Tracker, MAX_HYPOTHESES};
    pub use crate::types::{Lookout, Prediction, Region, TrackView};
}
