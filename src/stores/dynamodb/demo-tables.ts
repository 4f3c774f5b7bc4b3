/**
 * The demo's tables on DynamoDB Local, made and read with the plain AWS SDK: seeding the sample
 * source table, creating a stale target, and reading a table back. None of this goes through the copy's
 * own stores, so the demo's check of the copy is made by an independent client.
 */
import {
  type AttributeValue,
  BatchWriteItemCommand,
  CreateTableCommand,
  type CreateTableCommandInput,
  DynamoDBClient,
  ScanCommand,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';

/** An item as the AWS SDK reads and writes it. */
type SdkItem = Record<string, AttributeValue>;

/**
 * One "account" on DynamoDB Local, which keeps separate tables per access key id and region: the
 * static keys it is reached with, and the server's endpoint.
 */
export interface LocalAccount {
  /** The DynamoDB Local endpoint, e.g. `http://127.0.0.1:8000`. */
  readonly endpoint: string;
  readonly region: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/** What `seedSampleTable` creates and fills. */
export interface SampleTableSeed {
  /** The table to create; it is waited for until ACTIVE. */
  readonly definition: CreateTableCommandInput;
  /** Enables TTL on this attribute once the table exists. */
  readonly ttlAttribute?: string;
  /** The items to put, in the SDK's low-level form. */
  readonly items: Iterable<SdkItem>;
}

/**
 * Creates the sample source table in one local account, enables its TTL, and puts every item with a
 * few BatchWriteItem calls in flight. Resolves with how many items it put and how long putting them
 * took (the table's creation not included).
 */
export async function seedSampleTable(
  account: LocalAccount,
  seed: SampleTableSeed,
): Promise<{ items: number; loadMs: number }> {
  const client = localClient(account);
  try {
    const table = tableNameOf(seed.definition);
    await client.send(new CreateTableCommand(seed.definition));
    await waitUntilTableExists({ client, maxWaitTime: 60 }, { TableName: table });
    if (seed.ttlAttribute) {
      await client.send(
        new UpdateTimeToLiveCommand({
          TableName: table,
          TimeToLiveSpecification: { Enabled: true, AttributeName: seed.ttlAttribute },
        }),
      );
    }
    const loadStarted = performance.now();
    const items = await loadItems(client, table, seed.items);
    return { items, loadMs: performance.now() - loadStarted };
  } finally {
    client.destroy();
  }
}

/**
 * Creates an existing, different target table in one local account (on-demand, key `id`), as in a
 * real refresh where the copy replaces it.
 */
export async function createStaleTarget(account: LocalAccount, tableName: string): Promise<void> {
  const client = localClient(account);
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      }),
    );
  } finally {
    client.destroy();
  }
}

/** Every item of a table in one local account, read with plain Scan pages of 1,000 items. */
export async function readAllItems(account: LocalAccount, tableName: string): Promise<SdkItem[]> {
  const client = localClient(account);
  try {
    const items: SdkItem[] = [];
    let startKey: SdkItem | undefined;
    do {
      const out = await client.send(
        new ScanCommand({ TableName: tableName, ExclusiveStartKey: startKey, Limit: 1000 }),
      );
      items.push(...(out.Items ?? []));
      startKey = out.LastEvaluatedKey;
    } while (startKey);
    return items;
  } finally {
    client.destroy();
  }
}

function localClient(account: LocalAccount): DynamoDBClient {
  return new DynamoDBClient({
    endpoint: account.endpoint,
    region: account.region,
    credentials: { accessKeyId: account.accessKeyId, secretAccessKey: account.secretAccessKey },
  });
}

function tableNameOf(definition: CreateTableCommandInput): string {
  if (!definition.TableName) throw new TypeError('The sample table definition has no TableName.');
  return definition.TableName;
}

/** Puts the items with 8 BatchWriteItem calls in flight; DynamoDB Local never throttles. */
async function loadItems(client: DynamoDBClient, table: string, items: Iterable<SdkItem>): Promise<number> {
  const iterator = items[Symbol.iterator]();
  let count = 0;
  const worker = async (): Promise<void> => {
    for (;;) {
      const batch: SdkItem[] = [];
      for (let next = iterator.next(); !next.done; next = iterator.next()) {
        batch.push(next.value);
        if (batch.length === 25) break;
      }
      if (batch.length === 0) return;
      count += batch.length;
      let requests = batch.map((Item) => ({ PutRequest: { Item } }));
      while (requests.length > 0) {
        const out = await client.send(new BatchWriteItemCommand({ RequestItems: { [table]: requests } }));
        requests = (out.UnprocessedItems?.[table] ?? []) as typeof requests;
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  return count;
}
