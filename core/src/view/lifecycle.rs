//! The phone shell's lifecycle as a state machine: the shell reports what happened, and
//! [`Lifecycle`] decides what the engine must do before each frame and what the view shows.
//!
//! Events ([`ShellEvent`]): the preview view got a size (or lost it), the crop's aspect was
//! pinned, the camera (re)started, the app went to the background or came back. Frames carry
//! their geometry (buffer size, rotation) and timestamp. Before each frame, [`FramePlan`] says:
//!
//! * **reset** the engine's track and crop path ([`ResetReason`]) when the stream starts over: the
//!   camera was (re)started, the app came back from the background, the upright frame changed
//!   (the phone turned: the rotation changed; or the camera size changed), or the timestamps
//!   jumped back by more than [`CLOCK_RESTART_US`] (a camera that restarted its clock). A smaller
//!   step back is a late or repeated frame: the engine refuses it and keeps its track.
//! * **aspect**: the crop's aspect follows the view's ([`aspect_for_view`]) as soon as the view's
//!   size is known, whenever the view was resized, and again after the engine was replaced; an
//!   aspect pinned by the app wins over the view's. While the view's size is unknown the engine
//!   keeps its configured aspect and no view transform is given.
//!
//! Pure and deterministic: time only from the frames' timestamps; no allocation.

use std::fmt;

use crate::crop::{AspectRatio, CropRect};

use super::geometry::{view_transform, FrameGeometry, Rect, ScaleMode, ViewSize, ViewTransform};
use super::ViewError;

/// A step back in time larger than this (microseconds) is a restarted camera clock (a new
/// stream, the engine is reset); a smaller one is a late or repeated frame (refused).
pub const CLOCK_RESTART_US: i64 = 1_000_000;
/// Largest term of the crop's aspect ratio (the engine's own limit).
const MAX_ASPECT_TERM: u32 = 10_000;
/// Largest ratio between the crop's sides (the engine's own limit).
const MAX_ASPECT_RATIO: f64 = 10.0;

/// What a shell reports.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ShellEvent {
    /// The preview view has this size (after layout, and after every resize) and scales the
    /// frame with this mode.
    ViewResized {
        /// The view's size, in its own units.
        size: ViewSize,
        /// How the preview scales the frame into the view.
        mode: ScaleMode,
    },
    /// The view is gone (detached, hidden): its size is unknown again.
    ViewGone,
    /// The app pins the crop's aspect (wins over the view's).
    AspectPinned(AspectRatio),
    /// The camera was (re)started: its frames form a new stream.
    CameraStarted,
    /// The app went to the background.
    Backgrounded,
    /// The app came back to the foreground.
    Foregrounded,
}

/// Why the engine is reset before a frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResetReason {
    /// The shell reported a camera (re)start.
    CameraStarted,
    /// The app came back from the background.
    Resumed,
    /// The frame's rotation changed (the phone turned).
    Rotated {
        /// The previous rotation, degrees.
        from: u32,
        /// The new rotation, degrees.
        to: u32,
    },
    /// The frame's buffer size changed.
    Resized,
    /// The timestamps jumped back by more than [`CLOCK_RESTART_US`].
    ClockRestarted {
        /// The previous frame's timestamp, microseconds.
        previous_us: i64,
        /// This frame's timestamp, microseconds.
        timestamp_us: i64,
    },
}

impl fmt::Display for ResetReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            ResetReason::CameraStarted => write!(f, "the camera started"),
            ResetReason::Resumed => write!(f, "the app came back from the background"),
            ResetReason::Rotated { from, to } => {
                write!(
                    f,
                    "the frame's rotation changed from {from} to {to} degrees"
                )
            }
            ResetReason::Resized => write!(f, "the frame's size changed"),
            ResetReason::ClockRestarted {
                previous_us,
                timestamp_us,
            } => write!(
                f,
                "the timestamps jumped back from {previous_us} to {timestamp_us} us"
            ),
        }
    }
}

/// What the engine must do before a frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FramePlan {
    /// Reset the engine (track, crop path, timestamps) first, for this reason.
    pub reset: Option<ResetReason>,
    /// Set the crop's aspect to this first.
    pub aspect: Option<AspectRatio>,
}

