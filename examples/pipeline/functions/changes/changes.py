"""Reads the `assets` table's stream: writes each status change to outbox as one JSON
document under changes/{day}/. Reports the first failed record so only it and the
records after it are retried."""
import json
import os
import time

import boto3

S3 = boto3.client("s3")
OUTBOX = os.environ["OUTBOX_BUCKET"]


def status(image):
    return (image or {}).get("status", {}).get("S")


def handler(event, context):
    for record in event["Records"]:
        change = record["dynamodb"]
        before, after = status(change.get("OldImage")), status(change.get("NewImage"))
        if before == after:
            continue
        day = time.strftime("%Y-%m-%d", time.gmtime(change["ApproximateCreationDateTime"]))
        doc = {"key": change["Keys"], "from": before, "to": after}
        try:
            S3.put_object(
                Bucket=OUTBOX,
                Key=f"changes/{day}/{record['eventID']}.json",
                Body=json.dumps(doc).encode(),
            )
        except Exception as e:  # noqa: BLE001 - report the record, retry from it
            print(json.dumps({"msg": "write failed", "error": str(e)}))
            return {"batchItemFailures": [{"itemIdentifier": change["SequenceNumber"]}]}
    return {"batchItemFailures": []}
