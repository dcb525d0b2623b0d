//! The crop path written beside a recorded video: the engine's per-frame results as rows of the
//! same columns as the desktop's `track.csv` ([`TRACK_COLUMNS`]), in the recorded video's
//! pixels and with timestamps from the first recorded frame, so that `ballcam reframe` can render
//! the reframed clip from the two files.
//!
//! The engine runs on the analysis stream (e.g. 1280x720, upright for the display's current
//! rotation); the recording is another stream of the same camera (e.g. 1920x1080, upright for the
//! rotation it started with). Both show the whole sensor image (the shells ask for the same aspect
//! ratio), so a point maps through its fraction of the sensor buffer: upright analysis pixels ->
//! analysis buffer fraction -> recorded video upright pixels. A phone turned during the
//! recording keeps its rows in the recording's orientation.
//!
//! [`PathRecorder::row`] formats one row into a buffer it keeps: no allocation once warm.

use std::fmt::Write as _;

use crate::pipeline::FrameResult;
use crate::track::TrackState;
use crate::types::US_PER_MS;

use super::geometry::FrameGeometry;
use super::ViewError;

/// The columns of a crop path: those of the desktop's `track.csv`.
pub const TRACK_COLUMNS: [&str; 17] = [
    "frame",
    "source",
    "timestamp_ms",
    "ball_state",
    "ball_x",
    "ball_y",
    "ball_vx",
    "ball_vy",
    "ball_radius",
    "confidence",
    "candidates",
    "crop_x",
    "crop_y",
    "crop_w",
    "crop_h",
    "mode",
    "latency_us",
];

/// Turns engine results into crop-path rows for one recording.
#[derive(Debug, Clone)]
pub struct PathRecorder {
    /// The recorded video's buffer size and rotation.
    video: FrameGeometry,
    /// Timestamp of the first recorded frame.
    start_us: Option<i64>,
    /// Rows written.
    rows: u64,
    /// The row being formatted.
    line: String,
}

/// A header or row line, `\n`-terminated.
fn header_line() -> String {
    let mut s = TRACK_COLUMNS.join(",");
    s.push('\n');
    s
}

impl PathRecorder {
    /// A recorder for a video whose buffers are `video.width` x `video.height` and turned upright
    /// by `video.rotation` (the rotation its file is tagged with). Errors name a bad size.
    pub fn new(video: FrameGeometry) -> Result<PathRecorder, ViewError> {
        video.validate("recorded video")?;
        Ok(PathRecorder {
            video,
            start_us: None,
            rows: 0,
            line: String::with_capacity(256),
        })
    }

    /// The header line (column names), `\n`-terminated.
    pub fn header() -> String {
        header_line()
    }

    /// Rows formatted so far.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// A point of an analysis frame's upright pixels in the recorded video's upright pixels.
    pub fn map_point(&self, frame: FrameGeometry, x: f64, y: f64) -> (f64, f64) {
        let (fx, fy) = frame.upright_to_buffer_fraction(x, y);
        self.video.buffer_fraction_to_upright(fx, fy)
    }

    /// A vector (velocity) of an analysis frame in the recorded video's upright pixels.
    fn map_vector(&self, frame: FrameGeometry, vx: f64, vy: f64) -> (f64, f64) {
        let (ox, oy) = self.map_point(frame, 0.0, 0.0);
        let (px, py) = self.map_point(frame, vx, vy);
        (px - ox, py - oy)
    }

    /// Video pixels per analysis pixel (the same along both axes when both streams have the
    /// same aspect; the geometric mean otherwise).
    fn length_scale(&self, frame: FrameGeometry) -> f64 {
        let (aw, ah) = frame.upright_size();
        let (vw, vh) = self.video.upright_size();
        let area = |w: u32, h: u32| f64::from(w) * f64::from(h);
        (area(vw, vh) / area(aw, ah)).sqrt()
    }

