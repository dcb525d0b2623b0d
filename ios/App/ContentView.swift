// The preview (virtual camera: the crop applied as the preview view's transform), the overlay
// (ball and crop drawn over the whole frame), the HUD and the overlay toggle.
import AVFoundation
import Ballcam
import SwiftUI
import UIKit

struct ContentView: View {
    @StateObject private var model = CameraModel()

    var body: some View {
        GeometryReader { geo in
            ZStack(alignment: .topLeading) {
                Color.black
                CameraPreview(session: model.session, transform: transform(in: geo.size))
                    .clipped()
                if model.overlay, let r = model.result {
                    OverlayShape(result: r, mapping: mapping(r, geo.size))
                }
                Text(model.hud)
                    .font(.system(.footnote, design: .monospaced))
                    .foregroundColor(.white)
                    .padding(6)
                    .background(Color.black.opacity(0.5))
                    .padding(12)
                VStack {
                    Spacer()
                    HStack {
                        Spacer()
                        Toggle("Overlay", isOn: $model.overlay)
                            .fixedSize()
                            .foregroundColor(.white)
                            .padding(8)
                            .background(Color.black.opacity(0.5))
                            .padding(16)
                    }
                }
                if case .denied = model.status {
                    Text("Ballcam needs the camera: allow it in Settings.")
                        .foregroundColor(.white)
                        .frame(maxWidth: .infinity, maxHeight: .infinity)
                }
            }
            .onAppear {
                model.start()
                model.setAspect(geo.size)
            }
            .onChange(of: geo.size) { size in
                model.setAspect(size)
                if let scene = UIApplication.shared.connectedScenes.first as? UIWindowScene {
                    model.updateOrientation(scene.interfaceOrientation)
                }
            }
        }
        .ignoresSafeArea()
    }

    private func mapping(_ r: FrameResult, _ size: CGSize) -> CropTransform {
        CropTransform(frameSize: CGSize(width: Double(r.frameWidth), height: Double(r.frameHeight)), viewSize: size)
    }

    private func transform(in size: CGSize) -> CGAffineTransform {
        guard !model.overlay, let r = model.result else { return .identity }
        let crop = CGRect(x: r.crop.x, y: r.crop.y, width: r.crop.width, height: r.crop.height)
        return mapping(r, size).affineForCrop(crop)
    }
}

/// Ball (green: detected, amber: predicted) and crop rectangle over the un-zoomed preview.
struct OverlayShape: View {
    let result: FrameResult
    let mapping: CropTransform

    var body: some View {
        Canvas { ctx, _ in
            let c = result.crop
            let p0 = mapping.frameToView(CGPoint(x: c.x, y: c.y))
            let p1 = mapping.frameToView(CGPoint(x: c.x + c.width, y: c.y + c.height))
            ctx.stroke(Path(CGRect(x: p0.x, y: p0.y, width: p1.x - p0.x, height: p1.y - p0.y)), with: .color(.white), lineWidth: 3)
            if let b = result.ball {
                let p = mapping.frameToView(CGPoint(x: Double(b.x), y: Double(b.y)))
                let r = max(CGFloat(b.radius) * mapping.baseScale, 8) + 6
                let color: Color = b.state == .detected ? .green : .orange
                ctx.stroke(Path(ellipseIn: CGRect(x: p.x - r, y: p.y - r, width: 2 * r, height: 2 * r)), with: .color(color), lineWidth: 4)
            }
        }
        .allowsHitTesting(false)
    }
}

/// AVCaptureVideoPreviewLayer (aspect-fill) in a UIView whose transform is the virtual camera.
struct CameraPreview: UIViewRepresentable {
    let session: AVCaptureSession
    let transform: CGAffineTransform

    final class PreviewUIView: UIView {
        override class var layerClass: AnyClass { AVCaptureVideoPreviewLayer.self }
        var previewLayer: AVCaptureVideoPreviewLayer { layer as! AVCaptureVideoPreviewLayer }
    }

    func makeUIView(context: Context) -> PreviewUIView {
        let view = PreviewUIView()
        view.previewLayer.session = session
        view.previewLayer.videoGravity = .resizeAspectFill
        return view
    }

    func updateUIView(_ view: PreviewUIView, context: Context) {
        UIView.animate(withDuration: 0.05, delay: 0, options: [.beginFromCurrentState, .curveLinear]) {
            view.transform = transform
        }
    }
}
