/**
 * Pure: how the target's definition differs from the source's, in sentences. Both sides go through
 * translateSchema, the function that builds a copy's CreateTable input, so "the same" means exactly
 * "a copy would have created this": read-only fields, DynamoDB's -1 for "no maximum", unused attribute
 * definitions and index order never count as differences.
 */
import {
  type AttributeDefinition,
  type CreateTableCommandInput,
  type KeySchemaElement,
  type LateSetting,
  type Projection,
  type ProvisionedThroughput,
  type TableSnapshot,
  UNSUPPORTED,
} from '../model/table.js';
import { type SkippableSetting, translateSchema } from './translate-schema.js';

export interface SchemaComparison {
  differences: string[];
  /** Settings not compared because one side's endpoint does not report them (DynamoDB Local: PITR, tags). */
  notCompared: string[];
}

type Definition = CreateTableCommandInput;

/**
 * Compares keys, indexes and their projections, billing and capacities, stream, table class,
 * encryption type, deletion protection, TTL, point-in-time recovery and tags. Settings in `skip` are
 * not compared.
 */
export function compareSchemas(
  source: TableSnapshot,
  target: TableSnapshot,
  skip: ReadonlySet<SkippableSetting>,
): SchemaComparison {
  const notCompared: string[] = [];
  const effectiveSkip = new Set(skip);
  const unreported = (setting: SkippableSetting, what: string, field: keyof TableSnapshot): void => {
    if (skip.has(setting)) return;
    if (source[field] === UNSUPPORTED || target[field] === UNSUPPORTED) {
      effectiveSkip.add(setting);
      notCompared.push(what);
    }
  };
  unreported('ttl', 'time to live', 'timeToLive');
  unreported('pitr', 'point-in-time recovery', 'continuousBackups');
  unreported('tags', 'tags', 'tags');

  const translate = (snapshot: TableSnapshot) =>
    translateSchema(snapshot, { targetTableName: 'compared', skip: effectiveSkip });
  const s = translate(source);
  const t = translate(target);
  const differences: string[] = [];
  const differ = (what: string, sourceValue: string, targetValue: string): void => {
    if (sourceValue !== targetValue) {
      differences.push(`${what}: ${sourceValue} on the source, ${targetValue} on the target`);
    }
  };

  const sd = s.createTable;
  const td = t.createTable;
  differ('key schema', keysText(sd.KeySchema, sd), keysText(td.KeySchema, td));
  differ('billing mode', sd.BillingMode ?? 'PROVISIONED', td.BillingMode ?? 'PROVISIONED');
  if (sd.BillingMode === td.BillingMode) {
    differ(
      'capacity of the table',
      throughputText(sd.ProvisionedThroughput),
      throughputText(td.ProvisionedThroughput),
    );
    differ('on-demand maximum of the table', onDemandText(sd), onDemandText(td));
  }
  compareIndexes(
    'global secondary index',
    sd.GlobalSecondaryIndexes ?? [],
    td.GlobalSecondaryIndexes ?? [],
    sd,
    td,
    differ,
    differences,
  );
  compareIndexes(
    'local secondary index',
    sd.LocalSecondaryIndexes ?? [],
    td.LocalSecondaryIndexes ?? [],
    sd,
    td,
    differ,
    differences,
  );
  if (!effectiveSkip.has('streams')) differ('stream', streamText(sd), streamText(td));
  differ('table class', sd.TableClass ?? 'STANDARD', td.TableClass ?? 'STANDARD');
  differ(
    'encryption',
    sd.SSESpecification ? 'KMS key' : 'AWS owned key',
    td.SSESpecification ? 'KMS key' : 'AWS owned key',
  );
  if (!effectiveSkip.has('deletion-protection')) {
    differ('deletion protection', onOff(sd.DeletionProtectionEnabled), onOff(td.DeletionProtectionEnabled));
  }
  if (!effectiveSkip.has('ttl')) differ('time to live', ttlText(s.lateSettings), ttlText(t.lateSettings));
  if (!effectiveSkip.has('pitr')) {
    differ('point-in-time recovery', pitrText(s.lateSettings), pitrText(t.lateSettings));
  }
  if (!effectiveSkip.has('tags')) differ('tags', tagsText(s.lateSettings), tagsText(t.lateSettings));
  return { differences, notCompared };
}

