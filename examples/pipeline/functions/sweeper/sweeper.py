"""Every 15 minutes: re-queue uploads that have been `pending` for over an hour."""
import json
import os
import time

import boto3
from boto3.dynamodb.conditions import Attr

TABLE = boto3.resource("dynamodb").Table(os.environ["ASSETS_TABLE"])
SQS = boto3.client("sqs")
JOBS_URL = os.environ["JOBS_URL"]
STUCK_AFTER = 3600


def handler(event, context):
    cutoff = int(time.time()) - STUCK_AFTER
    scan = {"FilterExpression": Attr("status").eq("pending") & Attr("created_at").lt(cutoff)}
    requeued = 0
    while True:
        page = TABLE.scan(**scan)
        for item in page["Items"]:
            bucket, key = item["source"].removeprefix("s3://").split("/", 1)
            job = {"asset_id": item["pk"].removeprefix("asset#"), "bucket": bucket, "key": key}
            SQS.send_message(QueueUrl=JOBS_URL, MessageBody=json.dumps(job))
            requeued += 1
        if "LastEvaluatedKey" not in page:
            break
        scan["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    print(json.dumps({"msg": "sweep done", "requeued": requeued}))
    return {"requeued": requeued}
