/**
 * Pure planning of `copy --via-export`: from the source's description and the options, the
 * ExportTableToPointInTime request, the ImportTable request (all but the export id AWS assigns), and
 * what must be applied once the imported table is ACTIVE. No I/O: unit-tested, printed by --dry-run.
 */
import {
  DeletionProtectedError,
  InvalidOptionError,
  PointInTimeRecoveryRequiredError,
  ViaExportUnsupportedError,
} from '../errors.js';
import {
  type AttributeDefinition,
  type CreateTableCommandInput,
  type ExportTableToPointInTimeCommandInput,
  type GlobalSecondaryIndex,
  type ImportTableCommandInput,
  type KeySchemaElement,
  type LateSetting,
  type TableCreationParameters,
  type TableSnapshot,
  UNSUPPORTED,
} from '../model/table.js';
import type { TableUpdate } from '../model/table-update.js';
import { type CopyPlan, type CopyPlanOptions, type PlanInput, planCopy } from './copy-plan.js';
import type { S3Location } from './option-values.js';
import { deletionProtected } from './target-replacement.js';

/** What planViaExport reads of a copy's options: the runs' validated CopyOptions are such options. */
export interface ViaExportPlanOptions extends CopyPlanOptions {
  /** --via-export: the S3 location the export is written to and the import reads. */
  readonly viaExport?: S3Location | undefined;
  /** --drop-lsi: create the target without the source's local secondary indexes. */
  readonly dropLsi?: boolean | undefined;
  /** --s3-bucket-owner: the account owning the bucket, when it is not the caller's. */
  readonly s3BucketOwner?: string | undefined;
}

export interface ViaExportPlanInput extends PlanInput {
  options: ViaExportPlanOptions;
  /**
   * What is done to the items between AWS's export and the import (masks, a transform), described:
   * the export's data files are then rewritten under `<prefix>/masked/` and imported from there.
   */
  itemChanges?: { masks: readonly string[]; transform: string | undefined } | undefined;
}

/** What ImportTable cannot set but UpdateTable can, applied in this order once the import is done. */
export type { TableUpdate } from '../model/table-update.js';

/** ImportTable's input without S3KeyPrefix, which names the export AWS has not assigned yet. */
export type PlannedImport = Omit<ImportTableCommandInput, 'S3BucketSource' | 'ClientToken'> & {
  S3BucketSource: { S3Bucket: string; S3BucketOwner?: string };
  TableCreationParameters: TableCreationParameters;
};

/** What `copy --via-export` will do: the export and import requests and the settings applied after. */
export interface ViaExportPlan {
  mode: 'via-export';
  s3: S3Location & { bucketOwner: string | undefined };
  /** The existing target will be deleted once the export has completed, then ImportTable recreates it. */
  deleteTarget: boolean;
  export: Omit<ExportTableToPointInTimeCommandInput, 'ClientToken'>;
  import: PlannedImport;
  /** TTL, PITR, tags: applied like a direct copy's late settings. */
  lateSettings: LateSetting[];
  tableUpdates: TableUpdate[];
  /** Local secondary indexes not created (--drop-lsi). */
  droppedLocalIndexes: string[];
  /**
   * Masks and a transform: between the jobs, each data file of the export is read, changed item by
   * item and written under `prefix` (`<prefix>/masked`, an export location of its own, in AWS's
   * layout), and ImportTable reads the masked copy's data folder instead of the export's.
   */
  itemChanges?: { prefix: string; masks: string[]; transform: string | undefined };
  /** What DescribeTable says the source holds (approximate on AWS). */
  estimate: { items: number; bytes: number };
  /** What the existing target holds, as DescribeTable says (approximate on AWS), when there is one. */
  existingTarget?: CopyPlan['existingTarget'];
  /** Who each side acts as: the account its credentials belong to, the profile or role, the region. */
  sides?: CopyPlan['sides'];
  warnings: string[];
}

/** The layout AWS exports into: `<prefix>/AWSDynamoDB/<exportId>/data/*.json.gz`. */
const EXPORTS_FOLDER = 'AWSDynamoDB';
const DATA_FOLDER = 'data';
/** The folder under the --via-export prefix that holds the masked copies of exports. */
const MASKED_FOLDER = 'masked';

/**
 * The CreateTable fields ImportTable's TableCreationParameters also takes (SDK ImportTableInput):
 * allow-listed, so a field AWS adds to CreateTable is reported, never sent where it is not accepted.
 */
const IMPORT_CREATION_FIELDS = [
  'TableName',
  'AttributeDefinitions',
  'KeySchema',
  'BillingMode',
  'ProvisionedThroughput',
  'OnDemandThroughput',
  'SSESpecification',
  'GlobalSecondaryIndexes',
] as const satisfies readonly (keyof TableCreationParameters & keyof CreateTableCommandInput)[];

