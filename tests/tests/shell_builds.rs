//! The shells' build files, checked where no Android SDK or Xcode is available: what each one
//! must say for the app to run on a first real phone (a file that says otherwise is the defect).
//!
//! * iOS: XcodeGen rewrites `App/Info.plist` from `project.yml` on every run, so the keys the app
//!   cannot start without (the camera usage text, the launch screen, the orientations) must be in
//!   the target's `info.properties`.
//! * Android: a JNA whose `libjnidispatch.so` loads on 16 KB-page devices, targetSdk 35, the
//!   Android flavour of the bindings, bindings generated for the first ABI built, cargo-ndk 4 with
//!   `--platform` and 16 KB-aligned libraries, and a committed Gradle wrapper with a pinned
//!   distribution.

use std::path::PathBuf;

/// Oldest JNA whose Android `libjnidispatch.so` works with 16 KB pages (5.16 aligned it, 5.17
/// fixed its remaining `JNI_OnLoad` crash).
const MIN_JNA: (u32, u32, u32) = (5, 17, 0);
/// The Android API level Google Play requires apps to target.
const TARGET_SDK: u32 = 35;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(PathBuf::from)
        .expect("workspace root")
}

fn read(path: &str) -> String {
    std::fs::read_to_string(root().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Leading spaces of a line.
fn indent(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

/// The lines nested under the first line equal (trimmed) to `key` after `from`, and the index
/// after them.
fn block<'a>(lines: &[&'a str], from: usize, key: &str) -> Option<(Vec<&'a str>, usize)> {
    let start = (from..lines.len()).find(|&i| lines[i].trim() == key)?;
    let depth = indent(lines[start]);
    let body: Vec<&str> = lines[start + 1..]
        .iter()
        .take_while(|l| l.trim().is_empty() || l.trim_start().starts_with('#') || indent(l) > depth)
        .copied()
        .collect();
    Some((body.clone(), start + 1 + body.len()))
}

#[test]
fn ios_project_keeps_the_info_plist_keys() {
    let yml = read("ios/project.yml");
    let lines: Vec<&str> = yml.lines().collect();
    let (target, _) = block(&lines, 0, "BallcamApp:").expect("target BallcamApp in project.yml");
    let (info, _) = block(&target, 0, "info:").expect("BallcamApp has no info:");
    assert!(
        info.iter().any(|l| l.trim() == "path: App/Info.plist"),
        "info.path must be App/Info.plist: {info:?}"
    );
    let (properties, _) = block(&info, 0, "properties:")
        .expect("info: without properties: XcodeGen writes an Info.plist without the camera text");
    let value = |key: &str| {
        properties
            .iter()
            .find_map(|l| l.trim().strip_prefix(&format!("{key}:")))
            .map(str::trim)
    };
    let camera = value("NSCameraUsageDescription").expect("no NSCameraUsageDescription");
    assert!(camera.len() > 10, "empty camera usage text: {camera:?}");
    assert_eq!(value("UILaunchScreen"), Some("{}"), "no UILaunchScreen");
    let (orientations, _) = block(&properties, 0, "UISupportedInterfaceOrientations:")
        .expect("no UISupportedInterfaceOrientations");
    for o in [
        "UIInterfaceOrientationPortrait",
        "UIInterfaceOrientationLandscapeLeft",
        "UIInterfaceOrientationLandscapeRight",
    ] {
        assert!(
            orientations.iter().any(|l| l.trim() == format!("- {o}")),
            "{o} missing"
        );
    }
}

/// `a.b.c` as numbers.
fn version(s: &str) -> (u32, u32, u32) {
    let mut it = s.split('.').map(|p| p.parse::<u32>().unwrap_or(0));
    (
        it.next().unwrap_or(0),
        it.next().unwrap_or(0),
        it.next().unwrap_or(0),
    )
}

#[test]
fn android_build_runs_on_16_kb_page_phones() {
    let gradle = read("android/app/build.gradle.kts");
    let jna = gradle
        .split("net.java.dev.jna:jna:")
        .nth(1)
        .and_then(|rest| rest.split(['@', '"']).next())
        .expect("no JNA dependency");
    assert!(
        version(jna) >= MIN_JNA,
        "JNA {jna} crashes on 16 KB-page phones"
    );
    let setting = |name: &str| -> u32 {
        gradle
            .lines()
            .find_map(|l| l.trim().strip_prefix(&format!("{name} = ")))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or_else(|| panic!("no {name} in app/build.gradle.kts"))
    };
    assert_eq!(setting("targetSdk"), TARGET_SDK);
    assert!(setting("compileSdk") >= TARGET_SDK);
    assert!(setting("minSdk") <= 26);
    // The bindings: the Android flavour, from the first ABI built (not always arm64).
    assert!(
        gradle.contains("\"--config\"") && gradle.contains("uniffi-android.toml"),
        "generateBindings does not pass android/uniffi-android.toml"
    );
    assert!(
        gradle.contains("abis.first()") && !gradle.contains("aarch64-linux-android/mobile"),
        "generateBindings does not follow the ABIs built"
    );
    let config = read("android/uniffi-android.toml");
    let lines: Vec<&str> = config.lines().map(str::trim).collect();
    let section = lines
        .iter()
        .position(|l| *l == "[crates.ballcam_ffi.bindings.kotlin]")
        .expect("no [crates.ballcam_ffi.bindings.kotlin] in uniffi-android.toml");
    assert!(
        lines[section + 1..]
            .iter()
            .take_while(|l| !l.starts_with('['))
            .any(|l| l.replace(' ', "") == "android=true"),
        "uniffi-android.toml lacks android = true"
    );
    let script = read("android/build-rust.sh");
    assert!(script.contains("--version ^4"), "cargo-ndk not pinned to 4");
    assert!(
        script.contains("--platform"),
        "cargo-ndk 4 takes --platform"
    );
    assert!(
        script.contains("max-page-size=$page") && script.contains("page=16384"),
        "the libraries are not linked for 16 KB pages"
    );
}

#[test]
fn gradle_wrapper_is_committed_and_pinned() {
    let root = root().join("android");
    for file in [
        "gradlew",
        "gradlew.bat",
        "gradle/wrapper/gradle-wrapper.jar",
    ] {
        assert!(root.join(file).is_file(), "android/{file} missing");
    }
    let props = read("android/gradle/wrapper/gradle-wrapper.properties");
    assert!(
        props.contains("distributionUrl=https\\://services.gradle.org/distributions/gradle-"),
        "{props}"
    );
    let sum = props
        .lines()
        .find_map(|l| l.strip_prefix("distributionSha256Sum="))
        .expect("the Gradle distribution is not pinned by its checksum");
    assert!(
        sum.len() == 64 && sum.chars().all(|c| c.is_ascii_hexdigit()),
        "{sum}"
    );
    let ignored = read("android/.gitignore");
    assert!(
        !ignored
            .lines()
            .any(|l| l.contains("gradlew") || l.trim() == "/gradle/"),
        "android/.gitignore ignores the wrapper"
    );
}