interface IndexLike {
  IndexName?: string | undefined;
  KeySchema?: KeySchemaElement[] | undefined;
  Projection?: Projection | undefined;
  ProvisionedThroughput?: ProvisionedThroughput | undefined;
  OnDemandThroughput?: Definition['OnDemandThroughput'];
}

function compareIndexes(
  kind: string,
  sourceIndexes: readonly IndexLike[],
  targetIndexes: readonly IndexLike[],
  sd: Definition,
  td: Definition,
  differ: (what: string, sourceValue: string, targetValue: string) => void,
  differences: string[],
): void {
  const byName = (indexes: readonly IndexLike[]) =>
    new Map(indexes.map((index) => [index.IndexName ?? '?', index]));
  const targets = byName(targetIndexes);
  const sources = byName(sourceIndexes);
  for (const [name, index] of [...sources].sort(byKey)) {
    const other = targets.get(name);
    const what = `${kind} '${name}'`;
    if (!other) {
      differences.push(`${what}: missing on the target`);
      continue;
    }
    differ(`${what} keys`, keysText(index.KeySchema, sd), keysText(other.KeySchema, td));
    differ(`${what} projection`, projectionText(index.Projection), projectionText(other.Projection));
    if (sd.BillingMode === td.BillingMode) {
      differ(
        `${what} capacity`,
        throughputText(index.ProvisionedThroughput),
        throughputText(other.ProvisionedThroughput),
      );
      differ(`${what} on-demand maximum`, onDemandText(index), onDemandText(other));
    }
  }
  for (const [name] of [...targets].sort(byKey)) {
    if (!sources.has(name)) differences.push(`${kind} '${name}': only on the target`);
  }
}

function byKey<T>(a: [string, T], b: [string, T]): number {
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
}

function keysText(keySchema: KeySchemaElement[] | undefined, definition: Definition): string {
  const types = new Map<string | undefined, string | undefined>(
    (definition.AttributeDefinitions ?? []).map((d: AttributeDefinition) => [
      d.AttributeName,
      d.AttributeType,
    ]),
  );
  const elements = [...(keySchema ?? [])].sort((a, b) =>
    a.KeyType === b.KeyType ? 0 : a.KeyType === 'HASH' ? -1 : 1,
  );
  return elements
    .map((e) => `${e.AttributeName} (${types.get(e.AttributeName) ?? '?'}) ${e.KeyType}`)
    .join(', ');
}

function projectionText(projection: Projection | undefined): string {
  const type = projection?.ProjectionType ?? 'ALL';
  const attributes = [...(projection?.NonKeyAttributes ?? [])].sort();
  return attributes.length > 0 ? `${type} (${attributes.join(', ')})` : type;
}

function throughputText(throughput: ProvisionedThroughput | undefined): string {
  if (!throughput) return 'none';
  return `${throughput.ReadCapacityUnits} read / ${throughput.WriteCapacityUnits} write units`;
}

function onDemandText(holder: { OnDemandThroughput?: Definition['OnDemandThroughput'] }): string {
  const t = holder.OnDemandThroughput;
  return `${t?.MaxReadRequestUnits ?? 'no'} read / ${t?.MaxWriteRequestUnits ?? 'no'} write request units`;
}

function streamText(definition: Definition): string {
  const stream = definition.StreamSpecification;
  return stream?.StreamEnabled ? (stream.StreamViewType ?? 'on') : 'off';
}

function onOff(value: boolean | undefined): string {
  return value ? 'on' : 'off';
}

function ttlText(settings: LateSetting[]): string {
  const ttl = settings.find((s) => s.kind === 'ttl');
  return ttl ? `on '${ttl.attributeName}'` : 'off';
}

function pitrText(settings: LateSetting[]): string {
  const pitr = settings.find((s) => s.kind === 'pitr');
  if (!pitr) return 'off';
  return pitr.recoveryPeriodInDays !== undefined ? `on (${pitr.recoveryPeriodInDays} days)` : 'on';
}

function tagsText(settings: LateSetting[]): string {
  const tags = settings.find((s) => s.kind === 'tags');
  if (!tags || tags.tags.length === 0) return 'none';
  return tags.tags
    .map((tag) => `${tag.Key}=${tag.Value}`)
    .sort()
    .join(', ');
}
