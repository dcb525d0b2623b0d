//! Shared helpers of the binding tests (included with `#[path]` by the tests in `tests/tests/`):
//! locating the target directory, building the workspace (`ballcam-ffi`, `uniffi-bindgen`), generating the
//! foreign bindings, rendering frames from `ballcam-sim` into raw files, and finding kotlinc.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use ballcam_sim::{nv21_from_rgb, Clip, ClipSpec, Scenario};

/// Frames rendered for the foreign tests.
pub const FRAME_WIDTH: u32 = 640;
pub const FRAME_HEIGHT: u32 = 360;
pub const FRAME_FPS: f64 = 30.0;
pub const FRAME_COUNT: u32 = 24;

/// The workspace root (parent of `tests/`).
pub fn workspace_root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map(Path::to_path_buf).unwrap_or(manifest)
}

/// The cargo target directory: `CARGO_TARGET_DIR`, else derived from this test binary's path
/// (`<target>/release/deps/<test>`).
pub fn target_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("CARGO_TARGET_DIR") {
        let dir = PathBuf::from(dir);
        return if dir.is_absolute() {
            dir
        } else {
            workspace_root().join(dir)
        };
    }
    let exe = std::env::current_exe().expect("test binary path");
    exe.ancestors()
        .nth(3)
        .map(Path::to_path_buf)
        .unwrap_or_else(|| workspace_root().join("target"))
}

/// `<target>/release`.
pub fn release_dir() -> PathBuf {
    target_dir().join("release")
}

/// Runs a command, panicking with its output when it fails.
pub fn run(cmd: &mut Command, what: &str) -> String {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("{what}: cannot start {cmd:?}: {e}"));
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "{what} failed ({}):\n--- stdout\n{stdout}\n--- stderr\n{stderr}",
        out.status
    );
    if !stderr.trim().is_empty() {
        eprintln!("{what} stderr:\n{stderr}");
    }
    stdout
}

/// Builds the workspace (the `ballcam-ffi` cdylib and the `uniffi-bindgen` binary among it) in
/// the release profile, once per test process, into the same target directory: a no-op when the
/// test's own build is up to date. The same command and feature set as `make test`'s build, so
/// that tract is never built a second time with other features; returns the path of
/// `libballcam_ffi.so`.
pub fn cdylib() -> PathBuf {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT
        .get_or_init(|| {
            let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
            run(
                Command::new(&cargo)
                    .current_dir(workspace_root())
                    .env("CARGO_TARGET_DIR", target_dir())
                    .args(["build", "--release", "--workspace", "--all-targets"]),
                "cargo build --workspace",
            );
            let lib = release_dir().join(format!(
                "{}ballcam_ffi{}",
                std::env::consts::DLL_PREFIX,
                std::env::consts::DLL_SUFFIX
            ));
            assert!(lib.is_file(), "{} missing after the build", lib.display());
            lib
        })
        .clone()
}

/// Generates the bindings for `language` into `out`, with the built library copied next to them
/// (the Python module loads it from its own directory).
pub fn generate(language: &str, out: &Path) -> PathBuf {
    let lib = cdylib();
    std::fs::create_dir_all(out).expect("create bindings dir");
    let bindgen = release_dir().join(format!("uniffi-bindgen{}", std::env::consts::EXE_SUFFIX));
    run(
        Command::new(&bindgen)
            .current_dir(workspace_root())
            .arg("generate")
            .arg("--library")
            .arg(&lib)
            .args(["--language", language, "--out-dir"])
            .arg(out),
        "uniffi-bindgen generate",
    );
    let copy = out.join(lib.file_name().expect("library file name"));
    std::fs::copy(&lib, &copy).expect("copy library next to the bindings");
    copy
}

/// Generates the Kotlin bindings as the Android app's build does (`--config
/// android/uniffi-android.toml`) into `out`; returns the generated source.
pub fn generate_android_kotlin(out: &Path) -> String {
    let lib = cdylib();
    std::fs::create_dir_all(out).expect("create bindings dir");
    let bindgen = release_dir().join(format!("uniffi-bindgen{}", std::env::consts::EXE_SUFFIX));
    run(
        Command::new(&bindgen)
            .current_dir(workspace_root())
            .arg("generate")
            .arg("--library")
            .arg(&lib)
            .args(["--language", "kotlin", "--no-format", "--config"])
            .arg(workspace_root().join("android/uniffi-android.toml"))
            .arg("--out-dir")
            .arg(out),
        "uniffi-bindgen generate (Android)",
    );
    std::fs::read_to_string(out.join("app/ballcam/ffi/ballcam_ffi.kt"))
        .expect("read the generated Android bindings")
}

