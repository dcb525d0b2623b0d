//! A global allocator that counts allocations: the system allocator, plus two relaxed atomic
//! adds per allocation, so that `ballcam profile` can report the allocations made inside
//! `Engine::process`. `main.rs` registers [`CountingAlloc`]; [`counters`] reads the totals and
//! [`counting_active`] tells whether it is the global allocator.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicU64, Ordering};

/// Capacity of the probe allocation of [`counting_active`], bytes.
const PROBE_BYTES: usize = 64;

/// Allocations made through the global allocator (all threads).
static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);
/// Bytes requested by those allocations.
static ALLOCATED_BYTES: AtomicU64 = AtomicU64::new(0);

/// The system allocator, counting allocations (and reallocations). Register it in `main.rs`:
/// `#[global_allocator] static ALLOC: alloc_count::CountingAlloc = alloc_count::CountingAlloc;`.
/// The cost is two relaxed atomic adds per allocation.
pub struct CountingAlloc;

impl CountingAlloc {
    fn count(size: usize) {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        ALLOCATED_BYTES.fetch_add(size as u64, Ordering::Relaxed);
    }
}

// SAFETY: every call is forwarded unchanged to `System`, which upholds `GlobalAlloc`'s contract;
// the counters are atomics and never allocate.
unsafe impl GlobalAlloc for CountingAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        Self::count(layout.size());
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        Self::count(layout.size());
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        Self::count(new_size);
        // SAFETY: same contract as the caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

/// Allocations and bytes counted so far.
pub fn counters() -> (u64, u64) {
    (
        ALLOCATIONS.load(Ordering::Relaxed),
        ALLOCATED_BYTES.load(Ordering::Relaxed),
    )
}

/// Whether [`CountingAlloc`] is the global allocator (an allocation moves the counter).
pub fn counting_active() -> bool {
    let (before, _) = counters();
    let probe: Vec<u8> = std::hint::black_box(Vec::with_capacity(PROBE_BYTES));
    drop(probe);
    counters().0 > before
}
