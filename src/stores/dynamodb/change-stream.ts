/**
 * A source table's change stream (DynamoDB Streams), read with the SDK's streams client: the shard
 * list, shard iterators and pages of records, mapped to our model exactly as the SDK gives them
 * (numbers as strings, binary as bytes; nothing is unmarshalled). It only ever reads.
 */
import http from 'node:http';
import https from 'node:https';
import {
  GetItemCommand,
  type GetItemCommandOutput,
  type AttributeValue as SdkAttributeValue,
} from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  type DescribeStreamCommandOutput,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  type GetRecordsCommandOutput,
  GetShardIteratorCommand,
  type GetShardIteratorCommandOutput,
  type ShardIteratorType,
  type _Record as StreamRecord,
} from '@aws-sdk/client-dynamodb-streams';
import {
  AwsRequestError,
  type DdbCopyError,
  StreamGapError,
  StreamIteratorExpiredError,
} from '../../errors.js';
import { binaryBytes } from '../../model/binary.js';
import { DATA_RETRY_POLICY } from '../../runtime/retry.js';
import type {
  ChangePage,
  ChangeRecord,
  ChangeSource,
  Item,
  Key,
  RetryListener,
  ShardPosition,
  StreamDescription,
  StreamShard,
} from '../types.js';
import { guardOperations, type SideConnection } from './client.js';
import { sendWithRetry, withRetry } from './request.js';

/** The streams operations a source may send: all of them read (the streams API has no write). */
export const STREAM_OPERATIONS: ReadonlySet<string> = new Set([
  'DescribeStreamCommand',
  'GetShardIteratorCommand',
  'GetRecordsCommand',
  'ListStreamsCommand',
]);

/** GetRecords returns at most 1000 records and 1 MB per call; a Limit above 1000 is a ValidationException. */
const RECORDS_PER_PAGE = 1000;

/** Where the SDK looks for a streams endpoint of its own (AWS_ENDPOINT_URL_ + the service id). */
const STREAMS_ENDPOINT_ENV = 'AWS_ENDPOINT_URL_DYNAMODB_STREAMS';

/** The principal of deletes made by DynamoDB's time to live (API Reference, *Identity*). */
const TTL_PRINCIPAL = 'dynamodb.amazonaws.com';

/**
 * The side's streams client: its region and credentials, keep-alive sockets, no SDK retries (ours
 * count every retry), and a guard that lets only reads leave the process. The endpoint is the SDK's
 * own choice when AWS_ENDPOINT_URL_DYNAMODB_STREAMS is set; else the side's `--endpoint-url` (DynamoDB
 * Local serves streams on its one port); else the SDK's default, streams.dynamodb.REGION.amazonaws.com.
 */
export function connectStreams(conn: SideConnection): DynamoDBStreamsClient {
  const agentOptions = { keepAlive: true, maxSockets: conn.maxSockets, keepAliveMsecs: 10_000 };
  const client = new DynamoDBStreamsClient({
    region: conn.region,
    ...(conn.endpoint && !process.env[STREAMS_ENDPOINT_ENV] ? { endpoint: conn.endpoint } : {}),
    credentials: conn.credentials.provide,
    maxAttempts: 1,
    requestHandler: {
      httpAgent: new http.Agent(agentOptions),
      httpsAgent: new https.Agent(agentOptions),
      connectionTimeout: 10_000,
      requestTimeout: 120_000,
    },
  });
  guardOperations(client, conn.side, STREAM_OPERATIONS, {
    target: `the ${conn.side} side's stream`,
    only: 'reads',
    name: 'ddbcopyStreamOperationGuard',
  });
  return client;
}

/** The endpoint named in messages: the env's, the side's, or undefined for the SDK's default. */
function streamsEndpoint(conn: SideConnection): string | undefined {
  return process.env[STREAMS_ENDPOINT_ENV] || conn.endpoint;
}

/**
 * One stream of the source table. Every request is retried with the data-plane policy (throttling,
 * including LimitExceededException from too many readers of a shard, 5xx, resets) and reported to
 * `onRetry`; an expired iterator and data gone from the stream are not retried: they leave as
 * StreamIteratorExpiredError and StreamGapError.
 */
export class DynamoDbChangeSource implements ChangeSource {
  private readonly client: DynamoDBStreamsClient;
  /** A dead endpoint fails the first request at once (a wrong setting); after one success, it is a blip. */
  private reached = false;

  constructor(
    private readonly connection: SideConnection,
    readonly streamArn: string,
    private readonly onRetry?: RetryListener,
  ) {
    this.client = connectStreams(connection);
  }

