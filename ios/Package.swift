// swift-tools-version:5.9
// Ballcam for iOS: the Rust engine (BallcamFFI.xcframework, built by build-xcframework.sh), the
// uniffi-generated Swift bindings (Generated/BallcamFFI.swift, same script) and a thin wrapper
// (Sources/Ballcam). Neither the xcframework nor Generated/ is committed.
import PackageDescription

let package = Package(
    name: "Ballcam",
    platforms: [.iOS(.v15)],
    products: [
        .library(name: "Ballcam", targets: ["Ballcam"]),
    ],
    targets: [
        // Static libraries for device and simulator + the C header and module map
        // (module `BallcamFFIFFI`) that the generated Swift imports.
        .binaryTarget(name: "BallcamFFI", path: "BallcamFFI.xcframework"),
        .target(
            name: "Ballcam",
            dependencies: ["BallcamFFI"],
            path: ".",
            sources: ["Sources/Ballcam", "Generated/BallcamFFI.swift"]
        ),
    ]
)
