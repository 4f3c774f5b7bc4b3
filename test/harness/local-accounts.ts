/**
 * Test "accounts" on one DynamoDB Local server. It keeps separate tables per access key id and per
 * region and never checks signatures, so a fresh access key id is a fresh, isolated account.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import {
  type AttributeValue,
  BatchWriteItemCommand,
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  DynamoDBClient,
  ScanCommand,
  type TableDescription,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import type { Item } from '../fixtures/items.js';
import { rememberAccountSecret } from './account-secrets.mjs';

export interface LocalAccount {
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  endpoint: string;
}

/** BatchWriteItem takes at most 25 put or delete requests. */
const BATCH_WRITE_LIMIT = 25;
/** DynamoDB Local never leaves items unprocessed; if it ever does this often, something is broken. */
const UNPROCESSED_ATTEMPTS = 20;
/** Scan `Limit`: without one, DynamoDB Local's page cost grows with the table (research note). */
const SCAN_PAGE_LIMIT = 1000;
const TABLE_ACTIVE_TIMEOUT_MS = 30_000;

const ALPHANUMERIC = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** A new isolated account. DynamoDB Local rejects access key ids with anything but letters and digits. */
export function newAccount(endpoint: string, region = 'us-east-1'): LocalAccount {
  const suffix = Array.from(randomBytes(16), (byte) => ALPHANUMERIC[byte % ALPHANUMERIC.length]).join('');
  const account = { accessKeyId: `acct${suffix}`, secretAccessKey: `secret${suffix}`, region, endpoint };
  // The fault proxy checks every request's signature with it by default (account-secrets.mjs).
  rememberAccountSecret(account.accessKeyId, account.secretAccessKey);
  return account;
}

export function accountClient(account: LocalAccount): DynamoDBClient {
  return new DynamoDBClient({
    region: account.region,
    endpoint: account.endpoint,
    credentials: { accessKeyId: account.accessKeyId, secretAccessKey: account.secretAccessKey },
    maxAttempts: 3,
  });
}

/** Creates a table and resolves once it and all its GSIs are ACTIVE. */
export async function createTableAndWait(
  client: DynamoDBClient,
  input: CreateTableCommandInput,
): Promise<TableDescription> {
  await client.send(new CreateTableCommand(input));
  const deadline = Date.now() + TABLE_ACTIVE_TIMEOUT_MS;
  for (;;) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: input.TableName }));
    const ready =
      Table?.TableStatus === 'ACTIVE' &&
      (Table.GlobalSecondaryIndexes ?? []).every((index) => index.IndexStatus === 'ACTIVE');
    if (ready) return Table;
    if (Date.now() > deadline)
      throw new Error(`${input.TableName} is not ACTIVE after ${TABLE_ACTIVE_TIMEOUT_MS} ms`);
    await delay(100);
  }
}

/** Writes every item with BatchWriteItem, retrying unprocessed items (with a pause) until none is left. */
export async function putItems(client: DynamoDBClient, table: string, items: Item[]): Promise<void> {
  for (let start = 0; start < items.length; start += BATCH_WRITE_LIMIT) {
    let requests: WriteRequest[] = items
      .slice(start, start + BATCH_WRITE_LIMIT)
      .map((item) => ({ PutRequest: { Item: item } }));
    for (let attempt = 1; requests.length > 0; attempt++) {
      if (attempt > UNPROCESSED_ATTEMPTS) {
        throw new Error(`${requests.length} items still unprocessed after ${UNPROCESSED_ATTEMPTS} attempts`);
      }
      if (attempt > 1) await delay(Math.min(1000, 20 * 2 ** attempt));
      const { UnprocessedItems } = await client.send(
        new BatchWriteItemCommand({ RequestItems: { [table]: requests } }),
      );
      requests = UnprocessedItems?.[table] ?? [];
    }
  }
}

/**
 * Every item of the table, exactly as Scan returns it. Four parallel segments: DynamoDB Local's page
 * cost grows with the segment's size, so one segment is slow on tables of tens of thousands of items.
 */
export async function scanAll(client: DynamoDBClient, table: string, segments = 4): Promise<Item[]> {
  const parts = await Promise.all(
    Array.from({ length: segments }, async (_, segment) => {
      const items: Item[] = [];
      let startKey: Record<string, AttributeValue> | undefined;
      do {
        const page = await client.send(
          new ScanCommand({
            TableName: table,
            ExclusiveStartKey: startKey,
            Limit: SCAN_PAGE_LIMIT,
            Segment: segment,
            TotalSegments: segments,
          }),
        );
        items.push(...(page.Items ?? []));
        startKey = page.LastEvaluatedKey;
      } while (startKey);
      return items;
    }),
  );
  return parts.flat();
}

/** How many items the table holds, counted by a Scan that returns no items (four parallel segments). */
export async function countItems(client: DynamoDBClient, table: string, segments = 4): Promise<number> {
  const counts = await Promise.all(
    Array.from({ length: segments }, async (_, segment) => {
      let count = 0;
      let startKey: Record<string, AttributeValue> | undefined;
      do {
        const page = await client.send(
          new ScanCommand({
            TableName: table,
            Select: 'COUNT',
            ExclusiveStartKey: startKey,
            Segment: segment,
            TotalSegments: segments,
          }),
        );
        count += page.Count ?? 0;
        startKey = page.LastEvaluatedKey;
      } while (startKey);
      return count;
    }),
  );
  return counts.reduce((sum, count) => sum + count, 0);
}

/** A string that is equal for two items exactly when their key attributes are. */
export function canonicalKey(item: Item, keyAttrs: string[]): string {
  return JSON.stringify(
    keyAttrs.map((name) => {
      const value = item[name];
      if (value?.S !== undefined) return [name, 'S', value.S];
      if (value?.N !== undefined) return [name, 'N', value.N];
      if (value?.B !== undefined) return [name, 'B', Buffer.from(value.B).toString('base64')];
      throw new Error(`item has no S, N or B key attribute ${name}: ${JSON.stringify(item[name])}`);
    }),
  );
}

/** Items by their key, so two item lists compare whatever order a scan returned them in. */
export function itemsByKey(items: Item[], keyAttrs: string[]): Map<string, Item> {
  const byKey = new Map<string, Item>();
  for (const item of items) {
    const key = canonicalKey(item, keyAttrs);
    if (byKey.has(key)) throw new Error(`duplicate key ${key}`);
    byKey.set(key, item);
  }
  return byKey;
}

/**
 * Writes a shared config and credentials file naming each account a profile, for tests that point
 * AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE at them. Endpoints are not written: the CLI gets
 * them from its flags.
 */
export function writeAwsProfiles(
  dir: string,
  profiles: Record<string, LocalAccount>,
): { configFile: string; credentialsFile: string } {
  mkdirSync(dir, { recursive: true });
  const config: string[] = [];
  const credentials: string[] = [];
  for (const [name, account] of Object.entries(profiles)) {
    config.push(`[${name === 'default' ? 'default' : `profile ${name}`}]`, `region = ${account.region}`, '');
    credentials.push(
      `[${name}]`,
      `aws_access_key_id = ${account.accessKeyId}`,
      `aws_secret_access_key = ${account.secretAccessKey}`,
      '',
    );
  }
  const configFile = path.join(dir, 'config');
  const credentialsFile = path.join(dir, 'credentials');
  writeFileSync(configFile, config.join('\n'), { mode: 0o600 });
  writeFileSync(credentialsFile, credentials.join('\n'), { mode: 0o600 });
  return { configFile, credentialsFile };
}
