/**
 * Pure translation of a source table's description into the target's CreateTable input and the
 * settings that must wait until the target is ACTIVE.
 *
 * The CreateTable input is built field by field from an allow-list. Peers that spread DescribeTable
 * output and delete the read-only fields break whenever AWS adds a response field (LatestStreamArn,
 * TableId, TableClassSummary, Replicas, on-demand GSI throughput...); here a new field is simply
 * not copied until someone decides it should be.
 */
import { InvalidOptionError } from '../errors.js';
import {
  type AttributeDefinition,
  type BillingMode,
  type CreateTableCommandInput,
  type GlobalSecondaryIndex,
  type GlobalSecondaryIndexDescription,
  type KeySchemaElement,
  type LateSetting,
  type LocalSecondaryIndex,
  type LocalSecondaryIndexDescription,
  type OnDemandThroughput,
  type Projection,
  type ProvisionedThroughput,
  type ProvisionedThroughputDescription,
  type SSESpecification,
  type TableDescription,
  type TableSnapshot,
  type Tag,
  UNSUPPORTED,
  type WarmThroughput,
} from '../model/table.js';

/** A table setting `--skip` leaves out of the target (each also drops the IAM actions it needs). */
export type SkippableSetting = 'ttl' | 'pitr' | 'tags' | 'streams' | 'deletion-protection';

export const SKIPPABLE_SETTINGS: readonly SkippableSetting[] = [
  'ttl',
  'pitr',
  'tags',
  'streams',
  'deletion-protection',
];

export interface SchemaOptions {
  targetTableName: string;
  /** Overrides the source's billing mode. */
  billingMode?: 'PAY_PER_REQUEST' | 'PROVISIONED';
  /** Read capacity for the table and every GSI; needs a provisioned target. */
  readCapacity?: number;
  /** Write capacity for the table and every GSI; needs a provisioned target. */
  writeCapacity?: number;
  /** KMS key of the target account (id, ARN, alias name or alias ARN). */
  sseKmsKeyId?: string;
  skip: ReadonlySet<SkippableSetting>;
}

export interface SchemaTranslation {
  createTable: CreateTableCommandInput;
  /** Settings CreateTable cannot take, in the order they should be applied. */
  lateSettings: LateSetting[];
  /** What will differ from the source, in words a user can act on. */
  warnings: string[];
}

// The key DynamoDB uses when SSE is KMS without a key id; the only one a target account shares by name.
const AWS_MANAGED_KEY_ALIAS = 'alias/aws/dynamodb';

/**
 * Computes the CreateTable input and late settings that recreate `source.table` as
 * `options.targetTableName`. Throws InvalidOptionError when the capacity options contradict each
 * other or the resulting billing mode; never throws for odd or missing source fields (it warns).
 */
