//! Ballcam's FFI: the core [`Engine`](ballcam_core::Engine) behind a small uniffi API, for the
//! Android shell (Kotlin, package `app.ballcam.ffi`), the iOS shell (Swift, module `BallcamFFI`)
//! and the Python binding tests.
//!
//! The crate is thin on purpose: it takes the camera's planes as borrowed byte slices, builds a
//! core [`Frame`](ballcam_core::Frame) over them, runs the engine and maps the result and the
//! errors to flat FFI records. All tracking and cropping logic lives in `ballcam-core`.
//!
//! Frames are not copied: uniffi 0.32 passes `&[u8]` arguments in place (Kotlin: a *direct*
//! `java.nio.ByteBuffer`, e.g. CameraX's plane buffers; Swift: `Data`, e.g. wrapping a
//! `CVPixelBuffer` plane with `bytesNoCopy`; Python: `bytes`).
//!
//! * [`BallcamEngine`] — one engine per camera stream; thread-safe (a mutex inside), never lets
//!   a panic cross the FFI, and recovers from a poisoned lock. The shell reports its lifecycle
//!   (`set_view`, `camera_started`, `app_backgrounded`, …) and the core decides what it means
//!   (resets, the crop's aspect); every result carries the virtual camera's `view` transform and
//!   the HUD's averages and tracking quality; `start_path`/`finish_path` record the crop path
//!   beside a video; `telemetry`/`telemetry_json`/`reset_telemetry` read the quality telemetry and
//!   `export_captures` writes the hard frames (when `monitor.capture.enabled`) as a labelling
//!   queue.
//! * [`BallcamError`] — the one error type: `InvalidFrame`, `InvalidConfig`, `Model`,
//!   `Internal`, `InvalidArgument`, each with the core's message.
//! * [`set_log_sink`] — forwards the `log` records of the engine to the app (logcat, os_log).
//! * [`view_transform`], [`buffer_rotation`], [`choose_capture_format`] — the core's view logic
//!   (the virtual camera on the preview, the buffer rotation for a display orientation, the
//!   camera format for a size and frame rate), so that neither shell computes its own.
//!
//! The records are copies of the core's (mapped in `types.rs`) so that the bindings form a
//! single namespace (one Kotlin package, one Swift module) whose ABI does not move with the
//! core's internals.

mod engine;
mod error;
mod logging;
mod path;
#[cfg(test)]
mod reliability_tests;
mod types;
mod view;

pub use engine::BallcamEngine;
pub use error::BallcamError;
pub use logging::{clear_log_sink, set_log_sink, LogLevel, LogSink};
pub use types::{Ball, CaptureFormat, ColorRange, HudStats, ScaleMode, ViewTransform};
pub use types::{
    BallEstimate, Candidate, CaptureExport, CropRect, DetectorMode, FrameResult, Histogram, Preset,
    QualitySummary, StageTimings, Telemetry, TrackState, TrackingQuality,
};
pub use view::{buffer_rotation, choose_capture_format, track_csv_header, view_transform};

uniffi::setup_scaffolding!("ballcam_ffi");

/// The version of the Ballcam library (the crate version), for the apps' about screens and logs.
#[uniffi::export]
pub fn ballcam_version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

/// Makes the inference library use its 256-bit kernels on an x86-64 core with AVX-512 but a
/// single 512-bit FMA unit, where they are faster (see `ballcam_core::kernels`). Process-wide:
/// call it once, before the first engine is built. Returns whether it changed anything; a no-op
/// on ARM phones and where the environment sets `TRACT_CPU_ISA`.
#[uniffi::export]
pub fn prefer_fast_kernels() -> bool {
    ballcam_core::prefer_256_bit_kernels_on_single_fma_cores()
}
