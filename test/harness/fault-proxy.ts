/**
 * A fault-injecting HTTP proxy in front of DynamoDB Local, for tests.
 *
 * It emulates what real DynamoDB does to a client under load and DynamoDB Local never does (the
 * research note: Local never throttles and never leaves items unprocessed, even at 1 WCU):
 * - throttling (`ProvisionedThroughputExceededException`, `ThrottlingException`), chosen at random
 *   or by a provisioned-capacity simulation: a token bucket per account, region and table, with
 *   DynamoDB's cost rounding, that cuts BatchWriteItem to the prefix that fits as DynamoDB does;
 * - partial BatchWriteItem answers: the items returned in `UnprocessedItems` are really not written;
 * - 500/503, connections reset before the request is applied or after it is (response cut short),
 *   added latency;
 * - expired session credentials, with the fake STS's `CredentialRegistry`: a session key maps back
 *   to its role's DynamoDB Local "account" key id (Local keeps data per key id, and each refresh
 *   brings a new key), and stops working once the registry says it expired.
 * DynamoDB Streams requests (`X-Amz-Target: DynamoDBStreams_20120810.*`, which DynamoDB Local serves on
 * the same port) pass through too, named by their operation (`GetRecords`, ...). They get random faults
 * only when a test names them in `onlyOperations` (`STREAM_OPERATIONS`); a random throttle is then
 * LimitExceededException, as Streams sends, and `expireIterators(n)` answers GetRecords with
 * ExpiredIteratorException.
 * It also emulates the control-plane APIs DynamoDB Local lacks (it answers UnknownOperationException):
 * tags (`TagResource`, `UntagResource`, `ListTagsOfResource`) and point-in-time recovery
 * (`UpdateContinuousBackups`, `DescribeContinuousBackups`), kept in memory per account, region and
 * table, so a copy's late settings can be checked end to end.
 *
 * Random faults come from a seeded PRNG (mulberry32), so a run repeats with the same seed as long as
 * requests arrive in the same order.
 *
 * DynamoDB Local never checks signatures. The proxy does, by default, as DynamoDB would: every
 * request's SigV4 signature is recomputed from the request as received (`sigv4-check.mjs`, node:crypto,
 * not the SDK's signer) before any fault or forwarding, and a bad one is answered 400
 * `InvalidSignatureException`, so every test whose traffic goes through a proxy checks ddbcopy's
 * signing. By default the proxy knows the secret of every account `newAccount` made in the test's
 * process (`localAccountSecret`) and of every session key its `credentials` registry issued; a test
 * may pass its own lookup, or `verifySignatures: false` (with a comment why) to send unsigned or
 * deliberately mis-signed requests that must reach DynamoDB Local. The access key id in `Authorization`
 * is rewritten to the session's account only afterwards, for DynamoDB Local, which is why that rewrite
 * needs no re-signing.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import zlib from 'node:zlib';
import { seededRandom } from '../../src/runtime/seeded-random.js';
import { localAccountSecret } from './account-secrets.mjs';
import type { CredentialRegistry } from './fake-sts.js';
import { type SecretLookup, verifySigV4 } from './sigv4-check.mjs';

/** Operations that get random faults unless `onlyOperations` says otherwise: the data plane. */
export const DATA_PLANE_OPERATIONS: ReadonlySet<string> = new Set([
  'Scan',
  'BatchWriteItem',
  'GetItem',
  'Query',
  'PutItem',
]);

/**
 * DynamoDB Streams' operations. Not in DATA_PLANE_OPERATIONS, so they get random faults only when a
 * test names them in `onlyOperations`.
 */
export const STREAM_OPERATIONS: ReadonlySet<string> = new Set([
  'DescribeStream',
  'GetShardIterator',
  'GetRecords',
  'ListStreams',
]);

/** Operations the proxy answers itself when `emulateControlPlane` is on. */
export const EMULATED_OPERATIONS: ReadonlySet<string> = new Set([
  'TagResource',
  'UntagResource',
  'ListTagsOfResource',
  'UpdateContinuousBackups',
  'DescribeContinuousBackups',
]);

export interface CapacityLimits {
  readUnitsPerSecond?: number;
  writeUnitsPerSecond?: number;
}

export interface FaultSettings {
  seed: number;
  /**
   * Probability that a request gets a throttling error (half ProvisionedThroughputExceeded, half
   * Throttling; LimitExceededException for streams operations, as Streams throttles).
   */
  throttleRate: number;
  /** Probability that a BatchWriteItem leaves a random non-empty subset of its items unprocessed. */
  partialBatchRate: number;
  /** Probability of a 500 InternalFailure or 503 ServiceUnavailableException (half each). */
  serverErrorRate: number;
  /** Probability that the connection is destroyed before the request is forwarded: nothing applied. */
  resetBeforeRate: number;
  /** Probability that the request is applied, then the response is cut off half way and the connection destroyed. */
  resetAfterRate: number;
  /** Delay added to every request, uniform in [min, max] ms. */
  latencyMs: readonly [number, number] | undefined;
  /** Operations that get the random faults above (capacity simulation applies regardless). */
  onlyOperations: ReadonlySet<string>;
  /**
   * Provisioned capacity per (account, region, table), GSI reads charged to the table; changing it
   * refills every bucket.
   */
  capacity: CapacityLimits | undefined;
  /** Session keys from the fake STS: mapped to their account, refused once expired. */
  credentials: CredentialRegistry | undefined;
  emulateControlPlane: boolean;
  /** Operations answered with AccessDeniedException, as for a role whose policy lacks them. */
  deny: ReadonlySet<string>;
  /**
   * Every request's SigV4 signature is checked before anything else, with the secret this gives its
   * access key id; a bad signature, a body that is not what x-amz-content-sha256 says, or an unknown key
   * is answered as DynamoDB does. Undefined (the default): the secrets of the accounts `newAccount` made
   * and of the `credentials` registry's session keys. A lookup (`secretsOf(accounts, registry)` in
   * sigv4-verify.ts) knows only the keys it names. `false`: no check, for a test that sends unsigned or
   * badly signed requests on purpose.
   */
  verifySignatures: SecretLookup | false | undefined;
}

