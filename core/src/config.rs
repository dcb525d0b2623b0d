//! Engine configuration: device presets, loading from TOML or JSON, validation.
//!
//! A configuration starts from a named [`Preset`] (`phone-30fps`, `phone-60fps`, `desktop`,
//! `server`) and overrides any field: a file holding `preset = "phone-30fps"` and
//! `[crop] max_pan_speed = 0.8` is the phone preset with a slower camera. Every field is
//! checked by [`Config::validate`], which names the field and the value that is wrong.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::crop::CropConfig;
use crate::error::ConfigError;
use crate::frame::ColorRange;
use crate::monitor::MonitorConfig;
use crate::track::TrackerConfig;
use crate::types::InputSize;

/// Largest frame side the engine accepts (8K).
pub const MAX_FRAME_SIDE: u32 = 8192;
/// Most inference threads a config may ask for.
pub const MAX_THREADS: usize = 64;
/// Most candidates kept per frame.
pub const MAX_CANDIDATES: u32 = 64;
/// Bytes in a mebibyte.
const MIB: u64 = 1024 * 1024;
/// Default detector threshold of the search passes (models/README.md, "Evaluation").
pub const SEARCH_THRESHOLD: f32 = 0.5;
/// Default detector threshold in a region of interest (models/README.md, "Evaluation").
pub const ROI_THRESHOLD: f32 = 0.3;
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

/// Named device presets: the on-device and the cloud setting differ by a preset, not by code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum Preset {
    /// A phone at 30 fps: Ballcam's share of the 33 ms frame is small, one thread.
    #[serde(rename = "phone-30fps")]
    Phone30Fps,
    /// A phone at 60 fps: half the time of `phone-30fps`, smaller inputs.
    #[serde(rename = "phone-60fps")]
    Phone60Fps,
    /// A laptop or desktop with a webcam.
    Desktop,
    /// The cloud setting: larger inputs, detection on every frame, more threads.
    Server,
}

impl Preset {
    /// All presets, in order.
    pub const ALL: [Preset; 4] = [
        Preset::Phone30Fps,
        Preset::Phone60Fps,
        Preset::Desktop,
        Preset::Server,
    ];

    /// The preset's name as written in config files and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Preset::Phone30Fps => "phone-30fps",
            Preset::Phone60Fps => "phone-60fps",
            Preset::Desktop => "desktop",
            Preset::Server => "server",
        }
    }
}

impl std::str::FromStr for Preset {
    type Err = ConfigError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Preset::ALL
            .into_iter()
            .find(|p| p.name() == s)
            .ok_or_else(|| {
                let names: Vec<&str> = Preset::ALL.iter().map(|p| p.name()).collect();
                ConfigError::new(
                    "preset",
                    format!("unknown preset `{s}`; expected one of {}", names.join(", ")),
                )
            })
    }
}

impl std::fmt::Display for Preset {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Which of the two embedded detectors the engine loads when `model_path` is unset
/// (`ball = "any"` or `ball = "football"` in a config file; `--ball` on the command line).
/// The model card (`models/README.md`) shows the measurement behind the two.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Ball {
    /// The general detector (`models/ballnet_any.onnx`): football, futsal, handball,
    /// volleyball, tennis, rugby and the renderer's balls, any camera height and ball size.
    #[default]
    Any,
    /// The broadcast-football detector (`models/ballnet.onnx`): the most precise on a high
    /// football broadcast camera, blind to other sports.
    Football,
}

impl Ball {
    /// Both, in order.
    pub const ALL: [Ball; 2] = [Ball::Any, Ball::Football];

    /// The name as written in config files and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Ball::Any => "any",
            Ball::Football => "football",
        }
    }
}

impl std::str::FromStr for Ball {
    type Err = ConfigError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ball::ALL
            .into_iter()
            .find(|b| b.name() == s)
            .ok_or_else(|| {
                ConfigError::new(
                    "ball",
                    format!("unknown ball `{s}`; expected `any` or `football`"),
                )
            })
    }
}

impl std::fmt::Display for Ball {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

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

/// Detector settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DetectorConfig {
    /// Input size of the whole-frame search pass (the frame is letterboxed into it).
    pub full_input: InputSize,
    /// Input size of the region of interest around the predicted ball, at native resolution.
    pub roi_input: InputSize,
    /// The smaller region the scheduler falls back to when the budget is tight.
    pub roi_small_input: InputSize,
    /// Input size of one search tile.
    pub tile_input: InputSize,
    /// Score (0..1) above which a heatmap peak is a candidate in the search passes (whole
    /// frame, tiles). Default 0.5.
    pub threshold: f32,
    /// The same in a region of interest around the track or a hypothesis, where a peak is
    /// already supported by the prediction (see the model card's threshold sweep). Default 0.3.
    pub roi_threshold: f32,
    /// Candidates kept per frame, best first.
    pub max_candidates: u32,
}

