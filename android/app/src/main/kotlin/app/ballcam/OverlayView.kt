package app.ballcam

import android.content.Context
import android.graphics.Canvas
import android.graphics.Color
import android.graphics.Paint
import android.util.AttributeSet
import android.view.View
import app.ballcam.ffi.FrameResult
import app.ballcam.ffi.TrackState
import app.ballcam.pure.CropTransform
import app.ballcam.pure.ViewTransform

/** Draws the ball (green: detected, amber: predicted) and the crop window, in view pixels. */
class OverlayView @JvmOverloads constructor(context: Context, attrs: AttributeSet? = null) : View(context, attrs) {
    private val ballPaint = Paint(Paint.ANTI_ALIAS_FLAG).apply { style = Paint.Style.STROKE; strokeWidth = 5f }
    private val cropPaint = Paint(Paint.ANTI_ALIAS_FLAG).apply {
        style = Paint.Style.STROKE; strokeWidth = 4f; color = Color.WHITE
    }
    private var result: FrameResult? = null
    private var mapping: CropTransform? = null
    private var transform = ViewTransform.IDENTITY

    /** The latest result and how frame pixels map to this view (`transform` applied on top). */
    fun show(result: FrameResult, mapping: CropTransform, transform: ViewTransform) {
        this.result = result
        this.mapping = mapping
        this.transform = transform
        invalidate()
    }

    override fun onDraw(canvas: Canvas) {
        super.onDraw(canvas)
        val r = result ?: return
        val m = mapping ?: return
        val c = r.crop
        val (x0, y0) = m.map(transform, c.x, c.y)
        val (x1, y1) = m.map(transform, c.x + c.width, c.y + c.height)
        canvas.drawRect(x0.toFloat(), y0.toFloat(), x1.toFloat(), y1.toFloat(), cropPaint)
        val ball = r.ball ?: return
        val (bx, by) = m.map(transform, ball.x.toDouble(), ball.y.toDouble())
        val radius = (ball.radius * m.baseScale * transform.scale).toFloat().coerceAtLeast(8f) + 6f
        ballPaint.color = if (ball.state == TrackState.DETECTED) Color.GREEN else Color.rgb(255, 176, 0)
        canvas.drawCircle(bx.toFloat(), by.toFloat(), radius, ballPaint)
    }
}
