//! The shells' HUD numbers: frames per second (from capture timestamps), engine time and
//! latency, as exponential moving averages. Pure, no allocation.

use crate::types::{US_PER_MS, US_PER_S};

/// Weight of a new sample in the moving averages.
pub const HUD_SMOOTHING: f64 = 0.1;

/// Moving averages over the processed frames.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct FrameStats {
    /// Frames per second (0 until two frames were seen).
    pub fps: f64,
    /// Engine time per frame, milliseconds.
    pub engine_ms: f64,
    /// Time from the frame's arrival to its result, milliseconds.
    pub latency_ms: f64,
    /// Frames seen.
    pub frames: u64,
    /// The last frame's timestamp.
    last_timestamp_us: Option<i64>,
}

impl FrameStats {
    /// No frames yet.
    pub fn new() -> FrameStats {
        FrameStats::default()
    }

    /// One processed frame: its capture timestamp, the engine's time and the arrival-to-result
    /// time. A timestamp that does not advance leaves the frame rate as it is.
    pub fn add(&mut self, timestamp_us: i64, engine_us: u64, latency_us: u64) {
        let ema = |avg: f64, sample: f64, first: bool| {
            if first {
                sample
            } else {
                avg + HUD_SMOOTHING * (sample - avg)
            }
        };
        if let Some(last) = self.last_timestamp_us.filter(|&last| timestamp_us > last) {
            let instant = US_PER_S / (timestamp_us - last) as f64;
            self.fps = ema(self.fps, instant, self.frames <= 1);
        }
        let first = self.frames == 0;
        self.engine_ms = ema(self.engine_ms, engine_us as f64 / US_PER_MS, first);
        self.latency_ms = ema(self.latency_ms, latency_us as f64 / US_PER_MS, first);
        self.last_timestamp_us = Some(timestamp_us);
        self.frames += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn near(a: f64, b: f64, eps: f64) -> bool {
        (a - b).abs() <= eps
    }

    #[test]
    fn averages_follow_the_frames() {
        let mut s = FrameStats::new();
        s.add(0, 5_000, 8_000);
        // First frame: the samples themselves, no rate yet.
        assert!(s.fps == 0.0 && near(s.engine_ms, 5.0, 1e-12) && near(s.latency_ms, 8.0, 1e-12));
        // 33_333 us later: 30 fps at once (second frame); 5 + 0.1 * (7 - 5) = 5.2 ms.
        s.add(33_333, 7_000, 10_000);
        assert!(
            near(s.fps, 30.0, 0.01) && near(s.engine_ms, 5.2, 1e-12),
            "{s:?}"
        );
        // 16_667 us later: 60 instant, 30 + 0.1 * 30 = 33.
        s.add(50_000, 6_000, 9_000);
        assert!(near(s.fps, 33.0, 0.01), "{s:?}");
        // A repeated timestamp leaves the rate.
        s.add(50_000, 6_000, 9_000);
        assert!(near(s.fps, 33.0, 0.01) && s.frames == 4, "{s:?}");
    }
}
