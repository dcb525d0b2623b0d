package app.ballcam

import android.os.SystemClock
import android.util.Log
import androidx.camera.core.ImageAnalysis
import androidx.camera.core.ImageProxy
import app.ballcam.ffi.BallcamEngine
import app.ballcam.ffi.BallcamException
import app.ballcam.ffi.FrameResult
import app.ballcam.pure.PlaneLayout
import app.ballcam.pure.PlanePacker
import app.ballcam.pure.yuv420Problem

/**
 * CameraX analyzer (runs on the analysis executor, STRATEGY_KEEP_ONLY_LATEST, YUV_420_888): hands
 * the three planes (direct ByteBuffers, read by Rust in place: no copy) with their strides and
 * the sensor rotation to the engine and publishes each
 * result with the analyzer's wall time (arrival to result).
 */
class BallAnalyzer(
    private val engine: BallcamEngine,
    private val onResult: (FrameResult, latencyUs: Long) -> Unit,
) : ImageAnalysis.Analyzer {
    private val packer = PlanePacker()

    override fun analyze(image: ImageProxy) {
        val arrived = SystemClock.elapsedRealtimeNanos()
        image.use {
            val (yp, up, vp) = image.planes
            val problem = yuv420Problem(
                image.width, image.height,
                PlaneLayout(yp.rowStride, yp.pixelStride, yp.buffer.limit()),
                PlaneLayout(up.rowStride, up.pixelStride, up.buffer.limit()),
                PlaneLayout(vp.rowStride, vp.pixelStride, vp.buffer.limit()),
            )
            if (problem != null) {
                Log.w(TAG, "frame skipped: $problem")
                return
            }
            try {
                val result = engine.pushYuv420(
                    y = packer.direct(0, yp.buffer),
                    yRowStride = yp.rowStride.toUInt(),
                    u = packer.direct(1, up.buffer),
                    v = packer.direct(2, vp.buffer),
                    uvRowStride = up.rowStride.toUInt(),
                    uvPixelStride = up.pixelStride.toUInt(),
                    width = image.width.toUInt(),
                    height = image.height.toUInt(),
                    rotationDeg = image.imageInfo.rotationDegrees,
                    timestampUs = image.imageInfo.timestamp / 1_000,
                )
                val latencyUs = (SystemClock.elapsedRealtimeNanos() - arrived) / 1_000
                onResult(result, latencyUs)
            } catch (e: BallcamException.InvalidFrame) {
                // E.g. a timestamp that repeats after a camera restart: start over.
                Log.w(TAG, "frame refused: ${e.message}")
                engine.reset()
            } catch (e: BallcamException) {
                Log.e(TAG, "engine error: ${e.message}")
            }
        }
    }

    private companion object {
        const val TAG = "Ballcam"
    }
}