impl Default for DetectorConfig {
    fn default() -> Self {
        Preset::Desktop.config().detector
    }
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
    /// in proportion, down to [`MIN_TILE_SCALE`] (its tiles upscale it).
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

/// The whole engine configuration. `Config::default()` is the `desktop` preset with the
/// embedded model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// The preset this configuration started from (informational once loaded).
    pub preset: Preset,
    /// ONNX model file; `None` uses the embedded model that `ball` names.
    pub model_path: Option<PathBuf>,
    /// The embedded detector to use when `model_path` is unset (see [`Ball`]).
    pub ball: Ball,
    /// Largest frame (buffer width) the engine accepts; buffers are sized for it at start.
    pub max_frame_width: u32,
    /// Largest frame (buffer height) the engine accepts.
    pub max_frame_height: u32,
    /// YUV range of the camera frames.
    pub color_range: ColorRange,
    /// Inference threads.
    pub threads: usize,
    /// Memory ceiling for the engine's own buffers and the model's plans, MiB.
    pub memory_ceiling_mb: u32,
    pub detector: DetectorConfig,
    pub schedule: ScheduleConfig,
    pub tracker: TrackerConfig,
    pub crop: CropConfig,
    /// Post-deploy monitoring: telemetry thresholds, the quality indicator, hard-case capture
    /// (off by default) and drift thresholds (`core/src/monitor/`).
    pub monitor: MonitorConfig,
}

impl Default for Config {
    fn default() -> Self {
        Preset::Desktop.config()
    }
}

impl Preset {
    /// The full configuration of this preset.
    pub fn config(self) -> Config {
        let (budget_us, threads, full, roi, roi_small, tile, tile_scale, max_w, max_h, memory_mb) =
            match self {
                Preset::Phone30Fps => (
                    8_000,
                    1,
                    (384, 224),
                    (192, 192),
                    (128, 128),
                    (320, 192),
                    2.0,
                    1920,
                    1080,
                    64,
                ),
                Preset::Phone60Fps => (
                    4_000,
                    1,
                    (320, 192),
                    (160, 160),
                    (128, 128),
                    (256, 160),
                    2.0,
                    1920,
                    1080,
                    64,
                ),
                Preset::Desktop => (
                    16_000,
                    2,
                    (512, 288),
                    (192, 192),
                    (128, 128),
                    (384, 224),
                    1.5,
                    3840,
                    2160,
                    128,
                ),
                Preset::Server => (
                    33_000,
                    4,
                    (768, 448),
                    (256, 256),
                    (192, 192),
                    (512, 288),
                    1.0,
                    3840,
                    2160,
                    512,
                ),
            };
        let size = |(w, h): (u32, u32)| InputSize::new(w, h);
        Config {
            preset: self,
            model_path: None,
            ball: Ball::default(),
            max_frame_width: max_w,
            max_frame_height: max_h,
            color_range: ColorRange::default(),
            threads,
            memory_ceiling_mb: memory_mb,
            detector: DetectorConfig {
                full_input: size(full),
                roi_input: size(roi),
                roi_small_input: size(roi_small),
                tile_input: size(tile),
                threshold: SEARCH_THRESHOLD,
                roi_threshold: ROI_THRESHOLD,
                max_candidates: 8,
            },
            schedule: ScheduleConfig {
                budget_us,
                burst_frames: 2.0,
                search: SearchStrategy::FullAndTiles,
                tile_scale,
                tile_reference_side: TILE_REFERENCE_SIDE,
                tile_overlap: 32,
                detect_interval: 1,
                cost_smoothing: 0.2,
                cost_margin: COST_MARGIN_DEVIATIONS,
                pack_fill: PACK_FILL,
                roi_radius_factor: ROI_RADIUS_FACTOR,
                roi_sigma_factor: 3.0,
                roi_max_scale: 3.0,
                // The server runs the large region every frame (detection quality first).
                roi_fit_small: self != Preset::Server,
                coast_search_after_s: 0.4,
                frame_interval_us: if self == Preset::Phone60Fps {
                    FRAME_INTERVAL_60FPS_US
                } else {
                    FRAME_INTERVAL_30FPS_US
                },
                max_gap_frames: MAX_GAP_FRAMES,
            },
            tracker: TrackerConfig::default(),
            crop: CropConfig::default(),
            monitor: MonitorConfig::default(),
        }
    }
}

fn check(ok: bool, field: &str, message: impl FnOnce() -> String) -> Result<(), ConfigError> {
    if ok {
        Ok(())
    } else {
        Err(ConfigError::new(field, message()))
    }
}

fn check_size(field: &str, size: InputSize) -> Result<(), ConfigError> {
    size.check().map_err(|m| ConfigError::new(field, m))
}

