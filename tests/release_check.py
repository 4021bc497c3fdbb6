#!/usr/bin/env python3
"""make release-check: `make release` against a local S3, and what it packaged.

Starts moto's S3 server (moto[server], PyPI) on loopback, points the AWS SDK at it
(AWS_ENDPOINT_URL_S3, dummy credentials: no AWS account), creates a bucket, runs
`make release ARCHS=... RELEASE_BUCKET=...` (both architectures by default, RELEASE_ARCHS to
change; arm64 is left out, saying so, only where the rustup target aarch64-unknown-linux-gnu
is not installed after the release tried to add it), then checks, for each packaged template
in target/dist:

  - its function's CodeUri is an s3:// URI of an object in that bucket whose SHA-256 is the
    sum make release wrote for that architecture's zip (and the zip on disk has that sum);
  - its Serverless Application Repository LicenseUrl and ReadmeUrl are s3:// objects holding
    LICENSE-APACHE and packaging/README.md, and its SemanticVersion is the crate's version;
  - cfn-lint passes on it.

Each comparison is first shown to fail on a wrong value. Exit status 1 on any problem.
"""

from __future__ import annotations

import hashlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DIST = ROOT / "target" / "dist"
BIN = "connect-user-resource"
BUCKET = "connect-user-resource-release-check"


def crate_version() -> str:
    match = re.search(r'^version = "([^"]+)"$', (ROOT / "Cargo.toml").read_text(), re.M)
    assert match, "Cargo.toml has no version"
    return match.group(1)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def read_sums(path: Path) -> dict[str, str]:
    """sha256sum's format: `<hex>  <file name>` per line."""
    sums = {}
    for line in path.read_text().splitlines():
        digest, _, name = line.partition("  ")
        sums[name] = digest
    return sums


def split_s3(uri: object) -> tuple[str, str] | None:
    if isinstance(uri, str) and uri.startswith("s3://") and "/" in uri[5:]:
        bucket, _, key = uri[5:].partition("/")
        return bucket, key
    return None


def object_problems(s3, what: str, uri: object, expected_sha256: str) -> list[str]:
    """What is wrong with `uri` as an object of BUCKET whose SHA-256 is `expected_sha256`."""
    where = split_s3(uri)
    if where is None:
        return [f"{what}: {uri!r} is not an s3:// URI"]
    bucket, key = where
    if bucket != BUCKET:
        return [f"{what}: {uri} is not in the bucket {BUCKET}"]
    try:
        body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    except Exception as e:  # noqa: BLE001 - any failure to read is the finding
        return [f"{what}: {uri}: cannot read it: {e}"]
    actual = hashlib.sha256(body).hexdigest()
    if actual != expected_sha256:
        return [f"{what}: {uri}: SHA-256 {actual}, but {expected_sha256} was expected"]
    return []


def packaged_problems(s3, packaged: Path, arch: str, version: str, sums: dict[str, str]) -> list[str]:
    import cfnlint.decode

    problems = []
    template, matches = cfnlint.decode.decode(str(packaged))
    if matches or template is None:
        return [f"{packaged.name}: cannot read it: {matches}"]
    zip_name = f"{BIN}-{version}-{arch}.zip"
    expected = sums.get(zip_name)
    if expected is None:
        return [f"the sums list no {zip_name}: {sorted(sums)}"]
    on_disk = hashlib.sha256((DIST / zip_name).read_bytes()).hexdigest()
    if on_disk != expected:
        problems.append(f"{zip_name}: SHA-256 {on_disk} on disk, but the sums say {expected}")
    function = template["Resources"]["ConnectUserFunction"]["Properties"]
    problems += object_problems(s3, f"{packaged.name}: CodeUri", function.get("CodeUri"), expected)
    if function.get("Architectures") != [arch]:
        problems.append(f"{packaged.name}: Architectures {function.get('Architectures')}, not [{arch}]")
    application = template["Metadata"]["AWS::ServerlessRepo::Application"]
    for key, source in (("LicenseUrl", ROOT / "LICENSE-APACHE"), ("ReadmeUrl", ROOT / "packaging" / "README.md")):
        digest = hashlib.sha256(source.read_bytes()).hexdigest()
        problems += object_problems(s3, f"{packaged.name}: {key}", application.get(key), digest)
    if application.get("SemanticVersion") != version:
        problems.append(f"{packaged.name}: SemanticVersion {application.get('SemanticVersion')}, not {version}")
    lint = subprocess.run(["cfn-lint", str(packaged)], capture_output=True, text=True)
    if lint.returncode != 0:
        problems.append(f"{packaged.name}: cfn-lint: {lint.stdout}{lint.stderr}")
    return problems


