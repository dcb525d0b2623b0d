//! `uniffi-bindgen` at the workspace's uniffi version: generates the Kotlin, Swift and Python
//! bindings of `ballcam-ffi` from the built library (library mode), e.g.
//! `cargo run --release -p uniffi-bindgen -- generate --library <libballcam_ffi.so> --language kotlin --out-dir <dir>`.

fn main() {
    uniffi::uniffi_bindgen_main()
}
