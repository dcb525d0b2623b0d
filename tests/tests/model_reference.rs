//! The shipped model loads through the core and reproduces the reference output saved when it
//! was exported (`models/ballnet_reference.json`), so a model file and its engine agree.

use ballcam_core::detect::{Detector, InputSize};

fn repo_path(rel: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(rel)
}

#[test]
fn shipped_model_matches_export_reference() {
    let text = std::fs::read_to_string(repo_path("models/ballnet_reference.json"))
        .expect("reference file");
    let reference: serde_json::Value = serde_json::from_str(&text).expect("reference json");
    let shape: Vec<usize> = reference["input"]["shape"]
        .as_array()
        .expect("input shape")
        .iter()
        .map(|v| v.as_u64().expect("dim") as usize)
        .collect();
    assert_eq!(shape.len(), 4);
    let (c, h, w) = (shape[1], shape[2], shape[3]);
    let expected: Vec<f32> = reference["output"]["values"]
        .as_array()
        .expect("values")
        .iter()
        .map(|v| v.as_f64().expect("number") as f32)
        .collect();
    let abs = reference["tolerance"]["abs"].as_f64().unwrap_or(1e-3) as f32;
    let rel = reference["tolerance"]["rel"].as_f64().unwrap_or(1e-3) as f32;

    let model = std::fs::read(repo_path("models/ballnet.onnx")).expect("model file");
    let size = InputSize::new(w as u32, h as u32);
    let mut det = Detector::from_bytes(&model, &[size], 1).expect("model loads through the core");
    let slot = det.slot(size).expect("slot");
    // value[0][c][y][x] = ((c*7 + y*13 + x*31) % 256)
    let input = det.input_mut(slot).expect("input");
    for ch in 0..c {
        for y in 0..h {
            for x in 0..w {
                input[(ch * h + y) * w + x] = ((ch * 7 + y * 13 + x * 31) % 256) as f32;
            }
        }
    }
    let mut out = Vec::new();
    det.run_raw(slot, &mut out).expect("run");
    assert_eq!(out.len(), expected.len(), "output size");
    let mut worst = 0.0f32;
    for (i, (a, e)) in out.iter().zip(&expected).enumerate() {
        let err = (a - e).abs();
        worst = worst.max(err);
        assert!(
            err <= abs + rel * e.abs(),
            "output[{i}]: tract {a} vs reference {e}"
        );
    }
    println!(
        "model reference: {} values, worst |tract - reference| = {worst:.2e}",
        out.len()
    );
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
