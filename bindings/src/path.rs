//! The crop path file a shell records beside its video: the core's
//! [`PathRecorder`](ballcam_core::PathRecorder) rows (the `track.csv` columns, in the
//! recorded video's pixels) written through a buffer that is flushed every
//! [`FLUSH_EVERY_ROWS`] rows, so that an app killed mid-match loses at most a second of path.

use std::fs::File;
use std::io::{BufWriter, Write};

use ballcam_core::{FrameGeometry, PathRecorder};

use crate::error::BallcamError;

/// Rows between flushes (a second at 30 fps).
const FLUSH_EVERY_ROWS: u64 = 30;

/// An open crop path file.
pub(crate) struct PathFile {
    recorder: PathRecorder,
    out: BufWriter<File>,
    /// The file's path, for messages.
    name: String,
    /// Rows written since the last flush.
    unflushed: u64,
}

/// `InvalidArgument` naming the file and the I/O error.
fn io_error(name: &str, what: &str, e: &std::io::Error) -> BallcamError {
    BallcamError::InvalidArgument(format!("crop path {name}: cannot {what}: {e}"))
}

impl PathFile {
    /// Creates (or truncates) `name` and writes the header.
    pub(crate) fn create(name: &str, video: FrameGeometry) -> Result<PathFile, BallcamError> {
        let recorder = PathRecorder::new(video)?;
        let file = File::create(name).map_err(|e| io_error(name, "create it", &e))?;
        let mut out = BufWriter::new(file);
        out.write_all(PathRecorder::header().as_bytes())
            .map_err(|e| io_error(name, "write it", &e))?;
        Ok(PathFile {
            recorder,
            out,
            name: name.to_string(),
            unflushed: 0,
        })
    }

    /// Appends the row of one result.
    pub(crate) fn write(
        &mut self,
        frame: FrameGeometry,
        result: &ballcam_core::FrameResult,
    ) -> Result<(), BallcamError> {
        let line = self.recorder.row(frame, result);
        self.out
            .write_all(line.as_bytes())
            .map_err(|e| io_error(&self.name, "write it", &e))?;
        self.unflushed += 1;
        if self.unflushed >= FLUSH_EVERY_ROWS {
            self.flush()?;
        }
        Ok(())
    }

    /// Writes the buffered rows to the file.
    pub(crate) fn flush(&mut self) -> Result<(), BallcamError> {
        self.unflushed = 0;
        self.out
            .flush()
            .map_err(|e| io_error(&self.name, "write it", &e))
    }

    /// Flushes and closes the file; returns the rows written.
    pub(crate) fn finish(mut self) -> Result<u64, BallcamError> {
        self.flush()?;
        Ok(self.recorder.rows())
    }
}
