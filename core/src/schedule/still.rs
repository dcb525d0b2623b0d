//! A still's extra detector runs, beyond its decision: second looks at its search candidates
//! ([`Scheduler::second_look`]) and, when they confirmed nothing, a fine pass over the frame
//! at a scale its credit affords ([`Scheduler::fine_pass_scale`], [`Scheduler::fine_tile`]).
//! The engine asks for them one at a time, after the decision's runs, as far as the still's
//! credit goes.

use super::{
    centred_region, CostClass, Job, Scheduler, MAX_FINE_UPSCALE, MIN_FINE_GAIN, TILE_COARSEN_SIDE,
};
use crate::types::Prediction;

/// A still's second look at a ball under this many pixels across, in a frame whose passes
/// upscale it, upscales as the finer of the tiles' scale and the fine pass's full scale
/// ([`Scheduler::second_look`], [`Scheduler::fine_scale_for`]): natively it would span under
/// two of the detector's output cells (stride 4).
pub const SMALL_BALL_PX: f32 = 8.0;

/// A fine pass whose every tile the credit cannot pay for steps this many times coarser
/// ([`Scheduler::fine_pass_scale`]): from 3x upscaled to 2x, from 2x to 4/3.
const FINE_SCALE_STEP: f32 = 1.5;

const _: () = assert!(
    MIN_FINE_GAIN > 1.0 && MIN_FINE_GAIN < FINE_SCALE_STEP,
    "a step that lands on the tiles' scale must be refused, one to 1.5x finer taken"
);

const _: () = assert!(
    MAX_FINE_UPSCALE >= 1,
    "a fine pass scale of 1 / 0 is no scale"
);

impl Scheduler {
    /// The scale of a still's fine pass over a `w`x`h` frame ([`Scheduler::fine_tile`]): the
    /// frame seen as a [`TILE_COARSEN_SIDE`] (1080p) frame is natively. A smaller frame's
    /// tiles upscale it (at most [`MAX_FINE_UPSCALE`] times: a 640x360 frame at 1/3), a larger
    /// one's see it coarser (a 4K frame at 2).
    pub fn fine_scale_for(&self, w: u32, h: u32) -> f32 {
        (w.min(h) as f32 / TILE_COARSEN_SIDE as f32).max(1.0 / MAX_FINE_UPSCALE as f32)
    }

    /// The scale of a still's fine pass over a `w`x`h` frame that the credit left affords:
    /// [`Scheduler::fine_scale_for`], or [`FINE_SCALE_STEP`] times coarser as often as it takes
    /// for every tile and then `reserve_looks` second looks to fit the credit (a still that
    /// arrives sooner searches its whole frame a little less finely rather than only its top
    /// rows finely). Every scale it returns is at least [`MIN_FINE_GAIN`] times finer than
    /// the ordinary tiles; when none of those fits, the coarsest of them: it runs as far as
    /// the credit goes. `None` when the ordinary tiles are nearly that fine already.
    pub fn fine_pass_scale(&self, w: u32, h: u32, reserve_looks: usize) -> Option<f32> {
        let tiles = self.tile_scale_for(w, h);
        let mut scale = self.fine_scale_for(w, h);
        if scale * MIN_FINE_GAIN > tiles {
            return None;
        }
        let reserve = self.planned_cost(CostClass::Roi) * reserve_looks as f64;
        let tile = self.planned_cost(CostClass::Tile);
        loop {
            let count = self.tile_grid(w, h, scale).count();
            let coarser = scale * FINE_SCALE_STEP;
            if tile * count as f64 + reserve <= self.credit_us || coarser * MIN_FINE_GAIN > tiles {
                return Some(scale);
            }
            scale = coarser;
        }
    }

    /// The `index`-th tile (row by row) of a finer search of a `w`x`h` frame at `scale`
    /// ([`Scheduler::fine_pass_scale`]): a still's fine pass, when its ordinary search
    /// confirmed nothing (a ball the search's coarser tiles saw too small or too soft to
    /// score). `None` past the last tile, or when the credit left does not afford one more
    /// tile and then `reserve_looks` second looks (the looks at what the pass finds).
    pub fn fine_tile(
        &self,
        w: u32,
        h: u32,
        scale: f32,
        index: usize,
        reserve_looks: usize,
    ) -> Option<Job> {
        if !(scale.is_finite() && scale > 0.0) {
            return None;
        }
        let grid = self.tile_grid(w, h, scale);
        let reserve = self.planned_cost(CostClass::Roi) * reserve_looks as f64;
        if index >= grid.count() || self.planned_cost(CostClass::Tile) + reserve > self.credit_us {
            return None;
        }
        Some(Job {
            class: CostClass::Tile,
            input: self.det.tile_input,
            region: grid.tile(index),
            whole_frame: false,
        })
    }

    /// A native region of interest on the point (`x`, `y`) of a ball of `radius` pixels, to
    /// look again at a search candidate on the same frame (a still's second look), when the
    /// credit left after this frame's runs affords it. A ball under [`SMALL_BALL_PX`] across
    /// in a frame whose shorter side is under 1080 px is looked at upscaled, at the finer of
    /// the tiles' scale and [`Scheduler::fine_scale_for`] (the fine pass's scale before any
    /// coarsening for the credit, whether or not the pass runs).
    pub fn second_look(&self, w: u32, h: u32, x: f32, y: f32, radius: f32) -> Option<Job> {
        if !(x.is_finite() && y.is_finite()) {
            return None;
        }
        let cost = self.planned_cost(CostClass::Roi);
        if cost > self.credit_us {
            return None;
        }
        let p = Prediction {
            x,
            y,
            vx: 0.0,
            vy: 0.0,
            sigma_x: 0.0,
            sigma_y: 0.0,
            radius: if radius.is_finite() { radius } else { 0.0 },
        };
        let mut job = self.roi_job(CostClass::Roi, &p, w, h);
        let look_scale = self.tile_scale_for(w, h).min(self.fine_scale_for(w, h));
        if look_scale < 1.0 && 2.0 * p.radius < SMALL_BALL_PX {
            let side = |n: u32| (n as f32 * look_scale).round().max(1.0) as u32;
            let (rw, rh) = (side(job.input.width), side(job.input.height));
            job.region = centred_region(x, y, rw, rh, w, h);
        }
        Some(job)
    }
}
