//! Opt-in, process-wide choice of tract's matrix kernels, for whoever owns the process (the
//! `ballcam` CLI, the timing examples, an app on x86-64). The engine itself never calls it.
//!
//! tract uses its AVX-512 f32 matrix kernels wherever the CPU has AVX-512F. A core with a single
//! 512-bit FMA unit (AMD Zen 4 and 5 run 512-bit operations on 256-bit units; Intel's AVX-512
//! client parts have one port) gets no more multiply-adds per cycle from them than from the
//! 256-bit FMA kernels, and on this project's machine (AMD EPYC, one unit by tract's own probe)
//! the shipped model ran markedly slower with them: 192x192 1.59 -> 1.12 ms, 128x128
//! 0.66 -> 0.52 ms per inference (`core/examples/model_time`, with and without
//! `TRACT_CPU_ISA=-avx512f`). tract already makes this call for its int8 VNNI kernels
//! (`tract_linalg::x86_64::fma_width`); [`prefer_256_bit_kernels_on_single_fma_cores`] makes it
//! for f32 through tract's `TRACT_CPU_ISA` knob.

/// Value of tract's `TRACT_CPU_ISA` knob that takes the AVX-512 kernels out of its pool.
#[cfg(target_arch = "x86_64")]
const WITHOUT_AVX512: &str = "-avx512f";
/// Name of that knob (also read from the environment by tract).
#[cfg(target_arch = "x86_64")]
const ISA_KNOB_ENV: &str = "TRACT_CPU_ISA";
/// 512-bit FMA units from which the AVX-512 kernels are kept.
#[cfg(target_arch = "x86_64")]
const DUAL_FMA_UNITS: u8 = 2;

/// On an x86-64 core with AVX-512F but a single 512-bit FMA unit, makes tract use its 256-bit
/// FMA kernels. Returns whether it changed tract's choice. It does nothing where the process
/// environment already sets `TRACT_CPU_ISA` (the user's choice wins), off x86-64, or without
/// AVX-512F. Call it once at start, before the first model is loaded: tract reads its
/// instruction-set choice once per process.
pub fn prefer_256_bit_kernels_on_single_fma_cores() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        if std::env::var_os(ISA_KNOB_ENV).is_some()
            || !std::arch::is_x86_feature_detected!("avx512f")
            || tract_linalg::x86_64::fma_width::avx512_fma_units() >= DUAL_FMA_UNITS
        {
            return false;
        }
        tract_linalg::knobs::TRACT_CPU_ISA.set(Some(WITHOUT_AVX512.to_string()));
        true
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}
