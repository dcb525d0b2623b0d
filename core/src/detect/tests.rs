//! Tests of the detector: model interface checks and heatmap decoding.

use super::*;
use crate::error::InferenceError;

fn identity() -> TensorMapping {
    TensorMapping {
        origin_x: 0.0,
        origin_y: 0.0,
        scale_x: 1.0,
        scale_y: 1.0,
    }
}

fn grid_data(grid: Grid, peaks: &[(usize, usize, f32, f32, f32, f32)]) -> Vec<f32> {
    let plane = grid.width * grid.height;
    let mut d = vec![0.0f32; 4 * plane];
    d[..plane].iter_mut().for_each(|v| *v = -10.0);
    for &(x, y, l, ox, oy, r) in peaks {
        let i = y * grid.width + x;
        d[i] = l;
        d[plane + i] = ox;
        d[2 * plane + i] = oy;
        d[3 * plane + i] = r;
    }
    d
}

#[test]
fn decodes_peak_with_offset_and_mapping() {
    let grid = Grid {
        width: 8,
        height: 6,
    };
    let d = grid_data(grid, &[(3, 2, 2.0, 0.25, 0.5, 5.0)]);
    let mut out = Vec::with_capacity(4);
    let map = TensorMapping {
        origin_x: 100.0,
        origin_y: 50.0,
        scale_x: 2.0,
        scale_y: 2.0,
    };
    let st = decode_heatmap(&d, grid, 0.5, &map, (1e4, 1e4), &mut out).unwrap();
    assert_eq!(st.above_threshold, 1);
    assert_eq!(out.len(), 1);
    let c = out[0];
    assert!((c.x - (100.0 + (3.25 * 4.0) * 2.0)).abs() < 1e-4, "{c:?}");
    assert!((c.y - (50.0 + (2.5 * 4.0) * 2.0)).abs() < 1e-4, "{c:?}");
    assert!((c.radius - 10.0).abs() < 1e-4);
    assert!((c.score - sigmoid(2.0)).abs() < 1e-6);
}

#[test]
fn threshold_and_non_peaks_are_dropped() {
    let grid = Grid {
        width: 8,
        height: 6,
    };
    // A plateau next to a higher peak is not a peak; a low peak is under threshold.
    let d = grid_data(
        grid,
        &[
            (3, 2, 2.0, 0.0, 0.0, 1.0),
            (4, 2, 1.0, 0.0, 0.0, 1.0),
            (7, 5, -1.0, 0.0, 0.0, 1.0),
        ],
    );
    let mut out = Vec::with_capacity(4);
    let st = decode_heatmap(&d, grid, 0.5, &identity(), (1e4, 1e4), &mut out).unwrap();
    assert_eq!(st.above_threshold, 1);
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].x, 12.0);
}

#[test]
fn keeps_best_within_capacity_sorted() {
    let grid = Grid {
        width: 16,
        height: 4,
    };
    let peaks: Vec<_> = (0..5)
        .map(|i| (i * 3, 1, 1.0 + i as f32, 0.0, 0.0, 2.0))
        .collect();
    let d = grid_data(grid, &peaks);
    let mut out = Vec::with_capacity(2);
    let st = decode_heatmap(&d, grid, 0.5, &identity(), (1e4, 1e4), &mut out).unwrap();
    assert_eq!(st.above_threshold, 5);
    assert_eq!(out.len(), 2);
    assert!(out[0].score > out[1].score);
    assert_eq!(out[0].x, 12.0 * 4.0);
    assert_eq!(out.capacity(), 2);
}

#[test]
fn out_of_bounds_and_nan_are_dropped() {
    let grid = Grid {
        width: 8,
        height: 6,
    };
    let mut d = grid_data(
        grid,
        &[(1, 1, 3.0, 0.0, 0.0, 2.0), (6, 4, 3.0, 0.0, 0.0, f32::NAN)],
    );
    d[2] = f32::NAN;
    let mut out = Vec::with_capacity(4);
    let st = decode_heatmap(&d, grid, 0.5, &identity(), (10.0, 10.0), &mut out).unwrap();
    assert_eq!(st.above_threshold, 1);
    assert_eq!(out[0].x, 4.0);
}

#[test]
fn short_output_is_an_error() {
    let mut out = Vec::with_capacity(1);
    let e = decode_heatmap(
        &[0.0; 10],
        Grid {
            width: 4,
            height: 4,
        },
        0.5,
        &identity(),
        (1.0, 1.0),
        &mut out,
    );
    // A 4x4 grid of 4 channels needs 4 * 16 = 64 values.
    assert_eq!(
        e,
        Err(InferenceError::OutputTooShort {
            len: 10,
            needed: 64,
            grid_width: 4,
            grid_height: 4
        })
    );
}

#[test]
fn garbage_bytes_are_a_parse_error() {
    let e = Detector::from_bytes(b"not a model", &[InputSize::new(64, 64)], 1).unwrap_err();
    assert!(matches!(e, ModelError::Parse(_)), "{e}");
}

#[test]
fn input_size_rules() {
    assert!(InputSize::new(192, 192).check().is_ok());
    assert!(InputSize::new(190, 192).check().is_err());
    assert!(InputSize::new(0, 32).check().is_err());
}
