//! The engine's model-contract constants and defaults equal `models/contract.json`, the file
//! the training code (`models/train/ballnet/contract.py`) reads them from: a change on either
//! side fails here until the other follows.

use ballcam_core::InputSize;
use ballcam_core::Preset;
use serde_json::Value;

const CONTRACT: &str = include_str!("../../models/contract.json");

fn contract() -> Value {
    serde_json::from_str(CONTRACT).expect("models/contract.json is JSON")
}

/// The value at a `/`-separated path (a failure names it).
fn at<'a>(v: &'a Value, path: &str) -> &'a Value {
    v.pointer(path)
        .unwrap_or_else(|| panic!("models/contract.json has no {path}"))
}

fn uint(v: &Value, path: &str) -> u64 {
    at(v, path)
        .as_u64()
        .unwrap_or_else(|| panic!("{path}: not an unsigned integer"))
}

/// A number as the engine stores it (f32): the file's decimal rounded to f32.
fn real(v: &Value, path: &str) -> f32 {
    at(v, path)
        .as_f64()
        .unwrap_or_else(|| panic!("{path}: not a number")) as f32
}

fn text<'a>(v: &'a Value, path: &str) -> &'a str {
    at(v, path)
        .as_str()
        .unwrap_or_else(|| panic!("{path}: not a string"))
}

fn size(v: &Value, path: &str) -> InputSize {
    let wh = at(v, path)
        .as_array()
        .unwrap_or_else(|| panic!("{path}: not an array"));
    assert_eq!(wh.len(), 2, "{path}: [width, height]");
    let side = |i: usize| {
        u32::try_from(
            wh[i]
                .as_u64()
                .unwrap_or_else(|| panic!("{path}: not sizes")),
        )
        .expect("a side fits u32")
    };
    InputSize::new(side(0), side(1))
}

#[test]
fn model_interface_equals_the_contract_file() {
    let c = contract();
    assert_eq!(uint(&c, "/version"), 1);
    assert_eq!(text(&c, "/input/name"), ballcam_core::INPUT_NAME);
    assert_eq!(text(&c, "/output/name"), ballcam_core::OUTPUT_NAME);
    assert_eq!(
        uint(&c, "/input/channels"),
        ballcam_core::INPUT_CHANNELS as u64
    );
    let channels = at(&c, "/output/channels")
        .as_array()
        .expect("/output/channels: an array of names");
    assert_eq!(channels.len(), ballcam_core::OUTPUT_CHANNELS);
    assert_eq!(uint(&c, "/output/stride"), u64::from(ballcam_core::STRIDE));
    assert_eq!(
        uint(&c, "/input/size_multiple"),
        u64::from(ballcam_core::SIZE_MULTIPLE)
    );
    assert_eq!(
        uint(&c, "/input/max_side"),
        u64::from(ballcam_core::MAX_INPUT_SIDE)
    );
}

#[test]
fn thresholds_equal_the_contract_file() {
    let c = contract();
    assert_eq!(
        real(&c, "/thresholds/search"),
        ballcam_core::SEARCH_THRESHOLD
    );
    assert_eq!(real(&c, "/thresholds/roi"), ballcam_core::ROI_THRESHOLD);
    let d = Preset::Desktop.config();
    assert_eq!(d.detector.threshold, ballcam_core::SEARCH_THRESHOLD);
    assert_eq!(d.detector.roi_threshold, ballcam_core::ROI_THRESHOLD);
    assert_eq!(real(&c, "/thresholds/acquire"), d.tracker.acquire_score);
    assert_eq!(real(&c, "/thresholds/confirm"), d.tracker.confirm_score);
}

#[test]
fn desktop_search_ladder_equals_the_contract_file() {
    let c = contract();
    let d = Preset::Desktop.config();
    assert_eq!(
        size(&c, "/desktop_preset/full_input"),
        d.detector.full_input
    );
    assert_eq!(size(&c, "/desktop_preset/roi_input"), d.detector.roi_input);
    assert_eq!(
        real(&c, "/desktop_preset/tile_scale"),
        d.schedule.tile_scale
    );
    assert_eq!(
        uint(&c, "/desktop_preset/tile_reference_side"),
        u64::from(ballcam_core::TILE_REFERENCE_SIDE)
    );
    assert_eq!(
        d.schedule.tile_reference_side,
        ballcam_core::TILE_REFERENCE_SIDE
    );
    assert_eq!(
        real(&c, "/desktop_preset/min_tile_scale"),
        ballcam_core::MIN_TILE_SCALE
    );
    assert_eq!(
        uint(&c, "/desktop_preset/tile_coarsen_side"),
        u64::from(ballcam_core::TILE_COARSEN_SIDE)
    );
    assert_eq!(
        uint(&c, "/desktop_preset/max_fine_upscale"),
        u64::from(ballcam_core::MAX_FINE_UPSCALE)
    );
    assert_eq!(
        real(&c, "/desktop_preset/min_fine_gain"),
        ballcam_core::MIN_FINE_GAIN
    );
}
