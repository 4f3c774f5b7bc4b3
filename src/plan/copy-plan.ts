import {
  InvalidOptionError,
  SameTableError,
  SchemaMismatchError,
  type Side,
  TableNotFoundError,
} from '../errors.js';
import { describeKeySchema, keyAttributeNames, keySchemasMatch } from '../model/key-schema.js';
import type { SideIdentity } from '../model/side-identity.js';
import type {
  CreateTableCommandInput,
  LateSetting,
  TableDescription,
  TableSnapshot,
} from '../model/table.js';
import type { TableLocation } from '../model/table-location.js';
import { type CopyEstimate, estimateCopy, type SideBilling } from './cost-estimate.js';
import type { BillingMode, CopyMode, RateSpec } from './option-values.js';
import { deletionProtected, KEEP_WITH_DATA_ONLY } from './target-replacement.js';
import { type SkippableSetting, translateSchema } from './translate-schema.js';

export type { TableLocation } from '../model/table-location.js';

/** What planCopy reads of a copy's options: the runs' validated CopyOptions are such options. */
export interface CopyPlanOptions {
  readonly mode: CopyMode;
  readonly segments: number | undefined;
  readonly concurrency: number | undefined;
  readonly readRate: RateSpec | undefined;
  readonly writeRate: RateSpec | undefined;
  readonly consistentRead: boolean;
  readonly billingMode: BillingMode | undefined;
  readonly readCapacity: number | undefined;
  readonly writeCapacity: number | undefined;
  readonly sseKmsKeyId: string | undefined;
  readonly skip: ReadonlySet<SkippableSetting>;
}

export interface PlanInput {
  source: TableSnapshot;
  sourceLocation: TableLocation;
  /** The target's description, or undefined when it does not exist. */
  target: TableDescription | undefined;
  targetLocation: TableLocation;
  options: CopyPlanOptions;
  /** Who each side acts as (account, profile or role, region), carried into the plan for the user to check. */
  sides?: { source: SideIdentity; target: SideIdentity };
}

/** Everything a copy will do, computed before anything is done: `--dry-run` prints it. */
export interface CopyPlan {
  mode: CopyMode;
  /** The existing target will be deleted (and recreated). */
  deleteTarget: boolean;
  /** The CreateTable request, or undefined with --data-only. */
  createTable: CreateTableCommandInput | undefined;
  lateSettings: LateSetting[];
  copyItems: boolean;
  keyAttributes: string[];
  segments: number;
  scanConcurrency: number;
  writeConcurrency: number;
  scanLimit: number;
  readUnitsPerPage: number;
  /** Capacity units per second; undefined means no cap. */
  readRate: number | undefined;
  writeRate: number | undefined;
  /**
   * What DescribeTable says the source holds (approximate on AWS), and what copying it takes: read
   * and write units, the least time under the rates and capacities, the cost at list prices.
   */
  estimate: CopyEstimate;
  /** What the existing target holds, as DescribeTable says (approximate on AWS), when there is one. */
  existingTarget?: { items: number; bytes: number };
  /** Who each side acts as: the account its credentials belong to, the profile or role, the region. */
  sides?: { source: SideIdentity; target: SideIdentity };
  warnings: string[];
  /** The masks per attribute path and the key attributes they touch (the run fills it in). */
  masks?: string[];
  /** The Scan's FilterExpression, when only some items are copied. */
  filter?: string;
}

/** DynamoDB reads at most 1 MB per Scan page. */
const SCAN_PAGE_BYTES = 1024 * 1024;
/** One read capacity unit reads 4 KB (strongly consistent; eventually consistent costs half). */
const READ_UNIT_BYTES = 4096;
const DEFAULT_WRITE_CONCURRENCY = 16;
const MAX_SCAN_CONCURRENCY = 8;

