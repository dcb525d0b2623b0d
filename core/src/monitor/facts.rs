//! What one frame's result says about tracking quality, derived once per frame and shared by the
//! telemetry, the quality indicator and the hard-case capture: the detector score of the tracked
//! ball, whether the frame shows two or more distinct confident balls, and the strongest rival.
//! Pure, no allocation.

use crate::pipeline::FrameResult;
use crate::track::TrackState;
use crate::types::Candidate;

use super::MonitorConfig;

/// A candidate matches the tracked ball within this many of the ball's radii ...
const MATCH_RADII: f32 = 2.0;
/// ... or within this many pixels, whichever is larger.
const MATCH_MIN_PX: f32 = 8.0;
/// Most distinct confident candidates told apart on one frame (more still count as "two or
/// more").
const MAX_DISTINCT: usize = 8;

/// The derived facts of one frame.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct FrameFacts {
    /// Detector score of the candidate the tracked ball was matched to (`Detected` frames whose
    /// candidate is in the frame's list).
    pub ball_score: Option<f32>,
    /// Distinct balls: the tracked ball's detection (any score) and the candidates at or above
    /// `multi_ball_score` (duplicates of one ball from overlapping passes count once), up to 8.
    pub confident_balls: u32,
    /// The strongest confident candidate that is not the tracked ball: what tempts the tracker.
    pub rival: Option<Candidate>,
}

impl FrameFacts {
    /// Two or more distinct balls (the tracked one and a confident rival, or two confident
    /// candidates): the catastrophic "two balls" case.
    pub fn multi_ball(&self) -> bool {
        self.confident_balls >= 2
    }

    /// A detection of the tracked ball with a score below `low_confidence`.
    pub fn low_confidence(&self, config: &MonitorConfig) -> bool {
        self.ball_score.is_some_and(|s| s < config.low_confidence)
    }

    /// The facts of `result`, whose frame produced `candidates` (best first).
    pub fn of(result: &FrameResult, candidates: &[Candidate], config: &MonitorConfig) -> Self {
        let ball = result.ball.filter(|_| result.state == TrackState::Detected);
        let near_ball = |c: &Candidate| {
            ball.is_some_and(|b| {
                let gate = (MATCH_RADII * b.radius.max(c.radius)).max(MATCH_MIN_PX);
                (c.x - b.x).hypot(c.y - b.y) <= gate
            })
        };
        let ball_score = if ball.is_some() {
            candidates
                .iter()
                .filter(|c| near_ball(c))
                .map(|c| c.score)
                .fold(None, |best: Option<f32>, s| {
                    Some(best.map_or(s, |b| b.max(s)))
                })
        } else {
            None
        };
        let mut seen = [(0.0f32, 0.0f32, 0.0f32); MAX_DISTINCT];
        let mut distinct = 0usize;
        let mut rival = None;
        // The tracked ball's own detection counts whatever its score (the tracker follows it);
        // any other candidate counts when it is confident.
        let counted = |c: &&Candidate| c.score >= config.multi_ball_score || near_ball(c);
        for c in candidates.iter().filter(counted) {
            let apart = seen
                .get(..distinct)
                .unwrap_or(&[])
                .iter()
                .all(|&(x, y, r)| {
                    let gate = (config.multi_ball_separation * r.max(c.radius))
                        .max(config.multi_ball_min_px);
                    (c.x - x).hypot(c.y - y) > gate
                });
            if apart {
                if let Some(slot) = seen.get_mut(distinct) {
                    *slot = (c.x, c.y, c.radius);
                    distinct += 1;
                }
            }
            let tracked = result.ball.is_some_and(|b| {
                let gate = (MATCH_RADII * b.radius.max(c.radius)).max(MATCH_MIN_PX);
                (c.x - b.x).hypot(c.y - b.y) <= gate
            });
            if rival.is_none() && !tracked && c.score >= config.multi_ball_score {
                rival = Some(*c);
            }
        }
        FrameFacts {
            ball_score,
            confident_balls: distinct as u32,
            rival,
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::crop::CropRect;
    use crate::pipeline::StageTimings;
    use crate::schedule::DetectorMode;
    use crate::track::BallEstimate;

    pub(crate) fn result(state: TrackState, ball: Option<(f32, f32)>) -> FrameResult {
        FrameResult {
            timestamp_us: 0,
            frame_width: 1280,
            frame_height: 720,
            ball: ball.map(|(x, y)| BallEstimate {
                x,
                y,
                vx: 0.0,
                vy: 0.0,
                radius: 5.0,
                confidence: 0.8,
                state,
            }),
            state,
            crop: CropRect {
                x: 0.0,
                y: 0.0,
                width: 640.0,
                height: 360.0,
            },
            mode: DetectorMode::Roi,
            detector_runs: 1,
            candidates: 0,
            budget_held: true,
            top_candidate: None,
            timings: StageTimings::default(),
        }
    }

    fn cand(x: f32, y: f32, score: f32) -> Candidate {
        Candidate {
            x,
            y,
            radius: 5.0,
            score,
        }
    }

    #[test]
    fn duplicates_of_one_ball_count_once_and_a_second_ball_twice() {
        let cfg = MonitorConfig::default();
        let r = result(TrackState::Detected, Some((100.0, 100.0)));
        // The same ball from two overlapping passes, 2 px apart.
        let f = FrameFacts::of(
            &r,
            &[cand(100.0, 100.0, 0.9), cand(102.0, 100.0, 0.8)],
            &cfg,
        );
        assert_eq!(f.confident_balls, 1);
        assert!(!f.multi_ball());
        assert_eq!(f.ball_score, Some(0.9));
        assert_eq!(f.rival, None);
        // A second ball 60 px away, and a weak peak that does not count.
        let f = FrameFacts::of(
            &r,
            &[
                cand(100.0, 100.0, 0.9),
                cand(160.0, 100.0, 0.7),
                cand(300.0, 100.0, 0.2),
            ],
            &cfg,
        );
        assert_eq!(f.confident_balls, 2);
        assert!(f.multi_ball());
        assert_eq!(f.rival.map(|c| c.x), Some(160.0));
        // A weak detection of the tracked ball beside a confident rival: still two balls.
        let weak = [cand(160.0, 100.0, 0.8), cand(100.0, 100.0, 0.35)];
        let f = FrameFacts::of(&r, &weak, &cfg);
        assert_eq!((f.confident_balls, f.ball_score), (2, Some(0.35)));
        // Without a tracked ball, the weak candidate does not count.
        let lost = result(TrackState::Lost, None);
        assert_eq!(FrameFacts::of(&lost, &weak, &cfg).confident_balls, 1);
    }

    #[test]
    fn the_ball_score_is_read_on_detected_frames_only() {
        let cfg = MonitorConfig::default();
        let coasting = result(TrackState::Predicted, Some((100.0, 100.0)));
        let f = FrameFacts::of(&coasting, &[cand(100.0, 100.0, 0.4)], &cfg);
        assert_eq!(f.ball_score, None);
        let detected = result(TrackState::Detected, Some((100.0, 100.0)));
        let f = FrameFacts::of(&detected, &[cand(103.0, 100.0, 0.4)], &cfg);
        assert_eq!(f.ball_score, Some(0.4));
        assert!(f.low_confidence(&cfg));
    }
}
