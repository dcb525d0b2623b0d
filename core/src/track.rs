//! Single-ball kinematic tracker.
//!
//! The detector hands over a few ball candidates per frame; the [`Tracker`] turns them into at
//! most ONE ball state with position and velocity, carried through short occlusions.
//!
//! * **Filter.** A constant-velocity Kalman filter in upright frame pixels, run with the
//!   variable time step given by the frame timestamps. Both axes share the same noise model and
//!   are updated together, so they share one 2x2 covariance. The process noise is a white
//!   acceleration whose spectral density scales with the ball's apparent radius (a ball far
//!   away looks small and moves few pixels), so one configuration fits any frame size and zoom.
//! * **Association.** Candidates are gated by their Mahalanobis distance to the prediction; the
//!   best gated one by `score x exp(-d^2/2)` updates the track. Candidates outside the gate are
//!   ignored (a spare ball by the touchline cannot steal a confirmed track). A kick that leaves
//!   the gate is caught by a short "manoeuvre" re-initialisation: a strong candidate reachable
//!   from the last detection at a plausible ball speed, shortly after it.
//! * **States.** [`TrackState::Detected`] when a candidate updated the track this frame,
//!   [`TrackState::Predicted`] while coasting on the prediction (the covariance grows), and
//!   [`TrackState::Lost`] once no detection came for longer than `max_coast_s`.
//! * **Acquisition.** With no track, up to [`MAX_HYPOTHESES`] tentative hypotheses (each a
//!   small Kalman filter of its own) are started from strong candidates. One is confirmed after
//!   `confirm_hits` associated detections; when several confirm on the same frame a moving one
//!   (the ball in play) beats a static one (a spare ball, a white boot), then the higher mean
//!   score wins. A static one is confirmed only after `static_confirm_s`, once the search has
//!   covered the frame; while two or more *static* hypotheses live (a ball waiting for kick-off
//!   and a spare ball by the line), acquisition waits up to `ambiguity_wait_s` for one of them
//!   to move instead of guessing. A strong candidate close to where the lost ball was last
//!   seen (it left the frame and came back) is confirmed at once.
//! * **Static track.** A confirmed track whose detections stayed within `moving_displacement`
//!   radii for `static_after_s` is *static*: [`Tracker::exploring`] asks the engine to keep
//!   searching elsewhere, candidates outside the track's gate keep feeding hypotheses, and a
//!   confirmed *moving* hypothesis takes the track over (the camera locked on a spare ball
//!   follows the ball in play as soon as it moves).
//! * **Coasting track.** After [`COAST_EXPLORE_S`] without a detection the same happens: a
//!   confirmed moving hypothesis away from the prediction (the ball reappeared where the
//!   filter did not expect it) takes the track over.
//! * **Probation after a coast.** A weak detection (below `confirm_score`) that ends such a
//!   coast updates the track but is not yet trusted: the coast clock (loss after
//!   `max_coast_s`, the search the engine runs beside a coasting track) keeps counting from
//!   the last trusted detection until `confirm_hits` detections have followed within the
//!   confirmation window, or a strong one has. A stray peak near a drifting prediction (a
//!   sock, a line crossing) would otherwise keep a track alive on a trajectory the ball never
//!   took, and hold back the search that would find the ball.
//! * **Rivals.** A moving hypothesis whose mean score is far below a rival's (a resting ball
//!   seen clearly next to a walking player's boot) waits up to `ambiguity_wait_s`; a static
//!   one waits while a qualified moving one is alive.
//! * **Sparse frames.** The confirmation window stretches to [`STILL_WINDOW_FRAMES`] frame
//!   intervals, so stills a third of a second apart can still confirm a track. A *late* frame
//!   (at least `still_gap_s` after the previous one, or the first of a stream known to be
//!   sparse) carries no motion evidence: the engine looks again at its strong search candidates with a native
//!   region of interest on the same frame, and a candidate confirmed by that second look
//!   ([`Tracker::update_with_second_looks`]) starts or moves the track at once, unless another
//!   confirmed candidate scores nearly as well (two balls: the ordinary acquisition decides).
//!
//! Everything is deterministic: time comes only from the timestamps passed in; repeated or
//! backwards timestamps are treated as no time passing; non-finite candidates are ignored; no
//! call allocates.

use serde::{Deserialize, Serialize};

use crate::error::ConfigError;
pub use crate::types::Prediction;
use crate::types::{check_range, Candidate, US_PER_S};

/// Number of tentative hypotheses kept while acquiring.
pub const MAX_HYPOTHESES: usize = 4;
/// Microseconds per second.
/// Smallest ball radius used to scale noise, in pixels (guards against a zero radius).
const MIN_RADIUS_PX: f64 = 1.0;
/// Weight of a new radius measurement in the radius moving average.
const RADIUS_SMOOTHING: f64 = 0.3;
/// A manoeuvre (kick) re-initialisation is only tried this soon after the last detection, s.
const MANEUVER_WINDOW_S: f64 = 0.25;
/// Share of the detection confidence that depends on the gate distance (the rest is the score).
const CONFIDENCE_DISTANCE_SHARE: f64 = 0.3;
/// Candidates examined per frame for starting new hypotheses (best scores first).
const SPAWN_TRIES: usize = 3 * MAX_HYPOTHESES;
/// Coordinates beyond this magnitude (pixels) are treated as garbage.
const MAX_COORDINATE_PX: f32 = 1.0e6;
/// A track coasting this long without a detection keeps hypotheses beside it, and a confirmed
/// moving one takes over (the ball reappeared away from the prediction), seconds.
pub const COAST_EXPLORE_S: f64 = 0.2;
/// A hypothesis is not confirmed while a rival's mean score exceeds its own by more than this
/// (see `confirm`).
const RIVAL_SCORE_MARGIN: f64 = 0.15;
/// The confirmation window is at least this many frame intervals (sparse stills).
pub const STILL_WINDOW_FRAMES: f64 = 2.5;
/// Default `still_gap_s`: frames further apart than this (slower than about 11 fps) are
/// stills, seconds.
pub const STILL_GAP_S: f32 = 0.09;

/// What the tracker knows about the ball on this frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum TrackState {
    /// A candidate updated the track on this frame (or on the last searched frame).
    Detected,
    /// No candidate matched: the position is the filter's prediction (coasting).
    Predicted,
    /// No track: nothing detected for longer than `max_coast_s`, or never acquired.
    Lost,
}

/// The tracker's ball state on one frame, in upright frame pixels.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct BallEstimate {
    /// Centre x, pixels.
    pub x: f32,
    /// Centre y, pixels.
    pub y: f32,
    /// Velocity x, pixels per second.
    pub vx: f32,
    /// Velocity y, pixels per second.
    pub vy: f32,
    /// Apparent radius, pixels (smoothed).
    pub radius: f32,
    /// 0..1: high when detected with a high score, decaying while coasting.
    pub confidence: f32,
    /// Detected or predicted (a lost ball gives no estimate).
    pub state: TrackState,
}

/// Settings of the [`Tracker`]. Lengths given "in radii" are multiples of the ball's apparent
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
    /// Smallest score of a detection that continues a hypothesis towards confirmation (the
    /// second look, in a native-resolution region of interest, at what a search found).
    /// Default 0.55.
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
    /// camera, a photo): a search candidate confirmed by a native second look on the same frame
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

/// A candidate checked for finite values, with its radius resolved and score clamped.
#[derive(Debug, Clone, Copy)]
struct Meas {
    x: f64,
    y: f64,
    radius: f64,
    score: f64,
}

impl Meas {
    /// `None` for candidates with non-finite or absurd position or score.
    fn from_candidate(c: &Candidate, default_radius: f64) -> Option<Meas> {
        let ok = |v: f32| v.is_finite() && v.abs() < MAX_COORDINATE_PX;
        if !ok(c.x) || !ok(c.y) || !c.score.is_finite() {
            return None;
        }
        let radius = if ok(c.radius) && c.radius > 0.0 {
            f64::from(c.radius)
        } else {
            default_radius
        };
        Some(Meas {
            x: f64::from(c.x),
            y: f64::from(c.y),
            radius: radius.max(MIN_RADIUS_PX),
            score: f64::from(c.score).clamp(0.0, 1.0),
        })
    }
}

/// Constant-velocity Kalman filter on both axes with one shared covariance
/// `[[p00, p01], [p01, p11]]` (position, velocity).
#[derive(Debug, Clone, Copy, PartialEq)]
struct Filter {
    /// Time of the state, microseconds.
    t_us: i64,
    x: f64,
    y: f64,
    vx: f64,
    vy: f64,
    p00: f64,
    p01: f64,
    p11: f64,
    /// Smoothed apparent radius, pixels.
    radius: f64,
}

impl Filter {
    /// A filter at a first detection, with zero velocity of standard deviation `sigma_v`.
    fn start(t_us: i64, m: &Meas, r_var: f64, sigma_v: f64) -> Filter {
        Filter {
            t_us,
            x: m.x,
            y: m.y,
            vx: 0.0,
            vy: 0.0,
            p00: r_var,
            p01: 0.0,
            p11: sigma_v * sigma_v,
            radius: m.radius,
        }
    }

