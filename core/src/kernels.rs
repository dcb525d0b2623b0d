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
//!
//! On those cores tract then picks among its 256-bit kernels with a cost model per vendor; its
//! AMD one (calibrated on a Zen 2 part) gives the model's 24-channel layers the 8x8 kernel at the
//! ROI inputs (128x128, 192x192), which loads a broadcast for every multiply-add, where the 24x4
//! one fits them exactly, and the 1x1 layer over 32 channels at 288x512 the 40x2 one. With
//! tract's generic picker (tile fit: 24x4 for both), on this project's machine (`core/examples/model_time`, minimum of
//! 200 runs, three alternations): 128x128 0.37 -> 0.33 ms, 192x192 0.70 -> 0.68, 192x320
//! 1.16 -> 1.11, 224x384 1.59 -> 1.56, 288x512 2.83 -> 2.69 ms.
//! [`prefer_tile_fitting_kernels_on_amd_single_fma_cores`] makes that choice; tract takes it
//! from the environment only, so it is for the start of a process's `main` (the CLI, the timing
//! examples), not for a library inside someone else's process.

/// Value of tract's `TRACT_CPU_ISA` knob that takes the AVX-512 kernels out of its pool.
#[cfg(target_arch = "x86_64")]
const WITHOUT_AVX512: &str = "-avx512f";
/// Name of that knob (also read from the environment by tract).
#[cfg(target_arch = "x86_64")]
const ISA_KNOB_ENV: &str = "TRACT_CPU_ISA";
/// 512-bit FMA units from which the AVX-512 kernels are kept.
#[cfg(target_arch = "x86_64")]
const DUAL_FMA_UNITS: u8 = 2;
/// The environment variable that chooses tract's x86 kernel cost model (`intel`, `amd`, or any
/// other value: the generic tile-fit picker). tract reads it while a model is optimised.
#[cfg(target_arch = "x86_64")]
const X86_KIND_ENV: &str = "TRACT_X86_KIND";
/// A value of [`X86_KIND_ENV`] that selects tract's generic picker.
#[cfg(target_arch = "x86_64")]
const GENERIC_X86_KIND: &str = "generic";
/// The CPUID vendor string of AMD processors.
#[cfg(target_arch = "x86_64")]
const AMD_VENDOR: &[u8; 12] = b"AuthenticAMD";

/// On an x86-64 core with AVX-512F but a single 512-bit FMA unit, makes tract use its 256-bit
/// FMA kernels. Returns whether it changed tract's choice. It does nothing where the process
/// environment already sets `TRACT_CPU_ISA` (the user's choice wins), off x86-64, or without
/// AVX-512F. Call it once at start, before the first model is loaded: tract reads its
/// instruction-set choice once per process.
pub fn prefer_256_bit_kernels_on_single_fma_cores() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        if !single_fma_avx512_core() {
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

/// Whether this x86-64 core is one whose AVX-512 kernels
/// [`prefer_256_bit_kernels_on_single_fma_cores`] sets aside: AVX-512F with a single 512-bit
/// FMA unit, and no `TRACT_CPU_ISA` in the environment.
#[cfg(target_arch = "x86_64")]
fn single_fma_avx512_core() -> bool {
    std::env::var_os(ISA_KNOB_ENV).is_none()
        && std::arch::is_x86_feature_detected!("avx512f")
        && tract_linalg::x86_64::fma_width::avx512_fma_units() < DUAL_FMA_UNITS
}

/// Whether the CPU's vendor is AMD (CPUID leaf 0).
#[cfg(target_arch = "x86_64")]
fn amd_cpu() -> bool {
    // SAFETY: CPUID leaf 0 exists on every x86-64 processor. (`unsafe` is needed by older
    // compilers only.)
    #[allow(unused_unsafe)]
    let id = unsafe { std::arch::x86_64::__cpuid(0) };
    let mut vendor = [0u8; 12];
    vendor[0..4].copy_from_slice(&id.ebx.to_le_bytes());
    vendor[4..8].copy_from_slice(&id.edx.to_le_bytes());
    vendor[8..12].copy_from_slice(&id.ecx.to_le_bytes());
    &vendor == AMD_VENDOR
}

/// On an AMD x86-64 core with AVX-512F and a single 512-bit FMA unit (Zen 4 and 5, where
/// [`prefer_256_bit_kernels_on_single_fma_cores`] applies), makes tract pick its matrix kernels
/// by tile fit instead of by its AMD cost model (see the module docs). Returns whether it
/// changed tract's choice; it does nothing where the environment already sets `TRACT_X86_KIND`
/// or `TRACT_CPU_ISA` (the user's choice wins), off x86-64, on other vendors and other cores.
///
/// It sets a process environment variable, the only way tract takes this choice: call it first
/// thing in `main`, while the process has a single thread and before any model is loaded. A
/// library running inside another program's process (the FFI) must not call it.
pub fn prefer_tile_fitting_kernels_on_amd_single_fma_cores() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        if std::env::var_os(X86_KIND_ENV).is_some() || !single_fma_avx512_core() || !amd_cpu() {
            return false;
        }
        std::env::set_var(X86_KIND_ENV, GENERIC_X86_KIND);
        true
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}
