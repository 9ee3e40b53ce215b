"""Lambda authorizer for /partner routes (HTTP API, simple responses).

The identity source is the X-Partner-Key header. Keys are compared by SHA-256 against
PARTNER_KEY_SHA256 (comma-separated hex digests); with none configured, every request is
denied.
"""
import hashlib
import hmac
import os

ALLOWED = [h.strip() for h in os.environ.get("PARTNER_KEY_SHA256", "").split(",") if h.strip()]


def _digest(key):
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def partner(event, context):
    key = (event.get("headers") or {}).get("x-partner-key", "")
    if not key or not ALLOWED:
        return {"isAuthorized": False}
    digest = _digest(key)
    ok = any(hmac.compare_digest(digest, allowed) for allowed in ALLOWED)
    return {"isAuthorized": ok, "context": {"partner": digest[:12]} if ok else {}}