export function translateSchema(source: TableSnapshot, options: SchemaOptions): SchemaTranslation {
  const table = source.table;
  const warnings: string[] = [];

  const sourceMode = billingModeOf(table);
  const targetMode: BillingMode = options.billingMode ?? sourceMode;
  checkCapacityOptions(options, sourceMode, targetMode);
  const provisioned = targetMode === 'PROVISIONED';

  const tableThroughput = provisioned
    ? provisionedThroughput(table.ProvisionedThroughput, options, 'the table', warnings)
    : undefined;

  const globalIndexes: GlobalSecondaryIndex[] = [];
  for (const index of table.GlobalSecondaryIndexes ?? []) {
    if (index.IndexStatus === 'DELETING') {
      warnings.push(`global secondary index ${index.IndexName} is being deleted on the source; not created`);
      continue;
    }
    globalIndexes.push(globalIndex(index, provisioned, options, warnings));
  }
  const localIndexes: LocalSecondaryIndex[] = [];
  for (const index of table.LocalSecondaryIndexes ?? []) localIndexes.push(localIndex(index));

  const keySchema = copyKeySchema(table.KeySchema);
  const createTable: CreateTableCommandInput = {
    TableName: options.targetTableName,
    KeySchema: keySchema,
    AttributeDefinitions: usedAttributeDefinitions(table.AttributeDefinitions, [
      keySchema,
      ...globalIndexes.map((index) => index.KeySchema),
      ...localIndexes.map((index) => index.KeySchema),
    ]),
    BillingMode: targetMode,
  };
  if (tableThroughput) createTable.ProvisionedThroughput = tableThroughput;
  if (globalIndexes.length > 0) createTable.GlobalSecondaryIndexes = globalIndexes;
  if (localIndexes.length > 0) createTable.LocalSecondaryIndexes = localIndexes;

  const stream = table.StreamSpecification;
  if (stream?.StreamEnabled === true && !options.skip.has('streams')) {
    createTable.StreamSpecification = { StreamEnabled: true };
    if (stream.StreamViewType !== undefined)
      createTable.StreamSpecification.StreamViewType = stream.StreamViewType;
  }

  const sse = sseSpecification(table, options, warnings);
  if (sse) createTable.SSESpecification = sse;

  const tableClass = table.TableClassSummary?.TableClass;
  if (tableClass !== undefined && tableClass !== 'STANDARD') createTable.TableClass = tableClass;

  if (table.DeletionProtectionEnabled === true && !options.skip.has('deletion-protection')) {
    createTable.DeletionProtectionEnabled = true;
  }

  if (!provisioned) {
    const onDemand = onDemandThroughput(table.OnDemandThroughput);
    if (onDemand) createTable.OnDemandThroughput = onDemand;
  }
  const warm = warmThroughput(table.WarmThroughput);
  if (warm) createTable.WarmThroughput = warm;

  warnAboutUncopiedFeatures(table, warnings);

  return { createTable, lateSettings: lateSettings(source, options, warnings), warnings };
}

// DynamoDB Local omits BillingModeSummary for provisioned tables, and old AWS tables predate it.
function billingModeOf(table: TableDescription): BillingMode {
  return table.BillingModeSummary?.BillingMode === 'PAY_PER_REQUEST' ? 'PAY_PER_REQUEST' : 'PROVISIONED';
}

function checkCapacityOptions(
  options: SchemaOptions,
  sourceMode: BillingMode,
  targetMode: BillingMode,
): void {
  const { readCapacity, writeCapacity } = options;
  for (const [flag, value] of [
    ['--read-capacity', readCapacity],
    ['--write-capacity', writeCapacity],
  ] as const) {
    if (value !== undefined && (!Number.isSafeInteger(value) || value < 1)) {
      throw new InvalidOptionError(`${flag} must be a whole number of at least 1, not ${value}`, {
        side: 'target',
        hint: `Pass ${flag} with a positive integer.`,
      });
    }
  }
  const given = readCapacity !== undefined || writeCapacity !== undefined;
  if (targetMode === 'PAY_PER_REQUEST' && given) {
    throw new InvalidOptionError('--read-capacity and --write-capacity need a provisioned target table', {
      side: 'target',
      hint:
        options.billingMode === 'PAY_PER_REQUEST'
          ? 'Drop --read-capacity/--write-capacity, or use --billing-mode provisioned.'
          : 'The source table is on-demand; add --billing-mode provisioned to give the target capacity.',
    });
  }
  if (targetMode === 'PROVISIONED' && sourceMode === 'PAY_PER_REQUEST') {
    if (readCapacity === undefined || writeCapacity === undefined) {
      throw new InvalidOptionError(
        'a provisioned target from an on-demand source needs both read and write capacity',
        {
          side: 'target',
          hint: 'Pass --read-capacity N and --write-capacity N (applied to the table and every global secondary index).',
        },
      );
    }
  }
}

function provisionedThroughput(
  described: ProvisionedThroughputDescription | undefined,
  options: SchemaOptions,
  what: string,
  warnings: string[],
): ProvisionedThroughput {
  return {
    ReadCapacityUnits:
      options.readCapacity ?? describedCapacity(described?.ReadCapacityUnits, what, 'read', warnings),
    WriteCapacityUnits:
      options.writeCapacity ?? describedCapacity(described?.WriteCapacityUnits, what, 'write', warnings),
  };
}

