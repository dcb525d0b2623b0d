//! The FFI from Python: generates the uniffi Python bindings from the release `ballcam-ffi`
//! library and runs `tests/bindings/test_ballcam.py` on frames rendered by `ballcam-sim`.

#[path = "../bindings/support.rs"]
mod support;

use std::process::Command;

#[test]
fn python_bindings() {
    let dir = support::scratch("python");
    let generated = dir.join("generated");
    support::generate("python", &generated);
    let frames = dir.join("frames");
    std::fs::create_dir_all(&frames).expect("frames dir");
    support::write_frames(&frames);
    let script = support::workspace_root().join("tests/bindings/test_ballcam.py");
    let stdout = support::run(
        Command::new("python3")
            .arg(&script)
            .arg(&frames)
            .env("PYTHONPATH", &generated)
            .env("PYTHONDONTWRITEBYTECODE", "1"),
        "test_ballcam.py",
    );
    println!("{stdout}");
    assert!(
        stdout.contains("ALL PYTHON BINDING TESTS PASSED"),
        "unexpected output:\n{stdout}"
    );
}
