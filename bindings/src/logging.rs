//! Forwarding of the engine's `log` records to the app (logcat on Android, os_log on iOS).

use std::cell::Cell;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, OnceLock, PoisonError, RwLock};

/// Severity of a log record, most severe first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum LogLevel {
    /// Errors.
    Error,
    /// Warnings.
    Warn,
    /// Informational messages.
    Info,
    /// Debugging detail.
    Debug,
    /// Very verbose detail.
    Trace,
}

impl From<log::Level> for LogLevel {
    fn from(l: log::Level) -> Self {
        match l {
            log::Level::Error => LogLevel::Error,
            log::Level::Warn => LogLevel::Warn,
            log::Level::Info => LogLevel::Info,
            log::Level::Debug => LogLevel::Debug,
            log::Level::Trace => LogLevel::Trace,
        }
    }
}

impl From<LogLevel> for log::LevelFilter {
    fn from(l: LogLevel) -> Self {
        match l {
            LogLevel::Error => log::LevelFilter::Error,
            LogLevel::Warn => log::LevelFilter::Warn,
            LogLevel::Info => log::LevelFilter::Info,
            LogLevel::Debug => log::LevelFilter::Debug,
            LogLevel::Trace => log::LevelFilter::Trace,
        }
    }
}

/// Receives the library's log records; implemented by the app. Called from whatever thread
/// logs (often the camera analysis thread), so it must be cheap and thread-safe.
#[uniffi::export(callback_interface)]
pub trait LogSink: Send + Sync {
    /// One record: its level, its target (the Rust module, e.g. `ballcam_core::pipeline`) and
    /// its message.
    fn log(&self, level: LogLevel, target: String, message: String);
}

/// The installed sink, if any.
static SINK: RwLock<Option<Arc<dyn LogSink>>> = RwLock::new(None);

thread_local! {
    /// Set while this thread is inside the sink: records logged from there are dropped.
    static IN_SINK: Cell<bool> = const { Cell::new(false) };
}

/// Marks this thread as inside the sink until dropped, also when the sink unwinds.
struct InSink;

impl InSink {
    fn enter() -> InSink {
        IN_SINK.with(|f| f.set(true));
        InSink
    }
}

impl Drop for InSink {
    fn drop(&mut self) {
        IN_SINK.with(|f| f.set(false));
    }
}

/// The `log::Log` that forwards to [`SINK`].
struct Forwarder;

static FORWARDER: Forwarder = Forwarder;

/// Whether installing [`FORWARDER`] as the process's logger succeeded (decided on first use).
static INSTALLED: OnceLock<bool> = OnceLock::new();

impl log::Log for Forwarder {
    fn enabled(&self, metadata: &log::Metadata) -> bool {
        metadata.level() <= log::max_level()
    }

    fn log(&self, record: &log::Record) {
        if !self.enabled(record.metadata()) || IN_SINK.with(Cell::get) {
            return;
        }
        // Clone the sink out of the lock: the sink may call set_log_sink itself.
        let sink = SINK.read().unwrap_or_else(PoisonError::into_inner).clone();
        if let Some(sink) = sink {
            let _inside = InSink::enter();
            let (level, target, message) = (
                record.level().into(),
                record.target().to_string(),
                record.args().to_string(),
            );
            // A sink that throws loses its record; the code that logged goes on, and the next
            // record is forwarded again.
            let _ = catch_unwind(AssertUnwindSafe(|| sink.log(level, target, message)));
        }
    }

    fn flush(&self) {}
}

/// Sends the library's log records at `level` and above to `sink`. The first call installs the
/// forwarding logger; later calls replace the sink and the level. Fails with `Internal` when
/// another `log` logger was installed in this process first.
#[uniffi::export]
pub fn set_log_sink(sink: Box<dyn LogSink>, level: LogLevel) -> Result<(), crate::BallcamError> {
    *SINK.write().unwrap_or_else(PoisonError::into_inner) = Some(Arc::from(sink));
    let installed = *INSTALLED.get_or_init(|| log::set_logger(&FORWARDER).is_ok());
    if !installed {
        return Err(crate::BallcamError::Internal(
            "another logger is installed in this process; log records cannot be forwarded".into(),
        ));
    }
    log::set_max_level(level.into());
    Ok(())
}

/// Stops forwarding log records (the sink is released).
#[uniffi::export]
pub fn clear_log_sink() {
    log::set_max_level(log::LevelFilter::Off);
    *SINK.write().unwrap_or_else(PoisonError::into_inner) = None;
}
