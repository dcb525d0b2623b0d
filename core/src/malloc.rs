//! Opt-in, process-wide malloc tuning for whoever owns the process (the `ballcam` CLI, the timing
//! examples, an app on glibc). The engine itself never calls it.
//!
//! tract allocates every intermediate tensor of a run afresh (about 3.5 MB per frame with the
//! shipped model). glibc's malloc maps blocks above its mmap threshold (128 KiB at start) with
//! `mmap` and unmaps them on `free`, so every run paid page faults and unmapping for its large
//! tensors: measured 1.86 ms against 1.44 ms per 192x192 inference
//! (`core/examples/model_time`, with and without `MALLOC_MMAP_THRESHOLD_`). Raising the threshold
//! keeps those blocks in the heap for the next run. Apps embedding the core on glibc can do the
//! same; Android's and Apple's allocators cache large blocks differently.

/// Blocks up to this size stay in malloc's heap (glibc's largest accepted mmap threshold on
/// 64-bit targets is 32 MiB).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const KEEP_BLOCKS_UP_TO_BYTES: libc::c_int = 32 << 20;

/// Free memory at the top of the heap is returned to the system only beyond this.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const TRIM_ABOVE_BYTES: libc::c_int = 64 << 20;

/// Keeps large freed blocks for reuse instead of unmapping them (glibc only; a no-op elsewhere).
/// Returns whether the setting took effect. Call it once at start, before other threads run.
pub fn keep_large_blocks() -> bool {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        // SAFETY: mallopt only changes malloc's tuning parameters (it takes malloc's own lock).
        let mmap = unsafe { libc::mallopt(libc::M_MMAP_THRESHOLD, KEEP_BLOCKS_UP_TO_BYTES) };
        // SAFETY: as above.
        let trim = unsafe { libc::mallopt(libc::M_TRIM_THRESHOLD, TRIM_ABOVE_BYTES) };
        mmap == 1 && trim == 1
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    {
        false
    }
}
