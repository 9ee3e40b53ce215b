"""Invoked synchronously by transcode: write a poster image for one asset."""
import json
import os

import boto3

S3 = boto3.client("s3")
OUTBOX = os.environ["OUTBOX_BUCKET"]
WIDTH = int(os.environ.get("THUMB_WIDTH", "320"))


def handler(event, context):
    asset_id = event["asset_id"]
    # A real renderer would grab a frame here; we store the request as the poster's sidecar.
    head = S3.head_object(Bucket=event["bucket"], Key=event["key"])
    key = f"thumbs/{asset_id}-{WIDTH}w.json"
    S3.put_object(
        Bucket=OUTBOX,
        Key=key,
        Body=json.dumps({"asset_id": asset_id, "width": WIDTH, "source_etag": head["ETag"]}).encode(),
        ContentType="application/json",
    )
    return {"asset_id": asset_id, "thumbnail": key, "width": WIDTH}
