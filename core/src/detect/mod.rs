//! ONNX ball detector run with tract, and heatmap decoding into candidates.
//!
//! The model follows contract v1 (source of truth: `models/README.md`): one input `image`,
//! f32 `[1,3,H,W]`, RGB 0..255, H and W multiples of 32; one output `out`, f32
//! `[1,4,H/4,W/4]` holding the ball-centre logit, the centre's offset inside the cell (x, y, in
//! cells) and the ball radius in input pixels. A model is parsed once, then optimised once per
//! input size (a "slot"); every frame reuses the slot's plan, state and input tensor.
//!
//! This file holds the detector and the decoding; `config` its settings ([`DetectorConfig`]).

use std::sync::Arc;

use tract_onnx::prelude::*;
use tract_onnx::tract_core::knobs::KnobScope;
use tract_onnx::tract_hir::infer::Factoid;

use crate::error::{InferenceError, ModelError};
use crate::frame::TensorMapping;
pub use crate::types::{Candidate, InputSize, INPUT_CHANNELS, MAX_INPUT_SIDE};

mod config;
pub use config::{
    DetectorConfig, DEFAULT_MAX_CANDIDATES, MAX_CANDIDATES, ROI_THRESHOLD, SEARCH_THRESHOLD,
};

/// Name of the model's single input.
pub const INPUT_NAME: &str = "image";
/// Name of the model's single output.
pub const OUTPUT_NAME: &str = "out";
/// Output channels: logit, offset x, offset y, radius.
pub const OUTPUT_CHANNELS: usize = 4;
/// Output stride: one heatmap cell covers this many input pixels per side.
pub const STRIDE: u32 = 4;
/// Largest model file read, bytes (64 MiB; the shipped model is 0.28 MB). A bigger file, or
/// anything that is not a regular file (`/dev/zero`, a FIFO, a folder), is refused before it
/// is read.
pub const MAX_MODEL_FILE_BYTES: u64 = 64 * 1024 * 1024;
/// Batch size of contract v1.
const BATCH: i64 = 1;
/// tract knob turning its direct spatial convolution off while a plan is prepared (see
/// `prepare`).
const DIRECT_SPATIAL_KNOB: &str = "TRACT_DISABLE_DIRECT_SPATIAL";

type Plan = TypedSimplePlan;

type State = TypedSimpleState;

/// A model prepared for one input size.
struct Slot {
    size: InputSize,
    state: State,
    /// The input tensor, reused frame after frame (written in place when tract released it).
    input: Arc<Tensor>,
}

/// Outcome of one detector run.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct RunStats {
    /// Candidates above the threshold in this run (before the top-k cut).
    pub above_threshold: u32,
    /// Time spent writing the input tensor, microseconds (telemetry only).
    pub input_us: u64,
    /// Time spent decoding the heatmap, microseconds (telemetry only).
    pub decode_us: u64,
}

/// The ball detector: one parsed model, one optimised plan per input size.
pub struct Detector {
    slots: Vec<Slot>,
    /// Size of the model file in bytes.
    model_bytes: usize,
}

impl std::fmt::Debug for Detector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let sizes: Vec<InputSize> = self.slots.iter().map(|s| s.size).collect();
        f.debug_struct("Detector")
            .field("sizes", &sizes)
            .field("model_bytes", &self.model_bytes)
            .finish()
    }
}

fn contract(expected: impl Into<String>, found: impl Into<String>) -> ModelError {
    ModelError::Contract {
        expected: expected.into(),
        found: found.into(),
    }
}

