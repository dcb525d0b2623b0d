//! Writing converted rows to the destination upright: the placement of each buffer row under
//! the rotation ([`emit_row`]) and, for quarter turns, a tile of rows written out a column at a
//! time ([`RotationTile`]) so that the transposed writes stay in cache.

use super::color::{to_u8, YuvToRgb};
use super::{Rotation, CHANNELS};

/// Output rows converted before a rotated (90° / 270°) conversion writes them out: each output
/// column then lands as a run of this many neighbouring destination pixels instead of scattered
/// single pixels, which keeps the writes in cache.
pub(super) const ROTATION_TILE_ROWS: usize = 16;

/// Where converted pixels go.
pub(super) enum Sink<'d> {
    /// CHW `f32` planes R, G, B of `row_len` x (`plane_len` / `row_len`), written at `(x0, y0)`.
    Tensor {
        planes: [&'d mut [f32]; CHANNELS],
        row_len: usize,
        x0: usize,
        y0: usize,
    },
    /// Interleaved RGB8 of `row_len` pixels per row.
    Rgb { dst: &'d mut [u8], row_len: usize },
}

/// RGB rows of a rotated conversion, written to the sink a tile at a time (see
/// [`ROTATION_TILE_ROWS`]).
#[derive(Debug)]
pub(super) struct RotationTile {
    /// R, G, B planes of up to `ROTATION_TILE_ROWS` output rows of `width` pixels.
    planes: [Vec<f32>; CHANNELS],
    width: usize,
}

impl RotationTile {
    pub(super) fn with_capacity(side: usize) -> RotationTile {
        let len = side.saturating_mul(ROTATION_TILE_ROWS);
        RotationTile {
            planes: [
                Vec::with_capacity(len),
                Vec::with_capacity(len),
                Vec::with_capacity(len),
            ],
            width: 0,
        }
    }

    pub(super) fn heap_bytes(&self) -> usize {
        self.planes
            .iter()
            .map(|p| p.capacity() * std::mem::size_of::<f32>())
            .sum()
    }

    pub(super) fn reset(&mut self, width: usize) {
        self.width = width;
        for p in &mut self.planes {
            p.clear();
            p.resize(width.saturating_mul(ROTATION_TILE_ROWS), 0.0);
        }
    }

    /// Converts the channel rows to RGB into tile row `t`.
    pub(super) fn store(
        &mut self,
        t: usize,
        rows: &[Vec<f32>; CHANNELS],
        yuv: bool,
        colour: YuvToRgb,
    ) {
        let range = t * self.width..(t + 1) * self.width;
        let [pr, pg, pb] = &mut self.planes;
        let (Some(pr), Some(pg), Some(pb)) = (
            pr.get_mut(range.clone()),
            pg.get_mut(range.clone()),
            pb.get_mut(range),
        ) else {
            return;
        };
        let [c0, c1, c2] = rows;
        let dst = pr.iter_mut().zip(pg.iter_mut()).zip(pb.iter_mut());
        let src = c0.iter().zip(c1.iter()).zip(c2.iter());
        for (((r, g), b), ((&y, &u), &v)) in dst.zip(src) {
            [*r, *g, *b] = if yuv {
                colour.convert(y, u, v)
            } else {
                [y, u, v]
            };
        }
    }

    /// Writes tile rows `0..n`, which are output rows `r0..r0 + n` (buffer orientation, `bh`
    /// rows), to the sink rotated by 90° or 270°: each output column becomes a run of `n`
    /// neighbouring pixels of one destination row.
    pub(super) fn flush(
        &self,
        sink: &mut Sink,
        rotation: Rotation,
        n: usize,
        r0: usize,
        bh: usize,
    ) {
        let bw = self.width;
        // Buffer (i, r) is upright (bh - 1 - r, i) at 90° and (r, bw - 1 - i) at 270°.
        let reversed = rotation == Rotation::Deg90;
        let u_start = if reversed { bh - r0 - n } else { r0 };
        let upright_row = |i: usize| if reversed { i } else { bw - 1 - i };
        match sink {
            Sink::Tensor {
                planes,
                row_len,
                x0,
                y0,
            } => {
                for (dst, src) in planes.iter_mut().zip(&self.planes) {
                    for i in 0..bw {
                        let begin = (*y0 + upright_row(i)) * *row_len + *x0 + u_start;
                        let Some(run) = dst.get_mut(begin..begin + n) else {
                            continue;
                        };
                        let values = tile_column(src, i, bw, n);
                        if reversed {
                            run.iter_mut().rev().zip(values).for_each(|(d, v)| *d = v);
                        } else {
                            run.iter_mut().zip(values).for_each(|(d, v)| *d = v);
                        }
                    }
                }
            }
            Sink::Rgb { dst, row_len } => {
                let [pr, pg, pb] = &self.planes;
                for i in 0..bw {
                    let begin = (upright_row(i) * *row_len + u_start) * CHANNELS;
                    let Some(run) = dst.get_mut(begin..begin + n * CHANNELS) else {
                        continue;
                    };
                    let values = tile_column(pr, i, bw, n)
                        .zip(tile_column(pg, i, bw, n))
                        .zip(tile_column(pb, i, bw, n));
                    let put = |(d, ((r, g), b)): (&mut [u8], _)| {
                        d.iter_mut().zip([r, g, b]).for_each(|(d, c)| *d = to_u8(c));
                    };
                    if reversed {
                        run.chunks_exact_mut(CHANNELS)
                            .rev()
                            .zip(values)
                            .for_each(put);
                    } else {
                        run.chunks_exact_mut(CHANNELS).zip(values).for_each(put);
                    }
                }
            }
        }
    }
}

/// Column `i` of the first `n` rows of a tile plane of `width` pixels per row.
fn tile_column(plane: &[f32], i: usize, width: usize, n: usize) -> impl Iterator<Item = f32> + '_ {
    plane
        .get(i..)
        .unwrap_or(&[])
        .iter()
        .step_by(width.max(1))
        .take(n)
        .copied()
}

