"""OrderPlaced events from the orders bus: mark the order as shipping."""
import os

import boto3

TABLE = boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])


def handler(event, context):
    order_id = event["detail"]["order_id"]
    TABLE.update_item(
        Key={"id": order_id},
        UpdateExpression="SET #s = :s",
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={":s": "shipping"},
    )
    return {"order_id": order_id, "status": "shipping"}
