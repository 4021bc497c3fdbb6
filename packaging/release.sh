#!/usr/bin/env bash
# make release: the prebuilt release in target/dist (docs/operations.md, "Releasing").
#   ARCHS           the architectures to build (default: arm64 x86_64); arm64 is left out,
#                   saying so, when the rustup target aarch64-unknown-linux-gnu cannot be added
#   RELEASE_BUCKET  the S3 bucket `sam package` uploads the zips, the licence and the readme to
# Writes connect-user-resource-<version>-<arch>.zip for each architecture, their SHA-256 sums
# (connect-user-resource-<version>.sha256, sha256sum's format), and packaged-<arch>.yaml:
# packaging/template.yaml (arm64, the one `sam publish` takes) or its x86_64 twin, packaged.
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=connect-user-resource
DIST=target/dist
PYTHON=${PYTHON:-python3}
PIP=${PIP:-python3 -m pip}
ARCHS=${ARCHS:-arm64 x86_64}
export SAM_CLI_TELEMETRY=0

[ -n "${RELEASE_BUCKET:-}" ] || { echo "make release: set RELEASE_BUCKET, the S3 bucket sam package uploads to" >&2; exit 1; }
command -v sam >/dev/null || { echo "make release: needs the AWS SAM CLI (pip install aws-sam-cli)" >&2; exit 1; }

# The crate's version: [package]'s first `version = "..."` line in Cargo.toml.
VERSION=$(sed -n 's/^version = "\([^"]*\)"$/\1/p' Cargo.toml | head -n 1)
[ -n "$VERSION" ] || { echo "make release: no version in Cargo.toml" >&2; exit 1; }
TEMPLATE=packaging/template.yaml
grep -qx "    SemanticVersion: $VERSION" "$TEMPLATE" \
    || { echo "make release: $TEMPLATE's SemanticVersion is not the crate's $VERSION" >&2; exit 1; }
grep -qx "      CodeUri: ../$DIST/$BIN-$VERSION-arm64.zip" "$TEMPLATE" \
    || { echo "make release: $TEMPLATE's CodeUri is not ../$DIST/$BIN-$VERSION-arm64.zip" >&2; exit 1; }

# The tools make build uses (cargo-lambda, zig); the aarch64 target only when arm64 is asked for.
command -v cargo-lambda >/dev/null || $PIP install --quiet cargo-lambda
$PYTHON -c "import ziglang" 2>/dev/null || $PIP install --quiet ziglang
archs=()
for arch in $ARCHS; do
    case $arch in
        x86_64) archs+=(x86_64) ;;
        arm64)
            if rustup target list --installed | grep -qx aarch64-unknown-linux-gnu \
                || rustup target add aarch64-unknown-linux-gnu; then
                archs+=(arm64)
            else
                echo "make release: the rustup target aarch64-unknown-linux-gnu cannot be installed here:" \
                    "building x86_64 alone (no arm64 zip, and no packaged-arm64.yaml to publish)" >&2
                [[ " $ARCHS " == *" x86_64 "* ]] || archs+=(x86_64)
            fi ;;
        *) echo "make release: unknown architecture $arch (arm64 or x86_64)" >&2; exit 1 ;;
    esac
done

rm -rf "$DIST" && mkdir -p "$DIST"
for arch in "${archs[@]}"; do
    flag=--arm64; [ "$arch" = x86_64 ] && flag=--x86-64
    started=$SECONDS
    cargo lambda build --release --locked --bin "$BIN" "$flag" --output-format zip --lambda-dir "target/lambda-$arch"
    cp "target/lambda-$arch/$BIN/bootstrap.zip" "$DIST/$BIN-$VERSION-$arch.zip"
    printf '%-7s %s  %8d bytes zipped, built in %d s\n' "$arch" "$DIST/$BIN-$VERSION-$arch.zip" \
        "$(stat -c %s "$DIST/$BIN-$VERSION-$arch.zip")" $((SECONDS - started))
done
(cd "$DIST" && sha256sum "$BIN-$VERSION"-*.zip > "$BIN-$VERSION.sha256" && cat "$BIN-$VERSION.sha256")

for arch in "${archs[@]}"; do
    template=$TEMPLATE
    if [ "$arch" = x86_64 ]; then
        # The same template for x86_64, beside its zip: only the architecture, the zip and the
        # two paths relative to the template's folder differ. Each edit must hit its one line.
        template=$DIST/template-x86_64.yaml
        sed -e "s|^      CodeUri: ../$DIST/$BIN-$VERSION-arm64.zip$|      CodeUri: $BIN-$VERSION-x86_64.zip|" \
            -e 's|^      Architectures: \[arm64\]$|      Architectures: [x86_64]|' \
            -e 's|^    LicenseUrl: ../LICENSE-APACHE$|    LicenseUrl: ../../LICENSE-APACHE|' \
            -e 's|^    ReadmeUrl: README.md$|    ReadmeUrl: ../../packaging/README.md|' \
            "$TEMPLATE" > "$template"
        for line in "      CodeUri: $BIN-$VERSION-x86_64.zip" "      Architectures: [x86_64]" \
            "    LicenseUrl: ../../LICENSE-APACHE" "    ReadmeUrl: ../../packaging/README.md"; do
            grep -qxF "$line" "$template" || { echo "make release: $template lacks: $line" >&2; exit 1; }
        done
    fi
    sam package --template-file "$template" --s3-bucket "$RELEASE_BUCKET" --s3-prefix "$BIN/$VERSION" \
        --output-template-file "$DIST/packaged-$arch.yaml"
done
# What was built, for tests/release_check.py: the architectures asked for, less arm64 when its
# target could not be installed.
printf '%s\n' "${archs[@]}" > "$DIST/architectures"
echo "make release: $VERSION (${archs[*]}) in $DIST; publish with: sam publish --template $DIST/packaged-${archs[0]}.yaml --region <region>"
