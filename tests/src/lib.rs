//! End-to-end tests of the Ballcam workspace live in `tests/` (engine on synthetic clips, the
//! FFI bindings driven from Python and Kotlin, the Android shell's pure-Kotlin parts). This
//! library is empty on purpose.
