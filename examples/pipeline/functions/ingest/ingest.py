"""inbox (created, uploads/*.mp4): register the upload and queue a transcode job."""
import json
import os
import time
import urllib.parse

import boto3

TABLE = boto3.resource("dynamodb").Table(os.environ["ASSETS_TABLE"])
SQS = boto3.client("sqs")
S3 = boto3.client("s3")
JOBS_URL = os.environ["JOBS_URL"]
DEBUG = os.environ.get("LOG_LEVEL") == "debug"


def handler(event, context):
    for record in event["Records"]:
        bucket = record["s3"]["bucket"]["name"]
        key = urllib.parse.unquote_plus(record["s3"]["object"]["key"])
        head = S3.head_object(Bucket=bucket, Key=key)
        asset_id = key.rsplit("/", 1)[-1].removesuffix(".mp4")
        TABLE.put_item(
            Item={
                "pk": f"asset#{asset_id}",
                "sk": "meta",
                "status": "pending",
                "source": f"s3://{bucket}/{key}",
                "bytes": head["ContentLength"],
                "created_at": int(time.time()),
            }
        )
        SQS.send_message(QueueUrl=JOBS_URL, MessageBody=json.dumps({"asset_id": asset_id, "bucket": bucket, "key": key}))
        if DEBUG:
            print(json.dumps({"msg": "queued", "asset_id": asset_id, "key": key}))
