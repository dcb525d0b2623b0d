//! The scheduler's settings ([`ScheduleConfig`]: budget, search strategy, tiles, regions of
//! interest, late frames) and the [`SearchStrategy`], their validation and defaults.

use serde::{Deserialize, Serialize};

use crate::config::Preset;
use crate::error::ConfigError;
use crate::types::check;

/// Default scheduling margin, in rolling mean absolute deviations of a job's cost.
pub const COST_MARGIN_DEVIATIONS: f32 = 2.0;
/// Largest accepted scheduling margin.
const MAX_COST_MARGIN: f32 = 10.0;
/// Default share of the budget that a frame of several detector jobs is planned to fill.
pub const PACK_FILL: f32 = 0.9;
/// Smallest accepted `pack_fill`.
const MIN_PACK_FILL: f32 = 0.5;
/// Default `schedule.tile_reference_side`: frames with a shorter side of at least 720 px are
/// searched at the preset's tile scale.
pub const TILE_REFERENCE_SIDE: u32 = 720;
/// Finest tile scale for small frames (2x upscaled tiles).
pub const MIN_TILE_SCALE: f32 = 0.5;
/// Frames with a shorter side above this many pixels are searched with tiles coarser in
/// proportion (a 4K frame of the same scene shows the ball twice as large as a 1080p one),
/// and a still's fine pass sees every frame as one of this shorter side would be natively.
pub const TILE_COARSEN_SIDE: u32 = 1080;
/// A still's fine pass upscales a small frame at most this many times to see it as a
/// [`TILE_COARSEN_SIDE`] frame would be natively: a 640x360 frame 3x, when the still's credit
/// pays for it. The ordinary tiles of every frame stop at [`MIN_TILE_SCALE`] (2x) unless
/// `schedule.tile_scale` itself is finer: a frame of a clip has one frame's budget for its
/// search.
pub const MAX_FINE_UPSCALE: u32 = 3;
/// A still's fine pass is at least this many times finer than the ordinary tiles, or does not
/// run (`Scheduler::fine_pass_scale`): a pass nearer their scale mostly repeats their search.
/// About the square root of the pass's 1.5x coarsening step, so that a step that lands on the
/// tiles' own scale give or take rounding is never taken, and one to 1.5x finer always is.
pub const MIN_FINE_GAIN: f32 = 1.2;
/// A frame interval at 30 fps, microseconds.
pub const FRAME_INTERVAL_30FPS_US: u64 = 33_333;
/// A frame interval at 60 fps, microseconds.
pub const FRAME_INTERVAL_60FPS_US: u64 = 16_667;
/// Default cap on the budgets one late frame gets (`schedule.max_gap_frames`): one second of
/// work at 30 fps.
pub const MAX_GAP_FRAMES: f32 = 30.0;
/// Largest accepted `schedule.max_gap_frames`.
const MAX_MAX_GAP_FRAMES: f32 = 1000.0;
/// Default region-of-interest span in predicted ball radii (`schedule.roi_radius_factor`): a
/// ball larger than the input's side / 12 is seen at a reduced scale, about 16 px in radius
/// in the 192 px region (inside the radii the model is trained on, and a large, soft ball of
/// an upscaled stream comes out sharper).
pub const ROI_RADIUS_FACTOR: f32 = 12.0;
/// Largest accepted per-frame budget, microseconds (10 s: no frame interval is longer).
pub const MAX_BUDGET_US: u64 = 10_000_000;

/// How the engine looks for the ball when it has no track.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SearchStrategy {
    /// The whole frame, letterboxed to `detector.full_input`.
    Full,
    /// Tiles of `detector.tile_input` at `schedule.tile_scale`, spread over frames.
    Tiles,
    /// A whole-frame pass, then the tiles, in one cycle.
    FullAndTiles,
}