/** CreateTable fields handled otherwise: LSIs are refused or dropped, the rest become table updates. */
const HANDLED_ELSEWHERE = new Set([
  'LocalSecondaryIndexes',
  'StreamSpecification',
  'TableClass',
  'DeletionProtectionEnabled',
]);

/**
 * Plans a copy through AWS's export and import, or throws the typed error that says why it cannot run:
 * PITR off on the source, local secondary indexes without --drop-lsi, source and target the same
 * table, deletion protection on the target, capacity flags that contradict each other.
 */
export function planViaExport(input: ViaExportPlanInput): ViaExportPlan {
  return planViaExportWithDirect(input).plan;
}

/** planViaExport, plus the direct copy's plan it was derived from (what a deletion prompt is shown). */
export function planViaExportWithDirect(input: ViaExportPlanInput): {
  plan: ViaExportPlan;
  direct: CopyPlan;
} {
  const { options, source } = input;
  const s3 = options.viaExport;
  if (!s3) throw new InvalidOptionError('planViaExport needs options.viaExport.');
  // The direct copy's planning does the checks and the schema translation both paths share.
  const copyPlan = planCopyWithoutDataOnlyHint(input);
  const createTable = copyPlan.createTable;
  if (!createTable) throw new InvalidOptionError('--via-export recreates the target; it needs a schema.');
  requirePointInTimeRecovery(source, input.sourceLocation.tableName);

  const warnings = [...copyPlan.warnings];
  const localIndexes = (createTable.LocalSecondaryIndexes ?? []).map((index) => index.IndexName ?? '?');
  if (localIndexes.length > 0) {
    if (!options.dropLsi) {
      throw new ViaExportUnsupportedError(
        `The source table '${input.sourceLocation.tableName}' has local secondary indexes (${localIndexes.join(', ')}), which ImportTable cannot create.`,
        {
          side: 'source',
          hint: 'Drop --via-export to copy directly (it recreates every index), or add --drop-lsi to create the target without them.',
        },
      );
    }
    warnings.push(
      `local secondary indexes are not created on the target (--drop-lsi): ${localIndexes.join(', ')}`,
    );
  }

  const tableCreation = tableCreationParameters(createTable, warnings);
  const bucketOwner = options.s3BucketOwner;
  const tableArn = source.table.TableArn ?? input.sourceLocation.tableArn;
  if (!tableArn) {
    throw new InvalidOptionError(
      `DescribeTable gave no ARN for the source table '${input.sourceLocation.tableName}'; ExportTableToPointInTime needs one.`,
      {
        side: 'source',
        hint: 'Pass the source as a table ARN: --source arn:aws:dynamodb:REGION:ACCOUNT:table/NAME.',
      },
    );
  }
  const plan: ViaExportPlan = {
    mode: 'via-export',
    s3: { ...s3, bucketOwner },
    deleteTarget: copyPlan.deleteTarget,
    export: {
      TableArn: tableArn,
      S3Bucket: s3.bucket,
      ...(s3.prefix ? { S3Prefix: s3.prefix } : {}),
      ...(bucketOwner ? { S3BucketOwner: bucketOwner } : {}),
      ExportFormat: 'DYNAMODB_JSON',
      ExportType: 'FULL_EXPORT',
    },
    import: {
      S3BucketSource: { S3Bucket: s3.bucket, ...(bucketOwner ? { S3BucketOwner: bucketOwner } : {}) },
      InputFormat: 'DYNAMODB_JSON',
      // AWS's DYNAMODB_JSON export writes gzip data files.
      InputCompressionType: 'GZIP',
      TableCreationParameters: tableCreation,
    },
    lateSettings: copyPlan.lateSettings,
    tableUpdates: tableUpdates(createTable),
    droppedLocalIndexes: localIndexes,
    ...(input.itemChanges
      ? {
          itemChanges: {
            prefix: maskedExportPrefix(s3),
            masks: [...input.itemChanges.masks],
            transform: input.itemChanges.transform,
          },
        }
      : {}),
    estimate: { items: copyPlan.estimate.items, bytes: copyPlan.estimate.bytes },
    ...(copyPlan.existingTarget ? { existingTarget: copyPlan.existingTarget } : {}),
    ...(copyPlan.sides ? { sides: copyPlan.sides } : {}),
    warnings,
  };
  return { plan, direct: copyPlan };
}

/** The export id is the last part of the export ARN: `arn:...:table/T/export/01700000000000-a1b2c3d4`. */
export function exportIdOf(exportArn: string): string {
  const id = exportArn.split('/export/')[1];
  if (!id || id.includes('/')) throw new Error(`not an export ARN: ${exportArn}`);
  return id;
}

/** Where the export's data files are, the prefix ImportTable reads: `<prefix>/AWSDynamoDB/<id>/data/`. */
export function importKeyPrefix(s3: S3Location, exportArn: string): string {
  const parts = [s3.prefix, EXPORTS_FOLDER, exportIdOf(exportArn), DATA_FOLDER].filter((part) => part !== '');
  return `${parts.join('/')}/`;
}

