//! Engine configuration: device presets, loading from TOML or JSON, validation.
//!
//! A configuration starts from a named [`Preset`] (`phone-30fps`, `phone-60fps`, `desktop`,
//! `server`) and overrides any field: a file holding `preset = "phone-30fps"` and
//! `[crop] max_pan_speed = 0.8` is the phone preset with a slower camera. Every field is
//! checked by [`Config::validate`], which names the field and the value that is wrong.
//!
//! Each component's settings live beside it ([`DetectorConfig`] in `detect`,
//! [`ScheduleConfig`] in `schedule`, [`TrackerConfig`] in `track`, [`CropConfig`] in `crop`,
//! [`MonitorConfig`] in `monitor`); this module holds the whole [`Config`], the presets and the
//! loading.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::crop::CropConfig;
pub use crate::detect::DetectorConfig;
use crate::detect::{DEFAULT_MAX_CANDIDATES, ROI_THRESHOLD, SEARCH_THRESHOLD};
use crate::error::ConfigError;
use crate::frame::ColorRange;
use crate::monitor::MonitorConfig;
pub use crate::schedule::{ScheduleConfig, SearchStrategy};
use crate::schedule::{
    COST_MARGIN_DEVIATIONS, FRAME_INTERVAL_30FPS_US, FRAME_INTERVAL_60FPS_US, MAX_GAP_FRAMES,
    PACK_FILL, ROI_RADIUS_FACTOR, TILE_REFERENCE_SIDE,
};
use crate::track::TrackerConfig;
use crate::types::{check, InputSize};

/// Largest frame side the engine accepts (8K).
pub const MAX_FRAME_SIDE: u32 = 8192;
/// Most inference threads a config may ask for.
pub const MAX_THREADS: usize = 64;
/// Bytes in a mebibyte.
const MIB: u64 = 1024 * 1024;

/// Named device presets: the on-device and the cloud setting differ by a preset, not by code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
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

/// What tells the presets apart; everything else is shared (see [`Preset::config`]).
struct PresetSpec {
    /// `schedule.budget_us`.
    budget_us: u64,
    /// `schedule.frame_interval_us`: the frame interval the budget is meant for.
    frame_interval_us: u64,
    /// `schedule.tile_scale`.
    tile_scale: f32,
    /// `schedule.roi_fit_small`.
    roi_fit_small: bool,
    /// `threads`.
    threads: usize,
    /// `detector.full_input`.
    full_input: InputSize,
    /// `detector.roi_input`.
    roi_input: InputSize,
    /// `detector.roi_small_input`.
    roi_small_input: InputSize,
    /// `detector.tile_input`.
    tile_input: InputSize,
    /// `max_frame_width`.
    max_frame_width: u32,
    /// `max_frame_height`.
    max_frame_height: u32,
    /// `memory_ceiling_mb`.
    memory_ceiling_mb: u32,
}

impl Preset {
    /// The settings that differ between presets.
    fn spec(self) -> PresetSpec {
        match self {
            Preset::Phone30Fps => PresetSpec {
                budget_us: 8_000,
                frame_interval_us: FRAME_INTERVAL_30FPS_US,
                tile_scale: 2.0,
                roi_fit_small: true,
                threads: 1,
                full_input: InputSize::new(384, 224),
                roi_input: InputSize::new(192, 192),
                roi_small_input: InputSize::new(128, 128),
                tile_input: InputSize::new(320, 192),
                max_frame_width: 1920,
                max_frame_height: 1080,
                memory_ceiling_mb: 64,
            },
            Preset::Phone60Fps => PresetSpec {
                budget_us: 4_000,
                frame_interval_us: FRAME_INTERVAL_60FPS_US,
                tile_scale: 2.0,
                roi_fit_small: true,
                threads: 1,
                full_input: InputSize::new(320, 192),
                roi_input: InputSize::new(160, 160),
                roi_small_input: InputSize::new(128, 128),
                tile_input: InputSize::new(256, 160),
                max_frame_width: 1920,
                max_frame_height: 1080,
                memory_ceiling_mb: 64,
            },
            Preset::Desktop => PresetSpec {
                budget_us: 16_000,
                frame_interval_us: FRAME_INTERVAL_30FPS_US,
                tile_scale: 1.5,
                roi_fit_small: true,
                threads: 2,
                full_input: InputSize::new(512, 288),
                roi_input: InputSize::new(192, 192),
                roi_small_input: InputSize::new(128, 128),
                tile_input: InputSize::new(384, 224),
                max_frame_width: 3840,
                max_frame_height: 2160,
                memory_ceiling_mb: 128,
            },
            Preset::Server => PresetSpec {
                budget_us: 33_000,
                frame_interval_us: FRAME_INTERVAL_30FPS_US,
                tile_scale: 1.0,
                // The server runs the large region every frame (detection quality first).
                roi_fit_small: false,
                threads: 4,
                full_input: InputSize::new(768, 448),
                roi_input: InputSize::new(256, 256),
                roi_small_input: InputSize::new(192, 192),
                tile_input: InputSize::new(512, 288),
                max_frame_width: 3840,
                max_frame_height: 2160,
                memory_ceiling_mb: 512,
            },
        }
    }

    /// The full configuration of this preset.
    pub fn config(self) -> Config {
        let spec = self.spec();
        Config {
            preset: self,
            model_path: None,
            ball: Ball::default(),
            max_frame_width: spec.max_frame_width,
            max_frame_height: spec.max_frame_height,
            color_range: ColorRange::default(),
            threads: spec.threads,
            memory_ceiling_mb: spec.memory_ceiling_mb,
            detector: DetectorConfig {
                full_input: spec.full_input,
                roi_input: spec.roi_input,
                roi_small_input: spec.roi_small_input,
                tile_input: spec.tile_input,
                threshold: SEARCH_THRESHOLD,
                roi_threshold: ROI_THRESHOLD,
                max_candidates: DEFAULT_MAX_CANDIDATES,
            },
            schedule: ScheduleConfig {
                budget_us: spec.budget_us,
                burst_frames: 2.0,
                search: SearchStrategy::FullAndTiles,
                tile_scale: spec.tile_scale,
                tile_reference_side: TILE_REFERENCE_SIDE,
                tile_overlap: 32,
                detect_interval: 1,
                cost_smoothing: 0.2,
                cost_margin: COST_MARGIN_DEVIATIONS,
                pack_fill: PACK_FILL,
                roi_radius_factor: ROI_RADIUS_FACTOR,
                roi_sigma_factor: 3.0,
                roi_max_scale: 3.0,
                roi_fit_small: spec.roi_fit_small,
                coast_search_after_s: 0.4,
                frame_interval_us: spec.frame_interval_us,
                max_gap_frames: MAX_GAP_FRAMES,
            },
            tracker: TrackerConfig::default(),
            crop: CropConfig::default(),
            monitor: MonitorConfig::default(),
        }
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

    /// Serialises to TOML (every field; each is documented on its settings struct).
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
mod tests;
