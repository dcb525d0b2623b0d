//! Hard-case capture (opt-in, bounded, private): the frames worth labelling, kept in a ring of
//! fixed-size slots allocated once, under `monitor.capture.memory_kib`.
//!
//! A frame is captured when
//!
//! * the tracked ball was detected with a low score ([`CaptureReason::LowConfidence`]);
//! * two or more distinct confident candidates showed ([`CaptureReason::MultiBall`]; the image is
//!   centred on the rival, the candidate that tempts the tracker);
//! * the track started coasting and then was lost ([`CaptureReason::BeforeLoss`]: the first frame
//!   the detector missed the ball, kept aside when the coast starts and committed when the loss
//!   comes);
//! * the ball was found again after a loss ([`CaptureReason::AfterReacquire`]).
//!
//! Hard frames are grouped into **episodes**: a hard frame (one of the above, or a frame
//! coasting or lost after the clip's first acquisition) more than `episode_gap_s` after the
//! previous hard frame starts a new one. Within an episode, frames of one reason are kept at
//! least `min_interval_s` apart and at most `max_per_episode` frames are taken in each
//! `episode_refill_s` of its length, so that one long failure does not fill the ring at once and
//! is still sampled along its length. When the ring is full, the new frame replaces a frame of the
//! episode holding the most frames (ties: the oldest episode) — the oldest of the reason that
//! episode holds most of (ties: [`CaptureReason::keep_rank`]): every episode keeps frames as long
//! as there are no more episodes than slots, and keeps its different kinds of frame longest.
//!
//! Each image is the square of the upright frame around the ball (or the rival) spanning
//! `span_radii` of its radius and at least `side_px` frame pixels, resampled to `side_px` x
//! `side_px` RGB: small balls stay at native resolution, large ones are downscaled. Nothing
//! leaves the ring unless the app exports it ([`crate::monitor::export`]).

use serde::{Deserialize, Serialize};

use super::facts::FrameFacts;
use crate::error::ConfigError;
use crate::frame::{Converter, Frame, Region};
use crate::pipeline::FrameResult;
use crate::track::{BallEstimate, TrackState};
use crate::types::Candidate;
use crate::types::US_PER_S;

/// Candidates kept with each captured frame, best first.
pub const MAX_CAPTURED_CANDIDATES: usize = 4;
/// Smallest and largest accepted image side, pixels.
const MIN_SIDE_PX: u32 = 32;
const MAX_SIDE_PX: u32 = 1024;
/// Largest accepted ring, KiB (1 GiB).
const MAX_MEMORY_KIB: u32 = 1 << 20;
/// Bytes per KiB.
const KIB: usize = 1024;
/// RGB channels.
const CHANNELS: usize = 3;

/// Hard-case capture settings (off by default).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CaptureConfig {
    /// Keep the frames worth labelling in the ring. Default false.
    pub enabled: bool,
    /// Ceiling on the ring's memory (images, their metadata, the frame kept aside at a coast,
    /// the image being taken and its conversion scratch), KiB; the slot count follows from it. Default 8192.
    pub memory_kib: u32,
    /// Side of a captured image, pixels (square, RGB). Default 160.
    pub side_px: u32,
    /// The image spans this many radii of the ball (or at least `side_px` frame pixels).
    /// Default 12.
    pub span_radii: f32,
    /// Frames of one reason within one episode are kept at least this far apart, seconds.
    /// Default 0.5.
    pub min_interval_s: f32,
    /// Most frames taken from one episode in its first `episode_refill_s` ... Default 6.
    pub max_per_episode: u32,
    /// ... and as many more in each further `episode_refill_s` it lasts (a whole match under
    /// bad light is one long episode, sampled along its length), seconds. Default 10.
    pub episode_refill_s: f32,
    /// A hard frame this long after the previous one starts a new episode, seconds.
    /// Default 2.0.
    pub episode_gap_s: f32,
}

impl Default for CaptureConfig {
    fn default() -> Self {
        CaptureConfig {
            enabled: false,
            memory_kib: 8192,
            side_px: 160,
            span_radii: 12.0,
            min_interval_s: 0.5,
            max_per_episode: 6,
            episode_refill_s: 10.0,
            episode_gap_s: 2.0,
        }
    }
}

