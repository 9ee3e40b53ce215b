// POST /notes: store a note for the caller. Ids sort by time, so listing is newest first.
import { randomUUID } from "node:crypto";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, PutCommand } from "@aws-sdk/lib-dynamodb";

const db = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const TABLE = process.env.NOTES_TABLE;

const json = (statusCode, body) => ({
  statusCode,
  headers: { "content-type": "application/json" },
  body: JSON.stringify(body),
});

export const handler = async (event) => {
  const owner = event.requestContext?.authorizer?.jwt?.claims?.sub;
  if (!owner) return json(401, { message: "no subject in token" });
  let text;
  try {
    const raw = event.isBase64Encoded ? Buffer.from(event.body ?? "", "base64").toString() : event.body;
    text = JSON.parse(raw ?? "{}").text;
  } catch {
    return json(400, { message: "body must be JSON" });
  }
  if (typeof text !== "string" || !text.trim() || text.length > 4000) {
    return json(400, { message: "`text` must be 1..4000 characters" });
  }
  const note = { id: `${new Date().toISOString()}#${randomUUID()}`, text: text.trim() };
  await db.send(new PutCommand({ TableName: TABLE, Item: { owner, ...note } }));
  return json(201, note);
};
