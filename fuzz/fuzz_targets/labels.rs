//! The CLI's labels.csv reader and `label propagate` (desktop/src/labels_csv.rs, compiled in here):
//! arbitrary CSV. Checked: no panic; reading is bounded and propagation either fills a bounded
//! number of rows or refuses with an error.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[allow(dead_code)]
#[path = "../../desktop/src/errors.rs"]
mod errors;
#[allow(dead_code)]
#[path = "../../desktop/src/labels_csv.rs"]
mod labels;

/// What labels_csv.rs uses from the CLI's output module.
#[allow(dead_code)]
mod output {
    use std::path::{Path, PathBuf};

    pub fn temp_sibling(path: &Path) -> PathBuf {
        path.with_extension("tmp")
    }
}

/// Rows propagation may write per input (the CLI's own cap is far larger; this keeps runs fast).
const MAX_ROWS: usize = 4096;

fuzz_target!(|data: &[u8]| {
    let Ok(rows) = labels::read_labels_from(data, "fuzz.csv") else {
        return;
    };
    if let Ok(dense) = labels::propagate_within(&rows, MAX_ROWS) {
        assert!(dense.len() >= rows.len() && dense.len() <= MAX_ROWS);
    }
});
