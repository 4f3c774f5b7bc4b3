/**
 * A local node:http server speaking DynamoDB's JSON protocol just enough for unit tests: it records
 * each request (operation from `X-Amz-Target`, parsed body) and answers with what the test's script
 * returns for it. For what DynamoDB Local cannot be made to do: leave keys or items unprocessed, page
 * tags, report capacity, answer a table operation with LimitExceededException. Signatures are not
 * checked here (test/unit/wire-signing.test.ts and the fault proxy do that).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type RequestBody = Record<string, unknown>;
export interface ScriptedAnswer {
  status?: number;
  json: unknown;
}
/** `n`: how many requests of this operation came before this one. */
export type Script = (operation: string, body: RequestBody, n: number) => ScriptedAnswer;

export interface ScriptedDynamoDb {
  endpoint: string;
  requests: { operation: string; body: RequestBody }[];
  script: Script;
  close(): Promise<void>;
}

/** DynamoDB's error answer: `{"__type":"com.amazonaws.dynamodb.v20120810#TYPE","message":...}`. */
export function errorAnswer(type: string, message = type, status = 400): ScriptedAnswer {
  return { status, json: { __type: `com.amazonaws.dynamodb.v20120810#${type}`, message } };
}

export async function startScriptedDynamoDb(): Promise<ScriptedDynamoDb> {
  const fake: ScriptedDynamoDb = {
    endpoint: '',
    requests: [],
    script: () => errorAnswer('UnknownOperationException'),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const operation = String(request.headers['x-amz-target']).replace(/^DynamoDB_20120810\./, '');
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as RequestBody;
      const n = fake.requests.filter((r) => r.operation === operation).length;
      fake.requests.push({ operation, body });
      const { status = 200, json } = fake.script(operation, body, n);
      response.writeHead(status, { 'content-type': 'application/x-amz-json-1.0' });
      response.end(JSON.stringify(json));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fake;
}