/// Checks the parsed model's interface against contract v1 before any size is fixed.
fn check_interface(model: &InferenceModel) -> Result<(), ModelError> {
    let inputs = model
        .input_outlets()
        .map_err(|e| ModelError::Parse(e.to_string()))?;
    let outputs = model
        .output_outlets()
        .map_err(|e| ModelError::Parse(e.to_string()))?;
    if inputs.len() != 1 {
        return Err(contract("1 input", format!("{} inputs", inputs.len())));
    }
    if outputs.len() != 1 {
        return Err(contract("1 output", format!("{} outputs", outputs.len())));
    }
    let in_name = &model.node(inputs[0].node).name;
    if in_name != INPUT_NAME {
        return Err(contract(
            format!("input named `{INPUT_NAME}`"),
            format!("`{in_name}`"),
        ));
    }
    let out_name = model
        .outlet_label(outputs[0])
        .unwrap_or_else(|| model.node(outputs[0].node).name.as_str());
    if out_name != OUTPUT_NAME {
        return Err(contract(
            format!("output named `{OUTPUT_NAME}`"),
            format!("`{out_name}`"),
        ));
    }
    let fact = model
        .input_fact(0)
        .map_err(|e| ModelError::Parse(e.to_string()))?;
    if let Some(dt) = fact.datum_type.concretize() {
        if dt != f32::datum_type() {
            return Err(contract("input of type f32", format!("{dt:?}")));
        }
    }
    if let Some(rank) = fact.shape.rank().concretize() {
        if rank != 4 {
            return Err(contract(
                "input of rank 4 [1,3,H,W]",
                format!("rank {rank}"),
            ));
        }
        // H and W may be symbolic (the engine fixes them per input size); whatever the model
        // states concretely must fit [1, 3, <= MAX_INPUT_SIDE, <= MAX_INPUT_SIDE] before any
        // plan or tensor is made for it.
        let dims: Vec<Option<i64>> = fact
            .shape
            .dims()
            .map(|d| d.concretize().and_then(|d| d.to_i64().ok()))
            .collect();
        if let Some(n) = dims.first().copied().flatten() {
            if n != BATCH {
                return Err(contract("batch size 1", format!("batch size {n}")));
            }
        }
        if let Some(c) = dims.get(1).copied().flatten() {
            if c != INPUT_CHANNELS as i64 {
                return Err(contract("3 input channels", format!("{c} channels")));
            }
        }
        for (axis, side) in [("height", dims.get(2)), ("width", dims.get(3))] {
            if let Some(v) = side.copied().flatten() {
                if !(1..=i64::from(MAX_INPUT_SIDE)).contains(&v) {
                    return Err(contract(
                        format!("an input {axis} that is symbolic or in 1..={MAX_INPUT_SIDE}"),
                        format!("{axis} {v}"),
                    ));
                }
            }
        }
    }
    Ok(())
}

