//! The CLI's native Y4M reader (desktop/src/y4m.rs, compiled in here): arbitrary streams.
//! Checked: no panic; every frame read has `width * height * 3` bytes of RGB.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[allow(dead_code)]
#[path = "../../desktop/src/y4m.rs"]
mod y4m;

/// Most frames read from one input.
const MAX_FRAMES: usize = 16;

fuzz_target!(|data: &[u8]| {
    let Ok(mut reader) = y4m::Reader::new(std::io::Cursor::new(data)) else {
        return;
    };
    let (w, h) = (reader.header().width, reader.header().height);
    let mut rgb = Vec::new();
    for _ in 0..MAX_FRAMES {
        match reader.read_rgb(&mut rgb) {
            Ok(true) => assert_eq!(rgb.len(), w as usize * h as usize * 3),
            Ok(false) | Err(_) => break,
        }
    }
});