export type FaultProxyOptions = Partial<Omit<FaultSettings, 'onlyOperations' | 'deny'>> & {
  onlyOperations?: Iterable<string>;
  deny?: Iterable<string>;
};

export interface StartFaultProxyOptions extends FaultProxyOptions {
  /** The real endpoint behind the proxy, e.g. `inject('ddbEndpoint')`. */
  upstream: string;
}

export interface FaultCounters {
  /** Every throttling error answered: random ones and capacity ones. */
  throttled: number;
  /** BatchWriteItem answers with a non-empty UnprocessedItems (random or capacity). */
  partialBatches: number;
  unprocessedItemsReturned: number;
  serverErrors: number;
  resetsBefore: number;
  resetsAfter: number;
  expiredTokens: number;
  /** Throttling errors from the capacity simulation (also counted in `throttled`). */
  capacityThrottles: number;
  /** Requests whose signature was checked (all, unless `verifySignatures: false`), good or bad. */
  signaturesChecked: number;
  /** Requests refused for their signature: InvalidSignature, UnrecognizedClient, a missing or malformed one. */
  signatureRejections: number;
  /** GetRecords answered ExpiredIteratorException by `expireIterators`. */
  expiredIterators: number;
}

export interface FaultCounts extends FaultCounters {
  /** Requests seen per operation (`X-Amz-Target` without its prefix), faulted or not. */
  requests: Record<string, number>;
  /** Requests seen per table (by `TableName`, or the tables of a batch's `RequestItems`). */
  requestsByTable: Record<string, number>;
}

export interface WriteLogEntry {
  /**
   * `performance.now()` when the write was charged and forwarded (the moment the capacity simulation
   * counts); only writes DynamoDB Local then acknowledged are logged.
   */
  at: number;
  operation: 'BatchWriteItem' | 'PutItem';
  table: string;
  /** The account key id the write landed in (after any session-key mapping). */
  account: string;
  region: string;
  /** By the proxy's item size estimate (`itemSizeBytes`), DynamoDB's 1 KB rounding per item. */
  writeUnits: number;
  items: number;
}

export interface RejectedSignature {
  operation: string;
  accessKeyId: string | undefined;
  /** The error type answered, e.g. `InvalidSignatureException`. */
  type: string;
  reason: string;
}

export interface FaultProxy {
  /** `http://127.0.0.1:PORT`. */
  readonly endpoint: string;
  configure(options: FaultProxyOptions): void;
  settings(): Readonly<FaultSettings>;
  counts(): FaultCounts;
  /** Every BatchWriteItem/PutItem that reached DynamoDB Local and succeeded, in order. */
  writeLog(): WriteLogEntry[];
  /** Every request refused for its signature since the last reset, with what did not match. */
  rejectedSignatures(): RejectedSignature[];
  /** Zeroes the counters and empties the write log; capacity buckets and emulated state stay. */
  reset(): void;
  /**
   * Answers the next `times` requests of `operation` with LimitExceededException, as AWS does when an
   * account has too many table operations in flight (500; 250 creations with indexes). A streams
   * operation (`GetRecords`, ...) gets Streams' own LimitExceededException: its throttling.
   */
  limitExceeded(operation: string, times: number): void;
  /**
   * Answers the next `times` GetRecords with ExpiredIteratorException, as Streams does for an iterator
   * older than 15 minutes (nothing is read: the iterator's records are still there for a new one).
   */
  expireIterators(times: number): void;
  close(): Promise<void>;
}

export async function startFaultProxy(options: StartFaultProxyOptions): Promise<FaultProxy> {
  const proxy = new FaultProxyServer(new URL(options.upstream), options);
  await proxy.listen();
  return proxy;
}

/** The highest write rate (units per second) over any `windowMs` window starting at a logged write. */
export function peakWriteUnitsPerSecond(log: readonly WriteLogEntry[], windowMs = 10_000): number {
  const entries = [...log].sort((a, b) => a.at - b.at);
  let peak = 0;
  let units = 0;
  let end = 0;
  for (let start = 0; start < entries.length; start++) {
    const from = entries[start]!.at;
    while (end < entries.length && entries[end]!.at < from + windowMs) units += entries[end++]!.writeUnits;
    peak = Math.max(peak, units);
    units -= entries[start]!.writeUnits;
  }
  return peak / (windowMs / 1000);
}

// --- DynamoDB wire format -------------------------------------------------------------------------

/** An attribute value as it travels in DynamoDB JSON (binary as base64). */
export interface WireValue {
  S?: string;
  N?: string;
  B?: string;
  SS?: string[];
  NS?: string[];
  BS?: string[];
  M?: WireItem;
  L?: WireValue[];
  BOOL?: boolean;
  NULL?: boolean;
}
export type WireItem = Record<string, WireValue>;
interface WireWriteRequest {
  PutRequest?: { Item?: WireItem };
  DeleteRequest?: { Key?: WireItem };
}

/**
 * An item's size by DynamoDB's published rule, approximately: UTF-8 bytes of each attribute name plus
 * its value (strings: UTF-8 bytes; numbers: 1 byte per 2 significant digits + 1; binary: raw bytes;
 * sets: the sum; maps and lists: 3 bytes + 1 per element + the elements; booleans and null: 1).
 * Within a few bytes of what DynamoDB charges, which is all the capacity rounding needs.
 */
export function itemSizeBytes(item: WireItem): number {
  let size = 0;
  for (const [name, value] of Object.entries(item)) size += Buffer.byteLength(name) + valueBytes(value);
  return size;
}

