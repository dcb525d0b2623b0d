#!/usr/bin/env bash
# Builds libballcam_ffi.so for the Android ABIs with cargo-ndk 4, profile `mobile` (LTO, opt-level
# s), into $BALLCAM_JNILIBS (default android/app/build/rustJniLibs/<abi>/libballcam_ffi.so), and
# checks that every library is 16 KB-page aligned (Android 15+ devices with 16 KB pages refuse
# the others).
# Needs: rustup targets for the ABIs, `cargo install cargo-ndk --version ^4 --locked`, and
# ANDROID_NDK_HOME (or ANDROID_HOME with NDK 27.2.12479018 installed).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${BALLCAM_JNILIBS:-$here/app/build/rustJniLibs}"
abis="${BALLCAM_ABIS:-arm64-v8a armeabi-v7a x86_64}"
# The app's minSdk.
platform=26
# Android's largest page size.
page=16384
cd "$here/.."
if ! version="$(cargo ndk --version 2>/dev/null)"; then
  echo "cargo-ndk missing: cargo install cargo-ndk --version ^4 --locked" >&2
  exit 1
fi
case "$version" in
  *" 4."*) ;;
  *) echo "cargo-ndk 4 needed (found: $version): cargo install cargo-ndk --version ^4 --locked" >&2; exit 1 ;;
esac
args=()
for abi in $abis; do args+=(-t "$abi"); done
# 16 KB pages: NDK r27 does not align to them by default (r28 does); ask the linker, per target.
flags="-C link-arg=-Wl,-z,max-page-size=$page"
export CARGO_TARGET_AARCH64_LINUX_ANDROID_RUSTFLAGS="$flags"
export CARGO_TARGET_ARMV7_LINUX_ANDROIDEABI_RUSTFLAGS="$flags"
export CARGO_TARGET_X86_64_LINUX_ANDROID_RUSTFLAGS="$flags"
export CARGO_TARGET_I686_LINUX_ANDROID_RUSTFLAGS="$flags"
mkdir -p "$out"
# The libraries in the target dir keep their symbols (strip = "debuginfo"): uniffi-bindgen reads
# its metadata from them (app/build.gradle.kts, generateBindings).
cargo ndk "${args[@]}" --platform "$platform" -o "$out" build --profile mobile -p ballcam-ffi
# Every LOAD segment aligned to at least 16 KB.
readelf_bin="$(command -v llvm-readelf || true)"
if [ -z "$readelf_bin" ] && [ -n "${ANDROID_NDK_HOME:-}" ]; then
  readelf_bin="$(ls "$ANDROID_NDK_HOME"/toolchains/llvm/prebuilt/*/bin/llvm-readelf 2>/dev/null | head -n 1)"
fi
# aligned LIB: whether every LOAD segment of LIB is aligned to $page bytes or more.
aligned() {
  local align
  while read -r align; do
    if (( align < page )); then return 1; fi
  done < <("$readelf_bin" -lW "$1" | awk '$1 == "LOAD" { print $NF }')
}
for lib in "$out"/*/libballcam_ffi.so; do
  if [ -z "$readelf_bin" ]; then
    echo "llvm-readelf not found: alignment of $lib not checked" >&2
  elif aligned "$lib"; then
    echo "16 KB aligned: $lib"
  else
    echo "not 16 KB aligned: $lib" >&2
    exit 1
  fi
done
ls -l "$out"/*/libballcam_ffi.so
