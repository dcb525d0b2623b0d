//! A clip seen as a phone camera's NV21 feed: each frame rendered to RGB, optionally edited,
//! and encoded to NV21 in buffers the feed owns and reuses (no allocation per frame). The one
//! render -> NV21 step that tests, benchmarks and examples push through the engine.

use crate::clip::Clip;
use crate::error::SimError;
use crate::yuv::nv21_from_rgb;
use crate::{ClipSpec, GroundTruth};

/// NV21 frames of one clip.
#[derive(Debug)]
pub struct Nv21Feed {
    clip: Clip,
    rgb: Vec<u8>,
    nv21: Vec<u8>,
}

impl Nv21Feed {
    /// Opens the clip `spec` describes; NV21 needs an even width and height.
    pub fn new(spec: ClipSpec) -> Result<Nv21Feed, SimError> {
        if !spec.width.is_multiple_of(2) || !spec.height.is_multiple_of(2) {
            return Err(SimError::OddSize {
                width: spec.width,
                height: spec.height,
            });
        }
        let clip = Clip::new(spec)?;
        let rgb = vec![0u8; clip.rgb_len()];
        // NV21: a full-resolution Y plane and a half-resolution interleaved VU plane.
        let nv21 = vec![0u8; clip.rgb_len() / 3 * 3 / 2];
        Ok(Nv21Feed { clip, rgb, nv21 })
    }

    /// The clip's description (size, frame rate, duration).
    pub fn spec(&self) -> &ClipSpec {
        self.clip.spec()
    }

    /// Number of frames in the clip.
    pub fn frame_count(&self) -> u32 {
        self.clip.frame_count()
    }

    /// Renders `frame` and encodes it to NV21; returns its ground truth and the NV21 bytes.
    pub fn render(&mut self, frame: u32) -> Result<(GroundTruth, &[u8]), SimError> {
        self.render_edited(frame, |_, _| {})
    }

    /// Renders `frame`, lets `edit` change its RGB pixels (truth, pixels), then encodes it to
    /// NV21; returns its ground truth and the NV21 bytes.
    pub fn render_edited(
        &mut self,
        frame: u32,
        edit: impl FnOnce(&GroundTruth, &mut [u8]),
    ) -> Result<(GroundTruth, &[u8]), SimError> {
        let gt = self.clip.render_rgb(frame, &mut self.rgb)?;
        edit(&gt, &mut self.rgb);
        let spec = self.clip.spec();
        nv21_from_rgb(&self.rgb, spec.width, spec.height, &mut self.nv21)?;
        Ok((gt, &self.nv21))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Scenario;

    #[test]
    fn the_feed_encodes_what_the_clip_renders() {
        let spec = ClipSpec::new(Scenario::StraightPass, 64, 48, 30.0, 1.0, 3);
        let mut clip = Clip::new(spec).expect("clip");
        let mut rgb = vec![0u8; clip.rgb_len()];
        let mut expected = vec![0u8; 64 * 48 * 3 / 2];
        let gt = clip.render_rgb(5, &mut rgb).expect("render");
        nv21_from_rgb(&rgb, 64, 48, &mut expected).expect("encode");
        let mut feed = Nv21Feed::new(spec).expect("feed");
        let (fgt, nv21) = feed.render(5).expect("feed render");
        assert_eq!(fgt.timestamp_us, gt.timestamp_us);
        // 64 x 48 luma + 32 x 24 VU pairs = 3072 + 1536 bytes.
        assert_eq!(nv21.len(), 4608);
        assert_eq!(nv21, &expected[..]);
    }

    #[test]
    fn an_edit_changes_the_encoded_frame() {
        let spec = ClipSpec::new(Scenario::StraightPass, 64, 48, 30.0, 1.0, 3);
        let mut feed = Nv21Feed::new(spec).expect("feed");
        let plain = feed.render(0).expect("render").1.to_vec();
        let (_, edited) = feed
            .render_edited(0, |_, rgb| rgb.fill(255))
            .expect("render");
        assert_ne!(plain, edited);
        // White is video-range luma 16 + 219 = 235 everywhere.
        assert!(edited[..64 * 48].iter().all(|&y| y == 235));
    }

    #[test]
    fn an_odd_size_is_refused_when_the_feed_opens() {
        let spec = ClipSpec::new(Scenario::StraightPass, 65, 48, 30.0, 1.0, 3);
        assert!(matches!(
            Nv21Feed::new(spec),
            Err(SimError::OddSize { width: 65, .. })
        ));
    }
}
