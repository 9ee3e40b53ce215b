"""media-ready subscriber (status=ready): record the asset and queue it for indexing."""
import json
import os
import time

import boto3

TABLE = boto3.resource("dynamodb").Table(os.environ["ASSETS_TABLE"])
SQS = boto3.client("sqs")
INDEX_URL = os.environ["INDEX_URL"]


def handler(event, context):
    for record in event["Records"]:
        ready = json.loads(record["Sns"]["Message"])
        day = time.strftime("%Y-%m-%d", time.gmtime())
        TABLE.put_item(
            Item={
                "pk": f"day#{day}",
                "sk": f"asset#{ready['asset_id']}",
                "key": ready["key"],
                "expires_at": int(time.time()) + 90 * 86400,
            }
        )
        SQS.send_message(QueueUrl=INDEX_URL, MessageBody=json.dumps({"day": day, "asset_id": ready["asset_id"]}))
