//! [`BallcamEngine`]: the core engine behind a mutex, with the per-format entry points, the
//! shell's lifecycle events (the core's [`Lifecycle`] decides what they mean for the engine) and
//! the crop path recorded beside a video.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use ballcam_core::{AspectRatio, Config, Engine, Frame, PixelFormat, Rotation};
use ballcam_core::{FrameGeometry, FramePlan, FrameStats, Lifecycle, ShellEvent, ViewSize};

use crate::error::{panic_message, BallcamError};
use crate::path::PathFile;
use crate::types::{
    Ball, CaptureExport, ColorRange, FrameResult, Preset, QualitySummary, ScaleMode, Telemetry,
};

/// The engine, the shell's lifecycle (which outlives a config change) and the crop path.
struct State {
    engine: Engine,
    /// The shell's state: view size, pinned aspect, last frame; decides resets and the aspect.
    lifecycle: Lifecycle,
    /// The crop path being recorded.
    path: Option<PathFile>,
    /// Why the path was closed early (reported by [`BallcamEngine::finish_path`]).
    path_error: Option<BallcamError>,
    /// The HUD's averages.
    stats: FrameStats,
}

/// One Ballcam engine for one camera stream: push frames, get the ball and the crop back.
///
/// Thread-safe: calls from several threads are serialised by a mutex (frames should come from
/// one analysis thread; the config may change from any other). A panic inside the engine is
/// caught, reported as [`BallcamError::Internal`], and the engine is reset, so later calls work.
#[derive(uniffi::Object)]
pub struct BallcamEngine {
    state: Mutex<State>,
    /// Held by a configuration change from reading the configuration to swapping the new
    /// engine in (frames keep going to the old one under `state` meanwhile): two changes from
    /// two threads apply one after the other, neither lost.
    config_change: Mutex<()>,
}

impl std::fmt::Debug for BallcamEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BallcamEngine").finish_non_exhaustive()
    }
}

/// Runs `f`, turning a panic into [`BallcamError::Internal`].
fn guarded<T>(f: impl FnOnce() -> Result<T, BallcamError>) -> Result<T, BallcamError> {
    catch_unwind(AssertUnwindSafe(f))
        .unwrap_or_else(|p| Err(BallcamError::Internal(panic_message(&*p))))
}

/// Runs `f`; a panic is logged and gives `fallback` (for calls whose FFI signature has no
/// error: a panic must never cross the FFI).
fn or_fallback<T>(what: &str, fallback: T, f: impl FnOnce() -> T) -> T {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|p| {
        log::error!("ballcam: {what}: {}", panic_message(&*p));
        fallback
    })
}

/// Test-only fault injection: a panic where the engine's lock is taken.
#[cfg(test)]
pub(crate) mod fault {
    use std::cell::Cell;

    thread_local! {
        static PANIC_IN_LOCK: Cell<bool> = const { Cell::new(false) };
    }

    /// Makes this thread's next lock of an engine panic.
    pub fn panic_in_next_lock() {
        PANIC_IN_LOCK.with(|f| f.set(true));
    }

    pub(super) fn hit() {
        if PANIC_IN_LOCK.with(|f| f.replace(false)) {
            panic!("fault injected in lock");
        }
    }
}

/// What happened while the lock was held, logged once it is released: the app's log sink may
/// call back into the engine, which would deadlock on the lock. Nothing is allocated unless
/// something happened.
#[derive(Debug, Default)]
struct Deferred {
    /// The lock was poisoned by an earlier panic and recovered (the engine was reset).
    recovered: bool,
    /// A panic caught while the lock was held.
    panic: Option<String>,
    /// Other records, in order.
    records: Vec<(log::Level, String)>,
}

impl Deferred {
    fn note(&mut self, level: log::Level, message: String) {
        self.records.push((level, message));
    }