/// The shell's state as the core sees it.
#[derive(Debug, Clone, Default)]
pub struct Lifecycle {
    /// The view's size and scale mode, when known.
    view: Option<(ViewSize, ScaleMode)>,
    /// The aspect pinned by the app.
    pinned: Option<AspectRatio>,
    /// The aspect last given to the engine.
    applied: Option<AspectRatio>,
    /// The last frame the engine processed since its last reset.
    last: Option<(FrameGeometry, i64)>,
    /// A reset owed to an event, done before the next frame.
    pending: Option<ResetReason>,
    /// The app is in the background.
    background: bool,
}

/// Greatest common divisor.
fn gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// The crop's aspect for a view: its sides rounded and reduced (`1080x2340` is `6:13`), scaled
/// down when a term would pass the engine's limit, and held within 10:1 either way.
pub fn aspect_for_view(size: ViewSize) -> Result<AspectRatio, ViewError> {
    size.validate()?;
    let ratio = (size.width / size.height).clamp(1.0 / MAX_ASPECT_RATIO, MAX_ASPECT_RATIO);
    // Integer sides of that ratio, at least 1: the view's own when it is not clamped.
    let (w, h) = if ratio >= 1.0 {
        let h = size.height.round().max(1.0);
        ((h * ratio).round(), h)
    } else {
        let w = size.width.round().max(1.0);
        (w, (w / ratio).round())
    };
    // Sides up to MAX_VIEW_SIDE (1e5), so the casts are exact.
    let (mut w, mut h) = (w as u64, h as u64);
    let g = gcd(w, h).max(1);
    (w, h) = (w / g, h / g);
    let largest = w.max(h);
    let max = u64::from(MAX_ASPECT_TERM);
    if largest > max {
        // Keep the ratio as closely as the limit allows.
        let scale = max as f64 / largest as f64;
        w = ((w as f64 * scale).round() as u64).clamp(1, max);
        h = ((h as f64 * scale).round() as u64).clamp(1, max);
        let g = gcd(w, h).max(1);
        (w, h) = (w / g, h / g);
    }
    // Both terms are in 1..=MAX_ASPECT_TERM here.
    let term = |v: u64| u32::try_from(v).unwrap_or(MAX_ASPECT_TERM);
    Ok(AspectRatio::new(term(w), term(h)))
}

impl Lifecycle {
    /// A shell that has reported nothing yet (view size unknown, app in the foreground).
    pub fn new() -> Lifecycle {
        Lifecycle::default()
    }

    /// Takes one event. Errors name a bad view size (the state is then unchanged).
    pub fn handle(&mut self, event: ShellEvent) -> Result<(), ViewError> {
        match event {
            ShellEvent::ViewResized { size, mode } => {
                size.validate()?;
                self.view = Some((size, mode));
            }
            ShellEvent::ViewGone => self.view = None,
            ShellEvent::AspectPinned(aspect) => self.pinned = Some(aspect),
            ShellEvent::CameraStarted => self.pending = Some(ResetReason::CameraStarted),
            ShellEvent::Backgrounded => {
                self.background = true;
                self.pending = Some(ResetReason::Resumed);
            }
            ShellEvent::Foregrounded => {
                if self.background {
                    self.pending = Some(ResetReason::Resumed);
                }
                self.background = false;
            }
        }
        Ok(())
    }

    /// Whether the app is in the background.
    pub fn in_background(&self) -> bool {
        self.background
    }

    /// The view's size and scale mode, when known.
    pub fn view(&self) -> Option<(ViewSize, ScaleMode)> {
        self.view
    }

    /// The aspect the crop should have: the pinned one, else the view's, else none (the
    /// engine's configured aspect).
    pub fn desired_aspect(&self) -> Option<AspectRatio> {
        self.pinned
            .or_else(|| self.view.and_then(|(size, _)| aspect_for_view(size).ok()))
    }

    /// What to do before processing a frame of `geometry` taken at `timestamp_us`.
    pub fn before_frame(&mut self, geometry: FrameGeometry, timestamp_us: i64) -> FramePlan {
        let mut plan = FramePlan::default();
        if let Some((last, previous_us)) = self.last {
            plan.reset = self.pending.or(if last.rotation != geometry.rotation {
                Some(ResetReason::Rotated {
                    from: last.rotation.degrees(),
                    to: geometry.rotation.degrees(),
                })
            } else if (last.width, last.height) != (geometry.width, geometry.height) {
                Some(ResetReason::Resized)
            } else if previous_us.saturating_sub(timestamp_us) > CLOCK_RESTART_US {
                Some(ResetReason::ClockRestarted {
                    previous_us,
                    timestamp_us,
                })
            } else {
                None
            });
        }
        // A fresh engine needs no reset: the event is spent either way.
        self.pending = None;
        if plan.reset.is_some() {
            self.last = None;
        }
        let desired = self.desired_aspect();
        if desired.is_some() && desired != self.applied {
            plan.aspect = desired;
            self.applied = desired;
        }
        plan
    }

