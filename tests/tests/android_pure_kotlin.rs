//! The Android shell's pure-Kotlin source set (`android/app/src/pure/kotlin`: plane packing,
//! preset choice) compiled with kotlinc and tested on the JVM by
//! `tests/bindings/TestAndroidPure.kt`. Skipped with a notice when kotlinc or java is
//! missing, unless `CI` is set (then it fails).

#[path = "../bindings/support.rs"]
mod support;

#[test]
fn android_pure_kotlin() {
    let Some(kotlin) = support::kotlin() else {
        return;
    };
    let dir = support::scratch("android-pure");
    let root = support::workspace_root();
    let jar = dir.join("pure.jar");
    kotlin.compile(
        &[
            root.join("android/app/src/pure/kotlin"),
            root.join("tests/bindings/TestAndroidPure.kt"),
        ],
        &jar,
    );
    let stdout = kotlin.run_main(&jar, "TestAndroidPureKt", &dir, &[]);
    println!("{stdout}");
    assert!(
        stdout.contains("ALL ANDROID PURE KOTLIN TESTS PASSED"),
        "unexpected output:\n{stdout}"
    );
}
