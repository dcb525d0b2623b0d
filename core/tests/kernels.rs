//! `kernels::prefer_256_bit_kernels_on_single_fma_cores`, in a process of its own (it changes a
//! process-wide tract setting, read once): it switches exactly where its rule says, tract then
//! leaves its AVX-512 kernels out, and the shipped model still reproduces its export reference.

use ballcam_core::detect::{Detector, InputSize};
use ballcam_core::kernels::prefer_256_bit_kernels_on_single_fma_cores;

fn repo_path(rel: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(rel)
}

#[test]
fn the_kernel_choice_follows_its_rule_and_keeps_the_output() {
    // Before anything loads a model: tract reads its instruction-set choice once.
    let changed = prefer_256_bit_kernels_on_single_fma_cores();
    #[cfg(target_arch = "x86_64")]
    {
        let expected = std::env::var_os("TRACT_CPU_ISA").is_none()
            && std::arch::is_x86_feature_detected!("avx512f")
            && tract_linalg::x86_64::fma_width::avx512_fma_units() < 2;
        assert_eq!(changed, expected);
        if changed {
            let isa = tract_linalg::isa::native();
            assert!(!isa.has(tract_linalg::isa::Isa::X86_64Avx512f), "{isa:?}");
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    assert!(!changed);
    println!("256-bit kernels preferred: {changed}");

    let text = std::fs::read_to_string(repo_path("models/ballnet_reference.json"))
        .expect("reference file");
    let reference: serde_json::Value = serde_json::from_str(&text).expect("reference json");
    let dims: Vec<usize> = reference["input"]["shape"]
        .as_array()
        .expect("input shape")
        .iter()
        .map(|v| v.as_u64().expect("dim") as usize)
        .collect();
    let (c, h, w) = (dims[1], dims[2], dims[3]);
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
    let mut det = Detector::from_bytes(&model, &[size], 1).expect("model");
    let slot = det.slot(size).expect("slot");
    // The reference input: value[0][c][y][x] = (c*7 + y*13 + x*31) % 256.
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
    assert_eq!(out.len(), expected.len());
    for (i, (a, e)) in out.iter().zip(&expected).enumerate() {
        assert!(
            (a - e).abs() <= abs + rel * e.abs(),
            "output[{i}]: {a} vs reference {e}"
        );
    }
}
