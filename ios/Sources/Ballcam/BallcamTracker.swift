// Thin Swift wrapper over the uniffi bindings: CVPixelBuffer in, FrameResult out.
// Every call into the FFI made here is mirrored in tests/bindings/TestBallcam.kt (testIosCalls),
// which runs against the same library on the desktop.
import CoreVideo
import Foundation
import os

/// One engine for one capture stream. Not tied to a queue, but calls are serialised inside the
/// engine: call `process` from the capture queue and the rest from anywhere.
public final class BallcamTracker {
    private let engine: BallcamEngine

    /// Builds the engine for a preset (prepares the model: call off the main thread).
    public init(preset: Preset) throws {
        engine = try BallcamEngine(preset: preset)
    }

    /// The library's version.
    public static var version: String { ballcamVersion() }

    /// Sends the library's log records to os_log (subsystem `app.ballcam`).
    public static func installLogging(level: LogLevel = .info) throws {
        try setLogSink(sink: OSLogSink(), level: level)
    }

    /// Runs the engine on one camera buffer: NV12 bi-planar (video or full range) or 32BGRA.
    /// `rotationDegrees` is the clockwise rotation that makes the buffer upright.
    public func process(_ pixelBuffer: CVPixelBuffer, rotationDegrees: Int32, timestampUs: Int64) throws -> FrameResult {
        CVPixelBufferLockBaseAddress(pixelBuffer, .readOnly)
        defer { CVPixelBufferUnlockBaseAddress(pixelBuffer, .readOnly) }
        let width = UInt32(CVPixelBufferGetWidth(pixelBuffer))
        let height = UInt32(CVPixelBufferGetHeight(pixelBuffer))
        switch CVPixelBufferGetPixelFormatType(pixelBuffer) {
        case kCVPixelFormatType_420YpCbCr8BiPlanarVideoRange, kCVPixelFormatType_420YpCbCr8BiPlanarFullRange:
            let (y, yStride) = try plane(pixelBuffer, 0)
            let (uv, uvStride) = try plane(pixelBuffer, 1)
            return try engine.pushNv12(
                y: y, yRowStride: yStride, uv: uv, uvRowStride: uvStride,
                width: width, height: height, rotationDeg: rotationDegrees, timestampUs: timestampUs)
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

    /// The crop's aspect ratio, e.g. the preview's size in points.
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

    /// Forgets the ball and the timestamps (camera switch, resume).
    public func reset() {
        engine.reset()
    }

    /// Counters since the engine was built.
    public func telemetry() -> Telemetry {
        engine.telemetry()
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
