//! Detector threshold curves of `ballcam eval --curves`: from the top-1 peak of every labelled
//! frame (the whole frame at native scale, before any tracking), a precision-recall curve and an
//! ROC-style curve (false alarms per ball-free frame against recall) over the detector
//! threshold, with the shipped operating points marked.
//!
//! At a threshold `t` a frame *fires* when its top peak scores at least `t`. On a frame with a
//! visible ball, a firing peak on the ball (within the matching tolerance) is a true positive;
//! any other firing peak is a false alarm. Recall is true positives over frames with a visible
//! ball; precision is true positives over firing frames; false alarms per ball-free frame counts
//! the firing frames labelled without a ball over those frames (a set without ball-free frames,
//! like dfl-soccer's, shows false alarms per frame instead: firing peaks off the ball over all
//! frames). One peak per frame: a second
//! ball is not scored here (the engine's multi-ball rate comes from its telemetry).

use serde::Serialize;

/// Thresholds of the curves: 0.01 to 0.99 in steps of 0.01.
const STEPS: u32 = 99;
const STEP: f64 = 0.01;

/// The top peak of one labelled frame.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Peak {
    /// Its score (sigmoid of the logit).
    pub score: f64,
    /// The frame shows the ball (labelled visible with a position); false: labelled ball-free.
    pub ball: bool,
    /// The peak lies on the ball.
    pub hit: bool,
}

/// One threshold's figures.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CurvePoint {
    pub threshold: f64,
    /// `None` when no frame fires.
    pub precision: Option<f64>,
    /// `None` without frames showing the ball.
    pub recall: Option<f64>,
    /// `None` without ball-free frames.
    pub false_alarms_per_free_frame: Option<f64>,
    /// Firing peaks not on the ball (on ball-free frames or beside the ball) over all frames:
    /// the false alarms a set without ball-free frames can still show.
    pub false_alarms_per_frame: Option<f64>,
}

/// A named threshold of the shipped configuration and its figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OperatingPoint {
    pub name: String,
    pub point: CurvePoint,
}

/// The curves.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Curves {
    /// Frames with a visible ball, and labelled ball-free.
    pub frames_with_ball: usize,
    pub ball_free_frames: usize,
    pub points: Vec<CurvePoint>,
    pub operating_points: Vec<OperatingPoint>,
}

fn ratio(num: usize, den: usize) -> Option<f64> {
    (den > 0).then(|| num as f64 / den as f64)
}

/// The figures at threshold `t`.
pub fn point(peaks: &[Peak], t: f64) -> CurvePoint {
    let with_ball = peaks.iter().filter(|p| p.ball).count();
    let free = peaks.len() - with_ball;
    let fired = peaks.iter().filter(|p| p.score >= t);
    let (mut tp, mut fires, mut free_alarms) = (0, 0, 0);
    for p in fired {
        fires += 1;
        tp += usize::from(p.ball && p.hit);
        free_alarms += usize::from(!p.ball);
    }
    CurvePoint {
        threshold: t,
        precision: ratio(tp, fires),
        recall: ratio(tp, with_ball),
        false_alarms_per_free_frame: ratio(free_alarms, free),
        false_alarms_per_frame: ratio(fires - tp, peaks.len()),
    }
}

/// The curves over every threshold, with `operating` (name, threshold) marked.
pub fn curves(peaks: &[Peak], operating: &[(&str, f64)]) -> Curves {
    let with_ball = peaks.iter().filter(|p| p.ball).count();
    Curves {
        frames_with_ball: with_ball,
        ball_free_frames: peaks.len() - with_ball,
        points: (1..=STEPS)
            .map(|i| point(peaks, f64::from(i) * STEP))
            .collect(),
        operating_points: operating
            .iter()
            .map(|&(name, t)| OperatingPoint {
                name: name.to_string(),
                point: point(peaks, t),
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn peak(score: f64, ball: bool, hit: bool) -> Peak {
        Peak { score, ball, hit }
    }

    #[test]
    fn figures_at_a_threshold() {
        // Ball frames: hit 0.9, hit 0.6, miss 0.7 (a false alarm), hit 0.3. Ball-free: 0.8, 0.2.
        let peaks = [
            peak(0.9, true, true),
            peak(0.6, true, true),
            peak(0.7, true, false),
            peak(0.3, true, true),
            peak(0.8, false, false),
            peak(0.2, false, false),
        ];
        // At 0.5: fires 0.9, 0.6, 0.7, 0.8 -> TP 2 of 4 ball frames, precision 2/4, one of two
        // ball-free frames fires.
        let p = point(&peaks, 0.5);
        assert_eq!(p.recall, Some(0.5));
        assert_eq!(p.precision, Some(0.5));
        assert_eq!(p.false_alarms_per_free_frame, Some(0.5));
        // Off the ball: the miss at 0.7 and the ball-free 0.8, of 6 frames.
        assert_eq!(p.false_alarms_per_frame, Some(2.0 / 6.0));
        // At 0.25: TP 3 of 4; fires 5, so precision 3/5.
        let p = point(&peaks, 0.25);
        assert_eq!((p.recall, p.precision), (Some(0.75), Some(0.6)));
        // At 0.95 nothing fires.
        let p = point(&peaks, 0.95);
        assert_eq!((p.recall, p.precision), (Some(0.0), None));
        let c = curves(&peaks, &[("threshold", 0.5)]);
        assert_eq!((c.frames_with_ball, c.ball_free_frames), (4, 2));
        assert_eq!(c.points.len(), 99);
        assert_eq!(c.operating_points[0].point, point(&peaks, 0.5));
        // Recall never rises with the threshold.
        assert!(c
            .points
            .windows(2)
            .all(|w| w[1].recall.unwrap() <= w[0].recall.unwrap()));
    }
}
