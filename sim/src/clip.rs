//! A renderable clip: the scene of a [`ClipSpec`], its pre-rendered background, sensor noise
//! and reusable per-frame buffers.

use crate::background::BackgroundRenderer;
use crate::noise::Noise;
use crate::raster::Canvas;
use crate::rng::Rng;
use crate::scenario;
use crate::scene::{FrameState, Scene};
use crate::{ClipSpec, GroundTruth, SimError};

/// Sensor noise standard deviation range (8-bit levels).
const NOISE_MIN: f64 = 0.8;
const NOISE_MAX: f64 = 3.5;
/// Stream tag of the noise generator.
const NOISE_TAG: u64 = 7;

/// A synthetic clip. Build it once, then render any frame in any order.
#[derive(Debug, Clone)]
pub struct Clip {
    spec: ClipSpec,
    scene: Scene,
    background: Vec<u8>,
    noise: Noise,
    noise_rows: Vec<usize>,
    state: FrameState,
}

impl Clip {
    /// Validate the spec, script the scenario and pre-render the background.
    pub fn new(spec: ClipSpec) -> Result<Clip, SimError> {
        spec.validate()?;
        let scene = scenario::build(&spec)?;
        let (w, h) = (spec.width as usize, spec.height as usize);
        let mut background = vec![0u8; w * h * 3];
        BackgroundRenderer::new(&scene.cam, &scene.look).render(&mut background, w, h);
        let mut rng = Rng::new(spec.seed).fork(NOISE_TAG);
        let std = rng.range(NOISE_MIN, NOISE_MAX);
        let noise = Noise::new(&mut rng, w * 3, std);
        Ok(Clip {
            spec,
            scene,
            background,
            noise,
            noise_rows: vec![0; h],
            state: FrameState::default(),
        })
    }

    /// The spec this clip was built from.
    pub fn spec(&self) -> &ClipSpec {
        &self.spec
    }

    /// Number of frames.
    pub fn frame_count(&self) -> u32 {
        self.spec.frames
    }

    /// Ground truth of any frame without rendering it (frames past the end extrapolate).
    pub fn ground_truth(&self, frame: u32) -> GroundTruth {
        let mut st = FrameState::default();
        self.scene.pose(self.spec.time_of(frame), &mut st);
        self.scene
            .ground_truth(&st, frame, self.spec.timestamp_us(frame))
    }

    /// Bytes of one RGB8 frame.
    pub fn rgb_len(&self) -> usize {
        self.spec.width as usize * self.spec.height as usize * 3
    }

    /// Render a frame into `out` (RGB8, row stride width*3) and return its ground truth.
    pub fn render_rgb(&mut self, frame: u32, out: &mut [u8]) -> Result<GroundTruth, SimError> {
        let need = self.rgb_len();
        if out.len() < need {
            return Err(SimError::BufferTooSmall {
                needed: need,
                got: out.len(),
            });
        }
        if frame >= self.spec.frames {
            return Err(SimError::FrameOutOfRange {
                frame,
                frames: self.spec.frames,
            });
        }
        let (w, h) = (self.spec.width as usize, self.spec.height as usize);
        let img = &mut out[..need];
        self.noise.rows_for(u64::from(frame), &mut self.noise_rows);
        self.noise
            .copy_with_noise(&self.background, img, &self.noise_rows);
        self.scene.pose(self.spec.time_of(frame), &mut self.state);
        let mut canvas = Canvas {
            px: img,
            w,
            h,
            noise: Some(self.noise.view(&self.noise_rows)),
        };
        self.scene.draw(&self.state, &mut canvas);
        self.spec.light.apply(img, self.spec.seed, frame);
        Ok(self
            .scene
            .ground_truth(&self.state, frame, self.spec.timestamp_us(frame)))
    }

    /// Ball height above the ground (m) at a frame (test support).
    pub fn ball_height_m(&self, frame: u32) -> f64 {
        self.scene.ball_height(self.spec.time_of(frame))
    }
}
