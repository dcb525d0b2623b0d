//! Deterministic per-frame sensor noise: a fixed table of small signed values read at a
//! random offset per image row. Sprites drawn later blend the same noise in, so the whole
//! frame carries one consistent noise field.

use crate::rng::{hash3, Rng};

/// Length of the noise table beyond one row; each row starts at a random offset in it.
const NOISE_SPAN: usize = 1 << 16;
/// Scale of a triangular (u1 + u2 - 1) variate to unit standard deviation.
const TRIANGULAR_TO_STD: f64 = 2.449_489_7;

/// The noise source of one clip or frame.
#[derive(Debug, Clone)]
pub struct Noise {
    /// Positive and negative parts of the noise (saturating add then subtract vectorises).
    pos: Vec<u8>,
    neg: Vec<u8>,
    seed: u64,
    row_bytes: usize,
}

/// The noise field of one frame: the table and each row's offset into it.
#[derive(Debug, Clone, Copy)]
pub struct NoiseView<'a> {
    pos: &'a [u8],
    neg: &'a [u8],
    rows: &'a [usize],
}

impl NoiseView<'_> {
    /// Noise at byte `i` of row `y` (0 outside the table).
    #[inline]
    pub fn at(&self, y: usize, i: usize) -> f32 {
        let off = self.rows.get(y).copied().unwrap_or(0) + i;
        let p = self.pos.get(off).copied().unwrap_or(0);
        let n = self.neg.get(off).copied().unwrap_or(0);
        f32::from(p) - f32::from(n)
    }
}

impl Noise {
    /// Noise with standard deviation `std` (8-bit levels) for rows of `row_bytes` bytes.
    pub fn new(rng: &mut Rng, row_bytes: usize, std: f64) -> Noise {
        let amp = std * TRIANGULAR_TO_STD;
        let table: Vec<i8> = (0..row_bytes + NOISE_SPAN)
            .map(|_| ((rng.unit() + rng.unit() - 1.0) * amp).round() as i8)
            .collect();
        Noise {
            pos: table.iter().map(|&v| v.max(0).unsigned_abs()).collect(),
            neg: table.iter().map(|&v| v.min(0).unsigned_abs()).collect(),
            seed: rng.next_u64(),
            row_bytes,
        }
    }

    /// Fill `rows` with the row offsets of frame `frame` (one per row).
    pub fn rows_for(&self, frame: u64, rows: &mut [usize]) {
        for (y, r) in rows.iter_mut().enumerate() {
            *r = (hash3(self.seed, frame, y as u64) % NOISE_SPAN as u64) as usize;
        }
    }

    /// A view for drawing with the given row offsets.
    pub fn view<'a>(&'a self, rows: &'a [usize]) -> NoiseView<'a> {
        NoiseView {
            pos: &self.pos,
            neg: &self.neg,
            rows,
        }
    }

    /// `out = bg + noise`, row by row (saturating).
    pub fn copy_with_noise(&self, bg: &[u8], out: &mut [u8], rows: &[usize]) {
        let rb = self.row_bytes;
        if rb == 0 {
            return;
        }
        for ((o, b), &off) in out.chunks_exact_mut(rb).zip(bg.chunks_exact(rb)).zip(rows) {
            match (self.pos.get(off..off + rb), self.neg.get(off..off + rb)) {
                (Some(p), Some(n)) => {
                    for (((o, &b), &p), &n) in o.iter_mut().zip(b).zip(p).zip(n) {
                        *o = b.saturating_add(p).saturating_sub(n);
                    }
                }
                _ => o.copy_from_slice(b),
            }
        }
    }

    /// Add noise in place.
    pub fn add_in_place(&self, img: &mut [u8], rows: &[usize]) {
        let rb = self.row_bytes;
        if rb == 0 {
            return;
        }
        for (o, &off) in img.chunks_exact_mut(rb).zip(rows) {
            if let (Some(p), Some(n)) = (self.pos.get(off..off + rb), self.neg.get(off..off + rb)) {
                for ((o, &p), &n) in o.iter_mut().zip(p).zip(n) {
                    *o = o.saturating_add(p).saturating_sub(n);
                }
            }
        }
    }
}
