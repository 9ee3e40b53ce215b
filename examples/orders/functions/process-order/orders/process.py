"""Consume order-events: mark each order shipped and announce it on order-shipped."""
import json
import os

import boto3

# fnplan names the table "{app}-{stage}-orders"; this function is "{app}-{stage}-process-order".
_PREFIX = os.environ["AWS_LAMBDA_FUNCTION_NAME"].removesuffix("-process-order")
TABLE = boto3.resource("dynamodb").Table(os.environ.get("TABLE_NAME", f"{_PREFIX}-orders"))
SNS = boto3.client("sns")
SHIPPED_TOPIC = os.environ["SHIPPED_TOPIC"]


def _ship(order_id):
    TABLE.update_item(
        Key={"id": order_id},
        UpdateExpression="SET #s = :shipped",
        ConditionExpression="attribute_exists(id)",
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={":shipped": "shipped"},
    )
    SNS.publish(TopicArn=SHIPPED_TOPIC, Message=json.dumps({"order_id": order_id}))


def handler(event, context):
    failures = []
    for record in event["Records"]:
        try:
            _ship(json.loads(record["body"])["order_id"])
        except Exception as exc:  # report the message, keep the rest of the batch
            print(json.dumps({"msg": "order failed", "message_id": record["messageId"], "error": str(exc)}))
            failures.append({"itemIdentifier": record["messageId"]})
    return {"batchItemFailures": failures}
