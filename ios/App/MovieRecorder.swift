// Records the capture's own sample buffers (the full frame the engine sees) into a movie with
// AVAssetWriter, on the capture queue, tagged with the rotation the recording started with, so
// that the crop path's rows (the engine's results for the same buffers) line up with its frames.
import AVFoundation
import CoreMedia

/// One movie file. Capture queue only.
final class MovieRecorder {
    let movieURL: URL
    let pathURL: URL
    private let writer: AVAssetWriter
    private let input: AVAssetWriterInput
    private var started = false

    /// A movie of `width` x `height` buffers shown turned by `rotationDegrees` (clockwise), and its
    /// crop path beside it (`.csv`).
    init(directory: URL, width: Int, height: Int, rotationDegrees: Int32) throws {
        let stamp = ISO8601DateFormatter().string(from: Date()).replacingOccurrences(of: ":", with: "-")
        movieURL = directory.appendingPathComponent("match-\(stamp).mov")
        pathURL = directory.appendingPathComponent("match-\(stamp).csv")
        writer = try AVAssetWriter(outputURL: movieURL, fileType: .mov)
        input = AVAssetWriterInput(mediaType: .video, outputSettings: [
            AVVideoCodecKey: AVVideoCodecType.h264,
            AVVideoWidthKey: width,
            AVVideoHeightKey: height,
        ])
        input.expectsMediaDataInRealTime = true
        input.transform = CGAffineTransform(rotationAngle: CGFloat(rotationDegrees) * .pi / 180)
        guard writer.canAdd(input) else {
            throw NSError(domain: "app.ballcam", code: 1, userInfo: [NSLocalizedDescriptionKey: "cannot record \(width)x\(height) video"])
        }
        writer.add(input)
    }

    /// Appends one frame; the first one starts the movie at its time.
    func append(_ sample: CMSampleBuffer) {
        if !started {
            guard writer.startWriting() else { return }
            writer.startSession(atSourceTime: CMSampleBufferGetPresentationTimeStamp(sample))
            started = true
        }
        if input.isReadyForMoreMediaData {
            _ = input.append(sample)
        }
    }

    /// Finishes the movie; `done` runs when the file is complete.
    func finish(_ done: @escaping () -> Void) {
        guard started else {
            writer.cancelWriting()
            done()
            return
        }
        input.markAsFinished()
        writer.finishWriting(completionHandler: done)
    }
}
