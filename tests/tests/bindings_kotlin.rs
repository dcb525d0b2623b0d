//! The FFI from Kotlin/JVM: generates the uniffi Kotlin bindings from the release `ballcam-ffi`
//! library, compiles them with `tests/bindings/TestBallcam.kt` (kotlinc + JNA) and runs it on
//! frames rendered by `ballcam-sim`. Skipped with a notice when kotlinc, JNA or java is missing,
//! unless `CI` is set (then it fails).

#[path = "../bindings/support.rs"]
mod support;

#[test]
fn kotlin_bindings() {
    let Some(kotlin) = support::kotlin() else {
        return;
    };
    let dir = support::scratch("kotlin");
    let generated = dir.join("generated");
    let lib = support::generate("kotlin", &generated);
    let frames = dir.join("frames");
    std::fs::create_dir_all(&frames).expect("frames dir");
    support::write_frames(&frames);
    let jar = dir.join("test.jar");
    let test = support::workspace_root().join("tests/bindings/TestBallcam.kt");
    kotlin.compile(&[generated.clone(), test], &jar);
    let lib_dir = lib.parent().expect("library dir").to_path_buf();
    let stdout = kotlin.run_main(&jar, "TestBallcamKt", &lib_dir, &[&frames]);
    println!("{stdout}");
    assert!(
        stdout.contains("ALL KOTLIN BINDING TESTS PASSED"),
        "unexpected output:\n{stdout}"
    );
}
