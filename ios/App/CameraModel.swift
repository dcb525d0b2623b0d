// Capture: AVCaptureSession + AVCaptureVideoDataOutput (NV12 bi-planar video range); frames are
// handed to the engine on the capture queue (FrameProcessor), results published on the main thread.
import AVFoundation
import Ballcam
import SwiftUI
import UIKit

/// Runs on the capture queue: owns the tracker and hands it every frame.
final class FrameProcessor: NSObject, AVCaptureVideoDataOutputSampleBufferDelegate {
    let queue = DispatchQueue(label: "app.ballcam.capture", qos: .userInitiated)
    private let lock = NSLock()
    private var tracker: BallcamTracker?
    private var rotation: Int32 = 90
    private let publish: (FrameResult, Int64) -> Void

    init(publish: @escaping (FrameResult, Int64) -> Void) {
        self.publish = publish
    }

    func setTracker(_ t: BallcamTracker) { lock.locked { tracker = t } }

    /// Clockwise rotation that makes the buffers upright.
    func setRotation(_ degrees: Int32) { lock.locked { rotation = degrees } }

    func setAspect(width: UInt32, height: UInt32) {
        let t = lock.locked { tracker }
        try? t?.setAspect(width: width, height: height)
    }

    func captureOutput(_ output: AVCaptureOutput, didOutput sampleBuffer: CMSampleBuffer, from connection: AVCaptureConnection) {
        let (tracker, rotation) = lock.locked { (self.tracker, self.rotation) }
        guard let tracker, let pixelBuffer = CMSampleBufferGetImageBuffer(sampleBuffer) else { return }
        let arrived = DispatchTime.now().uptimeNanoseconds
        let pts = CMSampleBufferGetPresentationTimeStamp(sampleBuffer)
        let timestampUs = Int64(CMTimeGetSeconds(pts) * 1e6)
        do {
            let r = try tracker.process(pixelBuffer, rotationDegrees: rotation, timestampUs: timestampUs)
            publish(r, Int64((DispatchTime.now().uptimeNanoseconds - arrived) / 1000))
        } catch BallcamError.InvalidFrame(let message) {
            NSLog("Ballcam: frame refused: %@", message)
            tracker.reset()
        } catch {
            NSLog("Ballcam: %@", "\(error)")
        }
    }
}

@MainActor
final class CameraModel: ObservableObject {
    enum Status { case idle, denied, starting, running, failed(String) }

    @Published var status: Status = .idle
    @Published var result: FrameResult?
    @Published var hud = "Preparing the ball detector…"
    @Published var overlay = false

    let session = AVCaptureSession()
    let preset: Preset
    private var processor: FrameProcessor!
    private var fps = 0.0, engineMs = 0.0, latencyMs = 0.0
    private var lastTimestampUs: Int64?

    init() {
        preset = CameraModel.choosePreset()
        processor = FrameProcessor { [weak self] r, latencyUs in
            Task { @MainActor in self?.publish(r, latencyUs: latencyUs) }
        }
    }

    /// 60 fps only on devices with cores and memory to spare (mirrors the Android choice).
    static func choosePreset() -> Preset {
        let info = ProcessInfo.processInfo
        let big = info.activeProcessorCount >= 6 && info.physicalMemory >= 6 << 30
        let sixty = AVCaptureDevice.default(.builtInWideAngleCamera, for: .video, position: .back)?
            .formats.contains { $0.videoSupportedFrameRateRanges.contains { $0.maxFrameRate >= 60 } } ?? false
        return big && sixty ? .phone60Fps : .phone30Fps
    }

    func start() {
        switch AVCaptureDevice.authorizationStatus(for: .video) {
        case .authorized: configure()
        case .notDetermined:
            AVCaptureDevice.requestAccess(for: .video) { granted in
                Task { @MainActor in
                    if granted { self.configure() } else { self.status = .denied }
                }
            }
        default: status = .denied
        }
    }

    /// Interface orientation to buffer rotation (back camera; its sensor is landscape-right).
    func updateOrientation(_ o: UIInterfaceOrientation) {
        switch o {
        case .landscapeRight: processor.setRotation(0)
        case .portraitUpsideDown: processor.setRotation(270)
        case .landscapeLeft: processor.setRotation(180)
        default: processor.setRotation(90)
        }
    }

    func setAspect(_ size: CGSize) {
        let (w, h) = (UInt32(max(size.width, 1)), UInt32(max(size.height, 1)))
        let processor = self.processor!
        processor.queue.async { processor.setAspect(width: w, height: h) }
    }

    private func configure() {
        status = .starting
        let (preset, session, processor) = (self.preset, self.session, self.processor!)
        processor.queue.async {
            do {
                try? BallcamTracker.installLogging()
                // Prepares the model: off the main thread.
                processor.setTracker(try BallcamTracker(preset: preset))
                try CameraModel.setUp(session, processor: processor, fps: preset == .phone60Fps ? 60 : 30)
                session.startRunning()
                Task { @MainActor in self.status = .running }
            } catch {
                Task { @MainActor in self.status = .failed("\(error)") }
            }
        }
    }

    nonisolated private static func setUp(_ session: AVCaptureSession, processor: FrameProcessor, fps: Int32) throws {
        session.beginConfiguration()
        defer { session.commitConfiguration() }
        session.sessionPreset = .hd1280x720
        guard let device = AVCaptureDevice.default(.builtInWideAngleCamera, for: .video, position: .back) else {
            throw BallcamError.Internal(message: "no back camera")
        }
        let input = try AVCaptureDeviceInput(device: device)
        if session.canAddInput(input) { session.addInput(input) }
        let output = AVCaptureVideoDataOutput()
        output.videoSettings = [kCVPixelBufferPixelFormatTypeKey as String: kCVPixelFormatType_420YpCbCr8BiPlanarVideoRange]
        output.alwaysDiscardsLateVideoFrames = true
        output.setSampleBufferDelegate(processor, queue: processor.queue)
        if session.canAddOutput(output) { session.addOutput(output) }
        try device.lockForConfiguration()
        let duration = CMTime(value: 1, timescale: fps)
        if device.activeFormat.videoSupportedFrameRateRanges.contains(where: { $0.maxFrameRate >= Double(fps) }) {
            device.activeVideoMinFrameDuration = duration
            device.activeVideoMaxFrameDuration = duration
        }
        device.unlockForConfiguration()
    }

    private func publish(_ r: FrameResult, latencyUs: Int64) {
        if let last = lastTimestampUs, r.timestampUs > last {
            let instant = 1e6 / Double(r.timestampUs - last)
            fps = fps == 0 ? instant : fps + 0.1 * (instant - fps)
        }
        lastTimestampUs = r.timestampUs
        engineMs += 0.1 * (Double(r.timings.totalUs) / 1e3 - engineMs)
        latencyMs += 0.1 * (Double(latencyUs) / 1e3 - latencyMs)
        hud = String(format: "%.0f fps · engine %.1f ms · latency %.1f ms", fps, engineMs, latencyMs)
        result = r
    }
}

private extension NSLock {
    /// `withLock` for iOS 15.
    func locked<T>(_ body: () throws -> T) rethrows -> T {
        lock()
        defer { unlock() }
        return try body()
    }
}