    /// The filter moved to `t_us` (no motion when `t_us` is not after its time).
    fn predicted(&self, t_us: i64, q_scale: f64) -> Filter {
        let dt = seconds(t_us.saturating_sub(self.t_us));
        let mut f = *self;
        f.t_us = self.t_us.max(t_us);
        if dt <= 0.0 {
            return f;
        }
        let q = q_scale * self.radius * self.radius;
        f.x += self.vx * dt;
        f.y += self.vy * dt;
        f.p00 = self.p00 + 2.0 * dt * self.p01 + dt * dt * self.p11 + q * dt * dt * dt / 3.0;
        f.p01 = self.p01 + dt * self.p11 + q * dt * dt / 2.0;
        f.p11 = self.p11 + q * dt;
        f
    }

    /// Squared Mahalanobis distance of a measurement with variance `r_var`.
    fn distance2(&self, m: &Meas, r_var: f64) -> f64 {
        let s = self.p00 + r_var;
        if s.is_nan() || s <= 0.0 {
            return f64::INFINITY;
        }
        let ex = m.x - self.x;
        let ey = m.y - self.y;
        (ex * ex + ey * ey) / s
    }

    /// Kalman update with a measurement of variance `r_var`.
    fn correct(&mut self, m: &Meas, r_var: f64) {
        let s = self.p00 + r_var;
        if !s.is_finite() || s <= 0.0 {
            return;
        }
        let k0 = self.p00 / s;
        let k1 = self.p01 / s;
        let ex = m.x - self.x;
        let ey = m.y - self.y;
        self.x += k0 * ex;
        self.y += k0 * ey;
        self.vx += k1 * ex;
        self.vy += k1 * ey;
        let p00 = self.p00 * r_var / s;
        let p01 = self.p01 * r_var / s;
        let p11 = (self.p11 - self.p01 * self.p01 / s).max(0.0);
        self.p00 = p00;
        self.p01 = p01;
        self.p11 = p11;
        self.radius += RADIUS_SMOOTHING * (m.radius - self.radius);
    }
}

/// A tentative track during acquisition.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Hypothesis {
    filter: Filter,
    hits: u32,
    /// Time of the last associated detection, microseconds.
    last_t_us: i64,
    first_x: f64,
    first_y: f64,
    /// Time of the first detection, microseconds.
    first_t_us: i64,
    score_sum: f64,
    /// Started close to where the lost ball was last seen.
    near_exit: bool,
}

impl Hypothesis {
    fn mean_score(&self) -> f64 {
        if self.hits == 0 {
            0.0
        } else {
            self.score_sum / f64::from(self.hits)
        }
    }

    fn displacement(&self) -> f64 {
        (self.filter.x - self.first_x).hypot(self.filter.y - self.first_y)
    }
}

/// The confirmed track.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Track {
    filter: Filter,
    state: TrackState,
    /// Time of the last detection, microseconds.
    last_det_t_us: i64,
    /// Position of the last detection.
    last_det_x: f64,
    last_det_y: f64,
    /// Confidence at the last detection, 0..1.
    det_confidence: f64,
    /// Detector score of the last detection, 0..1.
    det_score: f64,
    /// Where and since when the detections stayed put (static-track detection).
    anchor_x: f64,
    anchor_y: f64,
    anchor_t_us: i64,
    /// Time and place of the last trusted detection (see the module docs on probation).
    trusted_t_us: i64,
    trusted_x: f64,
    trusted_y: f64,
    /// Detections since a weak one ended a coast; 0 when the track is trusted.
    probation_hits: u32,
}

impl Track {
    /// Marks the detection at (`x`, `y`) at `now` as trusted and ends any probation.
    fn trust(&mut self, now: i64, x: f64, y: f64) {
        self.trusted_t_us = now;
        self.trusted_x = x;
        self.trusted_y = y;
        self.probation_hits = 0;
    }

    /// Moves the static anchor when a detection at (`x`, `y`) left it by more than `reach`.
    fn note_detection(&mut self, now: i64, x: f64, y: f64, reach: f64) {
        if (x - self.anchor_x).hypot(y - self.anchor_y) > reach {
            self.anchor_x = x;
            self.anchor_y = y;
            self.anchor_t_us = now;
        }
    }
}

/// Where the last track was lost, for fast re-acquisition.
#[derive(Debug, Clone, Copy, PartialEq)]
struct LostAt {
    t_us: i64,
    x: f64,
    y: f64,
    radius: f64,
}

/// Single-ball tracker; see the module docs.
#[derive(Debug, Clone)]
pub struct Tracker {
    cfg: TrackerConfig,
    track: Option<Track>,
    hyps: [Option<Hypothesis>; MAX_HYPOTHESES],
    lost_at: Option<LostAt>,
    /// Latest timestamp seen, microseconds (time never runs backwards inside).
    now_us: Option<i64>,
    /// Interval between the last two updates, microseconds (0 before the second update).
    frame_dt_us: i64,
}

/// Microseconds to seconds.
fn seconds(us: i64) -> f64 {
    us as f64 / US_PER_S
}

/// The public prediction of a filter state.
fn prediction_of(f: &Filter) -> Prediction {
    let sigma = f.p00.max(0.0).sqrt() as f32;
    Prediction {
        x: f.x as f32,
        y: f.y as f32,
        vx: f.vx as f32,
        vy: f.vy as f32,
        sigma_x: sigma,
        sigma_y: sigma,
        radius: f.radius as f32,
    }
}

impl Tracker {
    /// A tracker with a validated configuration.
    pub fn new(cfg: TrackerConfig) -> Result<Tracker, ConfigError> {
        cfg.validate()?;
        Ok(Tracker {
            cfg,
            track: None,
            hyps: [None; MAX_HYPOTHESES],
            lost_at: None,
            now_us: None,
            frame_dt_us: 0,
        })
    }

    /// The configuration in use.
    pub fn config(&self) -> &TrackerConfig {
        &self.cfg
    }

    /// Forgets the track, the hypotheses and the time.
    pub fn reset(&mut self) {
        self.track = None;
        self.hyps = [None; MAX_HYPOTHESES];
        self.lost_at = None;
        self.now_us = None;
        self.frame_dt_us = 0;
    }

    /// State after the last [`Tracker::update`].
    pub fn state(&self) -> TrackState {
        self.track.map_or(TrackState::Lost, |t| t.state)
    }

    /// Seconds from the last trusted detection to `t_us` (0 when `t_us` is earlier); `None`
    /// with no track. Detections on probation (see the module docs) do not reset it.
    pub fn time_since_detection_s(&self, t_us: i64) -> Option<f64> {
        self.track
            .map(|t| seconds(t_us.saturating_sub(t.trusted_t_us)).max(0.0))
    }

    /// Where the ball should be at `t_us`; `None` when lost, or when `t_us` is past the coast
    /// limit. Does not change the tracker.
    pub fn predict(&self, t_us: i64) -> Option<Prediction> {
        let track = self.track?;
        if self.past_coast_limit(&track, t_us) {
            return None;
        }
        Some(prediction_of(&track.filter.predicted(t_us, self.q_scale())))
    }

    /// Where the most promising tentative (not yet confirmed) track should be at `t_us`, so
    /// that the detector can look there; `None` with a confirmed track (see
    /// [`Tracker::predict`]) or no live hypothesis. Does not change the tracker.
    pub fn tentative(&self, t_us: i64) -> Option<Prediction> {
        if self.track.is_some() {
            return None;
        }
        let mut out = [None; MAX_HYPOTHESES];
        self.hypotheses(t_us, &mut out);
        out.first().copied().flatten()
    }

    /// The live hypotheses predicted to `t_us`, most promising first (most hits, then highest
    /// mean score), also while a confirmed track exists (a static track keeps them); returns
    /// how many were written. Does not change the tracker.
    pub fn hypotheses(&self, t_us: i64, out: &mut [Option<Prediction>; MAX_HYPOTHESES]) -> usize {
        *out = [None; MAX_HYPOTHESES];
        let window = self.window_s();
        let mut order: [Option<&Hypothesis>; MAX_HYPOTHESES] = [None; MAX_HYPOTHESES];
        let mut n = 0;
        for h in self.hyps.iter().flatten() {
            if seconds(t_us.saturating_sub(h.last_t_us)) > window {
                continue;
            }
            // Insertion sort by (hits, mean score), descending.
            let mut i = n;
            while i > 0
                && order[i - 1].is_some_and(|b| {
                    h.hits > b.hits || (h.hits == b.hits && h.mean_score() > b.mean_score())
                })
            {
                order[i] = order[i - 1];
                i -= 1;
            }
            order[i] = Some(h);
            n += 1;
        }
        for (o, h) in out.iter_mut().zip(order.iter()) {
            *o = h.map(|h| prediction_of(&h.filter.predicted(t_us, self.q_scale())));
        }
        n
    }

    /// Whether the engine should keep searching the frame beyond the track: no confirmed track,
    /// a confirmed track that has been static (detected in one place) for `static_after_s`, or
    /// one coasting without a detection for [`COAST_EXPLORE_S`].
    pub fn exploring(&self, t_us: i64) -> bool {
        match self.track {
            None => true,
            Some(track) => self.unsure(&track, t_us),
        }
    }

    /// Whether `track` has gone longer than `max_coast_s` without a trusted detection at `t_us`.
    fn past_coast_limit(&self, track: &Track, t_us: i64) -> bool {
        seconds(t_us.saturating_sub(track.trusted_t_us)) > f64::from(self.cfg.max_coast_s)
    }

