#!/usr/bin/env python3
"""Vendor the CloudFormation resource provider schemas fnplan needs, trimmed.

In: an installed cfn-lint (the interpreter running this script must import
``cfnlint``), which bundles the registry schemas of every region.
Out: in this directory, one ``<Service>_<Module>_<Resource>.json`` per type in
``TYPES`` (us-east-1) keeping only ``typeName``, ``createOnlyProperties``,
``conditionalCreateOnlyProperties`` (when present), ``primaryIdentifier``,
``readOnlyProperties`` and the names of ``properties``; ``stateful.json`` (cfn-lint's
list of stateful resource types); and ``source.json`` (versions, source files and
their sha256). Output is deterministic: sorted lists (``primaryIdentifier`` keeps its
order, which is meaningful), fixed key order, two-space indent, trailing newline.

Usage, from the repository root:

    /work/main/.venv/bin/python schemas/cloudformation/extract.py
    FNPLAN_REGENERATE=1 cargo test --lib deploy::replacement::tests::generated_table_matches_the_schemas

The second command rewrites src/deploy/replacement_data.rs from the JSON files.
"""

import hashlib
import json
import sys
from importlib import metadata
from pathlib import Path

import cfnlint

# The resource types fnplan renders: keep in step with RENDERED_TYPES in
# src/deploy/replacement.rs (a unit test checks the vendored files against it).
TYPES = [
    "AWS::ApiGatewayV2::Api",
    "AWS::ApiGatewayV2::Authorizer",
    "AWS::ApiGatewayV2::Integration",
    "AWS::ApiGatewayV2::Route",
    "AWS::ApiGatewayV2::Stage",
    "AWS::CloudFormation::Stack",
    "AWS::DynamoDB::Table",
    "AWS::Events::Archive",
    "AWS::Events::EventBus",
    "AWS::Events::Rule",
    "AWS::IAM::Role",
    "AWS::Lambda::Alias",
    "AWS::Lambda::EventInvokeConfig",
    "AWS::Lambda::EventSourceMapping",
    "AWS::Lambda::Function",
    "AWS::Lambda::LayerVersion",
    "AWS::Lambda::Permission",
    "AWS::Lambda::Version",
    "AWS::Logs::LogGroup",
    "AWS::RDS::DBCluster",
    "AWS::RDS::DBInstance",
    "AWS::S3::Bucket",
    "AWS::S3::BucketPolicy",
    "AWS::SNS::Subscription",
    "AWS::SNS::Topic",
    "AWS::SQS::Queue",
    "AWS::SQS::QueuePolicy",
]
REGION = "us-east-1"
COMMAND = "python schemas/cloudformation/extract.py  (with cfn-lint installed)"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_json(path: Path, value) -> None:
    path.write_text(json.dumps(value, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def trim(schema: dict) -> dict:
    """The parts of a provider schema that say what an update replaces."""
    out = {"typeName": schema["typeName"]}
    out["createOnlyProperties"] = sorted(schema.get("createOnlyProperties", []))
    if "conditionalCreateOnlyProperties" in schema:
        out["conditionalCreateOnlyProperties"] = sorted(
            schema["conditionalCreateOnlyProperties"]
        )
    out["primaryIdentifier"] = list(schema.get("primaryIdentifier", []))
    out["readOnlyProperties"] = sorted(schema.get("readOnlyProperties", []))
    out["properties"] = sorted(schema.get("properties", {}))
    return out


def file_name(type_name: str) -> str:
    return type_name.replace("::", "_") + ".json"


def main() -> int:
    data = Path(cfnlint.__file__).parent / "data"
    schemas = data / "schemas"
    providers = json.loads((schemas / "providers" / f"{REGION}.json").read_text())
    out_dir = Path(__file__).resolve().parent
    sources = {}
    for t in TYPES:
        if t not in providers:
            print(f"{t}: not in cfn-lint's {REGION} provider list", file=sys.stderr)
            return 1
        src = schemas / "resources" / f"{providers[t]}.json"
        schema = json.loads(src.read_text())
        if schema.get("typeName") != t:
            print(f"{src} holds {schema.get('typeName')}, not {t}", file=sys.stderr)
            return 1
        write_json(out_dir / file_name(t), trim(schema))
        sources[t] = {
            "file": f"cfnlint/data/schemas/resources/{src.name}",
            "sha256": sha256(src),
        }
    stateful_src = data / "AdditionalSpecs" / "StatefulResources.json"
    stateful = json.loads(stateful_src.read_text())
    write_json(
        out_dir / "stateful.json",
        {"ResourceTypes": sorted(stateful["ResourceTypes"])},
    )
    version = json.loads((schemas / "version.json").read_text())
    write_json(
        out_dir / "source.json",
        {
            "source": "CloudFormation resource provider schemas as bundled by cfn-lint",
            "cfn_lint_version": metadata.version("cfn-lint"),
            "schema_date": version["schema_date"],
            "region": REGION,
            "command": COMMAND,
            "kept": [
                "typeName",
                "createOnlyProperties",
                "conditionalCreateOnlyProperties",
                "primaryIdentifier",
                "readOnlyProperties",
                "properties (names only)",
            ],
            "types": sources,
            "stateful": {
                "file": "cfnlint/data/AdditionalSpecs/StatefulResources.json",
                "sha256": sha256(stateful_src),
            },
        },
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
