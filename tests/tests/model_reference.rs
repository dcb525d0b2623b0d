//! The shipped model loads through the core and reproduces the reference output saved when it
//! was exported (`models/ballnet_reference.json`), so a model file and its engine agree.

mod common;

use ballcam_core::detect::{Detector, InputSize};
use common::{check_shipped_model_against_reference, repo_path};

#[test]
fn shipped_model_matches_export_reference() {
    let (values, worst) = check_shipped_model_against_reference();
    println!("model reference: {values} values, worst |tract - reference| = {worst:.2e}");
}

#[test]
fn embedded_model_is_the_shipped_file() {
    let model = std::fs::read(repo_path("models/ballnet.onnx")).expect("model file");
    assert_eq!(ballcam_core::pipeline::EMBEDDED_MODEL, &model[..]);
}

#[test]
fn models_that_break_the_contract_are_refused() {
    // Truncated file: a parse error, not a panic.
    let model = std::fs::read(repo_path("models/ballnet.onnx")).expect("model file");
    let e =
        Detector::from_bytes(&model[..model.len() / 2], &[InputSize::new(64, 64)], 1).unwrap_err();
    println!("truncated model: {e}");
    // Wrong input size for the contract (not a multiple of 32).
    let e = Detector::from_bytes(&model, &[InputSize::new(100, 64)], 1).unwrap_err();
    assert!(e.to_string().contains("multiples of 32"), "{e}");
}