impl CaptureConfig {
    /// Bytes of one image.
    fn image_bytes(&self) -> usize {
        let side = self.side_px as usize;
        side * side * CHANNELS
    }

    /// Bytes of the conversion scratch (one `f32` tensor of an image).
    fn scratch_bytes(&self) -> usize {
        self.image_bytes() * std::mem::size_of::<f32>()
    }

    /// Bytes of one slot: its image and its metadata.
    fn slot_bytes(&self) -> usize {
        self.image_bytes() + std::mem::size_of::<Option<CaptureMeta>>()
    }

    /// Bytes besides the slots: the conversion scratch, the staged image and the frame kept
    /// aside at a coast.
    fn fixed_bytes(&self) -> usize {
        self.scratch_bytes() + 2 * self.image_bytes()
    }

    /// Slots that fit the ceiling beside the fixed buffers (0 when none).
    pub fn slots(&self) -> usize {
        let budget = (self.memory_kib as usize).saturating_mul(KIB);
        let fixed = self.fixed_bytes();
        budget.saturating_sub(fixed) / self.slot_bytes().max(1)
    }

    /// Bytes the ring holds when enabled (0 when not): at most `memory_kib` KiB.
    pub fn heap_bytes(&self) -> usize {
        if !self.enabled {
            return 0;
        }
        self.slots() * self.slot_bytes() + self.fixed_bytes()
    }

    /// Checks every field (and that an enabled ring holds at least one image).
    pub fn validate(&self) -> Result<(), ConfigError> {
        if !(MIN_SIDE_PX..=MAX_SIDE_PX).contains(&self.side_px) {
            return Err(ConfigError::new(
                "side_px",
                format!("{} must be in {MIN_SIDE_PX}..={MAX_SIDE_PX}", self.side_px),
            ));
        }
        if !(1..=MAX_MEMORY_KIB).contains(&self.memory_kib) {
            return Err(ConfigError::new(
                "memory_kib",
                format!("{} must be in 1..={MAX_MEMORY_KIB}", self.memory_kib),
            ));
        }
        if self.enabled && self.slots() == 0 {
            let need = (self.fixed_bytes() + self.slot_bytes()).div_ceil(KIB);
            return Err(ConfigError::new(
                "memory_kib",
                format!(
                    "{} KiB holds no {}x{} image: at least {need} KiB are needed",
                    self.memory_kib, self.side_px, self.side_px
                ),
            ));
        }
        if !(self.span_radii.is_finite() && self.span_radii > 0.0) {
            return Err(ConfigError::new(
                "span_radii",
                format!("{} must be finite and positive", self.span_radii),
            ));
        }
        if !(self.episode_refill_s.is_finite() && self.episode_refill_s > 0.0) {
            return Err(ConfigError::new(
                "episode_refill_s",
                format!("{} must be finite and positive", self.episode_refill_s),
            ));
        }
        for (field, v) in [
            ("min_interval_s", self.min_interval_s),
            ("episode_gap_s", self.episode_gap_s),
        ] {
            if !(v.is_finite() && v >= 0.0) {
                return Err(ConfigError::new(
                    field,
                    format!("{v} must be finite and >= 0"),
                ));
            }
        }
        if self.max_per_episode == 0 {
            return Err(ConfigError::new("max_per_episode", "must be at least 1"));
        }
        Ok(())
    }
}

/// Why a frame was kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaptureReason {
    /// The tracked ball was detected with a low score.
    LowConfidence,
    /// Two or more distinct confident candidates.
    MultiBall,
    /// The first frame the detector missed the ball before the track was lost.
    BeforeLoss,
    /// The first detection after a loss.
    AfterReacquire,
}

impl CaptureReason {
    /// Every reason, in order.
    pub const ALL: [CaptureReason; 4] = [
        CaptureReason::LowConfidence,
        CaptureReason::MultiBall,
        CaptureReason::BeforeLoss,
        CaptureReason::AfterReacquire,
    ];

