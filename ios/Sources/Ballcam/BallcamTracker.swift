// Thin Swift wrapper over the uniffi bindings: CVPixelBuffer in, FrameResult out, the shell's
// lifecycle events and the crop path passed through. No logic of its own: the view geometry, the
// rotation, the lifecycle and the capture format are the core's.
// Every call into the FFI made here is mirrored in tests/bindings/TestBallcam.kt (testIosCalls),
// which runs against the same library on the desktop.
import CoreVideo
import Foundation
import os

/// One engine for one capture stream. Calls are serialised inside the engine: call them from the
/// capture queue, where the frames are processed, so that none waits on a frame.
public final class BallcamTracker {
    private let engine: BallcamEngine

    /// Builds the engine for a preset and an embedded detector (prepares the model: call off
    /// the main thread); with `collectHardFrames` the engine keeps the frames worth labelling.
    public init(preset: Preset, ball: Ball = .any, collectHardFrames: Bool = false) throws {
        engine = try BallcamEngine.withOptions(preset: preset, ball: ball, capture: collectHardFrames)
    }

    /// Switches the embedded detector (the sport picker); telemetry and kept frames start over.
    public func setBall(_ ball: Ball) throws {
        try engine.setBall(ball: ball)
    }

    /// Turns hard-case capture on or off; off forgets the frames not yet exported.
    public func setCollectHardFrames(_ on: Bool) throws {
        try engine.setCapture(enabled: on)
    }

    /// The library's version.
    public static var version: String { ballcamVersion() }

    /// Sends the library's log records to os_log (subsystem `app.ballcam`).
    public static func installLogging(level: LogLevel = .info) throws {
        try setLogSink(sink: OSLogSink(), level: level)
    }

    /// The clockwise rotation that makes the back camera's buffers upright for a display rotation
    /// (portrait 0, landscapeRight 90, portraitUpsideDown 180, landscapeLeft 270); also the
    /// preview connection's `videoRotationAngle`.
    public static func backCameraRotation(displayDegrees: Int32) throws -> Int32 {
        try bufferRotation(sensorDeg: 90, displayDeg: displayDegrees, frontFacing: false)
    }

    /// The index of the format to use for `width` x `height` at `fps`, or nil when none reaches it.
    public static func chooseFormat(_ formats: [CaptureFormat], width: UInt32, height: UInt32, fps: Double) throws -> Int? {
        try chooseCaptureFormat(formats: formats, width: width, height: height, fps: fps).map { Int($0) }
    }

    /// The plain preview's mapping (no virtual camera: the overlay mode) for a result's frame on
    /// a fit-centre view of `width` x `height` points.
    public static func plainPreview(_ r: FrameResult, width: Double, height: Double) -> ViewTransform? {
        try? viewTransform(frameWidth: r.frameWidth, frameHeight: r.frameHeight, rotationDeg: 0,
                           viewWidth: width, viewHeight: height, mode: .fit, crop: nil)
    }

    /// Runs the engine on one camera buffer: NV12 bi-planar (full or video range, passed as the
    /// buffer says) or 32BGRA. `rotationDegrees` is the clockwise rotation that makes the buffer
    /// upright.
    public func process(_ pixelBuffer: CVPixelBuffer, rotationDegrees: Int32, timestampUs: Int64) throws -> FrameResult {
        CVPixelBufferLockBaseAddress(pixelBuffer, .readOnly)
        defer { CVPixelBufferUnlockBaseAddress(pixelBuffer, .readOnly) }
        let width = UInt32(CVPixelBufferGetWidth(pixelBuffer))
        let height = UInt32(CVPixelBufferGetHeight(pixelBuffer))
        let format = CVPixelBufferGetPixelFormatType(pixelBuffer)
        switch format {
        case kCVPixelFormatType_420YpCbCr8BiPlanarVideoRange, kCVPixelFormatType_420YpCbCr8BiPlanarFullRange:
            let (y, yStride) = try plane(pixelBuffer, 0)
            let (uv, uvStride) = try plane(pixelBuffer, 1)
            let range: ColorRange = format == kCVPixelFormatType_420YpCbCr8BiPlanarFullRange ? .full : .limited
            return try engine.pushNv12(
                y: y, yRowStride: yStride, uv: uv, uvRowStride: uvStride,
                width: width, height: height, colorRange: range, rotationDeg: rotationDegrees, timestampUs: timestampUs)
        case kCVPixelFormatType_32BGRA:
            guard let base = CVPixelBufferGetBaseAddress(pixelBuffer) else {
                throw BallcamError.InvalidFrame(message: "pixel buffer has no base address")
            }
            let stride = CVPixelBufferGetBytesPerRow(pixelBuffer)
            // Wraps the buffer without a copy; the FFI reads it in place (zero-copy `&[u8]`).
            let data = Data(bytesNoCopy: base, count: stride * Int(height), deallocator: .none)
            return try engine.pushBgra(
                data: data, rowStride: UInt32(stride), width: width, height: height,
                rotationDeg: rotationDegrees, timestampUs: timestampUs)
        case let other:
            throw BallcamError.InvalidFrame(message: "pixel format \(other) is not supported (use NV12 or 32BGRA)")
        }
    }

