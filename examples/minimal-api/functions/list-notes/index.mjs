// GET /notes: the caller's notes, newest first (the JWT's `sub` owns them).
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, QueryCommand } from "@aws-sdk/lib-dynamodb";

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
  const limit = Math.min(Number(event.queryStringParameters?.limit ?? 50) || 50, 100);
  const { Items = [] } = await db.send(
    new QueryCommand({
      TableName: TABLE,
      KeyConditionExpression: "#o = :owner",
      ExpressionAttributeNames: { "#o": "owner" },
      ExpressionAttributeValues: { ":owner": owner },
      ScanIndexForward: false,
      Limit: limit,
    }),
  );
  return json(200, { notes: Items.map(({ owner: _, ...note }) => note) });
};