    fn log(self) {
        if self.recovered {
            log::warn!("ballcam: engine lock was poisoned by a panic; engine reset");
        }
        for (level, message) in self.records {
            log::log!(level, "ballcam: {message}");
        }
        if let Some(message) = self.panic {
            log::error!("ballcam: {message}");
        }
    }
}

/// Builds an engine for `config`, catching panics.
fn build_engine(config: Config) -> Result<Engine, BallcamError> {
    guarded(|| Ok(Engine::new(config)?))
}

/// Parses a TOML config (a preset plus overrides).
fn parse_toml(text: &str) -> Result<Config, BallcamError> {
    Ok(Config::from_toml_str(text)?)
}

/// The rotation for a clockwise angle in degrees (multiples of 90, negative angles wrap).
fn rotation(degrees: i32) -> Result<Rotation, BallcamError> {
    Rotation::from_degrees(degrees).ok_or_else(|| {
        BallcamError::InvalidFrame(format!(
            "rotation {degrees} degrees: must be a multiple of 90 (0, 90, 180, 270)"
        ))
    })
}

/// A stride or size from the FFI as `usize`.
fn to_usize(value: u32) -> usize {
    usize::try_from(value).unwrap_or(usize::MAX)
}

/// Logs what an engine was built with.
fn log_ready(engine: &Engine) {
    let c = engine.config();
    log::info!(
        "ballcam: engine ready: preset {}, frames up to {}x{}, {} thread(s), {} KiB of buffers",
        c.preset,
        c.max_frame_width,
        c.max_frame_height,
        c.threads,
        engine.heap_bytes() / 1024
    );
}

impl BallcamEngine {
    /// Builds an engine for `config` while frames keep going to the old one, then swaps it in;
    /// on error the old engine stays. Callers hold [`Self::config_lock`].
    fn replace_engine(&self, config: Config) -> Result<(), BallcamError> {
        let engine = build_engine(config)?;
        log_ready(&engine);
        guarded(|| {
            self.with_state(|state, _| {
                state.engine = engine;
                // The new engine gets the aspect (pinned or the view's) before its first frame.
                state.lifecycle.engine_replaced();
            });
            Ok(())
        })
    }

    /// The configuration in use, edited by `edit` (which says whether it changed anything),
    /// applied with [`Self::replace_engine`] when it did.
    fn edit_config(&self, edit: impl FnOnce(&mut Config) -> bool) -> Result<(), BallcamError> {
        let _changing = self.config_lock();
        let mut config = guarded(|| Ok(self.with_state(|state, _| state.engine.config().clone())))?;
        if edit(&mut config) {
            self.replace_engine(config)
        } else {
            Ok(())
        }
    }

    fn from_engine(engine: Engine) -> Arc<Self> {
        log_ready(&engine);
        Arc::new(BallcamEngine {
            state: Mutex::new(State {
                engine,
                lifecycle: Lifecycle::new(),
                path: None,
                path_error: None,
                stats: FrameStats::new(),
            }),
            config_change: Mutex::new(()),
        })
    }

