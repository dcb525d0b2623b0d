//! The FFI from Kotlin/JVM: generates the uniffi Kotlin bindings from the release `ballcam-ffi`
//! library, compiles them with `tests/bindings/TestBallcam.kt` (kotlinc + JNA) and runs it on
//! frames rendered by `ballcam-sim`. Skipped with a notice when kotlinc, JNA or java is missing,
//! unless `CI` is set (then it fails). Also generates the Android app's flavour of the bindings
//! (no kotlinc needed) and checks that its object cleaner works under the app's minSdk.

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

/// The Android app's bindings (`android/uniffi-android.toml`): the object cleaner is chosen at run
/// time by API level, with JNA's below API 34, instead of `java.lang.ref.Cleaner`, which Android
/// lacks before API 33 (the app's minSdk is 26).
#[test]
fn android_bindings_run_under_min_sdk() {
    let dir = support::scratch("kotlin-android");
    let android = support::generate_android_kotlin(&dir);
    assert!(
        android.contains("Build.VERSION.SDK_INT >= Build.VERSION_CODES.UPSIDE_DOWN_CAKE"),
        "the Android bindings do not check the API level before using SystemCleaner"
    );
    assert!(
        android.contains("UniffiJnaCleaner()"),
        "no JNA cleaner fallback"
    );
    assert!(
        !android.contains("java.lang.ref.Cleaner.create()"),
        "the Android bindings call java.lang.ref.Cleaner (API 33+)"
    );
}
