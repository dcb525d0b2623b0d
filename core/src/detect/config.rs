//! The detector's settings ([`DetectorConfig`]: input sizes, thresholds, candidates kept),
//! their validation and defaults.

use serde::{Deserialize, Serialize};

use crate::config::Preset;
use crate::error::ConfigError;
use crate::types::{check, InputSize};

/// Most candidates kept per frame.
pub const MAX_CANDIDATES: u32 = 64;
/// Default detector threshold of the search passes (models/README.md, "Evaluation").
pub const SEARCH_THRESHOLD: f32 = 0.5;
/// Default detector threshold in a region of interest (models/README.md, "Evaluation").
pub const ROI_THRESHOLD: f32 = 0.3;
/// Default `max_candidates`.
pub const DEFAULT_MAX_CANDIDATES: u32 = 8;

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
    /// Candidates kept per frame, best first. Default 8.
    pub max_candidates: u32,
}

impl Default for DetectorConfig {
    fn default() -> Self {
        Preset::Desktop.config().detector
    }
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

/// Checks a detector input size against the contract's size rules.
fn check_size(field: &str, size: InputSize) -> Result<(), ConfigError> {
    size.check()
        .map_err(|e| ConfigError::new(field, e.to_string()))
}