    /// Snake-case name, as written in labels.csv.
    pub fn name(self) -> &'static str {
        match self {
            CaptureReason::LowConfidence => "low_confidence",
            CaptureReason::MultiBall => "multi_ball",
            CaptureReason::BeforeLoss => "before_loss",
            CaptureReason::AfterReacquire => "after_reacquire",
        }
    }

    /// Which frames an episode keeps longest when the ring is full and it holds as many of
    /// each (higher is kept longer): the frame the detector missed before a loss (a hard
    /// positive), then a confident second ball (a hard negative), a weak detection, and the
    /// re-acquisition (the detector found the ball again).
    pub fn keep_rank(self) -> u8 {
        match self {
            CaptureReason::AfterReacquire => 0,
            CaptureReason::LowConfidence => 1,
            CaptureReason::MultiBall => 2,
            CaptureReason::BeforeLoss => 3,
        }
    }

    fn index(self) -> usize {
        match self {
            CaptureReason::LowConfidence => 0,
            CaptureReason::MultiBall => 1,
            CaptureReason::BeforeLoss => 2,
            CaptureReason::AfterReacquire => 3,
        }
    }
}

/// What is known about one captured frame. Positions are upright frame pixels; the image shows
/// the square `region_x, region_y, region_side` of the frame.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CaptureMeta {
    /// Order of capture (from 0, never reused).
    pub sequence: u64,
    /// The engine's frame number (frames processed since it was built, from 0).
    pub frame: u64,
    /// The engine's clip number (resets since it was built).
    pub clip: u64,
    /// The frame's timestamp, microseconds.
    pub timestamp_us: i64,
    /// Why it was kept.
    pub reason: CaptureReason,
    /// The failure episode it belongs to.
    pub episode: u64,
    /// The track's state on the frame.
    pub state: TrackState,
    /// The tracked ball, when any.
    pub ball: Option<BallEstimate>,
    /// The detector score of the tracked ball (detected frames).
    pub ball_score: Option<f32>,
    /// The frame's best candidates (`candidate_count` of them).
    pub candidates: [Candidate; MAX_CAPTURED_CANDIDATES],
    /// How many of `candidates` are set.
    pub candidate_count: u8,
    /// Upright frame size.
    pub frame_width: u32,
    pub frame_height: u32,
    /// The square of the frame the image shows: left, top, side (frame pixels).
    pub region_x: i32,
    pub region_y: i32,
    pub region_side: u32,
    /// Side of the image, pixels.
    pub image_side: u32,
}

impl CaptureMeta {
    /// The candidates set.
    pub fn candidates(&self) -> &[Candidate] {
        self.candidates
            .get(..usize::from(self.candidate_count))
            .unwrap_or(&[])
    }

    /// Image pixels per frame pixel.
    pub fn scale(&self) -> f32 {
        self.image_side as f32 / self.region_side.max(1) as f32
    }

    /// A frame position in image pixels.
    pub fn to_image(self, x: f32, y: f32) -> (f32, f32) {
        let s = self.scale();
        (
            (x - self.region_x as f32) * s,
            (y - self.region_y as f32) * s,
        )
    }

    /// Whether a frame position lies inside the image.
    pub fn shows(&self, x: f32, y: f32) -> bool {
        let (u, v) = self.to_image(x, y);
        let side = self.image_side as f32;
        u >= 0.0 && v >= 0.0 && u < side && v < side
    }
}

/// Counts of the ring.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CaptureStats {
    /// Slots of the ring.
    pub capacity: u64,
    /// Frames held now.
    pub stored: u64,
    /// Frames taken since the ring was made (or cleared), including replaced ones.
    pub captured: u64,
    /// Frames replaced by newer ones when the ring was full.
    pub replaced: u64,
    /// Failure episodes seen.
    pub episodes: u64,
    /// Bytes the ring holds.
    pub heap_bytes: u64,
}

/// Episode bookkeeping.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
struct Episode {
    id: u64,
    /// Its first hard frame.
    start_us: i64,
    last_hard_us: Option<i64>,
    taken: u32,
    last_taken_us: [Option<i64>; 4],
}

/// The ring.
#[derive(Debug, Clone)]
pub struct CaptureRing {
    config: CaptureConfig,
    pixels: Vec<u8>,
    meta: Vec<Option<CaptureMeta>>,
    /// The frame kept aside when a coast starts (committed if a loss follows).
    aside: Vec<u8>,
    aside_meta: Option<CaptureMeta>,
    /// The image being taken, and its conversion tensor.
    staged: Vec<u8>,
    scratch: Vec<f32>,
    next_sequence: u64,
    episodes: u64,
    episode: Episode,
    last_state: Option<TrackState>,
    acquired: bool,
    captured: u64,
    replaced: u64,
}