/** Pure: decides what the copy will do, or throws the typed error that explains why it must not run. */
export function planCopy(input: PlanInput): CopyPlan {
  const { source, target, options } = input;
  if (target && isSameTable(input.sourceLocation, input.targetLocation)) {
    throw new SameTableError(
      `Source and target are the same table ('${input.sourceLocation.tableName}' in ${input.sourceLocation.region}${input.sourceLocation.endpoint ? ` at ${input.sourceLocation.endpoint}` : ''}).`,
      {
        side: 'target',
        hint: 'Copying a table onto itself would delete it. Name another target table, account (profile/role) or region.',
      },
    );
  }
  const warnings: string[] = [];
  let createTable: CreateTableCommandInput | undefined;
  let lateSettings: LateSetting[] = [];

  if (options.mode === 'data-only') {
    if (!target) {
      throw new TableNotFoundError(
        `The target table '${input.targetLocation.tableName}' does not exist; --data-only needs it.`,
        {
          side: 'target',
          hint: 'Drop --data-only to create it from the source, or check the target name, region and account.',
        },
      );
    }
    if (!keySchemasMatch(source.table, target)) {
      throw new SchemaMismatchError(
        `The target's key schema (${describeKeySchema(target)}) differs from the source's (${describeKeySchema(source.table)}).`,
        {
          side: 'target',
          hint: 'Items cannot be put into a table with other keys. Drop --data-only to recreate the target.',
        },
      );
    }
  } else {
    // Refused here already, so a dry run says so too.
    if (target?.DeletionProtectionEnabled)
      throw deletionProtected(input.targetLocation.tableName, KEEP_WITH_DATA_ONLY);
    const translation = translateSchema(source, {
      targetTableName: targetApiName(input),
      billingMode: options.billingMode,
      readCapacity: options.readCapacity,
      writeCapacity: options.writeCapacity,
      sseKmsKeyId: options.sseKmsKeyId,
      skip: options.skip,
    });
    createTable = translation.createTable;
    lateSettings = translation.lateSettings;
    warnings.push(...translation.warnings);
  }

  const items = Math.max(0, source.table.ItemCount ?? 0);
  const bytes = Math.max(0, source.table.TableSizeBytes ?? 0);
  const segments = options.segments ?? defaultSegments(bytes);
  const { scanLimit, readUnitsPerPage } = scanPaging(source.table, options.consistentRead, segments);
  const readRate = resolveRate(options.readRate, 'source', 'read', capacityOf(source.table, 'read'));
  const writeCapacityTable = createTable ?? target;
  const writeRate = resolveRate(
    options.writeRate,
    'target',
    'write',
    capacityOf(writeCapacityTable, 'write'),
  );
  const estimate = estimateCopy({
    size: { items, bytes },
    copyItems: options.mode !== 'schema-only',
    consistentRead: options.consistentRead,
    source: billingOf(source.table, 'read'),
    target: billingOf(writeCapacityTable, 'write'),
    readRate,
    writeRate,
    targetIndexes: indexCount(writeCapacityTable),
    sourceRegion: input.sourceLocation.region,
    targetRegion: input.targetLocation.region,
  });

  return {
    mode: options.mode,
    deleteTarget: options.mode !== 'data-only' && target !== undefined,
    createTable,
    lateSettings,
    copyItems: options.mode !== 'schema-only',
    keyAttributes: keyAttributeNames(source.table),
    segments,
    scanConcurrency: Math.min(segments, MAX_SCAN_CONCURRENCY),
    writeConcurrency: options.concurrency ?? defaultWriteConcurrency(writeRate),
    scanLimit,
    readUnitsPerPage,
    readRate,
    writeRate,
    estimate,
    ...(target
      ? {
          existingTarget: {
            items: Math.max(0, target.ItemCount ?? 0),
            bytes: Math.max(0, target.TableSizeBytes ?? 0),
          },
        }
      : {}),
    ...(input.sides ? { sides: input.sides } : {}),
    warnings,
  };
}

/** The name CreateTable gets: a target ARN is accepted by DynamoDB as TableName, but CreateTable wants the name. */
function targetApiName(input: PlanInput): string {
  return input.targetLocation.tableName;
}

/**
 * Same table when the ARNs match on real AWS. DynamoDB Local gives every "account" the same ARN, so
 * there the endpoint, region and signing key must match too.
 */
export function isSameTable(a: TableLocation, b: TableLocation): boolean {
  if (a.tableArn && b.tableArn) {
    if (a.tableArn !== b.tableArn) return false;
    if (!isLocalArn(a.tableArn)) return true;
  }
  return (
    a.tableName === b.tableName &&
    a.region === b.region &&
    normalizeEndpoint(a.endpoint) === normalizeEndpoint(b.endpoint) &&
    a.accessKeyId === b.accessKeyId
  );
}

function isLocalArn(arn: string): boolean {
  return arn.includes(':ddblocal:') || arn.includes(':000000000000:');
}

function normalizeEndpoint(endpoint: string | undefined): string {
  if (!endpoint) return '';
  const url = new URL(endpoint);
  const host = url.hostname === 'localhost' ? '127.0.0.1' : url.hostname;
  return `${url.protocol}//${host}:${url.port}${url.pathname.replace(/\/$/, '')}`;
}

/**
 * Items per Scan page, and the read units a page is expected to cost (charged before the page is
 * read, settled with what DynamoDB reports): from the table's average item size, and no more than a
 * segment's share of the table (a small table's pages are small; charging a full page each would
 * hold a --read-rate copy far below its rate).
 */
