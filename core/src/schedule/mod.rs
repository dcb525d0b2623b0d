//! Adaptive detection scheduler: which detector mode runs on a frame, on which regions, within
//! the latency budget.
//!
//! Pure and deterministic: decisions depend only on the frame size, the tracker's prediction and
//! the costs passed in through [`Scheduler::record`] (measured by the engine, or injected by
//! tests). Budget accounting is a credit: every frame adds its budget (up to `burst_frames`
//! budgets), every detector run spends what it cost. A frame's budget is `budget_us`, or a
//! share of the time since the previous frame when that is longer than `frame_interval_us`
//! (stills and sparse streams: see [`Scheduler::decide_after`]). A run whose estimated cost
//! exceeds the credit is replaced by a cheaper one (a smaller region of interest) or skipped
//! (predict only), so an overrun is paid back on the following frames and the schedule
//! recovers by itself when there is room again. Jobs are planned with a cost margin (rolling
//! mean plus `cost_margin` rolling mean absolute deviations), so that a frame filled up to the
//! budget stays inside it when a run is a little slower than usual.
//!
//! This file holds the scheduler (cost model, budget and decisions); `config` its settings
//! ([`ScheduleConfig`], [`SearchStrategy`]); `still` a still's extra runs (second looks and
//! the fine pass).

use serde::{Deserialize, Serialize};

use crate::detect::DetectorConfig;
use crate::types::InputSize;
use crate::types::Prediction;
use crate::types::Region;
pub use crate::types::{Lookout, TrackView};

mod config;
mod still;
pub use config::{
    ScheduleConfig, SearchStrategy, COST_MARGIN_DEVIATIONS, FRAME_INTERVAL_30FPS_US,
    FRAME_INTERVAL_60FPS_US, MAX_FINE_UPSCALE, MAX_GAP_FRAMES, MIN_FINE_GAIN, MIN_TILE_SCALE,
    PACK_FILL, ROI_RADIUS_FACTOR, TILE_COARSEN_SIDE, TILE_REFERENCE_SIDE,
};

/// Most detector runs in one frame at the configured frame rate.
pub const MAX_JOBS: usize = 4;
/// Most detector runs in one late frame's decision (a still, a sparse stream): a whole search
/// cycle at 4K (the whole-frame pass and every tile) plus the regions of interest. A still's
/// second looks and fine pass ([`Scheduler::second_look`], [`Scheduler::fine_tile`]) come on
/// top, one run at a time, as far as its credit goes.
pub const MAX_JOBS_LATE: usize = 40;
/// Most tiles in one search cycle.
pub const MAX_TILES: usize = 64;
/// Number of cost classes tracked.
const COST_CLASSES: usize = 4;
/// Most that one run is recorded as costing, in frame budgets: a run measured far beyond it
/// (the process frozen mid-inference, the app in the background, first-run page faults) says
/// nothing about the next run, and would otherwise blind the detector for hundreds of frames.
pub const MAX_RUN_COST_BUDGETS: f64 = 4.0;
/// Deepest debt the credit can fall to, in frame budgets: after any single stall a detector
/// job runs again within a few frames.
pub const MAX_DEBT_BUDGETS: f64 = 2.0;

/// Which detector mode ran on a frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum DetectorMode {
    /// The whole frame, letterboxed.
    Full,
    /// A region of interest around the predicted ball.
    Roi,
    /// Search tiles at native (or reduced) resolution.
    Tile,
    /// No detection on this frame: prediction only.
    #[default]
    Skip,
}

impl DetectorMode {
    /// Lower-case name (`full`, `roi`, `tile`, `skip`), as written in `track.csv`.
    pub fn name(self) -> &'static str {
        match self {
            DetectorMode::Full => "full",
            DetectorMode::Roi => "roi",
            DetectorMode::Tile => "tile",
            DetectorMode::Skip => "skip",
        }
    }
}

/// A cost class: one detector input size used in one way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CostClass {
    Full = 0,
    Roi = 1,
    RoiSmall = 2,
    Tile = 3,
}

impl CostClass {
    /// Every class, in index order.
    pub const ALL: [CostClass; COST_CLASSES] = [
        CostClass::Full,
        CostClass::Roi,
        CostClass::RoiSmall,
        CostClass::Tile,
    ];
}

