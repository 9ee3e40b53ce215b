"""transcode-jobs consumer: transcode one upload into outbox, then announce it."""
import json
import os

import boto3

S3 = boto3.client("s3")
SNS = boto3.client("sns")
LAMBDA = boto3.client("lambda")
TABLE = boto3.resource("dynamodb").Table(os.environ["ASSETS_TABLE"])
OUTBOX = os.environ["OUTBOX_BUCKET"]
READY_TOPIC = os.environ["READY_TOPIC"]
THUMBNAIL_FUNCTION = os.environ["THUMBNAIL_FUNCTION"]


def _transcode(job):
    src = S3.get_object(Bucket=job["bucket"], Key=job["key"])["Body"].read()
    out_key = f"video/{job['asset_id']}.mp4"  # stand-in for the real encoder
    S3.put_object(Bucket=OUTBOX, Key=out_key, Body=src, ContentType="video/mp4")
    if "FunctionError" in LAMBDA.invoke(FunctionName=THUMBNAIL_FUNCTION, Payload=json.dumps(job).encode()):
        raise RuntimeError(f"thumbnail failed for {job['asset_id']}")
    TABLE.update_item(
        Key={"pk": f"asset#{job['asset_id']}", "sk": "meta"},
        UpdateExpression="SET #s = :ready, #o = :out",
        ExpressionAttributeNames={"#s": "status", "#o": "output"},
        ExpressionAttributeValues={":ready": "ready", ":out": out_key},
    )
    attrs = {k: {"DataType": "String", "StringValue": v} for k, v in (("status", "ready"), ("kind", "video"))}
    SNS.publish(TopicArn=READY_TOPIC, Message=json.dumps({"asset_id": job["asset_id"], "key": out_key}), MessageAttributes=attrs)


def handler(event, context):
    failures = []
    for record in event["Records"]:
        try:
            _transcode(json.loads(record["body"]))
        except Exception as exc:
            print(json.dumps({"msg": "transcode failed", "message_id": record["messageId"], "error": str(exc)}))
            failures.append({"itemIdentifier": record["messageId"]})
    return {"batchItemFailures": failures}