/// Reads a model file: a regular file (symbolic links are followed) of at most
/// [`MAX_MODEL_FILE_BYTES`], checked before anything is read.
pub fn read_model_file(path: &std::path::Path) -> Result<Vec<u8>, ModelError> {
    use std::io::Read;
    let shown = || path.display().to_string();
    let io = |source| ModelError::Io {
        path: shown(),
        source,
    };
    // Checked before opening: opening a FIFO for reading would block.
    let meta = std::fs::metadata(path).map_err(io)?;
    let check = |meta: &std::fs::Metadata| {
        if !meta.is_file() {
            return Err(ModelError::NotAFile { path: shown() });
        }
        if meta.len() > MAX_MODEL_FILE_BYTES {
            return Err(ModelError::FileTooLarge {
                path: shown(),
                bytes: meta.len(),
                max: MAX_MODEL_FILE_BYTES,
            });
        }
        Ok(meta.len())
    };
    check(&meta)?;
    let file = std::fs::File::open(path).map_err(io)?;
    // Again on the opened file (the path may have changed in between).
    let len = check(&file.metadata().map_err(io)?)?;
    let mut bytes = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
    file.take(MAX_MODEL_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > MAX_MODEL_FILE_BYTES {
        return Err(ModelError::FileTooLarge {
            path: shown(),
            bytes: bytes.len() as u64,
            max: MAX_MODEL_FILE_BYTES,
        });
    }
    Ok(bytes)
}

/// Optimises the model for one input size and checks the output shape.
fn prepare(model: &InferenceModel, size: InputSize, threads: usize) -> Result<Slot, ModelError> {
    let prep_err = |e: TractError| ModelError::Prepare {
        width: size.width,
        height: size.height,
        message: format!("{e:#}"),
    };
    let shape = [
        1usize,
        INPUT_CHANNELS,
        size.height as usize,
        size.width as usize,
    ];
    let typed = model
        .clone()
        .with_input_fact(0, f32::fact(shape).into())
        .and_then(|m| m.into_typed())
        .map_err(prep_err)?;
    let out_fact = typed.output_fact(0).map_err(prep_err)?;
    let expected = [
        1usize,
        OUTPUT_CHANNELS,
        (size.height / STRIDE) as usize,
        (size.width / STRIDE) as usize,
    ];
    let found: Option<Vec<usize>> = out_fact.shape.as_concrete().map(|s| s.to_vec());
    if out_fact.datum_type != f32::datum_type() || found.as_deref() != Some(&expected[..]) {
        return Err(contract(
            format!("output f32 {expected:?} for input {shape:?}"),
            format!("{:?} {:?}", out_fact.datum_type, out_fact.shape),
        ));
    }
    // tract's "direct spatial" convolution (taken for output rows of 128 points or more) is
    // slower than its im2col + matrix product for this model's strided stem and stride-4 head:
    // measured 11.2 -> 7.3 ms (min of 200 runs) for the 288x512 search input, no change at
    // 192x192. The knob is scoped to this preparation only: no process-wide state.
    let scope = KnobScope::new([(DIRECT_SPATIAL_KNOB, "true")]).map_err(prep_err)?;
    let optimized = scope.enter(|| typed.into_optimized()).map_err(prep_err)?;
    let options = run_options(threads);
    let plan: Arc<Plan> = optimized
        .into_runnable_with_options(&options)
        .map_err(prep_err)?;
    let state = State::new(&plan).map_err(prep_err)?;
    let input = Tensor::zero::<f32>(&shape).map_err(prep_err)?;
    Ok(Slot {
        size,
        state,
        input: Arc::new(input),
    })
}

#[cfg(feature = "multithread")]
fn run_options(threads: usize) -> RunOptions {
    let mut options = RunOptions::default();
    if threads > 1 {
        options.executor = Some(tract_linalg::multithread::Executor::multithread(threads));
    }
    options
}

#[cfg(not(feature = "multithread"))]
fn run_options(threads: usize) -> RunOptions {
    if threads > 1 {
        log::warn!("{threads} inference threads requested, but this build is single-threaded (feature `multithread`)");
    }
    RunOptions::default()
}

impl Detector {
    /// Parses an ONNX model from bytes, checks it against contract v1 and prepares one plan
    /// per input size.
    pub fn from_bytes(
        bytes: &[u8],
        sizes: &[InputSize],
        threads: usize,
    ) -> Result<Self, ModelError> {
        let mut reader = bytes;
        let model = tract_onnx::onnx()
            .model_for_read(&mut reader)
            .map_err(|e| ModelError::Parse(format!("{e:#}")))?;
        check_interface(&model)?;
        let mut slots: Vec<Slot> = Vec::with_capacity(sizes.len());
        for &size in sizes {
            size.check()
                .map_err(|e| contract("input sizes that are multiples of 32", e.to_string()))?;
            if slots.iter().any(|s| s.size == size) {
                continue;
            }
            slots.push(prepare(&model, size, threads)?);
        }
        log::info!("detector ready: {} bytes, sizes {:?}", bytes.len(), sizes);
        Ok(Self {
            slots,
            model_bytes: bytes.len(),
        })
    }

    /// Reads a model file (see [`read_model_file`]), then as [`Detector::from_bytes`].
    pub fn from_path(
        path: &std::path::Path,
        sizes: &[InputSize],
        threads: usize,
    ) -> Result<Self, ModelError> {
        let bytes = read_model_file(path)?;
        Self::from_bytes(&bytes, sizes, threads)
    }

    /// Size of the model file in bytes.
    pub fn model_bytes(&self) -> usize {
        self.model_bytes
    }

    /// The prepared input sizes, in slot order.
    pub fn sizes(&self) -> impl Iterator<Item = InputSize> + '_ {
        self.slots.iter().map(|s| s.size)
    }

    /// Slot index of a prepared size.
    fn slot(&self, size: InputSize) -> Result<usize, InferenceError> {
        self.slots
            .iter()
            .position(|s| s.size == size)
            .ok_or(InferenceError::NoPlan {
                width: size.width,
                height: size.height,
            })
    }

    /// Bytes held by the input tensors (tract's own buffers are not counted).
    pub fn input_bytes(&self) -> usize {
        self.slots
            .iter()
            .map(|s| s.size.tensor_len() * std::mem::size_of::<f32>())
            .sum()
    }

    /// The input tensor of a slot, in CHW order.
    fn input_mut(&mut self, slot: usize) -> Result<&mut [f32], InferenceError> {
        let s = self.slots.get_mut(slot).ok_or(InferenceError::NoPlan {
            width: 0,
            height: 0,
        })?;
        if Arc::get_mut(&mut s.input).is_none() {
            // tract still holds the previous input: start a fresh one (rare; costs one allocation).
            let shape = [
                1usize,
                INPUT_CHANNELS,
                s.size.height as usize,
                s.size.width as usize,
            ];
            let t = Tensor::zero::<f32>(&shape)
                .map_err(|e| InferenceError::Runtime(format!("{e:#}")))?;
            s.input = Arc::new(t);
        }
        let tensor = Arc::get_mut(&mut s.input).ok_or(InferenceError::Layout("input"))?;
        tensor
            .to_plain_array_view_mut::<f32>()
            .map_err(|_| InferenceError::Layout("input"))?
            .into_slice()
            .ok_or(InferenceError::Layout("input"))
    }

    /// Runs the slot's plan on its input tensor; returns the outputs and the heatmap grid.
    fn infer(&mut self, slot: usize) -> Result<(TVec<TValue>, Grid), InferenceError> {
        let s = self.slots.get_mut(slot).ok_or(InferenceError::NoPlan {
            width: 0,
            height: 0,
        })?;
        let input = TValue::from_const(Arc::clone(&s.input));
        let outputs = s.state.run(tvec![input]);
        clear_upper_vector_state();
        let outputs = outputs.map_err(|e| InferenceError::Runtime(format!("{e:#}")))?;
        let grid = Grid {
            width: (s.size.width / STRIDE) as usize,
            height: (s.size.height / STRIDE) as usize,
        };
        Ok((outputs, grid))
    }

    /// Runs the model once at `size`, a prepared input size. `fill` writes the input tensor
    /// (`[1,3,H,W]`, CHW, RGB 0..255; it holds the previous run's values) and returns how its
    /// pixels map to the frame; the heatmap is then decoded into `out` as [`decode_heatmap`]
    /// does: candidates above `threshold` whose centre lies inside `bounds` (frame width,
    /// height), appended keeping the best `out.capacity()`.
    pub fn detect<E>(
        &mut self,
        size: InputSize,
        fill: impl FnOnce(&mut [f32]) -> Result<TensorMapping, E>,
        threshold: f32,
        bounds: (f32, f32),
        out: &mut Vec<Candidate>,
    ) -> Result<RunStats, crate::Error>
    where
        crate::Error: From<E>,
    {
        let slot = self.slot(size)?;
        let started = std::time::Instant::now();
        let mapping = fill(self.input_mut(slot)?)?;
        let input_us = elapsed_us(started);
        let (outputs, grid) = self.infer(slot)?;
        let data = output_slice(&outputs)?;
        let decoding = std::time::Instant::now();
        let mut stats = decode_heatmap(data, grid, threshold, &mapping, bounds, out)?;
        stats.input_us = input_us;
        stats.decode_us = elapsed_us(decoding);
        Ok(stats)
    }

    /// Runs the model once at `size` with the input `fill` writes (as [`Detector::detect`])
    /// and copies the raw output (`[1,4,H/4,W/4]`, CHW) into `out`: for model checks against
    /// reference values and for whole-output scoring. Feature `testing`.
    #[cfg(any(test, feature = "testing"))]
    pub fn detect_raw(
        &mut self,
        size: InputSize,
        fill: impl FnOnce(&mut [f32]),
        out: &mut Vec<f32>,
    ) -> Result<(), crate::Error> {
        let slot = self.slot(size)?;
        fill(self.input_mut(slot)?);
        let (outputs, _) = self.infer(slot)?;
        out.clear();
        out.extend_from_slice(output_slice(&outputs)?);
        Ok(())
    }
}