/// One detector run: the region of the upright frame and the input size it is resized to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Job {
    pub class: CostClass,
    pub input: InputSize,
    pub region: Region,
    /// The whole frame letterboxed (Full), rather than a region.
    pub whole_frame: bool,
}

/// The scheduler's decision for one frame.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Decision {
    pub mode: DetectorMode,
    jobs: [Option<Job>; MAX_JOBS_LATE],
    /// Most jobs this frame may hold: [`MAX_JOBS`], or [`MAX_JOBS_LATE`] for a late frame.
    cap: usize,
    /// Estimated cost of the jobs, microseconds.
    pub estimated_us: u64,
}

impl Decision {
    fn skip() -> Self {
        Decision {
            mode: DetectorMode::Skip,
            jobs: [None; MAX_JOBS_LATE],
            cap: MAX_JOBS,
            estimated_us: 0,
        }
    }

    /// A skip decision that may hold `cap` jobs.
    fn with_cap(cap: usize) -> Self {
        Decision {
            cap: cap.min(MAX_JOBS_LATE),
            ..Decision::skip()
        }
    }

    /// The runs to do, in order.
    pub fn jobs(&self) -> impl Iterator<Item = &Job> + '_ {
        self.jobs.iter().flatten()
    }

    fn push(&mut self, job: Job, cost: u64) -> bool {
        match self.jobs[..self.cap].iter_mut().find(|j| j.is_none()) {
            Some(slot) => {
                *slot = Some(job);
                self.estimated_us = self.estimated_us.saturating_add(cost);
                true
            }
            None => false,
        }
    }
}

/// The adaptive scheduler.
#[derive(Debug, Clone)]
pub struct Scheduler {
    cfg: ScheduleConfig,
    det: DetectorConfig,
    /// Rolling cost estimate per class, microseconds (None until measured).
    cost: [Option<f64>; COST_CLASSES],
    /// Rolling mean absolute deviation of each class's cost, microseconds.
    deviation: [f64; COST_CLASSES],
    /// Classes measured since the last decision.
    measured: [bool; COST_CLASSES],
    credit_us: f64,
    /// This frame's budget, microseconds: `budget_us`, more for a late frame.
    frame_budget_us: f64,
    frame_size: (u32, u32),
    tiles: [Region; MAX_TILES],
    tile_count: usize,
    /// Position in the search cycle: 0 is the whole-frame pass when the strategy has one.
    cursor: usize,
    frames_since_detect: u32,
    /// Where the last track (or hypothesis) was expected, and whether a frame tracked it
    /// without searching since the last search: the next search then starts with the tile
    /// nearest to it (a lost ball is most likely nearby).
    last_seen: Option<(f32, f32)>,
    reposition_pending: bool,
    /// A long-coasting track's frame had no room for a search after its region of interest:
    /// the next such frame searches instead.
    search_starved: bool,
    /// Search runs decided on this frame (a frame never runs more than one cycle).
    searched: usize,
    /// This frame's search stopped after a run whose cost was not known yet.
    search_unmeasured: bool,
}

impl Scheduler {
    /// A scheduler for validated settings.
    pub fn new(cfg: ScheduleConfig, det: DetectorConfig) -> Self {
        let credit_us = cfg.budget_us as f64;
        Scheduler {
            cfg,
            det,
            cost: [None; COST_CLASSES],
            deviation: [0.0; COST_CLASSES],
            measured: [false; COST_CLASSES],
            credit_us,
            frame_budget_us: credit_us,
            frame_size: (0, 0),
            tiles: [Region {
                x: 0,
                y: 0,
                width: 0,
                height: 0,
            }; MAX_TILES],
            tile_count: 0,
            cursor: 0,
            frames_since_detect: 0,
            last_seen: None,
            reposition_pending: false,
            search_starved: false,
            searched: 0,
            search_unmeasured: false,
        }
    }

