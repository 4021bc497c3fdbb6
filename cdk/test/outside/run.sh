#!/usr/bin/env bash
# The construct library as users get it, from outside the repository (`make cdk-package-check`):
# pack it (jsii-pacmak: the npm tarball and the Python wheel); in a temporary directory, a
# TypeScript app that installs only the tarball, aws-cdk-lib and constructs, and a Python app in
# a fresh venv with the wheel and aws-cdk-lib from PyPI, both on the same aws-cdk-lib (the
# library's floor); both synthesize the same users with the built function zip as their code;
# compare.py holds the templates equal and the asset the zip; cfn-lint checks the template.
set -euo pipefail
# jsii (the compiler, pacmak and the Python runtime) warns at every start that Node 20 is past its
# end of life; it is the Node this machine has, and jsii works on it.
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
cd "$repo"

cdk_lib="$(node -p "require('./cdk/package.json').devDependencies['aws-cdk-lib']")"
constructs="$(node -p "require('./cdk/package.json').devDependencies.constructs")"
typescript="$(node -p "require('./cdk/package.json').devDependencies.typescript")"
types_node="$(node -p "require('./cdk/package.json').devDependencies['@types/node']")"
work="$(mktemp -d /tmp/connect-user-cdk-outside.XXXXXX)"
echo "outside the repository in $work, aws-cdk-lib $cdk_lib"

# The function's code: the binary `make test` builds, zipped as Lambda takes it (bootstrap at
# the root). A release zip would do the same; this one needs no cross build.
cargo build --locked --bin connect-user-resource --example demo
python3 - "$repo/target/debug/connect-user-resource" "$work/function.zip" <<'PY'
import sys, zipfile
info = zipfile.ZipInfo("bootstrap", date_time=(2026, 1, 1, 0, 0, 0))
info.external_attr = 0o755 << 16
with zipfile.ZipFile(sys.argv[2], "w", zipfile.ZIP_DEFLATED) as z, open(sys.argv[1], "rb") as f:
    z.writestr(info, f.read())
PY

# The package: jsii (npm ci at the root built it; build again for a fresh lib/), then pacmak.
npm run build --workspace cdk --silent
(cd cdk && rm -rf dist && npx jsii-pacmak --targets js python --outdir dist)
tarball="$(ls "$repo"/cdk/dist/js/*.tgz)"
wheel="$(ls "$repo"/cdk/dist/python/*.whl)"

echo "== TypeScript app"
mkdir -p "$work/ts" && cp "$here/app.ts" "$work/ts/"
(
  cd "$work/ts"
  echo '{"name": "outside-ts", "private": true, "version": "0.0.0"}' > package.json
  npm install --no-audit --no-fund --loglevel=error "$tarball" "aws-cdk-lib@$cdk_lib" "constructs@$constructs" \
    "typescript@$typescript" "@types/node@$types_node"
  # One aws-cdk-lib: the library's peer dependency is the app's own copy.
  copies="$(find node_modules -name package.json -path '*/aws-cdk-lib/package.json' -not -path '*/aws-cdk-lib/*/aws-cdk-lib/*' | wc -l)"
  [ "$copies" = 1 ] || { echo "expected one aws-cdk-lib, found $copies" >&2; exit 1; }
  npx tsc --target ES2022 --module commonjs --moduleResolution node --strict --skipLibCheck --types node app.ts
  CDK_OUTDIR="$work/ts/cdk.out" FUNCTION_ZIP="$work/function.zip" node app.js
)

echo "== Python app"
python3 -m venv "$work/py/venv"
"$work/py/venv/bin/pip" install --quiet --disable-pip-version-check "$wheel" "aws-cdk-lib==$cdk_lib" "constructs==$constructs"
cp "$here/app.py" "$work/py/"
(cd "$work/py" && CDK_OUTDIR="$work/py/cdk.out" FUNCTION_ZIP="$work/function.zip" venv/bin/python app.py)

echo "== the two templates"
python3 "$here/compare.py" "$work/ts/cdk.out" "$work/py/cdk.out" "$work/function.zip"
# The comparison can fail: one user's property changed in a copy of the Python template.
cp -r "$work/py/cdk.out" "$work/py/mutated"
python3 - "$work/py/mutated/ConnectUsersOutside.template.json" <<'PY'
import json, sys
template = json.load(open(sys.argv[1]))
user = next(r for r in template["Resources"].values() if r["Type"] == "Custom::ConnectUser")
user["Properties"]["Name"] += "-changed"
json.dump(template, open(sys.argv[1], "w"))
PY
if python3 "$here/compare.py" "$work/ts/cdk.out" "$work/py/mutated" "$work/function.zip" > "$work/mutated.log"; then
  echo "compare.py found no difference in a changed template" >&2; exit 1
fi
grep -q -- '-changed' "$work/mutated.log"
# As `make cfn-lint` lints the example's template (W3005, W3037: see the Makefile).
cfn-lint --ignore-checks W3005 W3037 -- "$work/ts/cdk.out/ConnectUsersOutside.template.json"
echo "outside-the-repository check passed"
rm -rf "$work"