// A provisioned table or GSI always has at least 1 unit; anything else is a broken description,
// and 1 is the cheapest value CreateTable accepts.
function describedCapacity(
  value: number | undefined,
  what: string,
  kind: 'read' | 'write',
  warnings: string[],
): number {
  if (value !== undefined && Number.isSafeInteger(value) && value >= 1) return value;
  warnings.push(
    `source reports ${value ?? 'no'} ${kind} capacity for ${what} although it is provisioned; using 1 ` +
      `(set --${kind}-capacity to choose)`,
  );
  return 1;
}

function globalIndex(
  index: GlobalSecondaryIndexDescription,
  provisioned: boolean,
  options: SchemaOptions,
  warnings: string[],
): GlobalSecondaryIndex {
  const result: GlobalSecondaryIndex = {
    IndexName: index.IndexName,
    KeySchema: copyKeySchema(index.KeySchema),
    Projection: copyProjection(index.Projection),
  };
  if (provisioned) {
    result.ProvisionedThroughput = provisionedThroughput(
      index.ProvisionedThroughput,
      options,
      `global secondary index ${index.IndexName}`,
      warnings,
    );
  } else {
    const onDemand = onDemandThroughput(index.OnDemandThroughput);
    if (onDemand) result.OnDemandThroughput = onDemand;
  }
  const warm = warmThroughput(index.WarmThroughput);
  if (warm) result.WarmThroughput = warm;
  return result;
}

function localIndex(index: LocalSecondaryIndexDescription): LocalSecondaryIndex {
  return {
    IndexName: index.IndexName,
    KeySchema: copyKeySchema(index.KeySchema),
    Projection: copyProjection(index.Projection),
  };
}

function copyKeySchema(keySchema: KeySchemaElement[] | undefined): KeySchemaElement[] {
  return (keySchema ?? []).map((element) => ({
    AttributeName: element.AttributeName,
    KeyType: element.KeyType,
  }));
}

function copyProjection(projection: Projection | undefined): Projection {
  const result: Projection = {};
  if (projection?.ProjectionType !== undefined) result.ProjectionType = projection.ProjectionType;
  // CreateTable rejects NonKeyAttributes with ALL and KEYS_ONLY.
  if (projection?.ProjectionType === 'INCLUDE' && projection.NonKeyAttributes) {
    result.NonKeyAttributes = [...projection.NonKeyAttributes];
  }
  return result;
}

// CreateTable rejects attribute definitions that no key schema uses; DescribeTable can list some
// (e.g. left over from a deleted index).
function usedAttributeDefinitions(
  definitions: AttributeDefinition[] | undefined,
  keySchemas: (KeySchemaElement[] | undefined)[],
): AttributeDefinition[] {
  const used = new Set<string | undefined>();
  for (const keySchema of keySchemas) for (const element of keySchema ?? []) used.add(element.AttributeName);
  return (definitions ?? [])
    .filter((definition) => used.has(definition.AttributeName))
    .map((definition) => ({
      AttributeName: definition.AttributeName,
      AttributeType: definition.AttributeType,
    }));
}

// AWS reports -1 for "no maximum"; CreateTable accepts only values of at least 1.
function onDemandThroughput(described: OnDemandThroughput | undefined): OnDemandThroughput | undefined {
  const result: OnDemandThroughput = {};
  if (isPositive(described?.MaxReadRequestUnits)) result.MaxReadRequestUnits = described.MaxReadRequestUnits;
  if (isPositive(described?.MaxWriteRequestUnits))
    result.MaxWriteRequestUnits = described.MaxWriteRequestUnits;
  return Object.keys(result).length > 0 ? result : undefined;
}

// The description carries a Status that CreateTable does not take.
function warmThroughput(described: WarmThroughput | undefined): WarmThroughput | undefined {
  const result: WarmThroughput = {};
  if (isPositive(described?.ReadUnitsPerSecond)) result.ReadUnitsPerSecond = described.ReadUnitsPerSecond;
  if (isPositive(described?.WriteUnitsPerSecond)) result.WriteUnitsPerSecond = described.WriteUnitsPerSecond;
  return Object.keys(result).length > 0 ? result : undefined;
}

