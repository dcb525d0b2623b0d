//! The tracker's settings ([`TrackerConfig`]), their defaults and their validation.

use serde::{Deserialize, Serialize};

use crate::error::ConfigError;
use crate::types::check_range;

/// Default `still_gap_s`: frames further apart than this (slower than about 11 fps) are
/// stills, seconds.
pub const STILL_GAP_S: f32 = 0.09;

/// Settings of the [`Tracker`](super::Tracker). Lengths given "in radii" are multiples of the ball's apparent
/// radius, so that they fit any resolution and distance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TrackerConfig {
    /// Longest time the track coasts on its prediction without a detection before it is
    /// lost, seconds. Default 1.0.
    pub max_coast_s: f32,
    /// Gate on the squared Mahalanobis distance of a candidate to the prediction (chi-square,
    /// 2 degrees of freedom: 9.2 keeps 99%, 16 keeps 99.97%). Default 16.
    pub gate: f32,
    /// Smallest score of a candidate that may start a tentative track (a hypothesis). Default
    /// 0.55 (the shipped model's operating point, `models/README.md`).
    pub acquire_score: f32,
    /// Smallest score of a detection that continues a hypothesis towards confirmation; on a
    /// still, the smallest mean of a search candidate's score and its second look's (a
    /// native-resolution region of interest on it) that counts as a ball. Default 0.55.
    pub confirm_score: f32,
    /// Smallest score of a candidate that may update a confirmed track. Default 0.3.
    pub track_score: f32,
    /// Associated detections needed to confirm a tentative track. Default 3.
    pub confirm_hits: u32,
    /// A tentative track with no detection for longer than this is dropped, seconds: the
    /// `confirm_hits` detections must come within such gaps. Default 0.3.
    pub confirm_window_s: f32,
    /// Process noise: standard deviation of the white acceleration noise, in radii per second
    /// squared per square-root hertz (spectral density `(process_noise x radius)^2` px^2/s^3).
    /// Larger follows curves and bounces faster, smaller gives steadier velocities. Default 15.
    pub process_noise: f32,
    /// Measurement noise: standard deviation of a detected centre, in radii. Default 0.25.
    pub measurement_noise: f32,
    /// Floor of the measurement noise, pixels. Default 1.0.
    pub min_measurement_noise_px: f32,
    /// Fastest plausible ball, radii per second (30 m/s is about 270 radii/s): bounds the
    /// velocity of a new tentative track and the jump a kick may make. Default 270.
    pub max_speed: f32,
    /// A tentative track that moved at least this far since its first detection counts as
    /// moving (preferred at confirmation), radii. Default 1.5.
    pub moving_displacement: f32,
    /// Floor of that displacement, pixels: a small false positive (a sock, a line crossing)
    /// jitters by a few pixels, which is many of its tiny radii. Default 8.
    pub moving_min_px: f32,
    /// A strong candidate within this distance of where a lost ball was last seen is confirmed
    /// at once, radii. 0 disables fast re-acquisition. Default 12.
    pub reacquire_radius: f32,
    /// Fast re-acquisition near the last position is allowed this long after the loss,
    /// seconds. Default 3.0.
    pub reacquire_window_s: f32,
    /// Radius used when a candidate reports none (zero or not finite), pixels. Default 6.
    pub default_radius_px: f32,
    /// A confirmed track detected within `moving_displacement` radii of one place for this
    /// long is static: the engine keeps searching and a moving hypothesis may take over,
    /// seconds. Default 0.5.
    pub static_after_s: f32,
    /// A hypothesis that has not moved is confirmed only once its first detection is this old,
    /// so that the search covers the whole frame (and finds rivals) first, seconds. Moving
    /// hypotheses are confirmed on `confirm_hits` alone. Default 1.0.
    pub static_confirm_s: f32,
    /// While two or more static hypotheses are alive, wait this long (from the first hit of
    /// the oldest) for one of them to move before confirming the best score, seconds.
    /// Default 1.5.
    pub ambiguity_wait_s: f32,
    /// A frame this long after the previous one is a still (a 1-10 fps stream, a throttled
    /// camera, a photo): a search candidate confirmed by a second look on the same frame
    /// starts the track without motion evidence, seconds. 0 turns second looks off. Default
    /// 0.09 (slower than 11 fps).
    pub still_gap_s: f32,
}

impl Default for TrackerConfig {
    fn default() -> Self {
        Self {
            max_coast_s: 1.0,
            gate: 16.0,
            acquire_score: 0.55,
            confirm_score: 0.55,
            track_score: 0.3,
            confirm_hits: 3,
            confirm_window_s: 0.3,
            process_noise: 15.0,
            measurement_noise: 0.25,
            min_measurement_noise_px: 1.0,
            max_speed: 270.0,
            moving_displacement: 1.5,
            moving_min_px: 8.0,
            reacquire_radius: 12.0,
            reacquire_window_s: 3.0,
            default_radius_px: 6.0,
            static_after_s: 0.5,
            static_confirm_s: 1.0,
            ambiguity_wait_s: 1.5,
            still_gap_s: STILL_GAP_S,
        }
    }
}

impl TrackerConfig {
    /// Checks every field (finite, in range, consistent); the error names the field and value.
    pub fn validate(&self) -> Result<(), ConfigError> {
        check_range("max_coast_s", self.max_coast_s, 0.01, 60.0)?;
        check_range("gate", self.gate, 1.0, 1000.0)?;
        check_range("acquire_score", self.acquire_score, 0.0, 1.0)?;
        check_range("confirm_score", self.confirm_score, 0.0, 1.0)?;
        check_range("track_score", self.track_score, 0.0, 1.0)?;
        if self.track_score > self.acquire_score {
            return Err(ConfigError::new(
                "track_score",
                format!(
                    "{} is above acquire_score {}: a candidate that may start a track must be able to update it",
                    self.track_score, self.acquire_score
                ),
            ));
        }
        if !(1..=100).contains(&self.confirm_hits) {
            return Err(ConfigError::new(
                "confirm_hits",
                format!("{} is out of range: expected 1..=100", self.confirm_hits),
            ));
        }
        check_range("confirm_window_s", self.confirm_window_s, 0.001, 10.0)?;
        check_range("process_noise", self.process_noise, 0.01, 1.0e5)?;
        check_range("measurement_noise", self.measurement_noise, 0.0, 100.0)?;
        check_range(
            "min_measurement_noise_px",
            self.min_measurement_noise_px,
            0.01,
            1000.0,
        )?;
        check_range("max_speed", self.max_speed, 1.0, 1.0e5)?;
        check_range("moving_displacement", self.moving_displacement, 0.0, 1000.0)?;
        check_range("moving_min_px", self.moving_min_px, 0.0, 1.0e4)?;
        check_range("reacquire_radius", self.reacquire_radius, 0.0, 1.0e4)?;
        check_range("reacquire_window_s", self.reacquire_window_s, 0.0, 3600.0)?;
        check_range("default_radius_px", self.default_radius_px, 0.1, 1.0e4)?;
        check_range("static_after_s", self.static_after_s, 0.0, 3600.0)?;
        check_range("static_confirm_s", self.static_confirm_s, 0.0, 3600.0)?;
        check_range("ambiguity_wait_s", self.ambiguity_wait_s, 0.0, 3600.0)?;
        check_range("still_gap_s", self.still_gap_s, 0.0, 3600.0)?;
        Ok(())
    }
}
