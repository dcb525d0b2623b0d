//! Ballcam core: camera frames in, ball state and a smooth virtual-camera crop out.
//!
//! ```text
//! Frame ──► frame (convert only the needed pixels) ──► detect (tract, heatmap decoding)
//!        ──► track (Kalman, one ball) ──► crop (virtual camera) ──► FrameResult
//!                     ▲ schedule (ROI / full / tiles / skip within the latency budget)
//! ```
//! Everything returned is in pixels of the *upright* frame (after the frame's rotation).
//! Tracking, planning and scheduling are pure and deterministic: time comes from frame
//! timestamps only. [`monitor`] keeps the quality telemetry, the per-second quality indicator
//! and the opt-in capture of hard frames.

pub mod config;
pub mod crop;
pub mod detect;
pub mod error;
pub mod frame;
pub mod kernels;
pub mod malloc;
pub mod monitor;
pub mod pipeline;
pub mod schedule;
pub mod track;
pub mod types;
pub mod view;

pub use config::{Ball, Config, Preset};
pub use crop::{AspectRatio, CropRect};
pub use error::{ConfigError, Error, FrameError, InferenceError, ModelError, Result};
pub use frame::ColorRange;
pub use frame::{Frame, PixelFormat, Rotation};
pub use monitor::{QualitySummary, Telemetry, TrackingQuality};
pub use pipeline::{Engine, FrameResult, StageTimings};
pub use schedule::DetectorMode;
pub use track::{BallEstimate, TrackState};
pub use types::{Candidate, InputSize, InputSizeError, US_PER_MS, US_PER_S};

#[cfg(feature = "uniffi")]
uniffi::setup_scaffolding!("ballcam_core");
