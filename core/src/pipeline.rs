//! The [`Engine`]: one camera frame in, the ball and the virtual camera's crop out.
//!
//! Per frame: validate the frame, ask the tracker where the ball should be, let the scheduler
//! choose the detector work within the budget, convert only the needed pixels into the model's
//! input, run the detector, decode candidates, update the tracker and the crop planner.
//! All coordinates in a [`FrameResult`] are pixels of the *upright* frame (after the frame's
//! rotation is applied), so a shell can draw them on its preview directly.
//!
//! Buffers are allocated in [`Engine::new`] for the configured maximum frame size; a warmed-up
//! engine does not allocate in conversion, decoding, tracking or planning. An error on one
//! frame leaves the engine usable.

use std::time::Instant;

use serde::Serialize;

use crate::config::{Ball, Config};
use crate::crop::{CropPlanner, CropRect};
use crate::detect::{Candidate, Detector, InputSize};
use crate::error::{FrameError, ModelError, Result};
use crate::frame::{Converter, Frame};
use crate::monitor::{CaptureRing, ExportError, ExportSummary, Monitor, QualitySummary, Telemetry};
use crate::schedule::{CostClass, DetectorMode, Job, Scheduler};
use crate::track::{BallEstimate, TrackState, Tracker, MAX_STILL_EVIDENCE};

/// The broadcast-football model (`ball = "football"`), embedded at build time (feature
/// `embedded-model`).
#[cfg(feature = "embedded-model")]
pub const EMBEDDED_MODEL: &[u8] = include_bytes!("../../models/ballnet.onnx");
/// The general model (`ball = "any"`), embedded at build time (feature `embedded-model`).
#[cfg(feature = "embedded-model")]
pub const EMBEDDED_MODEL_ANY: &[u8] = include_bytes!("../../models/ballnet_any.onnx");

/// The embedded model `ball` names, or `ModelError::NoModel` in a build without
/// the `embedded-model` feature.
#[cfg(feature = "embedded-model")]
pub fn embedded_model(ball: Ball) -> std::result::Result<&'static [u8], ModelError> {
    Ok(match ball {
        Ball::Any => EMBEDDED_MODEL_ANY,
        Ball::Football => EMBEDDED_MODEL,
    })
}

/// The embedded model `ball` names, or `ModelError::NoModel` in a build without
/// the `embedded-model` feature.
#[cfg(not(feature = "embedded-model"))]
pub fn embedded_model(_ball: Ball) -> std::result::Result<&'static [u8], ModelError> {
    Err(ModelError::NoModel)
}

/// Per-stage timings of one frame, microseconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct StageTimings {
    pub convert_us: u64,
    pub infer_us: u64,
    pub decode_us: u64,
    pub track_us: u64,
    pub plan_us: u64,
    pub total_us: u64,
}

/// What the engine made of one frame.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct FrameResult {
    pub timestamp_us: i64,
    /// Upright frame size (after rotation).
    pub frame_width: u32,
    pub frame_height: u32,
    /// The one ball, when the tracker has one (`state` is then `Detected` or `Predicted`).
    pub ball: Option<BallEstimate>,
    pub state: TrackState,
    /// The virtual camera's crop, inside the upright frame.
    pub crop: CropRect,
    /// Which detector mode ran.
    pub mode: DetectorMode,
    /// Detector runs on this frame (ROI, whole frame, tiles).
    pub detector_runs: u32,
    /// Candidates above the threshold, over all runs: two or more is the catastrophic
    /// "two balls" case, counted in telemetry.
    pub candidates: u32,
    /// The frame's detector work stayed within the per-frame budget.
    pub budget_held: bool,
    /// The most confident detector candidate of this frame (whether or not the tracker took
    /// it): evidence for evaluation, hard-case capture and search tests.
    pub top_candidate: Option<Candidate>,
    pub timings: StageTimings,
}

