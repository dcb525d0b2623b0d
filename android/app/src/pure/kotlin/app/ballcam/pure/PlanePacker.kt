package app.ballcam.pure

import java.nio.ByteBuffer

/**
 * Hands camera planes to the FFI, whose Kotlin bindings take *direct* ByteBuffers and pass their
 * memory to Rust without a copy (uniffi zero-copy `&[u8]`). CameraX plane buffers are direct: they
 * are passed as they are (a view from 0 to the limit; the FFI reads `remaining()` bytes from the
 * buffer's base address, so the position must be 0). A heap buffer is copied once into a direct
 * buffer kept per plane and reused while the size stays the same.
 */
class PlanePacker(planes: Int = 3) {
    private val copies = arrayOfNulls<ByteBuffer>(planes)

    /** Plane `index` as a direct buffer whose position is 0 and limit the plane's size. */
    fun direct(index: Int, buffer: ByteBuffer): ByteBuffer {
        val view = buffer.duplicate()
        view.rewind()
        if (view.isDirect) return view
        val n = view.remaining()
        val copy = copies[index]?.takeIf { it.capacity() == n } ?: ByteBuffer.allocateDirect(n).also { copies[index] = it }
        copy.clear()
        copy.put(view)
        copy.rewind()
        return copy
    }

    /** A direct buffer holding `bytes` (tests and replays; one copy). */
    fun direct(index: Int, bytes: ByteArray): ByteBuffer = direct(index, ByteBuffer.wrap(bytes))
}

/** Strides of one plane, as CameraX reports them. */
data class PlaneLayout(val rowStride: Int, val pixelStride: Int, val size: Int)

/**
 * Checks that a YUV_420_888 image fits the FFI's `push_yuv420`: U and V share row and pixel
 * strides (true on every device CameraX supports) and every stride is positive. Returns `null` when
 * it fits, else the reason (the analyzer logs it and skips the frame).
 */
fun yuv420Problem(width: Int, height: Int, y: PlaneLayout, u: PlaneLayout, v: PlaneLayout): String? = when {
    width <= 0 || height <= 0 -> "size ${width}x$height"
    y.pixelStride != 1 -> "Y pixel stride ${y.pixelStride}"
    u.rowStride != v.rowStride -> "U/V row strides differ: ${u.rowStride} vs ${v.rowStride}"
    u.pixelStride != v.pixelStride -> "U/V pixel strides differ: ${u.pixelStride} vs ${v.pixelStride}"
    u.pixelStride !in 1..2 -> "chroma pixel stride ${u.pixelStride}"
    y.rowStride < width -> "Y row stride ${y.rowStride} < width $width"
    else -> null
}
