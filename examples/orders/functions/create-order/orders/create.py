"""POST /orders and POST /partner/orders: store a new order and queue it for processing."""
import json
import os
import time
import uuid

import boto3

TABLE = boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])
SQS = boto3.client("sqs")
EVENTS = boto3.client("events")
EVENTS_URL = os.environ["EVENTS_URL"]
ORDERS_BUS = os.environ["ORDERS_BUS"]
EVENT_SOURCE = os.environ["EVENT_SOURCE"]
LOG_LEVEL = os.environ.get("LOG_LEVEL", "info")


def _response(status, body):
    return {
        "statusCode": status,
        "headers": {"content-type": "application/json"},
        "body": json.dumps(body),
    }


def handler(event, context):
    try:
        payload = json.loads(event.get("body") or "{}")
    except json.JSONDecodeError:
        return _response(400, {"message": "body must be JSON"})
    items = payload.get("items")
    if not isinstance(items, list) or not items:
        return _response(400, {"message": "an order needs at least one item"})

    order = {"id": str(uuid.uuid4()), "items": items, "status": "received", "created_at": int(time.time())}
    TABLE.put_item(Item=order, ConditionExpression="attribute_not_exists(id)")
    SQS.send_message(QueueUrl=EVENTS_URL, MessageBody=json.dumps({"order_id": order["id"]}))
    EVENTS.put_events(Entries=[{
        "EventBusName": ORDERS_BUS,
        "Source": EVENT_SOURCE,
        "DetailType": "OrderPlaced",
        "Detail": json.dumps({"order_id": order["id"], "items": items}),
    }])
    if LOG_LEVEL == "debug":
        print(json.dumps({"msg": "order created", "order_id": order["id"], "request_id": context.aws_request_id}))
    return _response(201, {"id": order["id"], "status": order["status"]})