/// Where output row `r` (buffer orientation, `bh` rows) lands in a destination of
/// `row_len` elements per row, relative to the output rectangle's top-left: the index of the
/// pixel with the lowest index, the absolute index step between consecutive pixels, and whether
/// the row runs backwards (buffer pixel 0 has the highest index).
fn row_placement(rotation: Rotation, r: usize, bh: usize, row_len: usize) -> (usize, usize, bool) {
    match rotation {
        Rotation::Deg0 => (r * row_len, 1, false),
        Rotation::Deg90 => (bh - 1 - r, row_len, false),
        Rotation::Deg180 => ((bh - 1 - r) * row_len, 1, true),
        Rotation::Deg270 => (r, row_len, true),
    }
}

/// Converts output row `r` (buffer orientation, `bw` x `bh` output) to RGB and writes it to the
/// sink with the rotation applied.
#[allow(clippy::too_many_arguments)]
pub(super) fn emit_row(
    sink: &mut Sink,
    rows: &[Vec<f32>; CHANNELS],
    yuv: bool,
    colour: YuvToRgb,
    rotation: Rotation,
    r: usize,
    bw: usize,
    bh: usize,
) {
    let [c0, c1, c2] = rows;
    let samples = c0
        .iter()
        .zip(c1.iter())
        .zip(c2.iter())
        .map(|((&a, &b), &c)| (a, b, c));
    match sink {
        Sink::Tensor {
            planes,
            row_len,
            x0,
            y0,
        } => {
            let (start, step, backwards) = row_placement(rotation, r, bh, *row_len);
            let begin = start + *y0 * *row_len + *x0;
            let end = begin + (bw - 1) * step + 1;
            let [pr, pg, pb] = planes;
            let (Some(pr), Some(pg), Some(pb)) = (
                pr.get_mut(begin..end),
                pg.get_mut(begin..end),
                pb.get_mut(begin..end),
            ) else {
                return;
            };
            let put = |((r, g, b), (y, u, v)): ((&mut f32, &mut f32, &mut f32), _)| {
                [*r, *g, *b] = if yuv {
                    colour.convert(y, u, v)
                } else {
                    [y, u, v]
                };
            };
            if step == 1 && !backwards {
                // Contiguous rows (no rotation): a plain zip that the compiler vectorises.
                let dst = pr.iter_mut().zip(pg.iter_mut()).zip(pb.iter_mut());
                dst.map(|((r, g), b)| (r, g, b)).zip(samples).for_each(put);
                return;
            }
            let dst = pr.iter_mut().step_by(step).zip(pg.iter_mut().step_by(step));
            let dst = dst
                .zip(pb.iter_mut().step_by(step))
                .map(|((r, g), b)| (r, g, b));
            if backwards {
                dst.rev().zip(samples).for_each(put);
            } else {
                dst.zip(samples).for_each(put);
            }
        }
        Sink::Rgb { dst, row_len } => {
            let (start, step, backwards) = row_placement(rotation, r, bh, *row_len);
            let begin = start * CHANNELS;
            let end = begin + ((bw - 1) * step + 1) * CHANNELS;
            let Some(dst) = dst.get_mut(begin..end) else {
                return;
            };
            let put = |(d, (y, u, v)): (&mut [u8], _)| {
                let rgb = if yuv {
                    colour.convert(y, u, v)
                } else {
                    [y, u, v]
                };
                d.iter_mut().zip(rgb).for_each(|(d, c)| *d = to_u8(c));
            };
            if step == 1 && !backwards {
                dst.chunks_exact_mut(CHANNELS).zip(samples).for_each(put);
                return;
            }
            let dst = dst.chunks_exact_mut(CHANNELS).step_by(step);
            if backwards {
                dst.rev().zip(samples).for_each(put);
            } else {
                dst.zip(samples).for_each(put);
            }
        }
    }
}
