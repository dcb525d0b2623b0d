//! Helpers shared by the integration tests that include this module (`mod common;`).

use ballcam_core::testing::Detector;
use ballcam_core::InputSize;

/// A path inside the repository.
pub fn repo_path(rel: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(rel)
}

/// The numbers of a JSON array in the reference file (`what` names it in a failure).
fn numbers<'a>(v: &'a serde_json::Value, what: &'a str) -> impl Iterator<Item = f64> + 'a {
    v.as_array()
        .unwrap_or_else(|| panic!("{what}: not an array"))
        .iter()
        .map(move |x| {
            x.as_f64()
                .unwrap_or_else(|| panic!("{what}: {x} is not a number"))
        })
}

/// The shipped models' file stems under `models/` (`ball = "football"`, `ball = "any"`).
pub const SHIPPED_MODELS: [&str; 2] = ["ballnet", "ballnet_any"];

/// Runs `models/{stem}.onnx` through the core on the input saved at export time and checks
/// every output value against `models/{stem}_reference.json` within its tolerance; returns the
/// number of values and the worst absolute difference.
pub fn check_shipped_model_against_reference(stem: &str) -> (usize, f32) {
    let text = std::fs::read_to_string(repo_path(&format!("models/{stem}_reference.json")))
        .expect("reference file");
    let reference: serde_json::Value = serde_json::from_str(&text).expect("reference json");
    let shape: Vec<usize> = numbers(&reference["input"]["shape"], "input shape")
        .map(|v| v as usize)
        .collect();
    assert_eq!(shape.len(), 4);
    let (c, h, w) = (shape[1], shape[2], shape[3]);
    let expected: Vec<f32> = numbers(&reference["output"]["values"], "output values")
        .map(|v| v as f32)
        .collect();
    let abs = reference["tolerance"]["abs"].as_f64().unwrap_or(1e-3) as f32;
    let rel = reference["tolerance"]["rel"].as_f64().unwrap_or(1e-3) as f32;

    let model = std::fs::read(repo_path(&format!("models/{stem}.onnx"))).expect("model file");
    let size = InputSize::new(w as u32, h as u32);
    let mut det = Detector::from_bytes(&model, &[size], 1).expect("model loads through the core");
    // value[0][c][y][x] = ((c*7 + y*13 + x*31) % 256)
    let fill = |input: &mut [f32]| {
        for ch in 0..c {
            for y in 0..h {
                for x in 0..w {
                    input[(ch * h + y) * w + x] = ((ch * 7 + y * 13 + x * 31) % 256) as f32;
                }
            }
        }
    };
    let mut out = Vec::new();
    det.detect_raw(size, fill, &mut out).expect("run");
    assert_eq!(out.len(), expected.len(), "output size");
    let mut worst = 0.0f32;
    for (i, (a, e)) in out.iter().zip(&expected).enumerate() {
        let err = (a - e).abs();
        worst = worst.max(err);
        assert!(
            err <= abs + rel * e.abs(),
            "{stem} output[{i}]: tract {a} vs reference {e}"
        );
    }
    (out.len(), worst)
}