/// Scheduling and budget settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ScheduleConfig {
    /// Per-frame budget for Ballcam's own work (conversion, inference, decoding), microseconds.
    pub budget_us: u64,
    /// Unused budget carried to later frames, in frames' worth of budget (at least 1).
    pub burst_frames: f32,
    /// Search strategy when there is no track.
    pub search: SearchStrategy,
    /// Source pixels per tile input pixel (1 = native resolution, 2 = half resolution), for
    /// frames whose shorter side is at least `tile_reference_side`; a smaller frame (a 360p
    /// stream, where the same scene's ball is smaller in pixels) is searched at a finer scale,
    /// in proportion, down to [`MIN_TILE_SCALE`] (its tiles upscale it); a frame with a
    /// shorter side above [`TILE_COARSEN_SIDE`] (4K) at a coarser scale, in proportion.
    pub tile_scale: f32,
    /// The frame's shorter side at which tiles use `tile_scale`, pixels. Default 720.
    pub tile_reference_side: u32,
    /// Overlap of neighbouring tiles in tile input pixels.
    pub tile_overlap: u32,
    /// Run the detector on every n-th frame while tracking (1 = every frame).
    pub detect_interval: u32,
    /// Weight of the newest measurement in the rolling cost estimate (0..1].
    pub cost_smoothing: f32,
    /// Jobs are planned with their rolling mean cost plus this many rolling mean absolute
    /// deviations, so that ordinary run-to-run variation does not push a full frame over the
    /// budget (0 plans with the mean alone).
    pub cost_margin: f32,
    /// A job added to a frame that already has one is planned to keep the frame within this
    /// share of the budget (0.5..=1): each job's margin covers its own usual variation, but
    /// several jobs packed up to the last microsecond overrun whenever one of them has a slow
    /// run. A frame's first job may still use the whole budget. Default 0.9.
    pub pack_fill: f32,
    /// The region of interest spans at least this many predicted ball radii.
    pub roi_radius_factor: f32,
    /// ... and this many standard deviations of the predicted position on each side.
    pub roi_sigma_factor: f32,
    /// Largest region of interest, as a multiple of the ROI input (beyond, it is downscaled).
    pub roi_max_scale: f32,
    /// Run the small region of interest (`detector.roi_small_input`) whenever the prediction
    /// fits it at native resolution (its span from `roi_radius_factor` and `roi_sigma_factor`
    /// is no larger): a confident track costs the small input's inference and sees the ball as
    /// sharply. Off, the small one is only the fallback of a tight budget.
    pub roi_fit_small: bool,
    /// While coasting longer than this, search passes are interleaved with the ROI, seconds.
    pub coast_search_after_s: f64,
    /// The frame interval `budget_us` is meant for, microseconds (33_333 at 30 fps). The budget
    /// is a share of time: a frame that comes later than this (a still, a 1-10 fps stream, a
    /// throttled camera) gets `budget_us` times the elapsed intervals, at most
    /// `max_gap_frames` times, so that it can afford the work of the interval it stands for (a
    /// whole search cycle and second looks). Frames at or above the rate get `budget_us`.
    pub frame_interval_us: u64,
    /// Most frame budgets one late frame may get (see `frame_interval_us`). Default 30.
    pub max_gap_frames: f32,
}

impl Default for ScheduleConfig {
    fn default() -> Self {
        Preset::Desktop.config().schedule
    }
}

impl ScheduleConfig {
    /// Checks every field.
    pub fn validate(&self) -> Result<(), ConfigError> {
        check(
            (1..=MAX_BUDGET_US).contains(&self.budget_us),
            "budget_us",
            || format!("{} must be in 1..={MAX_BUDGET_US}", self.budget_us),
        )?;
        check(
            self.burst_frames.is_finite() && (1.0..=100.0).contains(&self.burst_frames),
            "burst_frames",
            || format!("{} must be in [1, 100]", self.burst_frames),
        )?;
        check(
            self.tile_scale.is_finite() && (0.25..=8.0).contains(&self.tile_scale),
            "tile_scale",
            || format!("{} must be in [0.25, 8]", self.tile_scale),
        )?;
        check(self.tile_reference_side >= 2, "tile_reference_side", || {
            format!("{} must be at least 2", self.tile_reference_side)
        })?;
        check(self.detect_interval >= 1, "detect_interval", || {
            "must be at least 1".into()
        })?;
        check(
            self.cost_margin.is_finite() && (0.0..=MAX_COST_MARGIN).contains(&self.cost_margin),
            "cost_margin",
            || format!("{} must be in [0, {MAX_COST_MARGIN}]", self.cost_margin),
        )?;
        check(
            self.pack_fill.is_finite() && (MIN_PACK_FILL..=1.0).contains(&self.pack_fill),
            "pack_fill",
            || format!("{} must be in [{MIN_PACK_FILL}, 1]", self.pack_fill),
        )?;
        check(
            self.cost_smoothing.is_finite()
                && self.cost_smoothing > 0.0
                && self.cost_smoothing <= 1.0,
            "cost_smoothing",
            || format!("{} must be in (0, 1]", self.cost_smoothing),
        )?;
        check(
            self.roi_radius_factor.is_finite() && self.roi_radius_factor >= 0.0,
            "roi_radius_factor",
            || format!("{} must be finite and >= 0", self.roi_radius_factor),
        )?;
        check(
            self.roi_sigma_factor.is_finite() && self.roi_sigma_factor >= 0.0,
            "roi_sigma_factor",
            || format!("{} must be finite and >= 0", self.roi_sigma_factor),
        )?;
        check(
            self.roi_max_scale.is_finite() && (1.0..=16.0).contains(&self.roi_max_scale),
            "roi_max_scale",
            || format!("{} must be in [1, 16]", self.roi_max_scale),
        )?;
        check(
            self.coast_search_after_s.is_finite() && self.coast_search_after_s >= 0.0,
            "coast_search_after_s",
            || format!("{} must be finite and >= 0", self.coast_search_after_s),
        )?;
        check(self.frame_interval_us > 0, "frame_interval_us", || {
            "must be positive".into()
        })?;
        check(
            self.max_gap_frames.is_finite()
                && (1.0..=MAX_MAX_GAP_FRAMES).contains(&self.max_gap_frames),
            "max_gap_frames",
            || {
                format!(
                    "{} must be in [1, {MAX_MAX_GAP_FRAMES}]",
                    self.max_gap_frames
                )
            },
        )
    }
}