    /// Forgets the search position and the credit (costs are kept: they describe the machine).
    pub fn reset(&mut self) {
        self.cursor = 0;
        self.last_seen = None;
        self.reposition_pending = false;
        self.search_starved = false;
        self.credit_us = self.cfg.budget_us as f64;
        self.frame_budget_us = self.credit_us;
        self.frames_since_detect = 0;
    }

    /// This frame's budget, microseconds (see [`Scheduler::decide_after`]).
    pub fn frame_budget_us(&self) -> f64 {
        self.frame_budget_us
    }

    /// The budget of a frame that comes `gap_us` after the previous one: `budget_us` per
    /// `frame_interval_us` elapsed, never less than `budget_us`, at most `max_gap_frames`
    /// budgets. `None` (a first frame whose gap is unknown) gets `budget_us`.
    pub fn budget_for_gap(&self, gap_us: Option<i64>) -> f64 {
        let budget = self.cfg.budget_us as f64;
        let most = budget * f64::from(self.cfg.max_gap_frames);
        match gap_us {
            None => budget,
            Some(gap) => {
                let frames = gap.max(0) as f64 / self.cfg.frame_interval_us as f64;
                (budget * frames).clamp(budget, most)
            }
        }
    }

    /// Number of frames in which a full search cycle is guaranteed to complete, if every
    /// search frame can afford at least one run: the bound on finding a still ball.
    pub fn search_cycle_len(&self) -> usize {
        let full = usize::from(self.cfg.search != SearchStrategy::Tiles);
        let tiles = if self.cfg.search == SearchStrategy::Full {
            0
        } else {
            self.tile_count
        };
        (full + tiles).max(1)
    }

    /// Tiles of the current frame size.
    pub fn tiles(&self) -> &[Region] {
        &self.tiles[..self.tile_count]
    }

    /// Current rolling cost estimate (mean) of a class, microseconds.
    pub fn cost_estimate(&self, class: CostClass) -> Option<f64> {
        self.cost[class as usize]
    }

    /// Credit left for this frame's work, microseconds (may be negative after an overrun).
    pub fn credit_us(&self) -> f64 {
        self.credit_us
    }

    /// The tile scale for a `w`x`h` frame: `tile_scale`, finer for frames whose shorter side
    /// is under `tile_reference_side`, coarser for those above [`TILE_COARSEN_SIDE`] (see the
    /// config).
    pub fn tile_scale_for(&self, w: u32, h: u32) -> f32 {
        let side = w.min(h) as f32;
        let reference = self.cfg.tile_reference_side.max(1) as f32;
        let coarsen = (side / TILE_COARSEN_SIDE as f32).max(1.0);
        let scale = self.cfg.tile_scale * (side / reference).min(1.0) * coarsen;
        scale.max(MIN_TILE_SCALE.min(self.cfg.tile_scale))
    }

    fn layout_tiles(&mut self, w: u32, h: u32) {
        self.frame_size = (w, h);
        let grid = self.tile_grid(w, h, self.tile_scale_for(w, h));
        self.tile_count = 0;
        for (slot, i) in self.tiles.iter_mut().zip(0..grid.count()) {
            *slot = grid.tile(i);
            self.tile_count += 1;
        }
        self.cursor = 0;
    }

    /// The tiles of `detector.tile_input` covering a `w`x`h` frame at `scale` source pixels
    /// per input pixel, neighbours overlapping by `tile_overlap` input pixels (or more, where
    /// the tiles spread evenly over the frame).
    fn tile_grid(&self, w: u32, h: u32, scale: f32) -> TileGrid {
        let tw = (self.det.tile_input.width as f32 * scale).round().max(1.0) as u32;
        let th = (self.det.tile_input.height as f32 * scale).round().max(1.0) as u32;
        let overlap = (self.cfg.tile_overlap as f32 * scale).round() as u32;
        let axis = |len: u32, tile: u32| -> (u32, u32) {
            if tile >= len {
                return (1, 0);
            }
            let step = tile.saturating_sub(overlap).max(1);
            let n = (len - tile).div_ceil(step) + 1;
            (n, len - tile)
        };
        let (nx, span_x) = axis(w, tw);
        let (ny, span_y) = axis(h, th);
        TileGrid {
            frame: (w, h),
            tile: (tw, th),
            n: (nx, ny),
            span: (span_x, span_y),
        }
    }