/// A fresh scratch directory under the target directory (kept after the test for inspection).
pub fn scratch(name: &str) -> PathBuf {
    let dir = target_dir().join("ballcam-tests").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create scratch dir");
    dir
}

/// Renders `FRAME_COUNT` frames of a straight pass into `dir` as `nv21_<i>.bin` (contiguous
/// NV21) and writes `frames.txt`: a header line `width height count`, then one line per frame
/// `index timestamp_us x y radius visible(0/1)`.
pub fn write_frames(dir: &Path) {
    let (w, h) = (FRAME_WIDTH, FRAME_HEIGHT);
    let spec = ClipSpec::new(
        Scenario::StraightPass,
        w,
        h,
        FRAME_FPS,
        f64::from(FRAME_COUNT) / FRAME_FPS,
        11,
    );
    let mut clip = Clip::new(spec).expect("clip");
    let mut rgb = vec![0u8; (w * h * 3) as usize];
    let mut nv21 = vec![0u8; (w * h * 3 / 2) as usize];
    let mut index = format!("{w} {h} {FRAME_COUNT}\n");
    for i in 0..FRAME_COUNT {
        let gt = clip.render_rgb(i, &mut rgb).expect("render");
        nv21_from_rgb(&rgb, w, h, &mut nv21).expect("nv21");
        std::fs::write(dir.join(format!("nv21_{i}.bin")), &nv21).expect("write frame");
        index.push_str(&format!(
            "{i} {} {:.2} {:.2} {:.2} {}\n",
            gt.timestamp_us,
            gt.x,
            gt.y,
            gt.radius,
            u8::from(gt.visible)
        ));
    }
    std::fs::write(dir.join("frames.txt"), index).expect("write index");
}

/// A JVM toolchain for the Kotlin tests: kotlinc, the JNA jar and `java`.
pub struct Kotlin {
    pub kotlinc: PathBuf,
    pub jna: PathBuf,
}

/// Finds kotlinc (`$KOTLIN_HOME/bin/kotlinc`, default `~/.cache/ballcam/kotlinc`) and JNA
/// (`$JNA_JAR`, default `/usr/share/java/jna.jar`). When one is missing: `None` with a printed
/// notice, or a panic when `CI` is set (CI installs them via `make test`).
pub fn kotlin() -> Option<Kotlin> {
    let home = std::env::var_os("KOTLIN_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            let home = std::env::var_os("HOME")
                .map(PathBuf::from)
                .unwrap_or_default();
            home.join(".cache/ballcam/kotlinc")
        });
    let kotlinc = home.join("bin/kotlinc");
    let jna = std::env::var_os("JNA_JAR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/share/java/jna.jar"));
    let java = Command::new("java")
        .arg("-version")
        .output()
        .is_ok_and(|o| o.status.success());
    let missing: Vec<String> = [
        (!kotlinc.is_file()).then(|| format!("kotlinc ({})", kotlinc.display())),
        (!jna.is_file()).then(|| format!("JNA ({})", jna.display())),
        (!java).then(|| "java".to_string()),
    ]
    .into_iter()
    .flatten()
    .collect();
    if missing.is_empty() {
        return Some(Kotlin { kotlinc, jna });
    }
    let notice = format!(
        "missing {}: run scripts/setup.sh (make setup)",
        missing.join(", ")
    );
    if std::env::var_os("CI").is_some() {
        panic!("Kotlin test cannot run in CI: {notice}");
    }
    eprintln!("SKIPPED Kotlin test: {notice}");
    None
}

impl Kotlin {
    /// Compiles `sources` (files or directories) into `jar` with the Kotlin runtime included.
    pub fn compile(&self, sources: &[PathBuf], jar: &Path) {
        let mut cmd = Command::new(&self.kotlinc);
        cmd.args(sources)
            .arg("-cp")
            .arg(&self.jna)
            .args(["-include-runtime", "-nowarn", "-d"])
            .arg(jar);
        run(&mut cmd, "kotlinc");
    }

    /// Runs `main_class` from `jar` with JNA and the native library directory; returns stdout.
    pub fn run_main(&self, jar: &Path, main_class: &str, lib_dir: &Path, args: &[&Path]) -> String {
        let cp = std::env::join_paths([jar, self.jna.as_path()]).expect("classpath");
        let mut cmd = Command::new("java");
        cmd.arg(format!("-Djna.library.path={}", lib_dir.display()))
            .arg("-ea")
            .arg("-cp")
            .arg(cp)
            .arg(main_class)
            .args(args);
        run(&mut cmd, main_class)
    }
}