    /// A track the tracker is not sure of: static (see [`Tracker::is_static`]), on probation
    /// after a coast, or coasting without a detection for [`COAST_EXPLORE_S`] (the ball may
    /// have reappeared elsewhere).
    fn unsure(&self, track: &Track, t_us: i64) -> bool {
        self.is_static(track, t_us)
            || track.probation_hits > 0
            || (track.state == TrackState::Predicted
                && seconds(t_us.saturating_sub(track.last_det_t_us)) >= COAST_EXPLORE_S)
    }

    /// A detected track that has not moved for `static_after_s`.
    fn is_static(&self, track: &Track, t_us: i64) -> bool {
        track.state == TrackState::Detected
            && seconds(t_us.saturating_sub(track.anchor_t_us)) >= f64::from(self.cfg.static_after_s)
    }

    /// The confirmation window: `confirm_window_s`, stretched to [`STILL_WINDOW_FRAMES`]
    /// frame intervals for sparse frames.
    fn window_s(&self) -> f64 {
        f64::from(self.cfg.confirm_window_s).max(STILL_WINDOW_FRAMES * seconds(self.frame_dt_us))
    }

    /// One frame at `t_us` with the detector's `candidates`. `searched` says whether the
    /// detector ran on this frame: when false the track is only predicted (its state is kept,
    /// time still passes toward the coast limit). Returns the ball, or `None` when lost.
    pub fn update(
        &mut self,
        t_us: i64,
        candidates: &[Candidate],
        searched: bool,
    ) -> Option<BallEstimate> {
        let now = self.now_us.map_or(t_us, |prev| prev.max(t_us));
        if let Some(prev) = self.now_us {
            if now > prev {
                self.frame_dt_us = now.saturating_sub(prev);
            }
        }
        self.now_us = Some(now);

        if let Some(track) = self.track {
            if self.past_coast_limit(&track, now) {
                self.lose(&track);
            }
        }

        match self.track {
            Some(track) => {
                let was_unsure = self.unsure(&track, now);
                self.step_track(track, now, candidates, searched);
                match self.track {
                    Some(t) if was_unsure && searched => {
                        self.update_hypotheses(now, candidates, Some(t.filter));
                        self.switch_to_moving(now);
                    }
                    Some(_) => self.expire_hypotheses(now),
                    None => {}
                }
            }
            None => {
                if searched {
                    self.update_hypotheses(now, candidates, None);
                    self.confirm(now);
                } else {
                    self.expire_hypotheses(now);
                }
            }
        }
        self.estimate(now)
    }

    /// Whether a frame `gap_us` after the previous one is a still that gets second looks (see
    /// the module docs). A first frame whose gap is unknown (`None`) is not: it may open a
    /// video, where a ball is confirmed by its motion, not by one look (a spare ball by the
    /// line looks like the ball in play). The engine passes the stream's expected interval
    /// for a first frame when it knows one ([`crate::Engine::set_frame_interval_hint`]).
    pub fn is_still_gap(&self, gap_us: Option<i64>) -> bool {
        self.cfg.still_gap_s > 0.0
            && gap_us.is_some_and(|g| seconds(g) >= f64::from(self.cfg.still_gap_s))
    }

    /// [`Tracker::update`] for a still (see [`Tracker::is_still_gap`]) with the candidates
    /// its second looks confirmed: `verified` holds, for each search candidate that scored at
    /// least `acquire_score`, the second look's detection at it. When no track was detected on
    /// this frame, the best one scoring at least `confirm_score` starts the track there at
    /// once, unless another confirmed candidate away from it scores within the rival margin;
    /// a track neither detected nor restarted on a still reports no ball (its prediction
    /// across the gap is a guess).
    pub fn update_with_second_looks(
        &mut self,
        t_us: i64,
        candidates: &[Candidate],
        searched: bool,
        verified: &[Candidate],
    ) -> Option<BallEstimate> {
        let estimate = self.update(t_us, candidates, searched);
        let Some(now) = self.now_us else {
            return estimate;
        };
        let confirm = f64::from(self.cfg.confirm_score);
        // The track's detection on this frame, if any.
        let seen = self
            .track
            .filter(|t| t.state == TrackState::Detected && t.last_det_t_us == now);
        if seen.is_some_and(|t| t.det_score >= confirm) {
            return estimate;
        }
        let default_radius = f64::from(self.cfg.default_radius_px);
        let mut best: Option<Meas> = None;
        for c in verified {
            let Some(m) = self.valid_meas(c, default_radius) else {
                continue;
            };
            if m.score >= confirm && best.is_none_or(|b| m.score > b.score) {
                best = Some(m);
            }
        }
        let reach = best.map_or(0.0, |b| self.moving_reach(b.radius));
        let rival = best.is_some_and(|best| {
            verified.iter().any(|c| {
                self.valid_meas(c, default_radius).is_some_and(|m| {
                    m.score >= confirm
                        && (m.x - best.x).hypot(m.y - best.y) > reach
                        && m.score > best.score - RIVAL_SCORE_MARGIN
                })
            })
        });
        let Some(best) = best.filter(|_| !rival) else {
            // Across a still's gap the prediction of a track not seen on this frame says
            // little (the velocity of a ball seen once or twice, extrapolated for a third of a
            // second): the track is kept for association, but no position is reported.
            return estimate.filter(|b| b.state == TrackState::Detected);
        };
        // A weak detection near the track's prediction keeps it unless a confirmed
        // candidate elsewhere says the ball is there.
        if let Some(t) = seen {
            if (t.filter.x - best.x).hypot(t.filter.y - best.y) <= reach {
                return estimate;
            }
        }
        self.start_track_at(now, &best);
        self.estimate(now)
    }

    /// Makes a single confirmed detection the track (a still's second look): position known,
    /// velocity not.
    fn start_track_at(&mut self, now: i64, m: &Meas) {
        let gate = f64::from(self.cfg.gate);
        let sigma_v = self.max_speed_px(m.radius) / gate.sqrt();
        let h = Hypothesis {
            filter: Filter::start(now, m, self.r_var(m.radius), sigma_v),
            hits: 1,
            last_t_us: now,
            first_x: m.x,
            first_y: m.y,
            first_t_us: now,
            score_sum: m.score,
            near_exit: false,
        };
        self.start_track(now, &h);
    }

    /// Variance of a measured centre for a ball of `radius` pixels.
    fn r_var(&self, radius: f64) -> f64 {
        let sigma = (f64::from(self.cfg.measurement_noise) * radius)
            .max(f64::from(self.cfg.min_measurement_noise_px));
        sigma * sigma
    }

    /// Process noise spectral density per squared radius.
    fn q_scale(&self) -> f64 {
        let q = f64::from(self.cfg.process_noise);
        q * q
    }

    /// Displacement that counts as motion for a ball of `radius` pixels.
    fn moving_reach(&self, radius: f64) -> f64 {
        (f64::from(self.cfg.moving_displacement) * radius).max(f64::from(self.cfg.moving_min_px))
    }

    /// Fastest plausible speed for a ball of `radius` pixels, px/s.
    fn max_speed_px(&self, radius: f64) -> f64 {
        f64::from(self.cfg.max_speed) * radius
    }

    fn valid_meas(&self, c: &Candidate, fallback_radius: f64) -> Option<Meas> {
        Meas::from_candidate(c, fallback_radius)
    }

    /// Drops the track, remembering where it was last seen for sure.
    fn lose(&mut self, track: &Track) {
        self.lost_at = Some(LostAt {
            t_us: track.trusted_t_us,
            x: track.trusted_x,
            y: track.trusted_y,
            radius: track.filter.radius,
        });
        self.track = None;
        self.hyps = [None; MAX_HYPOTHESES];
    }

    /// Predicts and, when searched, updates the confirmed track.
    fn step_track(&mut self, mut track: Track, now: i64, candidates: &[Candidate], searched: bool) {
        let q_scale = self.q_scale();
        let mut f = track.filter.predicted(now, q_scale);
        if !searched {
            track.filter = f;
            self.track = Some(track);
            return;
        }
        let gate = f64::from(self.cfg.gate);
        let track_score = f64::from(self.cfg.track_score);
        let mut best: Option<(Meas, f64, f64)> = None;
        for c in candidates {
            let Some(m) = self.valid_meas(c, f.radius) else {
                continue;
            };
            if m.score < track_score {
                continue;
            }
            let d2 = f.distance2(&m, self.r_var(f.radius));
            if d2.is_nan() || d2 > gate {
                continue;
            }
            let value = m.score * (-0.5 * d2).exp();
            if best.is_none_or(|(_, _, v)| value > v) {
                best = Some((m, d2, value));
            }
        }
        if let Some((m, d2, _)) = best {
            f.correct(&m, self.r_var(f.radius));
            self.note_trust(&mut track, now, &m);
            track.filter = f;
            track.state = TrackState::Detected;
            track.last_det_t_us = now;
            track.last_det_x = m.x;
            track.last_det_y = m.y;
            let reach = self.moving_reach(f.radius);
            track.note_detection(now, m.x, m.y, reach);
            let closeness = 1.0 - CONFIDENCE_DISTANCE_SHARE * (d2 / gate).clamp(0.0, 1.0);
            track.det_confidence = (m.score * closeness).clamp(0.0, 1.0);
            track.det_score = m.score;
            self.track = Some(track);
            return;
        }
        if let Some(m) = self.maneuver_candidate(&track, now, candidates) {
            let dt = seconds(now.saturating_sub(track.last_det_t_us));
            let r_var = self.r_var(m.radius);
            let mut nf = Filter::start(now, &m, r_var, 0.0);
            nf.radius = track.filter.radius + RADIUS_SMOOTHING * (m.radius - track.filter.radius);
            if dt > 0.0 {
                let (vx, vy) = ((m.x - track.last_det_x) / dt, (m.y - track.last_det_y) / dt);
                // No faster than a ball can go (a tiny dt would make any offset a rocket).
                let scale = (self.max_speed_px(nf.radius) / vx.hypot(vy)).min(1.0);
                nf.vx = vx * scale;
                nf.vy = vy * scale;
                let sv = self.max_speed_px(nf.radius) / gate.sqrt();
                nf.p01 = r_var / dt;
                nf.p11 = (2.0 * r_var / (dt * dt)).min(sv * sv);
                nf.p01 = nf.p01.min((nf.p00 * nf.p11).sqrt());
            } else {
                let sv = self.max_speed_px(m.radius) / gate.sqrt();
                nf.p11 = sv * sv;
            }
            track.filter = nf;
            track.trust(now, m.x, m.y);
            track.state = TrackState::Detected;
            track.last_det_t_us = now;
            track.last_det_x = m.x;
            track.last_det_y = m.y;
            let reach = self.moving_reach(nf.radius);
            track.note_detection(now, m.x, m.y, reach);
            track.det_confidence = (m.score * (1.0 - CONFIDENCE_DISTANCE_SHARE)).clamp(0.0, 1.0);
            track.det_score = m.score;
            self.track = Some(track);
            return;
        }
        track.filter = f;
        track.state = TrackState::Predicted;
        self.track = Some(track);
    }

