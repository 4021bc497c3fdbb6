#!/usr/bin/env python3
"""Refreshes the Amazon Connect service model the emulator validates against.

Reads Connect's published service model from the installed botocore
(data/connect/2017-08-08/service-2.json.gz, the JSON the AWS SDKs are generated from), keeps
the operations the emulator serves and the closure of the shapes they use, and writes it as
pretty JSON beside this script (service-model.json), with the licence notice
(service-model.NOTICE) naming botocore's version. Python 3 standard library only.

    python3 testkit/src/connect_emulator/refresh-model.py

Then run `cargo test --locked --test e2e emulator::`: a model that now refuses what the function
sends fails a test here instead of a deploy.
"""

import gzip
import importlib.metadata
import importlib.util
import json
import pathlib
import sys

# The operations the emulator serves (testkit/src/connect_emulator/mod.rs routes them by
# the model's http.method and http.requestUri).
OPERATIONS = [
    "CreateUser",
    "DescribeUser",
    "DeleteUser",
    "UpdateUserIdentityInfo",
    "UpdateUserPhoneConfig",
    "UpdateUserConfig",
    "UpdateUserRoutingProfile",
    "UpdateUserSecurityProfiles",
    "UpdateUserHierarchy",
    "AssociateUserProficiencies",
    "DisassociateUserProficiencies",
    "UpdateUserProficiencies",
    "ListUserProficiencies",
    "ListUsers",
    "SearchUsers",
    "TagResource",
    "UntagResource",
    "ListTagsForResource",
    "ListRoutingProfiles",
    "ListSecurityProfiles",
    "ListUserHierarchyGroups",
    "DescribeUserHierarchyGroup",
]

# Shapes kept although no served operation uses them: the names the console-side helpers
# (console.rs: put_security_profile, rename_security_profile) check, as the operation that
# makes the resource (CreateSecurityProfile, not served) would.
EXTRA_SHAPES = [
    "CreateSecurityProfileName",
]

HERE = pathlib.Path(__file__).resolve().parent


def botocore_dir() -> pathlib.Path:
    spec = importlib.util.find_spec("botocore")
    if spec is None or spec.origin is None:
        sys.exit("botocore is not installed: python3 -m pip install botocore")
    return pathlib.Path(spec.origin).parent


def closure(shapes: dict, roots: list) -> set:
    seen = set()
    todo = list(roots)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        shape = shapes[name]
        for key in ("member", "key", "value"):
            if key in shape:
                todo.append(shape[key]["shape"])
        for member in shape.get("members", {}).values():
            todo.append(member["shape"])
    return seen


def main() -> None:
    source = botocore_dir() / "data" / "connect" / "2017-08-08" / "service-2.json.gz"
    with gzip.open(source, "rt", encoding="utf-8") as f:
        model = json.load(f)
    version = importlib.metadata.version("botocore")
    roots = []
    for name in OPERATIONS:
        operation = model["operations"][name]
        roots += [operation[k]["shape"] for k in ("input", "output") if k in operation]
        roots += [error["shape"] for error in operation.get("errors", [])]
    roots += EXTRA_SHAPES
    kept = closure(model["shapes"], roots)
    trimmed = {
        "version": model.get("version", "2.0"),
        "metadata": model["metadata"],
        "operations": {name: model["operations"][name] for name in OPERATIONS},
        "shapes": {name: model["shapes"][name] for name in sorted(kept)},
    }
    (HERE / "service-model.json").write_text(
        json.dumps(trimmed, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )

    dist = importlib.metadata.distribution("botocore")
    licence = dist.read_text("LICENSE.txt") or ""
    notice = dist.read_text("NOTICE") or ""
    copyright_line = next(
        (line for line in notice.splitlines() if line.startswith("Copyright")), ""
    )
    title = f"service-model.json: the Amazon Connect service model, from botocore {version}"
    (HERE / "service-model.NOTICE").write_text(
        f"""{title}
{"=" * len(title)}

service-model.json in this folder is derived from botocore {version}
(https://github.com/boto/botocore, file botocore/data/connect/2017-08-08/service-2.json.gz),
{copyright_line}
Licensed under the Apache License, Version 2.0; the licence text follows.

Changes made: only the operations the test emulator serves, the shapes they use and the few
shapes its test helpers check names against are kept; the JSON is re-indented. It is test
code: it is never part of the Lambda artifact.
Regenerate it (and this notice) with:

    python3 testkit/src/connect_emulator/refresh-model.py

----------------------------------------------------------------------------------------------

{licence}""",
        encoding="utf-8",
    )
    print(
        f"wrote {len(OPERATIONS)} operations and {len(kept)} shapes from botocore {version}"
    )


if __name__ == "__main__":
    main()