  /** DescribeStream page after page (100 shards each at most) until no LastEvaluatedShardId. */
  async describeStream(signal?: AbortSignal): Promise<StreamDescription> {
    const shards: StreamShard[] = [];
    let status: StreamDescription['status'] | undefined;
    let viewType: StreamDescription['viewType'] | undefined;
    let start: string | undefined;
    const pagesFrom = new Set<string>();
    do {
      const out = await this.send<DescribeStreamCommandOutput>(
        new DescribeStreamCommand({ StreamArn: this.streamArn, ExclusiveStartShardId: start }),
        'DescribeStream',
        signal,
        (error) => this.streamGone(error),
      );
      const description = out.StreamDescription ?? {};
      status = description.StreamStatus ?? status;
      viewType = description.StreamViewType ?? viewType;
      for (const shard of description.Shards ?? []) {
        if (!shard.ShardId) continue;
        const range = shard.SequenceNumberRange ?? {};
        shards.push({
          shardId: shard.ShardId,
          ...(shard.ParentShardId ? { parentShardId: shard.ParentShardId } : {}),
          startingSequenceNumber: range.StartingSequenceNumber ?? '0',
          ...(range.EndingSequenceNumber ? { endingSequenceNumber: range.EndingSequenceNumber } : {}),
        });
      }
      start = description.LastEvaluatedShardId;
      if (start !== undefined && pagesFrom.has(start)) {
        throw new AwsRequestError(
          `DescribeStream on the ${this.connection.side} stream ${this.streamArn} listed the shards after ${start} twice.`,
          { side: this.connection.side, hint: 'The endpoint is not answering as DynamoDB Streams does.' },
        );
      }
      if (start !== undefined) pagesFrom.add(start);
    } while (start);
    if (!status || !viewType) {
      throw new AwsRequestError(
        `DescribeStream on the ${this.connection.side} stream ${this.streamArn} returned no status or view type.`,
        { side: this.connection.side, hint: 'The endpoint is not answering as DynamoDB Streams does.' },
      );
    }
    return { streamArn: this.streamArn, status, viewType, shards };
  }

  async shardIterator(shardId: string, position: ShardPosition, signal?: AbortSignal): Promise<string> {
    const type: ShardIteratorType =
      position.at === 'trim-horizon'
        ? 'TRIM_HORIZON'
        : position.at === 'sequence'
          ? 'AT_SEQUENCE_NUMBER'
          : 'AFTER_SEQUENCE_NUMBER';
    const out = await this.send<GetShardIteratorCommandOutput>(
      new GetShardIteratorCommand({
        StreamArn: this.streamArn,
        ShardId: shardId,
        ShardIteratorType: type,
        ...(position.at === 'trim-horizon' ? {} : { SequenceNumber: position.sequenceNumber }),
      }),
      'GetShardIterator',
      signal,
      (error) =>
        errorName(error) === 'TrimmedDataAccessException'
          ? this.trimmed(error, `${positionText(position)} in shard ${shardId}`)
          : this.streamGone(error, shardId),
    );
    if (!out.ShardIterator) {
      throw new AwsRequestError(
        `GetShardIterator on the ${this.connection.side} stream ${this.streamArn} returned no iterator for shard ${shardId}.`,
        { side: this.connection.side, hint: 'The endpoint is not answering as DynamoDB Streams does.' },
      );
    }
    return out.ShardIterator;
  }

  /** One GetRecords page: at most 1000 records; an empty page on an open shard is not its end. */
  async readChanges(iterator: string, signal?: AbortSignal): Promise<ChangePage> {
    const out = await this.send<GetRecordsCommandOutput>(
      new GetRecordsCommand({ ShardIterator: iterator, Limit: RECORDS_PER_PAGE }),
      'GetRecords',
      signal,
      (error) => {
        switch (errorName(error)) {
          case 'ExpiredIteratorException':
            return new StreamIteratorExpiredError(
              `A shard iterator of the ${this.connection.side} stream ${this.streamArn} expired (they last 15 minutes).`,
              {
                side: this.connection.side,
                cause: error,
                hint: 'Open a new iterator after the last record applied; nothing was lost.',
              },
            );
          case 'TrimmedDataAccessException':
            return this.trimmed(error, 'the position the iterator was opened at');
          default:
            return this.streamGone(error);
        }
      },
    );
    return { records: (out.Records ?? []).map(changeRecord), next: out.NextShardIterator ?? undefined };
  }

