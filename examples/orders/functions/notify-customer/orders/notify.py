"""order-shipped subscriber: tell the customer their order is on its way.

Raising makes Lambda retry; after the last retry the event goes to failed-events.
"""
import json


def _message(order_id):
    return {
        "template": "order-shipped",
        "subject": f"Your order {order_id} has shipped",
        "order_id": order_id,
    }


def handler(event, context):
    sent = 0
    for record in event["Records"]:
        body = json.loads(record["Sns"]["Message"])
        order_id = body.get("order_id")
        if not order_id:
            raise ValueError(f"message {record['Sns']['MessageId']} has no order_id")
        print(json.dumps({"msg": "notification queued", **_message(order_id)}))
        sent += 1
    return {"sent": sent}
