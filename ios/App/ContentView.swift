// The preview (virtual camera: each result's view transform, computed by the engine for the size
// reported with setView, applied to the preview view), the overlay (ball and crop over the whole
// frame), the HUD, the overlay toggle and the Record button; top right the sport picker, the
// hard-frame switch and Export. No geometry of its own.
import AVFoundation
import Ballcam
import SwiftUI
import UIKit

struct ContentView: View {
    @StateObject private var model = CameraModel()
    @Environment(\.scenePhase) private var scenePhase

    var body: some View {
        GeometryReader { geo in
            ZStack(alignment: .topLeading) {
                Color.black
                CameraPreview(session: model.session, transform: transform(in: geo.size), rotation: model.rotation)
                    .clipped()
                if let r = model.result, let m = mapping(r, geo.size) {
                    OverlayShape(result: r, mapping: m, drawCrop: model.overlay)
                }
                Text(model.hud)
                    .font(.system(.footnote, design: .monospaced))
                    .foregroundColor(.white)
                    .padding(6)
                    .background(Color.black.opacity(0.5))
                    .padding(12)
                HStack {
                    Spacer()
                    VStack(alignment: .trailing, spacing: 6) {
                        Picker("Sport", selection: $model.ball) {
                            Text("Any sport").tag(Ball.any)
                            Text("Football broadcast").tag(Ball.football)
                        }
                        .pickerStyle(.menu)
                        Toggle("Collect hard frames", isOn: $model.collecting)
                            .fixedSize()
                        Button("Export frames") { model.exportHardFrames() }
                            .disabled(!model.collecting)
                        if let message = model.exportMessage {
                            Text(message).font(.footnote)
                        }
                    }
                    .foregroundColor(.white)
                    .padding(8)
                    .background(Color.black.opacity(0.5))
                    .padding(12)
                }
                VStack {
                    Spacer()
                    HStack {
                        Button(model.recording ? "Stop" : "Record") { model.toggleRecording() }
                            .foregroundColor(.white)
                            .padding(8)
                            .background(Color.black.opacity(0.5))
                            .padding(16)
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
                // The orientation the app launched in, and the view's size: both before the
                // first frame (the processor keeps the size until the tracker exists).
                updateOrientation()
                model.setView(geo.size)
                model.start()
            }
            .onChange(of: geo.size) { size in
                updateOrientation()
                model.setView(size)
            }
            .onChange(of: scenePhase) { phase in
                switch phase {
                case .background: model.backgrounded()
                case .active: model.foregrounded()
                default: break
                }
            }
        }
        .ignoresSafeArea()
    }

    private func updateOrientation() {
        if let scene = UIApplication.shared.connectedScenes.first as? UIWindowScene {
            model.updateOrientation(scene.interfaceOrientation)
        }
    }

    /// The frame-to-view mapping for the marker: the result's virtual camera, or the plain
    /// preview in overlay mode. A transform computed for another view size is skipped.
    private func mapping(_ r: FrameResult, _ size: CGSize) -> ViewTransform? {
        if model.overlay {
            return BallcamTracker.plainPreview(r, width: Double(size.width), height: Double(size.height))
        }
        return current(r.view, size)
    }

    private func current(_ v: ViewTransform?, _ size: CGSize) -> ViewTransform? {
        guard let v, v.viewWidth == Double(size.width), v.viewHeight == Double(size.height) else { return nil }
        return v
    }

    private func transform(in size: CGSize) -> CGAffineTransform? {
        if model.overlay { return .identity }
        guard let r = model.result, let v = current(r.view, size) else { return nil }
        // UIView.transform applies about the view's centre: the engine's centre form.
        return CGAffineTransform(a: v.scale, b: 0, c: 0, d: v.scale, tx: v.centreTx, ty: v.centreTy)
    }
}

/// Ball (green: detected, amber: predicted) and, in overlay mode, the crop rectangle, drawn with
/// the engine's frame-to-view mapping.
struct OverlayShape: View {
    let result: FrameResult
    let mapping: ViewTransform
    let drawCrop: Bool

    var body: some View {
        Canvas { ctx, _ in
            let m = mapping
            let point = { (x: Double, y: Double) in CGPoint(x: m.frameScale * x + m.frameX, y: m.frameScale * y + m.frameY) }
            if drawCrop {
                let c = result.crop
                let p0 = point(c.x, c.y)
                let p1 = point(c.x + c.width, c.y + c.height)
                ctx.stroke(Path(CGRect(x: p0.x, y: p0.y, width: p1.x - p0.x, height: p1.y - p0.y)), with: .color(.white), lineWidth: 3)
            }
            if let b = result.ball {
                let p = point(Double(b.x), Double(b.y))
                let r = max(Double(b.radius) * m.frameScale, 8) + 6
                let color: Color = b.state == .detected ? .green : .orange
                ctx.stroke(Path(ellipseIn: CGRect(x: p.x - r, y: p.y - r, width: 2 * r, height: 2 * r)), with: .color(color), lineWidth: 4)
            }
        }
        .allowsHitTesting(false)
    }
}

/// AVCaptureVideoPreviewLayer (aspect-fit) in a UIView whose transform is the virtual camera; its
/// connection turned by the buffers' rotation (the preview is upright in every orientation).
struct CameraPreview: UIViewRepresentable {
    let session: AVCaptureSession
    /// nil: keep the current transform (no result for this view size yet).
    let transform: CGAffineTransform?
    let rotation: Int32

    final class PreviewUIView: UIView {
        override class var layerClass: AnyClass { AVCaptureVideoPreviewLayer.self }
        var previewLayer: AVCaptureVideoPreviewLayer { layer as! AVCaptureVideoPreviewLayer }
    }

    func makeUIView(context: Context) -> PreviewUIView {
        let view = PreviewUIView()
        view.previewLayer.session = session
        view.previewLayer.videoGravity = .resizeAspect
        return view
    }

    func updateUIView(_ view: PreviewUIView, context: Context) {
        if let connection = view.previewLayer.connection {
            if #available(iOS 17.0, *) {
                let angle = CGFloat(rotation)
                if connection.isVideoRotationAngleSupported(angle) { connection.videoRotationAngle = angle }
            } else if connection.isVideoOrientationSupported {
                // Rotation 90/0/270/180 is portrait/landscapeRight/upsideDown/landscapeLeft.
                let orientation: AVCaptureVideoOrientation
                switch rotation {
                case 0: orientation = .landscapeRight
                case 180: orientation = .landscapeLeft
                case 270: orientation = .portraitUpsideDown
                default: orientation = .portrait
                }
                connection.videoOrientation = orientation
            }
        }
        guard let transform else { return }
        UIView.animate(withDuration: 0.05, delay: 0, options: [.beginFromCurrentState, .curveLinear]) {
            view.transform = transform
        }
    }
}
