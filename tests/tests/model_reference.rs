//! The shipped models load through the core and reproduce the reference output saved when each
//! was exported (`models/ballnet_reference.json`, `models/ballnet_any_reference.json`), so a
//! model file and its engine agree; the `ball` setting picks the embedded one it names.

mod common;

use ballcam_core::embedded_model;
use ballcam_core::testing::Detector;
use ballcam_core::Ball;
use ballcam_core::InputSize;
use common::{check_shipped_model_against_reference, repo_path, SHIPPED_MODELS};

#[test]
fn shipped_models_match_their_export_references() {
    for stem in SHIPPED_MODELS {
        let (values, worst) = check_shipped_model_against_reference(stem);
        println!("{stem} reference: {values} values, worst |tract - reference| = {worst:.2e}");
    }
}

#[test]
fn each_ball_setting_embeds_its_shipped_file() {
    for (ball, stem) in [(Ball::Football, "ballnet"), (Ball::Any, "ballnet_any")] {
        let model = std::fs::read(repo_path(&format!("models/{stem}.onnx"))).expect("model file");
        assert!(
            embedded_model(ball).expect("embedded") == &model[..],
            "{ball}"
        );
    }
    assert!(
        embedded_model(Ball::Any).expect("any")
            != embedded_model(Ball::Football).expect("football")
    );
    // The default is the general model.
    assert_eq!(ballcam_core::Config::default().ball, Ball::Any);
}

#[test]
fn the_engine_loads_the_model_its_ball_names() {
    use sha2::{Digest, Sha256};
    for (ball, stem) in [(Ball::Football, "ballnet"), (Ball::Any, "ballnet_any")] {
        let model = std::fs::read(repo_path(&format!("models/{stem}.onnx"))).expect("model file");
        let sha: String = Sha256::digest(&model)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let config = ballcam_core::Config {
            ball,
            ..ballcam_core::Config::default()
        };
        let engine = ballcam_core::Engine::new(config).expect("engine");
        assert_eq!(engine.model_sha256(), sha, "{ball}");
    }
}

#[test]
fn the_ball_setting_reads_from_toml_and_refuses_unknown_balls() {
    let c = ballcam_core::Config::from_toml_str("ball = \"football\"").expect("toml");
    assert_eq!(c.ball, Ball::Football);
    let e = ballcam_core::Config::from_toml_str("ball = \"cricket\"").unwrap_err();
    assert!(e.to_string().contains("ball"), "{e}");
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
