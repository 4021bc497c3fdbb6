"""The outside apps' templates: equal resource by resource between TypeScript and Python (apart
from asset hashes and CDKMetadata), and each function's code asset the built zip.

    python3 compare.py TS_CDK_OUT PY_CDK_OUT FUNCTION_ZIP
"""
import hashlib
import json
import re
import sys
from pathlib import Path

STACK = "ConnectUsersOutside.template.json"
HASH = re.compile(r"[0-9a-f]{64}")


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def function_assets(out: Path, template: dict, zip_sum: str) -> list[str]:
    """Problems with the functions' code: each ConnectUserFunction's asset must be the zip."""
    problems = []
    ours = {
        logical: resource
        for logical, resource in template["Resources"].items()
        if resource["Type"] == "AWS::Lambda::Function" and resource["Properties"].get("Handler") == "bootstrap"
    }
    if len(ours) != 2:
        problems.append(f"{out}: expected 2 connect-user-resource functions, found {sorted(ours)}")
    for logical, resource in ours.items():
        key = resource["Properties"]["Code"]["S3Key"]
        asset = out / f"asset.{key}"
        if not asset.is_file():
            problems.append(f"{out}: {logical}'s code {key} has no asset file {asset.name}")
        elif sha256(asset) != zip_sum:
            problems.append(f"{out}: {logical}'s asset {asset.name} is not the built zip (SHA-256 differs)")
    return problems


def normalised(template: dict) -> dict:
    """The template without CDKMetadata, every asset hash written <hash>."""
    template = json.loads(HASH.sub("<hash>", json.dumps(template)))
    template["Resources"].pop("CDKMetadata", None)
    (template.get("Conditions") or {}).pop("CDKMetadataAvailable", None)
    return template


def differences(ts: dict, py: dict) -> list[str]:
    problems = []
    for section in sorted(set(ts) | set(py)):
        a, b = ts.get(section), py.get(section)
        if section == "Resources" or isinstance(a, dict) and isinstance(b, dict):
            for key in sorted(set(a or {}) | set(b or {})):
                if (a or {}).get(key) != (b or {}).get(key):
                    problems.append(
                        f"{section}.{key}: TypeScript {json.dumps((a or {}).get(key))[:400]} "
                        f"!= Python {json.dumps((b or {}).get(key))[:400]}"
                    )
        elif a != b:
            problems.append(f"{section}: differs")
    return problems


def main() -> int:
    ts_out, py_out, zip_path = (Path(arg) for arg in sys.argv[1:4])
    zip_sum = sha256(zip_path)
    ts, py = (json.loads((out / STACK).read_text()) for out in (ts_out, py_out))
    problems = function_assets(ts_out, ts, zip_sum) + function_assets(py_out, py, zip_sum)
    problems += differences(normalised(ts), normalised(py))
    users = [r for r in ts["Resources"].values() if r["Type"] == "Custom::ConnectUser"]
    if len(users) != 6:
        problems.append(f"expected 6 users, found {len(users)}")
    if any(user["Properties"].get("Tags", {}).get("CostCenter") != "1234" for user in users):
        problems.append("Tags.of(stack) did not reach every user")
    for problem in problems:
        print(problem)
    print(
        f"{len(ts['Resources'])} resources compared, {len(users)} users, code asset SHA-256 {zip_sum[:16]}...: "
        + ("equal" if not problems else f"{len(problems)} problems")
    )
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
