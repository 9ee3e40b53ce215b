#!/usr/bin/env python3
"""The SAM twin of `fnplan synth N`, as JSON on stdout (JSON is valid YAML).

Usage: sam_twin.py N

Same app as src/synth.rs: an HTTP API with one JWT authorizer; per function fI a route
POST /fI behind it, its own queue qI (visibility 60 s) with a DLQ (maxReceiveCount 5) as
SQS trigger (batch 10), Timeout 10, MemorySize 256, ReservedConcurrentExecutions 5,
one env var (the queue URL), code at s3://synth-artifacts/fI.zip, python3.12.
"""
import json
import sys


def twin(n: int) -> dict:
    resources: dict = {
        "HttpApi": {
            "Type": "AWS::Serverless::HttpApi",
            "Properties": {
                "Auth": {
                    "DefaultAuthorizer": "users",
                    "Authorizers": {
                        "users": {
                            "IdentitySource": "$request.header.Authorization",
                            "JwtConfiguration": {
                                "issuer": "https://auth.example.com/",
                                "audience": ["synth"],
                            },
                        }
                    },
                }
            },
        }
    }
    for i in range(n):
        resources[f"Q{i}Dlq"] = {"Type": "AWS::SQS::Queue", "Properties": {}}
        resources[f"Q{i}"] = {
            "Type": "AWS::SQS::Queue",
            "Properties": {
                "VisibilityTimeout": 60,
                "RedrivePolicy": {
                    "deadLetterTargetArn": {"Fn::GetAtt": [f"Q{i}Dlq", "Arn"]},
                    "maxReceiveCount": 5,
                },
            },
        }
        resources[f"F{i}"] = {
            "Type": "AWS::Serverless::Function",
            "Properties": {
                "CodeUri": f"s3://synth-artifacts/f{i}.zip",
                "Runtime": "python3.12",
                "Handler": "app.handler",
                "Timeout": 10,
                "MemorySize": 256,
                "ReservedConcurrentExecutions": 5,
                "Environment": {"Variables": {"QUEUE_URL": {"Ref": f"Q{i}"}}},
                "Events": {
                    "Api": {
                        "Type": "HttpApi",
                        "Properties": {"ApiId": {"Ref": "HttpApi"}, "Method": "POST", "Path": f"/f{i}"},
                    },
                    "Queue": {
                        "Type": "SQS",
                        "Properties": {"Queue": {"Fn::GetAtt": [f"Q{i}", "Arn"]}, "BatchSize": 10},
                    },
                },
            },
        }
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Transform": "AWS::Serverless-2016-10-31",
        "Resources": resources,
    }


if __name__ == "__main__":
    json.dump(twin(int(sys.argv[1])), sys.stdout, indent=1)
    sys.stdout.write("\n")
