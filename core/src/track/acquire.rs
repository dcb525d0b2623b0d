//! Acquisition: the tentative tracks (hypotheses) kept while no ball is confirmed or while the
//! track is unsure, their association and confirmation, and a still's second looks.

use super::filter::{prediction_of, seconds, Filter, Meas};
use super::{BallEstimate, TrackState, Tracker, MAX_HYPOTHESES};
use crate::types::{Candidate, Prediction};

/// Candidates examined per frame for starting new hypotheses (best scores first).
const SPAWN_TRIES: usize = 3 * MAX_HYPOTHESES;
/// A hypothesis is not confirmed while a rival's mean score exceeds its own by more than this
/// (see `confirm`).
const RIVAL_SCORE_MARGIN: f64 = 0.15;
/// Most confirmed detections of one still the tracker takes, the strongest ones (the engine
/// gathers at most nine: two rounds of three looks, and three earlier looks scored again; it
/// checks that it never gathers more).
pub(crate) const MAX_STILL_EVIDENCE: usize = 9;

/// A tentative track during acquisition.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Hypothesis {
    pub(super) filter: Filter,
    pub(super) hits: u32,
    /// Time of the last associated detection, microseconds.
    pub(super) last_t_us: i64,
    pub(super) first_x: f64,
    pub(super) first_y: f64,
    /// Time of the first detection, microseconds.
    pub(super) first_t_us: i64,
    pub(super) score_sum: f64,
    /// Started close to where the lost ball was last seen.
    pub(super) near_exit: bool,
}

impl Hypothesis {
    pub(super) fn mean_score(&self) -> f64 {
        if self.hits == 0 {
            0.0
        } else {
            self.score_sum / f64::from(self.hits)
        }
    }

    pub(super) fn displacement(&self) -> f64 {
        (self.filter.x - self.first_x).hypot(self.filter.y - self.first_y)
    }
}

/// Where the last track was lost, for fast re-acquisition.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct LostAt {
    pub(super) t_us: i64,
    pub(super) x: f64,
    pub(super) y: f64,
    pub(super) radius: f64,
}

impl Tracker {
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

    /// Whether a frame `gap_us` after the previous one is a still that gets second looks (see
    /// the module docs). A first frame whose gap is unknown (`None`) is not: it may open a
    /// video, where a ball is confirmed by its motion, not by one look (a spare ball by the
    /// line looks like the ball in play). The engine passes the stream's expected interval
    /// for a first frame when it knows one ([`crate::Engine::set_frame_interval_hint`]).
    pub fn is_still_gap(&self, gap_us: Option<i64>) -> bool {
        self.cfg.still_gap_s > 0.0
            && gap_us.is_some_and(|g| seconds(g) >= f64::from(self.cfg.still_gap_s))
    }

    /// [`Tracker::update`] for a still (see [`Tracker::is_still_gap`]): only what its second
    /// looks confirmed counts. `evidence` holds, for each search candidate a second look
    /// found again, that detection scored by the mean of the two scores (the engine builds
    /// it); those scoring at least `confirm_score` update the track and the hypotheses. When
    /// the track was not detected among them, the best one starts the track there at once,
    /// unless another one away from it scores within the rival margin (two balls: the
    /// ordinary acquisition decides). Across a still's gap neither the track's prediction nor
    /// a detection no second look confirmed says where the ball is (measured on broadcast
    /// stills a third of a second apart: such detections were wrong six times in seven), so
    /// a still with nothing confirmed reports no ball and keeps the track. `searched` is as
    /// for [`Tracker::update`]: false when no detector ran on the still (then `evidence`,
    /// which no run can have made, is ignored).
    pub fn update_still(
        &mut self,
        t_us: i64,
        evidence: &[Candidate],
        searched: bool,
    ) -> Option<BallEstimate> {
        let evidence = if searched { evidence } else { &[] };
        let confirm = self.cfg.confirm_score;
        let mut confirmed = [Candidate::default(); MAX_STILL_EVIDENCE];
        let mut n = 0;
        for c in evidence.iter().filter(|c| c.score >= confirm) {
            if let Some(slot) = confirmed.get_mut(n) {
                *slot = *c;
                n += 1;
            } else if let Some(weakest) = confirmed
                .iter_mut()
                .min_by(|a, b| a.score.total_cmp(&b.score))
                .filter(|w| w.score < c.score)
            {
                *weakest = *c;
            }
        }
        let confirmed = confirmed.get(..n).unwrap_or_default();
        let estimate = self.update(t_us, confirmed, searched);
        let now = self.now_us?;
        let default_radius = f64::from(self.cfg.default_radius_px);
        let mut best: Option<Meas> = None;
        for c in confirmed {
            let Some(m) = self.valid_meas(c, default_radius) else {
                continue;
            };
            if best.is_none_or(|b| m.score > b.score) {
                best = Some(m);
            }
        }
        let reach = best.map_or(0.0, |b| self.moving_reach(b.radius));
        let seen = self
            .track
            .filter(|t| t.state == TrackState::Detected && t.last_det_t_us == now);
        if let Some(t) = seen {
            // The track's detection stands unless a stronger one away from it says the ball
            // is there: across a still's gap the track's gate is wide and its motion no
            // evidence.
            let moved = best.filter(|b| {
                (t.filter.x - b.x).hypot(t.filter.y - b.y) > reach && b.score > t.det_score
            });
            let Some(best) = moved else {
                return estimate;
            };
            self.start_track_at(now, &best);
            return self.estimate(now);
        }
        let rival = best.is_some_and(|best| {
            confirmed.iter().any(|c| {
                self.valid_meas(c, default_radius).is_some_and(|m| {
                    (m.x - best.x).hypot(m.y - best.y) > reach
                        && m.score > best.score - RIVAL_SCORE_MARGIN
                })
            })
        });
        match best.filter(|_| !rival) {
            Some(best) => {
                self.start_track_at(now, &best);
                self.estimate(now)
            }
            None => None,
        }
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

    /// Drops hypotheses with no detection within the confirmation window.
    pub(super) fn expire_hypotheses(&mut self, now: i64) {
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
    pub(super) fn update_hypotheses(
        &mut self,
        now: i64,
        candidates: &[Candidate],
        exclude: Option<Filter>,
    ) {
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
    pub(super) fn moving(&self, h: &Hypothesis) -> bool {
        h.displacement() >= self.moving_reach(h.filter.radius)
    }

    /// Replaces a static track by a confirmed moving hypothesis updated on this frame.
    pub(super) fn switch_to_moving(&mut self, now: i64) {
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
    pub(super) fn confirm(&mut self, now: i64) {
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
}
