//! Reviewing a capture queue (`--capture DIR`) against full-frame labels of the same clip: the
//! renderer's ground truth (`ballcam demo` writes `truth.csv`) or an annotator's labels of the
//! whole frames. Each captured image shows the square `region_x, region_y, region_side` of its
//! frame at `image_side` pixels (the queue's `manifest.json`), so a frame label maps into the
//! image as `(x - region_x) * image_side / region_side`. The model's pseudo-label of each row
//! is replaced by the mapped label, and a column `review` says what the review did to it.

use std::collections::HashMap;

use anyhow::Result;
use serde::Serialize;

use crate::errors::bad_input;
use crate::labels_csv::{LabelRow, Truth};

/// The column written with each row's outcome.
pub const REVIEW_COLUMN: &str = "review";
/// A pseudo-label within this many image pixels of the truth, or within this share of the
/// truth's radius when that is larger, is confirmed rather than corrected.
const CONFIRM_MIN_PX: f64 = 2.0;
const CONFIRM_RADIUS_SHARE: f64 = 0.5;

/// What the review did to one row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The pseudo-label was on the ball.
    Confirmed,
    /// The pseudo-label was a ball, elsewhere: moved to the true one.
    Corrected,
    /// The pseudo-label was a ball where the image shows none: now ball-free.
    Removed,
    /// No pseudo-label, but the image shows the ball: added.
    Added,
    /// No pseudo-label and no ball in the image: now labelled ball-free.
    BallFree,
    /// The frame labels say nothing about this frame, or not enough (a visible ball without a
    /// position, a ball cut by the image's edge): left as it was, and `models/train` skips it.
    Unknown,
}

impl Outcome {
    /// The value written in the `review` column.
    pub fn name(self) -> &'static str {
        match self {
            Outcome::Confirmed => "confirmed",
            Outcome::Corrected => "corrected",
            Outcome::Removed => "removed",
            Outcome::Added => "added",
            Outcome::BallFree => "ball_free",
            Outcome::Unknown => "unknown",
        }
    }
}

/// How many rows had each outcome.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ReviewCounts {
    pub confirmed: usize,
    pub corrected: usize,
    pub removed: usize,
    pub added: usize,
    pub ball_free: usize,
    pub unknown: usize,
}

impl ReviewCounts {
    fn add(&mut self, outcome: Outcome) {
        let slot = match outcome {
            Outcome::Confirmed => &mut self.confirmed,
            Outcome::Corrected => &mut self.corrected,
            Outcome::Removed => &mut self.removed,
            Outcome::Added => &mut self.added,
            Outcome::BallFree => &mut self.ball_free,
            Outcome::Unknown => &mut self.unknown,
        };
        *slot += 1;
    }

    /// Rows whose pseudo-label the review changed (corrected, removed or added).
    pub fn changed(&self) -> usize {
        self.corrected + self.removed + self.added
    }
}

/// Whether an image coordinate lies on an image of `side` pixels.
fn inside(v: f64, side: f64) -> bool {
    (0.0..side).contains(&v)
}

/// Where one captured image lies in its frame.
struct Region {
    x: f64,
    y: f64,
    side: f64,
}

fn region_of(row: &LabelRow, name: &str) -> Result<Region> {
    let field = |col: &str| -> Result<f64> {
        let value = row
            .extra
            .iter()
            .find(|(n, _)| n == col)
            .map(|(_, v)| v.as_str())
            .ok_or_else(|| {
                bad_input(format!(
                    "{name}: no column `{col}` (not a capture queue's labels.csv)"
                ))
            })?;
        value
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
            .ok_or_else(|| {
                bad_input(format!(
                    "{name}: {}: bad {col} `{value}` (expected a number)",
                    row.file
                ))
            })
    };
    let region = Region {
        x: field("region_x")?,
        y: field("region_y")?,
        side: field("region_side")?,
    };
    if region.side < 1.0 {
        return Err(bad_input(format!(
            "{name}: {}: region_side {} (expected at least 1)",
            row.file, region.side
        )));
    }
    Ok(region)
}

