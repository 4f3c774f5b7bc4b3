/**
 * A minimal, fast stand-in for DynamoDB, for the benchmarks' ceiling: it serves Scan pages of
 * generated items and answers BatchWriteItem without storing anything, so what limits a copy through
 * it is the client. Run it in its own process (`child_process.fork`), so its CPU is not the client's.
 *
 * Tables are declared by the parent over IPC ({ type: 'define', tables: [...] }):
 * - a source table `{ name, items, itemBytes }` holds items 0..items-1 (bench/lib/items.mjs). Scan honours
 *   Segment/TotalSegments (contiguous index ranges), Limit, ExclusiveStartKey and the 1 MB page limit,
 *   and reports ConsumedCapacity when asked. It honours a FilterExpression of one comparison only,
 *   `NAME OP :value` (NAME a top-level attribute other than the key, or a #placeholder for one; OP one
 *   of = <> < <= > >=; the value S, N or BOOL), as DynamoDB does: Limit and the 1 MB apply to the items
 *   read, Count is the items returned, ScannedCount the items read, LastEvaluatedKey the last item read.
 *   Any other FilterExpression gets a ValidationException (never a silently unfiltered page);
 * - a sink table `{ name, sink: true, capacity, itemBytes, sample }` takes BatchWriteItem: it stores nothing,
 *   but counts every put per item index (found by the key's fixed format in the request body, without
 *   parsing it), so lost and re-copied items can be counted exactly; ConsumedCapacity is 1 WCU per
 *   started KB of `itemBytes` per item. With `sample: true` it keeps the body of the first BatchWriteItem,
 *   which `stats` returns, so what was written (e.g. masked values) can be checked.
 * DescribeTable (ACTIVE, on-demand, `pk` HASH, ItemCount, TableSizeBytes) and DescribeTimeToLive
 * (disabled) answer for both; DescribeContinuousBackups, tags and everything else get
 * UnknownOperationException, as from DynamoDB Local. Signatures are not checked.
 *
 * IPC: `define`, `stats` ({ table, sourceItems, segments } → puts, distinct, per-segment re-copies and
 * misses), `reset` ({ table }), `usage` (this process's CPU and RSS); every request carries an `id`
 * and is answered with the same `id`.
 */
import http from 'node:http';
import {
  ITEM_POOL_SIZE,
  indexOfKey,
  itemJson,
  itemWireLength,
  KEY_ATTRIBUTE,
  KEY_DIGITS,
  keyOf,
  writeItem,
  writeUnitsPerItem,
} from './lib/items.mjs';

const SCAN_PAGE_BYTES = 1024 * 1024;
const JSON_TYPE = 'application/x-amz-json-1.0';
const TARGET_PREFIX = 'DynamoDB_20120810.';
const KEY_NEEDLE = Buffer.from('"pk":{"S":"i', 'latin1');
const PUT_NEEDLE = Buffer.from('"PutRequest"', 'latin1');
const REGION = /Credential=[^/]+\/\d{8}\/([^/]+)\//;

/** name -> table */
const tables = new Map();
const scanStats = { pages: 0, items: 0, maxLimit: 0, totalSegments: new Set() };
let requestCount = 0;
let anomalies = 0;

function defineTable(spec) {
  const table = {
    name: spec.name,
    items: spec.items ?? 0,
    itemBytes: spec.itemBytes ?? 1000,
    sink: spec.sink === true,
    counts: spec.sink ? new Uint8Array(spec.capacity ?? 0) : undefined,
    puts: 0,
    outOfRange: 0,
    sample: spec.sample === true ? null : undefined,
  };
  tables.set(spec.name, table);
}

function send(res, status, body) {
  const buffer = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  res.writeHead(status, {
    'content-type': JSON_TYPE,
    'content-length': buffer.length,
    'x-amzn-requestid': `stub-${++requestCount}`,
  });
  res.end(buffer);
}

function error(res, status, type, message) {
  send(res, status, JSON.stringify({ __type: type, message }));
}

