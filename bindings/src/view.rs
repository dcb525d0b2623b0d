//! The core's view logic as free functions, for the shells (and the binding tests): the virtual
//! camera's transform, the buffer rotation for a display orientation, the camera format to ask
//! for. Each one is the core's, unchanged; errors become `InvalidArgument`.

use ballcam_core::Rotation;

use crate::error::BallcamError;
use crate::types::{CaptureFormat, CropRect, ScaleMode, ViewTransform};

/// The rotation for a clockwise angle in degrees, or `InvalidArgument` naming it.
pub(crate) fn rotation_arg(what: &'static str, degrees: i32) -> Result<Rotation, BallcamError> {
    Rotation::from_degrees(degrees)
        .ok_or_else(|| ballcam_core::ViewError::BadRotation { what, degrees }.into())
}

/// The virtual camera that shows `crop` (upright-frame pixels) on a `view_width` x `view_height`
/// preview that scales the frame with `mode`, for a `frame_width` x `frame_height` buffer turned
/// upright by `rotation_deg`; `crop: None` is the plain preview (overlay mode). Nothing outside
/// the frame is ever shown. `InvalidArgument` names a bad size, angle or crop.
#[uniffi::export]
pub fn view_transform(
    frame_width: u32,
    frame_height: u32,
    rotation_deg: i32,
    view_width: f64,
    view_height: f64,
    mode: ScaleMode,
    crop: Option<CropRect>,
) -> Result<ViewTransform, BallcamError> {
    let frame = ballcam_core::FrameGeometry {
        width: frame_width,
        height: frame_height,
        rotation: rotation_arg("frame", rotation_deg)?,
    };
    let size = ballcam_core::ViewSize {
        width: view_width,
        height: view_height,
    };
    Ok(ballcam_core::view_transform(frame, size, mode.into(), crop.map(Into::into))?.into())
}

/// The clockwise rotation (degrees) that makes a camera buffer upright on the display: the
/// sensor's orientation (iOS back camera: 90) and the display's rotation (iOS: portrait 0,
/// landscapeRight 90, portraitUpsideDown 180, landscapeLeft 270); a front camera's angles add.
/// On iOS it is also the preview connection's `videoRotationAngle`.
#[uniffi::export]
pub fn buffer_rotation(
    sensor_deg: i32,
    display_deg: i32,
    front_facing: bool,
) -> Result<i32, BallcamError> {
    let r = ballcam_core::buffer_rotation(sensor_deg, display_deg, front_facing)?;
    // 0, 90, 180 or 270.
    Ok(i32::try_from(r.degrees()).unwrap_or(0))
}

/// The index of the camera format to use for `width` x `height` at `fps` (exact size first, then
/// the smallest larger; the lowest maximum rate that reaches `fps`; full range), or `None` when
/// no format reaches `fps`.
#[uniffi::export]
pub fn choose_capture_format(
    formats: Vec<CaptureFormat>,
    width: u32,
    height: u32,
    fps: f64,
) -> Result<Option<u32>, BallcamError> {
    let formats: Vec<ballcam_core::CaptureFormat> = formats.into_iter().map(Into::into).collect();
    let index = ballcam_core::choose_capture_format(&formats, width, height, fps)?;
    Ok(index.map(|i| u32::try_from(i).unwrap_or(u32::MAX)))
}

/// The crop path's header line (the columns of `track.csv`), for tools that read the path.
#[uniffi::export]
pub fn track_csv_header() -> String {
    ballcam_core::PathRecorder::header()
}
