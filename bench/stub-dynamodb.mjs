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
 * - a sink table `{ name, sink: true, capacity, itemBytes, sample, exact }` takes BatchWriteItem and
 *   stores nothing, but checks what it receives as DynamoDB would and counts only what passes: every
 *   body is parsed (JSON.parse); a body that is not JSON gets 400 SerializationException, and one whose
 *   shape DynamoDB would refuse gets 400 ValidationException with nothing counted (DynamoDB writes
 *   none of a refused batch): no RequestItems, a table that is not a sink, more than 25 requests, a
 *   request that is not exactly one PutRequest or DeleteRequest, an Item that is not a map of
 *   AttributeValues (each exactly one of the DynamoDB types), a key that is missing, not `{ "S": ... }`
 *   or not of the bench's format (`i` + nine digits), the same key twice. Each valid put is counted per
 *   item index, so lost and re-copied items can be counted exactly (an index past `capacity` counts as
 *   out of range, never as copied). With `exact` (the default), every item of one body in 16 is also
 *   compared attribute by attribute with the source item of its key (bench/lib/items.mjs); those that
 *   differ are counted (`differing`): for copies that should change nothing (masked copies set
 *   `exact: false`). ConsumedCapacity is 1 WCU per started KB of `itemBytes` per item. With
 *   `sample: true` it keeps the body of the first BatchWriteItem, which `stats` returns, so what was
 *   written (e.g. masked values) can be checked.
 * DescribeTable (ACTIVE, on-demand, `pk` HASH, ItemCount, TableSizeBytes) and DescribeTimeToLive
 * (disabled) answer for both; DescribeContinuousBackups, tags and everything else get
 * UnknownOperationException, as from DynamoDB Local.
 *
 * Every request's SigV4 signature is checked first, against the keys the parent declared (`trust`),
 * with test/harness/sigv4-check.mjs (node:crypto; not the SDK's signer, which the clients sign with):
 * a bad signature gets 400 InvalidSignatureException, an unknown key UnrecognizedClientException, as
 * from DynamoDB, and nothing else happens. Keys declared `proxied` are those whose requests come
 * through the bench's fault proxy (rows 3 and 5): it checks their signatures with the same code
 * before it rewrites host and body, so the stub leaves their check to it (and counts them). What the checks cost: `usage` reports this process's CPU,
 * which the bench sets beside the client's (row 1). Measured on 2 shared cores (load average ~10,
 * ddbcopy copying 200,000 items, 2026-12-01): the stub used 2.4 – 2.7 CPU-s per 100,000 items with
 * the checks and 1.05 – 1.2 without (the stub before them), the client 4.2 – 5.3. Most of the
 * difference is JSON.parse of every BatchWriteItem body (~30 KB, ~120 µs each: ~0.5 CPU-s per 100k)
 * and the garbage it leaves; SHA-256 of the body and the HMACs ~0.1. So at 40,000 items/s the stub
 * needs about one core, not half of one: on a 2-core machine it competes with the client for the
 * cores, which row 1's budget line takes into account (budget = cores − the stub's measured share).
 *
 * IPC: `define`, `trust` ({ keys: { accessKeyId: secret }, proxied }: the keys it accepts signatures of),
 * `stats` ({ table, sourceItems, segments } → puts, distinct, per-segment re-copies and misses, and
 * the requests refused so far, of every table, by error type), `reset` ({ table }), `usage` (this
 * process's CPU and RSS, the requests refused and the signatures checked so far); every request
 * carries an `id` and is answered with the same `id`.
 */
import http from 'node:http';
import { verifySigV4 } from '../test/harness/sigv4-check.mjs';
import {
  ITEM_POOL_SIZE,
  indexOfKey,
  itemJson,
  itemWireLength,
  KEY_ATTRIBUTE,
  KEY_DIGITS,
  KEY_PREFIX,
  keyOf,
  writeItem,
  writeUnitsPerItem,
} from './lib/items.mjs';

const SCAN_PAGE_BYTES = 1024 * 1024;
const JSON_TYPE = 'application/x-amz-json-1.0';
const TARGET_PREFIX = 'DynamoDB_20120810.';
const REGION = /Credential=[^/]+\/\d{8}\/([^/]+)\//;
const CREDENTIAL = /Credential=([^/,\s]+)\//;
const VALIDATION = 'com.amazon.coral.validate#ValidationException';
const SERIALIZATION = 'com.amazon.coral.service#SerializationException';
/** DynamoDB's limit on the requests of one BatchWriteItem, all tables together. */
const BATCH_WRITE_MAX_REQUESTS = 25;
/** The AttributeValue members; a value is an object with exactly one of them. */
const ATTRIBUTE_TYPES = new Set(['S', 'N', 'B', 'BOOL', 'NULL', 'M', 'L', 'SS', 'NS', 'BS']);
const KEY_FORMAT = new RegExp(`^${KEY_PREFIX}\\d{${KEY_DIGITS}}$`);
/** With `exact`, one BatchWriteItem body in this many has every item compared with the source's. */
const EXACT_EVERY = 16;

/** name -> table */
const tables = new Map();
const scanStats = { pages: 0, items: 0, maxLimit: 0, totalSegments: new Set() };
/** access key id -> secret: the keys whose signatures the stub accepts (`trust`). */
const secrets = new Map();
/**
 * Keys whose requests reach the stub through the bench's fault proxy (`trust` with `proxied`), which
 * checks their signatures itself (the same sigv4-check.mjs) and then changes host and body (it cuts a
 * throttled batch to what fits), so that no signature could verify here: their check is the proxy's.
 */
const proxied = new Set();
let signaturesLeftToProxy = 0;
/** Requests refused, by the error type answered; and requests whose signature was checked. */
const refused = {};
let signaturesChecked = 0;
let requestCount = 0;

function defineTable(spec) {
  const table = {
    name: spec.name,
    items: spec.items ?? 0,
    itemBytes: spec.itemBytes ?? 1000,
    sink: spec.sink === true,
    counts: spec.sink ? new Uint8Array(spec.capacity ?? 0) : undefined,
    puts: 0,
    deletes: 0,
    outOfRange: 0,
    sample: spec.sample === true ? null : undefined,
    exact: spec.exact !== false,
    bodies: 0,
    compared: 0,
    differing: 0,
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
  const name = type.slice(type.indexOf('#') + 1);
  refused[name] = (refused[name] ?? 0) + 1;
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

/**
 * One BatchWriteItem, checked as DynamoDB checks it: the parsed request, or a string saying why
 * DynamoDB would refuse it (nothing of a refused batch is written). Returns the sink tables and, per
 * table, the item indexes of its puts and the number of its deletes.
 */
function checkBatchWrite(request) {
  const requestItems = request?.RequestItems;
  if (!isObject(requestItems) || Object.keys(requestItems).length === 0)
    return "1 validation error detected: Value null at 'requestItems' failed to satisfy constraint: Member must not be null";
  const writes = [];
  let requests = 0;
  for (const [name, list] of Object.entries(requestItems)) {
    const table = tables.get(tableName(name));
    if (!table?.sink) return { notFound: name };
    if (!Array.isArray(list) || list.length === 0)
      return `1 validation error detected: Value at 'requestItems.${name}.member' failed to satisfy constraint: Member must have length greater than or equal to 1`;
    requests += list.length;
    if (requests > BATCH_WRITE_MAX_REQUESTS)
      return `Too many items requested for the BatchWriteItem call (more than ${BATCH_WRITE_MAX_REQUESTS})`;
    const indexes = [];
    const seen = new Set();
    let deletes = 0;
    for (const entry of list) {
      if (!isObject(entry) || (entry.PutRequest === undefined) === (entry.DeleteRequest === undefined))
        return 'A WriteRequest must hold exactly one of PutRequest and DeleteRequest';
      const item = entry.PutRequest ? entry.PutRequest.Item : entry.DeleteRequest.Key;
      if (!isObject(item)) return 'One or more parameter values were invalid: Item is missing';
      for (const attribute in item) {
        const why = attributeProblem(item[attribute]);
        if (why) return `One or more parameter values were invalid: ${attribute}: ${why}`;
      }
      const key = item[KEY_ATTRIBUTE];
      if (key === undefined)
        return `One or more parameter values were invalid: Missing the key ${KEY_ATTRIBUTE} in the item`;
      if (typeof key.S !== 'string')
        return 'One or more parameter values were invalid: Type mismatch for key pk expected: S';
      if (!KEY_FORMAT.test(key.S))
        return `the stub's items have keys ${KEY_PREFIX} + ${KEY_DIGITS} digits, not ${JSON.stringify(key.S)}`;
      if (seen.has(key.S)) return 'Provided list of item keys contains duplicates';
      seen.add(key.S);
      if (entry.PutRequest) indexes.push({ index: indexOfKey(key.S), item });
      else deletes++;
    }
    writes.push({ table, indexes, deletes });
  }
  return writes;
}

function isObject(value) {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Why `value` is not an AttributeValue (exactly one member, of the type it names), or undefined. */
function attributeProblem(value) {
  if (!isObject(value)) return 'not an AttributeValue';
  let type;
  for (const member in value) {
    if (type !== undefined || !ATTRIBUTE_TYPES.has(member))
      return 'Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes';
    type = member;
  }
  const inner = value[type];
  switch (type) {
    case undefined:
      return 'Supplied AttributeValue is empty, must contain exactly one of the supported datatypes';
    case 'S':
    case 'N':
    case 'B':
      return typeof inner === 'string' ? undefined : `${type} is not a string`;
    case 'BOOL':
    case 'NULL':
      return typeof inner === 'boolean' ? undefined : `${type} is not a boolean`;
    case 'M':
      if (!isObject(inner)) return 'M is not a map';
      for (const name in inner) {
        const why = attributeProblem(inner[name]);
        if (why) return why;
      }
      return undefined;
    case 'L':
      if (!Array.isArray(inner)) return 'L is not a list';
      for (const element of inner) {
        const why = attributeProblem(element);
        if (why) return why;
      }
      return undefined;
    default:
      if (!Array.isArray(inner) || inner.length === 0) return `An ${type} may not be empty`;
      return inner.every((element) => typeof element === 'string') ? undefined : `${type} holds a non-string`;
  }
}

/** The source items (all but the key) as parsed objects, per item size: the `exact` check's reference. */
const parsedBodies = new Map();

function sourceItem(index, itemBytes) {
  let bodies = parsedBodies.get(itemBytes);
  if (!bodies) {
    bodies = new Array(ITEM_POOL_SIZE);
    parsedBodies.set(itemBytes, bodies);
  }
  const variant = index % ITEM_POOL_SIZE;
  bodies[variant] ??= JSON.parse(itemJson(variant, itemBytes));
  return bodies[variant];
}

/** Deep equality of two parsed JSON values, the order of object members aside. */
function sameJson(a, b) {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) return a.length === b.length && a.every((value, i) => sameJson(value, b[i]));
  const names = Object.keys(a);
  if (names.length !== Object.keys(b).length) return false;
  return names.every((name) => Object.hasOwn(b, name) && sameJson(a[name], b[name]));
}

/** Whether a written item is its source item: every attribute but the key, which found it. */
function isSourceItem(item, index, itemBytes) {
  const expected = sourceItem(index, itemBytes);
  const names = Object.keys(item);
  if (names.length !== Object.keys(expected).length) return false;
  for (const name of names) {
    if (name === KEY_ATTRIBUTE) continue;
    if (!Object.hasOwn(expected, name) || !sameJson(item[name], expected[name])) return false;
  }
  return true;
}

/** Parses and checks one BatchWriteItem; counts its valid puts per item index, or refuses it whole. */
function batchWriteItem(res, body) {
  let request;
  try {
    request = JSON.parse(body.toString('utf8'));
  } catch {
    return error(res, 400, SERIALIZATION, 'Malformed JSON: the request body could not be parsed');
  }
  const writes = checkBatchWrite(request);
  if (typeof writes === 'string') return error(res, 400, VALIDATION, writes);
  if (writes.notFound !== undefined) return notFound(res, writes.notFound);
  let units = 0;
  const capacity = [];
  for (const { table, indexes, deletes } of writes) {
    if (table.sample === null) table.sample = body.toString('utf8');
    const compare = table.exact && table.bodies++ % EXACT_EVERY === 0;
    for (const { index, item } of indexes) {
      if (index < table.counts.length) {
        if (table.counts[index] < 255) table.counts[index]++;
      } else {
        table.outOfRange++;
      }
      if (compare) {
        table.compared++;
        if (!isSourceItem(item, index, table.itemBytes)) table.differing++;
      }
    }
    table.puts += indexes.length;
    table.deletes += deletes;
    const tableUnits = (indexes.length + deletes) * writeUnitsPerItem(table.itemBytes);
    units += tableUnits;
    capacity.push({ TableName: table.name, CapacityUnits: tableUnits });
  }
  const wantsCapacity =
    request.ReturnConsumedCapacity === 'TOTAL' || request.ReturnConsumedCapacity === 'INDEXES';
  send(
    res,
    200,
    wantsCapacity
      ? JSON.stringify({ UnprocessedItems: {}, ConsumedCapacity: capacity })
      : '{"UnprocessedItems":{}}',
  );
  return units;
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
  const result = {
    puts: table.puts,
    deletes: table.deletes,
    distinct,
    saturated,
    outOfRange: table.outOfRange,
    compared: table.compared,
    differing: table.differing,
    refused: { ...refused },
    signaturesChecked,
    signaturesLeftToProxy,
  };
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
    case 'trust':
      for (const [accessKeyId, secret] of Object.entries(message.keys)) {
        secrets.set(accessKeyId, secret);
        if (message.proxied) proxied.add(accessKeyId);
      }
      reply = { ok: true };
      break;
    case 'stats':
      reply = stats(message);
      reply.scan = { ...scanStats, totalSegments: [...scanStats.totalSegments] };
      break;
    case 'reset': {
      const table = tables.get(message.table);
      if (table?.counts) table.counts.fill(0);
      if (table) {
        table.puts = 0;
        table.deletes = 0;
        table.outOfRange = 0;
        table.compared = 0;
        table.differing = 0;
      }
      scanStats.pages = 0;
      scanStats.items = 0;
      scanStats.maxLimit = 0;
      scanStats.totalSegments.clear();
      reply = { ok: true };
      break;
    }
    case 'usage': {
      const usage = process.resourceUsage();
      reply = {
        cpuMs: (usage.userCPUTime + usage.systemCPUTime) / 1000,
        maxRssKb: usage.maxRSS,
        refused: { ...refused },
        signaturesChecked,
        signaturesLeftToProxy,
      };
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
      const body =
        chunks.length === 1 ? chunks[0] : chunks.length === 0 ? Buffer.alloc(0) : Buffer.concat(chunks);
      // As DynamoDB: the signature first; a request that fails it does nothing.
      if (proxied.has(CREDENTIAL.exec(req.headers.authorization ?? '')?.[1])) {
        signaturesLeftToProxy++;
      } else {
        signaturesChecked++;
        const verdict = verifySigV4(
          { method: req.method, url: req.url, headers: req.headers, body },
          (accessKeyId) => secrets.get(accessKeyId),
        );
        if (!verdict.valid)
          return error(res, 400, `com.amazon.coral.service#${verdict.type}`, verdict.message);
      }
      handle(req, res, body);
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