    /// Formats the row of `result` (a frame of `frame` geometry), `\n`-terminated; the first
    /// row's timestamp is the recording's start.
    pub fn row(&mut self, frame: FrameGeometry, result: &FrameResult) -> &str {
        let start = *self.start_us.get_or_insert(result.timestamp_us);
        let t_ms = result.timestamp_us.saturating_sub(start) as f64 / US_PER_MS;
        let index = self.rows;
        self.rows += 1;
        let state = match result.state {
            TrackState::Detected => "detected",
            TrackState::Predicted => "predicted",
            TrackState::Lost => "lost",
        };
        let c = result.crop;
        let (x0, y0) = self.map_point(frame, f64::from(c.x), f64::from(c.y));
        let (x1, y1) = self.map_point(
            frame,
            f64::from(c.x) + f64::from(c.width),
            f64::from(c.y) + f64::from(c.height),
        );
        let ball = result.ball.map(|b| {
            let (x, y) = self.map_point(frame, f64::from(b.x), f64::from(b.y));
            let (vx, vy) = self.map_vector(frame, f64::from(b.vx), f64::from(b.vy));
            let r = f64::from(b.radius) * self.length_scale(frame);
            (x, y, vx, vy, r, f64::from(b.confidence))
        });
        let line = &mut self.line;
        line.clear();
        // Writing into a String cannot fail.
        let _ = write!(line, "{index},{index},{t_ms:.3},{state},");
        match ball {
            Some((x, y, vx, vy, r, conf)) => {
                let _ = write!(line, "{x:.2},{y:.2},{vx:.2},{vy:.2},{r:.2},{conf:.3},");
            }
            None => line.push_str(",,,,,,"),
        }
        let _ = writeln!(
            line,
            "{},{:.2},{:.2},{:.2},{:.2},{},{}",
            result.candidates,
            x0.min(x1),
            y0.min(y1),
            (x1 - x0).abs(),
            (y1 - y0).abs(),
            result.mode.name(),
            result.timings.total_us
        );
        &self.line
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crop::CropRect;
    use crate::frame::Rotation;
    use crate::pipeline::StageTimings;
    use crate::schedule::DetectorMode;
    use crate::track::BallEstimate;

    fn result(t: i64) -> FrameResult {
        FrameResult {
            timestamp_us: t,
            frame_width: 720,
            frame_height: 1280,
            ball: Some(BallEstimate {
                x: 100.0,
                y: 200.0,
                vx: 10.0,
                vy: 0.0,
                radius: 4.0,
                confidence: 0.9,
                state: TrackState::Detected,
            }),
            state: TrackState::Detected,
            crop: CropRect {
                x: 0.0,
                y: 100.0,
                width: 360.0,
                height: 640.0,
            },
            mode: DetectorMode::Roi,
            detector_runs: 1,
            candidates: 1,
            budget_held: true,
            top_candidate: None,
            timings: StageTimings {
                total_us: 900,
                ..StageTimings::default()
            },
        }
    }

    #[test]
    fn header_is_the_track_csv_header() {
        assert_eq!(
            PathRecorder::header(),
            "frame,source,timestamp_ms,ball_state,ball_x,ball_y,ball_vx,ball_vy,ball_radius,confidence,candidates,crop_x,crop_y,crop_w,crop_h,mode,latency_us\n"
        );
    }

    #[test]
    fn rows_in_the_recorded_video_pixels() {
        // Analysis 1280x720 turned 90 (portrait 720x1280); the recording 1920x1080 turned 90
        // too (portrait 1080x1920): every length scales by 1.5 and nothing turns.
        let analysis = FrameGeometry {
            width: 1280,
            height: 720,
            rotation: Rotation::Deg90,
        };
        let video = FrameGeometry {
            width: 1920,
            height: 1080,
            rotation: Rotation::Deg90,
        };
        let mut p = PathRecorder::new(video).unwrap();
        assert_eq!(
            p.row(analysis, &result(5_000_000)),
            "0,0,0.000,detected,150.00,300.00,15.00,0.00,6.00,0.900,1,0.00,150.00,540.00,960.00,roi,900\n"
        );
        let mut lost = result(5_033_333);
        lost.ball = None;
        lost.state = TrackState::Lost;
        assert_eq!(
            p.row(analysis, &lost),
            "1,1,33.333,lost,,,,,,,1,0.00,150.00,540.00,960.00,roi,900\n"
        );
        assert_eq!(p.rows(), 2);
    }

    #[test]
    fn a_turned_phone_keeps_the_recording_orientation() {
        // The recording started in landscape (1920x1080, rotation 0); the phone is now in
        // portrait (analysis upright 720x1280, rotation 90). The analysis point (100, 200) is
        // buffer (200, 720 - 100) = (200, 620) of 1280x720, i.e. video (300, 930).
        let analysis = FrameGeometry {
            width: 1280,
            height: 720,
            rotation: Rotation::Deg90,
        };
        let video = FrameGeometry {
            width: 1920,
            height: 1080,
            rotation: Rotation::Deg0,
        };
        let mut p = PathRecorder::new(video).unwrap();
        let (x, y) = p.map_point(analysis, 100.0, 200.0);
        assert!(
            (x - 300.0).abs() < 1e-9 && (y - 930.0).abs() < 1e-9,
            "{x},{y}"
        );
        // The portrait crop (0, 100) 360x640 becomes a landscape rectangle of the video:
        // corners (150, 1080) and (1110, 540) -> x 150, y 540, 960x540.
        let line = p.row(analysis, &result(0)).to_string();
        assert!(
            line.ends_with(",1,150.00,540.00,960.00,540.00,roi,900\n"),
            "{line}"
        );
        assert!(PathRecorder::new(FrameGeometry {
            width: 0,
            height: 1080,
            rotation: Rotation::Deg0
        })
        .is_err());
    }
}