function notFound(res, name) {
  error(
    res,
    400,
    'com.amazonaws.dynamodb.v20120810#ResourceNotFoundException',
    `Requested resource not found: Table: ${name} not found`,
  );
}

function tableName(value) {
  if (typeof value !== 'string') return '';
  const slash = value.lastIndexOf(':table/');
  return slash >= 0 ? value.slice(slash + 7) : value;
}

function describe(res, request, region) {
  const table = tables.get(tableName(request.TableName));
  if (!table) return notFound(res, request.TableName);
  send(
    res,
    200,
    JSON.stringify({
      Table: {
        TableName: table.name,
        TableArn: `arn:aws:dynamodb:${region}:123456789012:table/${table.name}`,
        TableStatus: 'ACTIVE',
        CreationDateTime: 1767225600,
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        ItemCount: table.items,
        TableSizeBytes: table.items * table.itemBytes,
        BillingModeSummary: { BillingMode: 'PAY_PER_REQUEST' },
        ProvisionedThroughput: { NumberOfDecreasesToday: 0, ReadCapacityUnits: 0, WriteCapacityUnits: 0 },
        DeletionProtectionEnabled: false,
      },
    }),
  );
}

const COMPARISON = /^\s*(#?[A-Za-z0-9_]+)\s*(=|<>|<=|>=|<|>)\s*(:[A-Za-z0-9_]+)\s*$/;
/** `${itemBytes} ${filter}` -> for each of the 4,096 item bodies, 1 when it matches. */
const filterCache = new Map();

function compare(op, a, b) {
  switch (op) {
    case '=':
      return a === b;
    case '<>':
      return a !== b;
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    default:
      return a >= b;
  }
}

/**
 * The FilterExpression of a Scan as one flag per item body (items share 4,096 bodies, and the key is
 * not filtered on), or a string saying why the stub cannot evaluate it.
 */
function bodyFilter(request, itemBytes) {
  const cacheKey = `${itemBytes} ${JSON.stringify([request.FilterExpression, request.ExpressionAttributeNames, request.ExpressionAttributeValues])}`;
  const cached = filterCache.get(cacheKey);
  if (cached) return cached;
  const match = COMPARISON.exec(request.FilterExpression);
  if (!match) return 'the stub evaluates only FilterExpression `NAME OP :value` (one comparison)';
  const [, operand, op, placeholder] = match;
  const name = operand.startsWith('#') ? request.ExpressionAttributeNames?.[operand] : operand;
  const value = request.ExpressionAttributeValues?.[placeholder];
  if (typeof name !== 'string') return `${operand} is not declared`;
  if (name === KEY_ATTRIBUTE) return 'the stub does not filter on the key';
  if (!value || Object.keys(value).length !== 1) return `${placeholder} is not declared`;
  const [type] = Object.keys(value);
  if (type !== 'S' && type !== 'N' && type !== 'BOOL')
    return `${placeholder}: the stub compares S, N and BOOL only`;
  if (type === 'BOOL' && op !== '=' && op !== '<>') return 'BOOL compares with = and <> only';
  const wanted = type === 'N' ? Number(value.N) : value[type];
  const flags = new Uint8Array(ITEM_POOL_SIZE);
  for (let variant = 0; variant < ITEM_POOL_SIZE; variant++) {
    const attribute = JSON.parse(itemJson(variant, itemBytes))[name];
    // DynamoDB: a missing attribute, or one of another type, does not match (not even `<>`).
    if (!attribute || attribute[type] === undefined) continue;
    const actual = type === 'N' ? Number(attribute.N) : attribute[type];
    if (compare(op, actual, wanted)) flags[variant] = 1;
  }
  filterCache.set(cacheKey, flags);
  return flags;
}

function scan(res, request) {
  const table = tables.get(tableName(request.TableName));
  if (!table || table.sink) return notFound(res, request.TableName);
  let filter;
  if (request.FilterExpression !== undefined) {
    filter = bodyFilter(request, table.itemBytes);
    if (typeof filter === 'string')
      return error(res, 400, 'com.amazon.coral.validate#ValidationException', filter);
  }
  const totalSegments = request.TotalSegments ?? 1;
  const segment = request.Segment ?? 0;
  const n = table.items;
  const low = Math.floor((segment * n) / totalSegments);
  const high = Math.floor(((segment + 1) * n) / totalSegments);
  const startKey = request.ExclusiveStartKey?.pk?.S;
  const start = startKey === undefined ? low : Math.max(low, indexOfKey(startKey) + 1);
  const perPage = Math.max(1, Math.floor(SCAN_PAGE_BYTES / table.itemBytes));
  const limit = Math.min(request.Limit ?? perPage, perPage);
  const end = Math.min(high, start + limit);
  const count = Math.max(0, end - start);
  let returned = count;
  if (filter) {
    returned = 0;
    for (let i = start; i < end; i++) returned += filter[i % ITEM_POOL_SIZE];
  }
  scanStats.pages++;
  scanStats.items += count;
  scanStats.maxLimit = Math.max(scanStats.maxLimit, request.Limit ?? 0);
  scanStats.totalSegments.add(totalSegments);

  const head = `{"Count":${returned},"ScannedCount":${count},"Items":[`;
  let tail = ']';
  if (end < high) tail += `,"LastEvaluatedKey":{"pk":{"S":"${keyOf(end - 1)}"}}`;
  if (request.ReturnConsumedCapacity === 'TOTAL' || request.ReturnConsumedCapacity === 'INDEXES') {
    const units =
      Math.max(1, Math.ceil((count * table.itemBytes) / 4096)) * (request.ConsistentRead ? 1 : 0.5);
    tail += `,"ConsumedCapacity":{"TableName":"${table.name}","CapacityUnits":${units}}`;
  }
  tail += '}';
  let length = head.length + tail.length + Math.max(0, returned - 1);
  for (let i = start; i < end; i++)
    if (!filter || filter[i % ITEM_POOL_SIZE] === 1) length += itemWireLength(i, table.itemBytes);
  const body = Buffer.allocUnsafe(length);
  let at = body.write(head, 0, 'latin1');
  let first = true;
  for (let i = start; i < end; i++) {
    if (filter && filter[i % ITEM_POOL_SIZE] === 0) continue;
    if (!first) body[at++] = 0x2c;
    first = false;
    at = writeItem(body, at, i, table.itemBytes);
  }
  at += body.write(tail, at, 'latin1');
  send(res, 200, body);
}

/** Counts the puts of one BatchWriteItem by finding each item's key in the raw body. */
function batchWriteItem(res, body) {
  const head = body.subarray(0, 512).toString('latin1');
  const match = /"RequestItems":\{"((?:[^"\\]|\\.)*)"/.exec(head);
  const name = match ? tableName(match[1]) : '';
  const table = tables.get(name);
  if (!table?.sink) return notFound(res, name);
  if (table.sample === null) table.sample = body.toString('utf8');
  let puts = 0;
  for (let at = body.indexOf(PUT_NEEDLE); at >= 0; at = body.indexOf(PUT_NEEDLE, at + PUT_NEEDLE.length))
    puts++;
  let keys = 0;
  for (let at = body.indexOf(KEY_NEEDLE); at >= 0; at = body.indexOf(KEY_NEEDLE, at + KEY_NEEDLE.length)) {
    keys++;
    let index = 0;
    const digits = at + KEY_NEEDLE.length;
    for (let i = digits; i < digits + KEY_DIGITS; i++) index = index * 10 + (body[i] - 0x30);
    if (index < table.counts.length) {
      if (table.counts[index] < 255) table.counts[index]++;
    } else {
      table.outOfRange++;
    }
  }
  if (keys !== puts) anomalies++;
  table.puts += puts;
  const wantsCapacity =
    body.includes('"ReturnConsumedCapacity":"TOTAL"') || body.includes('"ReturnConsumedCapacity":"INDEXES"');
  send(
    res,
    200,
    wantsCapacity
      ? `{"UnprocessedItems":{},"ConsumedCapacity":[{"TableName":"${table.name}","CapacityUnits":${puts * writeUnitsPerItem(table.itemBytes)}}]}`
      : '{"UnprocessedItems":{}}',
  );
}

