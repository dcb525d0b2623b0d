// Capture: AVCaptureSession + AVCaptureVideoDataOutput (NV12 bi-planar, full range, 1920x1080 in
// the format the core chooses for the frame rate); frames are handed to the engine on the capture
// queue (FrameProcessor), which also records the movie and the crop path; results reach the main
// thread one at a time (coalesced). The sport picker and the hard-frame switch are kept in
// UserDefaults; Export writes the kept frames as a labelling queue with the telemetry beside it
// (Documents/queue-<time>/, visible in the Files app).
import AVFoundation
import Ballcam
import SwiftUI
import UIKit

/// The size the capture asks for (the recording is the full frame at this size).
private let captureWidth: UInt32 = 1920
private let captureHeight: UInt32 = 1080

/// Owns the tracker and everything that touches it; all its state lives on `queue`.
final class FrameProcessor: NSObject, AVCaptureVideoDataOutputSampleBufferDelegate {
    let queue = DispatchQueue(label: "app.ballcam.capture", qos: .userInitiated)
    // Capture queue only.
    private var tracker: BallcamTracker?
    private var rotation: Int32 = 90
    private var viewSize: CGSize?
    /// The user's latest choices, applied to the tracker when it arrives (a choice made while
    /// the model was being prepared is not lost).
    private var ball: Ball = .any
    private var collecting = false
    private var recorder: MovieRecorder?
    // Shared with the main thread under `lock`: the latest result and whether one is posted.
    private let lock = NSLock()
    private var latest: FrameResult?
    private var posted = false
    private let publish: (FrameResult) -> Void

    /// `publish` runs on the main thread, at most one call in flight whatever the frame rate.
    init(publish: @escaping (FrameResult) -> Void) {
        self.publish = publish
    }

    /// On the queue: the tracker, given the view's size if the layout came first.
    func setTracker(_ t: BallcamTracker) {
        queue.async {
            self.tracker = t
            if let size = self.viewSize { try? t.setView(width: Double(size.width), height: Double(size.height)) }
            // No-ops when the tracker was built with these.
            try? t.setBall(self.ball)
            try? t.setCollectHardFrames(self.collecting)
        }
    }

    /// The buffers' clockwise rotation (for the display's orientation).
    func setRotation(_ degrees: Int32) { queue.async { self.rotation = degrees } }

    /// The preview's size; kept until the tracker exists (the permission prompt may be up).
    func setView(_ size: CGSize) {
        queue.async {
            self.viewSize = size
            try? self.tracker?.setView(width: Double(size.width), height: Double(size.height))
        }
    }

    func cameraStarted() { queue.async { self.tracker?.cameraStarted() } }

    func appBackgrounded() {
        queue.async {
            self.stopRecording()
            self.tracker?.appBackgrounded()
        }
    }

    func appForegrounded() { queue.async { self.tracker?.appForegrounded() } }

    func setBall(_ ball: Ball) {
        queue.async {
            self.ball = ball
            try? self.tracker?.setBall(ball)
        }
    }

    func setCollectHardFrames(_ on: Bool) {
        queue.async {
            self.collecting = on
            try? self.tracker?.setCollectHardFrames(on)
        }
    }

    /// Writes the kept frames and the telemetry into a new `queue-<time>` folder in Documents,
    /// then forgets the frames; `done` gets a line for the user.
    func exportHardFrames(_ done: @escaping (String) -> Void) {
        queue.async {
            let message: String
            do {
                guard let tracker = self.tracker,
                      let documents = FileManager.default.urls(for: .documentDirectory, in: .userDomainMask).first else {
                    throw BallcamError.Internal(message: "no engine or no Documents folder")
                }
                let stamp = DateFormatter()
                stamp.locale = Locale(identifier: "en_US_POSIX")
                // Milliseconds: a second export never lands in the first one's folder.
                stamp.dateFormat = "yyyyMMdd-HHmmss-SSS"
                let dir = documents.appendingPathComponent("queue-" + stamp.string(from: Date()))
                let summary = try tracker.exportCaptures(dir: dir.path)
                try tracker.telemetryJson().write(to: dir.appendingPathComponent("telemetry.json"), atomically: true, encoding: .utf8)
                tracker.clearCaptures()
                message = "\(summary.images) frames from \(summary.episodes) failure episodes in \(dir.lastPathComponent)"
            } catch {
                message = "Export failed: \(error)"
            }
            DispatchQueue.main.async { done(message) }
        }
    }

