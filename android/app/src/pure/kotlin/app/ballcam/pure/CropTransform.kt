// Pure Kotlin (no Android SDK): compiled into the app and tested on the JVM by
// tests/tests/android_pure_kotlin.rs.
package app.ballcam.pure

import kotlin.math.max
import kotlin.math.min

/** A rectangle in upright frame pixels (the engine's crop, as doubles). */
data class Rect(val x: Double, val y: Double, val width: Double, val height: Double) {
    val centerX get() = x + width / 2
    val centerY get() = y + height / 2
}

/**
 * `view = scale * content + (tx, ty)`: a scale about the view's top-left corner, then a
 * translation. On Android: `pivotX = pivotY = 0`, `scaleX = scaleY = scale`,
 * `translationX = tx`, `translationY = ty` on the PreviewView; on iOS the same numbers as a
 * CGAffineTransform on the preview layer.
 */
data class ViewTransform(val scale: Double, val tx: Double, val ty: Double) {
    fun mapX(x: Double) = scale * x + tx
    fun mapY(y: Double) = scale * y + ty

    companion object {
        val IDENTITY = ViewTransform(1.0, 0.0, 0.0)
    }
}

/**
 * Maps the engine's crop (upright frame pixels) onto a preview that shows the whole upright
 * frame with "fill centre" scaling (PreviewView.ScaleType.FILL_CENTER,
 * AVLayerVideoGravity.resizeAspectFill): the transform that makes the crop fill the view.
 *
 * The preview and the analysis stream must have the same field of view (the same aspect ratio);
 * only the frame's *shape* matters here, so the analysis resolution may differ from the preview's.
 */
class CropTransform(
    private val frameWidth: Double,
    private val frameHeight: Double,
    private val viewWidth: Double,
    private val viewHeight: Double,
) {
    init {
        require(frameWidth > 0 && frameHeight > 0 && viewWidth > 0 && viewHeight > 0) {
            "sizes must be positive: frame ${frameWidth}x$frameHeight, view ${viewWidth}x$viewHeight"
        }
    }

    /** Frame pixels to view pixels under the preview's own fill-centre scaling. */
    val baseScale = max(viewWidth / frameWidth, viewHeight / frameHeight)
    val baseX = (viewWidth - frameWidth * baseScale) / 2
    val baseY = (viewHeight - frameHeight * baseScale) / 2

    /** Where frame point (x, y) is drawn in the view before any virtual-camera transform. */
    fun frameToView(x: Double, y: Double) = Pair(x * baseScale + baseX, y * baseScale + baseY)

    /**
     * The transform that makes `crop` fill the view (fill-centre), never zooming out past the
     * plain preview (scale >= 1) and never showing anything outside the frame (the translation is
     * clamped so that the frame still covers the view).
     */
    fun forCrop(crop: Rect): ViewTransform {
        if (crop.width <= 0 || crop.height <= 0) return ViewTransform.IDENTITY
        val cw = crop.width * baseScale
        val ch = crop.height * baseScale
        val scale = max(1.0, max(viewWidth / cw, viewHeight / ch))
        val (cx, cy) = frameToView(crop.centerX, crop.centerY)
        val tx = clampTranslation(viewWidth / 2 - scale * cx, scale, baseX, frameWidth * baseScale, viewWidth)
        val ty = clampTranslation(viewHeight / 2 - scale * cy, scale, baseY, frameHeight * baseScale, viewHeight)
        return ViewTransform(scale, tx, ty)
    }

    /** Frame point to view point under `t` (for overlays drawn in view coordinates). */
    fun map(t: ViewTransform, x: Double, y: Double): Pair<Double, Double> {
        val (vx, vy) = frameToView(x, y)
        return Pair(t.mapX(vx), t.mapY(vy))
    }

    private fun clampTranslation(t: Double, scale: Double, start: Double, extent: Double, view: Double): Double {
        // Content spans [scale*start + t, scale*(start+extent) + t]; it must cover [0, view].
        val lo = view - scale * (start + extent)
        val hi = -scale * start
        // `+ 0.0` turns -0.0 into 0.0, so transforms compare equal.
        return (if (lo > hi) (lo + hi) / 2 else min(max(t, lo), hi)) + 0.0
    }
}
