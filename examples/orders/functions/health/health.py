"""GET /health: a public liveness check (no AWS calls, so it stays fast and cheap)."""
import json
import os
import time

STARTED = time.time()


def handler(event, context):
    return {
        "statusCode": 200,
        "headers": {"content-type": "application/json", "cache-control": "no-store"},
        "body": json.dumps(
            {
                "status": "ok",
                "function": os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "health"),
                "version": os.environ.get("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST"),
                "uptime_s": round(time.time() - STARTED, 1),
            }
        ),
    }
