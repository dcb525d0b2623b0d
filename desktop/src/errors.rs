//! Error kinds that decide the process exit code.
//!
//! Every command returns `anyhow::Result`; `main` prints the error chain on one line and maps
//! it to an exit code: [`BadInput`] anywhere in the chain → [`EXIT_BAD_INPUT`], [`NoDevice`]
//! → [`EXIT_NO_DEVICE`], anything else → [`EXIT_FAILURE`]. Clap's own usage errors also exit
//! with [`EXIT_BAD_INPUT`].

use std::fmt;

/// A runtime failure (an external program failed, a write failed, the model failed).
pub const EXIT_FAILURE: u8 = 1;
/// Bad usage or bad input (a missing file, an unreadable image, a malformed labels.csv).
pub const EXIT_BAD_INPUT: u8 = 2;
/// No camera or capture device.
pub const EXIT_NO_DEVICE: u8 = 3;

/// The exit codes, as shown at the end of every command's `--help`.
pub const EXIT_CODES_HELP: &str = "\
Exit codes:
  0  success
  1  runtime failure (ffmpeg failed, an output could not be written, the model failed)
  2  usage error or bad input (missing file, unreadable image or video, malformed labels.csv)
  3  no camera or capture device

Logging: set RUST_LOG (e.g. RUST_LOG=info or RUST_LOG=ballcam=debug).";

/// The user's input is wrong: exit code [`EXIT_BAD_INPUT`].
#[derive(Debug)]
pub struct BadInput(pub String);

impl fmt::Display for BadInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for BadInput {}

/// No camera or capture device is available: exit code [`EXIT_NO_DEVICE`].
#[derive(Debug)]
pub struct NoDevice(pub String);

impl fmt::Display for NoDevice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for NoDevice {}

/// A [`BadInput`] error with `message`.
pub fn bad_input(message: impl Into<String>) -> anyhow::Error {
    anyhow::Error::new(BadInput(message.into()))
}

/// The exit code for `error`.
pub fn exit_code(error: &anyhow::Error) -> u8 {
    if error.chain().any(|e| e.is::<NoDevice>()) {
        EXIT_NO_DEVICE
    } else if error.chain().any(|e| e.is::<BadInput>()) {
        EXIT_BAD_INPUT
    } else {
        EXIT_FAILURE
    }
}

/// The error chain on one line (`outer: inner: root`), newlines flattened.
pub fn one_line(error: &anyhow::Error) -> String {
    let text = format!("{error:#}");
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
