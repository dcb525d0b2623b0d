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
//!   sparse) carries no motion evidence: the engine looks again at its strong search
//!   candidates with a region of interest on the same frame, and only what a second
//!   look confirmed counts ([`Tracker::update_still`]: the mean of the two scores reaches
//!   `confirm_score`). It updates the track, or starts or moves the track at once, unless
//!   another confirmed candidate scores nearly as well (two balls: the ordinary acquisition
//!   decides); a still with nothing confirmed reports no ball.
//!
//! Everything is deterministic: time comes only from the timestamps passed in; repeated or
//! backwards timestamps are treated as no time passing; non-finite candidates are ignored; no
//! call allocates.

//!
//! The module's files: this one holds the tracker's policy (the confirmed track, its
//! association, coasting and loss, and what the detector should look at next);
//! `filter` the Kalman filter; `acquire` the hypotheses, their confirmation
//! and a still's second looks; `config` the [`TrackerConfig`].

mod acquire;
mod config;
mod filter;
#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};

use crate::error::ConfigError;
pub use crate::types::Prediction;
use crate::types::{Candidate, Lookout, TrackView};
pub(crate) use acquire::MAX_STILL_EVIDENCE;
use acquire::{Hypothesis, LostAt};
pub use config::TrackerConfig;
use filter::{prediction_of, seconds, Filter, Meas, RADIUS_SMOOTHING};

/// Number of tentative hypotheses kept while acquiring.
pub const MAX_HYPOTHESES: usize = 4;
/// A manoeuvre (kick) re-initialisation is only tried this soon after the last detection, s.
const MANEUVER_WINDOW_S: f64 = 0.25;
/// Share of the detection confidence that depends on the gate distance (the rest is the score).
const CONFIDENCE_DISTANCE_SHARE: f64 = 0.3;
/// A track coasting this long without a detection keeps hypotheses beside it, and a confirmed
/// moving one takes over (the ball reappeared away from the prediction), seconds.
pub const COAST_EXPLORE_S: f64 = 0.2;
/// The confirmation window is at least this many frame intervals (sparse stills).
pub const STILL_WINDOW_FRAMES: f64 = 2.5;

/// What the tracker knows about the ball on this frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
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

    /// Whether the engine should keep searching the frame beyond the track: no confirmed track,
    /// a confirmed track that has been static (detected in one place) for `static_after_s`, or
    /// one coasting without a detection for [`COAST_EXPLORE_S`].
    pub fn exploring(&self, t_us: i64) -> bool {
        match self.track {
            None => true,
            Some(track) => self.unsure(&track, t_us),
        }
    }

    /// What the detector should look at on a frame at `t_us`, as the scheduler needs it: the
    /// confirmed track's prediction (with no track, the most promising hypothesis) and how long
    /// it has gone unseen; a rival hypothesis to look at too (the best one beside a track the
    /// tracker is not sure of, the second best while acquiring); and whether to keep searching
    /// the rest of the frame (see [`Tracker::exploring`]). A `still` (see
    /// [`Tracker::is_still_gap`]) can afford, and needs, a look at the whole frame. Does not
    /// change the tracker; allocates nothing.
    pub fn attention(&self, t_us: i64, still: bool) -> (TrackView, Lookout) {
        let mut hyps = [None; MAX_HYPOTHESES];
        self.hypotheses(t_us, &mut hyps);
        let exploring = self.exploring(t_us);
        let rank = |i: usize| hyps.get(i).copied().flatten();
        let (primary, rival) = match self.predict(t_us) {
            Some(p) => (Some(p), if exploring { rank(0) } else { None }),
            None => (rank(0), rank(1)),
        };
        let view = match primary {
            Some(prediction) => TrackView::At {
                prediction,
                unseen_s: self.time_since_detection_s(t_us).unwrap_or(0.0),
            },
            None => TrackView::None,
        };
        let lookout = Lookout {
            rival,
            search: exploring || still,
        };
        (view, lookout)
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
