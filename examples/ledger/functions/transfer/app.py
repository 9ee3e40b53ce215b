import json
import os

import boto3

rds = boto3.client("rds-data")
events = boto3.client("events")
DB = {"resourceArn": os.environ["DB_ARN"], "secretArn": os.environ["DB_SECRET"], "database": os.environ["DB_NAME"]}


def handler(event, context):
    body = json.loads(event.get("body") or "{}")
    tx = rds.begin_transaction(**DB)["transactionId"]
    try:
        for account, amount in ((body["from"], -body["amount"]), (body["to"], body["amount"])):
            rds.execute_statement(
                **DB,
                transactionId=tx,
                sql="INSERT INTO entries (account, amount) VALUES (:account, :amount)",
                parameters=[
                    {"name": "account", "value": {"stringValue": account}},
                    {"name": "amount", "value": {"longValue": amount}},
                ],
            )
        rds.commit_transaction(resourceArn=DB["resourceArn"], secretArn=DB["secretArn"], transactionId=tx)
    except Exception:
        rds.rollback_transaction(resourceArn=DB["resourceArn"], secretArn=DB["secretArn"], transactionId=tx)
        raise
    events.put_events(
        Entries=[
            {
                "EventBusName": os.environ["BUS"],
                "Source": os.environ["EVENT_SOURCE"],
                "DetailType": "TransferRecorded",
                "Detail": json.dumps(body),
            }
        ]
    )
    return {"statusCode": 201, "body": json.dumps({"ok": True})}
