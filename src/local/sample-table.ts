import type { SdkAttributeValue as AttributeValue, CreateTableCommandInput } from '../model/table.js';
import { seededRandom } from '../runtime/seeded-random.js';

/** An item as the AWS SDK takes it (the demo loads the sample with the SDK). */
type Item = Record<string, AttributeValue>;

/** The demo's source table: two GSIs, one LSI, a stream; TTL is set on `expiresAt` after creation. */
export function sampleTableDefinition(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    KeySchema: [
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ],
    AttributeDefinitions: [
      { AttributeName: 'pk', AttributeType: 'S' },
      { AttributeName: 'sk', AttributeType: 'S' },
      { AttributeName: 'status', AttributeType: 'S' },
      { AttributeName: 'createdAt', AttributeType: 'S' },
      { AttributeName: 'email', AttributeType: 'S' },
      { AttributeName: 'total', AttributeType: 'N' },
    ],
    GlobalSecondaryIndexes: [
      {
        IndexName: 'by-status',
        KeySchema: [
          { AttributeName: 'status', KeyType: 'HASH' },
          { AttributeName: 'createdAt', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['total', 'email'] },
      },
      {
        IndexName: 'by-email',
        KeySchema: [{ AttributeName: 'email', KeyType: 'HASH' }],
        Projection: { ProjectionType: 'KEYS_ONLY' },
      },
    ],
    LocalSecondaryIndexes: [
      {
        IndexName: 'by-total',
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'total', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
    ],
    StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
  };
}

export const SAMPLE_TTL_ATTRIBUTE = 'expiresAt';

const STATUSES = ['pending', 'paid', 'shipped', 'delivered', 'returned'];
const WORDS = [
  'alpha',
  'bravo',
  'café',
  'δέλτα',
  '東京',
  'emoji 🚀',
  'naïve',
  'zulu',
  'quote "q"',
  'tab\there',
];

/**
 * Yields `count` orders of about 1 KB with every attribute type: strings (unicode, empty), numbers
 * beyond double precision, binary, the three set types, nested lists and maps, booleans and nulls.
 */
export function* sampleItems(count: number, seed = 42): Generator<Item> {
  const random = seededRandom(seed);
  const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)]!;
  const digits = (n: number): string => Array.from({ length: n }, () => Math.floor(random() * 10)).join('');
  for (let i = 0; i < count; i++) {
    const customer = `customer#${String(i % Math.max(1, Math.floor(count / 8))).padStart(6, '0')}`;
    const bytes = new Uint8Array(16 + Math.floor(random() * 48));
    for (let b = 0; b < bytes.length; b++) bytes[b] = Math.floor(random() * 256);
    const lines: AttributeValue[] = Array.from({ length: 1 + Math.floor(random() * 4) }, (_, line) => ({
      M: {
        sku: { S: `sku-${digits(6)}` },
        quantity: { N: String(1 + Math.floor(random() * 9)) },
        price: { N: `${digits(3)}.${digits(2)}` },
        note: line % 2 ? { NULL: true } : { S: pick(WORDS) },
      },
    }));
    yield {
      pk: { S: customer },
      sk: { S: `order#${String(i).padStart(8, '0')}` },
      status: { S: pick(STATUSES) },
      createdAt: { S: new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString() },
      email: { S: `${customer.replace('#', '-')}@example.com` },
      // 38 significant digits: more than a JavaScript number holds.
      total: { N: `${1 + Math.floor(random() * 9)}${digits(19)}.${digits(18)}` },
      expiresAt: { N: String(1_900_000_000 + i) },
      paid: { BOOL: random() > 0.3 },
      coupon: random() > 0.8 ? { S: '' } : { NULL: true },
      thumbnail: { B: bytes },
      tags: { SS: Array.from(new Set([pick(WORDS), pick(WORDS), 'order'])) },
      scores: { NS: Array.from(new Set([digits(3), `-${digits(2)}.${digits(3)}`, '1E-130'])) },
      blobs: { BS: [bytes.slice(0, 8), bytes.slice(8, 16)] },
      lines: { L: lines },
      address: {
        M: {
          'street.name': { S: `${digits(3)} ${pick(WORDS)} street` },
          'city#': { S: pick(WORDS) },
          geo: { M: { lat: { N: `${digits(2)}.${digits(12)}` }, lon: { N: `-${digits(2)}.${digits(12)}` } } },
          history: {
            L: [{ L: [{ M: { at: { S: 'warehouse' }, ok: { BOOL: true } } }] }, { M: {} }, { L: [] }],
          },
        },
      },
      comment: { S: `${pick(WORDS)} `.repeat(20 + Math.floor(random() * 20)) },
    };
  }
}