function valueBytes(value: WireValue): number {
  if (value.S !== undefined) return Buffer.byteLength(value.S);
  if (value.N !== undefined) return numberBytes(value.N);
  if (value.B !== undefined) return base64Bytes(value.B);
  if (value.SS) return value.SS.reduce((sum, s) => sum + Buffer.byteLength(s), 0);
  if (value.NS) return value.NS.reduce((sum, n) => sum + numberBytes(n), 0);
  if (value.BS) return value.BS.reduce((sum, b) => sum + base64Bytes(b), 0);
  if (value.M) return 3 + Object.keys(value.M).length + itemSizeBytes(value.M);
  if (value.L) return 3 + value.L.reduce((sum, v) => sum + 1 + valueBytes(v), 0);
  return 1;
}

function numberBytes(n: string): number {
  const digits = n
    .replace(/[eE].*$/, '')
    .replace(/[^0-9]/g, '')
    .replace(/^0+/, '')
    .replace(/0+$/, '');
  return Math.ceil(Math.max(digits.length, 1) / 2) + 1;
}

function base64Bytes(b: string): number {
  const padding = b.endsWith('==') ? 2 : b.endsWith('=') ? 1 : 0;
  return Math.floor((b.length * 3) / 4) - padding;
}

/** WCU of one write: 1 per started KB. A delete is charged 1, as its item's size is not known here. */
function writeUnits(write: WireWriteRequest): number {
  const item = write.PutRequest?.Item;
  return item ? Math.max(1, Math.ceil(itemSizeBytes(item) / 1024)) : 1;
}

/** RCU of a read returning `bytes` of items: per started 4 KB, half when eventually consistent. */
function readUnits(bytes: number, consistent: boolean): number {
  return Math.max(1, Math.ceil(bytes / 4096)) * (consistent ? 1 : 0.5);
}

/** The tables a request names: its `TableName`, or the keys of a batch's `RequestItems`. */
function tablesOf(body: Buffer): string[] {
  let request: unknown;
  try {
    request = JSON.parse(body.toString('utf8'));
  } catch {
    return [];
  }
  if (!isRecord(request)) return [];
  if (typeof request.TableName === 'string') return [tableNameOf(request.TableName)];
  if (isRecord(request.RequestItems)) return Object.keys(request.RequestItems).map(tableNameOf);
  return [];
}

/** `TableName` may be a table ARN; DynamoDB Local's ARNs all look like arn:aws:dynamodb:ddblocal:000000000000:table/NAME. */
function tableNameOf(nameOrArn: string): string {
  return TABLE_ARN.exec(nameOrArn)?.[1] ?? nameOrArn;
}
const TABLE_ARN = /^arn:[^:]+:dynamodb:[^:]*:[^:]*:table\/([^/]+)$/;

// --- Answers --------------------------------------------------------------------------------------

interface Answer {
  status: number;
  headers: http.OutgoingHttpHeaders;
  body: Buffer;
  /** True when the request was processed (by DynamoDB Local or the emulation): a reset after it then makes sense. */
  forwarded: boolean;
}

const JSON_CONTENT_TYPE = 'application/x-amz-json-1.0';
const DYNAMODB = 'com.amazonaws.dynamodb.v20120810';

const PROVISIONED_THROUGHPUT_EXCEEDED = {
  __type: `${DYNAMODB}#ProvisionedThroughputExceededException`,
  message:
    'The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.',
};
const THROTTLING = {
  __type: 'com.amazon.coral.availability#ThrottlingException',
  message: 'Rate of requests exceeds the allowed throughput.',
};
const INTERNAL_FAILURE = { __type: 'com.amazon.coral.service#InternalFailure' };
const SERVICE_UNAVAILABLE = { __type: 'com.amazon.coral.availability#ServiceUnavailableException' };
/** The shape of DynamoDB's AccessDeniedException for a caller whose policy lacks the action. */
function accessDenied(operation: string, account: string): object {
  return {
    __type: 'com.amazon.coral.service#AccessDeniedException',
    Message: `User: arn:aws:sts::000000000000:assumed-role/test/${account} is not authorized to perform: dynamodb:${operation} on resource: arn:aws:dynamodb:us-east-1:000000000000:table/x because no identity-based policy allows the dynamodb:${operation} action`,
  };
}

const EXPIRED_TOKEN = {
  __type: 'com.amazon.coral.service#ExpiredTokenException',
  message: 'The security token included in the request is expired',
};
const LIMIT_EXCEEDED = {
  __type: `${DYNAMODB}#LimitExceededException`,
  message: 'Subscriber limit exceeded: Only 10 tables can be created, updated, or deleted simultaneously',
};
/** What DynamoDB Streams answers a throttled call (it also covers more than 2 readers of one shard). */
const STREAM_LIMIT_EXCEEDED = {
  __type: `${DYNAMODB}#LimitExceededException`,
  message: 'Your request rate is too high. Reduce the frequency of requests and use exponential backoff.',
};
const EXPIRED_ITERATOR = {
  __type: `${DYNAMODB}#ExpiredIteratorException`,
  message: 'Iterator expired. The iterator was created more than 15 minutes ago.',
};
const UNRECOGNIZED_CLIENT = {
  __type: `${DYNAMODB}#UnrecognizedClientException`,
  message: 'The security token included in the request is invalid.',
};

// zlib.crc32 arrived in Node 20.15; the table version covers older Node 20 releases.
const crc32: (data: Buffer) => number =
  typeof zlib.crc32 === 'function' ? (data) => zlib.crc32(data) : tableCrc32;