    /// The configuration-change lock (a poisoned one is taken over: it guards no data).
    fn config_lock(&self) -> MutexGuard<'_, ()> {
        self.config_change
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Locks the state. A lock poisoned by an earlier panic is recovered: the engine is reset
    /// (its track may be half-updated) and the poison cleared, so one failure does not make
    /// every later call fail; `deferred` notes it for the log.
    fn lock(&self, deferred: &mut Deferred) -> MutexGuard<'_, State> {
        #[cfg(test)]
        fault::hit();
        match self.state.lock() {
            Ok(guard) => guard,
            Err(poisoned) => {
                let mut guard = poisoned.into_inner();
                guard.engine.reset();
                guard.lifecycle.engine_reset();
                self.state.clear_poison();
                deferred.recovered = true;
                guard
            }
        }
    }

    /// Runs `f` on the locked state, then logs what happened once the lock is released.
    fn with_state<T>(&self, f: impl FnOnce(&mut State, &mut Deferred) -> T) -> T {
        let mut deferred = Deferred::default();
        let result = {
            let mut state = self.lock(&mut deferred);
            f(&mut state, &mut deferred)
        };
        deferred.log();
        result
    }

    /// One packed frame (`size`: width, height, row stride in bytes) of `format` through
    /// [`BallcamEngine::process`].
    fn push_packed(
        &self,
        format: PixelFormat,
        data: &[u8],
        (width, height, row_stride): (u32, u32, u32),
        range: Option<ColorRange>,
        rotation_deg: i32,
        timestamp_us: i64,
    ) -> Result<FrameResult, BallcamError> {
        let frame = Frame::packed(
            format,
            data,
            width,
            height,
            to_usize(row_stride),
            rotation(rotation_deg)?,
            timestamp_us,
        );
        self.process(&frame, range)
    }

    /// Runs the engine on `frame` (YUV read with `range`, when given) after what the lifecycle
    /// plans (a reset, the crop's aspect); records the path row and adds the view transform. A
    /// panic resets the engine and becomes `Internal`.
    fn process(
        &self,
        frame: &Frame,
        range: Option<ColorRange>,
    ) -> Result<FrameResult, BallcamError> {
        let arrived = Instant::now();
        let geometry = FrameGeometry {
            width: frame.width,
            height: frame.height,
            rotation: frame.rotation,
        };
        self.with_state(|state, deferred| {
            let State {
                engine,
                lifecycle,
                path,
                path_error,
                stats,
                ..
            } = state;
            // A malformed frame is refused by the engine as it is: it must not count as a new
            // camera size (a reset) or spend a pending event.
            let plan = match frame.validate() {
                Ok(()) => lifecycle.before_frame(geometry, frame.timestamp_us),
                Err(_) => FramePlan::default(),
            };
            let outcome = catch_unwind(AssertUnwindSafe(|| {
                if let Some(reason) = plan.reset {
                    engine.reset();
                    deferred.note(log::Level::Info, format!("engine reset: {reason}"));
                }
                if let Some(aspect) = plan.aspect {
                    engine.set_aspect(aspect);
                }
                if let Some(range) = range {
                    engine.set_color_range(range.into());
                }
                engine.process(frame)
            }));
            match outcome {
                Ok(Ok(result)) => {
                    lifecycle.frame_done(geometry, frame.timestamp_us);
                    if let Some(file) = path.as_mut() {
                        if let Err(e) = file.write(geometry, &result) {
                            deferred.note(log::Level::Error, format!("crop path closed: {e}"));
                            *path = None;
                            *path_error = Some(e);
                        }
                    }
                    let view = lifecycle.view_transform(geometry, result.crop);
                    let latency_us =
                        u64::try_from(arrived.elapsed().as_micros()).unwrap_or(u64::MAX);
                    stats.add(result.timestamp_us, result.timings.total_us, latency_us);
                    let mut out = FrameResult::from(result);
                    out.view = view.map(Into::into);
                    out.stats = (*stats).into();
                    out.stats.quality = engine.quality().quality.into();
                    Ok(out)
                }
                Ok(Err(e)) => Err(e.into()),
                Err(payload) => {
                    engine.reset();
                    lifecycle.engine_reset();
                    let message = panic_message(&*payload);
                    deferred.panic = Some(message.clone());
                    Err(BallcamError::Internal(message))
                }
            }
        })
    }

    /// Hands an event to the lifecycle.
    fn event(&self, event: ShellEvent) -> Result<(), BallcamError> {
        guarded(|| Ok(self.with_state(|state, _| state.lifecycle.handle(event))?))
    }
}