/// Microseconds since `t` (telemetry only).
fn elapsed_us(t: std::time::Instant) -> u64 {
    u64::try_from(t.elapsed().as_micros()).unwrap_or(u64::MAX)
}

/// The model's single output as a contiguous f32 slice.
fn output_slice(outputs: &TVec<TValue>) -> Result<&[f32], InferenceError> {
    let output = outputs.first().ok_or(InferenceError::NoOutput)?;
    let view = output
        .to_plain_array_view::<f32>()
        .map_err(|_| InferenceError::Layout("output"))?;
    view.to_slice().ok_or(InferenceError::Layout("output"))
}

/// Size of the output heatmap in cells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Grid {
    pub width: usize,
    pub height: usize,
}

/// Logit for a probability threshold (sigmoid is monotonic, so peaks compare on logits).
fn logit(p: f32) -> f32 {
    let p = p.clamp(f32::EPSILON, 1.0 - f32::EPSILON);
    (p / (1.0 - p)).ln()
}

fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

/// Clears the upper halves of the AVX registers after a tract run.
///
/// tract's AVX kernels return with the upper halves of the YMM/ZMM registers dirty; the
/// non-VEX (SSE) code that runs next in this crate, built for the x86-64 baseline, then pays a
/// state-transition penalty on every vector instruction. Measured on this project's machine:
/// converting a 1080p NV21 frame to the 384x224 search tensor takes 1.55 ms alone and 4.5 ms
/// right after a tract run; with `vzeroupper` after the run, 1.7 ms. A no-op off x86-64 and on
/// CPUs without AVX.
#[inline]
fn clear_upper_vector_state() {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx") {
            // SAFETY: the CPU supports AVX (checked above). `vzeroupper` zeroes only the upper
            // halves of the vector registers; every vector register is caller-saved across this
            // call, so no live value is held in one.
            unsafe { std::arch::x86_64::_mm256_zeroupper() };
        }
    }
}

