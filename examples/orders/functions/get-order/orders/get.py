"""GET /orders/{id}: read one order."""
import json
import os
from decimal import Decimal

import boto3

# fnplan names the table "{app}-{stage}-orders"; this function is "{app}-{stage}-get-order".
_PREFIX = os.environ["AWS_LAMBDA_FUNCTION_NAME"].removesuffix("-get-order")
TABLE = boto3.resource("dynamodb").Table(os.environ.get("TABLE_NAME", f"{_PREFIX}-orders"))


def _response(status, body):
    return {
        "statusCode": status,
        "headers": {"content-type": "application/json"},
        "body": json.dumps(body, default=lambda d: int(d) if isinstance(d, Decimal) else str(d)),
    }


def handler(event, context):
    order_id = (event.get("pathParameters") or {}).get("id")
    if not order_id:
        return _response(400, {"message": "missing order id"})
    item = TABLE.get_item(Key={"id": order_id}, ConsistentRead=True).get("Item")
    if item is None:
        return _response(404, {"message": f"order {order_id} not found"})
    return _response(200, item)