/// One processed frame as the ring sees it.
#[derive(Debug, Clone, Copy)]
pub struct Seen<'f, 'a> {
    /// The frame's pixels.
    pub frame: &'f Frame<'a>,
    /// The engine's result.
    pub result: &'f FrameResult,
    /// What the result says about quality.
    pub facts: &'f FrameFacts,
    /// The frame's detector candidates, best first.
    pub candidates: &'f [Candidate],
    /// The engine's frame number (frames processed since it was built).
    pub frame_no: u64,
    /// The engine's clip number (resets since it was built).
    pub clip: u64,
    /// The tracked ball was detected with a score below `monitor.low_confidence`.
    pub low_confidence: bool,
}

/// Where and why to take a frame.
#[derive(Debug, Clone, Copy)]
struct Shot {
    reason: CaptureReason,
    x: f32,
    y: f32,
    radius: f32,
}

impl CaptureRing {
    /// The ring for `config`, allocated at once; `None` when capture is off.
    pub fn new(config: &CaptureConfig) -> Result<Option<CaptureRing>, ConfigError> {
        config.validate()?;
        if !config.enabled {
            return Ok(None);
        }
        let slots = config.slots();
        let image = config.image_bytes();
        Ok(Some(CaptureRing {
            config: config.clone(),
            pixels: vec![0; slots * image],
            meta: vec![None; slots],
            aside: vec![0; image],
            aside_meta: None,
            staged: vec![0; image],
            scratch: vec![0.0; image],
            next_sequence: 0,
            episodes: 0,
            episode: Episode::default(),
            last_state: None,
            acquired: false,
            captured: 0,
            replaced: 0,
        }))
    }

    /// Bytes held (images, metadata, the frame kept aside, the scratch).
    pub fn heap_bytes(&self) -> usize {
        self.pixels.capacity()
            + self.aside.capacity()
            + self.staged.capacity()
            + self.meta.capacity() * std::mem::size_of::<Option<CaptureMeta>>()
            + self.scratch.capacity() * std::mem::size_of::<f32>()
    }

    /// The ring's counts.
    pub fn stats(&self) -> CaptureStats {
        CaptureStats {
            capacity: self.meta.len() as u64,
            stored: self.meta.iter().filter(|m| m.is_some()).count() as u64,
            captured: self.captured,
            replaced: self.replaced,
            episodes: self.episodes,
            heap_bytes: self.heap_bytes() as u64,
        }
    }

    /// Side of the images, pixels.
    pub fn image_side(&self) -> u32 {
        self.config.side_px
    }

    /// The frames held, oldest first, with their RGB images (`image_side`² x 3 bytes).
    pub fn entries(&self) -> Vec<(CaptureMeta, &[u8])> {
        let image = self.config.image_bytes();
        let mut out: Vec<(CaptureMeta, &[u8])> = self
            .meta
            .iter()
            .enumerate()
            .filter_map(|(i, m)| {
                let m = (*m)?;
                let px = self.pixels.get(i * image..(i + 1) * image)?;
                Some((m, px))
            })
            .collect();
        out.sort_by_key(|(m, _)| m.sequence);
        out
    }

    /// Forgets every frame held (the slots stay allocated).
    pub fn clear(&mut self) {
        self.meta.iter_mut().for_each(|m| *m = None);
        self.aside_meta = None;
        self.captured = 0;
        self.replaced = 0;
    }

    /// The engine was reset (a new clip): the next frame starts a new clip's bookkeeping; the
    /// frames held stay.
    pub fn end_clip(&mut self) {
        self.aside_meta = None;
        self.last_state = None;
        self.acquired = false;
        self.episode.last_hard_us = None;
    }

