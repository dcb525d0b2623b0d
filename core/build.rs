//! Build script: each embedded model (feature `embedded-model`) must be the file whose sha256
//! the model card names between its markers (`<!-- sha256 -->` for `ballnet.onnx`,
//! `<!-- sha256-any -->` for `ballnet_any.onnx`), so that a build never ships a model other than
//! the one documented. `models/train/scripts/export.py` rewrites a model and its sha256 together.

use std::path::Path;

use sha2::{Digest, Sha256};

/// The embedded models, relative to this crate, with the markers around each one's sha256 in
/// the model card.
const MODELS: [(&str, &str, &str); 2] = [
    (
        "../models/ballnet.onnx",
        "<!-- sha256 -->",
        "<!-- /sha256 -->",
    ),
    (
        "../models/ballnet_any.onnx",
        "<!-- sha256-any -->",
        "<!-- /sha256-any -->",
    ),
];
/// The model card, relative to this crate.
const CARD: &str = "../models/README.md";
/// What to run when the two disagree.
const FIX: &str = "re-export the model with `cd models/train && python -m scripts.export \
                   CHECKPOINT.pt [--slot any]` (it writes the model and its sha256 in \
                   models/README.md together), or restore them from git \
                   (`git checkout -- models/`)";

fn fail(message: String) -> ! {
    eprintln!("error: {message}");
    std::process::exit(1);
}

fn main() {
    for (model, _, _) in MODELS {
        println!("cargo:rerun-if-changed={model}");
    }
    println!("cargo:rerun-if-changed={CARD}");
    println!("cargo:rerun-if-changed=build.rs");
    if std::env::var_os("CARGO_FEATURE_EMBEDDED_MODEL").is_none() {
        return;
    }
    let dir = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| ".".into());
    let dir = Path::new(&dir);
    let card = std::fs::read_to_string(dir.join(CARD))
        .unwrap_or_else(|e| fail(format!("cannot read {CARD}: {e}")));
    for (model, open, close) in MODELS {
        check(dir, model, &card, open, close);
    }
}

/// Fails the build unless `model`'s sha256 is the one `card` names between `open` and `close`.
fn check(dir: &Path, model: &str, card: &str, open: &str, close: &str) {
    let bytes = std::fs::read(dir.join(model))
        .unwrap_or_else(|e| fail(format!("cannot read {model} to embed it: {e}")));
    let named = card
        .split_once(open)
        .and_then(|(_, rest)| rest.split_once(close))
        .map(|(inside, _)| inside.trim().trim_matches('`').trim().to_ascii_lowercase())
        .unwrap_or_else(|| {
            fail(format!(
                "{CARD} has no sha256 between `{open}` and `{close}`: {FIX}"
            ))
        });
    let actual: String = Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    if actual != named {
        fail(format!(
            "{model} has sha256 {actual}, but {CARD} names {named}: the model and its card \
             disagree; {FIX}"
        ));
    }
}
