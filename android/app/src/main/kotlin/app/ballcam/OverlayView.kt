package app.ballcam

import android.content.Context
import android.graphics.Canvas
import android.graphics.Color
import android.graphics.Paint
import android.util.AttributeSet
import android.view.View
import app.ballcam.ffi.FrameResult
import app.ballcam.ffi.TrackState
import app.ballcam.ffi.ViewTransform

/**
 * Draws the ball marker (green: detected, amber: predicted) and, in overlay mode, the crop
 * window, in view pixels, with the engine's frame-to-view mapping (`frameScale`, `frameX`,
 * `frameY` of a [ViewTransform]): no geometry of its own.
 */
class OverlayView @JvmOverloads constructor(context: Context, attrs: AttributeSet? = null) : View(context, attrs) {
    private val ballPaint = Paint(Paint.ANTI_ALIAS_FLAG).apply { style = Paint.Style.STROKE; strokeWidth = 5f }
    private val cropPaint = Paint(Paint.ANTI_ALIAS_FLAG).apply {
        style = Paint.Style.STROKE; strokeWidth = 4f; color = Color.WHITE
    }
    private var result: FrameResult? = null
    private var mapping: ViewTransform? = null
    private var drawCrop = false

    /** The latest result, how its frame maps onto this view, and whether to draw the crop. */
    fun show(result: FrameResult, mapping: ViewTransform?, drawCrop: Boolean) {
        this.result = result
        this.mapping = mapping
        this.drawCrop = drawCrop
        invalidate()
    }

    override fun onDraw(canvas: Canvas) {
        super.onDraw(canvas)
        val r = result ?: return
        val m = mapping ?: return
        val x = { fx: Double -> (m.frameScale * fx + m.frameX).toFloat() }
        val y = { fy: Double -> (m.frameScale * fy + m.frameY).toFloat() }
        if (drawCrop) {
            val c = r.crop
            canvas.drawRect(x(c.x), y(c.y), x(c.x + c.width), y(c.y + c.height), cropPaint)
        }
        val ball = r.ball ?: return
        val radius = (ball.radius * m.frameScale).toFloat().coerceAtLeast(8f) + 6f
        ballPaint.color = if (ball.state == TrackState.DETECTED) Color.GREEN else Color.rgb(255, 176, 0)
        canvas.drawCircle(x(ball.x.toDouble()), y(ball.y.toDouble()), radius, ballPaint)
    }
}