#[cfg(test)]
impl BallcamEngine {
    /// Poisons the engine's lock the way a panic while it is held would.
    pub(crate) fn poison_for_test(self: &Arc<Self>) {
        let engine = Arc::clone(self);
        let joined = std::thread::spawn(move || {
            let _guard = engine.state.lock();
            panic!("poison the lock on purpose");
        })
        .join();
        assert!(joined.is_err() && self.state.is_poisoned());
    }
}

#[uniffi::export]
impl BallcamEngine {
    /// An engine with a preset's configuration and the embedded model.
    #[uniffi::constructor]
    pub fn new(preset: Preset) -> Result<Arc<Self>, BallcamError> {
        let config = Config::preset(preset.into());
        Ok(Self::from_engine(build_engine(config)?))
    }

    /// An engine with a preset's configuration and the embedded model `ball` names (`new` is
    /// `with_ball(preset, Ball::Any)`).
    #[uniffi::constructor]
    pub fn with_ball(preset: Preset, ball: Ball) -> Result<Arc<Self>, BallcamError> {
        let config = Config {
            ball: ball.into(),
            ..Config::preset(preset.into())
        };
        Ok(Self::from_engine(build_engine(config)?))
    }

    /// An engine with a preset's configuration, the embedded model `ball` names and hard-case
    /// capture on or off (`[monitor.capture] enabled`), built once: a shell's start with the
    /// user's saved choices.
    #[uniffi::constructor]
    pub fn with_options(
        preset: Preset,
        ball: Ball,
        capture: bool,
    ) -> Result<Arc<Self>, BallcamError> {
        let mut config = Config {
            ball: ball.into(),
            ..Config::preset(preset.into())
        };
        config.monitor.capture.enabled = capture;
        Ok(Self::from_engine(build_engine(config)?))
    }

    /// An engine from a TOML config (`preset = "phone-30fps"` plus overrides, as in the core).
    #[uniffi::constructor]
    pub fn from_config_toml(text: String) -> Result<Arc<Self>, BallcamError> {
        let config = parse_toml(&text)?;
        Ok(Self::from_engine(build_engine(config)?))
    }

    /// Contiguous NV21 (`width * height` bytes of Y, then interleaved V/U rows), the Android
    /// camera's classic layout, in `color_range`. `rotation_deg` is the clockwise rotation that
    /// makes the buffer upright (`ImageInfo.rotationDegrees`); results are in upright pixels.
    pub fn push_nv21(
        &self,
        data: &[u8],
        width: u32,
        height: u32,
        color_range: ColorRange,
        rotation_deg: i32,
        timestamp_us: i64,
    ) -> Result<FrameResult, BallcamError> {
        let frame = Frame::nv21(data, width, height, rotation(rotation_deg)?, timestamp_us);
        self.process(&frame, Some(color_range))
    }

    /// Android `YUV_420_888` (CameraX `ImageProxy`): three planes with their row strides; U and V
    /// share the row stride and the pixel stride (1: planar, 2: interleaved, where `u` and `v`
    /// are overlapping views of one buffer, each without its last byte). Camera frames are
    /// usually `ColorRange::Full` (JFIF).
    #[allow(clippy::too_many_arguments)]
    pub fn push_yuv420(
        &self,
        y: &[u8],
        y_row_stride: u32,
        u: &[u8],
        v: &[u8],
        uv_row_stride: u32,
        uv_pixel_stride: u32,
        width: u32,
        height: u32,
        color_range: ColorRange,
        rotation_deg: i32,
        timestamp_us: i64,
    ) -> Result<FrameResult, BallcamError> {
        let uv_stride = to_usize(uv_row_stride);
        let frame = Frame::planar(
            y,
            to_usize(y_row_stride),
            u,
            uv_stride,
            v,
            uv_stride,
            to_usize(uv_pixel_stride),
            width,
            height,
            rotation(rotation_deg)?,
            timestamp_us,
        );
        self.process(&frame, Some(color_range))
    }

