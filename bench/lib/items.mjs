/**
 * The benchmark's items: deterministic from their index, in DynamoDB's wire JSON, padded so every
 * item has exactly the DynamoDB size asked for (1,000 bytes by default: 1 WCU each).
 *
 * Twelve attributes of most types (S, N, BOOL, SS, M, L, B) rather than one big string, so the
 * (de)serialization cost per item is that of a realistic record. The generator is a template string,
 * not an object + JSON.stringify, and items share 4,096 pre-built bodies behind their own key,
 * because the stub serves tens of thousands of these a second.
 */

/** The key attribute and its format: `i` + nine digits, so the stub can find it in a request body. */
export const KEY_ATTRIBUTE = 'pk';
export const KEY_PREFIX = 'i';
export const KEY_DIGITS = 9;

export function keyOf(index) {
  return KEY_PREFIX + String(index).padStart(KEY_DIGITS, '0');
}

export function indexOfKey(key) {
  return Number.parseInt(key.slice(KEY_PREFIX.length), 10);
}

const FILLER_LENGTH = 1 << 16;
const FILLER = (() => {
  const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  let state = 0x2545f491;
  let text = '';
  for (let i = 0; i < FILLER_LENGTH; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    text += alphabet[(state >>> 0) % alphabet.length];
  }
  return text;
})();

const COLORS = ['red', 'green', 'blue', 'yellow', 'purple', 'orange', 'black'];
const EPOCH = Date.UTC(2026, 0, 1);

/** DynamoDB's number size: one byte per two significant digits, plus one. */
export function numberSize(text) {
  let counted = 0;
  let significant = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x65 || c === 0x45) break;
    if (c < 0x30 || c > 0x39) continue;
    if (counted === 0 && c === 0x30) continue;
    counted++;
    if (c !== 0x30) significant = counted;
  }
  return ((significant + 1) >> 1) + 1;
}

/** Distinct item bodies (everything but the key) per item size; item `i` uses body `i % POOL_SIZE`. */
const POOL_SIZE = 4096;
export const ITEM_POOL_SIZE = POOL_SIZE;
const pools = new Map();

function bodyPool(itemBytes) {
  let pool = pools.get(itemBytes);
  if (!pool) {
    const strings = Array.from({ length: POOL_SIZE }, (_, variant) => itemBody(variant, itemBytes));
    pool = { strings, buffers: strings.map((body) => Buffer.from(body, 'latin1')) };
    pools.set(itemBytes, pool);
  }
  return pool;
}

const KEY_OPEN = Buffer.from('{"pk":{"S":"', 'latin1');
const KEY_CLOSE = Buffer.from('"},', 'latin1');

/** Bytes of item `index` in wire JSON. */
export function itemWireLength(index, itemBytes) {
  return (
    KEY_OPEN.length +
    KEY_PREFIX.length +
    KEY_DIGITS +
    KEY_CLOSE.length +
    bodyPool(itemBytes).buffers[index % POOL_SIZE].length
  );
}

/** Writes item `index` as wire JSON into `buffer` at `offset` (the same bytes as `itemJson`); returns the end. */
export function writeItem(buffer, offset, index, itemBytes) {
  let at = offset + KEY_OPEN.copy(buffer, offset);
  at += buffer.write(keyOf(index), at, 'latin1');
  at += KEY_CLOSE.copy(buffer, at);
  return at + bodyPool(itemBytes).buffers[index % POOL_SIZE].copy(buffer, at);
}

/**
 * Item `index` as wire JSON (ASCII only, so its length is its byte length) with a DynamoDB size of
 * exactly `itemBytes` (at least ~260): its key, then one of 4,096 pre-built bodies, so the stub
 * pays one string concatenation per item.
 */
export function itemJson(index, itemBytes) {
  return `{"pk":{"S":"${keyOf(index)}"},${bodyPool(itemBytes).strings[index % POOL_SIZE]}`;
}

