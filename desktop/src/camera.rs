//! `ballcam camera`: live webcam mode.
//!
//! Frames come from a webcam through nokhwa (Video4Linux on Linux, AVFoundation on macOS, Media
//! Foundation on Windows) in whatever format the camera gives: NV12 and YUYV go to the engine as
//! they are (the core converts them, and the preview); MJPEG is decoded with the `image` crate; raw RGB/BGR and grey
//! are repacked to RGB. `--synthetic` drives the same loop from the ballcam-sim renderer (frames
//! encoded to NV12, like a camera's), so the whole path runs without a camera (tests, Xvfb).
//!
//! The window shows the camera preview with the crop rectangle and the ball, the cropped view
//! beside it, and the frame rate, the detector mode, the track state and the per-stage latency.
//! Keys: Q or Esc quits, R resets the engine, A cycles the crop's aspect ratio (16:9, 9:16,
//! 1:1, 4:3), B switches the embedded detector (`--ball`: any sport, football broadcast).
//! `--headless` runs without a window and prints a summary.
//!
//! With no camera, the command fails with [`NoDevice`] (exit code 3) and says what it found (no
//! `/dev/video*` device, or the devices nokhwa lists) and how to use a file instead.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use ballcam_core::testing::Converter;
use ballcam_core::ColorRange;
use ballcam_core::{
    AspectRatio, Ball, Config, Engine, Frame, FrameResult, PixelFormat, Preset, Rotation,
    TrackState,
};
use serde::Serialize;

use crate::args::Size;
use crate::errors::{bad_input, NoDevice};
use crate::overlay::{colors, Canvas, Rgb, RGB_BYTES};
use ballcam_core::{US_PER_MS, US_PER_S};

/// Aspect ratios the A key cycles through.
const ASPECTS: [AspectRatio; 4] = [
    AspectRatio::new(16, 9),
    AspectRatio::new(9, 16),
    AspectRatio::new(1, 1),
    AspectRatio::new(4, 3),
];
/// Length of the synthetic clip; it loops.
const SYNTHETIC_CLIP_S: f64 = 60.0;
/// Seed of the synthetic clip.
const SYNTHETIC_SEED: u64 = 11;
/// Largest accepted `--fps`.
const MAX_FPS: f64 = 240.0;
/// Weight of the newest frame in the displayed (smoothed) frame rate and latencies.
const DISPLAY_SMOOTHING: f64 = 0.1;
/// Camera frames in a row that may fail (corrupt, short) before the command gives up.
const MAX_CONSECUTIVE_GRAB_ERRORS: u32 = 30;
/// Hint printed when there is no camera.
const NO_CAMERA_HINT: &str =
    "to track a recorded clip instead run `ballcam run --input clip.mp4`; \
     to try the live window without a camera run `ballcam camera --synthetic`";

/// Window layout: margin around and between the panels, pixels.
const MARGIN: usize = 10;
/// Preview panel (the whole camera frame, letterboxed).
const PREVIEW_W: usize = 640;
const PREVIEW_H: usize = 360;
/// Cropped-view panel (the virtual camera's output, letterboxed).
const CROP_W: usize = 360;
const CROP_H: usize = 360;
/// Font scale of the status text.
const TEXT_SCALE: u32 = 2;
/// Height of one status text line, pixels.
const TEXT_LINE_H: usize = 22;
/// Status text lines under the panels.
const TEXT_LINES: usize = 3;
/// Window size.
const WINDOW_W: usize = MARGIN * 3 + PREVIEW_W + CROP_W;
const WINDOW_H: usize = MARGIN * 3 + PREVIEW_H + TEXT_LINES * TEXT_LINE_H;
/// Window background and panel background colours.
const BACKGROUND: Rgb = [24, 24, 28];
const PANEL: Rgb = [0, 0, 0];
/// Thickness of the crop rectangle and ball circle on the preview, pixels.
const OVERLAY_THICKNESS: u32 = 2;
/// Smallest drawn ball radius on the preview, pixels.
const MIN_BALL_RADIUS_PX: f64 = 4.0;

/// Bytes per pixel of packed YUYV 4:2:2.
const YUYV_BYTES: usize = 2;