let crcTable: Uint32Array | undefined;
function tableCrc32(data: Buffer): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (const byte of data) crc = crcTable[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function jsonAnswer(status: number, payload: unknown): Answer {
  const body = Buffer.from(JSON.stringify(payload), 'utf8');
  return {
    status,
    // Real DynamoDB sends the CRC32 of every JSON body; botocore (the AWS CLI) checks it.
    headers: {
      'content-type': JSON_CONTENT_TYPE,
      'x-amzn-requestid': randomUUID(),
      'x-amz-crc32': crc32(body),
    },
    body,
    forwarded: false,
  };
}

/** The same answer with a new JSON body; a CRC32 header, when upstream sent one, must match the new body. */
function withPayload(answer: Answer, payload: unknown): Answer {
  const body = Buffer.from(JSON.stringify(payload), 'utf8');
  const headers = { ...answer.headers };
  if (headers['x-amz-crc32'] !== undefined) headers['x-amz-crc32'] = crc32(body);
  return { ...answer, headers, body };
}

function validation(message: string): Answer {
  return jsonAnswer(400, { __type: 'com.amazon.coral.validate#ValidationException', message });
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// --- Proxy ----------------------------------------------------------------------------------------

interface RequestContext {
  operation: string;
  /** Access key id the request acts as upstream (a session key already mapped to its account). */
  account: string;
  region: string;
  method: string;
  path: string;
  headers: http.OutgoingHttpHeaders;
  body: Buffer;
  /** Random faults apply to this operation. */
  faulty: boolean;
}

interface EmulatedTable {
  tags: Map<string, string>;
  pitr: { enabled: boolean; recoveryPeriodInDays: number; enabledAt: number } | undefined;
}

/** Provisioned capacity with one second of burst, full at the start. */
class TokenBucket {
  private tokens: number;
  private last = performance.now();

  constructor(readonly perSecond: number) {
    this.tokens = perSecond;
  }

  available(): number {
    const now = performance.now();
    this.tokens = Math.min(this.perSecond, this.tokens + ((now - this.last) / 1000) * this.perSecond);
    this.last = now;
    return this.tokens;
  }

  /** How many of the costs, in order, the tokens cover. */
  affordablePrefix(costs: readonly number[]): number {
    let left = this.available();
    let count = 0;
    while (count < costs.length && costs[count]! <= left) left -= costs[count++]!;
    // An item costing more than a whole second of capacity would never fit; DynamoDB's burst
    // (5 minutes of unused capacity) lets it through, so a full bucket does too, going into debt.
    if (count === 0 && costs.length > 0 && this.tokens >= this.perSecond) return 1;
    return count;
  }

  take(units: number): void {
    this.available();
    this.tokens -= units;
  }

  refund(units: number): void {
    this.tokens = Math.min(this.perSecond, this.tokens + units);
  }
}

/** A request body larger than this is refused like DynamoDB refuses one over 16 MB: 413, empty body. */
const MAX_BODY_BYTES = 32 * 1024 * 1024;
const TARGET_PREFIX = 'DynamoDB_20120810.';
const STREAMS_TARGET_PREFIX = 'DynamoDBStreams_20120810.';
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'te',
  'trailer',
  'host',
  'content-length',
  'accept-encoding',
  'expect',
]);
const AUTHORIZATION = /Credential=([^/,\s]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request/;

const DEFAULT_SETTINGS: FaultSettings = {
  seed: 1,
  throttleRate: 0,
  partialBatchRate: 0,
  serverErrorRate: 0,
  resetBeforeRate: 0,
  resetAfterRate: 0,
  latencyMs: undefined,
  onlyOperations: DATA_PLANE_OPERATIONS,
  capacity: undefined,
  credentials: undefined,
  emulateControlPlane: true,
  deny: new Set(),
  verifySignatures: undefined,
};

/** Settings that `configure({ x: undefined })` turns off (`verifySignatures`: back to the default lookup). */
const CLEARABLE = new Set(['latencyMs', 'capacity', 'credentials', 'verifySignatures']);

function zeroCounters(): FaultCounters {
  return {
    throttled: 0,
    partialBatches: 0,
    unprocessedItemsReturned: 0,
    serverErrors: 0,
    resetsBefore: 0,
    resetsAfter: 0,
    expiredTokens: 0,
    capacityThrottles: 0,
    signaturesChecked: 0,
    signatureRejections: 0,
    expiredIterators: 0,
  };
}

class FaultProxyServer implements FaultProxy {
  endpoint = '';
  private current: FaultSettings = { ...DEFAULT_SETTINGS };
  private random: () => number = seededRandom(DEFAULT_SETTINGS.seed);
  private counters = zeroCounters();
  private readonly requests = new Map<string, number>();
  private readonly tableRequests = new Map<string, number>();
  private readonly limitLeft = new Map<string, number>();
  private expireLeft = 0;
  private log: WriteLogEntry[] = [];
  private rejections: RejectedSignature[] = [];
  private readonly buckets = new Map<string, TokenBucket>();
  private readonly tables = new Map<string, EmulatedTable>();
  private readonly sockets = new Set<Socket>();
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  private readonly server: http.Server;

  constructor(
    private readonly upstream: URL,
    options: FaultProxyOptions,
  ) {
    this.configure(options);
    this.server = http.createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        // A bug in the proxy, not an injected fault: make it loud, and answer like a server fault.
        console.error('[fault-proxy] failed to handle a request:', error);
        if (!res.headersSent)
          this.send(res, jsonAnswer(500, { ...INTERNAL_FAILURE, message: String(error) }));
        else res.destroy();
      });
    });
    // Longer than the SDK's idle sockets live, so a reused connection is never closed under a request
    // (a spurious reset the tests would blame on an injected fault).
    this.server.keepAliveTimeout = 120_000;
    this.server.headersTimeout = 121_000;
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => resolve());
    });
    this.endpoint = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  limitExceeded(operation: string, times: number): void {
    this.limitLeft.set(operation, times);
  }

  expireIterators(times: number): void {
    this.expireLeft = times;
  }

  configure(options: FaultProxyOptions): void {
    for (const key of [
      'throttleRate',
      'partialBatchRate',
      'serverErrorRate',
      'resetBeforeRate',
      'resetAfterRate',
    ] as const) {
      const rate = options[key];
      if (rate !== undefined && !(rate >= 0 && rate <= 1))
        throw new RangeError(`${key} must be in [0, 1]: ${rate}`);
    }
    const next: Record<string, unknown> = { ...this.current };
    for (const [key, value] of Object.entries(options)) {
      // An explicit undefined switches an optional setting off; other settings ignore it.
      if (
        key in DEFAULT_SETTINGS &&
        key !== 'onlyOperations' &&
        key !== 'deny' &&
        (value !== undefined || CLEARABLE.has(key))
      ) {
        next[key] = value;
      }
    }
    this.current = next as unknown as FaultSettings;
    if (options.onlyOperations !== undefined) this.current.onlyOperations = new Set(options.onlyOperations);
    if (options.deny !== undefined) this.current.deny = new Set(options.deny);
    if (options.seed !== undefined) this.random = seededRandom(options.seed);
    if ('capacity' in options) this.buckets.clear();
  }

  settings(): Readonly<FaultSettings> {
    return this.current;
  }

  counts(): FaultCounts {
    return {
      ...this.counters,
      requests: Object.fromEntries(this.requests),
      requestsByTable: Object.fromEntries(this.tableRequests),
    };
  }

  writeLog(): WriteLogEntry[] {
    return [...this.log];
  }

  rejectedSignatures(): RejectedSignature[] {
    return [...this.rejections];
  }

  reset(): void {
    this.counters = zeroCounters();
    this.requests.clear();
    this.tableRequests.clear();
    this.log = [];
    this.rejections = [];
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    await closed;
    this.agent.destroy();
  }

  /** The default lookup: the test process's local accounts, then the sessions the registry issued. */
  private readonly knownSecret: SecretLookup = (accessKeyId) =>
    localAccountSecret(accessKeyId) ?? this.current.credentials?.secretOf(accessKeyId);

  private chance(rate: number): boolean {
    return rate > 0 && this.random() < rate;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const body = await readBody(req);
    if (body === 'gone') return;
    if (body === 'too-large') {
      this.send(res, { status: 413, headers: {}, body: Buffer.alloc(0), forwarded: false });
      return;
    }
    const target = headerValue(req.headers['x-amz-target']) ?? '';
    const operation = target.startsWith(TARGET_PREFIX)
      ? target.slice(TARGET_PREFIX.length)
      : target.startsWith(STREAMS_TARGET_PREFIX)
        ? target.slice(STREAMS_TARGET_PREFIX.length)
        : target || 'unknown';
    this.requests.set(operation, (this.requests.get(operation) ?? 0) + 1);
    for (const table of tablesOf(body))
      this.tableRequests.set(table, (this.tableRequests.get(table) ?? 0) + 1);

    const verify = this.current.verifySignatures;
    if (verify !== false) {
      const secretOf = verify ?? this.knownSecret;
      // The request exactly as received: its raw headers (host and content-length are signed too).
      this.counters.signaturesChecked++;
      const verdict = verifySigV4(
        { method: req.method ?? 'POST', url: req.url ?? '/', headers: req.headers, body },
        secretOf,
      );
      if (!verdict.valid) {
        this.counters.signatureRejections++;
        const { accessKeyId, type, reason, message } = verdict;
        this.rejections.push({ operation, accessKeyId, type, reason });
        this.send(res, jsonAnswer(400, { __type: `com.amazon.coral.service#${type}`, message }));
        return;
      }
    }

    const headers: http.OutgoingHttpHeaders = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value;
    }
    const authorization = headerValue(req.headers.authorization) ?? '';
    const credential = AUTHORIZATION.exec(authorization);
    const accessKeyId = credential?.[1] ?? '';
    let account = accessKeyId;
    const registry = this.current.credentials;
    const issued = registry?.lookup(accessKeyId);
    if (registry && issued) {
      if (registry.isExpired(accessKeyId)) {
        this.counters.expiredTokens++;
        this.send(res, jsonAnswer(400, EXPIRED_TOKEN));
        return;
      }
      if (headerValue(req.headers['x-amz-security-token']) !== issued.sessionToken) {
        this.send(res, jsonAnswer(400, UNRECOGNIZED_CLIENT));
        return;
      }
      account = issued.accountKeyId;
      headers.authorization = authorization.replace(`Credential=${accessKeyId}/`, `Credential=${account}/`);
    }
    const ctx: RequestContext = {
      operation,
      account,
      region: credential?.[3] ?? '',
      method: req.method ?? 'POST',
      path: req.url ?? '/',
      headers,
      body,
      faulty: this.current.onlyOperations.has(operation),
    };

    if (this.current.deny.has(operation)) {
      this.send(res, jsonAnswer(400, accessDenied(operation, account)));
      return;
    }
    const limited = this.limitLeft.get(operation) ?? 0;
    if (limited > 0) {
      this.limitLeft.set(operation, limited - 1);
      this.send(
        res,
        jsonAnswer(400, STREAM_OPERATIONS.has(operation) ? STREAM_LIMIT_EXCEEDED : LIMIT_EXCEEDED),
      );
      return;
    }
    if (operation === 'GetRecords' && this.expireLeft > 0) {
      this.expireLeft--;
      this.counters.expiredIterators++;
      this.send(res, jsonAnswer(400, EXPIRED_ITERATOR));
      return;
    }

    const latency = this.current.latencyMs;
    if (latency) await delay(latency[0] + this.random() * Math.max(0, latency[1] - latency[0]));

    let resetAfter = false;
    if (ctx.faulty) {
      if (this.chance(this.current.resetBeforeRate)) {
        this.counters.resetsBefore++;
        req.socket.destroy();
        return;
      }
      if (this.chance(this.current.throttleRate)) {
        this.counters.throttled++;
        // Streams throttles with LimitExceededException; tables with either of two errors.
        const throttle = STREAM_OPERATIONS.has(operation)
          ? STREAM_LIMIT_EXCEEDED
          : this.random() < 0.5
            ? PROVISIONED_THROUGHPUT_EXCEEDED
            : THROTTLING;
        this.send(res, jsonAnswer(400, throttle));
        return;
      }
      if (this.chance(this.current.serverErrorRate)) {
        this.counters.serverErrors++;
        this.send(
          res,
          this.random() < 0.5 ? jsonAnswer(500, INTERNAL_FAILURE) : jsonAnswer(503, SERVICE_UNAVAILABLE),
        );
        return;
      }
      resetAfter = this.chance(this.current.resetAfterRate);
    }

    let answer: Answer;
    // After the random faults, so a test can fault the emulated APIs too by naming them in onlyOperations.
    if (this.current.emulateControlPlane && EMULATED_OPERATIONS.has(operation)) {
      answer = { ...(await this.emulate(ctx)), forwarded: true };
    } else {
      answer = await this.dispatch(ctx);
    }
    if (resetAfter && answer.forwarded) {
      this.counters.resetsAfter++;
      this.sendCutShort(res, answer);
    } else {
      this.send(res, answer);
    }
  }

  private async dispatch(ctx: RequestContext): Promise<Answer> {
    switch (ctx.operation) {
      case 'BatchWriteItem':
        return this.batchWriteItem(ctx);
      case 'PutItem':
        return this.putItem(ctx);
      case 'Scan':
      case 'Query':
      case 'GetItem':
        return this.read(ctx);
      default: {
        const answer = await this.forward(ctx);
        if (answer.status === 200) this.afterTableChange(ctx);
        return answer;
      }
    }
  }

  private send(res: http.ServerResponse, answer: Answer): void {
    if (res.destroyed) return;
    res.writeHead(answer.status, { ...answer.headers, 'content-length': answer.body.length });
    res.end(answer.body);
  }

  /** Status line, headers and half the body, then the connection dies: the client cannot know the outcome. */
  private sendCutShort(res: http.ServerResponse, answer: Answer): void {
    if (res.destroyed) return;
    res.writeHead(answer.status, { ...answer.headers, 'content-length': answer.body.length });
    res.write(answer.body.subarray(0, Math.floor(answer.body.length / 2)), () => res.destroy());
  }

  private forward(ctx: RequestContext, body: Buffer = ctx.body, retried = false): Promise<Answer> {
    return new Promise<Answer>((resolve, reject) => {
      const request = http.request(
        {
          protocol: this.upstream.protocol,
          hostname: this.upstream.hostname,
          port: this.upstream.port,
          method: ctx.method,
          path: ctx.path,
          agent: this.agent,
          // Identity encoding: answers the proxy rewrites must be plain JSON.
          headers: {
            ...ctx.headers,
            host: this.upstream.host,
            'accept-encoding': 'identity',
            'content-length': body.length,
          },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('error', reject);
          response.on('end', () => {
            const headers: http.OutgoingHttpHeaders = {};
            for (const [name, value] of Object.entries(response.headers)) {
              if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value;
            }
            resolve({
              status: response.statusCode ?? 502,
              headers,
              body: Buffer.concat(chunks),
              forwarded: true,
            });
          });
        },
      );
      request.on('error', (error: NodeJS.ErrnoException) => {
        // An idle keep-alive socket the upstream closed meanwhile: the request never reached it.
        if (request.reusedSocket && error.code === 'ECONNRESET' && !retried) {
          this.forward(ctx, body, true).then(resolve, reject);
        } else {
          reject(error);
        }
      });
      request.end(body);
    });
  }

  private bucket(ctx: RequestContext, table: string, kind: 'read' | 'write'): TokenBucket | undefined {
    const perSecond =
      kind === 'read'
        ? this.current.capacity?.readUnitsPerSecond
        : this.current.capacity?.writeUnitsPerSecond;
    if (perSecond === undefined) return undefined;
    const key = [ctx.account, ctx.region, tableNameOf(table), kind].join('\u0000');
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = new TokenBucket(perSecond);
      this.buckets.set(key, bucket);
    }
    return bucket;
  }

  private capacityThrottle(): Answer {
    this.counters.throttled++;
    this.counters.capacityThrottles++;
    return jsonAnswer(400, PROVISIONED_THROUGHPUT_EXCEEDED);
  }

  private logWrite(ctx: RequestContext, at: number, table: string, writeUnits: number, items: number): void {
    this.log.push({
      at,
      operation: ctx.operation as WriteLogEntry['operation'],
      table: tableNameOf(table),
      account: ctx.account,
      region: ctx.region,
      writeUnits,
      items,
    });
  }

  /**
   * Capacity first (the prefix of each table's writes that the tokens cover, as DynamoDB does), then
   * the random partial answer on what is left; only the kept writes are forwarded and charged, the
   * others come back in UnprocessedItems under the request's own table key.
   */
  private async batchWriteItem(ctx: RequestContext): Promise<Answer> {
    const request = parseJson(ctx.body);
    if (!isRecord(request) || !isRecord(request.RequestItems)) return this.forward(ctx);
    const tables: { key: string; writes: WireWriteRequest[]; costs: number[]; keep: boolean[] }[] = [];
    for (const [key, writes] of Object.entries(request.RequestItems)) {
      if (!Array.isArray(writes)) return this.forward(ctx);
      const typed = writes as WireWriteRequest[];
      const costs = typed.map(writeUnits);
      const bucket = this.bucket(ctx, key, 'write');
      const affordable = bucket ? bucket.affordablePrefix(costs) : typed.length;
      tables.push({ key, writes: typed, costs, keep: typed.map((_, index) => index < affordable) });
    }
    const kept = () =>
      tables.flatMap((table) => table.keep.flatMap((keep, index) => (keep ? [{ table, index }] : [])));
    const total = tables.reduce((sum, table) => sum + table.writes.length, 0);
    if (total > 0 && kept().length === 0) return this.capacityThrottle();

    if (ctx.faulty && this.chance(this.current.partialBatchRate)) {
      const candidates = kept();
      let remove = 1 + Math.floor(this.random() * candidates.length);
      while (remove-- > 0) {
        const pick = candidates.splice(Math.floor(this.random() * candidates.length), 1)[0]!;
        pick.table.keep[pick.index] = false;
      }
    }

    const charges = tables.map((table) => ({
      table,
      units: table.costs.reduce((sum, cost, index) => sum + (table.keep[index] ? cost : 0), 0),
      items: table.keep.filter(Boolean).length,
    }));
    for (const { table, units } of charges) this.bucket(ctx, table.key, 'write')?.take(units);
    const refund = () => {
      for (const { table, units } of charges) this.bucket(ctx, table.key, 'write')?.refund(units);
    };

    const keptCount = kept().length;
    const unprocessed: Record<string, WireWriteRequest[]> = {};
    for (const table of tables) {
      const left = table.writes.filter((_, index) => !table.keep[index]);
      if (left.length > 0) unprocessed[table.key] = left;
    }
    const unprocessedCount = total - keptCount;
    const countUnprocessed = () => {
      if (unprocessedCount === 0) return;
      this.counters.partialBatches++;
      this.counters.unprocessedItemsReturned += unprocessedCount;
    };

    if (keptCount === 0) {
      countUnprocessed();
      const wantsCapacity =
        request.ReturnConsumedCapacity === 'TOTAL' || request.ReturnConsumedCapacity === 'INDEXES';
      return jsonAnswer(200, {
        UnprocessedItems: unprocessed,
        ...(wantsCapacity
          ? {
              ConsumedCapacity: tables.map((table) => ({
                TableName: tableNameOf(table.key),
                CapacityUnits: 0,
              })),
            }
          : {}),
      });
    }

    const sentAt = performance.now();
    let answer: Answer;
    try {
      if (unprocessedCount === 0) {
        answer = await this.forward(ctx);
      } else {
        const requestItems: Record<string, WireWriteRequest[]> = {};
        for (const table of tables) {
          const keep = table.writes.filter((_, index) => table.keep[index]);
          if (keep.length > 0) requestItems[table.key] = keep;
        }
        answer = await this.forward(
          ctx,
          Buffer.from(JSON.stringify({ ...request, RequestItems: requestItems })),
        );
      }
    } catch (error) {
      refund();
      throw error;
    }
    if (answer.status !== 200) {
      refund();
      return answer;
    }
    for (const { table, units, items } of charges)
      if (items > 0) this.logWrite(ctx, sentAt, table.key, units, items);
    if (unprocessedCount === 0) return answer;

    // DynamoDB Local's ConsumedCapacity already covers only the forwarded writes, as AWS's would.
    const response = parseJson(answer.body);
    if (!isRecord(response)) return answer;
    const merged: Record<string, WireWriteRequest[]> = isRecord(response.UnprocessedItems)
      ? { ...(response.UnprocessedItems as Record<string, WireWriteRequest[]>) }
      : {};
    for (const [key, writes] of Object.entries(unprocessed))
      merged[key] = [...(merged[key] ?? []), ...writes];
    countUnprocessed();
    return withPayload(answer, { ...response, UnprocessedItems: merged });
  }

  private async putItem(ctx: RequestContext): Promise<Answer> {
    const request = parseJson(ctx.body);
    if (!isRecord(request) || typeof request.TableName !== 'string' || !isRecord(request.Item)) {
      return this.forward(ctx);
    }
    const table = request.TableName;
    const units = writeUnits({ PutRequest: { Item: request.Item as WireItem } });
    const bucket = this.bucket(ctx, table, 'write');
    if (bucket && bucket.affordablePrefix([units]) === 0) return this.capacityThrottle();
    bucket?.take(units);
    const sentAt = performance.now();
    let answer: Answer;
    try {
      answer = await this.forward(ctx);
    } catch (error) {
      bucket?.refund(units);
      throw error;
    }
    if (answer.status === 200) this.logWrite(ctx, sentAt, table, units, 1);
    else bucket?.refund(units);
    return answer;
  }

  /** Reads are charged after the fact, from what they returned, so a bucket may go into debt; in debt, the next read is throttled. */
  private async read(ctx: RequestContext): Promise<Answer> {
    if (this.current.capacity?.readUnitsPerSecond === undefined) return this.forward(ctx);
    const request = parseJson(ctx.body);
    if (!isRecord(request) || typeof request.TableName !== 'string') return this.forward(ctx);
    const bucket = this.bucket(ctx, request.TableName, 'read')!;
    if (bucket.available() < 0) return this.capacityThrottle();
    const answer = await this.forward(ctx);
    if (answer.status !== 200) return answer;
    const response = parseJson(answer.body);
    if (!isRecord(response)) return answer;
    const items = Array.isArray(response.Items)
      ? (response.Items as WireItem[])
      : isRecord(response.Item)
        ? [response.Item as WireItem]
        : [];
    const bytes = items.reduce((sum, item) => sum + itemSizeBytes(item), 0);
    bucket.take(readUnits(bytes, request.ConsistentRead === true));
    return answer;
  }

  // --- Emulated control plane -----------------------------------------------------------------------

  private tableKey(ctx: RequestContext, tableName: string): string {
    return [ctx.account, ctx.region, tableName].join('\u0000');
  }

  private emulatedTable(ctx: RequestContext, tableName: string): EmulatedTable {
    const key = this.tableKey(ctx, tableName);
    let table = this.tables.get(key);
    if (!table) {
      table = { tags: new Map(), pitr: undefined };
      this.tables.set(key, table);
    }
    return table;
  }

  /** A table's emulated settings live and die with the table: CreateTable's Tags seed them, DeleteTable drops them. */
  private afterTableChange(ctx: RequestContext): void {
    if (ctx.operation !== 'CreateTable' && ctx.operation !== 'DeleteTable') return;
    const request = parseJson(ctx.body);
    if (!isRecord(request) || typeof request.TableName !== 'string') return;
    const name = tableNameOf(request.TableName);
    this.tables.delete(this.tableKey(ctx, name));
    for (const kind of ['read', 'write'])
      this.buckets.delete([ctx.account, ctx.region, name, kind].join('\u0000'));
    if (ctx.operation === 'CreateTable' && Array.isArray(request.Tags) && request.Tags.length > 0) {
      const table = this.emulatedTable(ctx, name);
      for (const tag of request.Tags as { Key: string; Value: string }[]) table.tags.set(tag.Key, tag.Value);
    }
  }

  /** Asks DynamoDB Local, with the caller's own credentials, whether the table exists in its account. */
  private async tableExists(ctx: RequestContext, tableName: string): Promise<boolean | Answer> {
    const answer = await this.forward(
      { ...ctx, headers: { ...ctx.headers, 'x-amz-target': `${TARGET_PREFIX}DescribeTable` } },
      Buffer.from(JSON.stringify({ TableName: tableName })),
    );
    if (answer.status === 200) return true;
    if (answer.body.toString('utf8').includes('ResourceNotFoundException')) return false;
    return answer;
  }

  private async emulate(ctx: RequestContext): Promise<Answer> {
    const input = parseJson(ctx.body);
    if (!isRecord(input)) return validation('Start of structure or map found where not expected.');
    if (ctx.operation.endsWith('ContinuousBackups')) return this.emulateBackups(ctx, input);

    const arn = input.ResourceArn;
    if (typeof arn !== 'string') {
      return validation(
        "1 validation error detected: Value null at 'resourceArn' failed to satisfy constraint: Member must not be null",
      );
    }
    const name = TABLE_ARN.exec(arn)?.[1];
    if (!name) return validation(`Invalid TableArn: Invalid ResourceArn provided as input ${arn}`);
    const exists = await this.tableExists(ctx, name);
    if (exists !== true) {
      return exists === false
        ? jsonAnswer(400, {
            __type: `${DYNAMODB}#ResourceNotFoundException`,
            message: `Requested resource not found: ResourcArn: ${arn} not found`,
          })
        : exists;
    }
    const table = this.emulatedTable(ctx, name);
    switch (ctx.operation) {
      case 'TagResource': {
        const tags = input.Tags;
        if (!Array.isArray(tags) || tags.length === 0) {
          return validation(
            "1 validation error detected: Value '[]' at 'tags' failed to satisfy constraint: Member must have length greater than or equal to 1",
          );
        }
        const next = new Map(table.tags);
        for (const tag of tags as unknown[]) {
          if (!isRecord(tag) || typeof tag.Key !== 'string' || typeof tag.Value !== 'string') {
            return validation(
              'One or more parameter values were invalid: a tag needs a string Key and Value',
            );
          }
          if (tag.Key.length < 1 || tag.Key.length > 128 || tag.Value.length > 256) {
            return validation(`One or more parameter values were invalid: tag ${tag.Key} is too long`);
          }
          next.set(tag.Key, tag.Value);
        }
        if (next.size > 50)
          return validation('One or more parameter values were invalid: Too many tags (at most 50)');
        table.tags = next;
        return jsonAnswer(200, {});
      }
      case 'UntagResource': {
        if (!Array.isArray(input.TagKeys)) {
          return validation(
            "1 validation error detected: Value null at 'tagKeys' failed to satisfy constraint: Member must not be null",
          );
        }
        for (const key of input.TagKeys) table.tags.delete(String(key));
        return jsonAnswer(200, {});
      }
      default:
        return jsonAnswer(200, { Tags: [...table.tags].map(([Key, Value]) => ({ Key, Value })) });
    }
  }

  private async emulateBackups(ctx: RequestContext, input: Record<string, unknown>): Promise<Answer> {
    if (typeof input.TableName !== 'string') {
      return validation(
        "1 validation error detected: Value null at 'tableName' failed to satisfy constraint: Member must not be null",
      );
    }
    const name = tableNameOf(input.TableName);
    const exists = await this.tableExists(ctx, name);
    if (exists !== true) {
      return exists === false
        ? jsonAnswer(400, {
            __type: `${DYNAMODB}#TableNotFoundException`,
            message: `Table not found: ${name}`,
          })
        : exists;
    }
    const table = this.emulatedTable(ctx, name);
    if (ctx.operation === 'UpdateContinuousBackups') {
      const spec = input.PointInTimeRecoverySpecification;
      if (!isRecord(spec) || typeof spec.PointInTimeRecoveryEnabled !== 'boolean') {
        return validation(
          "1 validation error detected: Value null at 'pointInTimeRecoverySpecification.pointInTimeRecoveryEnabled' failed to satisfy constraint: Member must not be null",
        );
      }
      const days = spec.RecoveryPeriodInDays;
      if (
        days !== undefined &&
        !(Number.isInteger(days) && (days as number) >= 1 && (days as number) <= 35)
      ) {
        return validation(
          `1 validation error detected: Value '${String(days)}' at 'pointInTimeRecoverySpecification.recoveryPeriodInDays' failed to satisfy constraint: Member must have value between 1 and 35`,
        );
      }
      table.pitr = spec.PointInTimeRecoveryEnabled
        ? {
            enabled: true,
            recoveryPeriodInDays: (days as number | undefined) ?? table.pitr?.recoveryPeriodInDays ?? 35,
            enabledAt: table.pitr?.enabled ? table.pitr.enabledAt : Date.now(),
          }
        : undefined;
    }
    const pitr = table.pitr;
    const now = Date.now() / 1000;
    return jsonAnswer(200, {
      ContinuousBackupsDescription: {
        // On-demand backups are always on in DynamoDB; only PITR is a setting.
        ContinuousBackupsStatus: 'ENABLED',
        PointInTimeRecoveryDescription: pitr
          ? {
              PointInTimeRecoveryStatus: 'ENABLED',
              RecoveryPeriodInDays: pitr.recoveryPeriodInDays,
              EarliestRestorableDateTime: pitr.enabledAt / 1000,
              LatestRestorableDateTime: Math.max(pitr.enabledAt / 1000, now - 300),
            }
          : { PointInTimeRecoveryStatus: 'DISABLED' },
      },
    });
  }
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** The whole body; 'too-large' over the limit (the rest is drained, not kept); 'gone' if the client hung up. */
function readBody(req: http.IncomingMessage): Promise<Buffer | 'too-large' | 'gone'> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => resolve(size <= MAX_BODY_BYTES ? Buffer.concat(chunks) : 'too-large'));
    // A client that gives up mid-request (an aborted copy) is no proxy failure.
    req.on('error', () => resolve('gone'));
  });
}
