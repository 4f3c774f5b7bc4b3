/**
 * A writer that changes a live source table while a copy or a follow runs: puts of new items, updates
 * of existing ones, deletes (also of items the scan already copied), and re-creations of deleted keys.
 * Deterministic for a seed; each change is one request, so the stream holds one record per change.
 */
import {
  DeleteItemCommand,
  type DynamoDBClient,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { seededRandom } from '../../src/runtime/seeded-random.js';
import type { Item } from '../fixtures/items.js';

export interface WriterCounts {
  puts: number;
  updates: number;
  deletes: number;
  recreations: number;
}

/**
 * Makes `changes` changes to `table`, whose items have a string `pk` and a number `sk`. `existing`
 * are keys of items the table holds at the start. Returns what it did.
 */
export async function writeChanges(
  client: DynamoDBClient,
  table: string,
  options: { existing: Item[]; changes: number; seed: number; prefix: string; signal?: AbortSignal },
): Promise<WriterCounts> {
  const random = seededRandom(options.seed);
  const live = options.existing.map((item) => ({ pk: item.pk!, sk: item.sk! }));
  const deleted: { pk: Item[string]; sk: Item[string] }[] = [];
  const counts: WriterCounts = { puts: 0, updates: 0, deletes: 0, recreations: 0 };
  for (let i = 0; i < options.changes && !options.signal?.aborted; i++) {
    const roll = random();
    if (roll < 0.3 || live.length === 0) {
      const key = { pk: { S: `${options.prefix}-${i}` }, sk: { N: String(i) } };
      await client.send(
        new PutItemCommand({
          TableName: table,
          Item: {
            ...key,
            kind: { S: 'new' },
            big: { N: '123456789012345678901234567890.12345678' },
            blob: { B: new Uint8Array([i % 256, 0, 255]) },
          },
        }),
      );
      live.push(key);
      counts.puts += 1;
    } else if (roll < 0.65) {
      const key = live[Math.floor(random() * live.length)]!;
      await client.send(
        new UpdateItemCommand({
          TableName: table,
          Key: key,
          UpdateExpression: 'SET #v = :v, #t = list_append(if_not_exists(#t, :empty), :one)',
          ExpressionAttributeNames: { '#v': 'version', '#t': 'trail' },
          ExpressionAttributeValues: {
            ':v': { N: String(i) },
            ':empty': { L: [] },
            ':one': { L: [{ S: `u${i}` }] },
          },
        }),
      );
      counts.updates += 1;
    } else if (roll < 0.9 || deleted.length === 0) {
      const at = Math.floor(random() * live.length);
      const [key] = live.splice(at, 1);
      await client.send(new DeleteItemCommand({ TableName: table, Key: key! }));
      deleted.push(key!);
      counts.deletes += 1;
    } else {
      const [key] = deleted.splice(Math.floor(random() * deleted.length), 1);
      await client.send(
        new PutItemCommand({
          TableName: table,
          Item: { ...(key as Item), kind: { S: 'recreated' }, at: { N: String(i) } },
        }),
      );
      live.push(key!);
      counts.recreations += 1;
    }
  }
  return counts;
}