/// Most second looks in one round on a still (its strongest search candidates); a still whose
/// first round confirms nothing gets a fine pass and a second round.
const MAX_SECOND_LOOKS: usize = 3;
/// A second look confirms a search candidate with a detection within this many of its radii
/// ...
const SECOND_LOOK_GATE_RADII: f32 = 4.0;
/// ... or within this many pixels, whichever is larger.
const SECOND_LOOK_MIN_GATE_PX: f32 = 12.0;
/// Most pieces of evidence one still gathers: one per look over its two rounds, and one more
/// for each first-round look whose ball the fine pass found with a stronger score.
const MAX_VERIFIED: usize = 3 * MAX_SECOND_LOOKS;
const _: () = assert!(
    MAX_VERIFIED <= MAX_STILL_EVIDENCE,
    "the tracker would drop a still's weakest evidence"
);

/// One of a still's second looks: where it went, what it found there and the best evidence
/// it gave so far.
#[derive(Debug, Default, Clone, Copy)]
struct Look {
    x: f32,
    y: f32,
    /// The look's strongest detection near the candidate, if any.
    hit: Option<Candidate>,
    /// The best evidence score it gave (mean of a search score and the hit's), 0 if none.
    evidence: f32,
}

impl Look {
    /// A later pass found this look's ball again with search score `score`: when the mean of
    /// that and the look's hit beats the evidence it gave, the hit goes into `verified` again
    /// at the stronger mean (within the list's capacity). Returns whether it did.
    fn rescore(&mut self, score: f32, verified: &mut Vec<Candidate>) -> bool {
        let Some(hit) = self.hit else {
            return false;
        };
        let evidence = (hit.score + score) / 2.0;
        if evidence > self.evidence && push_evidence(verified, hit, evidence) {
            self.evidence = evidence;
            return true;
        }
        false
    }
}

/// Where a still's second looks went (one look per ball, over both rounds of looks).
#[derive(Debug, Default)]
struct Looked {
    at: [Look; 2 * MAX_SECOND_LOOKS],
    n: usize,
}

impl Looked {
    /// The look that went within `gate` pixels of (`x`, `y`), if any.
    fn near(&mut self, x: f32, y: f32, gate: f32) -> Option<&mut Look> {
        self.at
            .iter_mut()
            .take(self.n)
            .find(|l| (l.x - x).hypot(l.y - y) <= gate)
    }

    /// Records a look; false when the record is full.
    fn push(&mut self, look: Look) -> bool {
        match self.at.get_mut(self.n) {
            Some(slot) => {
                *slot = look;
                self.n += 1;
                true
            }
            None => false,
        }
    }
}

/// Adds a second look's detection `hit` to a still's evidence, scored `evidence`; false when
/// the list is full (it never grows past the capacity it was made with).
fn push_evidence(verified: &mut Vec<Candidate>, hit: Candidate, evidence: f32) -> bool {
    if verified.len() >= verified.capacity() {
        return false;
    }
    verified.push(Candidate {
        score: evidence,
        ..hit
    });
    true
}

/// Which list a detector job's candidates go to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Looks {
    /// The frame's candidates, for the tracker.
    Frame,
    /// A still's second look at one candidate.
    Second,
}

/// What the detector jobs of one frame did.
#[derive(Debug, Default)]
struct Work {
    /// Candidates above threshold in the frame's runs (not counting second looks).
    above: u32,
    runs: u32,
    /// Cost of the runs as the scheduler accounts it, microseconds.
    cost_us: u64,
}

/// A function giving the cost of one detector run, for deterministic runs (tests, replays):
/// replaces the measured cost in the scheduler's accounting.
pub type CostModel = Box<dyn Fn(CostClass, InputSize) -> u64 + Send>;

/// The Ballcam engine.
pub struct Engine {
    config: Config,
    converter: Converter,
    detector: Detector,
    tracker: Tracker,
    planner: CropPlanner,
    scheduler: Scheduler,
    candidates: Vec<Candidate>,
    /// Candidates of one second look (a still), and the confirmed ones.
    looks: Vec<Candidate>,
    verified: Vec<Candidate>,
    last_timestamp_us: Option<i64>,
    /// How far apart frames are expected, for the first frame after a reset.
    interval_hint_us: Option<i64>,
    /// Telemetry, quality indicator and hard-case capture.
    monitor: Monitor,
    /// sha256 of the model's bytes, lower-case hex.
    model_sha256: String,
    cost_model: Option<CostModel>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("config", &self.config)
            .field("detector", &self.detector)
            .finish()
    }
}