export function scanPaging(
  table: TableDescription,
  consistentRead: boolean,
  segments: number,
): { scanLimit: number; readUnitsPerPage: number } {
  const items = Math.max(0, table.ItemCount ?? 0);
  const bytes = Math.max(0, table.TableSizeBytes ?? 0);
  const averageItemBytes = items > 0 ? bytes / items : 1024;
  const scanLimit = Math.max(
    100,
    Math.min(2000, Math.floor(SCAN_PAGE_BYTES / Math.max(1, averageItemBytes))),
  );
  const segmentBytes = bytes > 0 ? bytes / Math.max(1, segments) : Number.POSITIVE_INFINITY;
  const pageBytes = Math.min(SCAN_PAGE_BYTES, scanLimit * averageItemBytes, segmentBytes);
  const readUnitsPerPage = Math.max(0.5, Math.ceil(pageBytes / READ_UNIT_BYTES) * (consistentRead ? 1 : 0.5));
  return { scanLimit, readUnitsPerPage };
}

/** About 32 MB a segment, at least 8 segments past 1 MB (so DynamoDB Local scans in parallel too). */
export function defaultSegments(tableBytes: number): number {
  if (tableBytes < 1024 * 1024) return 1;
  return Math.min(1000, Math.max(8, Math.ceil(tableBytes / (32 * 1024 * 1024))));
}

/** Enough writers to reach the rate: one writer puts about 500 WCU/s of 1 KB items. */
function defaultWriteConcurrency(writeRate: number | undefined): number {
  if (writeRate === undefined) return DEFAULT_WRITE_CONCURRENCY;
  return Math.min(64, Math.max(4, Math.ceil(writeRate / 500)));
}

/** A side's billing for the estimate: a table DescribeTable shows without a billing summary is provisioned. */
function billingOf(
  table: TableDescription | CreateTableCommandInput | undefined,
  kind: 'read' | 'write',
): SideBilling {
  const capacity = capacityOf(table, kind);
  const billing =
    table && 'BillingModeSummary' in table
      ? table.BillingModeSummary?.BillingMode
      : (table as CreateTableCommandInput | undefined)?.BillingMode;
  return billing === 'PAY_PER_REQUEST'
    ? { mode: 'on-demand', onDemandMax: capacity.onDemandMax }
    : { mode: 'provisioned', capacity: capacity.provisioned };
}

/** Global and local secondary indexes: each can take a write for every item put into the table. */
function indexCount(table: TableDescription | CreateTableCommandInput | undefined): number {
  return (table?.GlobalSecondaryIndexes?.length ?? 0) + (table?.LocalSecondaryIndexes?.length ?? 0);
}

type Capacity = { provisioned: number | undefined; onDemandMax: number | undefined };

function capacityOf(
  table: TableDescription | CreateTableCommandInput | undefined,
  kind: 'read' | 'write',
): Capacity {
  if (!table) return { provisioned: undefined, onDemandMax: undefined };
  const billing =
    'BillingModeSummary' in table
      ? table.BillingModeSummary?.BillingMode
      : (table as CreateTableCommandInput).BillingMode;
  const throughput = table.ProvisionedThroughput;
  const onDemand = table.OnDemandThroughput;
  const provisioned =
    billing === 'PAY_PER_REQUEST'
      ? undefined
      : kind === 'read'
        ? throughput?.ReadCapacityUnits
        : throughput?.WriteCapacityUnits;
  const onDemandMax = kind === 'read' ? onDemand?.MaxReadRequestUnits : onDemand?.MaxWriteRequestUnits;
  return {
    provisioned: provisioned && provisioned > 0 ? provisioned : undefined,
    onDemandMax: onDemandMax && onDemandMax > 0 ? onDemandMax : undefined,
  };
}

/** A rate flag as capacity units per second, against the table's capacity when it is a percentage. */
export function tableRate(
  spec: RateSpec | undefined,
  side: Side,
  kind: 'read' | 'write',
  table: TableDescription | CreateTableCommandInput | undefined,
): number | undefined {
  return resolveRate(spec, side, kind, capacityOf(table, kind));
}

function resolveRate(
  spec: RateSpec | undefined,
  side: Side,
  kind: 'read' | 'write',
  capacity: Capacity,
): number | undefined {
  if (!spec) return undefined;
  if (spec.kind === 'units') return spec.units;
  const base = capacity.provisioned ?? capacity.onDemandMax;
  if (base === undefined) {
    throw new InvalidOptionError(
      `--${kind}-rate ${spec.percent}% needs the ${side} table's ${kind} capacity, but it is on-demand with no maximum set.`,
      { side, hint: `Give an absolute rate instead, e.g. --${kind}-rate 1000 (capacity units per second).` },
    );
  }
  return (base * spec.percent) / 100;
}
