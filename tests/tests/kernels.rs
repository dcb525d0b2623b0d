//! `ballcam_core::prefer_256_bit_kernels_on_single_fma_cores`, in a test process of
//! its own (it changes a process-wide tract setting, read once): it switches exactly where its
//! rule says, tract then leaves its AVX-512 kernels out, and the shipped model still reproduces
//! its export reference.

mod common;

use ballcam_core::prefer_256_bit_kernels_on_single_fma_cores;
use common::{check_shipped_model_against_reference, SHIPPED_MODELS};

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
    for stem in SHIPPED_MODELS {
        let (values, worst) = check_shipped_model_against_reference(stem);
        println!("256-bit kernels preferred: {changed}; {stem}: {values} values, worst difference {worst:.2e}");
    }
}