    /// Records a frame the engine processed (a refused frame is not recorded).
    pub fn frame_done(&mut self, geometry: FrameGeometry, timestamp_us: i64) {
        self.last = Some((geometry, timestamp_us));
    }

    /// The engine was reset by the app: the next frame starts a new stream.
    pub fn engine_reset(&mut self) {
        self.last = None;
        self.pending = None;
    }

    /// The engine was replaced by a new one (a config change): it starts with no track, no
    /// timestamps, and its configured aspect.
    pub fn engine_replaced(&mut self) {
        self.engine_reset();
        self.applied = None;
    }

    /// The view transform for a frame's result, when the view's size is known.
    pub fn view_transform(&self, geometry: FrameGeometry, crop: CropRect) -> Option<ViewTransform> {
        let (size, mode) = self.view?;
        let crop = Rect {
            x: f64::from(crop.x),
            y: f64::from(crop.y),
            width: f64::from(crop.width),
            height: f64::from(crop.height),
        };
        view_transform(geometry, size, mode, Some(crop)).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frame::Rotation;

    fn frame(rotation: Rotation) -> FrameGeometry {
        FrameGeometry {
            width: 1280,
            height: 720,
            rotation,
        }
    }

    fn view(width: f64, height: f64) -> ShellEvent {
        ShellEvent::ViewResized {
            size: ViewSize { width, height },
            mode: ScaleMode::Fit,
        }
    }

    /// Runs a frame through the lifecycle as an engine would (always accepted).
    fn step(l: &mut Lifecycle, g: FrameGeometry, t: i64) -> FramePlan {
        let plan = l.before_frame(g, t);
        l.frame_done(g, t);
        plan
    }

    #[test]
    fn aspect_of_real_views() {
        let a = |w, h| {
            aspect_for_view(ViewSize {
                width: w,
                height: h,
            })
            .unwrap()
        };
        // 1080x2340: gcd 180 -> 6:13; 390x844 points: gcd 2 -> 195:422.
        assert_eq!(a(1080.0, 2340.0), AspectRatio::new(6, 13));
        assert_eq!(a(390.0, 844.0), AspectRatio::new(195, 422));
        assert_eq!(a(2340.0, 1080.0), AspectRatio::new(13, 6));
        // A 20:1 strip is held at 10:1.
        assert_eq!(a(2000.0, 100.0), AspectRatio::new(10, 1));
        // Coprime sides above 10000 are scaled down: 99991x99989 -> 10000:9999.8, rounded to
        // 10000:10000 = 1:1; 99991x49999 -> 10000:5000.3 = 2:1.
        assert_eq!(a(99_991.0, 99_989.0), AspectRatio::new(1, 1));
        assert_eq!(a(99_991.0, 49_999.0), AspectRatio::new(2, 1));
        assert!(aspect_for_view(ViewSize {
            width: 0.0,
            height: 1.0
        })
        .is_err());
    }

    #[test]
    fn view_known_before_the_first_frame_sets_the_aspect_on_it() {
        // The view's size arrives before the engine sees any frame (the permission prompt is up):
        // the first frame already gets the view's aspect, once.
        let mut l = Lifecycle::new();
        l.handle(view(1080.0, 2340.0)).unwrap();
        let first = step(&mut l, frame(Rotation::Deg90), 1_000);
        assert_eq!(first.aspect, Some(AspectRatio::new(6, 13)));
        assert_eq!(first.reset, None);
        assert_eq!(step(&mut l, frame(Rotation::Deg90), 34_333).aspect, None);
    }

    #[test]
    fn unknown_view_leaves_the_engine_aspect_and_gives_no_transform() {
        let mut l = Lifecycle::new();
        assert_eq!(step(&mut l, frame(Rotation::Deg0), 1).aspect, None);
        let crop = CropRect {
            x: 0.0,
            y: 0.0,
            width: 640.0,
            height: 360.0,
        };
        assert!(l.view_transform(frame(Rotation::Deg0), crop).is_none());
        l.handle(view(1280.0, 720.0)).unwrap();
        assert!(l.view_transform(frame(Rotation::Deg0), crop).is_some());
        assert_eq!(
            step(&mut l, frame(Rotation::Deg0), 2).aspect,
            Some(AspectRatio::new(16, 9))
        );
        l.handle(ShellEvent::ViewGone).unwrap();
        assert!(l.view_transform(frame(Rotation::Deg0), crop).is_none());
        // A bad size is refused and changes nothing.
        assert!(l.handle(view(-1.0, 5.0)).is_err());
        assert!(l.view().is_none());
    }

    #[test]
    fn turning_the_phone_resets_and_follows_the_new_view() {
        let mut l = Lifecycle::new();
        l.handle(view(1080.0, 2340.0)).unwrap();
        step(&mut l, frame(Rotation::Deg90), 0);
        step(&mut l, frame(Rotation::Deg90), 33_333);
        // Landscape: the view turns to 2340x1080 and the frames come with rotation 0.
        l.handle(view(2340.0, 1080.0)).unwrap();
        let plan = step(&mut l, frame(Rotation::Deg0), 66_666);
        assert_eq!(plan.reset, Some(ResetReason::Rotated { from: 90, to: 0 }));
        assert_eq!(plan.aspect, Some(AspectRatio::new(13, 6)));
        // A new camera size resets too.
        let bigger = FrameGeometry {
            width: 1920,
            height: 1080,
            rotation: Rotation::Deg0,
        };
        assert_eq!(
            step(&mut l, bigger, 99_999).reset,
            Some(ResetReason::Resized)
        );
    }

    #[test]
    fn camera_restart_background_and_clock_jumps() {
        let mut l = Lifecycle::new();
        // A camera start before any frame costs nothing (a fresh engine).
        l.handle(ShellEvent::CameraStarted).unwrap();
        assert_eq!(step(&mut l, frame(Rotation::Deg0), 5_000_000).reset, None);
        l.handle(ShellEvent::CameraStarted).unwrap();
        let plan = step(&mut l, frame(Rotation::Deg0), 10);
        assert_eq!(plan.reset, Some(ResetReason::CameraStarted));
        // Background then foreground: one reset on the next frame.
        l.handle(ShellEvent::Backgrounded).unwrap();
        assert!(l.in_background());
        l.handle(ShellEvent::Foregrounded).unwrap();
        assert_eq!(
            step(&mut l, frame(Rotation::Deg0), 20).reset,
            Some(ResetReason::Resumed)
        );
        assert_eq!(step(&mut l, frame(Rotation::Deg0), 30).reset, None);
        // A step back of 1 s + 1 us is a restarted clock: 2_000_031 -> 1_000_030.
        step(&mut l, frame(Rotation::Deg0), 2_000_031);
        assert_eq!(
            step(&mut l, frame(Rotation::Deg0), 1_000_030).reset,
            Some(ResetReason::ClockRestarted {
                previous_us: 2_000_031,
                timestamp_us: 1_000_030
            })
        );
        // A step back of exactly 1 s is a late frame: no reset (the engine refuses it).
        step(&mut l, frame(Rotation::Deg0), 3_000_000);
        assert_eq!(l.before_frame(frame(Rotation::Deg0), 2_000_000).reset, None);
    }

    #[test]
    fn pinned_aspect_wins_and_survives_a_new_engine() {
        let mut l = Lifecycle::new();
        l.handle(view(1080.0, 2340.0)).unwrap();
        l.handle(ShellEvent::AspectPinned(AspectRatio::new(1, 1)))
            .unwrap();
        assert_eq!(
            step(&mut l, frame(Rotation::Deg0), 1).aspect,
            Some(AspectRatio::new(1, 1))
        );
        l.engine_replaced();
        let plan = step(&mut l, frame(Rotation::Deg0), 0);
        assert_eq!(plan.aspect, Some(AspectRatio::new(1, 1)));
        assert_eq!(plan.reset, None);
        l.engine_reset();
        assert_eq!(
            step(&mut l, frame(Rotation::Deg90), 0),
            FramePlan::default()
        );
    }
}