    /// Trust bookkeeping for a detection `m` associated with `track` at `now`, before the
    /// track's last-detection fields move to it: a weak detection ending a coast starts a
    /// probation, `confirm_hits` detections within the confirmation window (or a strong one)
    /// end it.
    fn note_trust(&self, track: &mut Track, now: i64, m: &Meas) {
        let gap = seconds(now.saturating_sub(track.last_det_t_us));
        let strong = m.score >= f64::from(self.cfg.confirm_score);
        if strong || (track.probation_hits == 0 && gap < COAST_EXPLORE_S) {
            track.trust(now, m.x, m.y);
            return;
        }
        track.probation_hits = if track.probation_hits > 0 && gap <= self.window_s() {
            track.probation_hits + 1
        } else {
            1
        };
        if track.probation_hits >= self.cfg.confirm_hits {
            track.trust(now, m.x, m.y);
        }
    }

    /// A strong candidate that a kick could have sent from the last detection, shortly after
    /// it (outside the gate): the closest such one.
    fn maneuver_candidate(
        &self,
        track: &Track,
        now: i64,
        candidates: &[Candidate],
    ) -> Option<Meas> {
        let dt = seconds(now.saturating_sub(track.last_det_t_us));
        if dt > MANEUVER_WINDOW_S {
            return None;
        }
        let radius = track.filter.radius;
        let reach = self.max_speed_px(radius) * dt
            + f64::from(self.cfg.gate).sqrt() * self.r_var(radius).sqrt();
        let acquire = f64::from(self.cfg.acquire_score);
        let mut best: Option<(Meas, f64)> = None;
        for c in candidates {
            let Some(m) = self.valid_meas(c, radius) else {
                continue;
            };
            if m.score < acquire {
                continue;
            }
            let d = (m.x - track.last_det_x).hypot(m.y - track.last_det_y);
            if d <= reach && best.is_none_or(|(_, bd)| d < bd) {
                best = Some((m, d));
            }
        }
        best.map(|(m, _)| m)
    }

    /// Drops hypotheses with no detection within the confirmation window.
    fn expire_hypotheses(&mut self, now: i64) {
        let window = self.window_s();
        for slot in &mut self.hyps {
            if let Some(h) = slot {
                if seconds(now.saturating_sub(h.last_t_us)) > window {
                    *slot = None;
                }
            }
        }
    }

    /// Hypotheses on a searched frame: each takes its best gated candidate, strong candidates
    /// nobody gates start new ones. With `exclude` (the confirmed track's filter) candidates
    /// inside its gate are left to the track.
    fn update_hypotheses(&mut self, now: i64, candidates: &[Candidate], exclude: Option<Filter>) {
        self.expire_hypotheses(now);
        let q_scale = self.q_scale();
        let gate = f64::from(self.cfg.gate);
        let acquire = f64::from(self.cfg.acquire_score);
        let confirm = f64::from(self.cfg.confirm_score);
        let default_radius = f64::from(self.cfg.default_radius_px);

        // Hypotheses predicted to now.
        let mut pred: [Option<Filter>; MAX_HYPOTHESES] = [None; MAX_HYPOTHESES];
        for (p, h) in pred.iter_mut().zip(self.hyps.iter()) {
            *p = h.map(|h| h.filter.predicted(now, q_scale));
        }

        // Pass 1: each hypothesis takes its best gated candidate.
        let mut chosen: [Option<(Meas, f64)>; MAX_HYPOTHESES] = [None; MAX_HYPOTHESES];
        for c in candidates {
            let Some(m) = self.valid_meas(c, default_radius) else {
                continue;
            };
            if m.score < confirm || self.taken_by(exclude.as_ref(), &m) {
                continue;
            }
            for (p, ch) in pred.iter().zip(chosen.iter_mut()) {
                let Some(f) = p else { continue };
                let d2 = f.distance2(&m, self.r_var(f.radius));
                if d2.is_nan() || d2 > gate {
                    continue;
                }
                let value = m.score * (-0.5 * d2).exp();
                if ch.is_none_or(|(_, v)| value > v) {
                    *ch = Some((m, value));
                }
            }
        }
        for i in 0..MAX_HYPOTHESES {
            if let (Some(mut f), Some((m, _))) = (pred[i], chosen[i]) {
                f.correct(&m, self.r_var(f.radius));
                let Some(h) = self.hyps[i].as_mut() else {
                    continue;
                };
                h.filter = f;
                h.hits = h.hits.saturating_add(1);
                h.last_t_us = now;
                h.score_sum += m.score;
            }
        }

        // Pass 2: strong candidates that no hypothesis gates start new ones, best score first.
        let mut prev: Option<(f64, usize)> = None;
        for _ in 0..SPAWN_TRIES {
            let mut pick: Option<(Meas, usize)> = None;
            for (idx, c) in candidates.iter().enumerate() {
                let Some(m) = self.valid_meas(c, default_radius) else {
                    continue;
                };
                if m.score < acquire || self.taken_by(exclude.as_ref(), &m) {
                    continue;
                }
                // Only candidates after the previous pick in (score down, index up) order.
                if prev.is_some_and(|(ps, pi)| m.score > ps || (m.score == ps && idx <= pi)) {
                    continue;
                }
                if pick.is_none_or(|(pm, _)| m.score > pm.score) {
                    pick = Some((m, idx));
                }
            }
            let Some((m, idx)) = pick else { break };
            prev = Some((m.score, idx));
            let gated = self.hyps.iter().zip(pred.iter()).any(|(h, p)| {
                let f = match (h, p) {
                    (Some(h), _) if h.last_t_us == now => h.filter,
                    (Some(_), Some(p)) => *p,
                    _ => return false,
                };
                f.distance2(&m, self.r_var(f.radius)) <= gate
            });
            if gated {
                continue;
            }
            let Some(slot) = self.free_slot(now) else {
                break;
            };
            let r_var = self.r_var(m.radius);
            let sigma_v = self.max_speed_px(m.radius) / gate.sqrt();
            let near_exit = self.lost_at.is_some_and(|l| {
                seconds(now.saturating_sub(l.t_us)) <= f64::from(self.cfg.reacquire_window_s)
                    && (m.x - l.x).hypot(m.y - l.y)
                        <= f64::from(self.cfg.reacquire_radius) * l.radius.max(m.radius)
            });
            self.hyps[slot] = Some(Hypothesis {
                filter: Filter::start(now, &m, r_var, sigma_v),
                hits: 1,
                last_t_us: now,
                first_x: m.x,
                first_y: m.y,
                first_t_us: now,
                score_sum: m.score,
                near_exit,
            });
            pred[slot] = None;
        }
    }

    /// Whether `m` lies inside the gate of the track filter `f`.
    fn taken_by(&self, f: Option<&Filter>, m: &Meas) -> bool {
        f.is_some_and(|f| f.distance2(m, self.r_var(f.radius)) <= f64::from(self.cfg.gate))
    }

    /// A hypothesis with enough hits, or started where the lost ball left.
    fn qualifies(&self, h: &Hypothesis) -> bool {
        h.hits >= self.cfg.confirm_hits || h.near_exit
    }

    /// Whether a hypothesis moved since its first detection.
    fn moving(&self, h: &Hypothesis) -> bool {
        h.displacement() >= self.moving_reach(h.filter.radius)
    }

    /// Replaces a static track by a confirmed moving hypothesis updated on this frame.
    fn switch_to_moving(&mut self, now: i64) {
        let mut best: Option<Hypothesis> = None;
        for h in self.hyps.iter().flatten() {
            if h.last_t_us != now || h.hits < self.cfg.confirm_hits || !self.moving(h) {
                continue;
            }
            if best.is_none_or(|b| h.mean_score() > b.mean_score()) {
                best = Some(*h);
            }
        }
        if let Some(h) = best {
            self.start_track(now, &h);
        }
    }

