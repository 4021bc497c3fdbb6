# connect-user-resource: the commands the README documents.
# `make demo` runs the whole lifecycle locally; `make test` is the test command CI runs.

CARGO ?= cargo

.PHONY: demo test lint fmt build

## test: unit and end-to-end tests (real binary, emulated Runtime API, local Connect emulator)
test:
	$(CARGO) test --locked

## lint: formatting and clippy, warnings are errors
lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --all-targets --locked -- -D warnings

fmt:
	$(CARGO) fmt --all

## build: the release binary
build:
	$(CARGO) build --release --locked --bin connect-user-resource
	@ls -l target/release/connect-user-resource
