"""Weekdays 07:00 UTC: summarise yesterday's assets into outbox/digests/."""
import json
import os
import time

import boto3
from boto3.dynamodb.conditions import Key

S3 = boto3.client("s3")
TABLE = boto3.resource("dynamodb").Table(os.environ["ASSETS_TABLE"])
OUTBOX = os.environ["OUTBOX_BUCKET"]
DIGEST_TO = os.environ["DIGEST_TO"]
STAGE = os.environ["STAGE"]


def handler(event, context):
    day = time.strftime("%Y-%m-%d", time.gmtime(time.time() - 86400))
    items = TABLE.query(KeyConditionExpression=Key("pk").eq(f"day#{day}"))["Items"]
    digest = {
        "stage": STAGE,
        "day": day,
        "to": DIGEST_TO,
        "count": len(items),
        "assets": [i["sk"].removeprefix("asset#") for i in items],
    }
    key = f"digests/{day}.json"
    S3.put_object(Bucket=OUTBOX, Key=key, Body=json.dumps(digest).encode(), ContentType="application/json")
    return {"digest": key, "count": digest["count"]}