    /// NV12 bi-planar (iOS `kCVPixelFormatType_420YpCbCr8BiPlanarFullRange`: `ColorRange::Full`;
    /// `...VideoRange`: `ColorRange::Limited`): the Y plane and the interleaved U/V plane, each
    /// with its bytes-per-row.
    #[allow(clippy::too_many_arguments)]
    pub fn push_nv12(
        &self,
        y: &[u8],
        y_row_stride: u32,
        uv: &[u8],
        uv_row_stride: u32,
        width: u32,
        height: u32,
        color_range: ColorRange,
        rotation_deg: i32,
        timestamp_us: i64,
    ) -> Result<FrameResult, BallcamError> {
        let frame = Frame::semi_planar(
            PixelFormat::Nv12,
            y,
            to_usize(y_row_stride),
            uv,
            to_usize(uv_row_stride),
            width,
            height,
            rotation(rotation_deg)?,
            timestamp_us,
        );
        self.process(&frame, Some(color_range))
    }

    /// Packed YUV 4:2:2 YUYV (Y0 U Y1 V; V4L2 `YUYV`, Windows `YUY2`: USB webcams), `row_stride`
    /// bytes per row; the width must be even.
    #[allow(clippy::too_many_arguments)]
    pub fn push_yuyv(
        &self,
        data: &[u8],
        row_stride: u32,
        width: u32,
        height: u32,
        color_range: ColorRange,
        rotation_deg: i32,
        timestamp_us: i64,
    ) -> Result<FrameResult, BallcamError> {
        let size = (width, height, row_stride);
        self.push_packed(
            PixelFormat::Yuyv,
            data,
            size,
            Some(color_range),
            rotation_deg,
            timestamp_us,
        )
    }

    /// Packed YUV 4:2:2 UYVY (U Y0 V Y1; iOS / macOS `kCVPixelFormatType_422YpCbCr8` "2vuy"),
    /// `row_stride` bytes per row; the width must be even.
    #[allow(clippy::too_many_arguments)]
    pub fn push_uyvy(
        &self,
        data: &[u8],
        row_stride: u32,
        width: u32,
        height: u32,
        color_range: ColorRange,
        rotation_deg: i32,
        timestamp_us: i64,
    ) -> Result<FrameResult, BallcamError> {
        let size = (width, height, row_stride);
        self.push_packed(
            PixelFormat::Uyvy,
            data,
            size,
            Some(color_range),
            rotation_deg,
            timestamp_us,
        )
    }

    /// Packed BGRA (iOS `kCVPixelFormatType_32BGRA`), `row_stride` bytes per row.
    pub fn push_bgra(
        &self,
        data: &[u8],
        row_stride: u32,
        width: u32,
        height: u32,
        rotation_deg: i32,
        timestamp_us: i64,
    ) -> Result<FrameResult, BallcamError> {
        let size = (width, height, row_stride);
        self.push_packed(
            PixelFormat::Bgra8,
            data,
            size,
            None,
            rotation_deg,
            timestamp_us,
        )
    }

    /// Forgets the ball, the crop's motion and the timestamps (new clip, camera switch).
    pub fn reset(&self) {
        or_fallback("reset", (), || {
            self.with_state(|state, deferred| {
                state.lifecycle.engine_reset();
                let engine = &mut state.engine;
                if let Err(payload) = catch_unwind(AssertUnwindSafe(|| engine.reset())) {
                    deferred.panic = Some(panic_message(&*payload));
                }
            })
        })
    }

    /// Pins the crop's aspect ratio (`w:h`) from the next frame on, over the view's; it stays
    /// in force across [`BallcamEngine::set_config_toml`]. `InvalidConfig` when a term is 0 or
    /// the ratio is beyond 10:1.
    pub fn set_aspect(&self, w: u32, h: u32) -> Result<(), BallcamError> {
        // The core's own check (terms and ratio in range), with its message.
        let aspect: AspectRatio = format!("{w}:{h}")
            .parse()
            .map_err(|e: ballcam_core::ConfigError| e.in_section("crop"))?;
        self.event(ShellEvent::AspectPinned(aspect))
    }