    /// A run that alone exceeds the frame budget may still use saved-up credit; one that
    /// exceeds even the largest credit runs whenever the credit is full, so that a stale,
    /// too-high estimate (one slow run on a busy machine) gets measured again instead of
    /// starving the search for ever.
    fn affordable(&self, cost: f64) -> bool {
        cost <= self.credit_us || self.credit_us >= self.credit_cap()
    }

    /// How much of `limit` the jobs of `d` plus one more may use: all of it for a frame's first
    /// job, its `pack_fill` share once the frame has one.
    fn room(&self, d: &Decision, limit: f64) -> f64 {
        if d.jobs().next().is_none() {
            limit
        } else {
            limit * f64::from(self.cfg.pack_fill)
        }
    }

    /// Cost a class is planned with, microseconds: the rolling mean plus `cost_margin` rolling
    /// mean absolute deviations (before it first runs, see `prior_cost`).
    pub fn planned_cost(&self, class: CostClass) -> f64 {
        let i = class as usize;
        match self.cost[i] {
            Some(mean) => mean + f64::from(self.cfg.cost_margin) * self.deviation[i],
            None => self.prior_cost(class),
        }
    }

    /// The cost of a class that has not run yet: the measured classes' highest cost per input
    /// pixel times its input's pixels (detector work grows with the input), or 0 when nothing
    /// has run, so that the first job gets measured.
    fn prior_cost(&self, class: CostClass) -> f64 {
        let pixels = |c: CostClass| {
            let s = self.input_of(c);
            f64::from(s.width) * f64::from(s.height)
        };
        let rate = CostClass::ALL
            .iter()
            .filter_map(|&c| Some(self.cost[c as usize]? / pixels(c).max(1.0)))
            .fold(0.0, f64::max);
        rate * pixels(class)
    }

    /// The detector input size of a class.
    fn input_of(&self, class: CostClass) -> InputSize {
        match class {
            CostClass::Full => self.det.full_input,
            CostClass::Roi => self.det.roi_input,
            CostClass::RoiSmall => self.det.roi_small_input,
            CostClass::Tile => self.det.tile_input,
        }
    }

    /// Shrinks the deviation of the classes that did not run on the last frame: a margin grown
    /// by a few slow runs would otherwise keep a class out for good, since its cost is only
    /// re-measured when it runs.
    fn age_deviations(&mut self) {
        let keep = 1.0 - f64::from(self.cfg.cost_smoothing);
        for (dev, measured) in self.deviation.iter_mut().zip(self.measured.iter_mut()) {
            if !std::mem::take(measured) {
                *dev *= keep;
            }
        }
    }

    /// Most jobs this frame may hold: [`MAX_JOBS`] per whole frame budget it has (a late
    /// frame has several), at most [`MAX_JOBS_LATE`].
    fn jobs_cap(&self) -> usize {
        let budgets = (self.frame_budget_us / self.cfg.budget_us as f64).floor();
        if budgets.is_finite() && budgets >= 1.0 {
            (budgets as usize)
                .saturating_mul(MAX_JOBS)
                .clamp(MAX_JOBS, MAX_JOBS_LATE)
        } else {
            MAX_JOBS
        }
    }

    /// The most credit that can be saved up: `burst_frames` budgets, or this frame's budget
    /// when it is larger (a late frame).
    fn credit_cap(&self) -> f64 {
        (self.cfg.budget_us as f64 * f64::from(self.cfg.burst_frames)).max(self.frame_budget_us)
    }

    /// Decides the detector work for a frame of upright size `w`x`h` that follows the previous
    /// one at the configured rate (`frame_interval_us`).
    pub fn decide(&mut self, w: u32, h: u32, track: TrackView, lookout: Lookout) -> Decision {
        self.decide_after(Some(0), w, h, track, lookout)
    }

