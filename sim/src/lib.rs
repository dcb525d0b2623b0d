//! Deterministic synthetic football clips with exact ground truth.
//!
//! A static sideline camera (a phone on a tripod behind the near touchline) films a pitch with
//! markings, boards and stands; players run around and a ball follows a scripted, physically
//! plausible path. Every frame comes with the ball's exact image position, radius and visibility.
//! The same [`ClipSpec`] always renders byte-identical frames; trajectories are functions of time,
//! so the same seed at 30 and 60 fps follows the same path.
//!
//! ```no_run
//! use ballcam_sim::{Clip, ClipSpec, Scenario};
//! let spec = ClipSpec::new(Scenario::StraightPass, 1280, 720, 30.0, 4.0, 7);
//! let mut clip = Clip::new(spec)?;
//! let mut rgb = vec![0u8; 1280 * 720 * 3];
//! for f in 0..clip.frame_count() {
//!     let gt = clip.render_rgb(f, &mut rgb)?;
//!     println!("{} {} {} {}", gt.frame, gt.x, gt.y, gt.visible);
//! }
//! # Ok::<(), ballcam_sim::SimError>(())
//! ```

mod background;
mod ball;
mod camera;
mod clip;
mod error;
mod feed;
mod light;
mod math;
mod noise;
mod path;
mod player;
mod random;
mod raster;
mod rng;
mod scenario;
mod scene;
mod yuv;

pub use clip::Clip;
pub use error::SimError;
pub use feed::Nv21Feed;
pub use light::Light;
pub use random::render_random_frame;
pub use scene::VISIBLE_THRESHOLD;
pub use yuv::{bgra_from_rgb, i420_from_rgb, nv12_from_rgb, nv21_from_rgb, rgba_from_rgb};

/// Largest accepted width or height (pixels).
pub const MAX_DIMENSION: u32 = 8192;
/// Largest accepted frame rate.
pub const MAX_FPS: f64 = 1000.0;
/// Longest accepted clip (seconds).
pub const MAX_DURATION_S: f64 = 4.0 * 3600.0;
/// Microseconds per second.
const US_PER_S: f64 = 1e6;

/// What happens with the ball in a clip.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Scenario {
    /// The ball rolls/passes along the ground across the view, always visible.
    StraightPass,
    /// A high ball: a parabola in the air (gravity), with its ground shadow.
    LoftedBall,
    /// The ball passes behind a player and is fully hidden for `hidden_s` seconds, then
    /// visible again.
    Occluded { hidden_s: f64 },
    /// The ball goes out of the image (beyond a side edge) for about 1 s and comes back.
    LeavesFrame,
    /// A second ball-like object (a spare ball) is in view, static or slow, while the real
    /// ball moves.
    Decoy,
    /// Demo: a sequence of passes, dribbles and a lofted ball, with occlusions; players move.
    Match,
}

/// What to render.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClipSpec {
    pub width: u32,
    pub height: u32,
    pub fps: f64,
    pub frames: u32,
    pub seed: u64,
    pub scenario: Scenario,
    /// Lighting on top of the scene's look ([`Light::Scene`], the default, renders the clip as
    /// it always rendered).
    pub light: Light,
}

impl ClipSpec {
    /// A spec lasting `duration_s` seconds (`frames = round(duration_s * fps)`; invalid values
    /// give 0 frames, reported by [`Clip::new`]).
    pub fn new(
        scenario: Scenario,
        width: u32,
        height: u32,
        fps: f64,
        duration_s: f64,
        seed: u64,
    ) -> ClipSpec {
        let n = duration_s * fps;
        // `as` saturates and maps NaN to 0.
        let frames = if n.is_finite() && n > 0.0 {
            n.round() as u32
        } else {
            0
        };
        ClipSpec {
            width,
            height,
            fps,
            frames,
            seed,
            scenario,
            light: Light::Scene,
        }
    }

    /// The same clip under `light`.
    pub fn with_light(self, light: Light) -> ClipSpec {
        ClipSpec { light, ..self }
    }

    /// Clip length in seconds (`frames / fps`).
    pub fn duration_s(&self) -> f64 {
        f64::from(self.frames) / self.fps
    }

    /// Time of a frame in seconds.
    pub fn time_of(&self, frame: u32) -> f64 {
        f64::from(frame) / self.fps
    }

    /// Timestamp of a frame: `round(frame * 1e6 / fps)` microseconds.
    pub fn timestamp_us(&self, frame: u32) -> i64 {
        (f64::from(frame) * US_PER_S / self.fps).round() as i64
    }

    /// Check the spec; every problem is a [`SimError`].
    pub fn validate(&self) -> Result<(), SimError> {
        if self.width == 0
            || self.height == 0
            || self.width > MAX_DIMENSION
            || self.height > MAX_DIMENSION
        {
            return Err(SimError::InvalidSize {
                width: self.width,
                height: self.height,
            });
        }
        if !self.fps.is_finite() || self.fps <= 0.0 || self.fps > MAX_FPS {
            return Err(SimError::InvalidFps(self.fps));
        }
        if self.frames == 0 {
            return Err(SimError::NoFrames);
        }
        let duration_s = self.duration_s();
        if duration_s > MAX_DURATION_S {
            return Err(SimError::TooLong { duration_s });
        }
        scenario::validate(self)
    }
}

/// Exact ground truth for one frame.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GroundTruth {
    pub frame: u32,
    pub timestamp_us: i64,
    /// Ball centre and radius in image pixels (even when hidden or outside the image).
    pub x: f32,
    pub y: f32,
    pub radius: f32,
    /// The centre is inside the image.
    pub in_frame: bool,
    /// Share (0..1) of the ball's disc drawn unoccluded inside the image.
    pub visible_fraction: f32,
    /// `visible_fraction >= VISIBLE_THRESHOLD`.
    pub visible: bool,
    /// The decoy's centre and radius when one is in view.
    pub decoy: Option<(f32, f32, f32)>,
}
