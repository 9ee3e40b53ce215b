import json
import os

import boto3

rds = boto3.client("rds-data")


def query(prefix, sql):
    out = rds.execute_statement(
        resourceArn=os.environ[f"{prefix}_ARN"],
        secretArn=os.environ[f"{prefix}_SECRET"],
        database=os.environ[f"{prefix}_NAME"],
        sql=sql,
        formatRecordsAs="JSON",
    )
    return json.loads(out.get("formattedRecords") or "[]")


def handler(event, context):
    balances = query("DB", "SELECT account, SUM(amount) AS balance FROM entries GROUP BY account")
    legacy = query("LEGACY", "SELECT account, balance FROM balances")
    return {"statusCode": 200, "body": json.dumps({"balances": balances, "legacy": legacy})}
