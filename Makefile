# mmm — the front door. `make run` and `make test` work on a fresh machine.
CARGO ?= cargo
# Cargo's target directory: CARGO_TARGET_DIR when set (a target shared between clones), else ./target.
TARGET_DIR := $(or $(CARGO_TARGET_DIR),target)
MMM := $(TARGET_DIR)/release/mmm

.PHONY: audit all deps build web run seed fit-example loadtest test test-rust test-e2e test-contract lint fmt clippy check-core-deps doc bench accuracy example migrate check-db clean help

all: build

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | column -t -s "$$(printf '\t')"

deps: ## System packages the build and tests need (libpq, PostgreSQL server), installed if missing
	@scripts/ensure-system-deps.sh --with-server

build: web ## Release build of the mmm binary and the dashboard
	@scripts/ensure-system-deps.sh
	$(CARGO) build --release --locked -p mmm-server

web: ## Build the dashboard into web/dist (npm ci, type check, esbuild)
	@scripts/ensure-system-deps.sh --with-node
	cd web && npm ci --no-audit --no-fund --loglevel=error && npm run --silent build

run: build ## Build, migrate the embedded SQLite, seed the test users and demo model, serve on 127.0.0.1:8000
	$(MMM) migrate
	$(MMM) seed
	$(MMM) serve

seed: build ## Create the test users and the demo data set and model (idempotent)
	$(MMM) seed

fit-example: build ## Fit the bundled example data set with the CLI (writes data/example-model.json)
	@mkdir -p data
	$(MMM) fit fixtures/example.csv --holdout 13 --json data/example-model.json

loadtest: build ## Latency and throughput of the analytics routes (docs/benchmarks.md)
	scripts/loadtest.sh

test: deps check-core-deps test-rust test-e2e test-contract ## Every test suite: Rust on SQLite and a throwaway PostgreSQL, the dashboard in Chromium, the API against its OpenAPI document

test-rust: ## Unit, property and integration tests of every crate (PostgreSQL started for them)
	scripts/with-postgres.sh $(CARGO) test --workspace --locked

test-e2e: web ## The dashboard end to end in Debian's Chromium against the real server (screenshots in web/e2e/output)
	@scripts/ensure-system-deps.sh --with-browser
	$(CARGO) build --locked -p mmm-server
	cd web && MMM_BIN=$(abspath $(TARGET_DIR))/debug/mmm node e2e/run.mjs

test-contract: ## The API against its own OpenAPI document with schemathesis (generated and fuzzed requests, real server), on SQLite and on a throwaway PostgreSQL
	$(CARGO) build --locked -p mmm-server
	scripts/contract-test.sh $(TARGET_DIR)/debug/mmm
	scripts/with-postgres.sh sh -c 'CONTRACT_DATABASE_URL="$$DATABASE_URL" scripts/contract-test.sh $(TARGET_DIR)/debug/mmm'

lint: fmt clippy check-core-deps ## Formatting, clippy -D warnings, layering check

fmt:
	$(CARGO) fmt --all -- --check

clippy:
	@scripts/ensure-system-deps.sh
	$(CARGO) clippy --workspace --all-targets --locked -- -D warnings

check-core-deps: ## mmm-core must not depend on diesel, actix or tokio
	@scripts/check-core-deps.sh

audit: ## RustSec advisories of every dependency (installs cargo-audit; offline copy of the database if present)
	@command -v cargo-audit >/dev/null 2>&1 || $(CARGO) install cargo-audit --locked
	$(CARGO) audit $(if $(wildcard ../shared/advisory-db),--db ../shared/advisory-db --no-fetch,)

doc: ## API docs without warnings
	RUSTDOCFLAGS="-D warnings" $(CARGO) doc --workspace --no-deps --locked

bench: ## Criterion benchmarks of the fit
	$(CARGO) bench -p mmm-core --bench fit

accuracy: ## ROI recovery against simulated truth over 24 seeds
	$(CARGO) run --release --locked -p mmm-core --example accuracy -- 1000 24

example: build ## Regenerate fixtures/example.csv from the simulator
	$(MMM) simulate --weeks 156 --channels 5 --seed 7 --noise 0.045 --out fixtures/example.csv --truth fixtures/example.truth.json

migrate: build ## Apply pending migrations to DATABASE_URL (default data/mmm.db)
	$(MMM) migrate

check-db: build ## Backend, version and migration state of DATABASE_URL
	$(MMM) check-db

clean:
	$(CARGO) clean
	rm -rf data web/dist web/node_modules web/e2e/output
