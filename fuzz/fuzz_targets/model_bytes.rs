//! Model bytes: arbitrary data (seeded with the shipped model) goes to `Detector::from_bytes`
//! for one small input size. Checked: no panic, no unbounded allocation (libFuzzer's
//! `-rss_limit_mb` / `-malloc_limit_mb`); an accepted model runs once.
#![no_main]

use ballcam_core::InputSize;
use ballcam_core::testing::Detector;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let size = InputSize::new(32, 32);
    if let Ok(mut det) = Detector::from_bytes(data, &[size], 1) {
        let mut out = Vec::new();
        let _ = det.detect_raw(size, |_| {}, &mut out);
    }
});