    /// The preview view's size (its own units: Android pixels, iOS points) and how it scales the
    /// frame. Report it after the first layout and after every resize (the phone turned), even
    /// before the first frame: the crop takes the view's aspect from the next frame on, and every
    /// result then carries its `view` transform. `InvalidArgument` for a size that is not finite
    /// and positive.
    pub fn set_view(&self, width: f64, height: f64, mode: ScaleMode) -> Result<(), BallcamError> {
        self.event(ShellEvent::ViewResized {
            size: ViewSize { width, height },
            mode: mode.into(),
        })
    }

    /// The preview view is gone: results carry no `view` transform until the next `set_view`.
    pub fn clear_view(&self) {
        // ViewGone cannot fail.
        let _ = self.event(ShellEvent::ViewGone);
    }

    /// The camera was (re)started: its next frame starts a new track (its clock may have
    /// restarted too).
    pub fn camera_started(&self) {
        let _ = self.event(ShellEvent::CameraStarted);
    }

    /// The app went to the background: the next frame starts a new track, and the crop path
    /// being recorded is flushed to its file.
    pub fn app_backgrounded(&self) {
        or_fallback("app_backgrounded", (), || {
            self.with_state(|state, deferred| {
                let _ = state.lifecycle.handle(ShellEvent::Backgrounded);
                let State {
                    path, path_error, ..
                } = state;
                if let Some(file) = path.as_mut() {
                    if let Err(e) = file.flush() {
                        deferred.note(log::Level::Error, format!("crop path closed: {e}"));
                        *path = None;
                        *path_error = Some(e);
                    }
                }
            })
        })
    }

    /// The app came back to the foreground: the next frame starts a new track.
    pub fn app_foregrounded(&self) {
        let _ = self.event(ShellEvent::Foregrounded);
    }

    /// Starts recording the crop path into the file `path` (created or truncated): from the next
    /// frame on, one row per processed frame, in the columns of `track.csv`, in the pixels of the
    /// recorded video whose buffers are `video_width` x `video_height` turned upright by
    /// `video_rotation_deg` (the rotation its file is tagged with), with timestamps from the
    /// first recorded frame. A path already being recorded is finished first.
    /// `InvalidArgument` when the file cannot be created or a size or angle is bad.
    pub fn start_path(
        &self,
        path: String,
        video_width: u32,
        video_height: u32,
        video_rotation_deg: i32,
    ) -> Result<(), BallcamError> {
        let video = FrameGeometry {
            width: video_width,
            height: video_height,
            rotation: crate::view::rotation_arg("recorded video", video_rotation_deg)?,
        };
        let file = PathFile::create(&path, video)?;
        guarded(|| {
            self.with_state(|state, deferred| {
                if let Some(old) = state.path.take() {
                    match old.finish() {
                        Ok(rows) => deferred.note(
                            log::Level::Info,
                            format!("crop path finished ({rows} rows)"),
                        ),
                        Err(e) => deferred.note(log::Level::Error, e.to_string()),
                    }
                }
                state.path_error = None;
                state.path = Some(file);
            });
            Ok(())
        })
    }

    /// Finishes the crop path (flushes and closes its file); returns the rows written (0 when no
    /// path was being recorded). `InvalidArgument` when writing it failed (the rows up to the
    /// failure are in the file).
    pub fn finish_path(&self) -> Result<u64, BallcamError> {
        guarded(|| {
            self.with_state(|state, _| {
                if let Some(e) = state.path_error.take() {
                    state.path = None;
                    return Err(e);
                }
                match state.path.take() {
                    Some(file) => file.finish(),
                    None => Ok(0),
                }
            })
        })
    }

