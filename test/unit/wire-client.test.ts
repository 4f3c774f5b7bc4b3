/**
 * The wire client's HTTP exchange: what it sends besides the signature (wire-signing.test.ts checks
 * that), and how it reads DynamoDB's answers, errors and broken connections, which the error
 * classifier then sorts into retry, throttle or fatal. The endpoint is a local node:http server that
 * answers each request with what a test scripts: DynamoDB Local cannot be made to send a 500, an
 * error without a message, a response cut short or no response at all.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { WireClient, WireError } from '../../src/stores/dynamodb/wire-client.js';

type Reply = (request: http.IncomingMessage, response: http.ServerResponse) => void;

let server: http.Server;
let base: string;
let reply: Reply;
const seen: { url: string; headers: http.IncomingHttpHeaders; body: string }[] = [];

beforeAll(async () => {
  server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      seen.push({
        url: request.url ?? '',
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      reply(request, response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});
beforeEach(() => {
  seen.length = 0;
});

function client(path = '/', requestTimeoutMs?: number): WireClient {
  return new WireClient({
    endpoint: new URL(`${base}${path}`),
    region: 'eu-west-1',
    credentials: async () => ({ accessKeyId: 'AKIDWIRE', secretAccessKey: 'secret' }),
    maxSockets: 1,
    ...(requestTimeoutMs === undefined ? {} : { requestTimeoutMs }),
  });
}

const answer =
  (status: number, body: string): Reply =>
  (_, response) => {
    response.writeHead(status, { 'content-type': 'application/x-amz-json-1.0' });
    response.end(body);
  };

async function failure(status: number, body: string): Promise<WireError> {
  reply = answer(status, body);
  const wire = client();
  // The rejection is taken out first: an assertion inside a catch would be skipped if nothing threw.
  const error = await wire.send('Scan', '{}').then(
    () => {
      throw new Error(`expected HTTP ${status} to fail`);
    },
    (thrown: unknown) => thrown,
  );
  wire.destroy();
  expect(error).toBeInstanceOf(WireError);
  return error as WireError;
}

describe('WireClient', () => {
  it("sends DynamoDB's JSON content type and the body's byte length, to the endpoint's path", async () => {
    reply = answer(200, '{"Count":1}');
    const wire = client('/prefix/');
    const body = '{"TableName":"é"}';
    expect(await wire.send('Scan', body)).toEqual({ Count: 1 });
    wire.destroy();
    expect(seen).toHaveLength(1);
    expect(seen[0]!.url).toBe('/prefix/');
    expect(seen[0]!.headers['content-type']).toBe('application/x-amz-json-1.0');
    expect(seen[0]!.headers['content-length']).toBe(String(Buffer.byteLength(body)));
    expect(seen[0]!.body).toBe(body);
  });

  it('reads a long answer that arrives in many chunks', async () => {
    const long = JSON.stringify({ Items: Array.from({ length: 5000 }, (_, i) => ({ pk: { S: `k${i}` } })) });
    reply = (_, response) => {
      response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
      for (let at = 0; at < long.length; at += 1000) response.write(long.slice(at, at + 1000));
      response.end();
    };
    const wire = client();
    expect(await wire.sendText('Scan', '{}')).toBe(long);
    wire.destroy();
  });

  it('takes any 2xx as success and 300 as an error', async () => {
    reply = answer(299, '{"ok":true}');
    const wire = client();
    expect(await wire.send('Scan', '{}')).toEqual({ ok: true });
    wire.destroy();
    expect((await failure(300, '{}')).$metadata.httpStatusCode).toBe(300);
  });

  it("names an error by the part of DynamoDB's __type after '#', with its message", async () => {
    const error = await failure(
      400,
      '{"__type":"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException","message":"slow down"}',
    );
    expect(error.name).toBe('ProvisionedThroughputExceededException');
    expect(error.message).toBe('slow down');
    expect(error.$metadata).toEqual({ httpStatusCode: 400 });
    expect(error.$fault).toBe('client');
    const capital = await failure(
      400,
      '{"__type":"com.amazon.coral.service#AccessDeniedException","Message":"no"}',
    );
    expect(capital.name).toBe('AccessDeniedException');
    expect(capital.message).toBe('no');
  });

  it('prefers message to Message', async () => {
    expect((await failure(400, '{"__type":"x#E","message":"low","Message":"high"}')).message).toBe('low');
  });

  it('names an error without a type by its status: 5xx a server fault, others a client one', async () => {
    const server500 = await failure(500, '{}');
    expect(server500.name).toBe('InternalServerError');
    expect(server500.message).toBe('HTTP 500');
    expect(server500.$fault).toBe('server');
    const at503 = await failure(503, '{"message":"busy"}');
    expect(at503).toMatchObject({ name: 'InternalServerError', message: 'busy', $fault: 'server' });
    const at499 = await failure(499, '{}');
    expect(at499).toMatchObject({ name: 'HTTP499', message: 'HTTP 499', $fault: 'client' });
    const at501 = await failure(501, '{}');
    expect(at501.$fault).toBe('server');
  });

  it("keeps a body that is not JSON (a proxy's page) as the message", async () => {
    const page = await failure(502, '<html>Bad Gateway</html>');
    expect(page).toMatchObject({
      name: 'InternalServerError',
      message: '<html>Bad Gateway</html>',
      $fault: 'server',
    });
    const empty = await failure(413, '');
    expect(empty).toMatchObject({ name: 'HTTP413', message: 'HTTP 413', $fault: 'client' });
  });

  it('rejects with ECONNRESET when the response is cut short', async () => {
    reply = (_, response) => {
      response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0', 'content-length': '1000' });
      response.write('{"Items":[');
      setImmediate(() => response.socket?.destroy());
    };
    const wire = client();
    await expect(wire.send('Scan', '{}')).rejects.toMatchObject({ code: 'ECONNRESET' });
    wire.destroy();
  });

  it('rejects with a retryable TimeoutError when no answer comes within the request timeout', async () => {
    reply = () => {
      // Never answers; the client gives up after its timeout and the test's cleanup closes the socket.
    };
    const wire = client('/', 50);
    const error = await wire.send('Scan', '{}').catch((caught: unknown) => caught);
    wire.destroy();
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ code: 'ETIMEDOUT', name: 'TimeoutError', message: 'request timed out' });
  });

  it('speaks TLS to an https endpoint: a plain-HTTP server there never reads a request', async () => {
    reply = answer(200, '{}');
    const wire = new WireClient({
      endpoint: new URL(base.replace('http:', 'https:')),
      region: 'eu-west-1',
      credentials: async () => ({ accessKeyId: 'AKIDWIRE', secretAccessKey: 'secret' }),
      maxSockets: 1,
    });
    await expect(wire.send('Scan', '{}')).rejects.toBeInstanceOf(Error);
    wire.destroy();
    expect(seen).toEqual([]);
  });

  it('rejects with the connection error when nobody listens', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const wire = new WireClient({
      endpoint: new URL(`http://127.0.0.1:${port}/`),
      region: 'eu-west-1',
      credentials: async () => ({ accessKeyId: 'AKIDWIRE', secretAccessKey: 'secret' }),
      maxSockets: 1,
    });
    await expect(wire.send('Scan', '{}')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    wire.destroy();
  });
});
