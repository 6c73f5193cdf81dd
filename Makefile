# The two commands of the README: `make run` and `make test`. Both work on a fresh
# Debian machine with a Rust toolchain; they install what else they need.

CARGO_TARGET_DIR ?= $(HOME)/.cache/incubook/target
export CARGO_TARGET_DIR
# The sample district lives in its own directory so that it never mixes with real data.
SAMPLE_DIR ?= $(HOME)/.local/share/incubook-sample
INCUBOOK := $(CARGO_TARGET_DIR)/debug/incubook

.PHONY: run test check-toolchain build lint unit bench bench-district

check-toolchain:
	@command -v cargo >/dev/null || { echo "cargo is missing: install Rust (https://rustup.rs), then run make again"; exit 1; }

build: check-toolchain
	cargo build --bin incubook

# Opens the sample district (loaded on first run) and shows who to act as and the mentors free this week.
run: build
	$(INCUBOOK) --data-dir $(SAMPLE_DIR) demo --if-empty
	$(INCUBOOK) --data-dir $(SAMPLE_DIR) mentors --free-within 7
	@echo
	@echo "数据目录 / data: $(SAMPLE_DIR) — try: $(INCUBOOK) --data-dir $(SAMPLE_DIR) --help"

lint: check-toolchain
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets -- -D warnings

unit: check-toolchain
	cargo test --workspace

test: lint unit

bench: check-toolchain
	cargo bench --bench core
