package app.ballcam.pure

/**
 * HUD numbers: frames per second (from capture timestamps) and latency (engine time and
 * capture-to-result time), as exponential moving averages.
 */
class FrameStats(private val smoothing: Double = 0.1) {
    var fps = 0.0
        private set
    var engineMs = 0.0
        private set
    var latencyMs = 0.0
        private set
    var frames = 0L
        private set
    private var lastTimestampUs: Long? = null

    /** One processed frame: its capture timestamp, the engine's total time, and the wall time
     * from the frame's arrival in the analyzer to the result. */
    fun add(timestampUs: Long, engineUs: Long, latencyUs: Long) {
        val last = lastTimestampUs
        if (last != null && timestampUs > last) {
            val instant = 1e6 / (timestampUs - last)
            fps = if (frames <= 1) instant else fps + smoothing * (instant - fps)
        }
        engineMs = if (frames == 0L) engineUs / 1e3 else engineMs + smoothing * (engineUs / 1e3 - engineMs)
        latencyMs = if (frames == 0L) latencyUs / 1e3 else latencyMs + smoothing * (latencyUs / 1e3 - latencyMs)
        lastTimestampUs = timestampUs
        frames++
    }

    fun reset() {
        fps = 0.0; engineMs = 0.0; latencyMs = 0.0; frames = 0; lastTimestampUs = null
    }

    /** One HUD line, e.g. `30 fps · engine 6.1 ms · latency 9.8 ms`. */
    fun hudText(): String =
        String.format(java.util.Locale.ROOT, "%.0f fps · engine %.1f ms · latency %.1f ms", fps, engineMs, latencyMs)
}
