package app.ballcam

import android.util.Log
import app.ballcam.ffi.LogLevel
import app.ballcam.ffi.LogSink

/** Forwards the Rust library's log records to logcat (tag `Ballcam`). */
class LogcatSink : LogSink {
    override fun log(level: LogLevel, target: String, message: String) {
        val priority = when (level) {
            LogLevel.ERROR -> Log.ERROR
            LogLevel.WARN -> Log.WARN
            LogLevel.INFO -> Log.INFO
            LogLevel.DEBUG -> Log.DEBUG
            LogLevel.TRACE -> Log.VERBOSE
        }
        Log.println(priority, "Ballcam", "$target: $message")
    }
}
