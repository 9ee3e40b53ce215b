// GET /health: public liveness check; no AWS calls, so it stays fast and cheap.
const started = Date.now();

export const handler = async () => ({
  statusCode: 200,
  headers: { "content-type": "application/json", "cache-control": "no-store" },
  body: JSON.stringify({
    status: "ok",
    function: process.env.AWS_LAMBDA_FUNCTION_NAME ?? "health",
    uptimeSeconds: Math.round((Date.now() - started) / 1000),
  }),
});
