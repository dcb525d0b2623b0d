//! What a phone shell would otherwise compute itself, computed and tested once here.
//!
//! * [`geometry`] — the virtual camera on the preview view: the transform that shows exactly the
//!   crop without ever showing outside the frame, the frame-to-view mapping for the ball marker,
//!   and the buffer rotation for a display orientation.
//! * [`lifecycle`] — the shell's lifecycle as a state machine: view size known or not, rotation
//!   and aspect changes, camera restarts, the app in the background; the shells report events, the
//!   core decides when the engine is reset and which aspect the crop has.
//! * [`capture`] — which camera format to ask for, for a size and a frame rate.
//! * [`path`] — the crop path recorded beside the full-resolution video, in `track.csv` columns.
//! * [`hud`] — the HUD's frame rate, engine time and latency averages.
//!
//! All pure and deterministic, with typed errors ([`ViewError`]) naming the bad value.

pub mod capture;
pub mod geometry;
pub mod hud;
pub mod lifecycle;
pub mod path;
#[cfg(test)]
mod properties;

pub use capture::{choose_capture_format, CaptureFormat};
pub use geometry::{
    buffer_rotation, view_transform, FrameGeometry, Rect, ScaleMode, ViewSize, ViewTransform,
};
pub use hud::FrameStats;
pub use lifecycle::{aspect_for_view, FramePlan, Lifecycle, ResetReason, ShellEvent};
pub use path::{PathRecorder, TRACK_COLUMNS};

/// Degrees of a full turn.
const FULL_TURN_DEGREES: u32 = 360;

/// A value a shell passed that the view logic cannot use.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ViewError {
    /// A size that is zero, negative, not finite or too large.
    #[error("{what} size {width}x{height}: both sides must be finite, positive and at most {max}")]
    BadSize {
        /// Which size (view, frame, recorded video, wanted capture).
        what: &'static str,
        /// The width given.
        width: f64,
        /// The height given.
        height: f64,
        /// The largest side accepted.
        max: f64,
    },
    /// A crop that is not finite, empty, or outside the frame.
    #[error("crop {x},{y} {width}x{height}: must be finite, non-empty and overlap the {frame_width}x{frame_height} frame")]
    BadCrop {
        /// Left edge.
        x: f64,
        /// Top edge.
        y: f64,
        /// Width.
        width: f64,
        /// Height.
        height: f64,
        /// Upright frame width.
        frame_width: f64,
        /// Upright frame height.
        frame_height: f64,
    },
    /// An angle that is not a multiple of 90 degrees.
    #[error("{what} rotation {degrees} degrees: must be a multiple of 90")]
    BadRotation {
        /// Which angle.
        what: &'static str,
        /// The angle given.
        degrees: i32,
    },
    /// A frame rate that is not finite, not positive or too high.
    #[error("frame rate {fps}: must be finite, positive and at most {max}")]
    BadFrameRate {
        /// The rate given.
        fps: f64,
        /// The highest rate accepted.
        max: f64,
    },
}
