# The two commands of the README: `make run` and `make test`. Both work on a fresh
# Debian machine with a Rust toolchain and Node.js; they install what else they need.

CARGO_TARGET_DIR ?= $(HOME)/.cache/incubook/target
export CARGO_TARGET_DIR
# The sample district lives in its own directory so that it never mixes with real data.
SAMPLE_DIR ?= $(HOME)/.local/share/incubook-sample
INCUBOOK := $(CARGO_TARGET_DIR)/debug/incubook
DESKTOP_DEBUG := $(CARGO_TARGET_DIR)/debug/incubook-desktop

FUZZ_SECONDS ?= 1800

.PHONY: soak fuzz figures run test deps check-toolchain ui cli app lint unit ui-test e2e bench bench-quick bench-server bench-calls bench-indicators bindings desktop deb screenshots cli-run

check-toolchain:
	@command -v cargo >/dev/null || { echo "cargo is missing: install Rust (https://rustup.rs), then run make again"; exit 1; }

# System packages (WebKitGTK, Xvfb, CJK fonts) and the front end's npm packages.
deps: check-toolchain
	./scripts/install-deps.sh

ui: deps
	npm --prefix ui run build

cli: check-toolchain
	cargo build --bin incubook

# Both binaries in one build, so that the core is compiled once with one feature set.
app: ui
	cargo build --workspace --bins

# Starts the desktop app on its embedded database, with the sample district loaded on first run.
run: app
	$(INCUBOOK) --data-dir $(SAMPLE_DIR) demo --if-empty
	INCUBOOK_DATA_DIR=$(SAMPLE_DIR) $(DESKTOP_DEBUG)

# The sample district in the command line only (no window needed).
cli-run: cli
	$(INCUBOOK) --data-dir $(SAMPLE_DIR) demo --if-empty
	$(INCUBOOK) --data-dir $(SAMPLE_DIR) mentors --free-within 7

lint: ui
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets -- -D warnings

# A hostile instant for the second run of the tests whose "now" is injected: Sunday 23:50
# in Shanghai, the week's last minutes (INCUBOOK_TEST_NOW moves the server's and the
# desktop's test clocks; the others stand at their own fixed instants, and the model tests
# are not run again). The whole workspace, so that nothing is built a second time.
HOSTILE_NOW ?= 2026-12-13T15:50:00Z

# The server's tests run on SQLite and on PostgreSQL (started here when it is not running),
# then once more at a hostile instant, so that no test passes only on the day CI runs.
unit: ui
	INCUBOOK_TEST_POSTGRES_URL="$$(./scripts/test-postgres.sh)" ./scripts/with-keyring.sh cargo test --workspace
	INCUBOOK_TEST_NOW=$(HOSTILE_NOW) INCUBOOK_TEST_POSTGRES_URL="$$(./scripts/test-postgres.sh)" \
		./scripts/with-keyring.sh cargo test --workspace -- --skip _agrees_with_the_model

# The model-based property test at ten times its CI size: about 10⁶ operations on each
# backend (memory, SQLite, PostgreSQL), each checked against the reference model.
soak: check-toolchain
	INCUBOOK_MODEL_CASES=10500 INCUBOOK_TEST_POSTGRES_URL="$$(./scripts/test-postgres.sh)" \
		cargo test -p incubook-server --test model -- --nocapture --test-threads 3
	INCUBOOK_USAGE_CASES=5000 cargo test --test usage_model

ui-test: deps
	npm --prefix ui run check
	npm --prefix ui test

e2e: app
	@command -v tauri-driver >/dev/null || cargo install tauri-driver --locked
	cd ui && PATH="$(HOME)/.cargo/bin:$$PATH" xvfb-run -a -s "-screen 0 1280x800x24" npx vitest run --config vitest.e2e.config.ts

test: lint unit ui-test e2e

# Regenerates the committed TypeScript bindings of the commands.
bindings: ui
	UPDATE_BINDINGS=1 cargo test -p incubook-desktop --test bindings

# The release app, front end included: $(CARGO_TARGET_DIR)/release/incubook-desktop
desktop: deps
	./ui/node_modules/.bin/tauri build --no-bundle

deb: deps
	./ui/node_modules/.bin/tauri build --bundles deb

# Screenshots of the main screens into docs/screenshots, from the end-to-end run.
screenshots: app
	@command -v tauri-driver >/dev/null || cargo install tauri-driver --locked
	cd ui && SCREENSHOTS=$(CURDIR)/docs/screenshots xvfb-run -a -s "-screen 0 1280x800x24" npx vitest run --config vitest.e2e.config.ts

bench: check-toolchain
	cargo bench --bench core

# Three ratios in one run, independent of the machine's speed (under a minute): the booking
# commit over a bare insert, an equipment's week over an empty calendar's, matching over a
# brute-force scan. Quote them in every note that touches the core, the store or the sample.
bench-quick: check-toolchain
	cargo bench --bench quick

bench-server: check-toolchain
	INCUBOOK_TEST_POSTGRES_URL="$$(./scripts/test-postgres.sh)" cargo bench -p incubook-server --bench sync

# Accepting applications (a code minted per push) on the server's SQLite and PostgreSQL.
bench-calls: check-toolchain
	INCUBOOK_TEST_POSTGRES_URL="$$(./scripts/test-postgres.sh)" cargo bench -p incubook-server --bench calls

# The district year's sharing figures (10⁶ sessions) on the server's SQLite and PostgreSQL.
bench-indicators: check-toolchain
	INCUBOOK_TEST_POSTGRES_URL="$$(./scripts/test-postgres.sh)" cargo bench -p incubook-server --bench indicators

# Desktop figures (cold start, idle memory, a 300-instrument lab calendar) for the release app.
figures: desktop app
	@command -v tauri-driver >/dev/null || cargo install tauri-driver --locked
	cd ui && FIGURES=1 APP_BINARY=$(CARGO_TARGET_DIR)/release/incubook-desktop xvfb-run -a -s "-screen 0 1280x800x24" npx vitest run --config vitest.e2e.config.ts

# Coverage-guided fuzzing with libFuzzer (cargo-fuzz; RUSTC_BOOTSTRAP lets the stable
# toolchain take its sanitizer flags): the wire parsers, then pushes applied to the server's
# store, FUZZ_SECONDS each. A crash leaves its input in fuzz/artifacts/.
fuzz: check-toolchain
	@command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
	cd fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz run -O wire -- -max_total_time=$(FUZZ_SECONDS)
	cd fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz run -O apply -- -max_total_time=$(FUZZ_SECONDS)