  async getItem(key: Key, signal?: AbortSignal): Promise<Item | undefined> {
    const conn = this.connection;
    const out = await sendWithRetry<GetItemCommandOutput>(
      conn,
      new GetItemCommand({ TableName: conn.apiTableName, Key: sdkKey(key), ConsistentRead: true }),
      {
        operation: 'GetItem',
        policy: DATA_RETRY_POLICY,
        onRetry: this.onRetry,
        signal,
        retryUnreachable: true,
      },
    );
    return out.Item as Item | undefined;
  }

  /** Closes the streams client's sockets (the table's own client belongs to the source). */
  close(): void {
    this.client.destroy();
  }

  /**
   * Sends one streams request with the data-plane retries. `mapError` turns the errors retrying cannot
   * fix and that mean something here (expired iterator, trimmed data, stream gone) into ours, which
   * leave unretried; for any other it returns undefined and the shared classification decides.
   */
  private async send<Output>(
    command: DescribeStreamCommand | GetShardIteratorCommand | GetRecordsCommand,
    operation: string,
    signal: AbortSignal | undefined,
    mapError: (error: unknown) => DdbCopyError | undefined,
  ): Promise<Output> {
    const output = await withRetry(
      this.connection,
      async () => {
        try {
          return (await this.client.send(command as never, { abortSignal: signal })) as Output;
        } catch (error) {
          throw mapError(error) ?? error;
        }
      },
      {
        operation,
        policy: DATA_RETRY_POLICY,
        onRetry: this.onRetry,
        signal,
        retryUnreachable: this.reached,
        endpoint: streamsEndpoint(this.connection),
      },
    );
    this.reached = true;
    return output;
  }

  /** Records the follow needs have aged out of the stream: the copy has lost changes. */
  private trimmed(error: unknown, where: string): StreamGapError {
    return new StreamGapError(
      `The stream of the ${this.connection.side} table '${this.connection.tableName}' no longer holds the records after ${where}: they have aged out of the stream's 24-hour retention, so changes made since then are lost to this copy.`,
      {
        side: this.connection.side,
        cause: error,
        hint: 'The copy must be done again: run it without --resume (or with --restart), then follow from its new stream position.',
      },
    );
  }

  /** ResourceNotFound: the stream (or the shard) is gone; other errors are not ours to map. */
  private streamGone(error: unknown, shardId?: string): StreamGapError | undefined {
    if (errorName(error) !== 'ResourceNotFoundException') return undefined;
    return new StreamGapError(
      `The stream ${this.streamArn}${shardId ? ` (or its shard ${shardId})` : ''} of the ${this.connection.side} table '${this.connection.tableName}' no longer exists: the table was deleted or re-created, or its stream was disabled more than 24 hours ago. Changes after the copy cannot be read.`,
      {
        side: this.connection.side,
        cause: error,
        hint: 'The copy must be done again: run it without --resume (or with --restart), then follow its new stream.',
      },
    );
  }
}

function positionText(position: ShardPosition): string {
  switch (position.at) {
    case 'trim-horizon':
      return 'the oldest record';
    case 'sequence':
      return `sequence number ${position.sequenceNumber} (inclusive)`;
    case 'after':
      return `sequence number ${position.sequenceNumber}`;
  }
}

/** One stream record in our model: the SDK's values kept as they are (binary bytes, numbers as text). */
function changeRecord(record: StreamRecord): ChangeRecord {
  const data = record.dynamodb ?? {};
  const identity = record.userIdentity;
  return {
    eventName: record.eventName as ChangeRecord['eventName'],
    sequenceNumber: data.SequenceNumber ?? '0',
    createdAt: data.ApproximateCreationDateTime?.getTime() ?? 0,
    keys: (data.Keys ?? {}) as Key,
    ...(data.NewImage ? { newImage: data.NewImage as Item } : {}),
    ...(data.OldImage ? { oldImage: data.OldImage as Item } : {}),
    ...(identity?.Type === 'Service' && identity.PrincipalId === TTL_PRINCIPAL ? { byTtl: true } : {}),
  };
}

/** The SDK encodes `B` itself: base64 text (from a wire scan) goes to it as the bytes it means. */
function sdkKey(key: Key): Record<string, SdkAttributeValue> {
  const out: Record<string, SdkAttributeValue> = {};
  for (const [name, value] of Object.entries(key)) {
    out[name] = (typeof value.B === 'string' ? { B: binaryBytes(value.B) } : value) as SdkAttributeValue;
  }
  return out;
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : '';
}
