import { InvalidOptionError } from '../errors.js';
import type { KeySchemaElement, TableDescription, TableSnapshot } from './table.js';

/** One key attribute as `--key` names it. */
export interface KeyPart {
  name: string;
  type: 'S' | 'N' | 'B';
}

/** A table's primary key: the partition key, then the sort key if there is one. */
export type KeySpec = readonly [KeyPart] | readonly [KeyPart, KeyPart];

/** `pk:S` or `pk:S,sk:N` → the key parts; InvalidOptionError naming what is wrong. */
export function parseKeySpec(value: string | boolean | readonly string[] | undefined): KeySpec | undefined {
  if (value === undefined) return undefined;
  const text = typeof value === 'string' ? value.trim() : '';
  const example = 'e.g. --key pk:S or --key pk:S,sk:N (types S, N or B)';
  const parts = text === '' ? [] : text.split(',').map((part) => part.trim());
  if (parts.length < 1 || parts.length > 2) {
    throw new InvalidOptionError(
      `--key must name the partition key and optionally the sort key, not '${value}'.`,
      { hint: `Give NAME:TYPE for each, ${example}.` },
    );
  }
  const parsed = parts.map((part): KeyPart => {
    const match = /^(.+):(S|N|B)$/i.exec(part);
    if (!match || match[1]!.trim() === '') {
      throw new InvalidOptionError(`--key: '${part}' is not NAME:TYPE.`, { hint: `${example}.` });
    }
    return { name: match[1]!.trim(), type: match[2]!.toUpperCase() as KeyPart['type'] };
  });
  if (parsed.length === 2 && parsed[0]!.name === parsed[1]!.name) {
    throw new InvalidOptionError(`--key names '${parsed[0]!.name}' twice.`, {
      hint: 'The partition key and the sort key are two different attributes.',
    });
  }
  return parsed as unknown as KeySpec;
}

/** The key a table description declares, in `--key` form. */
export function keySpecOf(table: Pick<TableDescription, 'KeySchema' | 'AttributeDefinitions'>): KeyPart[] {
  const ordered = [...(table.KeySchema ?? [])].sort((a, b) =>
    a.KeyType === b.KeyType ? 0 : a.KeyType === 'HASH' ? -1 : 1,
  );
  return ordered.map((element) => ({
    name: element.AttributeName ?? '',
    type: (table.AttributeDefinitions?.find((d) => d.AttributeName === element.AttributeName)
      ?.AttributeType ?? 'S') as KeyPart['type'],
  }));
}

export function formatKeySpec(key: readonly KeyPart[]): string {
  return key.map((part) => `${part.name}:${part.type}`).join(',');
}

/**
 * The definition of a table known only by its key (an export without one, such as AWS's own):
 * on-demand, no indexes, no settings. The new table gets what the user can see from the flag.
 */
export function snapshotFromKey(key: KeySpec, tableName: string): TableSnapshot {
  const schema: KeySchemaElement[] = key.map((part, index) => ({
    AttributeName: part.name,
    KeyType: index === 0 ? 'HASH' : 'RANGE',
  }));
  return {
    table: {
      TableName: tableName,
      KeySchema: schema,
      AttributeDefinitions: key.map((part) => ({ AttributeName: part.name, AttributeType: part.type })),
      BillingModeSummary: { BillingMode: 'PAY_PER_REQUEST' },
    },
    timeToLive: { TimeToLiveStatus: 'DISABLED' },
    continuousBackups: {
      ContinuousBackupsStatus: 'ENABLED',
      PointInTimeRecoveryDescription: { PointInTimeRecoveryStatus: 'DISABLED' },
    },
    tags: [],
  };
}
