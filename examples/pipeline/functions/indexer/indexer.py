"""index-jobs consumer: rewrite the day's index document in outbox."""
import json
import os

import boto3
from boto3.dynamodb.conditions import Key

S3 = boto3.client("s3")
TABLE = boto3.resource("dynamodb").Table(os.environ["ASSETS_TABLE"])
OUTBOX = os.environ["OUTBOX_BUCKET"]
PREFIX = os.environ.get("INDEX_PREFIX", "index/")


def _reindex(day):
    items = TABLE.query(KeyConditionExpression=Key("pk").eq(f"day#{day}"))["Items"]
    doc = {"day": day, "assets": sorted(i["sk"].removeprefix("asset#") for i in items)}
    S3.put_object(Bucket=OUTBOX, Key=f"{PREFIX}{day}.json", Body=json.dumps(doc).encode(), ContentType="application/json")


def handler(event, context):
    failures, days = [], {}
    for record in event["Records"]:
        days.setdefault(json.loads(record["body"])["day"], []).append(record["messageId"])
    for day, ids in days.items():
        try:
            _reindex(day)
        except Exception as exc:
            print(json.dumps({"msg": "reindex failed", "day": day, "error": str(exc)}))
            failures += [{"itemIdentifier": i} for i in ids]
    return {"batchItemFailures": failures}