/// Inserts a candidate into `out`, keeping it sorted by score (best first) and within its
/// capacity, without allocating.
fn insert_top(out: &mut Vec<Candidate>, c: Candidate) {
    let cap = out.capacity();
    if cap == 0 {
        return;
    }
    let pos = out
        .iter()
        .position(|o| o.score < c.score)
        .unwrap_or(out.len());
    if out.len() == cap {
        if pos >= cap {
            return;
        }
        out.pop();
    }
    out.insert(pos, c);
}

/// Decodes a contract-v1 output (`[4, grid.height, grid.width]`, CHW) into candidates:
/// sigmoid, 3x3 peak picking, threshold, sub-cell offset, mapped to upright frame pixels by
/// `mapping`. Candidates whose centre falls outside `bounds` (frame width, height) — in the
/// letterbox padding, say — are dropped. Appends to `out` keeping the best `out.capacity()`.
pub fn decode_heatmap(
    data: &[f32],
    grid: Grid,
    threshold: f32,
    mapping: &TensorMapping,
    bounds: (f32, f32),
    out: &mut Vec<Candidate>,
) -> Result<RunStats, InferenceError> {
    let plane = grid.width * grid.height;
    if data.len() < OUTPUT_CHANNELS * plane {
        return Err(InferenceError::OutputTooShort {
            len: data.len(),
            needed: OUTPUT_CHANNELS * plane,
            grid_width: grid.width,
            grid_height: grid.height,
        });
    }
    // Channel order of contract v1: logit, offset x, offset y, radius.
    let (heat, rest) = data.split_at(plane);
    let (off_x, rest) = rest.split_at(plane);
    let (off_y, radius) = rest.split_at(plane);
    let thr = logit(threshold);
    let mut stats = RunStats::default();
    let stride = STRIDE as f32;
    let scale = 0.5 * (mapping.scale_x + mapping.scale_y);
    for y in 0..grid.height {
        let row = y * grid.width;
        for x in 0..grid.width {
            let v = heat[row + x];
            if v.is_nan() || v < thr {
                continue;
            }
            let mut is_peak = true;
            'nb: for ny in y.saturating_sub(1)..=(y + 1).min(grid.height - 1) {
                for nx in x.saturating_sub(1)..=(x + 1).min(grid.width - 1) {
                    let n = heat[ny * grid.width + nx];
                    // Ties break toward the first cell in scan order.
                    if n > v || (n == v && (ny * grid.width + nx) < row + x) {
                        is_peak = false;
                        break 'nb;
                    }
                }
            }
            if !is_peak {
                continue;
            }
            let i = row + x;
            let ox = off_x[i].clamp(0.0, 1.0);
            let oy = off_y[i].clamp(0.0, 1.0);
            let tx = (x as f32 + ox) * stride;
            let ty = (y as f32 + oy) * stride;
            let (fx, fy) = mapping.to_frame(tx, ty);
            if !(fx >= 0.0 && fy >= 0.0 && fx < bounds.0 && fy < bounds.1) {
                continue;
            }
            stats.above_threshold += 1;
            let r = radius[i];
            let r = if r.is_finite() {
                r.max(0.0) * scale
            } else {
                0.0
            };
            insert_top(
                out,
                Candidate {
                    x: fx,
                    y: fy,
                    radius: r,
                    score: sigmoid(v),
                },
            );
        }
    }
    Ok(stats)
}

#[cfg(test)]
mod tests;
