import { rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  type AttributeValue,
  BatchWriteItemCommand,
  CreateTableCommand,
  DynamoDBClient,
  ScanCommand,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { InvalidOptionError, VerificationFailedError } from '../../errors.js';
import { startDynamoDbLocal } from '../../local/dynamodb-local.js';
import { SAMPLE_TTL_ATTRIBUTE, sampleItems, sampleTableDefinition } from '../../local/sample-table.js';
import { canonicalItem } from '../../model/item-canonical.js';
import { keyString } from '../../model/item-key.js';
import { type CopyOptions, type RawOptions, validateCopyOptions } from '../../runs/copy/options.js';
import { runCopy } from '../../runs/copy/run-copy.js';
import type { CliIO } from '../io.js';
import { printError } from '../print-error.js';
import { createReporter } from '../render/reporter.js';
import { humanSummary } from '../render/summary.js';

/** Items as the AWS SDK reads and writes them: the demo seeds and checks with the SDK itself. */
type Item = Record<string, AttributeValue>;

/** Two "accounts" on one DynamoDB Local: it keeps separate tables per access key id and region. */
const SOURCE_ACCOUNT = { accessKeyId: 'demosource', secretAccessKey: 'demo', region: 'eu-west-1' };
const TARGET_ACCOUNT = { accessKeyId: 'demotarget', secretAccessKey: 'demo', region: 'us-east-1' };
const TABLE = 'orders';

/**
 * `ddbcopy demo`: starts DynamoDB Local, fills a sample table in one "account", copies it to the other
 * with the real copy engine, checks every item, and stops the server. Needs Java, nothing else.
 */
export async function demoCommand(raw: RawOptions, io: CliIO): Promise<number> {
  const count = Number(raw.items ?? 20_000);
  if (!Number.isSafeInteger(count) || count < 1 || count > 10_000_000) {
    throw new InvalidOptionError(`--items must be a whole number from 1 to 10000000, not '${raw.items}'.`);
  }
  const say = (line: string): void => {
    io.stderr.write(`${line}\n`);
  };
  say('Starting DynamoDB Local (downloads it once, ~57 MB, into the cache)...');
  const server = await startDynamoDbLocal({ cacheDir: demoCacheDir(), heapMb: 2048, log: say });
  try {
    const endpoint = server.endpoint;
    const sourceClient = localClient(endpoint, SOURCE_ACCOUNT);
    const targetClient = localClient(endpoint, TARGET_ACCOUNT);
    say(
      `Creating the source table '${TABLE}' in account ${SOURCE_ACCOUNT.accessKeyId} (${SOURCE_ACCOUNT.region})`,
    );
    await sourceClient.send(new CreateTableCommand(sampleTableDefinition(TABLE)));
    await waitUntilTableExists({ client: sourceClient, maxWaitTime: 60 }, { TableName: TABLE });
    await sourceClient.send(
      new UpdateTimeToLiveCommand({
        TableName: TABLE,
        TimeToLiveSpecification: { Enabled: true, AttributeName: SAMPLE_TTL_ATTRIBUTE },
      }),
    );
    const loadStarted = performance.now();
    await loadItems(sourceClient, sampleItems(count));
    say(
      `Loaded ${count.toLocaleString('en-US')} sample items in ${((performance.now() - loadStarted) / 1000).toFixed(1)} s`,
    );

    // An existing target table in the target account, as in a real refresh: ddbcopy replaces it.
    await targetClient.send(
      new CreateTableCommand({
        TableName: TABLE,
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      }),
    );

    say(
      `\nddbcopy copy --source ${TABLE} --target ${TABLE} --yes (source: ${SOURCE_ACCOUNT.accessKeyId}, target: ${TARGET_ACCOUNT.accessKeyId})`,
    );
    const validated = validateCopyOptions({
      source: TABLE,
      target: TABLE,
      sourceRegion: SOURCE_ACCOUNT.region,
      targetRegion: TARGET_ACCOUNT.region,
      sourceEndpointUrl: endpoint,
      targetEndpointUrl: endpoint,
      yes: true,
      checkpoint: path.join(os.tmpdir(), `ddbcopy-demo-${process.pid}.json`),
    });
    // Static keys for the two local accounts: no profile needs to exist on this machine.
    const options: CopyOptions = {
      ...validated,
      source: { ...validated.source, credentials: SOURCE_ACCOUNT },
      target: { ...validated.target, credentials: TARGET_ACCOUNT },
    };
    const reporter = createReporter(io.stderr, 'normal');
    const outcome = await runCopy(options, { onEvent: reporter.onEvent });
    reporter.close();
    if (outcome.error) {
      printError(io, outcome.error, false);
      return outcome.exitCode;
    }
    say(humanSummary(outcome.summary));

    say('\nChecking the target item by item against the source...');
    const [sourceItems, targetItems] = await Promise.all([scanAll(sourceClient), scanAll(targetClient)]);
    const differences = compareItems(sourceItems, targetItems, ['pk', 'sk']);
    if (raw.json) io.stdout.write(`${JSON.stringify(outcome.summary, null, 2)}\n`);
    if (differences > 0) {
      throw new VerificationFailedError(`${differences} item(s) differ between source and target.`, {
        hint: 'This should never happen; please report it with the output above.',
      });
    }
    say(`Identical: ${targetItems.length.toLocaleString('en-US')} items, byte for byte.`);
    return 0;
  } finally {
    await server.stop();
    await rm(path.join(os.tmpdir(), `ddbcopy-demo-${process.pid}.json`), { force: true });
  }
}

function demoCacheDir(): string {
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return process.env.DDBCOPY_CACHE_DIR || path.join(base, 'ddbcopy');
}

function localClient(endpoint: string, account: typeof SOURCE_ACCOUNT): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: account.region,
    credentials: { accessKeyId: account.accessKeyId, secretAccessKey: account.secretAccessKey },
  });
}

/** Loads the sample with a few BatchWriteItem calls in flight; DynamoDB Local never throttles. */
async function loadItems(client: DynamoDBClient, items: Iterable<Item>): Promise<void> {
  const iterator = items[Symbol.iterator]();
  const worker = async (): Promise<void> => {
    for (;;) {
      const batch: Item[] = [];
      for (let next = iterator.next(); !next.done; next = iterator.next()) {
        batch.push(next.value);
        if (batch.length === 25) break;
      }
      if (batch.length === 0) return;
      let requests = batch.map((Item) => ({ PutRequest: { Item } }));
      while (requests.length > 0) {
        const out = await client.send(new BatchWriteItemCommand({ RequestItems: { [TABLE]: requests } }));
        requests = (out.UnprocessedItems?.[TABLE] ?? []) as typeof requests;
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
}

async function scanAll(client: DynamoDBClient): Promise<Item[]> {
  const items: Item[] = [];
  let startKey: Item | undefined;
  do {
    const out = await client.send(
      new ScanCommand({ TableName: TABLE, ExclusiveStartKey: startKey, Limit: 1000 }),
    );
    items.push(...(out.Items ?? []));
    startKey = out.LastEvaluatedKey;
  } while (startKey);
  return items;
}

/** Counts source items missing or different in the target, and target items not in the source. */
function compareItems(source: Item[], target: Item[], keyAttributes: string[]): number {
  const targetByKey = new Map(target.map((item) => [keyString(item, keyAttributes), canonicalItem(item)]));
  let differences = Math.abs(source.length - target.length);
  for (const item of source) {
    if (targetByKey.get(keyString(item, keyAttributes)) !== canonicalItem(item)) differences += 1;
  }
  return differences;
}