def main() -> int:
    import boto3

    archs = os.environ.get("RELEASE_ARCHS", "arm64 x86_64")
    version = crate_version()
    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    env = dict(
        os.environ,
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_REGION="us-east-1",
        AWS_ENDPOINT_URL_S3=endpoint,
        SAM_CLI_TELEMETRY="0",
    )
    env.pop("AWS_PROFILE", None)
    env.pop("AWS_SESSION_TOKEN", None)
    log = open(ROOT / "target" / "moto-server.log", "w")
    server = subprocess.Popen(["moto_server", "-H", "127.0.0.1", "-p", str(port)], stdout=log, stderr=log, env=env)
    try:
        s3 = boto3.client(
            "s3", endpoint_url=endpoint, region_name="us-east-1",
            aws_access_key_id="testing", aws_secret_access_key="testing",
        )
        for _ in range(100):
            try:
                s3.list_buckets()
                break
            except Exception:  # noqa: BLE001 - not up yet
                time.sleep(0.2)
        else:
            print(f"release check: moto_server did not answer on {endpoint}", file=sys.stderr)
            return 1
        s3.create_bucket(Bucket=BUCKET)
        print(f"release check: local S3 at {endpoint}, bucket {BUCKET}")
        started = time.monotonic()
        subprocess.run(["make", "--no-print-directory", "release", f"ARCHS={archs}", f"RELEASE_BUCKET={BUCKET}"],
                       cwd=ROOT, env=env, check=True)
        print(f"release check: make release ARCHS={archs}: {time.monotonic() - started:.0f} s")
        sums = read_sums(DIST / f"{BIN}-{version}.sha256")
        packaged = sorted(DIST.glob("packaged-*.yaml"))
        problems = []
        built = {p.stem.removeprefix("packaged-") for p in packaged}
        expected = set(archs.split())
        installed = subprocess.run(["rustup", "target", "list", "--installed"], capture_output=True, text=True)
        if "arm64" in expected and "aarch64-unknown-linux-gnu" not in installed.stdout.split():
            print("release check: the rustup target aarch64-unknown-linux-gnu is not installed here: x86_64 alone")
            expected = (expected - {"arm64"}) | {"x86_64"}
        if built != expected:
            problems.append(f"packaged {sorted(built)}, but {sorted(expected)} was expected (ARCHS {archs})")
        recorded = set((DIST / "architectures").read_text().split())
        if recorded != built:
            problems.append(f"make release says it built {sorted(recorded)}, but packaged {sorted(built)}")
        # The comparisons can fail: a sum one digit off, an object that is not there.
        some = packaged[0] if packaged else None
        if some is not None:
            arch = some.stem.removeprefix("packaged-")
            wrong = dict(sums)
            name = f"{BIN}-{version}-{arch}.zip"
            wrong[name] = ("0" if wrong[name][0] != "0" else "1") + wrong[name][1:]
            if not any("SHA-256" in p for p in packaged_problems(s3, some, arch, version, wrong)):
                problems.append("self-test: a wrong sum was not noticed")
            if not object_problems(s3, "self-test", f"s3://{BUCKET}/no-such-key", sums[name]):
                problems.append("self-test: a missing object was not noticed")
        for path in packaged:
            problems += packaged_problems(s3, path, path.stem.removeprefix("packaged-"), version, sums)
        for problem in problems:
            print(problem)
        print(f"release check: {len(packaged)} packaged template(s), {len(problems)} problems")
        return 1 if problems else 0
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


if __name__ == "__main__":
    sys.exit(main())