    /// Decides the detector work for a frame that comes `gap_us` after the previous one
    /// (`None` for a first frame of unknown gap); its budget is [`Scheduler::budget_for_gap`].
    pub fn decide_after(
        &mut self,
        gap_us: Option<i64>,
        w: u32,
        h: u32,
        track: TrackView,
        lookout: Lookout,
    ) -> Decision {
        if self.frame_size != (w, h) {
            self.layout_tiles(w, h);
        }
        self.age_deviations();
        self.searched = 0;
        self.search_unmeasured = false;
        self.frame_budget_us = self.budget_for_gap(gap_us);
        self.credit_us = (self.credit_us + self.frame_budget_us).min(self.credit_cap());
        if self.credit_us <= 0.0 {
            return Decision::skip();
        }
        match track {
            TrackView::At {
                prediction,
                unseen_s,
            } => {
                if prediction.x.is_finite() && prediction.y.is_finite() {
                    self.last_seen = Some((prediction.x, prediction.y));
                }
                self.frames_since_detect += 1;
                if unseen_s == 0.0 && self.frames_since_detect < self.cfg.detect_interval {
                    return Decision::skip();
                }
                let coasting = unseen_s > self.cfg.coast_search_after_s;
                if coasting && std::mem::take(&mut self.search_starved) {
                    // The region of interest of the last frame left no room for the search a
                    // long-coasting track needs (the ball may be elsewhere): search first now.
                    let mut d = Decision::with_cap(self.jobs_cap());
                    self.search_into(&mut d);
                    if d.mode != DetectorMode::Skip {
                        return d;
                    }
                }
                let mut d = self.roi(w, h, &prediction);
                if d.mode != DetectorMode::Skip {
                    self.frames_since_detect = 0;
                }
                if let Some(rival) = lookout.rival {
                    self.rival_into(&mut d, w, h, &rival);
                }
                // Coasting for long: the ball may have reappeared elsewhere; look around too.
                if coasting || lookout.search {
                    let before = d.jobs().count();
                    self.search_into(&mut d);
                    self.search_starved = coasting && d.jobs().count() == before;
                } else if d.mode != DetectorMode::Skip {
                    self.reposition_pending = true;
                }
                d
            }
            TrackView::None => {
                self.frames_since_detect = 0;
                let mut d = Decision::with_cap(self.jobs_cap());
                self.search_into(&mut d);
                d
            }
        }
    }

    fn roi(&self, w: u32, h: u32, p: &Prediction) -> Decision {
        let mut d = Decision::with_cap(self.jobs_cap());
        // Prefer the largest region whose cost fits this frame's budget; when none does, the
        // small one may still run on saved-up credit (an overrun paid back on later frames).
        let limit = self.credit_us.min(self.frame_budget_us);
        let small_cost = self.planned_cost(CostClass::RoiSmall);
        let fits_big = self.planned_cost(CostClass::Roi) <= limit;
        let fits_small = small_cost <= limit || self.affordable(small_cost);
        // A confident prediction fits the small region at native resolution: run that.
        let small = self.input_of(CostClass::RoiSmall);
        let small_base = small.width.max(small.height) as f32;
        let order = if self.cfg.roi_fit_small && self.roi_spread(p) <= small_base {
            [CostClass::RoiSmall, CostClass::Roi]
        } else {
            [CostClass::Roi, CostClass::RoiSmall]
        };
        for class in order {
            let cost = self.planned_cost(class);
            let chosen = match class {
                CostClass::Roi => fits_big,
                _ => fits_small,
            };
            if !chosen {
                continue;
            }
            d.push(self.roi_job(class, p, w, h), cost.round() as u64);
            d.mode = DetectorMode::Roi;
            break;
        }
        d
    }

    /// A region of interest around `p` for `class`'s input: its shape scaled up to cover the
    /// ball's neighbourhood and the prediction's uncertainty (at most `roi_max_scale`),
    /// inside the `w`x`h` frame.
    fn roi_job(&self, class: CostClass, p: &Prediction, w: u32, h: u32) -> Job {
        let input = self.input_of(class);
        let spread = self.roi_spread(p);
        let base = input.width.max(input.height) as f32;
        let scale = spread.clamp(base, base * self.cfg.roi_max_scale) / base;
        let rw = (input.width as f32 * scale).round() as u32;
        let rh = (input.height as f32 * scale).round() as u32;
        Job {
            class,
            input,
            region: centred_region(p.x, p.y, rw, rh, w, h),
            whole_frame: false,
        }
    }