/// `ballcam camera`: live webcam mode.
#[derive(Debug, Clone, clap::Args)]
#[command(after_help = crate::errors::EXIT_CODES_HELP)]
pub struct CameraArgs {
    /// List the cameras and exit.
    #[arg(long)]
    pub list: bool,
    /// Camera index (see --list).
    #[arg(long, default_value_t = 0)]
    pub index: u32,
    /// Requested frame size WIDTHxHEIGHT (the camera's closest is used).
    #[arg(long, default_value = "1280x720", value_name = "WxH")]
    pub resolution: Size,
    /// Requested frame rate.
    #[arg(long, default_value_t = 30.0)]
    pub fps: f64,
    /// Frames from the synthetic renderer instead of a camera.
    #[arg(long)]
    pub synthetic: bool,
    /// Stop after N frames (for tests).
    #[arg(long, value_name = "N")]
    pub frames: Option<u64>,
    /// No window: run the engine and print a summary.
    #[arg(long)]
    pub headless: bool,
    /// Engine preset.
    #[arg(long, default_value = "desktop", value_name = "NAME")]
    pub preset: String,
    /// Which embedded detector: `any` (every sport and camera) or `football` (a high football
    /// broadcast camera); the B key switches between them.
    #[arg(long, value_name = "any|football", default_value = "any", value_parser = crate::session::parse_ball)]
    pub ball: Ball,
}

// ---------------------------------------------------------------------------------------------
// Capture.

/// How a grabbed frame is stored in [`Buffers`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Layout {
    /// NV12 in `Buffers::yuv` (`rgb` may hold the preview when `rgb_ready`).
    Nv12,
    /// Packed YUYV 4:2:2 in `Buffers::yuv`.
    Yuyv,
    /// Packed RGB8 in `Buffers::rgb`.
    Rgb,
}

/// One grabbed frame's description (the pixels are in [`Buffers`]).
#[derive(Debug, Clone, Copy)]
struct Grabbed {
    width: u32,
    height: u32,
    timestamp_us: i64,
    layout: Layout,
    /// `Buffers::rgb` already holds the frame as RGB (no preview conversion needed).
    rgb_ready: bool,
}

/// Frame buffers, reused frame after frame.
#[derive(Default)]
struct Buffers {
    yuv: Vec<u8>,
    rgb: Vec<u8>,
    /// The preview of an NV12 frame (converted only when a window shows it).
    preview: Vec<u8>,
}

/// Resizes `buf` to `len` bytes (allocates only when it grows).
fn sized(buf: &mut Vec<u8>, len: usize) -> &mut [u8] {
    buf.resize(len, 0);
    &mut buf[..len]
}

/// The renderer standing in for a camera.
struct SyntheticCamera {
    clip: ballcam_sim::Clip,
    size: Size,
    fps: f64,
    next: u64,
    start: Instant,
}

impl SyntheticCamera {
    fn new(size: Size, fps: f64) -> Result<SyntheticCamera> {
        if size.width & 1 != 0 || size.height & 1 != 0 {
            return Err(bad_input(format!(
                "--resolution must be even for the synthetic camera, not {size}"
            )));
        }
        let spec = ballcam_sim::ClipSpec::new(
            ballcam_sim::Scenario::Match,
            size.width,
            size.height,
            fps,
            SYNTHETIC_CLIP_S,
            SYNTHETIC_SEED,
        );
        let clip =
            ballcam_sim::Clip::new(spec).map_err(|e| bad_input(format!("synthetic clip: {e}")))?;
        Ok(SyntheticCamera {
            clip,
            size,
            fps,
            next: 0,
            start: Instant::now(),
        })
    }

    /// Renders the next frame at the camera's pace (sleeps until its time).
    fn grab(&mut self, bufs: &mut Buffers) -> Result<Grabbed> {
        let i = self.next;
        self.next += 1;
        let due = Duration::from_secs_f64(i as f64 / self.fps);
        if let Some(wait) = due.checked_sub(self.start.elapsed()) {
            std::thread::sleep(wait);
        }
        let (w, h) = (self.size.width, self.size.height);
        let pixels = w as usize * h as usize;
        let n = u64::from(self.clip.frame_count().max(1));
        let index = u32::try_from(i % n).unwrap_or(0);
        let rgb = sized(&mut bufs.rgb, pixels * RGB_BYTES);
        self.clip
            .render_rgb(index, rgb)
            .map_err(|e| anyhow::anyhow!("rendering frame {i}: {e}"))?;
        let yuv = sized(&mut bufs.yuv, pixels + pixels / 2);
        ballcam_sim::nv12_from_rgb(&bufs.rgb, w, h, yuv)
            .map_err(|e| anyhow::anyhow!("encoding frame {i}: {e}"))?;
        Ok(Grabbed {
            width: w,
            height: h,
            timestamp_us: (i as f64 * US_PER_S / self.fps).round() as i64,
            layout: Layout::Nv12,
            rgb_ready: true,
        })
    }
}