    /// Looks at one processed frame and keeps it when it is worth labelling.
    pub(crate) fn observe(&mut self, seen: &Seen, converter: &mut Converter) {
        let (r, facts) = (seen.result, seen.facts);
        let t = r.timestamp_us;
        let was = self.last_state;
        self.last_state = Some(r.state);
        let low = seen.low_confidence;
        let untracked_after_acquisition = self.acquired && r.state != TrackState::Detected;
        if r.state != TrackState::Lost {
            self.acquired = true;
        }
        let hard = low || facts.multi_ball() || untracked_after_acquisition;
        if hard {
            let gap_us = (f64::from(self.config.episode_gap_s) * US_PER_S) as i64;
            let new_episode = self
                .episode
                .last_hard_us
                .is_none_or(|last| t.saturating_sub(last) > gap_us || t < last);
            if new_episode {
                self.episodes += 1;
                self.episode = Episode {
                    id: self.episodes,
                    start_us: t,
                    ..Episode::default()
                };
            }
            self.episode.last_hard_us = Some(t);
        }
        // The coast starts: keep its first frame aside; a loss commits it, a detection drops it.
        match (was, r.state) {
            (Some(TrackState::Detected), TrackState::Predicted) => {
                if let Some(b) = r.ball {
                    let shot = Shot {
                        reason: CaptureReason::BeforeLoss,
                        x: b.x,
                        y: b.y,
                        radius: b.radius,
                    };
                    self.aside_meta = self.take(seen, shot, converter).ok().flatten();
                    if self.aside_meta.is_some() {
                        self.aside.copy_from_slice(&self.staged);
                    }
                }
            }
            (Some(TrackState::Predicted), TrackState::Lost) => {
                if let Some(m) = self.aside_meta.take() {
                    self.commit_aside(m);
                }
            }
            (_, TrackState::Detected) => self.aside_meta = None,
            _ => {}
        }
        let shot = if was == Some(TrackState::Lost) && r.state == TrackState::Detected {
            // Only a re-acquisition: the clip's first acquisition is not a failure.
            r.ball
                .filter(|_| self.episode.last_hard_us.is_some())
                .map(|b| Shot {
                    reason: CaptureReason::AfterReacquire,
                    x: b.x,
                    y: b.y,
                    radius: b.radius,
                })
        } else if facts.multi_ball() {
            facts.rival.map(|c| Shot {
                reason: CaptureReason::MultiBall,
                x: c.x,
                y: c.y,
                radius: c.radius,
            })
        } else if low {
            r.ball.map(|b| Shot {
                reason: CaptureReason::LowConfidence,
                x: b.x,
                y: b.y,
                radius: b.radius,
            })
        } else {
            None
        };
        if let Some(shot) = shot {
            if self.allowed(shot.reason, t) {
                if let Ok(Some(m)) = self.take(seen, shot, converter) {
                    self.store(m, false);
                }
            }
        }
    }

    /// Whether the episode's quotas let a frame of `reason` at `t` in.
    fn allowed(&self, reason: CaptureReason, t: i64) -> bool {
        let refill_us = (f64::from(self.config.episode_refill_s) * US_PER_S) as i64;
        let refills = t.saturating_sub(self.episode.start_us).max(0) / refill_us.max(1);
        let quota = u64::from(self.config.max_per_episode)
            .saturating_mul(u64::try_from(refills).unwrap_or(0).saturating_add(1));
        if u64::from(self.episode.taken) >= quota {
            return false;
        }
        let min_us = (f64::from(self.config.min_interval_s) * US_PER_S) as i64;
        self.episode
            .last_taken_us
            .get(reason.index())
            .copied()
            .flatten()
            .is_none_or(|last| t.saturating_sub(last) >= min_us || t < last)
    }

    /// Converts the shot's square into the staged image and returns its metadata; `None` when
    /// the shot has no position.
    fn take(
        &mut self,
        seen: &Seen,
        shot: Shot,
        converter: &mut Converter,
    ) -> Result<Option<CaptureMeta>, crate::error::FrameError> {
        let (r, candidates) = (seen.result, seen.candidates);
        let side_px = self.config.side_px;
        let (fw, fh) = (r.frame_width, r.frame_height);
        if !(shot.x.is_finite() && shot.y.is_finite()) {
            return Ok(None);
        }
        let span = (self.config.span_radii * shot.radius.max(0.0))
            .max(side_px as f32)
            .round()
            .clamp(1.0, fw.max(fh) as f32) as u32;
        // Inside the frame where it fits, so that the image shows as much of it as it can.
        let place = |centre: f32, extent: u32| -> i32 {
            let lo = (centre - span as f32 / 2.0).round() as i64;
            let hi = i64::from(extent) - i64::from(span);
            if hi >= 0 {
                lo.clamp(0, hi) as i32
            } else {
                (hi / 2) as i32
            }
        };
        let region = Region {
            x: place(shot.x, fw),
            y: place(shot.y, fh),
            width: span,
            height: span,
        };
        converter.tensor_from_region(seen.frame, region, &mut self.scratch, side_px, side_px)?;
        quantise(&self.scratch, side_px as usize, &mut self.staged);
        let mut kept = [Candidate::default(); MAX_CAPTURED_CANDIDATES];
        let n = candidates.len().min(MAX_CAPTURED_CANDIDATES);
        for (dst, src) in kept.iter_mut().zip(candidates) {
            *dst = *src;
        }
        let meta = CaptureMeta {
            sequence: 0,
            frame: seen.frame_no,
            clip: seen.clip,
            timestamp_us: r.timestamp_us,
            reason: shot.reason,
            episode: self.episode.id,
            state: r.state,
            ball: r.ball,
            ball_score: seen.facts.ball_score,
            candidates: kept,
            candidate_count: n as u8,
            frame_width: fw,
            frame_height: fh,
            region_x: region.x,
            region_y: region.y,
            region_side: span,
            image_side: side_px,
        };
        Ok(Some(meta))
    }

