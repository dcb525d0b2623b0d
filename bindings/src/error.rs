//! The one error type the apps see, mapped from the core's detailed errors.

use ballcam_core::Error as CoreError;

/// Why a call failed. Each variant carries the core's message, which names the field or the
/// plane and the numbers involved, ready to be logged or shown.
///
/// Kotlin: `BallcamException.InvalidFrame` etc.; Swift: `BallcamError.InvalidFrame(message:)`;
/// Python: `BallcamError.InvalidFrame`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
#[uniffi(flat_error)]
pub enum BallcamError {
    /// The frame does not match its description (size, strides, plane lengths, rotation,
    /// timestamp going backwards). The engine stays usable.
    #[error("{0}")]
    InvalidFrame(String),
    /// A configuration value is out of range, or the config text does not parse.
    #[error("{0}")]
    InvalidConfig(String),
    /// The detector model cannot be loaded or does not fit the model contract.
    #[error("{0}")]
    Model(String),
    /// An inference failure or a bug caught at the FFI boundary (a panic); the engine was reset
    /// and stays usable.
    #[error("{0}")]
    Internal(String),
    /// Another argument is out of range: a view size, a crop, an angle, a frame rate, a recording
    /// path that cannot be written.
    #[error("{0}")]
    InvalidArgument(String),
}

impl From<ballcam_core::ViewError> for BallcamError {
    fn from(e: ballcam_core::ViewError) -> Self {
        BallcamError::InvalidArgument(e.to_string())
    }
}

impl From<CoreError> for BallcamError {
    fn from(e: CoreError) -> Self {
        let message = e.to_string();
        match e {
            CoreError::Frame(_) => BallcamError::InvalidFrame(message),
            CoreError::Config(_) => BallcamError::InvalidConfig(message),
            CoreError::Model(_) => BallcamError::Model(message),
            CoreError::Inference(_) => BallcamError::Internal(message),
        }
    }
}

impl From<ballcam_core::ConfigError> for BallcamError {
    fn from(e: ballcam_core::ConfigError) -> Self {
        BallcamError::from(CoreError::from(e))
    }
}

impl From<ballcam_core::FrameError> for BallcamError {
    fn from(e: ballcam_core::FrameError) -> Self {
        BallcamError::from(CoreError::from(e))
    }
}

/// The message of a caught panic payload.
pub(crate) fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    let what = payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic payload".to_string());
    format!("internal error (panic in the engine; it was reset): {what}")
}