    /// Replaces the configuration: builds a new engine (the model is prepared again, telemetry
    /// starts over) while frames keep going to the old one, then swaps it in. On error the old
    /// engine stays. Safe to call from any thread while another pushes frames.
    pub fn set_config_toml(&self, text: String) -> Result<(), BallcamError> {
        let config = parse_toml(&text)?;
        let _changing = self.config_lock();
        self.replace_engine(config)
    }

    /// Switches the embedded detector (the shells' sport picker): the configuration in use with
    /// `ball` changed, applied as `set_config_toml` applies one (the telemetry and the captured
    /// frames start over). Nothing is rebuilt when `ball` is already in use.
    pub fn set_ball(&self, ball: Ball) -> Result<(), BallcamError> {
        let ball = ball.into();
        self.edit_config(|c| {
            let changed = c.ball != ball;
            c.ball = ball;
            changed
        })
    }

    /// Turns hard-case capture on or off (`[monitor.capture] enabled`; its ceiling and image size
    /// stay as configured), applied as `set_config_toml` applies a configuration: turning it off
    /// forgets the frames not yet exported. Nothing is rebuilt when it is already so.
    pub fn set_capture(&self, enabled: bool) -> Result<(), BallcamError> {
        self.edit_config(|c| {
            let changed = c.monitor.capture.enabled != enabled;
            c.monitor.capture.enabled = enabled;
            changed
        })
    }

    /// The configuration in use, as TOML (every field).
    pub fn config_toml(&self) -> Result<String, BallcamError> {
        guarded(|| {
            let config = self.with_state(|state, _| state.engine.config().clone());
            Ok(config.to_toml_string()?)
        })
    }

    /// The quality telemetry since the engine was built, its config last changed or
    /// `reset_telemetry`; empty if reading it failed (a panic caught and logged).
    pub fn telemetry(&self) -> Telemetry {
        or_fallback("telemetry", Telemetry::default(), || {
            self.with_state(|state, _| state.engine.telemetry()).into()
        })
    }

    /// The same telemetry as a JSON document (schema `schema_version`), the file
    /// `ballcam report --telemetry` reads. `Internal` if it could not be serialised.
    pub fn telemetry_json(&self) -> Result<String, BallcamError> {
        guarded(|| {
            let t = self.with_state(|state, _| state.engine.telemetry());
            t.to_json()
                .map_err(|e| BallcamError::Internal(format!("telemetry to JSON: {e}")))
        })
    }

    /// Starts the telemetry over (the captured frames are kept).
    pub fn reset_telemetry(&self) {
        or_fallback("reset_telemetry", (), || {
            self.with_state(|state, _| state.engine.reset_telemetry())
        })
    }

    /// The tracking-quality summary of the last second (also in every result's `stats`).
    pub fn quality(&self) -> QualitySummary {
        or_fallback("quality", QualitySummary::default(), || {
            self.with_state(|state, _| state.engine.quality()).into()
        })
    }

    /// Writes the captured hard frames into the folder `dir` as a labelling queue (`images/`,
    /// `labels.csv` pre-filled with the model's pseudo-labels, `manifest.json`); nothing leaves
    /// the engine otherwise. `InvalidArgument` when capture is off
    /// (`[monitor.capture] enabled = true` turns it on) or the folder cannot be written.
    pub fn export_captures(&self, dir: String) -> Result<CaptureExport, BallcamError> {
        guarded(|| {
            self.with_state(|state, _| {
                let summary = state
                    .engine
                    .export_captures(std::path::Path::new(&dir))
                    .map_err(|e| BallcamError::InvalidArgument(e.to_string()))?;
                let stats = state
                    .engine
                    .captures()
                    .map(|r| r.stats())
                    .unwrap_or_default();
                Ok(CaptureExport {
                    images: summary.images as u64,
                    pseudo_labelled: summary.pseudo_labelled as u64,
                    captured: stats.captured,
                    episodes: stats.episodes,
                })
            })
        })
    }