/// A webcam opened through nokhwa.
struct Webcam {
    camera: nokhwa::Camera,
    start: Instant,
    last_timestamp_us: Option<i64>,
    description: String,
}

/// The `/dev/video*` device nodes (Linux).
fn video_devices() -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir("/dev")
        .map(|dir| {
            dir.flatten()
                .map(|e| e.path())
                .filter(|p| {
                    p.file_name()
                        .and_then(|n| n.to_str())
                        .is_some_and(|n| n.starts_with("video"))
                })
                .collect()
        })
        .unwrap_or_default();
    found.sort();
    found
}

/// A [`NoDevice`] error with the hint.
fn no_camera(what: impl std::fmt::Display) -> anyhow::Error {
    anyhow::Error::new(NoDevice(format!(
        "no camera found: {what}; {NO_CAMERA_HINT}"
    )))
}

/// The cameras nokhwa can open, or a [`NoDevice`] error saying what was found.
fn cameras() -> Result<Vec<nokhwa::utils::CameraInfo>> {
    let devices = video_devices();
    if cfg!(target_os = "linux") && devices.is_empty() {
        return Err(no_camera("no /dev/video* device exists"));
    }
    let shown = || {
        devices
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    match nokhwa::query(nokhwa::utils::ApiBackend::Auto) {
        Ok(list) if !list.is_empty() => Ok(list),
        Ok(_) if devices.is_empty() => Err(no_camera("the system lists no camera")),
        Ok(_) => Err(no_camera(format!(
            "{} exist(s) but none is a video capture device",
            shown()
        ))),
        Err(e) if devices.is_empty() => Err(no_camera(format!("listing cameras failed: {e}"))),
        Err(e) => Err(no_camera(format!(
            "found {} but listing cameras failed: {e}",
            shown()
        ))),
    }
}

/// One line per camera: `index: name (description)`.
fn describe(list: &[nokhwa::utils::CameraInfo]) -> String {
    list.iter()
        .map(|c| format!("{}: {} ({})", c.index(), c.human_name(), c.description()))
        .collect::<Vec<_>>()
        .join("; ")
}

/// Preference of a camera pixel format: formats the engine reads directly first, then the
/// cheap conversions, then MJPEG (a JPEG decode per frame).
fn format_rank(f: nokhwa::utils::FrameFormat) -> u32 {
    use nokhwa::utils::FrameFormat as F;
    match f {
        F::NV12 => 0,
        F::YUYV => 1,
        F::RAWRGB => 2,
        F::RAWBGR => 3,
        F::MJPEG => 4,
        F::GRAY => 5,
    }
}

/// The camera format closest to the request: size first, then frame rate, then format.
fn choose_format(
    formats: &[nokhwa::utils::CameraFormat],
    want: Size,
    fps: f64,
) -> Option<nokhwa::utils::CameraFormat> {
    formats.iter().copied().min_by_key(|f| {
        let dw = i64::from(f.width()) - i64::from(want.width);
        let dh = i64::from(f.height()) - i64::from(want.height);
        let dfps = (f64::from(f.frame_rate()) - fps).abs().round() as i64;
        (dw.abs() + dh.abs(), dfps, format_rank(f.format()))
    })
}

impl Webcam {
    fn open(args: &CameraArgs) -> Result<Webcam> {
        use nokhwa::pixel_format::RgbFormat;
        use nokhwa::utils::{CameraIndex, RequestedFormat, RequestedFormatType};
        let list = cameras()?;
        let index = CameraIndex::Index(args.index);
        if !list.iter().any(|c| c.index() == &index) {
            return Err(no_camera(format!(
                "camera index {} is not among: {}",
                args.index,
                describe(&list)
            )));
        }
        let any = RequestedFormat::new::<RgbFormat>(RequestedFormatType::None);
        let mut camera = nokhwa::Camera::new(index, any).map_err(|e| {
            no_camera(format!(
                "camera {} cannot be opened ({e}); cameras: {}",
                args.index,
                describe(&list)
            ))
        })?;
        let formats = camera.compatible_camera_formats().unwrap_or_default();
        if let Some(best) = choose_format(&formats, args.resolution, args.fps) {
            let exact = RequestedFormat::new::<RgbFormat>(RequestedFormatType::Exact(best));
            if let Err(e) = camera.set_camera_requset(exact) {
                log::warn!(
                    "camera format {best} refused ({e}); keeping {}",
                    camera.camera_format()
                );
            }
        }
        camera
            .open_stream()
            .with_context(|| format!("cannot start camera {}", args.index))?;
        let f = camera.camera_format();
        let description = format!(
            "camera {} {} {}x{} {} fps",
            args.index,
            f.format(),
            f.width(),
            f.height(),
            f.frame_rate()
        );
        Ok(Webcam {
            camera,
            start: Instant::now(),
            last_timestamp_us: None,
            description,
        })
    }

    /// Waits for the next frame and converts it into `bufs`.
    fn grab(&mut self, bufs: &mut Buffers) -> Result<Grabbed> {
        use nokhwa::utils::FrameFormat as F;
        let buffer = self.camera.frame().context("camera frame")?;
        let res = buffer.resolution();
        let (w, h) = (res.width(), res.height());
        let pixels = w as usize * h as usize;
        let data = buffer.buffer();
        let short = |needed: usize| {
            anyhow::anyhow!(
                "camera frame of {} bytes, {needed} expected for {w}x{h}",
                data.len()
            )
        };
        let mut layout = Layout::Rgb;
        let (mut w, mut h) = (w, h);
        match buffer.source_frame_format() {
            F::NV12 => {
                let needed = pixels + pixels / 2;
                let src = data.get(..needed).ok_or_else(|| short(needed))?;
                sized(&mut bufs.yuv, needed).copy_from_slice(src);
                layout = Layout::Nv12;
            }
            F::YUYV => {
                let needed = pixels * YUYV_BYTES;
                let src = data.get(..needed).ok_or_else(|| short(needed))?;
                sized(&mut bufs.yuv, needed).copy_from_slice(src);
                layout = Layout::Yuyv;
            }
            F::MJPEG => (w, h) = decode_jpeg(data, &mut bufs.rgb)?,
            F::RAWRGB => {
                let src = data
                    .get(..pixels * RGB_BYTES)
                    .ok_or_else(|| short(pixels * RGB_BYTES))?;
                sized(&mut bufs.rgb, pixels * RGB_BYTES).copy_from_slice(src);
            }
            F::RAWBGR => {
                let src = data
                    .get(..pixels * RGB_BYTES)
                    .ok_or_else(|| short(pixels * RGB_BYTES))?;
                let dst = sized(&mut bufs.rgb, pixels * RGB_BYTES);
                for (d, s) in dst
                    .chunks_exact_mut(RGB_BYTES)
                    .zip(src.chunks_exact(RGB_BYTES))
                {
                    d.copy_from_slice(&[s[2], s[1], s[0]]);
                }
            }
            F::GRAY => {
                let src = data.get(..pixels).ok_or_else(|| short(pixels))?;
                let dst = sized(&mut bufs.rgb, pixels * RGB_BYTES);
                for (d, &g) in dst.chunks_exact_mut(RGB_BYTES).zip(src) {
                    d.copy_from_slice(&[g, g, g]);
                }
            }
        }
        let elapsed = i64::try_from(self.start.elapsed().as_micros()).unwrap_or(i64::MAX);
        let mut ts = buffer
            .capture_timestamp()
            .and_then(|d| i64::try_from(d.as_micros()).ok())
            .unwrap_or(elapsed);
        if let Some(last) = self.last_timestamp_us {
            ts = ts.max(last + 1);
        }
        self.last_timestamp_us = Some(ts);
        Ok(Grabbed {
            width: w,
            height: h,
            timestamp_us: ts,
            layout,
            rgb_ready: layout == Layout::Rgb,
        })
    }
}

/// Decodes one MJPEG frame into `rgb`; returns its size.
fn decode_jpeg(data: &[u8], rgb: &mut Vec<u8>) -> Result<(u32, u32)> {
    use image::ImageDecoder;
    let decoder =
        image::codecs::jpeg::JpegDecoder::new(std::io::Cursor::new(data)).context("MJPEG frame")?;
    let (w, h) = decoder.dimensions();
    let len = w as usize * h as usize * RGB_BYTES;
    if decoder.color_type() == image::ColorType::Rgb8 {
        decoder.read_image(sized(rgb, len)).context("MJPEG frame")?;
    } else {
        let img = image::DynamicImage::from_decoder(decoder)
            .context("MJPEG frame")?
            .to_rgb8();
        sized(rgb, len).copy_from_slice(img.as_raw());
    }
    Ok((w, h))
}

enum Capture {
    Synthetic(Box<SyntheticCamera>),
    Webcam(Box<Webcam>),
}

impl Capture {
    fn grab(&mut self, bufs: &mut Buffers) -> Result<Grabbed> {
        match self {
            Capture::Synthetic(s) => s.grab(bufs),
            Capture::Webcam(c) => c.grab(bufs),
        }
    }

    fn description(&self) -> String {
        match self {
            Capture::Synthetic(s) => format!("synthetic {} {:.0} fps", s.size, s.fps),
            Capture::Webcam(c) => c.description.clone(),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Window.

/// The preview window. minifb: a small, well-kept crate that opens a plain window and shows a
/// CPU framebuffer — no GPU, no OpenGL or Vulkan context, no GUI toolkit — so it runs on any
/// desktop, over SSH with X forwarding and under Xvfb in CI; everything drawn is ours
/// (overlay.rs on an RGB buffer), which is all a preview needs.
struct Viewer {
    window: minifb::Window,
    rgb: Vec<u8>,
    argb: Vec<u32>,
}

/// Smoothed figures shown in the status text.
#[derive(Debug, Default, Clone, Copy)]
struct Readout {
    /// Smoothed frame interval, seconds (the rate shown is its inverse).
    interval_s: f64,
    fps: f64,
    convert_ms: f64,
    infer_ms: f64,
    decode_ms: f64,
    track_ms: f64,
    plan_ms: f64,
    total_ms: f64,
}

impl Readout {
    fn update(&mut self, dt_s: f64, r: &FrameResult) {
        let t = &r.timings;
        let first = self.interval_s == 0.0;
        let mix = |old: &mut f64, new: f64| {
            *old = if first {
                new
            } else {
                *old + (new - *old) * DISPLAY_SMOOTHING
            };
        };
        if dt_s > 0.0 {
            mix(&mut self.interval_s, dt_s);
            self.fps = 1.0 / self.interval_s.max(f64::EPSILON);
        }
        let ms = |us: u64| us as f64 / US_PER_MS;
        mix(&mut self.convert_ms, ms(t.convert_us));
        mix(&mut self.infer_ms, ms(t.infer_us));
        mix(&mut self.decode_ms, ms(t.decode_us));
        mix(&mut self.track_ms, ms(t.track_us));
        mix(&mut self.plan_ms, ms(t.plan_us));
        mix(&mut self.total_ms, ms(t.total_us));
    }
}

/// A box of `bw` x `bh` at `(bx, by)`; the letterboxed placement of a `w` x `h` image in it:
/// `(x, y, scale)`.
fn fit(bx: usize, by: usize, bw: usize, bh: usize, w: f64, h: f64) -> (f64, f64, f64) {
    let scale = (bw as f64 / w.max(1.0)).min(bh as f64 / h.max(1.0));
    (
        bx as f64 + (bw as f64 - w * scale) / 2.0,
        by as f64 + (bh as f64 - h * scale) / 2.0,
        scale,
    )
}

/// Draws the region `(sx, sy, sw, sh)` of the RGB image `src` (`w` x `h`) into the box, scaled to
/// fit (nearest neighbour; pixels outside the image are black).
#[allow(clippy::too_many_arguments)]
fn blit(
    dst: &mut [u8],
    src: &[u8],
    w: u32,
    h: u32,
    region: (f64, f64, f64, f64),
    bx: usize,
    by: usize,
    bw: usize,
    bh: usize,
) -> (f64, f64, f64) {
    let (sx, sy, sw, sh) = region;
    let (ox, oy, scale) = fit(bx, by, bw, bh, sw, sh);
    let (x0, y0) = (ox.round().max(0.0) as usize, oy.round().max(0.0) as usize);
    let (x1, y1) = (
        ((ox + sw * scale).round() as usize).min(WINDOW_W),
        ((oy + sh * scale).round() as usize).min(WINDOW_H),
    );
    let (w, h) = (w as usize, h as usize);
    for y in y0..y1 {
        let fy = sy + (y as f64 + 0.5 - oy) / scale;
        let row = dst.get_mut(y * WINDOW_W * RGB_BYTES..(y + 1) * WINDOW_W * RGB_BYTES);
        let Some(row) = row else { continue };
        for x in x0..x1 {
            let fx = sx + (x as f64 + 0.5 - ox) / scale;
            let px = &mut row[x * RGB_BYTES..(x + 1) * RGB_BYTES];
            if fx < 0.0 || fy < 0.0 || fx >= w as f64 || fy >= h as f64 {
                px.copy_from_slice(&PANEL);
                continue;
            }
            let i = (fy as usize * w + fx as usize) * RGB_BYTES;
            match src.get(i..i + RGB_BYTES) {
                Some(s) => px.copy_from_slice(s),
                None => px.copy_from_slice(&PANEL),
            }
        }
    }
    (ox, oy, scale)
}

impl Viewer {
    fn open() -> Result<Viewer> {
        let options = minifb::WindowOptions::default();
        let mut window = minifb::Window::new(
            "Ballcam camera (Q quit, R reset, A aspect)",
            WINDOW_W,
            WINDOW_H,
            options,
        )
        .map_err(|e| {
            anyhow::anyhow!(
                "cannot open a window: {e} (no display? use --headless, or run under xvfb-run)"
            )
        })?;
        window.set_target_fps(0);
        Ok(Viewer {
            window,
            rgb: vec![0; WINDOW_W * WINDOW_H * RGB_BYTES],
            argb: vec![0; WINDOW_W * WINDOW_H],
        })
    }

    /// Draws one frame and its result and shows it.
    fn show(
        &mut self,
        rgb: &[u8],
        g: &Grabbed,
        r: &FrameResult,
        status: [String; TEXT_LINES],
    ) -> Result<()> {
        let dst = &mut self.rgb;
        for px in dst.chunks_exact_mut(RGB_BYTES) {
            px.copy_from_slice(&BACKGROUND);
        }
        let (fw, fh) = (f64::from(g.width), f64::from(g.height));
        let full = (0.0, 0.0, fw, fh);
        let (px, py, ps) = blit(
            dst, rgb, g.width, g.height, full, MARGIN, MARGIN, PREVIEW_W, PREVIEW_H,
        );
        let c = r.crop;
        let crop = (
            f64::from(c.x),
            f64::from(c.y),
            f64::from(c.width),
            f64::from(c.height),
        );
        let crop_x = MARGIN * 2 + PREVIEW_W;
        blit(
            dst, rgb, g.width, g.height, crop, crop_x, MARGIN, CROP_W, CROP_H,
        );
        let mut canvas =
            Canvas::new(dst, WINDOW_W as u32, WINDOW_H as u32).context("window canvas")?;
        canvas.rect(
            px + crop.0 * ps,
            py + crop.1 * ps,
            crop.2 * ps,
            crop.3 * ps,
            OVERLAY_THICKNESS,
            colors::YELLOW,
        );
        if let Some(ball) = r.ball {
            let color = if ball.state == TrackState::Detected {
                colors::GREEN
            } else {
                colors::ORANGE
            };
            let radius = (f64::from(ball.radius) * ps).max(MIN_BALL_RADIUS_PX)
                + f64::from(OVERLAY_THICKNESS);
            canvas.circle(
                px + f64::from(ball.x) * ps,
                py + f64::from(ball.y) * ps,
                radius,
                OVERLAY_THICKNESS,
                color,
            );
        }
        let m = MARGIN as i64;
        canvas.label(m + 6, m + 6, "camera", TEXT_SCALE, colors::WHITE);
        canvas.label(
            (crop_x + 6) as i64,
            m + 6,
            "crop",
            TEXT_SCALE,
            colors::WHITE,
        );
        let y0 = (MARGIN * 2 + PREVIEW_H) as i64;
        for (i, line) in status.iter().enumerate() {
            canvas.text(
                m,
                y0 + (i * TEXT_LINE_H) as i64,
                line,
                TEXT_SCALE,
                colors::LIGHT_GRAY,
            );
        }
        for (out, px) in self.argb.iter_mut().zip(self.rgb.chunks_exact(RGB_BYTES)) {
            *out = (u32::from(px[0]) << 16) | (u32::from(px[1]) << 8) | u32::from(px[2]);
        }
        self.window
            .update_with_buffer(&self.argb, WINDOW_W, WINDOW_H)
            .context("window update")
    }
}

// ---------------------------------------------------------------------------------------------
// The loop.

/// What a run did, printed at the end (`--json`: as JSON).
#[derive(Debug, Serialize)]
struct Summary {
    source: String,
    preset: String,
    /// The detector in use at the end (the counts below are since the B key last switched it).
    model: String,
    frames: u64,
    frame_errors: u64,
    seconds: f64,
    fps: f64,
    mean_total_ms: f64,
    max_total_ms: f64,
    frames_detected: u64,
    frames_predicted: u64,
    frames_lost: u64,
    frames_full: u64,
    frames_roi: u64,
    frames_tile: u64,
    frames_skipped: u64,
    frames_over_budget: u64,
}

/// Upper-case name of a track state.
fn state_name(state: TrackState) -> &'static str {
    match state {
        TrackState::Detected => "detected",
        TrackState::Predicted => "predicted",
        TrackState::Lost => "lost",
    }
}

/// The engine config for frames of `w` x `h`: the preset, its frame limits raised if needed.
fn config_for(preset: Preset, ball: Ball, w: u32, h: u32) -> Config {
    let mut config = Config {
        ball,
        ..Config::preset(preset)
    };
    config.max_frame_width = config.max_frame_width.max(w.max(h));
    config.max_frame_height = config.max_frame_height.max(w.max(h));
    config
}

/// An engine for frames of `size` with the crop's `aspect`.
fn build_engine(
    preset: Preset,
    ball: Ball,
    size: (u32, u32),
    aspect: AspectRatio,
) -> Result<Engine> {
    let mut engine = Engine::new(config_for(preset, ball, size.0, size.1))
        .with_context(|| format!("cannot build the engine (preset {preset}, ball {ball})"))?;
    engine.set_aspect(aspect);
    Ok(engine)
}

/// Lists the cameras (`--list`).
fn list(json: bool) -> Result<()> {
    let list = cameras()?;
    if json {
        let items: Vec<serde_json::Value> = list
            .iter()
            .map(|c| {
                serde_json::json!({
                    "index": c.index().to_string(),
                    "name": c.human_name(),
                    "description": c.description(),
                })
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&items)?);
    } else {
        for c in &list {
            println!("{}: {} ({})", c.index(), c.human_name(), c.description());
        }
    }
    Ok(())
}

/// Runs `ballcam camera`.
pub fn run(args: &CameraArgs, json: bool) -> Result<()> {
    if args.list {
        return list(json);
    }
    let preset: Preset = args.preset.parse().map_err(|e| bad_input(format!("{e}")))?;
    if !(args.fps.is_finite() && args.fps > 0.0 && args.fps <= MAX_FPS) {
        return Err(bad_input(format!(
            "--fps must be in (0, {MAX_FPS}], not {}",
            args.fps
        )));
    }
    let mut capture = if args.synthetic {
        Capture::Synthetic(Box::new(SyntheticCamera::new(args.resolution, args.fps)?))
    } else {
        Capture::Webcam(Box::new(Webcam::open(args)?))
    };
    let source = capture.description();
    let mut viewer = if args.headless {
        None
    } else {
        Some(Viewer::open()?)
    };
    let mut bufs = Buffers::default();
    let mut engine: Option<Engine> = None;
    let mut converter: Option<Converter> = None;
    let mut aspect = 0usize;
    let mut ball = args.ball;
    let mut readout = Readout::default();
    let started = Instant::now();
    let mut last = started;
    let mut frames = 0u64;
    let mut grab_errors = 0u32;
    loop {
        if args.frames.is_some_and(|n| frames >= n) {
            break;
        }
        if let Some(v) = &viewer {
            let w = &v.window;
            if !w.is_open() || w.is_key_down(minifb::Key::Escape) || w.is_key_down(minifb::Key::Q) {
                break;
            }
        }
        let g = match capture.grab(&mut bufs) {
            Ok(g) => {
                grab_errors = 0;
                g
            }
            // A corrupt frame (a bad MJPEG, a short buffer) is skipped; a dead camera is not.
            Err(e) if grab_errors < MAX_CONSECUTIVE_GRAB_ERRORS => {
                grab_errors += 1;
                log::warn!("camera frame skipped: {e:#}");
                continue;
            }
            Err(e) => return Err(e.context(format!("{grab_errors} camera frames in a row failed"))),
        };
        if engine.is_none() {
            engine = Some(build_engine(
                preset,
                ball,
                (g.width, g.height),
                ASPECTS[aspect],
            )?);
        }
        let Some(eng) = engine.as_mut() else { continue };
        if let Some(v) = &viewer {
            if v.window
                .is_key_pressed(minifb::Key::R, minifb::KeyRepeat::No)
            {
                eng.reset();
            }
            if v.window
                .is_key_pressed(minifb::Key::A, minifb::KeyRepeat::No)
            {
                aspect = (aspect + 1) % ASPECTS.len();
                eng.set_aspect(ASPECTS[aspect]);
            }
            if v.window
                .is_key_pressed(minifb::Key::B, minifb::KeyRepeat::No)
            {
                // Another model: the engine is built again for this frame (a new track, its
                // telemetry from zero).
                let next = Ball::ALL
                    .iter()
                    .position(|b| *b == ball)
                    .map_or(0, |i| i + 1);
                ball = Ball::ALL[next % Ball::ALL.len()];
                *eng = build_engine(preset, ball, (g.width, g.height), ASPECTS[aspect])?;
            }
        }
        let (w, h, ts) = (g.width, g.height, g.timestamp_us);
        let frame = match g.layout {
            Layout::Nv12 => Frame::nv12(&bufs.yuv, w, h, Rotation::Deg0, ts),
            Layout::Yuyv => Frame::packed(
                PixelFormat::Yuyv,
                &bufs.yuv,
                w,
                h,
                w as usize * YUYV_BYTES,
                Rotation::Deg0,
                ts,
            ),
            Layout::Rgb => Frame::packed(
                PixelFormat::Rgb8,
                &bufs.rgb,
                w,
                h,
                w as usize * RGB_BYTES,
                Rotation::Deg0,
                ts,
            ),
        };
        let result = match eng.process(&frame) {
            Ok(r) => r,
            Err(e) => {
                log::warn!("frame {frames} refused: {e}");
                frames += 1;
                continue;
            }
        };
        frames += 1;
        let now = Instant::now();
        readout.update(now.duration_since(last).as_secs_f64(), &result);
        last = now;
        if let Some(v) = &mut viewer {
            let preview = if g.rgb_ready {
                &bufs.rgb
            } else {
                let conv = converter
                    .get_or_insert_with(|| Converter::new(w.max(h), w.max(h), ColorRange::Limited));
                let pixels = w as usize * h as usize;
                conv.rgb_from_frame(&frame, sized(&mut bufs.preview, pixels * RGB_BYTES))
                    .context("preview")?;
                &bufs.preview
            };
            let d = &readout;
            let status = [
                format!(
                    "{:5.1} FPS  MODE {:<4}  BALL {:<9}  ASPECT {}  PRESET {}  MODEL {}",
                    d.fps,
                    result.mode.name(),
                    state_name(result.state),
                    ASPECTS[aspect],
                    preset,
                    ball
                ),
                format!(
                    "ms: convert {:.2}  infer {:.2}  decode {:.2}  track {:.2}  plan {:.2}  total {:.2}",
                    d.convert_ms, d.infer_ms, d.decode_ms, d.track_ms, d.plan_ms, d.total_ms
                ),
                format!("{source}   keys: q/Esc quit  r reset  a aspect  b model"),
            ];
            v.show(preview, &g, &result, status)?;
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    let t = engine.as_ref().map(|e| e.telemetry()).unwrap_or_default();
    let summary = Summary {
        source,
        preset: preset.name().to_string(),
        model: engine.as_ref().map_or_else(
            || format!("embedded model (ball = {ball})"),
            crate::session::model_name,
        ),
        frames,
        frame_errors: t.frame_errors,
        seconds,
        fps: if seconds > 0.0 {
            frames as f64 / seconds
        } else {
            0.0
        },
        mean_total_ms: if t.frames > 0 {
            t.total_time_us as f64 / t.frames as f64 / US_PER_MS
        } else {
            0.0
        },
        max_total_ms: t.max_frame_us as f64 / US_PER_MS,
        frames_detected: t.frames_detected,
        frames_predicted: t.frames_predicted,
        frames_lost: t.frames_lost,
        frames_full: t.frames_full,
        frames_roi: t.frames_roi,
        frames_tile: t.frames_tile,
        frames_skipped: t.frames_skipped,
        frames_over_budget: t.frames_over_budget,
    };
    if json {
        println!("{}", serde_json::to_string_pretty(&summary)?);
    } else {
        println!(
            "{}: {} frames in {:.1} s ({:.1} fps), {}, engine {:.2} ms mean / {:.2} ms max; ball detected {}, predicted {}, lost {}",
            summary.source,
            summary.frames,
            summary.seconds,
            summary.fps,
            summary.model,
            summary.mean_total_ms,
            summary.max_total_ms,
            summary.frames_detected,
            summary.frames_predicted,
            summary.frames_lost
        );
    }
    Ok(())
}