    /// Makes `h` the confirmed track and forgets the other hypotheses.
    fn start_track(&mut self, now: i64, h: &Hypothesis) {
        let moving = self.moving(h);
        let (ax, ay, at) = if moving {
            (h.filter.x, h.filter.y, now)
        } else {
            (h.first_x, h.first_y, h.first_t_us)
        };
        self.track = Some(Track {
            filter: h.filter,
            state: TrackState::Detected,
            last_det_t_us: now,
            last_det_x: h.filter.x,
            last_det_y: h.filter.y,
            det_confidence: h.mean_score().clamp(0.0, 1.0),
            det_score: h.mean_score().clamp(0.0, 1.0),
            anchor_x: ax,
            anchor_y: ay,
            anchor_t_us: at,
            trusted_t_us: now,
            trusted_x: h.filter.x,
            trusted_y: h.filter.y,
            probation_hits: 0,
        });
        self.hyps = [None; MAX_HYPOTHESES];
        self.lost_at = None;
    }

    /// A slot for a new hypothesis: a free one, else the weakest one (fewest hits, then lowest
    /// mean score) not updated on this frame.
    fn free_slot(&self, now: i64) -> Option<usize> {
        if let Some(i) = self.hyps.iter().position(Option::is_none) {
            return Some(i);
        }
        let mut worst: Option<(usize, u32, f64)> = None;
        for (i, h) in self.hyps.iter().enumerate() {
            let Some(h) = h else { continue };
            if h.last_t_us == now {
                continue;
            }
            let key = (h.hits, h.mean_score());
            if worst.is_none_or(|(_, hits, s)| key.0 < hits || (key.0 == hits && key.1 < s)) {
                worst = Some((i, key.0, key.1));
            }
        }
        worst.map(|(i, _, _)| i)
    }

    /// Promotes the best qualifying hypothesis (updated on this frame) to the track: a moving
    /// one first, then the highest mean score; while other static hypotheses are alive (even
    /// with fewer hits), a static one waits up to `ambiguity_wait_s` for one of them to move.
    fn confirm(&mut self, now: i64) {
        let window = self.window_s();
        let mut best: Option<(Hypothesis, bool, f64)> = None;
        let mut static_rivals = 0u32;
        let mut oldest_static_us = now;
        let mut oldest_us = now;
        let mut strongest = 0.0f64;
        let mut moving_qualified = 0u32;
        for h in self.hyps.iter().flatten() {
            if seconds(now.saturating_sub(h.last_t_us)) > window {
                continue;
            }
            let moving = self.moving(h);
            oldest_us = oldest_us.min(h.first_t_us);
            if h.hits >= self.cfg.confirm_hits {
                strongest = strongest.max(h.mean_score());
                moving_qualified += u32::from(moving);
            }
            // Every live static hypothesis is a rival, confirmed or not yet: it may be the
            // ball waiting for play to start.
            if !moving && !h.near_exit {
                static_rivals += 1;
                oldest_static_us = oldest_static_us.min(h.first_t_us);
            }
            if h.last_t_us != now || !self.qualifies(h) {
                continue;
            }
            let score = h.mean_score();
            let better = match best {
                None => true,
                Some((b, bm, bs)) => {
                    (h.near_exit && !b.near_exit)
                        || (h.near_exit == b.near_exit
                            && ((moving && !bm) || (moving == bm && score > bs)))
                }
            };
            if better {
                best = Some((*h, moving, score));
            }
        }
        let Some((h, moving, score)) = best else {
            return;
        };
        let settled =
            |since_us: i64, wait_s: f32| seconds(now.saturating_sub(since_us)) >= f64::from(wait_s);
        let is_static = !moving && !h.near_exit;
        // A static candidate must persist long enough for the search to see the whole frame
        // (a rival, maybe the real ball, could be elsewhere), and rivals must be resolved.
        let too_young = is_static && !settled(h.first_t_us, self.cfg.static_confirm_s);
        // ... and a ball in motion elsewhere (even one still held back) beats it.
        let ambiguous = is_static
            && ((static_rivals > 1 && !settled(oldest_static_us, self.cfg.ambiguity_wait_s))
                || moving_qualified > 0);
        // Motion is evidence, but a player's boot moves too: a moving hypothesis much weaker
        // than a rival (a resting ball seen clearly) waits for the rival to move or settle.
        let outscored = !h.near_exit
            && strongest > score + RIVAL_SCORE_MARGIN
            && !settled(oldest_us, self.cfg.ambiguity_wait_s);
        if !too_young && !ambiguous && !outscored {
            self.start_track(now, &h);
        }
    }

