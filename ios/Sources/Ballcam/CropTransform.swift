// The crop-to-preview transform: the same math as android/app/src/pure/kotlin/.../CropTransform.kt
// (tested on the JVM by tests/tests/android_pure_kotlin.rs).
import CoreGraphics

/// Maps the engine's crop (upright frame pixels) onto a preview that shows the whole upright
/// frame with aspect-fill (`AVLayerVideoGravity.resizeAspectFill`).
public struct CropTransform {
    public let frameSize: CGSize
    public let viewSize: CGSize
    /// Frame pixels to view points under the preview's own aspect-fill.
    public let baseScale: CGFloat
    public let baseOffset: CGPoint

    public init(frameSize: CGSize, viewSize: CGSize) {
        self.frameSize = frameSize
        self.viewSize = viewSize
        let s = max(viewSize.width / max(frameSize.width, 1), viewSize.height / max(frameSize.height, 1))
        baseScale = s
        baseOffset = CGPoint(x: (viewSize.width - frameSize.width * s) / 2, y: (viewSize.height - frameSize.height * s) / 2)
    }

    /// Where a frame point is drawn before the virtual camera moves.
    public func frameToView(_ p: CGPoint) -> CGPoint {
        CGPoint(x: p.x * baseScale + baseOffset.x, y: p.y * baseScale + baseOffset.y)
    }

    /// `view = scale * content + t`, about the view's top-left corner: the crop fills the view,
    /// never zooming out and never showing outside the frame.
    public func forCrop(_ crop: CGRect) -> (scale: CGFloat, tx: CGFloat, ty: CGFloat) {
        guard crop.width > 0, crop.height > 0 else { return (1, 0, 0) }
        let scale = max(1, max(viewSize.width / (crop.width * baseScale), viewSize.height / (crop.height * baseScale)))
        let c = frameToView(CGPoint(x: crop.midX, y: crop.midY))
        let tx = clamp(viewSize.width / 2 - scale * c.x, scale, baseOffset.x, frameSize.width * baseScale, viewSize.width)
        let ty = clamp(viewSize.height / 2 - scale * c.y, scale, baseOffset.y, frameSize.height * baseScale, viewSize.height)
        return (scale, tx, ty)
    }

    /// The same transform for a UIView/CALayer whose transform applies about its centre.
    public func affineForCrop(_ crop: CGRect) -> CGAffineTransform {
        let (s, tx, ty) = forCrop(crop)
        let cx = viewSize.width / 2, cy = viewSize.height / 2
        return CGAffineTransform(translationX: tx + (s - 1) * cx, y: ty + (s - 1) * cy).scaledBy(x: s, y: s)
    }

    private func clamp(_ t: CGFloat, _ scale: CGFloat, _ start: CGFloat, _ extent: CGFloat, _ view: CGFloat) -> CGFloat {
        let lo = view - scale * (start + extent)
        let hi = -scale * start
        return lo > hi ? (lo + hi) / 2 : min(max(t, lo), hi)
    }
}
