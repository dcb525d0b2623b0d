//! A still's extra detector runs, beyond its decision: second looks at its search candidates
//! ([`Scheduler::second_look`]) and, when they confirmed nothing, a fine pass over the frame
//! ([`Scheduler::fine_tile`]). The engine asks for them one at a time, after the decision's
//! runs, as far as the still's credit goes.

use super::{centred_region, CostClass, Job, Scheduler, MAX_FINE_UPSCALE, TILE_COARSEN_SIDE};
use crate::types::Prediction;

/// A still's second look at a ball under this many pixels across, in a frame whose passes
/// upscale it, upscales as the finest of them does ([`Scheduler::second_look`]): natively it
/// would span under two of the detector's output cells (stride 4).
pub const SMALL_BALL_PX: f32 = 8.0;

impl Scheduler {
    /// The scale of a still's fine pass over a `w`x`h` frame ([`Scheduler::fine_tile`]): the
    /// frame seen as a [`TILE_COARSEN_SIDE`] (1080p) frame is natively. A smaller frame's
    /// tiles upscale it (at most [`MAX_FINE_UPSCALE`] times: a 640x360 frame at 1/3), a larger
    /// one's see it coarser (a 4K frame at 2).
    pub fn fine_scale_for(&self, w: u32, h: u32) -> f32 {
        (w.min(h) as f32 / TILE_COARSEN_SIDE as f32).max(1.0 / MAX_FINE_UPSCALE as f32)
    }

    /// The `index`-th tile (row by row) of a finer search of a `w`x`h` frame, at
    /// [`Scheduler::fine_scale_for`]: a still's fine pass, when its ordinary search confirmed
    /// nothing (a ball the search's coarser tiles saw too small or too soft to score). `None`
    /// past the last tile, when the ordinary tiles are that fine already, or when the credit
    /// left does not afford one more tile and then `reserve_looks` second looks (the looks at
    /// what the pass finds).
    pub fn fine_tile(&self, w: u32, h: u32, index: usize, reserve_looks: usize) -> Option<Job> {
        let fine = self.fine_scale_for(w, h);
        if self.tile_scale_for(w, h) <= fine {
            return None;
        }
        let grid = self.tile_grid(w, h, fine);
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
    /// in a frame that the still's passes upscale (a frame smaller than 1080p) is looked at as
    /// finely as the finest of them, the fine pass, sees it.
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
