#!/usr/bin/env bash
# Builds libballcam_ffi.so for the Android ABIs with cargo-ndk, profile `mobile` (LTO, opt-level s),
# into $BALLCAM_JNILIBS (default android/app/build/rustJniLibs/<abi>/libballcam_ffi.so).
# Needs: rustup targets aarch64-linux-android armv7-linux-androideabi x86_64-linux-android,
# `cargo install cargo-ndk`, and ANDROID_NDK_HOME (or ANDROID_HOME with the NDK installed).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${BALLCAM_JNILIBS:-$here/app/build/rustJniLibs}"
abis="${BALLCAM_ABIS:-arm64-v8a armeabi-v7a x86_64}"
cd "$here/.."
if ! command -v cargo-ndk >/dev/null; then
  echo "cargo-ndk missing: cargo install cargo-ndk" >&2
  exit 1
fi
args=()
for abi in $abis; do args+=(-t "$abi"); done
mkdir -p "$out"
# -P 26: the app's minSdk. The libraries in the target dir keep their symbols (strip =
# "debuginfo"): uniffi-bindgen reads its metadata from them (app/build.gradle.kts, generateBindings).
cargo ndk "${args[@]}" -P 26 -o "$out" build --profile mobile -p ballcam-ffi
ls -l "$out"/*/libballcam_ffi.so