    /// The output for the current state at `now`.
    fn estimate(&self, now: i64) -> Option<BallEstimate> {
        let track = self.track?;
        let f = &track.filter;
        let coast = seconds(now.saturating_sub(track.last_det_t_us)).max(0.0);
        let decay = (1.0 - coast / f64::from(self.cfg.max_coast_s)).clamp(0.0, 1.0);
        Some(BallEstimate {
            x: f.x as f32,
            y: f.y as f32,
            vx: f.vx as f32,
            vy: f.vy as f32,
            radius: f.radius as f32,
            confidence: (track.det_confidence * decay).clamp(0.0, 1.0) as f32,
            state: track.state,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Deterministic xorshift generator with Gaussian samples (tests only).
    struct Rng(u64);

    impl Rng {
        fn uniform(&mut self) -> f64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 >> 11) as f64 / (1u64 << 53) as f64
        }

        fn gauss(&mut self) -> f64 {
            let u1 = self.uniform().max(1e-12);
            let u2 = self.uniform();
            (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
        }
    }

    const R: f32 = 6.0;

    fn cand(x: f64, y: f64, score: f32) -> Candidate {
        Candidate {
            x: x as f32,
            y: y as f32,
            radius: R,
            score,
        }
    }

    fn us(t: f64) -> i64 {
        (t * US_PER_S).round() as i64
    }

    fn tracker() -> Tracker {
        Tracker::new(TrackerConfig::default()).unwrap()
    }

    /// Ball position at time `t` for a constant-velocity path.
    fn cv(t: f64) -> (f64, f64) {
        (200.0 + 400.0 * t, 300.0 - 50.0 * t)
    }

    #[test]
    fn constant_velocity_with_noise_is_detected_with_accurate_velocity() {
        let mut tr = tracker();
        let mut rng = Rng(0x1234_5678);
        let fps = 30.0;
        let mut last = None;
        let mut err_sum = 0.0;
        let mut n = 0;
        for i in 0..90 {
            let t = i as f64 / fps;
            let (x, y) = cv(t);
            let c = [cand(x + rng.gauss(), y + rng.gauss(), 0.9)];
            let e = tr.update(us(t), &c, true);
            if i >= 45 {
                let e = e.unwrap();
                assert_eq!(e.state, TrackState::Detected, "frame {i}");
                let dv = (f64::from(e.vx) - 400.0).hypot(f64::from(e.vy) + 50.0);
                err_sum += dv / 403.1;
                n += 1;
                assert!(dv / 403.1 < 0.08, "frame {i}: velocity {} {}", e.vx, e.vy);
            }
            last = e;
        }
        let e = last.unwrap();
        assert!(
            err_sum / f64::from(n) < 0.03,
            "mean velocity error {}",
            err_sum / f64::from(n)
        );
        assert!(e.confidence > 0.6, "{e:?}");
        let (x, y) = cv(89.0 / fps);
        assert!(
            (f64::from(e.x) - x).hypot(f64::from(e.y) - y) < 2.0,
            "{e:?}"
        );
    }

    /// Frames until a moving ball first seen at 0.9, then only at 0.5, is confirmed (None: never
    /// within a second).
    fn frames_to_confirm(confirm_score: f32) -> Option<usize> {
        let cfg = TrackerConfig {
            confirm_score,
            ..TrackerConfig::default()
        };
        let mut tr = Tracker::new(cfg).unwrap();
        (0..30).find(|&i| {
            let t = i as f64 / 30.0;
            let (x, y) = cv(t);
            let score = if i == 0 { 0.9 } else { 0.5 };
            tr.update(us(t), &[cand(x, y, score)], true).is_some()
        })
    }

    #[test]
    fn confirm_score_sets_the_bar_for_the_second_looks() {
        // The strong first sighting starts a hypothesis (acquire 0.55); the weaker second looks
        // confirm it only when confirm_score lets them.
        assert_eq!(frames_to_confirm(0.6), None);
        assert_eq!(frames_to_confirm(0.45), Some(2));
    }

    #[test]
    fn occlusion_is_coasted_then_reacquired() {
        let mut tr = tracker();
        let fps = 30.0;
        let mut frames_to_reacquire = None;
        for i in 0..75 {
            let t = i as f64 / fps;
            let hidden = (30..45).contains(&i);
            let (x, y) = cv(t);
            let c = if hidden {
                vec![]
            } else {
                vec![cand(x, y, 0.9)]
            };
            if hidden {
                let p = tr.predict(us(t)).unwrap();
                let err = (f64::from(p.x) - x).hypot(f64::from(p.y) - y);
                assert!(
                    err < 3.0 * f64::from(R),
                    "frame {i}: prediction {err} px off"
                );
                assert!(p.sigma_x > 0.0);
            }
            let e = tr.update(us(t), &c, true);
            if i < 3 {
                continue;
            }
            let e = e.unwrap();
            if hidden {
                assert_eq!(e.state, TrackState::Predicted, "frame {i}");
                assert!(e.confidence < 0.9);
            } else if i >= 45 && frames_to_reacquire.is_none() && e.state == TrackState::Detected {
                frames_to_reacquire = Some(i - 45);
            }
        }
        let n = frames_to_reacquire.unwrap();
        assert!(
            f64::from(n as u32) / fps <= 0.1,
            "re-acquired after {n} frames"
        );
        assert_eq!(tr.state(), TrackState::Detected);
    }

    #[test]
    fn confidence_decays_while_coasting() {
        let mut tr = tracker();
        for i in 0..10 {
            let t = i as f64 / 30.0;
            let (x, y) = cv(t);
            tr.update(us(t), &[cand(x, y, 0.95)], true);
        }
        let mut prev = 1.0;
        for i in 10..30 {
            let e = tr.update(us(i as f64 / 30.0), &[], true).unwrap();
            assert!(e.confidence < prev, "frame {i}");
            prev = e.confidence;
        }
    }

    /// Tracks the `cv` ball for 10 frames at 30 fps with strong detections.
    fn tracked_cv_ball() -> Tracker {
        let mut tr = tracker();
        for i in 0..10 {
            let t = i as f64 / 30.0;
            let (x, y) = cv(t);
            tr.update(us(t), &[cand(x, y, 0.9)], true);
        }
        assert_eq!(tr.state(), TrackState::Detected);
        tr
    }

    #[test]
    fn isolated_weak_detections_after_a_coast_do_not_keep_the_track_alive() {
        // The ball vanishes after frame 9; every 12th frame a weak stray peak appears right on
        // the drifting prediction. Such peaks must not extend the coast: the track is lost
        // `max_coast_s` after the last trusted detection, and the engine is told to search.
        let mut tr = tracked_cv_ball();
        let t_last = 9.0 / 30.0;
        let mut lost_after = None;
        let mut stray_accepted = false;
        for i in 10..90 {
            let t = i as f64 / 30.0;
            let stray = match tr.predict(us(t)) {
                Some(p) if (i - 10) % 12 == 11 => {
                    vec![cand(f64::from(p.x) + 2.0, f64::from(p.y), 0.4)]
                }
                _ => vec![],
            };
            let e = tr.update(us(t), &stray, true);
            if !stray.is_empty() && e.is_some_and(|e| e.state == TrackState::Detected) {
                stray_accepted = true;
                assert!(
                    tr.exploring(us(t)),
                    "frame {i}: an untrusted track keeps the search on"
                );
                let unseen = tr.time_since_detection_s(us(t)).unwrap();
                assert!(
                    unseen > 0.3,
                    "frame {i}: a stray peak reset the coast clock"
                );
            }
            if e.is_none() && lost_after.is_none() {
                lost_after = Some(t - t_last);
            }
        }
        assert!(stray_accepted, "the stray peaks lie inside the gate");
        let lost_after = lost_after.expect("the track is lost");
        let max_coast = f64::from(TrackerConfig::default().max_coast_s);
        assert!(
            lost_after <= max_coast + 1.5 / 30.0,
            "lost {lost_after:.3} s after the last trusted detection"
        );
    }

    #[test]
    fn weak_detections_of_a_reappearing_ball_restore_trust() {
        // Hidden for 0.3 s, then seen again with weak but consistent scores: the track follows
        // at once, and after `confirm_hits` detections it is trusted again.
        let mut tr = tracked_cv_ball();
        for i in 10..19 {
            tr.update(us(i as f64 / 30.0), &[], true);
        }
        let hits = TrackerConfig::default().confirm_hits as usize;
        for (k, i) in (19..30).enumerate() {
            let t = i as f64 / 30.0;
            let (x, y) = cv(t);
            let e = tr.update(us(t), &[cand(x, y, 0.4)], true).unwrap();
            assert_eq!(e.state, TrackState::Detected, "frame {i}");
            let unseen = tr.time_since_detection_s(us(t)).unwrap();
            if k + 1 < hits {
                assert!(unseen > 0.3, "frame {i}: trusted after {} weak hits", k + 1);
                assert!(tr.exploring(us(t)), "frame {i}");
            } else {
                assert_eq!(unseen, 0.0, "frame {i}: still on probation");
                assert!(!tr.exploring(us(t)), "frame {i}");
            }
        }
    }

    #[test]
    fn hidden_longer_than_max_coast_is_lost() {
        let mut tr = tracked_cv_ball();
        let t_last = 9.0 / 30.0;
        let mut lost_at = None;
        for i in 10..60 {
            let t = i as f64 / 30.0;
            let e = tr.update(us(t), &[], true);
            if e.is_none() && lost_at.is_none() {
                lost_at = Some(t - t_last);
            }
        }
        let lost_after = lost_at.unwrap();
        assert!(
            lost_after > 1.0 && lost_after < 1.0 + 0.05,
            "lost after {lost_after}"
        );
        assert_eq!(tr.state(), TrackState::Lost);
        assert!(tr.predict(us(2.0)).is_none());
        assert!(tr.time_since_detection_s(us(2.0)).is_none());
    }

    #[test]
    fn static_decoy_never_captures_a_confirmed_track() {
        let mut tr = tracker();
        let decoy = cand(1500.0, 900.0, 0.99);
        for i in 0..120 {
            let t = i as f64 / 30.0;
            let (x, y) = cv(t);
            // Hidden once the track is confirmed (the decoy holds confirmation back 1.5 s).
            let hidden = (60..80).contains(&i);
            let c = if hidden {
                vec![decoy]
            } else {
                vec![decoy, cand(x, y, 0.7)]
            };
            let e = tr.update(us(t), &c, true);
            // The much stronger static decoy holds confirmation back for up to
            // ambiguity_wait_s; then (and whenever a ball is reported) it is the real one.
            if i >= 50 {
                assert!(e.is_some(), "frame {i}: the ball is tracked");
            }
            if let Some(e) = e {
                let to_decoy = (e.x - decoy.x).hypot(e.y - decoy.y);
                assert!(to_decoy > 500.0, "frame {i}: captured by the decoy {e:?}");
                if !hidden {
                    assert!((f64::from(e.x) - x).abs() < 20.0, "frame {i}: {e:?}");
                }
            }
        }
    }

    #[test]
    fn moving_candidate_wins_acquisition_over_static_one() {
        for order in [false, true] {
            let mut tr = tracker();
            let mut confirmed = None;
            for i in 0..10 {
                let t = i as f64 / 30.0;
                let spare = cand(1000.0, 500.0, 0.95);
                let ball = cand(300.0 + 300.0 * t, 400.0, 0.8);
                let c = if order { [spare, ball] } else { [ball, spare] };
                if let Some(e) = tr.update(us(t), &c, true) {
                    confirmed.get_or_insert(i);
                    assert!(
                        (f64::from(e.x) - (300.0 + 300.0 * t)).abs() < 10.0,
                        "frame {i}: {e:?}"
                    );
                }
            }
            assert_eq!(confirmed, Some(2), "confirmed on the third hit");
        }
    }

    #[test]
    fn static_ball_alone_is_acquired() {
        let mut tr = tracker();
        // A static candidate is confirmed after static_confirm_s (1 s by default).
        for i in 0..35 {
            tr.update(us(i as f64 / 30.0), &[cand(640.0, 360.0, 0.9)], true);
        }
        let e = tr
            .update(us(35.0 / 30.0), &[cand(640.0, 360.0, 0.9)], true)
            .unwrap();
        assert_eq!(e.state, TrackState::Detected);
        assert!((e.x - 640.0).abs() < 0.5);
    }

    #[test]
    fn tentative_track_is_visible_before_confirmation() {
        let mut tr = tracker();
        assert!(tr.tentative(0).is_none());
        tr.update(0, &[cand(300.0, 400.0, 0.5), cand(900.0, 500.0, 0.9)], true);
        let p = tr.tentative(us(0.02)).unwrap();
        assert!(
            (p.x - 900.0).abs() < 1.0 && (p.y - 500.0).abs() < 1.0,
            "{p:?}"
        );
        assert!(p.sigma_x > 0.0);
        assert!(tr.predict(us(0.02)).is_none());
        assert!(tr.tentative(us(1.0)).is_none(), "expired");
        for i in 1..4 {
            // Moving (a static one would wait for static_confirm_s).
            let t = i as f64 / 30.0;
            tr.update(us(t), &[cand(900.0 + 300.0 * t, 500.0, 0.9)], true);
        }
        assert_eq!(tr.state(), TrackState::Detected);
        assert!(tr.tentative(us(0.2)).is_none());
    }

    #[test]
    fn weak_candidates_do_not_start_a_track() {
        let mut tr = tracker();
        for i in 0..30 {
            let e = tr.update(us(i as f64 / 30.0), &[cand(640.0, 360.0, 0.5)], true);
            assert!(e.is_none());
        }
    }

    #[test]
    fn clutter_gives_one_estimate_on_the_ball() {
        let mut tr = tracker();
        let mut rng = Rng(99);
        let mut c = Vec::with_capacity(64);
        for i in 0..150 {
            let t = i as f64 / 30.0;
            let (x, y) = cv(t);
            c.clear();
            for _ in 0..8 {
                let score = (0.3 + 0.65 * rng.uniform()) as f32;
                c.push(cand(rng.uniform() * 1920.0, rng.uniform() * 1080.0, score));
            }
            c.push(cand(x, y, 0.9));
            let e = tr.update(us(t), &c, true);
            if i >= 60 {
                let e = e.unwrap();
                assert!(
                    (f64::from(e.x) - x).hypot(f64::from(e.y) - y) < 10.0,
                    "frame {i}: {e:?}"
                );
            }
        }
    }

    #[test]
    fn non_finite_candidates_are_ignored() {
        let mut tr = tracker();
        for i in 0..60 {
            let t = i as f64 / 30.0;
            let (x, y) = cv(t);
            let c = [
                Candidate {
                    x: f32::NAN,
                    y: 10.0,
                    radius: 5.0,
                    score: 0.99,
                },
                Candidate {
                    x: 10.0,
                    y: f32::INFINITY,
                    radius: 5.0,
                    score: 0.99,
                },
                Candidate {
                    x: x as f32 + 3.0,
                    y: y as f32,
                    radius: 5.0,
                    score: f32::NAN,
                },
                Candidate {
                    x: 1e30,
                    y: -1e30,
                    radius: 5.0,
                    score: 0.99,
                },
                Candidate {
                    x: x as f32,
                    y: y as f32,
                    radius: f32::NAN,
                    score: 0.9,
                },
            ];
            let e = tr.update(us(t), &c, true);
            if i >= 3 {
                let e = e.unwrap();
                assert!(
                    e.x.is_finite()
                        && e.vx.is_finite()
                        && e.radius.is_finite()
                        && e.confidence.is_finite()
                );
                assert!((f64::from(e.x) - x).abs() < 5.0, "frame {i}: {e:?}");
                assert_eq!(e.radius, TrackerConfig::default().default_radius_px);
            }
        }
    }

    #[test]
    fn backwards_and_repeated_timestamps_do_not_move_or_panic() {
        let mut tr = tracker();
        for i in 0..10 {
            let t = i as f64 / 30.0;
            let (x, y) = cv(t);
            tr.update(us(t), &[cand(x, y, 0.9)], true);
        }
        let a = tr.update(us(0.3), &[], true).unwrap();
        let b = tr.update(us(0.3), &[], true).unwrap();
        let c = tr.update(us(0.1), &[], true).unwrap();
        let d = tr.update(i64::MIN, &[], false).unwrap();
        assert_eq!((a.x, a.y), (b.x, b.y));
        assert_eq!((a.x, a.y), (c.x, c.y));
        assert_eq!((a.x, a.y), (d.x, d.y));
        assert_eq!(tr.time_since_detection_s(0), Some(0.0));
        // A huge jump forward loses the track without overflow.
        assert!(tr.update(i64::MAX, &[cand(1.0, 1.0, 0.9)], true).is_none());
        assert!(tr.predict(i64::MAX).is_none());
        tr.reset();
        assert_eq!(tr.state(), TrackState::Lost);
        assert!(tr.update(i64::MIN, &[cand(1.0, 1.0, 0.9)], true).is_none());
    }

    /// A lofted ball: a parabola under an apparent gravity of about 90 radii/s^2.
    fn parabola(t: f64) -> (f64, f64) {
        let g = 90.0 * f64::from(R);
        (300.0 + 350.0 * t, 800.0 - 700.0 * t + 0.5 * g * t * t)
    }

    #[test]
    fn parabola_is_tracked_through_a_short_gap() {
        let mut tr = tracker();
        let mut rng = Rng(7);
        let fps = 30.0;
        for i in 0..60 {
            let t = i as f64 / fps;
            let (x, y) = parabola(t);
            let hidden = (30..36).contains(&i);
            let c = if hidden {
                vec![]
            } else {
                vec![cand(x + 0.5 * rng.gauss(), y + 0.5 * rng.gauss(), 0.8)]
            };
            let e = tr.update(us(t), &c, true);
            if i < 3 {
                continue;
            }
            let e = e.unwrap();
            let err = (f64::from(e.x) - x).hypot(f64::from(e.y) - y);
            if hidden {
                assert_eq!(e.state, TrackState::Predicted, "frame {i}");
                assert!(err < 4.0 * f64::from(R), "frame {i}: {err} px off");
            } else {
                assert_eq!(e.state, TrackState::Detected, "frame {i}");
                assert!(err < 6.0, "frame {i}: {err} px off");
            }
        }
    }

    #[test]
    fn kick_reversal_is_followed() {
        let mut tr = tracker();
        let path = |t: f64| {
            if t < 1.0 {
                500.0 + 200.0 * t
            } else {
                700.0 - 1200.0 * (t - 1.0)
            }
        };
        for i in 0..60 {
            let t = i as f64 / 30.0;
            let e = tr.update(us(t), &[cand(path(t), 500.0, 0.9)], true);
            if i >= 3 {
                let e = e.unwrap();
                assert!((f64::from(e.x) - path(t)).abs() < 30.0, "frame {i}: {e:?}");
                assert_eq!(e.state, TrackState::Detected, "frame {i}");
            }
        }
        assert!(
            tr.update(us(2.0), &[cand(path(2.0), 500.0, 0.9)], true)
                .unwrap()
                .vx
                < -900.0
        );
    }

    #[test]
    fn frame_rate_does_not_change_estimates() {
        let run = |fps: f64| {
            let mut tr = tracker();
            let mut out = Vec::new();
            let n = (2.0 * fps) as usize;
            for i in 0..n {
                let t = i as f64 / fps;
                let (x, y) = parabola(t);
                let c = if (1.0..1.2).contains(&t) {
                    vec![]
                } else {
                    vec![cand(x, y, 0.9)]
                };
                out.push((us(t), tr.update(us(t), &c, true)));
            }
            out
        };
        let a = run(30.0);
        let b = run(60.0);
        let mut compared = 0;
        for (t, ea) in &a {
            let Some((_, eb)) = b.iter().find(|(tb, _)| tb == t) else {
                continue;
            };
            if *t < us(0.5) {
                continue;
            }
            let (ea, eb) = (ea.unwrap(), eb.unwrap());
            assert_eq!(ea.state, eb.state, "t {t}");
            // Coasting on a curve amplifies the small difference in velocity lag.
            let tol = if ea.state == TrackState::Detected {
                2.0
            } else {
                5.0
            };
            assert!(
                (ea.x - eb.x).hypot(ea.y - eb.y) < tol,
                "t {t}: {ea:?} {eb:?}"
            );
            let speed = ea.vx.hypot(ea.vy);
            assert!(
                (ea.vx - eb.vx).hypot(ea.vy - eb.vy) < 0.1 * speed,
                "t {t}: {ea:?} {eb:?}"
            );
            compared += 1;
        }
        assert!(compared > 30);
    }

    #[test]
    fn unsearched_frames_keep_the_track() {
        let mut tr = tracker();
        for i in 0..60 {
            let t = i as f64 / 30.0;
            let (x, y) = cv(t);
            let searched = i % 3 == 0;
            let c = if searched {
                vec![cand(x, y, 0.9)]
            } else {
                vec![]
            };
            let e = tr.update(us(t), &c, searched);
            if i >= 9 {
                let e = e.unwrap();
                assert_eq!(e.state, TrackState::Detected, "frame {i}");
                assert!((f64::from(e.x) - x).abs() < 3.0, "frame {i}: {e:?}");
            }
        }
    }

    #[test]
    fn two_static_candidates_wait_for_one_to_move() {
        let mut tr = tracker();
        let spare = cand(1500.0, 900.0, 0.95);
        let mut first = None;
        for i in 0..90 {
            let t = i as f64 / 30.0;
            // The ball rests until 0.8 s, then rolls at 300 px/s.
            let bx = 400.0 + 300.0 * (t - 0.8).max(0.0);
            let e = tr.update(us(t), &[spare, cand(bx, 500.0, 0.8)], true);
            if let Some(e) = e {
                first.get_or_insert(i);
                assert!(
                    (f64::from(e.x) - bx).abs() < 15.0,
                    "frame {i}: reported {e:?}, ball at {bx}"
                );
            }
        }
        let first = first.expect("the moving ball is confirmed");
        assert!(
            (24..=30).contains(&first),
            "confirmed at frame {first}: after the ball moved (frame 24), soon after"
        );
    }

    #[test]
    fn lone_static_candidate_waits_for_static_confirm_time() {
        let mut tr = tracker();
        let wait = f64::from(tr.config().static_confirm_s);
        let mut first = None;
        for i in 0..60 {
            let t = i as f64 / 30.0;
            if tr.update(us(t), &[cand(640.0, 360.0, 0.9)], true).is_some() {
                first.get_or_insert(t);
            }
        }
        let first = first.expect("confirmed");
        assert!(
            first >= wait && first < wait + 0.1,
            "confirmed at {first} s, wait {wait} s"
        );
    }

    #[test]
    fn static_track_is_taken_over_by_a_moving_ball() {
        let mut tr = tracker();
        let spare = cand(1500.0, 900.0, 0.95);
        // Only the spare ball for 1.5 s: it is confirmed and becomes static.
        for i in 0..45 {
            tr.update(us(i as f64 / 30.0), &[spare], true);
        }
        assert_eq!(tr.state(), TrackState::Detected);
        assert!(
            tr.exploring(us(1.5)),
            "a static track keeps the search going"
        );
        let mut switched = None;
        for i in 45..75 {
            let t = i as f64 / 30.0;
            let bx = 300.0 + 400.0 * (t - 1.5);
            let e = tr
                .update(us(t), &[spare, cand(bx, 400.0, 0.8)], true)
                .unwrap();
            if (f64::from(e.x) - bx).abs() < 10.0 {
                switched.get_or_insert(i);
            }
        }
        let switched = switched.expect("the moving ball takes the track over");
        assert!(switched <= 50, "switched at frame {switched}");
        assert!(!tr.exploring(us(75.0 / 30.0)), "a moving track is trusted");
        // The spare ball cannot take the moving track back.
        for i in 75..120 {
            let t = i as f64 / 30.0;
            let bx = 300.0 + 400.0 * (t - 1.5);
            let e = tr
                .update(us(t), &[spare, cand(bx, 400.0, 0.8)], true)
                .unwrap();
            assert!((f64::from(e.x) - bx).abs() < 10.0, "frame {i}: {e:?}");
        }
    }

    #[test]
    fn sparse_stills_confirm_a_moving_ball() {
        // Stills a third of a second apart (longer than confirm_window_s).
        let mut tr = tracker();
        let mut confirmed = None;
        for i in 0..8 {
            let t = i as f64 / 3.0;
            let x = 300.0 + 150.0 * t;
            if tr.update(us(t), &[cand(x, 500.0, 0.8)], true).is_some() {
                confirmed.get_or_insert(i);
            }
        }
        assert_eq!(confirmed, Some(2), "confirmed on the third still");
    }

    #[test]
    fn a_still_confirmed_by_its_second_look_starts_the_track_at_once() {
        // Stills 0.3 s apart (>= still_gap_s 0.09): the search's candidate at (300, 500) and the
        // second look's detection at it (0.8 >= confirm_score 0.55) give the ball on the first
        // still, where ordinary acquisition needs three.
        let mut tr = tracker();
        assert!(
            !tr.is_still_gap(None),
            "a first frame of unknown gap may open a video"
        );
        assert!(tr.is_still_gap(Some(us(0.3))));
        assert!(!tr.is_still_gap(Some(us(1.0 / 30.0))), "30 fps video");
        let c = cand(300.0, 500.0, 0.8);
        let b = tr
            .update_with_second_looks(0, &[c], true, &[c])
            .expect("ball on the first still");
        assert_eq!((b.x, b.y, b.state), (300.0, 500.0, TrackState::Detected));
        // Without the second look's confirmation it is only a hypothesis.
        let mut tr = tracker();
        assert!(tr.update_with_second_looks(0, &[c], true, &[]).is_none());
        // A second look below confirm_score does not confirm either.
        let weak = cand(300.0, 500.0, 0.5);
        let mut tr = tracker();
        assert!(tr
            .update_with_second_looks(0, &[c], true, &[weak])
            .is_none());
    }

    #[test]
    fn two_confirmed_balls_on_a_still_wait_for_the_ordinary_acquisition() {
        // 0.8 and 0.7 are within the rival margin (0.15) and 600 px apart: two balls, no guess.
        let mut tr = tracker();
        let (a, b) = (cand(300.0, 500.0, 0.8), cand(900.0, 500.0, 0.7));
        assert!(tr
            .update_with_second_looks(0, &[a, b], true, &[a, b])
            .is_none());
        // 0.9 against 0.6 (0.3 apart) is not a rival: the stronger starts the track.
        let mut tr = tracker();
        let (a, b) = (cand(300.0, 500.0, 0.9), cand(900.0, 500.0, 0.6));
        let ball = tr.update_with_second_looks(0, &[a, b], true, &[a, b]);
        assert_eq!(ball.map(|b| b.x), Some(300.0));
    }

    #[test]
    fn a_still_moves_the_track_to_a_confirmed_ball_away_from_a_weak_detection() {
        let mut tr = tracker();
        let c = cand(300.0, 500.0, 0.8);
        tr.update_with_second_looks(0, &[c], true, &[c]);
        // 0.3 s later: a weak peak (0.4 < confirm 0.55) near the old place, the ball confirmed
        // 400 px away: the track follows the confirmed ball.
        let (weak, far) = (cand(305.0, 500.0, 0.4), cand(700.0, 450.0, 0.9));
        let b = tr
            .update_with_second_looks(us(0.3), &[weak, far], true, &[far])
            .expect("ball");
        assert_eq!((b.x, b.y), (700.0, 450.0));
        // A still where the track is not seen and nothing is confirmed reports no ball (the
        // prediction across the gap is a guess), but keeps the track.
        assert!(tr
            .update_with_second_looks(us(0.6), &[], true, &[])
            .is_none());
        assert_eq!(tr.state(), TrackState::Predicted);
    }

    #[test]
    fn hypotheses_are_ranked_and_kept_beside_a_track() {
        let mut tr = tracker();
        let mut out = [None; MAX_HYPOTHESES];
        assert_eq!(tr.hypotheses(0, &mut out), 0);
        tr.update(0, &[cand(300.0, 400.0, 0.7), cand(900.0, 500.0, 0.9)], true);
        tr.update(us(0.033), &[cand(300.0, 400.0, 0.7)], true);
        assert_eq!(tr.hypotheses(us(0.05), &mut out), 2);
        let (a, b) = (out[0].unwrap(), out[1].unwrap());
        assert!((a.x - 300.0).abs() < 1.0, "more hits first: {a:?}");
        assert!((b.x - 900.0).abs() < 1.0, "{b:?}");
        assert!(out[2].is_none());
    }

    #[test]
    fn coasting_track_yields_to_a_ball_reappearing_elsewhere() {
        let mut tr = tracker();
        // A ball rolling right, then hidden at 1.0 s; it reappears 300 px behind the
        // prediction (it slowed down behind a player) rolling left.
        let mut back_at = None;
        for i in 0..75 {
            let t = i as f64 / 30.0;
            let c = if t < 1.0 {
                vec![cand(300.0 + 300.0 * t, 500.0, 0.8)]
            } else if t < 1.5 {
                vec![]
            } else {
                vec![cand(600.0 - 400.0 * (t - 1.5), 520.0, 0.8)]
            };
            let e = tr.update(us(t), &c, true);
            if let (Some(e), Some(c)) = (e, c.first()) {
                if t >= 1.5 && e.state == TrackState::Detected && (e.x - c.x).abs() < 10.0 {
                    back_at.get_or_insert(t - 1.5);
                }
            }
        }
        let back = back_at.expect("re-acquired");
        assert!(back <= 0.15, "re-acquired {back:.3} s after it reappeared");
    }

    #[test]
    fn weak_moving_candidate_waits_for_a_strong_resting_ball() {
        let mut tr = tracker();
        let wait = f64::from(tr.config().ambiguity_wait_s);
        for i in 0..60 {
            let t = i as f64 / 30.0;
            // A resting ball seen clearly, and a boot walking past with a weak score.
            let c = [
                cand(640.0, 360.0, 0.92),
                cand(200.0 + 60.0 * t, 600.0, 0.65),
            ];
            if let Some(e) = tr.update(us(t), &c, true) {
                assert!(
                    (e.x - 640.0).abs() < 5.0 || t >= wait,
                    "t {t:.2}: took the weak moving candidate {e:?}"
                );
            }
        }
    }

    #[test]
    fn ball_back_near_its_exit_is_reacquired_at_once() {
        let mut tr = tracker();
        for i in 0..30 {
            let t = i as f64 / 30.0;
            tr.update(us(t), &[cand(1800.0 + 100.0 * t, 500.0, 0.9)], true);
        }
        for i in 30..120 {
            tr.update(us(i as f64 / 30.0), &[], true);
        }
        assert_eq!(tr.state(), TrackState::Lost);
        let e = tr
            .update(us(3.5), &[cand(1890.0, 520.0, 0.9)], true)
            .unwrap();
        assert_eq!(e.state, TrackState::Detected);
        // Elsewhere, acquisition takes the configured hits.
        let mut tr2 = tr.clone();
        tr2.reset();
        assert!(tr2
            .update(us(3.5), &[cand(200.0, 520.0, 0.9)], true)
            .is_none());
    }

    #[test]
    fn config_is_validated_and_serialised() {
        assert!(TrackerConfig::default().validate().is_ok());
        let bad = TrackerConfig {
            gate: f32::NAN,
            ..TrackerConfig::default()
        };
        let e = Tracker::new(bad).unwrap_err();
        assert_eq!(e.field, "gate");
        assert!(e.message.contains("NaN"), "{e}");
        let bad = TrackerConfig {
            track_score: 0.9,
            ..TrackerConfig::default()
        };
        assert_eq!(bad.validate().unwrap_err().field, "track_score");
        let bad = TrackerConfig {
            confirm_hits: 0,
            ..TrackerConfig::default()
        };
        assert!(bad.validate().unwrap_err().message.contains('0'));
        let json = serde_json::to_string(&TrackerConfig::default()).unwrap();
        let back: TrackerConfig = serde_json::from_str(&json).unwrap();
        assert_eq!(back, TrackerConfig::default());
        let partial: TrackerConfig = serde_json::from_str(r#"{"gate": 9.2}"#).unwrap();
        assert_eq!(partial.gate, 9.2);
        assert!(serde_json::from_str::<TrackerConfig>(r#"{"gat": 9.2}"#).is_err());
        assert_eq!(
            serde_json::to_string(&TrackState::Predicted).unwrap(),
            "\"predicted\""
        );
    }
}
