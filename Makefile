# Ballcam: `make demo` runs the main job, `make test` the whole suite. Both set up what they
# need on a fresh Debian/Ubuntu machine with a Rust toolchain (scripts/setup.sh).
CARGO ?= cargo
# One profile for everything: tract is unusable unoptimised and would otherwise build twice.
PROFILE := --release
export KOTLIN_HOME ?= $(HOME)/.cache/ballcam/kotlinc

.PHONY: demo test setup build fmt lint bench clean

setup:
	@scripts/setup.sh

build:
	$(CARGO) build $(PROFILE) --workspace

demo: setup
	$(CARGO) run $(PROFILE) -p ballcam -- demo --out demo-out

fmt:
	$(CARGO) fmt --all

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy $(PROFILE) --workspace --all-targets -- -D warnings

test: setup lint
	$(CARGO) test $(PROFILE) --workspace

bench:
	$(CARGO) bench -p ballcam-core

clean:
	$(CARGO) clean