    /// The side a region of interest around `p` must span, pixels: `roi_radius_factor` radii
    /// and `roi_sigma_factor` standard deviations of the predicted position on each side.
    fn roi_spread(&self, p: &Prediction) -> f32 {
        (self.cfg.roi_radius_factor * p.radius.max(0.0))
            .max(2.0 * self.cfg.roi_sigma_factor * p.sigma_x.max(p.sigma_y).max(0.0))
    }

    /// A small region of interest on a rival hypothesis, when it fits this frame's budget
    /// after the jobs already chosen.
    fn rival_into(&self, d: &mut Decision, w: u32, h: u32, p: &Prediction) {
        let cost = self.planned_cost(CostClass::RoiSmall);
        let limit = self.credit_us.min(self.frame_budget_us);
        if d.estimated_us as f64 + cost > self.room(d, limit) {
            return;
        }
        let job = self.roi_job(CostClass::RoiSmall, p, w, h);
        if d.push(job, cost.round() as u64) && d.mode == DetectorMode::Skip {
            d.mode = DetectorMode::Roi;
        }
    }

    /// Points the search cursor at the tile nearest to where the ball was last expected, when
    /// a search follows tracking.
    fn start_search_near_last_seen(&mut self) {
        if !std::mem::replace(&mut self.reposition_pending, false) {
            return;
        }
        let Some((x, y)) = self.last_seen else {
            return;
        };
        if self.cfg.search == SearchStrategy::Full {
            return;
        }
        let has_full = self.cfg.search != SearchStrategy::Tiles;
        let mut best: Option<(usize, f32)> = None;
        for (i, t) in self.tiles().iter().enumerate() {
            let cx = t.x as f32 + t.width as f32 / 2.0;
            let cy = t.y as f32 + t.height as f32 / 2.0;
            let d = (cx - x).hypot(cy - y);
            if best.is_none_or(|(_, bd)| d < bd) {
                best = Some((i, d));
            }
        }
        if let Some((i, _)) = best {
            self.cursor = i + usize::from(has_full);
        }
    }

    /// Adds as many search runs as the remaining credit allows (at least one when it fits).
    fn search_into(&mut self, d: &mut Decision) {
        self.start_search_near_last_seen();
        let cycle = self.search_cycle_len().saturating_sub(self.searched);
        let has_full = self.cfg.search != SearchStrategy::Tiles;
        let mut spent = d.estimated_us as f64;
        let limit = self.credit_us.min(self.frame_budget_us);
        // A whole-frame pass that alone would overrun the budget is left out of the cycle while
        // tiles cover the frame (it runs again once its planned cost fits, as its margin ages).
        let full_fits = self.planned_cost(CostClass::Full) <= self.frame_budget_us;
        let skip_full = has_full && self.tile_count > 0 && !full_fits;
        for _ in 0..cycle {
            if skip_full && self.cursor == 0 {
                self.cursor = 1 % cycle;
            }
            let (job, cost) = if has_full && self.cursor == 0 {
                let region = Region {
                    x: 0,
                    y: 0,
                    width: self.frame_size.0,
                    height: self.frame_size.1,
                };
                let job = Job {
                    class: CostClass::Full,
                    input: self.det.full_input,
                    region,
                    whole_frame: true,
                };
                (job, self.planned_cost(CostClass::Full))
            } else {
                let i = self.cursor - usize::from(has_full);
                let Some(&region) = self.tiles.get(i).filter(|_| i < self.tile_count) else {
                    self.cursor = 0;
                    continue;
                };
                let job = Job {
                    class: CostClass::Tile,
                    input: self.det.tile_input,
                    region,
                    whole_frame: false,
                };
                (job, self.planned_cost(CostClass::Tile))
            };
            let first = d.jobs().next().is_none();
            // Within this frame's budget (a job added to others within its packing share); a
            // first run that alone exceeds the budget may still use saved-up credit, else the
            // search would never make progress.
            if spent + cost > self.room(d, limit) && !(first && self.affordable(cost)) {
                break;
            }
            if !d.push(job, cost.round() as u64) {
                break;
            }
            spent += cost;
            if d.mode == DetectorMode::Skip
                || (d.mode == DetectorMode::Tile && job.class == CostClass::Full)
            {
                d.mode = if job.class == CostClass::Full {
                    DetectorMode::Full
                } else {
                    DetectorMode::Tile
                };
            }
            self.cursor = (self.cursor + 1) % self.search_cycle_len();
            self.searched += 1;
            // Unmeasured costs count as zero: run one job and learn its cost first.
            if cost == 0.0 {
                self.search_unmeasured = true;
                break;
            }
        }
    }