fn elapsed_us(since: Instant) -> u64 {
    u64::try_from(since.elapsed().as_micros()).unwrap_or(u64::MAX)
}

impl Engine {
    /// Builds an engine: validates the config, loads and prepares the model for every input
    /// size the schedule can use, and allocates every buffer.
    pub fn new(config: Config) -> Result<Engine> {
        config.validate()?;
        let converter = Self::converter_within_ceiling(&config)?;
        let d = &config.detector;
        let sizes = [d.roi_input, d.roi_small_input, d.full_input, d.tile_input];
        let model: std::borrow::Cow<'static, [u8]> = match &config.model_path {
            Some(path) => crate::detect::read_model_file(path)?.into(),
            None => embedded_model(config.ball)?.into(),
        };
        let detector = Detector::from_bytes(&model, &sizes, config.threads)?;
        Self::with_detector(config, converter, detector, sha256_hex(&model))
    }

    /// Builds an engine around model bytes (ignores `config.model_path`).
    pub fn with_model_bytes(config: Config, model: &[u8]) -> Result<Engine> {
        config.validate()?;
        let converter = Self::converter_within_ceiling(&config)?;
        let d = &config.detector;
        let sizes = [d.roi_input, d.roi_small_input, d.full_input, d.tile_input];
        let detector = Detector::from_bytes(model, &sizes, config.threads)?;
        Self::with_detector(config, converter, detector, sha256_hex(model))
    }

    /// The frame converter, once the engine's own buffers for `config` (conversion scratch,
    /// one input tensor per distinct detector input size, the candidate list) are known to fit
    /// `memory_ceiling_mb`: checked from the config, before the model or any tensor is loaded.
    fn converter_within_ceiling(config: &Config) -> Result<Converter> {
        let converter = Converter::new(
            config.max_frame_width,
            config.max_frame_height,
            config.color_range,
        );
        let d = &config.detector;
        let mut sizes = [d.roi_input, d.roi_small_input, d.full_input, d.tile_input];
        sizes.sort_by_key(|s| (s.width, s.height));
        let mut tensors = 0u64;
        for (i, s) in sizes.iter().enumerate() {
            if i == 0 || sizes[i - 1] != *s {
                tensors = tensors.saturating_add(
                    (s.tensor_len() as u64).saturating_mul(std::mem::size_of::<f32>() as u64),
                );
            }
        }
        let candidates =
            u64::from(d.max_candidates).saturating_mul(std::mem::size_of::<Candidate>() as u64);
        let ring = config.monitor.capture.heap_bytes() as u64;
        let bytes = (converter.heap_bytes() as u64)
            .saturating_add(tensors)
            .saturating_add(candidates)
            .saturating_add(ring);
        if bytes > config.memory_ceiling_bytes() {
            let ring_text = if ring > 0 {
                format!(", capture ring {} MiB", ring.div_ceil(1 << 20))
            } else {
                String::new()
            };
            return Err(crate::error::ConfigError::new(
                "memory_ceiling_mb",
                format!(
                    "the engine's buffers need {} MiB for {}x{} frames and detector inputs {}, {}, {}, {}{ring_text}, over the ceiling of {} MiB",
                    bytes.div_ceil(1 << 20),
                    config.max_frame_width,
                    config.max_frame_height,
                    d.full_input,
                    d.roi_input,
                    d.roi_small_input,
                    d.tile_input,
                    config.memory_ceiling_mb
                ),
            )
            .into());
        }
        Ok(converter)
    }

    fn with_detector(
        config: Config,
        converter: Converter,
        detector: Detector,
        model_sha256: String,
    ) -> Result<Engine> {
        let tracker = Tracker::new(config.tracker.clone()).map_err(|e| e.in_section("tracker"))?;
        let planner = CropPlanner::new(config.crop.clone()).map_err(|e| e.in_section("crop"))?;
        let scheduler = Scheduler::new(config.schedule.clone(), config.detector.clone());
        let candidates = Vec::with_capacity(config.detector.max_candidates as usize);
        let looks = Vec::with_capacity(config.detector.max_candidates as usize);
        let verified = Vec::with_capacity(MAX_VERIFIED);
        let monitor = Monitor::new(&config.monitor).map_err(|e| e.in_section("monitor"))?;
        let engine = Engine {
            config,
            converter,
            detector,
            tracker,
            planner,
            scheduler,
            candidates,
            looks,
            verified,
            last_timestamp_us: None,
            interval_hint_us: None,
            monitor,
            model_sha256,
            cost_model: None,
        };
        Ok(engine)
    }

    /// The configuration in use.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Replaces the measured detector costs by a model of them (deterministic scheduling for
    /// tests and replays); `None` goes back to measuring. Feature `testing`.
    #[cfg(any(test, feature = "testing"))]
    pub fn set_cost_model(&mut self, model: Option<CostModel>) {
        self.cost_model = model;
    }

    /// Forgets the ball, the crop path and the timestamps (for a new clip or a camera switch).
    pub fn reset(&mut self) {
        self.tracker.reset();
        self.planner.reset();
        self.scheduler.reset();
        self.last_timestamp_us = None;
        self.monitor.end_clip();
    }

    /// How far apart the frames of this stream are expected to come, microseconds: a still
    /// stream (photos, a 1-10 fps capture, labelled stills) says so, so that its first frame
    /// is treated as a still too (searched whole, a ball confirmed by a second look reported
    /// at once). Without a hint a first frame is treated as the start of a video. Kept across
    /// [`Engine::reset`]; `None` clears it.
    pub fn set_frame_interval_hint(&mut self, interval_us: Option<i64>) {
        self.interval_hint_us = interval_us.filter(|&i| i > 0);
    }

    /// Changes the crop's aspect ratio from the next frame on.
    pub fn set_aspect(&mut self, aspect: crate::crop::AspectRatio) {
        self.config.crop.aspect = aspect;
        self.planner.set_aspect(aspect);
    }

    /// The quality telemetry since the engine was built or [`Engine::reset_telemetry`]
    /// (see [`crate::monitor::telemetry`]).
    pub fn telemetry(&self) -> Telemetry {
        let mut telemetry = self.monitor.telemetry();
        telemetry.model_sha256.clone_from(&self.model_sha256);
        telemetry
    }

    /// Starts the telemetry over (counters, histograms; the capture ring is kept).
    pub fn reset_telemetry(&mut self) {
        self.monitor.reset_telemetry();
    }

    /// The tracking-quality indicator over the last second of frames.
    pub fn quality(&self) -> QualitySummary {
        self.monitor.quality()
    }

    /// The hard-case capture ring, when `monitor.capture.enabled`.
    pub fn captures(&self) -> Option<&CaptureRing> {
        self.monitor.capture()
    }

    /// Forgets the captured frames.
    pub fn clear_captures(&mut self) {
        self.monitor.clear_captures();
    }

    /// Writes the captured frames as a labelling queue into `dir` (see
    /// [`crate::monitor::export`]).
    pub fn export_captures(&self, dir: &std::path::Path) -> Result<ExportSummary, ExportError> {
        let ring = self.monitor.capture().ok_or(ExportError::Disabled)?;
        let config = self
            .config
            .to_toml_string()
            .map_err(|e| ExportError::Manifest(e.to_string()))?;
        crate::monitor::export::write_queue(dir, ring, &self.model_sha256, &config)
    }

    /// sha256 of the model in use, lower-case hex.
    pub fn model_sha256(&self) -> &str {
        &self.model_sha256
    }

    /// Bytes of heap the engine itself holds (conversion scratch, input tensors, candidate
    /// list, capture ring); tract's plans and intermediate tensors are not included.
    pub fn heap_bytes(&self) -> usize {
        self.converter.heap_bytes()
            + self.detector.input_bytes()
            + (self.candidates.capacity() + self.looks.capacity() + self.verified.capacity())
                * std::mem::size_of::<Candidate>()
            + self.monitor.heap_bytes()
    }

    /// Size of the model in bytes.
    pub fn model_bytes(&self) -> usize {
        self.detector.model_bytes()
    }

    /// The number of frames within which a still, visible ball is searched for everywhere.
    pub fn search_cycle_frames(&self) -> usize {
        self.scheduler.search_cycle_len()
    }

    /// Processes one frame.
    pub fn process(&mut self, frame: &Frame) -> Result<FrameResult> {
        match self.process_inner(frame) {
            Ok(r) => Ok(r),
            Err(e) => {
                self.monitor.frame_error();
                Err(e)
            }
        }
    }

    fn process_inner(&mut self, frame: &Frame) -> Result<FrameResult> {
        let start = Instant::now();
        // Validated and checked against the configured maximum on every frame, also those
        // that run no detector job (a skip frame used to take any size).
        self.converter.check_frame(frame)?;
        let t = frame.timestamp_us;
        if let Some(prev) = self.last_timestamp_us {
            if t <= prev {
                return Err(FrameError::NonMonotonicTimestamp {
                    timestamp_us: t,
                    previous_us: prev,
                }
                .into());
            }
        }
        let (w, h) = frame.upright_size();
        let mut timings = StageTimings::default();

        let gap_us = match self.last_timestamp_us {
            Some(prev) => Some(t.saturating_sub(prev)),
            None => self.interval_hint_us,
        };
        let still = self.tracker.is_still_gap(gap_us);
        // Where to look: the tracker's choice (the track or the best hypothesis, a rival, the
        // rest of the frame while it is not sure it follows the ball in play, or on a still).
        let (view, lookout) = self.tracker.attention(t, still);
        let decision = self.scheduler.decide_after(gap_us, w, h, view, lookout);

        // Detector runs.
        self.candidates.clear();
        let mut work = Work::default();
        let bounds = (w as f32, h as f32);
        for job in decision.jobs() {
            self.run_job(frame, job, bounds, &mut timings, &mut work, Looks::Frame)?;
        }
        if still {
            // The first frames of an engine learn the search's cost from one run; a still
            // goes on to search the rest of its frame once that cost is known.
            let more = self.scheduler.resume_search();
            for job in more.jobs() {
                self.run_job(frame, job, bounds, &mut timings, &mut work, Looks::Frame)?;
            }
        }
        // A still's second looks: a region of interest on each of its strongest candidates
        // ([`crate::schedule::Scheduler::second_look`]), on this frame (there is no next frame
        // soon to confirm it on).
        self.verified.clear();
        if still {
            let mut looked = Looked::default();
            self.second_looks(frame, w, h, &mut looked, &mut timings, &mut work)?;
            // Nothing confirmed: search again at the fine scale (the frame seen as a 1080p one
            // natively), and look again at what that finds.
            let confirm = self.config.tracker.confirm_score;
            if !self.verified.iter().any(|c| c.score >= confirm)
                && self.fine_search(frame, w, h, &mut timings, &mut work)?
            {
                self.second_looks(frame, w, h, &mut looked, &mut timings, &mut work)?;
            }
        }
        let (candidates_above, runs, work_us) = (work.above, work.runs, work.cost_us);
        let t2 = Instant::now();
        let searched = runs > 0;
        let ball = if still {
            self.tracker.update_still(t, &self.verified, searched)
        } else {
            self.tracker.update(t, &self.candidates, searched)
        };
        timings.track_us = elapsed_us(t2);
        let t3 = Instant::now();
        let crop = self.planner.update(t, w, h, ball.as_ref());
        timings.plan_us = elapsed_us(t3);
        timings.total_us = elapsed_us(start);

        let state = self.tracker.state();
        self.last_timestamp_us = Some(t);
        let budget_held = work_us as f64 <= self.scheduler.frame_budget_us();
        let result = FrameResult {
            timestamp_us: t,
            frame_width: w,
            frame_height: h,
            ball,
            state,
            crop,
            mode: decision.mode,
            detector_runs: runs,
            candidates: candidates_above,
            budget_held,
            top_candidate: self.candidates.first().copied(),
            timings,
        };
        self.monitor
            .observe(frame, &result, &self.candidates, &mut self.converter);
        Ok(result)
    }

    /// A still's second looks: a region of interest on each of the strongest distinct
    /// candidates a search would report (`detector.threshold`) not `looked` at yet, at most
    /// [`MAX_SECOND_LOOKS`] and as far as the credit goes (native, or upscaled at the fine pass's
    /// full scale, or the tiles' where finer, for a small ball in a frame under 1080p:
    /// [`crate::schedule::Scheduler::second_look`]). Each
    /// one found again goes into `verified`, scored by the mean of its two scores: either look
    /// alone errs on a still (the search pass sees the ball smaller than the native look), the
    /// two together rarely both do. A candidate near an earlier look gets no new one: when its
    /// search score is stronger than that look's candidate's (the fine pass saw the ball
    /// better), the earlier look's detection goes into `verified` again with the stronger mean.
    fn second_looks(
        &mut self,
        frame: &Frame,
        w: u32,
        h: u32,
        looked: &mut Looked,
        timings: &mut StageTimings,
        work: &mut Work,
    ) -> Result<()> {
        let bar = self.config.detector.threshold;
        let bounds = (w as f32, h as f32);
        let mut n = 0usize;
        for i in 0..self.candidates.len() {
            let Some(c) = self.candidates.get(i).copied() else {
                break;
            };
            if c.score < bar || n >= MAX_SECOND_LOOKS {
                break;
            }
            let gate = (SECOND_LOOK_GATE_RADII * c.radius).max(SECOND_LOOK_MIN_GATE_PX);
            // The same ball found by two overlapping passes, or again by the fine pass, gets
            // one look; a stronger search score there makes stronger evidence of its hit.
            if let Some(look) = looked.near(c.x, c.y, gate) {
                look.rescore(c.score, &mut self.verified);
                continue;
            }
            let Some(job) = self.scheduler.second_look(w, h, c.x, c.y, c.radius) else {
                break;
            };
            n += 1;
            self.looks.clear();
            self.run_job(frame, &job, bounds, timings, work, Looks::Second)?;
            let hit = self
                .looks
                .iter()
                .filter(|l| (l.x - c.x).hypot(l.y - c.y) <= gate)
                .max_by(|a, b| a.score.total_cmp(&b.score))
                .copied();
            let evidence = hit.map_or(0.0, |hit| (hit.score + c.score) / 2.0);
            if let Some(hit) = hit {
                push_evidence(&mut self.verified, hit, evidence);
            }
            let look = Look {
                x: c.x,
                y: c.y,
                hit,
                evidence,
            };
            if !looked.push(look) {
                break;
            }
        }
        Ok(())
    }

    /// A still's fine pass: tiles over the frame at the finest scale the credit pays for (the
    /// frame seen as a 1080p one natively when it can:
    /// [`crate::schedule::Scheduler::fine_pass_scale`]), as far as the credit goes less
    /// [`MAX_SECOND_LOOKS`] looks' worth (the looks at what it finds); their candidates join
    /// the frame's. Returns whether any tile ran.
    fn fine_search(
        &mut self,
        frame: &Frame,
        w: u32,
        h: u32,
        timings: &mut StageTimings,
        work: &mut Work,
    ) -> Result<bool> {
        let bounds = (w as f32, h as f32);
        let Some(scale) = self.scheduler.fine_pass_scale(w, h, MAX_SECOND_LOOKS) else {
            return Ok(false);
        };
        let mut index = 0;
        while let Some(job) = self
            .scheduler
            .fine_tile(w, h, scale, index, MAX_SECOND_LOOKS)
        {
            self.run_job(frame, &job, bounds, timings, work, Looks::Frame)?;
            index += 1;
        }
        Ok(index > 0)
    }

    /// Runs one detector job: converts its pixels, infers, decodes its candidates into the
    /// frame's list (or the second-look list), and accounts its cost.
    fn run_job(
        &mut self,
        frame: &Frame,
        job: &Job,
        bounds: (f32, f32),
        timings: &mut StageTimings,
        work: &mut Work,
        into: Looks,
    ) -> Result<()> {
        let (iw, ih) = (job.input.width, job.input.height);
        let threshold = match job.class {
            CostClass::Roi | CostClass::RoiSmall => self.config.detector.roi_threshold,
            CostClass::Full | CostClass::Tile => self.config.detector.threshold,
        };
        let out = match into {
            Looks::Frame => &mut self.candidates,
            Looks::Second => &mut self.looks,
        };
        let converter = &mut self.converter;
        let fill = |dst: &mut [f32]| {
            if job.whole_frame {
                converter.tensor_from_frame(frame, dst, iw, ih)
            } else {
                converter.tensor_from_region(frame, job.region, dst, iw, ih)
            }
        };
        let t0 = Instant::now();
        let stats = self
            .detector
            .detect(job.input, fill, threshold, bounds, out)?;
        let run = elapsed_us(t0);
        timings.convert_us += stats.input_us;
        timings.infer_us += run.saturating_sub(stats.input_us + stats.decode_us);
        timings.decode_us += stats.decode_us;
        if into == Looks::Frame {
            work.above += stats.above_threshold;
        }
        work.runs += 1;
        let cost = match &self.cost_model {
            Some(model) => model(job.class, job.input),
            None => run,
        };
        work.cost_us = work.cost_us.saturating_add(cost);
        self.scheduler.record(job.class, cost);
        Ok(())
    }
}