    /// Starts recording into the app's Documents folder (visible in the Files app).
    func startRecording(_ done: @escaping (Bool) -> Void) {
        queue.async {
            guard let tracker = self.tracker, self.recorder == nil,
                  let dir = FileManager.default.urls(for: .documentDirectory, in: .userDomainMask).first else {
                return DispatchQueue.main.async { done(false) }
            }
            do {
                let r = try MovieRecorder(directory: dir, width: Int(captureWidth), height: Int(captureHeight), rotationDegrees: self.rotation)
                // The next frame is the movie's first and the path's first row.
                try tracker.startPath(url: r.pathURL, width: captureWidth, height: captureHeight, rotationDegrees: self.rotation)
                self.recorder = r
                DispatchQueue.main.async { done(true) }
            } catch {
                NSLog("Ballcam: cannot record: %@", "\(error)")
                DispatchQueue.main.async { done(false) }
            }
        }
    }

    func stopRecordingAsync() { queue.async { self.stopRecording() } }

    /// On the queue.
    private func stopRecording() {
        guard let r = recorder else { return }
        recorder = nil
        let rows = (try? tracker?.finishPath()) ?? nil
        r.finish { NSLog("Ballcam: recorded %@ (%@ path rows)", r.movieURL.lastPathComponent, "\(rows ?? 0)") }
    }

    func captureOutput(_ output: AVCaptureOutput, didOutput sampleBuffer: CMSampleBuffer, from connection: AVCaptureConnection) {
        guard let tracker, let pixelBuffer = CMSampleBufferGetImageBuffer(sampleBuffer) else { return }
        recorder?.append(sampleBuffer)
        let pts = CMSampleBufferGetPresentationTimeStamp(sampleBuffer)
        let timestampUs = Int64(CMTimeGetSeconds(pts) * 1e6)
        do {
            offer(try tracker.process(pixelBuffer, rotationDegrees: rotation, timestampUs: timestampUs))
        } catch {
            // A refused frame: the engine decides about resets itself; nothing to do but note it.
            NSLog("Ballcam: frame dropped: %@", "\(error)")
        }
    }