/**
 * Where the masked copy of an export goes: `<prefix>/masked`, beside AWS's `<prefix>/AWSDynamoDB/`. It
 * is an export location of its own: `<prefix>/masked/AWSDynamoDB/<exportId>/` holds the manifests and
 * `data/`, which holds only the masked data files (ImportTable reads every object under its prefix).
 */
export function maskedExportPrefix(s3: S3Location): string {
  return [s3.prefix, MASKED_FOLDER].filter((part) => part !== '').join('/');
}

/**
 * The complete ImportTable request for the export that completed: from the export's data folder, or
 * from its masked copy's when the plan changes items.
 */
export function importRequest(
  plan: ViaExportPlan,
  exportArn: string,
  clientToken: string,
): ImportTableCommandInput {
  const from = plan.itemChanges ? { bucket: plan.s3.bucket, prefix: plan.itemChanges.prefix } : plan.s3;
  return {
    ...plan.import,
    ClientToken: clientToken,
    S3BucketSource: { ...plan.import.S3BucketSource, S3KeyPrefix: importKeyPrefix(from, exportArn) },
  };
}

function planCopyWithoutDataOnlyHint(input: PlanInput): CopyPlan {
  try {
    return planCopy({ ...input, options: { ...input.options, mode: 'recreate' } });
  } catch (error) {
    // planCopy offers --data-only as the way to keep a protected target; --via-export cannot do that.
    if (error instanceof DeletionProtectedError) throw deletionProtected(input.targetLocation.tableName);
    throw error;
  }
}

function requirePointInTimeRecovery(source: TableSnapshot, table: string): void {
  const backups = source.continuousBackups;
  const status =
    backups === UNSUPPORTED ? undefined : backups.PointInTimeRecoveryDescription?.PointInTimeRecoveryStatus;
  if (status === 'ENABLED') return;
  const unsupported = backups === UNSUPPORTED;
  throw new PointInTimeRecoveryRequiredError(
    unsupported
      ? `The source endpoint does not offer point-in-time recovery, so it cannot export '${table}' to S3.`
      : `Point-in-time recovery is ${status?.toLowerCase() ?? 'off'} on the source table '${table}'; ExportTableToPointInTime needs it on.`,
    {
      side: 'source',
      hint: unsupported
        ? 'Drop --via-export to copy directly.'
        : `Enable it (it is billed per GB-month): aws dynamodb update-continuous-backups --table-name ${table} --point-in-time-recovery-specification PointInTimeRecoveryEnabled=true. Or drop --via-export to copy directly.`,
    },
  );
}

/** TableCreationParameters from the CreateTable input, allow-listed; LSI-only attributes left out. */
function tableCreationParameters(
  createTable: CreateTableCommandInput,
  warnings: string[],
): TableCreationParameters {
  const result: Record<string, unknown> = {};
  for (const field of IMPORT_CREATION_FIELDS) {
    if (createTable[field] !== undefined) result[field] = createTable[field];
  }
  const parameters = result as unknown as TableCreationParameters;
  // ImportTable, like CreateTable, rejects attribute definitions no key schema uses (an LSI's sort key).
  parameters.AttributeDefinitions = usedDefinitions(createTable.AttributeDefinitions, [
    createTable.KeySchema,
    ...(createTable.GlobalSecondaryIndexes ?? []).map((index: GlobalSecondaryIndex) => index.KeySchema),
  ]);
  const known = new Set<string>([...IMPORT_CREATION_FIELDS, ...HANDLED_ELSEWHERE]);
  for (const [field, value] of Object.entries(createTable)) {
    if (value !== undefined && !known.has(field)) {
      warnings.push(`ImportTable does not take ${field}; the target is created without it`);
    }
  }
  return parameters;
}

function usedDefinitions(
  definitions: AttributeDefinition[] | undefined,
  keySchemas: (KeySchemaElement[] | undefined)[],
): AttributeDefinition[] {
  const used = new Set<string | undefined>();
  for (const keySchema of keySchemas) for (const element of keySchema ?? []) used.add(element.AttributeName);
  return (definitions ?? []).filter((definition) => used.has(definition.AttributeName));
}

function tableUpdates(createTable: CreateTableCommandInput): TableUpdate[] {
  const updates: TableUpdate[] = [];
  if (createTable.StreamSpecification?.StreamEnabled) {
    updates.push({ kind: 'streams', streamSpecification: createTable.StreamSpecification });
  }
  if (createTable.TableClass !== undefined)
    updates.push({ kind: 'table-class', tableClass: createTable.TableClass });
  if (createTable.DeletionProtectionEnabled === true) updates.push({ kind: 'deletion-protection' });
  return updates;
}