impl Engine {
    /// Reads YUV frames with `range` from the next frame on (a camera's range may differ from the
    /// configured one). Allocates nothing.
    pub fn set_color_range(&mut self, range: crate::frame::ColorRange) {
        if self.config.color_range != range {
            self.config.color_range = range;
            self.converter.set_color_range(range);
        }
    }
}

/// sha256 of `bytes`, lower-case hex.
fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes)
        .iter()
        .fold(String::with_capacity(64), |mut s, b| {
            use std::fmt::Write as _;
            let _ = write!(s, "{b:02x}");
            s
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hit(score: f32) -> Candidate {
        Candidate {
            x: 100.0,
            y: 50.0,
            radius: 4.0,
            score,
        }
    }

    #[test]
    fn a_stronger_later_find_counts_the_look_again_at_the_stronger_mean() {
        // First round: search 0.40, look 0.60 -> evidence (0.40 + 0.60) / 2 = 0.50.
        let mut look = Look {
            x: 100.0,
            y: 50.0,
            hit: Some(hit(0.6)),
            evidence: 0.5,
        };
        let mut verified = Vec::with_capacity(2);
        // The fine pass scores it 0.70: (0.60 + 0.70) / 2 = 0.65 > 0.50.
        assert!(look.rescore(0.7, &mut verified));
        assert_eq!(verified.len(), 1);
        assert!((verified[0].score - 0.65).abs() < 1e-6);
        assert_eq!((verified[0].x, verified[0].y), (100.0, 50.0));
        assert!((look.evidence - 0.65).abs() < 1e-6);
        // A weaker find, 0.50: (0.60 + 0.50) / 2 = 0.55 < 0.65, nothing more.
        assert!(!look.rescore(0.5, &mut verified));
        assert_eq!(verified.len(), 1);
    }

    #[test]
    fn a_look_that_found_nothing_or_a_full_list_adds_no_evidence() {
        let mut empty = Look {
            x: 100.0,
            y: 50.0,
            hit: None,
            evidence: 0.0,
        };
        let mut verified = Vec::with_capacity(1);
        assert!(!empty.rescore(0.9, &mut verified));
        assert!(verified.is_empty());
        verified.push(hit(0.8));
        assert_eq!(verified.len(), verified.capacity(), "the list is full");
        let mut look = Look {
            hit: Some(hit(0.6)),
            evidence: 0.5,
            ..empty
        };
        // (0.60 + 0.90) / 2 = 0.75 would be stronger, but the list is at its capacity: the
        // look keeps its evidence.
        assert!(!look.rescore(0.9, &mut verified));
        assert_eq!(verified.len(), 1);
        assert_eq!(look.evidence, 0.5);
    }
}