/** Every attribute but the key, closing brace included, sized so that key + body = `itemBytes`. */
function itemBody(variant, itemBytes) {
  const index = variant * 7 + 12345;
  const name = `Customer ${index}`;
  const email = `user${index}@example.com`;
  const n = String(index);
  const cents = (index * 7919) % 100000;
  const price = `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
  const active = index % 2 === 0;
  const created = new Date(EPOCH + index * 1000).toISOString();
  const t1 = `t${index % 7}`;
  const t2 = `t${(index % 11) + 7}`;
  const t3 = `t${(index % 13) + 18}`;
  const color = COLORS[index % COLORS.length];
  const size = String((index % 40) + 1);
  const ok = index % 3 === 0;
  const h1 = String(index % 1000);
  const h2 = String((index * 3) % 1000);
  const h3 = String((index * 7) % 1000);
  const binary = Buffer.alloc(16);
  binary.writeUInt32BE(index >>> 0, 0);
  binary.writeUInt32BE((index * 2654435761) >>> 0, 4);
  binary.writeUInt32BE((index ^ 0x5bd1e995) >>> 0, 8);
  binary.writeUInt32BE((index * 40503) >>> 0, 12);
  const bin = binary.toString('base64');

  // Attribute names + values, by DynamoDB's rules (all ASCII: bytes = characters).
  const keySize = KEY_ATTRIBUTE.length + KEY_PREFIX.length + KEY_DIGITS;
  const sizeWithoutPayload =
    keySize +
    (4 + name.length) +
    (5 + email.length) +
    (1 + numberSize(n)) +
    (5 + numberSize(price)) +
    (6 + 1) +
    (7 + created.length) +
    (4 + t1.length + t2.length + t3.length) +
    // attrs: 3 + per element (name + value + 1)
    (5 + 3 + (5 + color.length + 1) + (4 + numberSize(size) + 1) + (2 + 1 + 1)) +
    // hist: 3 + per element (value + 1)
    (4 + 3 + (numberSize(h1) + 1) + (numberSize(h2) + 1) + (numberSize(h3) + 1)) +
    (3 + 16) +
    7;
  const payloadLength = Math.max(0, itemBytes - sizeWithoutPayload);
  const start = (index * 131) % (FILLER_LENGTH - payloadLength);
  const payload = FILLER.slice(start, start + payloadLength);
  return (
    `"name":{"S":"${name}"},"email":{"S":"${email}"},"n":{"N":"${n}"},` +
    `"price":{"N":"${price}"},"active":{"BOOL":${active}},"created":{"S":"${created}"},` +
    `"tags":{"SS":["${t1}","${t2}","${t3}"]},` +
    `"attrs":{"M":{"color":{"S":"${color}"},"size":{"N":"${size}"},"ok":{"BOOL":${ok}}}},` +
    `"hist":{"L":[{"N":"${h1}"},{"N":"${h2}"},{"N":"${h3}"}]},"bin":{"B":"${bin}"},` +
    `"payload":{"S":"${payload}"}}`
  );
}

/** Item `index` as an AWS SDK v3 AttributeValue map (binary as Uint8Array). */
export function itemValue(index, itemBytes) {
  const item = JSON.parse(itemJson(index, itemBytes));
  item.bin = { B: Buffer.from(item.bin.B, 'base64') };
  return item;
}

/** Write capacity units of one item of `itemBytes`: one per started KB. */
export function writeUnitsPerItem(itemBytes) {
  return Math.max(1, Math.ceil(itemBytes / 1024));
}

/** The DynamoDB size of a wire-JSON item, by the generic rules (used to check `itemJson`). */
export function wireItemSize(item) {
  let size = 0;
  for (const [name, value] of Object.entries(item)) size += Buffer.byteLength(name) + wireValueSize(value);
  return size;
}

function wireValueSize(value) {
  if (value.S !== undefined) return Buffer.byteLength(value.S);
  if (value.N !== undefined) return numberSize(value.N);
  if (value.B !== undefined) return Buffer.from(value.B, 'base64').length;
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.SS) return value.SS.reduce((sum, s) => sum + Buffer.byteLength(s), 0);
  if (value.NS) return value.NS.reduce((sum, s) => sum + numberSize(s), 0);
  if (value.M) {
    let size = 3;
    for (const [name, v] of Object.entries(value.M)) size += Buffer.byteLength(name) + wireValueSize(v) + 1;
    return size;
  }
  if (value.L) return 3 + value.L.reduce((sum, v) => sum + wireValueSize(v) + 1, 0);
  return 0;
}