impl DetectorConfig {
    /// Checks every field.
    pub fn validate(&self) -> Result<(), ConfigError> {
        check_size("full_input", self.full_input)?;
        check_size("roi_input", self.roi_input)?;
        check_size("roi_small_input", self.roi_small_input)?;
        check_size("tile_input", self.tile_input)?;
        check(
            self.roi_small_input.width <= self.roi_input.width
                && self.roi_small_input.height <= self.roi_input.height,
            "roi_small_input",
            || {
                format!(
                    "{} must not be larger than roi_input {}",
                    self.roi_small_input, self.roi_input
                )
            },
        )?;
        for (field, value) in [
            ("threshold", self.threshold),
            ("roi_threshold", self.roi_threshold),
        ] {
            check(
                value.is_finite() && value > 0.0 && value < 1.0,
                field,
                || format!("{value} must be in (0, 1)"),
            )?;
        }
        check(
            (1..=MAX_CANDIDATES).contains(&self.max_candidates),
            "max_candidates",
            || format!("{} must be in 1..={MAX_CANDIDATES}", self.max_candidates),
        )
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

impl Config {
    /// The configuration of a preset.
    pub fn preset(preset: Preset) -> Config {
        preset.config()
    }

    /// Checks every field; the error names the field (`crop.max_pan_speed`) and the value.
    pub fn validate(&self) -> Result<(), ConfigError> {
        check(
            (2..=MAX_FRAME_SIDE).contains(&self.max_frame_width),
            "max_frame_width",
            || format!("{} must be in 2..={MAX_FRAME_SIDE}", self.max_frame_width),
        )?;
        check(
            (2..=MAX_FRAME_SIDE).contains(&self.max_frame_height),
            "max_frame_height",
            || format!("{} must be in 2..={MAX_FRAME_SIDE}", self.max_frame_height),
        )?;
        check((1..=MAX_THREADS).contains(&self.threads), "threads", || {
            format!("{} must be in 1..={MAX_THREADS}", self.threads)
        })?;
        check(self.memory_ceiling_mb > 0, "memory_ceiling_mb", || {
            "must be positive".into()
        })?;
        self.detector
            .validate()
            .map_err(|e| e.in_section("detector"))?;
        self.schedule
            .validate()
            .map_err(|e| e.in_section("schedule"))?;
        self.tracker
            .validate()
            .map_err(|e| e.in_section("tracker"))?;
        self.crop.validate().map_err(|e| e.in_section("crop"))?;
        self.monitor
            .validate()
            .map_err(|e| e.in_section("monitor"))?;
        Ok(())
    }

    /// Memory ceiling in bytes.
    pub fn memory_ceiling_bytes(&self) -> u64 {
        u64::from(self.memory_ceiling_mb) * MIB
    }

    /// Parses a JSON document: a preset (default `desktop`) plus overrides.
    pub fn from_json_str(text: &str) -> Result<Config, ConfigError> {
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| ConfigError::new("(json)", e.to_string()))?;
        Self::from_value(value)
    }

    /// Parses a TOML document: a preset (default `desktop`) plus overrides.
    pub fn from_toml_str(text: &str) -> Result<Config, ConfigError> {
        let value: serde_json::Value =
            toml::from_str(text).map_err(|e| ConfigError::new("(toml)", e.to_string()))?;
        Self::from_value(value)
    }

    /// Reads a `.toml` or `.json` file.
    pub fn from_path(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            ConfigError::new("(file)", format!("cannot read {}: {e}", path.display()))
        })?;
        let is_json = path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| e.eq_ignore_ascii_case("json"));
        let parsed = if is_json {
            Self::from_json_str(&text)
        } else {
            Self::from_toml_str(&text)
        };
        parsed.map_err(|mut e| {
            e.message = format!("{} (in {})", e.message, path.display());
            e
        })
    }

    /// Serialises to TOML (every field, documented in `docs/config.md`).
    pub fn to_toml_string(&self) -> Result<String, ConfigError> {
        toml::to_string_pretty(self).map_err(|e| ConfigError::new("(toml)", e.to_string()))
    }

    fn from_value(value: serde_json::Value) -> Result<Config, ConfigError> {
        let serde_json::Value::Object(overrides) = value else {
            return Err(ConfigError::new(
                "(document)",
                "the top level must be a table of fields",
            ));
        };
        let preset = match overrides.get("preset") {
            None => Preset::Desktop,
            Some(serde_json::Value::String(name)) => name.parse()?,
            Some(other) => {
                return Err(ConfigError::new(
                    "preset",
                    format!("expected a preset name, found {other}"),
                ))
            }
        };
        let mut base = serde_json::to_value(preset.config())
            .map_err(|e| ConfigError::new("(preset)", e.to_string()))?;
        merge(&mut base, serde_json::Value::Object(overrides));
        let config: Config = serde_path_to_error::deserialize(base).map_err(|e| {
            let field = e.path().to_string();
            let field = if field == "." {
                "(fields)".into()
            } else {
                field
            };
            ConfigError::new(field, e.into_inner().to_string())
        })?;
        config.validate()?;
        Ok(config)
    }
}

