#!/usr/bin/env python3
"""Vendor the Lambda runtime lifecycle table fnplan checks runtimes against.

In: an installed cfn-lint (the interpreter running this script must import
``cfnlint``), which ships ``data/AdditionalSpecs/LmbdRuntimeLifecycle.json``: per
runtime identifier, its deprecation date, the dates Lambda blocks creating and updating
functions with it, and its successor.
Out, in this directory: ``runtimes.json``, that file byte for byte (it holds only what
fnplan needs, so nothing is trimmed, and its sha256 stays checkable against cfn-lint's);
and ``source.json`` (cfn-lint version, source file, sha256, and the runtimes Lambda
offers for container images only, which fnplan cannot deploy).

Usage, from the repository root:

    .venv/bin/python schemas/lambda/extract.py
    FNPLAN_REGENERATE=1 cargo test --lib model::runtimes::tests::generated_table_matches_the_vendored_data

The second command rewrites src/model/runtimes/data.rs from the JSON files.
"""

import hashlib
import json
import sys
from importlib import metadata
from pathlib import Path

import cfnlint

SOURCE_FILE = "cfnlint/data/AdditionalSpecs/LmbdRuntimeLifecycle.json"
COMMAND = "python schemas/lambda/extract.py  (with cfn-lint installed)"

# Runtimes the Lambda Developer Guide lists as "(container only)": no .zip package can
# use them, and fnplan deploys .zip packages only.
CONTAINER_ONLY = {
    "dotnet9": "Lambda Developer Guide, 'Lambda runtimes' and 'Building Lambda functions "
    "with C#': '.NET 9 (container only)', block dates 'Not scheduled'",
}


def write_json(path: Path, value) -> None:
    path.write_text(json.dumps(value, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def main() -> int:
    src = Path(cfnlint.__file__).parent.parent / SOURCE_FILE
    data = src.read_bytes()
    table = json.loads(data)
    for name in CONTAINER_ONLY:
        if name not in table:
            print(f"{name}: not in {SOURCE_FILE}; drop it from CONTAINER_ONLY", file=sys.stderr)
            return 1
    out_dir = Path(__file__).resolve().parent
    (out_dir / "runtimes.json").write_bytes(data)
    write_json(
        out_dir / "source.json",
        {
            "source": "Lambda runtime lifecycle dates as bundled by cfn-lint",
            "cfn_lint_version": metadata.version("cfn-lint"),
            "file": SOURCE_FILE,
            "sha256": hashlib.sha256(data).hexdigest(),
            "command": COMMAND,
            "kept": "everything (runtimes.json is the source file, byte for byte)",
            "container_only": CONTAINER_ONLY,
        },
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