    /// Commits the frame kept aside at the coast's start.
    fn commit_aside(&mut self, meta: CaptureMeta) {
        if !self.allowed(meta.reason, meta.timestamp_us) {
            return;
        }
        self.store(meta, true);
    }

    /// Puts `meta` (its image staged, or aside) into a free slot, or in place of the
    /// oldest frame of the episode holding the most.
    fn store(&mut self, mut meta: CaptureMeta, from_aside: bool) {
        let slot = match self.meta.iter().position(Option::is_none) {
            Some(free) => free,
            None => {
                let Some(victim) = self.victim(meta.episode) else {
                    return;
                };
                self.replaced += 1;
                victim
            }
        };
        meta.sequence = self.next_sequence;
        self.next_sequence += 1;
        let image = self.config.image_bytes();
        let Some(dst) = self.pixels.get_mut(slot * image..(slot + 1) * image) else {
            return;
        };
        dst.copy_from_slice(if from_aside {
            &self.aside
        } else {
            &self.staged
        });
        if let Some(m) = self.meta.get_mut(slot) {
            *m = Some(meta);
        }
        self.captured += 1;
        self.episode.taken += 1;
        if let Some(last) = self.episode.last_taken_us.get_mut(meta.reason.index()) {
            *last = Some(meta.timestamp_us);
        }
    }

    /// The slot to replace: in the episode holding the most frames (counting the incoming
    /// frame's episode one more; ties: the oldest episode), the oldest frame of the reason it
    /// holds most of (ties: the reason kept last, [`CaptureReason::keep_rank`]), so that an
    /// episode keeps different kinds of frame rather than a run of weak detections.
    fn victim(&self, incoming: u64) -> Option<usize> {
        let held = |episode: u64| {
            self.meta
                .iter()
                .flatten()
                .filter(|m| m.episode == episode)
                .count()
                + usize::from(episode == incoming)
        };
        let mut best: Option<(usize, u64)> = None;
        for m in self.meta.iter().flatten() {
            let n = held(m.episode);
            best = match best {
                Some((bn, be)) if bn > n || (bn == n && be <= m.episode) => Some((bn, be)),
                _ => Some((n, m.episode)),
            };
        }
        let (_, episode) = best?;
        // Per reason: frames held, and the slot and sequence of the oldest.
        let mut per_reason = [(0usize, None::<(usize, u64)>); CaptureReason::ALL.len()];
        for (i, m) in self.meta.iter().enumerate() {
            let Some(m) = m.filter(|m| m.episode == episode) else {
                continue;
            };
            if let Some((n, oldest)) = per_reason.get_mut(m.reason.index()) {
                *n += 1;
                if oldest.is_none_or(|(_, seq)| m.sequence < seq) {
                    *oldest = Some((i, m.sequence));
                }
            }
        }
        CaptureReason::ALL
            .iter()
            .zip(per_reason)
            .filter_map(|(r, (n, oldest))| oldest.map(|(slot, seq)| (n, r.keep_rank(), seq, slot)))
            .max_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)).then(b.2.cmp(&a.2)))
            .map(|(_, _, _, slot)| slot)
    }
}

