#!/usr/bin/env python3
"""Translate a SAM template (JSON) to CloudFormation with samtranslator, as
`sam validate`/CloudFormation's transform would, but offline: no managed-policy lookups
(an empty managed-policy map). Usage: sam_translate.py TEMPLATE.json > out.json"""
import json
import sys

from samtranslator.translator.transform import transform


class NoManagedPolicies:
    def load(self) -> dict:
        return {}


with open(sys.argv[1]) as f:
    template = json.load(f)
out = transform(template, {}, NoManagedPolicies())
json.dump(out, sys.stdout)
sys.stdout.write("\n")