function isPositive(value: number | undefined): value is number {
  return value !== undefined && value >= 1;
}

function sseSpecification(
  table: TableDescription,
  options: SchemaOptions,
  warnings: string[],
): SSESpecification | undefined {
  const described = table.SSEDescription;
  const sourceUsesKms =
    described?.SSEType === 'KMS' && described.Status !== 'DISABLED' && described.Status !== 'DISABLING';
  if (options.sseKmsKeyId !== undefined) {
    return { Enabled: true, SSEType: 'KMS', KMSMasterKeyId: options.sseKmsKeyId };
  }
  if (!sourceUsesKms) return undefined;
  // DescribeTable gives the key's ARN even for the AWS managed key, so all we can tell is that it
  // is a key of the source account, which the target account cannot use.
  const keyArn = described.KMSMasterKeyArn;
  if (keyArn !== undefined && !keyArn.endsWith(AWS_MANAGED_KEY_ALIAS)) {
    warnings.push(
      `source is encrypted with KMS key ${keyArn}, which belongs to the source account and cannot be used by ` +
        `the target; the target will use its account's AWS managed key (${AWS_MANAGED_KEY_ALIAS}). ` +
        'Pass --sse-kms-key-id to choose a key of the target account.',
    );
  }
  return { Enabled: true, SSEType: 'KMS' };
}

function warnAboutUncopiedFeatures(table: TableDescription, warnings: string[]): void {
  const replicas = table.Replicas ?? [];
  if (replicas.length > 0) {
    const regions = replicas.map((replica) => replica.RegionName ?? '?').join(', ');
    warnings.push(
      `source is a global table (replicas: ${regions}); the target is created as a single-Region table`,
    );
  }
  const vectorIndexes = table.VectorIndexes ?? [];
  if (vectorIndexes.length > 0) {
    const names = vectorIndexes.map((index) => index.IndexName ?? '?').join(', ');
    warnings.push(`vector indexes are not copied: ${names}`);
  }
}

function lateSettings(source: TableSnapshot, options: SchemaOptions, warnings: string[]): LateSetting[] {
  const settings: LateSetting[] = [];

  if (!options.skip.has('ttl')) {
    const ttl = source.timeToLive;
    if (ttl === UNSUPPORTED) {
      warnings.push('source endpoint does not report time to live; it will not be enabled');
    } else if (ttl.TimeToLiveStatus === 'ENABLED' || ttl.TimeToLiveStatus === 'ENABLING') {
      if (ttl.AttributeName) settings.push({ kind: 'ttl', attributeName: ttl.AttributeName });
      else warnings.push('source reports time to live enabled but no attribute name; it will not be enabled');
    }
  }

  if (!options.skip.has('pitr')) {
    const backups = source.continuousBackups;
    if (backups === UNSUPPORTED) {
      warnings.push('source endpoint does not report point-in-time recovery; it will not be enabled');
    } else {
      const pitr = backups.PointInTimeRecoveryDescription;
      if (pitr?.PointInTimeRecoveryStatus === 'ENABLED') {
        const setting: Extract<LateSetting, { kind: 'pitr' }> = { kind: 'pitr' };
        if (pitr.RecoveryPeriodInDays !== undefined) setting.recoveryPeriodInDays = pitr.RecoveryPeriodInDays;
        settings.push(setting);
      }
    }
  }

  if (!options.skip.has('tags')) {
    const tags = source.tags;
    if (tags === UNSUPPORTED) {
      warnings.push('source endpoint does not report tags; none will be copied');
    } else {
      const copied: Tag[] = [];
      const reserved: string[] = [];
      for (const tag of tags) {
        // TagResource rejects the aws: prefix; AWS services (CloudFormation, ...) set those tags themselves.
        if (tag.Key?.startsWith('aws:')) reserved.push(tag.Key);
        else copied.push({ Key: tag.Key, Value: tag.Value });
      }
      if (reserved.length > 0) {
        warnings.push(`tags reserved by AWS are not copied: ${reserved.join(', ')}`);
      }
      if (copied.length > 0) settings.push({ kind: 'tags', tags: copied });
    }
  }

  return settings;
}
