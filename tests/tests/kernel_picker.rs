//! `ballcam_core::prefer_tile_fitting_kernels_on_amd_single_fma_cores`, in a test
//! process of its own (it sets an environment variable, which only a single-threaded process
//! may do, and tract's kernel choice is process-wide): it switches exactly where its rule says,
//! and with the CLI's kernel choices the shipped models still reproduce their export references.

mod common;

use ballcam_core::{
    prefer_256_bit_kernels_on_single_fma_cores, prefer_tile_fitting_kernels_on_amd_single_fma_cores,
};
use common::{check_shipped_model_against_reference, SHIPPED_MODELS};

/// The environment variable the function sets.
const X86_KIND_ENV: &str = "TRACT_X86_KIND";

#[test]
fn the_kernel_picker_follows_its_rule_and_keeps_the_output() {
    // The rule's inputs, read before the call changes the environment.
    let user_kind = std::env::var_os(X86_KIND_ENV).is_some();
    let user_isa = std::env::var_os("TRACT_CPU_ISA").is_some();
    // First, as in the CLI's `main`: this is the only test of this process.
    let changed = prefer_tile_fitting_kernels_on_amd_single_fma_cores();
    let ymm = prefer_256_bit_kernels_on_single_fma_cores();
    #[cfg(target_arch = "x86_64")]
    {
        let single_fma_avx512 = std::arch::is_x86_feature_detected!("avx512f")
            && tract_linalg::x86_64::fma_width::avx512_fma_units() < 2;
        // SAFETY: CPUID leaf 0 exists on every x86-64 processor.
        #[allow(unused_unsafe)]
        let id = unsafe { std::arch::x86_64::__cpuid(0) };
        let amd = id.ebx.to_le_bytes() == *b"Auth"
            && id.edx.to_le_bytes() == *b"enti"
            && id.ecx.to_le_bytes() == *b"cAMD";
        assert_eq!(changed, !user_kind && !user_isa && single_fma_avx512 && amd);
        if changed {
            assert!(
                ymm,
                "the tile-fit picker is for the cores that run 256-bit kernels"
            );
            assert!(std::env::var_os(X86_KIND_ENV).is_some());
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    assert!(!changed);
    for stem in SHIPPED_MODELS {
        let (values, worst) = check_shipped_model_against_reference(stem);
        println!(
            "tile-fit picker: {changed}; {stem}: {values} values, worst difference {worst:.2e}"
        );
    }
}