/// Reviews the queue's rows against `frames` (full-frame labels of the one clip the queue was
/// captured from, matched on `frame_index`; positions in the engine's upright frame pixels).
/// `image_side` is the queue's image side in pixels. Errors name `queue_name` and the row.
pub fn review(
    queue: &[LabelRow],
    queue_name: &str,
    frames: &[LabelRow],
    image_side: f64,
) -> Result<(Vec<LabelRow>, ReviewCounts)> {
    if !(image_side.is_finite() && image_side >= 1.0) {
        return Err(bad_input(format!(
            "{queue_name}: image side {image_side} (expected at least 1 pixel)"
        )));
    }
    let mut clips: Vec<&str> = frames.iter().map(|r| r.clip.as_str()).collect();
    clips.dedup();
    if clips.len() > 1 {
        return Err(bad_input(format!(
            "the frame labels hold {} clips ({}...): give the labels of the one clip the queue was captured from",
            clips.len(),
            clips.iter().take(3).copied().collect::<Vec<_>>().join(", ")
        )));
    }
    let by_frame: HashMap<u64, &LabelRow> = frames.iter().map(|r| (r.frame_index, r)).collect();
    let mut counts = ReviewCounts::default();
    let mut out = Vec::with_capacity(queue.len());
    for row in queue {
        let region = region_of(row, queue_name)?;
        let scale = image_side / region.side;
        let mut reviewed = row.clone();
        let truth = by_frame.get(&row.frame_index).map(|f| f.truth());
        let at = |t: &Truth| -> Option<(f64, f64, f64)> {
            let (x, y) = t.position()?;
            let radius = t.size().unwrap_or(0.0) / 2.0 * scale;
            Some(((x - region.x) * scale, (y - region.y) * scale, radius))
        };
        let on_image = |u: f64, v: f64| inside(u, image_side) && inside(v, image_side);
        let outcome = match truth.and_then(|t| t.visible.map(|v| (v, t))) {
            None => Outcome::Unknown,
            // Visible, but where is not known.
            Some((true, t)) if t.position().is_none() => Outcome::Unknown,
            // The centre off the image, yet part of the ball on it: neither a ball nor none.
            Some((true, t))
                if at(&t).is_some_and(|(u, v, r)| {
                    !on_image(u, v)
                        && (-r..image_side + r).contains(&u)
                        && (-r..image_side + r).contains(&v)
                }) =>
            {
                Outcome::Unknown
            }
            Some((visible, t)) => {
                let inside = at(&t)
                    .map(|(u, v, _)| (u, v))
                    .filter(|&(u, v)| visible && on_image(u, v));
                match inside {
                    Some((u, v)) => {
                        let (w, h) = (t.w.map(|w| w * scale), t.h.map(|h| h * scale));
                        let radius = t.scaled(scale, scale).size().unwrap_or(0.0) / 2.0;
                        let outcome = match (row.visible, row.x, row.y) {
                            (Some(true), Some(px), Some(py)) => {
                                let tolerance = CONFIRM_MIN_PX.max(CONFIRM_RADIUS_SHARE * radius);
                                if (px - u).hypot(py - v) <= tolerance {
                                    Outcome::Confirmed
                                } else {
                                    Outcome::Corrected
                                }
                            }
                            _ => Outcome::Added,
                        };
                        reviewed.visible = Some(true);
                        (reviewed.x, reviewed.y, reviewed.w, reviewed.h) = (Some(u), Some(v), w, h);
                        outcome
                    }
                    None => {
                        let outcome = if row.visible == Some(true) {
                            Outcome::Removed
                        } else {
                            Outcome::BallFree
                        };
                        reviewed.visible = Some(false);
                        (reviewed.x, reviewed.y, reviewed.w, reviewed.h) = (None, None, None, None);
                        outcome
                    }
                }
            }
        };
        counts.add(outcome);
        reviewed.extra.retain(|(n, _)| n != REVIEW_COLUMN);
        reviewed
            .extra
            .push((REVIEW_COLUMN.to_string(), outcome.name().to_string()));
        out.push(reviewed);
    }
    Ok((out, counts))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn queue_row(frame: u64, pseudo: Option<(f64, f64)>, region: (i32, i32, u32)) -> LabelRow {
        LabelRow {
            file: format!("images/capture_{frame:06}.png"),
            clip: format!("capture_{frame:06}"),
            frame_index: frame,
            visible: pseudo.map(|_| true),
            x: pseudo.map(|p| p.0),
            y: pseudo.map(|p| p.1),
            w: pseudo.map(|_| 10.0),
            h: pseudo.map(|_| 10.0),
            confidence: pseudo.map(|_| 0.4),
            extra: vec![
                ("reason".into(), "low_confidence".into()),
                ("region_x".into(), region.0.to_string()),
                ("region_y".into(), region.1.to_string()),
                ("region_side".into(), region.2.to_string()),
            ],
            ..LabelRow::default()
        }
    }

    fn frame_row(frame: u64, ball: Option<(f64, f64)>) -> LabelRow {
        LabelRow {
            file: format!("frame_{frame:06}"),
            clip: "seed62".into(),
            frame_index: frame,
            visible: Some(ball.is_some()),
            x: ball.map(|b| b.0),
            y: ball.map(|b| b.1),
            w: ball.map(|_| 16.0),
            h: ball.map(|_| 16.0),
            ..LabelRow::default()
        }
    }

    fn outcome(row: &LabelRow) -> &str {
        &row.extra
            .iter()
            .find(|(n, _)| n == REVIEW_COLUMN)
            .unwrap()
            .1
    }

    #[test]
    fn frame_labels_map_into_each_image() {
        // Region (900, 540) side 320 shown at 160 px: scale 0.5. The ball at (1000, 600)
        // lies at ((1000-900)*0.5, (600-540)*0.5) = (50, 30) with a box 16*0.5 = 8 px.
        let queue = vec![
            queue_row(1, Some((50.5, 30.5)), (900, 540, 320)), // 0.7 px off: confirmed
            queue_row(2, Some((120.0, 120.0)), (900, 540, 320)), // elsewhere: corrected
            queue_row(3, Some((50.0, 30.0)), (900, 540, 320)), // no ball in the frame: removed
            queue_row(4, None, (900, 540, 320)),               // ball present: added
            queue_row(5, None, (0, 0, 320)),                   // ball outside the image: ball-free
            queue_row(6, Some((50.0, 30.0)), (900, 540, 320)), // frame not labelled: unknown
            queue_row(7, Some((50.0, 30.0)), (900, 540, 320)), // visible, no position: unknown
            // The ball at (1221, 600) maps to x = (1221-900)*0.5 = 160.5: just off the 160 px
            // image, within its 4 px radius: cut by the edge, unknown.
            queue_row(8, None, (900, 540, 320)),
        ];
        let frames = vec![
            frame_row(1, Some((1000.0, 600.0))),
            frame_row(2, Some((1000.0, 600.0))),
            frame_row(3, None),
            frame_row(4, Some((1000.0, 600.0))),
            frame_row(5, Some((1000.0, 600.0))),
            LabelRow {
                x: None,
                y: None,
                ..frame_row(7, Some((0.0, 0.0)))
            },
            frame_row(8, Some((1221.0, 600.0))),
        ];
        let (rows, counts) = review(&queue, "q", &frames, 160.0).unwrap();
        let names: Vec<&str> = rows.iter().map(outcome).collect();
        assert_eq!(
            names,
            [
                "confirmed",
                "corrected",
                "removed",
                "added",
                "ball_free",
                "unknown",
                "unknown",
                "unknown"
            ]
        );
        for i in [0, 1, 3] {
            assert_eq!(rows[i].visible, Some(true));
            assert_eq!((rows[i].x, rows[i].y), (Some(50.0), Some(30.0)));
            assert_eq!((rows[i].w, rows[i].h), (Some(8.0), Some(8.0)));
        }
        for i in [2, 4] {
            assert_eq!(rows[i].visible, Some(false));
            assert_eq!(rows[i].x, None);
        }
        assert_eq!(rows[5], {
            let mut r = queue[5].clone();
            r.extra.push((REVIEW_COLUMN.into(), "unknown".into()));
            r
        });
        assert_eq!(counts.changed(), 3);
        assert_eq!(counts.confirmed + counts.ball_free + counts.unknown, 5);
        assert_eq!(
            (rows[6].visible, rows[7].visible),
            (Some(true), None),
            "left as they were"
        );
        // The capture metadata stays; the confidence of the model stays for the record.
        assert_eq!(
            rows[1].extra[0],
            ("reason".to_string(), "low_confidence".to_string())
        );
        assert_eq!(rows[1].confidence, Some(0.4));
    }

    #[test]
    fn reviewing_twice_keeps_one_review_column() {
        let queue = vec![queue_row(1, Some((50.0, 30.0)), (900, 540, 320))];
        let frames = vec![frame_row(1, Some((1000.0, 600.0)))];
        let (once, _) = review(&queue, "q", &frames, 160.0).unwrap();
        let (twice, _) = review(&once, "q", &frames, 160.0).unwrap();
        assert_eq!(once, twice);
    }

    #[test]
    fn bad_queues_and_frame_labels_are_refused_by_name() {
        let mut plain = queue_row(1, None, (0, 0, 160));
        plain.extra.clear();
        let frames = vec![frame_row(1, None)];
        let e = review(&[plain], "q/labels.csv", &frames, 160.0).unwrap_err();
        assert!(e.to_string().contains("no column `region_x`"), "{e}");
        let zero = queue_row(1, None, (0, 0, 0));
        let e = review(&[zero], "q", &frames, 160.0).unwrap_err();
        assert!(e.to_string().contains("region_side"), "{e}");
        let mut two = vec![frame_row(1, None), frame_row(2, None)];
        two[1].clip = "other".into();
        let e = review(&[queue_row(1, None, (0, 0, 160))], "q", &two, 160.0).unwrap_err();
        assert!(e.to_string().contains("2 clips"), "{e}");
        let e = review(&[queue_row(1, None, (0, 0, 160))], "q", &frames, 0.0).unwrap_err();
        assert!(e.to_string().contains("image side"), "{e}");
    }
}