function handle(req, res, body) {
  const target = req.headers['x-amz-target'] ?? '';
  const operation = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : target;
  if (operation === 'BatchWriteItem') return batchWriteItem(res, body);
  let request;
  try {
    request = JSON.parse(body.toString('utf8'));
  } catch {
    return error(res, 400, 'com.amazon.coral.service#SerializationException', 'bad JSON');
  }
  const region = REGION.exec(req.headers.authorization ?? '')?.[1] ?? 'us-east-1';
  switch (operation) {
    case 'Scan':
      return scan(res, request);
    case 'DescribeTable':
      return describe(res, request, region);
    case 'DescribeTimeToLive':
      if (!tables.has(tableName(request.TableName))) return notFound(res, request.TableName);
      return send(res, 200, '{"TimeToLiveDescription":{"TimeToLiveStatus":"DISABLED"}}');
    default:
      return error(
        res,
        400,
        'com.amazonaws.dynamodb.v20120810#UnknownOperationException',
        'An unknown operation was requested.',
      );
  }
}

function stats({ table: name, sourceItems, segments }) {
  const table = tables.get(name);
  if (!table?.counts) return { error: `no sink table ${name}` };
  const counts = table.counts;
  let distinct = 0;
  let saturated = 0;
  for (let i = 0; i < counts.length; i++) {
    if (counts[i] > 0) distinct++;
    if (counts[i] === 255) saturated++;
  }
  const result = { puts: table.puts, distinct, saturated, outOfRange: table.outOfRange, anomalies };
  if (table.sample !== undefined) result.sample = table.sample;
  if (sourceItems && segments) {
    result.perSegment = Array.from({ length: segments }, (_, segment) => {
      const low = Math.floor((segment * sourceItems) / segments);
      const high = Math.floor(((segment + 1) * sourceItems) / segments);
      let writes = 0;
      let missing = 0;
      for (let i = low; i < high; i++) {
        writes += counts[i];
        if (counts[i] === 0) missing++;
      }
      return { items: high - low, writes, recopied: writes - (high - low - missing), missing };
    });
  }
  return result;
}