    /// More search on the frame just decided, once the runs of its decision are recorded:
    /// a frame whose search stopped after one run of an unmeasured cost (the engine's first
    /// frames) and that has credit left goes on with the rest of the cycle. Only a late frame
    /// (a still) asks: its budget pays for a whole cycle, and no next frame comes soon.
    pub fn resume_search(&mut self) -> Decision {
        let mut d = Decision::with_cap(self.jobs_cap());
        if std::mem::take(&mut self.search_unmeasured) && self.credit_us > 0.0 {
            self.search_into(&mut d);
        }
        d
    }

    /// Records what one run of `class` cost, microseconds (measured, or injected by tests),
    /// as at most [`MAX_RUN_COST_BUDGETS`] budgets; the credit falls to at most
    /// [`MAX_DEBT_BUDGETS`] budgets of debt.
    pub fn record(&mut self, class: CostClass, cost_us: u64) {
        let budget = self.cfg.budget_us as f64;
        let c = (cost_us as f64).min(budget * MAX_RUN_COST_BUDGETS);
        let i = class as usize;
        let a = f64::from(self.cfg.cost_smoothing);
        if let Some(m) = self.measured.get_mut(i) {
            *m = true;
        }
        if let (Some(slot), Some(dev)) = (self.cost.get_mut(i), self.deviation.get_mut(i)) {
            *slot = Some(match *slot {
                Some(prev) => {
                    *dev += a * ((c - prev).abs() - *dev);
                    prev + a * (c - prev)
                }
                None => c,
            });
        }
        self.credit_us = (self.credit_us - c).max(-budget * MAX_DEBT_BUDGETS);
    }
}

/// A `rw`x`rh` region centred on (cx, cy), moved to lie inside the `w`x`h` frame where it fits
/// (centred on the frame where it does not).
pub fn centred_region(cx: f32, cy: f32, rw: u32, rh: u32, w: u32, h: u32) -> Region {
    let place = |c: f32, r: u32, len: u32| -> i32 {
        if r >= len {
            return -(((r - len) / 2) as i32);
        }
        let c = if c.is_finite() { c } else { len as f32 / 2.0 };
        let start = (c - r as f32 / 2.0).round();
        start.clamp(0.0, (len - r) as f32) as i32
    };
    Region {
        x: place(cx, rw, w),
        y: place(cy, rh, h),
        width: rw,
        height: rh,
    }
}

/// A grid of equal tiles spread evenly over a frame (the last one touches the edge; a tile
/// larger than the frame is centred on it).
#[derive(Debug, Clone, Copy)]
struct TileGrid {
    frame: (u32, u32),
    tile: (u32, u32),
    /// Tiles across and down.
    n: (u32, u32),
    /// Frame length minus tile length, per axis.
    span: (u32, u32),
}

impl TileGrid {
    fn count(&self) -> usize {
        self.n.0 as usize * self.n.1 as usize
    }

    /// The `i`-th tile, row by row.
    fn tile(&self, i: usize) -> Region {
        let nx = self.n.0.max(1) as usize;
        let place = |k: usize, n: u32, span: u32, tile: u32, len: u32| -> i32 {
            if n > 1 {
                (u64::from(span) * k as u64 / (u64::from(n) - 1)) as i32
            } else {
                -(tile.saturating_sub(len) as i32) / 2
            }
        };
        Region {
            x: place(i % nx, self.n.0, self.span.0, self.tile.0, self.frame.0),
            y: place(i / nx, self.n.1, self.span.1, self.tile.1, self.frame.1),
            width: self.tile.0,
            height: self.tile.1,
        }
    }
}

#[cfg(test)]
mod tests;
