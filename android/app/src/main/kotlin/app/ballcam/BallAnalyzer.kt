package app.ballcam

import android.util.Log
import androidx.camera.core.ImageAnalysis
import androidx.camera.core.ImageProxy
import app.ballcam.ffi.BallcamEngine
import app.ballcam.ffi.ColorRange
import app.ballcam.ffi.FrameResult
import app.ballcam.pure.PlaneLayout
import app.ballcam.pure.PlanePacker
import app.ballcam.pure.yuv420Problem

/**
 * CameraX analyzer (runs on the analysis executor, STRATEGY_KEEP_ONLY_LATEST, YUV_420_888): hands
 * the three planes (direct ByteBuffers, read by Rust in place: no copy) with their strides, the
 * colour range (camera YUV is full range, JFIF) and the rotation CameraX reports for the current
 * target rotation to the engine, and publishes each result.
 *
 * `engine` is read on every frame (null before the engine is built and after it is closed), and
 * no exception leaves [analyze]: a refused frame, a bug caught at the FFI or a closed engine
 * costs one frame, never the process.
 */
class BallAnalyzer(
    private val engine: () -> BallcamEngine?,
    private val onResult: (FrameResult) -> Unit,
) : ImageAnalysis.Analyzer {
    private val packer = PlanePacker()

    override fun analyze(image: ImageProxy) {
        image.use {
            val e = engine() ?: return
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
                val result = e.pushYuv420(
                    y = packer.direct(0, yp.buffer),
                    yRowStride = yp.rowStride.toUInt(),
                    u = packer.direct(1, up.buffer),
                    v = packer.direct(2, vp.buffer),
                    uvRowStride = up.rowStride.toUInt(),
                    uvPixelStride = up.pixelStride.toUInt(),
                    width = image.width.toUInt(),
                    height = image.height.toUInt(),
                    colorRange = ColorRange.FULL,
                    rotationDeg = image.imageInfo.rotationDegrees,
                    timestampUs = image.imageInfo.timestamp / 1_000,
                )
                onResult(result)
            } catch (ex: Exception) {
                // BallcamException: the frame was refused (the engine decides resets itself);
                // InternalException: a bug caught at the FFI (the engine was reset);
                // IllegalStateException: the engine was closed under us (the activity is going).
                Log.w(TAG, "frame dropped: ${ex.javaClass.simpleName}: ${ex.message}")
            }
        }
    }

    private companion object {
        const val TAG = "Ballcam"
    }
}