function onMessage(message) {
  let reply;
  switch (message.type) {
    case 'define':
      for (const spec of message.tables) defineTable(spec);
      reply = { ok: true };
      break;
    case 'stats':
      reply = stats(message);
      reply.scan = { ...scanStats, totalSegments: [...scanStats.totalSegments] };
      break;
    case 'reset': {
      const table = tables.get(message.table);
      if (table?.counts) table.counts.fill(0);
      if (table) table.puts = 0;
      scanStats.pages = 0;
      scanStats.items = 0;
      scanStats.maxLimit = 0;
      scanStats.totalSegments.clear();
      reply = { ok: true };
      break;
    }
    case 'usage': {
      const usage = process.resourceUsage();
      reply = { cpuMs: (usage.userCPUTime + usage.systemCPUTime) / 1000, maxRssKb: usage.maxRSS };
      break;
    }
    default:
      reply = { error: `unknown message ${message.type}` };
  }
  process.send({ ...reply, id: message.id });
}

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    try {
      handle(req, res, chunks.length === 1 ? chunks[0] : Buffer.concat(chunks));
    } catch (err) {
      error(res, 500, 'com.amazon.coral.service#InternalFailure', String(err));
    }
  });
});
server.keepAliveTimeout = 120_000;
server.headersTimeout = 121_000;
server.listen(0, '127.0.0.1', () => {
  process.on('message', onMessage);
  process.send({ type: 'ready', port: server.address().port });
});
// The parent's death (or disconnect) ends the stub.
process.on('disconnect', () => process.exit(0));
