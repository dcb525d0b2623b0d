//! The layout rules of README.md's architecture section, checked on the sources: the core
//! depends on neither the bindings nor the desktop CLI; track never uses detect's (tract-backed)
//! implementation; crop sees only the tracker's ball estimate; no core source file outside
//! tests grows past the size a reader can hold; the BT.601 coefficients live in one file.

use std::path::{Path, PathBuf};

/// Lines a core source file may hold before its tests (`#[cfg(test)]`), the "~800".
const MAX_CORE_FILE_LINES: usize = 800;

/// A path in the repository (canonical: no `tests/..` in it, which would read as a test
/// folder).
fn repo(rel: &str) -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    std::fs::canonicalize(root)
        .expect("repository root")
        .join(rel)
}

/// Every `.rs` file under `dir`, sorted.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("read dir") {
            let path = entry.expect("dir entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// Test files: `tests.rs` or anything under a `tests/` folder of the repository.
fn is_test_file(path: &Path) -> bool {
    let inside = path.strip_prefix(repo("")).unwrap_or(path);
    inside.file_name().is_some_and(|n| n == "tests.rs")
        || inside.components().any(|c| c.as_os_str() == "tests")
}

/// The `use crate::…` lines of a file (one statement per line after rustfmt's grouping).
fn crate_uses(text: &str) -> Vec<&str> {
    text.lines()
        .map(str::trim)
        .filter(|l| l.starts_with("use crate::") || l.starts_with("pub use crate::"))
        .collect()
}

#[test]
fn the_core_depends_on_neither_the_bindings_nor_the_cli() {
    let manifest = std::fs::read_to_string(repo("core/Cargo.toml")).expect("core manifest");
    for crate_name in [
        "ballcam-ffi",
        "ballcam =",
        "ballcam.workspace",
        "uniffi",
        "nokhwa",
    ] {
        assert!(
            !manifest.contains(crate_name),
            "core/Cargo.toml names {crate_name}"
        );
    }
}

#[test]
fn track_never_uses_the_detector_implementation() {
    for file in rust_files(&repo("core/src/track")) {
        let text = std::fs::read_to_string(&file).expect("source");
        assert!(
            !text.contains("crate::detect") && !text.contains("tract"),
            "{} uses the detector's implementation",
            file.display()
        );
    }
}

#[test]
fn crop_sees_only_the_ball_estimate() {
    // Allowed: the shared types, errors, and the tracker's output types.
    const ALLOWED: [&str; 4] = [
        "use crate::types::",
        "use crate::error::",
        "use crate::track::{BallEstimate, TrackState}",
        "use crate::track::BallEstimate",
    ];
    for file in rust_files(&repo("core/src/crop")) {
        if is_test_file(&file) {
            continue;
        }
        let text = std::fs::read_to_string(&file).expect("source");
        for line in crate_uses(&text) {
            let inner = line.starts_with("use crate::crop") || line.starts_with("use super");
            assert!(
                inner || ALLOWED.iter().any(|a| line.starts_with(a)),
                "{}: `{line}` reaches past the ball estimate",
                file.display()
            );
        }
    }
}

#[test]
fn no_core_source_file_is_over_the_size_limit() {
    let mut long = Vec::new();
    for file in rust_files(&repo("core/src")) {
        if is_test_file(&file) {
            continue;
        }
        let text = std::fs::read_to_string(&file).expect("source");
        let lines = text
            .lines()
            .take_while(|l| !l.starts_with("#[cfg(test)]"))
            .count();
        if lines > MAX_CORE_FILE_LINES {
            long.push(format!("{} ({lines} lines)", file.display()));
        }
    }
    assert!(
        long.is_empty(),
        "over {MAX_CORE_FILE_LINES} lines: {long:?}"
    );
}

#[test]
fn the_bt601_coefficients_are_written_once() {
    // BT.601's chroma-to-red and chroma-to-blue factors.
    const NEEDLES: [&str; 2] = ["1.402", "1.772"];
    let color = repo("core/src/frame/color.rs");
    let mut found = Vec::new();
    for dir in ["core/src", "sim/src", "desktop/src", "bindings/src"] {
        for file in rust_files(&repo(dir)) {
            if file == color || is_test_file(&file) {
                continue;
            }
            let text = std::fs::read_to_string(&file).expect("source");
            for line in text.lines().filter(|l| !l.trim_start().starts_with("//")) {
                if NEEDLES.iter().any(|n| line.contains(n)) {
                    found.push(format!("{}: {line}", file.display()));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "BT.601 written outside color.rs: {found:#?}"
    );
}
