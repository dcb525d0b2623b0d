//! Regression tests of the FFI's own failure paths: a log sink that throws, a sink that calls
//! back into the engine while the engine logs, and panics in the calls whose FFI signature has
//! no error type. Each failed before its fix.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Mutex, PoisonError};
use std::thread::ThreadId;
use std::time::Duration;

use crate::engine::fault;
use crate::{clear_log_sink, set_log_sink, BallcamEngine, BallcamError, LogLevel, LogSink, Preset};

/// The log sink is process-wide: the tests that install one take turns.
static SINK_TURN: Mutex<()> = Mutex::new(());
/// Longest wait for a call that must not deadlock (it takes milliseconds when it works).
const DEADLOCK_WAIT: Duration = Duration::from_secs(60);

/// A grey contiguous NV21 frame of 64x48.
fn grey() -> Vec<u8> {
    vec![128u8; 64 * 48 * 3 / 2]
}

/// Records the messages logged on one thread; the first one throws when asked to.
struct Recorder {
    thread: ThreadId,
    throw_first: AtomicBool,
    seen: Arc<Mutex<Vec<String>>>,
}

impl LogSink for Recorder {
    fn log(&self, _level: LogLevel, _target: String, message: String) {
        if std::thread::current().id() != self.thread {
            return;
        }
        if self.throw_first.swap(false, Ordering::SeqCst) {
            panic!("the app's sink throws");
        }
        self.seen
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(message);
    }
}

#[test]
fn a_sink_that_throws_keeps_receiving_later_records() {
    let _turn = SINK_TURN.lock().unwrap_or_else(PoisonError::into_inner);
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = Recorder {
        thread: std::thread::current().id(),
        throw_first: AtomicBool::new(true),
        seen: Arc::clone(&seen),
    };
    set_log_sink(Box::new(sink), LogLevel::Trace).expect("sink installed");
    // The sink throws on the first record: the panic unwound through the code that logged and
    // left the re-entrancy flag set, so this thread's later records were dropped for good.
    let first = catch_unwind(|| log::warn!("first record"));
    log::warn!("second record");
    clear_log_sink();
    assert!(
        first.is_ok(),
        "the sink's panic reached the code that logged"
    );
    let seen = seen.lock().unwrap_or_else(PoisonError::into_inner);
    assert_eq!(*seen, vec!["second record".to_string()]);
}

/// Calls back into the engine on every record logged on one thread.
struct CallsBack {
    thread: ThreadId,
    engine: Arc<BallcamEngine>,
    calls: Arc<AtomicUsize>,
}

impl LogSink for CallsBack {
    fn log(&self, _level: LogLevel, _target: String, _message: String) {
        if std::thread::current().id() == self.thread {
            let _ = self.engine.telemetry();
            self.calls.fetch_add(1, Ordering::SeqCst);
        }
    }
}

#[test]
fn a_sink_that_calls_back_into_the_engine_does_not_deadlock() {
    let _turn = SINK_TURN.lock().unwrap_or_else(PoisonError::into_inner);
    let engine = BallcamEngine::new(Preset::Phone30Fps).expect("engine");
    // A poisoned lock makes the next call log its recovery: the engine logged it while
    // holding the lock, and a sink asking for the telemetry then waited on that lock for ever.
    engine.poison_for_test();
    let calls = Arc::new(AtomicUsize::new(0));
    let (tx, rx) = mpsc::channel();
    let worker = {
        let (engine, calls) = (Arc::clone(&engine), Arc::clone(&calls));
        std::thread::spawn(move || {
            let sink = CallsBack {
                thread: std::thread::current().id(),
                engine: Arc::clone(&engine),
                calls,
            };
            set_log_sink(Box::new(sink), LogLevel::Warn).expect("sink installed");
            let result =
                engine.push_nv21(&grey(), 64, 48, crate::types::ColorRange::Limited, 0, 1_000);
            let _ = tx.send(result.map(|r| r.timestamp_us));
        })
    };
    let result = rx.recv_timeout(DEADLOCK_WAIT);
    clear_log_sink();
    assert_eq!(
        result.expect("the frame call deadlocked in the log sink"),
        Ok(1_000)
    );
    worker.join().expect("worker");
    assert!(calls.load(Ordering::SeqCst) >= 1, "the sink was called");
}

#[test]
fn calls_without_an_error_type_never_let_a_panic_out() {
    let engine = BallcamEngine::new(Preset::Phone30Fps).expect("engine");
    engine
        .push_nv21(&grey(), 64, 48, crate::types::ColorRange::Limited, 0, 1_000)
        .expect("first frame");
    // A panic where the engine is locked: telemetry, heap_bytes and config_toml let it cross
    // the FFI (an uncaught exception in the app).
    fault::panic_in_next_lock();
    let telemetry = catch_unwind(AssertUnwindSafe(|| engine.telemetry()));
    assert!(telemetry.is_ok(), "telemetry panicked");
    fault::panic_in_next_lock();
    let heap = catch_unwind(AssertUnwindSafe(|| engine.heap_bytes()));
    assert!(heap.is_ok(), "heap_bytes panicked");
    fault::panic_in_next_lock();
    let toml = catch_unwind(AssertUnwindSafe(|| engine.config_toml()));
    assert!(
        matches!(toml, Ok(Err(BallcamError::Internal(_)))),
        "config_toml: {toml:?}"
    );
    fault::panic_in_next_lock();
    let reset = catch_unwind(AssertUnwindSafe(|| engine.reset()));
    assert!(reset.is_ok(), "reset panicked");
    // The same engine keeps working.
    engine
        .push_nv21(&grey(), 64, 48, crate::types::ColorRange::Limited, 0, 2_000)
        .expect("frame after the faults");
    assert!(engine.telemetry().frames >= 1);
    assert!(engine.config_toml().expect("toml").contains("phone-30fps"));
}
