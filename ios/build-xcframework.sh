#!/usr/bin/env bash
# Builds ios/BallcamFFI.xcframework (static libraries, profile `mobile`) and the Swift bindings
# ios/Generated/BallcamFFI.swift. Run on macOS with Xcode and rustup:
#   rustup target add aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios
#   ios/build-xcframework.sh
# Neither output is committed.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$here/.."
cd "$root"
target_dir="${CARGO_TARGET_DIR:-$root/target}"
profile=mobile
export IPHONEOS_DEPLOYMENT_TARGET="${IPHONEOS_DEPLOYMENT_TARGET:-15.0}"

for t in aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios; do
  cargo build --profile "$profile" -p ballcam-ffi --lib --target "$t"
done
lib=libballcam_ffi.a
device="$target_dir/aarch64-apple-ios/$profile/$lib"
sim_dir="$target_dir/ios-sim-universal/$profile"
mkdir -p "$sim_dir"
# One fat static library for the simulator slices (arm64 + x86_64).
lipo -create \
  "$target_dir/aarch64-apple-ios-sim/$profile/$lib" \
  "$target_dir/x86_64-apple-ios/$profile/$lib" \
  -output "$sim_dir/$lib"

# Swift bindings (library mode reads the metadata from the device build's dylib, a by-product of
# crate-type cdylib; its symbols are kept by strip = "debuginfo").
gen="$here/Generated"
rm -rf "$gen"
mkdir -p "$gen"
cargo run --release -p uniffi-bindgen -- generate \
  --library "$target_dir/aarch64-apple-ios/$profile/libballcam_ffi.dylib" --language swift --out-dir "$gen"
# Headers in a subdirectory named after the C module, so several xcframeworks' module maps do not
# collide in the app's include directory.
headers="$target_dir/ios-headers/BallcamFFIFFI"
rm -rf "$(dirname "$headers")"
mkdir -p "$headers"
cp "$gen/BallcamFFIFFI.h" "$headers/"
cp "$gen/BallcamFFIFFI.modulemap" "$headers/module.modulemap"

rm -rf "$here/BallcamFFI.xcframework"
xcodebuild -create-xcframework \
  -library "$device" -headers "$(dirname "$headers")" \
  -library "$sim_dir/$lib" -headers "$(dirname "$headers")" \
  -output "$here/BallcamFFI.xcframework"
ls -l "$device" "$sim_dir/$lib"
echo "built $here/BallcamFFI.xcframework and $gen/BallcamFFI.swift"
