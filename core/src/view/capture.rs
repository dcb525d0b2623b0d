//! The camera format a shell asks for: the one that delivers the wanted size at the wanted frame
//! rate, chosen from the formats the camera lists (iOS `AVCaptureDevice.formats`).
//!
//! A shell that sets the frame rate must pick the format explicitly: a session preset picks its
//! own format later, and the check "does this format reach 60 fps" is then made on a format that
//! is not the one in use. [`choose_capture_format`] ranks the listed formats:
//!
//! 1. the frame rate is reached (`max_fps >= fps`, within [`FPS_TOLERANCE`]);
//! 2. the wanted size exactly, else the smallest larger one, else the largest smaller one;
//! 3. the lowest maximum frame rate that reaches `fps` (high-speed formats bin pixels);
//! 4. full range (its chroma and luma use all 8 bits), then the first listed.
//!
//! `None` when no format reaches the frame rate (the shell then runs at a lower one). Pure.

use super::ViewError;

/// Frame rates within this of the wanted one count as reaching it (cameras list 59.94).
pub const FPS_TOLERANCE: f64 = 0.1;
/// Highest frame rate accepted as a wish.
const MAX_FPS: f64 = 1_000.0;

/// One format a camera offers.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CaptureFormat {
    /// Width of its buffers, pixels (cameras list landscape sizes).
    pub width: u32,
    /// Height of its buffers, pixels.
    pub height: u32,
    /// Highest frame rate it supports.
    pub max_fps: f64,
    /// Full-range YUV (`420f`) rather than video range (`420v`).
    pub full_range: bool,
}

/// How far a format's size is from the wanted one: (rank, distance), lower is better.
fn size_rank(f: &CaptureFormat, width: u32, height: u32) -> (u8, u64) {
    let area = |w: u32, h: u32| u64::from(w) * u64::from(h);
    let wanted = area(width, height);
    let have = area(f.width, f.height);
    if (f.width, f.height) == (width, height) {
        (0, 0)
    } else if f.width >= width && f.height >= height {
        (1, have - wanted)
    } else {
        (2, wanted.saturating_sub(have))
    }
}

/// The index of the best format for `width` x `height` at `fps` (see the module doc), or
/// `None` when none reaches `fps`. Errors name a wanted size or rate out of range.
pub fn choose_capture_format(
    formats: &[CaptureFormat],
    width: u32,
    height: u32,
    fps: f64,
) -> Result<Option<usize>, ViewError> {
    if width == 0 || height == 0 {
        return Err(ViewError::BadSize {
            what: "wanted capture",
            width: f64::from(width),
            height: f64::from(height),
            max: f64::from(super::geometry::MAX_FRAME_SIDE),
        });
    }
    if !(fps.is_finite() && fps > 0.0 && fps <= MAX_FPS) {
        return Err(ViewError::BadFrameRate { fps, max: MAX_FPS });
    }
    let best = formats
        .iter()
        .enumerate()
        .filter(|(_, f)| f.max_fps.is_finite() && f.max_fps + FPS_TOLERANCE >= fps)
        .min_by(|(i, a), (j, b)| {
            size_rank(a, width, height)
                .cmp(&size_rank(b, width, height))
                .then(a.max_fps.total_cmp(&b.max_fps))
                .then(b.full_range.cmp(&a.full_range))
                .then(i.cmp(j))
        })
        .map(|(i, _)| i);
    Ok(best)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn format(width: u32, height: u32, max_fps: f64, full_range: bool) -> CaptureFormat {
        CaptureFormat {
            width,
            height,
            max_fps,
            full_range,
        }
    }

    /// A phone's list (as an iPhone lists them): 720p and 1080p at 30 and 60, video and full
    /// range, 1080p at 240 (binned), 4K at 30.
    fn phone() -> Vec<CaptureFormat> {
        vec![
            format(1280, 720, 30.0, false),
            format(1280, 720, 60.0, true),
            format(1920, 1080, 30.0, false),
            format(1920, 1080, 30.0, true),
            format(1920, 1080, 60.0, false),
            format(1920, 1080, 60.0, true),
            format(1920, 1080, 240.0, true),
            format(3840, 2160, 30.0, true),
        ]
    }

    #[test]
    fn picks_the_wanted_size_at_the_wanted_rate() {
        let f = phone();
        // 1080p at 60: formats 4, 5 (60) and 6 (240) reach it; 60 beats 240, full range wins.
        assert_eq!(
            choose_capture_format(&f, 1920, 1080, 60.0).unwrap(),
            Some(5)
        );
        assert_eq!(
            choose_capture_format(&f, 1920, 1080, 30.0).unwrap(),
            Some(3)
        );
        // 59.94 counts as 60.
        let ntsc = [format(1920, 1080, 59.94, false)];
        assert_eq!(
            choose_capture_format(&ntsc, 1920, 1080, 60.0).unwrap(),
            Some(0)
        );
    }

    #[test]
    fn falls_back_to_a_larger_size_then_none() {
        let f = phone();
        // 1600x900 at 60: no exact size; the smallest larger one reaching 60 is 1080p.
        assert_eq!(choose_capture_format(&f, 1600, 900, 60.0).unwrap(), Some(5));
        // 4K at 60: nothing larger reaches 60; the largest smaller is 1080p.
        assert_eq!(
            choose_capture_format(&f, 3840, 2160, 60.0).unwrap(),
            Some(5)
        );
        // 120 fps on a camera that only does 60: none.
        let slow = [format(1920, 1080, 60.0, true)];
        assert_eq!(
            choose_capture_format(&slow, 1920, 1080, 120.0).unwrap(),
            None
        );
        assert_eq!(choose_capture_format(&[], 1920, 1080, 30.0).unwrap(), None);
    }

    #[test]
    fn bad_wishes_are_named() {
        let e = choose_capture_format(&phone(), 0, 1080, 30.0).unwrap_err();
        assert!(e.to_string().contains("0x1080"), "{e}");
        let e = choose_capture_format(&phone(), 1920, 1080, f64::NAN).unwrap_err();
        assert!(e.to_string().contains("NaN"), "{e}");
    }
}
