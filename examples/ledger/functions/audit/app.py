import json
import os

import boto3

rds = boto3.client("rds-data")
DB = {"resourceArn": os.environ["DB_ARN"], "secretArn": os.environ["DB_SECRET"], "database": os.environ["DB_NAME"]}


def handler(event, context):
    """One TransferRecorded event from the ledger bus: append it to the audit trail."""
    rds.execute_statement(
        **DB,
        sql="INSERT INTO audit (kind, detail) VALUES (:kind, CAST(:detail AS jsonb))",
        parameters=[
            {"name": "kind", "value": {"stringValue": event["detail-type"]}},
            {"name": "detail", "value": {"stringValue": json.dumps(event["detail"])}},
        ],
    )