    /// Forgets the captured frames (after an export, say).
    pub fn clear_captures(&self) {
        or_fallback("clear_captures", (), || {
            self.with_state(|state, _| state.engine.clear_captures())
        })
    }

    /// Bytes of heap the engine's own buffers hold (not the model's plans); 0 if reading it
    /// failed (a panic caught and logged).
    pub fn heap_bytes(&self) -> u64 {
        or_fallback("heap_bytes", 0, || {
            let bytes = self.with_state(|state, _| state.engine.heap_bytes());
            u64::try_from(bytes).unwrap_or(u64::MAX)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A grey contiguous NV21 frame.
    fn grey(w: u32, h: u32) -> Vec<u8> {
        vec![128u8; (w * h * 3 / 2) as usize]
    }

    #[test]
    fn poisoned_lock_is_recovered() {
        let engine = BallcamEngine::new(Preset::Phone30Fps).expect("engine");
        let frame = grey(64, 48);
        engine
            .push_nv21(&frame, 64, 48, ColorRange::Limited, 0, 1_000)
            .expect("first frame");
        let poisoner = engine.clone();
        let joined = std::thread::spawn(move || {
            let _guard = poisoner.state.lock();
            panic!("poison the lock on purpose");
        })
        .join();
        assert!(joined.is_err());
        assert!(engine.state.is_poisoned());
        // The engine was reset on recovery: an earlier timestamp is accepted again.
        engine
            .push_nv21(&frame, 64, 48, ColorRange::Limited, 0, 10)
            .expect("frame after the poisoning");
        assert!(!engine.state.is_poisoned());
        assert_eq!(engine.telemetry().frames, 2);
    }

    #[test]
    fn errors_map_to_their_kind() {
        let engine = BallcamEngine::new(Preset::Phone30Fps).expect("engine");
        let frame = grey(64, 48);
        let short = engine.push_nv21(&frame[..100], 64, 48, ColorRange::Limited, 0, 1);
        assert!(
            matches!(short, Err(BallcamError::InvalidFrame(ref m)) if m.contains("plane")),
            "{short:?}"
        );
        let odd = engine.push_nv21(&frame, 63, 48, ColorRange::Limited, 0, 2);
        assert!(matches!(odd, Err(BallcamError::InvalidFrame(_))), "{odd:?}");
        let rot = engine.push_nv21(&frame, 64, 48, ColorRange::Limited, 45, 3);
        assert!(
            matches!(rot, Err(BallcamError::InvalidFrame(ref m)) if m.contains("45")),
            "{rot:?}"
        );
        let config = BallcamEngine::from_config_toml("threads = 0".into());
        assert!(
            matches!(config, Err(BallcamError::InvalidConfig(ref m)) if m.contains("threads")),
            "{config:?}"
        );
        engine
            .push_nv21(&frame, 64, 48, ColorRange::Limited, 0, 4)
            .expect("engine still works");
    }

    #[test]
    fn config_changes_from_two_threads_both_apply() {
        // The sport picker and the capture switch pressed at once (UI thread, analysis
        // thread): each change reads the configuration the other one left.
        for _ in 0..3 {
            let engine = BallcamEngine::new(Preset::Phone30Fps).expect("engine");
            let other = Arc::clone(&engine);
            let picker = std::thread::spawn(move || other.set_ball(Ball::Football));
            engine.set_capture(true).expect("capture on");
            picker.join().expect("picker thread").expect("ball set");
            let config = engine.with_state(|state, _| state.engine.config().clone());
            assert_eq!(config.ball, ballcam_core::Ball::Football);
            assert!(config.monitor.capture.enabled);
        }
    }

    #[test]
    fn guarded_turns_panics_into_internal() {
        let r: Result<(), BallcamError> = guarded(|| panic!("boom"));
        assert!(
            matches!(r, Err(BallcamError::Internal(ref m)) if m.contains("boom")),
            "{r:?}"
        );
    }
}