/// Key naming the variant of a tagged table, e.g. `[crop.zoom] mode = "fixed"`.
const VARIANT_TAG: &str = "mode";

/// Whether `overrides` names another variant than `base` (its fields then do not mix).
fn changes_variant(base: &serde_json::Value, overrides: &serde_json::Value) -> bool {
    overrides
        .get(VARIANT_TAG)
        .is_some_and(|tag| base.get(VARIANT_TAG) != Some(tag))
}

/// Deep-merges `overrides` into `base`: tables merge field by field, everything else replaces;
/// a tagged table that changes its variant (`mode`) replaces the preset's one whole.
fn merge(base: &mut serde_json::Value, overrides: serde_json::Value) {
    match (base, overrides) {
        (serde_json::Value::Object(b), serde_json::Value::Object(o)) => {
            for (k, v) in o {
                match b.get_mut(&k) {
                    Some(slot)
                        if slot.is_object() && v.is_object() && !changes_variant(slot, &v) =>
                    {
                        merge(slot, v)
                    }
                    _ => {
                        b.insert(k, v);
                    }
                }
            }
        }
        (b, o) => *b = o,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_preset_is_valid() {
        for p in Preset::ALL {
            p.config().validate().unwrap_or_else(|e| panic!("{p}: {e}"));
            assert_eq!(p.name().parse::<Preset>().unwrap(), p);
        }
        assert!("phone"
            .parse::<Preset>()
            .unwrap_err()
            .message
            .contains("phone-30fps"));
    }

    #[test]
    fn toml_overrides_a_preset() {
        let c = Config::from_toml_str(
            "preset = \"phone-30fps\"\nthreads = 1\n[schedule]\nbudget_us = 5000\n[detector]\nthreshold = 0.4\n",
        )
        .unwrap();
        assert_eq!(c.preset, Preset::Phone30Fps);
        assert_eq!(c.schedule.budget_us, 5000);
        assert_eq!(c.detector.threshold, 0.4);
        // Untouched fields keep the preset's values.
        assert_eq!(
            c.detector.roi_input,
            Preset::Phone30Fps.config().detector.roi_input
        );
    }

    #[test]
    fn json_and_toml_round_trip() {
        let c = Config::preset(Preset::Server);
        let t = c.to_toml_string().unwrap();
        assert_eq!(Config::from_toml_str(&t).unwrap(), c);
        let j = serde_json::to_string(&c).unwrap();
        assert_eq!(Config::from_json_str(&j).unwrap(), c);
    }

    #[test]
    fn bad_values_name_the_field() {
        let e = Config::from_toml_str("[detector]\nthreshold = 1.5\n").unwrap_err();
        assert_eq!(e.field, "detector.threshold");
        assert!(e.message.contains("1.5"), "{e}");
        let e = Config::from_toml_str("[detector]\nroi_threshold = 0.0\n").unwrap_err();
        assert_eq!(e.field, "detector.roi_threshold");
        let e = Config::from_toml_str("[detector]\nroi_input = { width = 100, height = 192 }\n")
            .unwrap_err();
        assert_eq!(e.field, "detector.roi_input");
        let e = Config::from_toml_str("threads = 0\n").unwrap_err();
        assert_eq!(e.field, "threads");
        let e = Config::from_toml_str("bogus = 1\n").unwrap_err();
        assert!(e.message.contains("bogus"), "{e}");
        let e = Config::from_toml_str("preset = \"tablet\"\n").unwrap_err();
        assert_eq!(e.field, "preset");
        let e = Config::from_json_str("[1, 2]").unwrap_err();
        assert!(e.message.contains("table"));
        let e = Config::from_toml_str("[schedule]\nbudget_us = 0\n").unwrap_err();
        assert_eq!(e.field, "schedule.budget_us");
        let e = Config::from_toml_str("[schedule]\npack_fill = 1.2\n").unwrap_err();
        assert_eq!(e.field, "schedule.pack_fill");
        assert!(e.message.contains("1.2"), "{e}");
        let e = Config::from_toml_str("[schedule]\ncost_margin = -1\n").unwrap_err();
        assert_eq!(e.field, "schedule.cost_margin");
        let c = Config::from_toml_str("[schedule]\nroi_fit_small = false\npack_fill = 1.0\n")
            .expect("valid overrides");
        assert!(!c.schedule.roi_fit_small);
    }
}