    /// Hands a result to the main thread unless an update is already on its way (then that
    /// update takes this newer result).
    private func offer(_ r: FrameResult) {
        let post: Bool = lock.locked {
            latest = r
            defer { posted = true }
            return !posted
        }
        guard post else { return }
        DispatchQueue.main.async {
            let r: FrameResult? = self.lock.locked {
                self.posted = false
                defer { self.latest = nil }
                return self.latest
            }
            if let r { self.publish(r) }
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
    @Published var recording = false
    /// The embedded detector (the sport picker), kept across launches.
    @Published var ball: Ball = CameraModel.savedBall() {
        didSet {
            UserDefaults.standard.set(ball == .football ? "football" : "any", forKey: Self.ballKey)
            processor.setBall(ball)
        }
    }
    /// Whether the engine keeps the frames worth labelling, kept across launches.
    @Published var collecting = UserDefaults.standard.bool(forKey: CameraModel.collectKey) {
        didSet {
            UserDefaults.standard.set(collecting, forKey: Self.collectKey)
            processor.setCollectHardFrames(collecting)
        }
    }
    /// The last export's line for the user.
    @Published var exportMessage: String?
    /// The buffers' (and the preview connection's) clockwise rotation.
    @Published var rotation: Int32 = 90

    private static let ballKey = "ball"
    private static let collectKey = "collectHardFrames"

    nonisolated private static func savedBall() -> Ball {
        UserDefaults.standard.string(forKey: ballKey) == "football" ? .football : .any
    }

    let session = AVCaptureSession()
    let preset: Preset
    private var processor: FrameProcessor!
    private var observers: [NSObjectProtocol] = []

    init() {
        preset = CameraModel.choosePreset()
        processor = FrameProcessor { [weak self] r in
            Task { @MainActor in self?.show(r) }
        }
        // The session resumes after an interruption (a call, the app coming back): a new stream.
        observers.append(NotificationCenter.default.addObserver(
            forName: .AVCaptureSessionInterruptionEnded, object: session, queue: .main
        ) { [processor] _ in processor?.cameraStarted() })
    }

    /// The formats of the back camera, as the core sees them.
    nonisolated private static func formats(_ device: AVCaptureDevice) -> [CaptureFormat] {
        device.formats.map { f in
            let dims = CMVideoFormatDescriptionGetDimensions(f.formatDescription)
            return CaptureFormat(
                width: UInt32(max(dims.width, 0)), height: UInt32(max(dims.height, 0)),
                maxFps: f.videoSupportedFrameRateRanges.map(\.maxFrameRate).max() ?? 0,
                fullRange: CMFormatDescriptionGetMediaSubType(f.formatDescription) == kCVPixelFormatType_420YpCbCr8BiPlanarFullRange)
        }
    }

    /// 60 fps only where the back camera has a 1080p format that reaches it (the core's format
    /// choice) and the device has cores and memory to spare (6 cores, 6 GB).
    static func choosePreset() -> Preset {
        let info = ProcessInfo.processInfo
        let big = info.activeProcessorCount >= 6 && info.physicalMemory >= 6 << 30
        guard big, let device = AVCaptureDevice.default(.builtInWideAngleCamera, for: .video, position: .back) else {
            return .phone30Fps
        }
        let sixty = (try? BallcamTracker.chooseFormat(formats(device), width: captureWidth, height: captureHeight, fps: 60)) ?? nil
        return sixty != nil ? .phone60Fps : .phone30Fps
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

    /// The interface orientation as a display rotation (0 portrait, 90 landscapeRight, 180
    /// upside down, 270 landscapeLeft); the core turns it into the buffers' rotation.
    func updateOrientation(_ o: UIInterfaceOrientation) {
        let display: Int32
        switch o {
        case .landscapeRight: display = 90
        case .portraitUpsideDown: display = 180
        case .landscapeLeft: display = 270
        default: display = 0
        }
        guard let r = try? BallcamTracker.backCameraRotation(displayDegrees: display) else { return }
        rotation = r
        processor.setRotation(r)
    }

    /// The preview's size in points; kept by the processor until the tracker exists.
    func setView(_ size: CGSize) {
        guard size.width > 0, size.height > 0 else { return }
        processor.setView(size)
    }

    func backgrounded() {
        recording = false
        processor.appBackgrounded()
    }

    func foregrounded() { processor.appForegrounded() }

    func toggleRecording() {
        if recording {
            recording = false
            processor.stopRecordingAsync()
        } else {
            processor.startRecording { ok in Task { @MainActor in self.recording = ok } }
        }
    }

    func exportHardFrames() {
        processor.exportHardFrames { message in Task { @MainActor in self.exportMessage = message } }
    }

    private func configure() {
        status = .starting
        let (preset, session, processor) = (self.preset, self.session, self.processor!)
        let (ball, collecting) = (self.ball, self.collecting)
        processor.setBall(ball)
        processor.setCollectHardFrames(collecting)
        processor.queue.async {
            do {
                try? BallcamTracker.installLogging()
                // Prepares the model: off the main thread.
                processor.setTracker(try BallcamTracker(preset: preset, ball: ball, collectHardFrames: collecting))
                try CameraModel.setUp(session, processor: processor, fps: preset == .phone60Fps ? 60 : 30)
                session.startRunning()
                processor.cameraStarted()
                Task { @MainActor in self.status = .running }
            } catch {
                Task { @MainActor in self.status = .failed("\(error)") }
            }
        }
    }

    /// Adds the input and the output, then — after `commitConfiguration`, which would otherwise
    /// reset them — sets the format the core chooses for the size and rate, and the frame rate.
    nonisolated private static func setUp(_ session: AVCaptureSession, processor: FrameProcessor, fps: Int32) throws {
        guard let device = AVCaptureDevice.default(.builtInWideAngleCamera, for: .video, position: .back) else {
            throw BallcamError.Internal(message: "no back camera")
        }
        session.beginConfiguration()
        // The device's active format rules, not a session preset.
        session.sessionPreset = .inputPriority
        let input = try AVCaptureDeviceInput(device: device)
        if session.canAddInput(input) { session.addInput(input) }
        let output = AVCaptureVideoDataOutput()
        output.videoSettings = [kCVPixelBufferPixelFormatTypeKey as String: kCVPixelFormatType_420YpCbCr8BiPlanarFullRange]
        output.alwaysDiscardsLateVideoFrames = true
        output.setSampleBufferDelegate(processor, queue: processor.queue)
        if session.canAddOutput(output) { session.addOutput(output) }
        session.commitConfiguration()

        let formats = device.formats
        let index = try BallcamTracker.chooseFormat(Self.formats(device), width: captureWidth, height: captureHeight, fps: Double(fps))
            ?? BallcamTracker.chooseFormat(Self.formats(device), width: captureWidth, height: captureHeight, fps: 30)
        try device.lockForConfiguration()
        defer { device.unlockForConfiguration() }
        if let index {
            let format = formats[index]
            device.activeFormat = format
            // The rate the chosen format reaches (30 when it was the fallback), set only when one
            // of its ranges holds it (AVFoundation raises on any other).
            let top = format.videoSupportedFrameRateRanges.map(\.maxFrameRate).max() ?? 30
            let rate = Int32(min(Double(fps), top.rounded(.down)))
            if format.videoSupportedFrameRateRanges.contains(where: { Double(rate) >= $0.minFrameRate && Double(rate) <= $0.maxFrameRate }) {
                device.activeVideoMinFrameDuration = CMTime(value: 1, timescale: rate)
                device.activeVideoMaxFrameDuration = CMTime(value: 1, timescale: rate)
            }
        }
    }

    private func show(_ r: FrameResult) {
        let s = r.stats
        // Tracking quality over the last second (good / uncertain / lost).
        hud = String(format: "%.0f fps · engine %.1f ms · latency %.1f ms", s.fps, s.engineMs, s.latencyMs)
            + " · \(s.quality)"
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