/// Writes a CHW `f32` tensor (values 0..255) of `side`² pixels as interleaved RGB8 into `dst`.
fn quantise(tensor: &[f32], side: usize, dst: &mut [u8]) {
    let plane = side * side;
    let (r, rest) = tensor.split_at(plane.min(tensor.len()));
    let (g, b) = rest.split_at(plane.min(rest.len()));
    for (((px, &r), &g), &b) in dst.chunks_exact_mut(CHANNELS).zip(r).zip(g).zip(b) {
        for (d, v) in px.iter_mut().zip([r, g, b]) {
            *d = (v.clamp(0.0, 255.0) + 0.5) as u8;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_slots_follow_from_the_ceiling_and_stay_under_it() {
        // 96 px RGB images: 27 648 bytes; fixed buffers are a 4-byte-per-value scratch and two
        // images, 6 images' worth (165 888 bytes); 450 KiB leave 294 912 bytes, 10 slots of an
        // image plus its metadata (a few hundred bytes).
        let c = CaptureConfig {
            enabled: true,
            side_px: 96,
            memory_kib: 450,
            ..CaptureConfig::default()
        };
        assert_eq!(c.slots(), 10);
        assert!(c.heap_bytes() <= 450 * 1024);
        let ring = CaptureRing::new(&c).unwrap().unwrap();
        assert_eq!(ring.heap_bytes(), c.heap_bytes());
        assert_eq!(ring.stats().capacity, 10);
        // Off: nothing allocated, nothing counted in the engine's ceiling.
        let off = CaptureConfig::default();
        assert_eq!(off.heap_bytes(), 0);
        assert!(CaptureRing::new(&off).unwrap().is_none());
    }

    #[test]
    fn a_ceiling_below_one_image_is_refused_naming_the_field() {
        let c = CaptureConfig {
            enabled: true,
            memory_kib: 64,
            ..CaptureConfig::default()
        };
        let e = c.validate().unwrap_err();
        assert_eq!(e.field, "memory_kib");
        assert!(e.to_string().contains("160x160"), "{e}");
        let c = CaptureConfig {
            side_px: 8,
            ..CaptureConfig::default()
        };
        assert_eq!(c.validate().unwrap_err().field, "side_px");
    }

    #[test]
    fn a_long_failure_is_sampled_along_its_length() {
        use crate::frame::{ColorRange, PixelFormat, Rotation};
        use crate::monitor::facts::tests::result;
        // 30 s of weak detections at 10 fps: one episode; 6 frames in each 10 s of it.
        let c = CaptureConfig {
            enabled: true,
            ..CaptureConfig::default()
        };
        let mut ring = CaptureRing::new(&c).unwrap().unwrap();
        let (w, h) = (320u32, 240u32);
        let rgb = vec![90u8; (w * h * 3) as usize];
        let mut conv = Converter::new(w, h, ColorRange::Full);
        let facts = FrameFacts {
            ball_score: Some(0.3),
            confident_balls: 1,
            rival: None,
        };
        for i in 0..300i64 {
            let mut r = result(TrackState::Detected, Some((100.0, 100.0)));
            (r.frame_width, r.frame_height, r.timestamp_us) = (w, h, i * 100_000);
            let frame = Frame::packed(
                PixelFormat::Rgb8,
                &rgb,
                w,
                h,
                (w * 3) as usize,
                Rotation::Deg0,
                r.timestamp_us,
            );
            let seen = Seen {
                frame: &frame,
                result: &r,
                facts: &facts,
                candidates: &[],
                frame_no: i as u64,
                clip: 0,
                low_confidence: true,
            };
            ring.observe(&seen, &mut conv);
        }
        let s = ring.stats();
        assert_eq!((s.episodes, s.captured), (1, 18), "{s:?}");
        // Spread over the 30 s: each 10 s holds 6.
        let times: Vec<i64> = ring.entries().iter().map(|(m, _)| m.timestamp_us).collect();
        for k in 0..3 {
            let n = times.iter().filter(|&&t| t / 10_000_000 == k).count();
            assert_eq!(n, 6, "{times:?}");
        }
    }

    #[test]
    fn keep_ranks_are_distinct() {
        let mut ranks: Vec<u8> = CaptureReason::ALL.iter().map(|r| r.keep_rank()).collect();
        ranks.sort_unstable();
        ranks.dedup();
        assert_eq!(ranks.len(), CaptureReason::ALL.len());
    }
}
