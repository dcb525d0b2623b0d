//! Build script: the embedded model (feature `embedded-model`) must be the file whose sha256
//! the model card names between its `<!-- sha256 -->` markers, so that a build never ships a
//! model other than the one documented. `models/train/export.py` rewrites both together.

use std::path::Path;

use sha2::{Digest, Sha256};

/// The model file, relative to this crate.
const MODEL: &str = "../models/ballnet.onnx";
/// The model card, relative to this crate.
const CARD: &str = "../models/README.md";
/// Markers around the sha256 in the model card.
const OPEN: &str = "<!-- sha256 -->";
const CLOSE: &str = "<!-- /sha256 -->";
/// What to run when the two disagree.
const FIX: &str = "re-export the model with `cd models/train && python export.py CHECKPOINT.pt` \
                   (it writes models/ballnet.onnx and the sha256 in models/README.md together), \
                   or restore both files from git (`git checkout -- models/ballnet.onnx models/README.md`)";

fn fail(message: String) -> ! {
    eprintln!("error: {message}");
    std::process::exit(1);
}

fn main() {
    println!("cargo:rerun-if-changed={MODEL}");
    println!("cargo:rerun-if-changed={CARD}");
    println!("cargo:rerun-if-changed=build.rs");
    if std::env::var_os("CARGO_FEATURE_EMBEDDED_MODEL").is_none() {
        return;
    }
    let dir = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| ".".into());
    let dir = Path::new(&dir);
    let model = std::fs::read(dir.join(MODEL))
        .unwrap_or_else(|e| fail(format!("cannot read {MODEL} to embed it: {e}")));
    let card = std::fs::read_to_string(dir.join(CARD))
        .unwrap_or_else(|e| fail(format!("cannot read {CARD}: {e}")));
    let named = card
        .split_once(OPEN)
        .and_then(|(_, rest)| rest.split_once(CLOSE))
        .map(|(inside, _)| inside.trim().trim_matches('`').trim().to_ascii_lowercase())
        .unwrap_or_else(|| {
            fail(format!(
                "{CARD} has no sha256 between `{OPEN}` and `{CLOSE}`: {FIX}"
            ))
        });
    let actual: String = Sha256::digest(&model)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    if actual != named {
        fail(format!(
            "models/ballnet.onnx has sha256 {actual}, but models/README.md names {named}: the \
             model and its card disagree; {FIX}"
        ));
    }
}
