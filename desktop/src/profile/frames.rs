//! `ballcam profile`'s input frames: a synthetic match clip (ballcam-sim) rendered at the
//! requested size, or a video file decoded by [`crate::input`]'s ffmpeg reader (scaled by
//! ffmpeg to `--resolution`, started again at its end), each frame encoded to the camera format
//! just before the engine gets it. One frame is held at a time: the RGB frame and its encoding.

use std::path::PathBuf;

use anyhow::Result;
use ballcam_core::{Frame, PixelFormat, Rotation};

use super::{FormatArg, ProfileArgs};
use crate::args::Size;
use crate::errors::bad_input;
use crate::input::{FfmpegSource, FrameSource as _};

/// Default resolution of synthetic frames.
const DEFAULT_SYNTHETIC_SIZE: Size = Size {
    width: 1920,
    height: 1080,
};
/// Frame rate of synthetic frames.
const SYNTHETIC_FPS: f64 = 30.0;
/// Seed of the synthetic clip (fixed, so runs are comparable).
const SYNTHETIC_SEED: u64 = 7;
/// Extra seconds of synthetic clip beyond the frames needed (the clip must not run out).
const CLIP_SLACK_S: f64 = 1.0;

/// Where the RGB frames come from.
enum Source {
    Synthetic(Box<ballcam_sim::Clip>),
    /// A video file, and how to open it again at its end.
    Video {
        path: PathBuf,
        resize: Option<(u32, u32)>,
        reader: Box<FfmpegSource>,
    },
}

/// Frames for the engine: rendered or decoded to RGB, then encoded to the camera format.
pub(super) struct Frames {
    source: Source,
    size: Size,
    format: FormatArg,
    fps: f64,
    rgb: Vec<u8>,
    encoded: Vec<u8>,
    clip_frames: u32,
}

impl Frames {
    /// The frames of `args`' input; a synthetic clip lasts at least `frames_needed` frames.
    pub(super) fn new(args: &ProfileArgs, frames_needed: usize) -> Result<Frames> {
        let (source, size, fps, clip_frames) = match &args.input {
            Some(path) => {
                let resize = args.resolution.map(|s| (s.width, s.height));
                let reader = FfmpegSource::open(path, resize)?;
                let info = reader.info();
                let size = Size {
                    width: info.width,
                    height: info.height,
                };
                let fps = info.fps;
                let source = Source::Video {
                    path: path.clone(),
                    resize,
                    reader: Box::new(reader),
                };
                (source, size, fps, u32::MAX)
            }
            None => {
                let size = args.resolution.unwrap_or(DEFAULT_SYNTHETIC_SIZE);
                let duration_s = frames_needed as f64 / SYNTHETIC_FPS + CLIP_SLACK_S;
                let spec = ballcam_sim::ClipSpec::new(
                    ballcam_sim::Scenario::Match,
                    size.width,
                    size.height,
                    SYNTHETIC_FPS,
                    duration_s,
                    SYNTHETIC_SEED,
                );
                let clip = ballcam_sim::Clip::new(spec)
                    .map_err(|e| bad_input(format!("synthetic clip: {e}")))?;
                let n = clip.frame_count();
                (Source::Synthetic(Box::new(clip)), size, SYNTHETIC_FPS, n)
            }
        };
        if matches!(
            args.format,
            FormatArg::Nv21 | FormatArg::Nv12 | FormatArg::I420
        ) && (size.width & 1 != 0 || size.height & 1 != 0)
        {
            return Err(bad_input(format!(
                "{} needs an even width and height, not {size}",
                args.format.name()
            )));
        }
        let rgb = vec![0u8; size.width as usize * size.height as usize * 3];
        let encoded = vec![0u8; args.format.frame_bytes(size)];
        Ok(Frames {
            source,
            size,
            format: args.format,
            fps,
            rgb,
            encoded,
            clip_frames,
        })
    }

    /// Size of the frames.
    pub(super) fn size(&self) -> Size {
        self.size
    }

    /// Frame rate of the frames.
    pub(super) fn fps(&self) -> f64 {
        self.fps
    }

    /// Bytes of input buffers this source holds (the RGB and the encoded frame).
    pub(super) fn buffer_bytes(&self) -> usize {
        self.rgb.len() + self.encoded.len()
    }

    /// The loaded frame, encoded.
    pub(super) fn encoded(&self) -> &[u8] {
        &self.encoded
    }

    /// Timestamp of frame `i`, microseconds.
    pub(super) fn timestamp_us(&self, i: usize) -> i64 {
        crate::input::timestamp_at(i as u64, self.fps)
    }

    /// Renders or reads frame `i` and encodes it.
    pub(super) fn load(&mut self, i: usize) -> Result<()> {
        match &mut self.source {
            Source::Synthetic(clip) => {
                let index = u32::try_from(i).unwrap_or(u32::MAX) % self.clip_frames.max(1);
                clip.render_rgb(index, &mut self.rgb)
                    .map_err(|e| anyhow::anyhow!("rendering frame {i}: {e}"))?;
            }
            Source::Video {
                path,
                resize,
                reader,
            } => {
                if reader.next_frame(&mut self.rgb)?.is_none() {
                    // The end of the file: start it again.
                    **reader = FfmpegSource::open(path, *resize)?;
                    if reader.next_frame(&mut self.rgb)?.is_none() {
                        return Err(bad_input(format!("{}: no frames decoded", path.display())));
                    }
                }
            }
        }
        let (w, h) = (self.size.width, self.size.height);
        let (rgb, out) = (&self.rgb, &mut self.encoded);
        let encoded = match self.format {
            FormatArg::Nv21 => ballcam_sim::nv21_from_rgb(rgb, w, h, out),
            FormatArg::Nv12 => ballcam_sim::nv12_from_rgb(rgb, w, h, out),
            FormatArg::I420 => ballcam_sim::i420_from_rgb(rgb, w, h, out),
            FormatArg::Rgba => ballcam_sim::rgba_from_rgb(rgb, w, h, out),
            FormatArg::Bgra => ballcam_sim::bgra_from_rgb(rgb, w, h, out),
            FormatArg::Rgb => {
                out.copy_from_slice(rgb);
                Ok(())
            }
        };
        encoded.map_err(|e| anyhow::anyhow!("encoding frame {i} to {}: {e}", self.format.name()))
    }

    /// The loaded frame as the engine sees it.
    pub(super) fn frame(&self, timestamp_us: i64) -> Frame<'_> {
        let (w, h) = (self.size.width, self.size.height);
        let data = &self.encoded;
        let packed = |format: PixelFormat, bpp: usize| {
            Frame::packed(
                format,
                data,
                w,
                h,
                w as usize * bpp,
                Rotation::Deg0,
                timestamp_us,
            )
        };
        match self.format {
            FormatArg::Nv21 => Frame::nv21(data, w, h, Rotation::Deg0, timestamp_us),
            FormatArg::Nv12 => Frame::nv12(data, w, h, Rotation::Deg0, timestamp_us),
            FormatArg::I420 => Frame::i420(data, w, h, Rotation::Deg0, timestamp_us),
            FormatArg::Rgba => packed(PixelFormat::Rgba8, 4),
            FormatArg::Bgra => packed(PixelFormat::Bgra8, 4),
            FormatArg::Rgb => packed(PixelFormat::Rgb8, 3),
        }
    }
}