    /// The preview view's size in points (aspect-fit preview); results then carry its `view`.
    public func setView(width: Double, height: Double) throws {
        try engine.setView(width: width, height: height, mode: .fit)
    }

    /// The camera (re)started: a new stream.
    public func cameraStarted() { engine.cameraStarted() }

    /// The app went to the background (the crop path is flushed).
    public func appBackgrounded() { engine.appBackgrounded() }

    /// The app came back.
    public func appForegrounded() { engine.appForegrounded() }

    /// Records the crop path into `url` for a movie of `width` x `height` buffers tagged with
    /// `rotationDegrees`, from the next frame on.
    public func startPath(url: URL, width: UInt32, height: UInt32, rotationDegrees: Int32) throws {
        try engine.startPath(path: url.path, videoWidth: width, videoHeight: height, videoRotationDeg: rotationDegrees)
    }

    /// Finishes the crop path; returns its rows.
    @discardableResult
    public func finishPath() throws -> UInt64 {
        try engine.finishPath()
    }

    /// Pins the crop's aspect ratio over the view's.
    public func setAspect(width: UInt32, height: UInt32) throws {
        try engine.setAspect(w: width, h: height)
    }

    /// Replaces the configuration (TOML: a preset plus overrides).
    public func setConfig(toml: String) throws {
        try engine.setConfigToml(text: toml)
    }

    /// The configuration in use, as TOML.
    public func configToml() throws -> String {
        try engine.configToml()
    }

    /// Forgets the ball and the timestamps.
    public func reset() {
        engine.reset()
    }

    /// The quality telemetry since the engine was built, its config changed or
    /// `resetTelemetry()`.
    public func telemetry() -> Telemetry {
        engine.telemetry()
    }

    /// The same telemetry as the JSON document `ballcam report --telemetry` reads.
    public func telemetryJson() throws -> String {
        try engine.telemetryJson()
    }

    /// Starts the telemetry over (captured frames are kept).
    public func resetTelemetry() {
        engine.resetTelemetry()
    }

    /// Tracking quality over the last second (also in every result's `stats.quality`).
    public func quality() -> QualitySummary {
        engine.quality()
    }

    /// Writes the captured hard frames (`setCollectHardFrames(true)`) into the folder `dir` as a
    /// labelling queue; nothing leaves the engine otherwise.
    public func exportCaptures(dir: String) throws -> CaptureExport {
        try engine.exportCaptures(dir: dir)
    }

    /// Forgets the captured frames (after an export).
    public func clearCaptures() {
        engine.clearCaptures()
    }

    /// Bytes of the engine's own buffers.
    public var heapBytes: UInt64 { engine.heapBytes() }

    /// A plane's bytes (wrapped without a copy; read in place by Rust) and its bytes per row.
    private func plane(_ pb: CVPixelBuffer, _ index: Int) throws -> (Data, UInt32) {
        guard let base = CVPixelBufferGetBaseAddressOfPlane(pb, index) else {
            throw BallcamError.InvalidFrame(message: "plane \(index) has no base address")
        }
        let stride = CVPixelBufferGetBytesPerRowOfPlane(pb, index)
        let rows = CVPixelBufferGetHeightOfPlane(pb, index)
        return (Data(bytesNoCopy: base, count: stride * rows, deallocator: .none), UInt32(stride))
    }
}

/// Forwards the Rust log records to os_log.
final class OSLogSink: LogSink {
    private let logger = Logger(subsystem: "app.ballcam", category: "engine")

    func log(level: LogLevel, target: String, message: String) {
        switch level {
        case .error: logger.error("\(target, privacy: .public): \(message, privacy: .public)")
        case .warn: logger.warning("\(target, privacy: .public): \(message, privacy: .public)")
        case .info: logger.info("\(target, privacy: .public): \(message, privacy: .public)")
        case .debug, .trace: logger.debug("\(target, privacy: .public): \(message, privacy: .public)")
        }
    }
}
