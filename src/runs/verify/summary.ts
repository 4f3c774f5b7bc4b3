import type { ItemComparison } from '../../engine/verify/compare-items.js';
import { type DdbCopyError, type ErrorReport, errorReport } from '../../errors.js';
import type { RetryCounts } from '../../runtime/stats.js';

/** A key in DynamoDB JSON: `{"pk":{"S":"a"},"sk":{"N":"1.5"}}`, binary as a base64 string. */
export type DynamoDbJsonKey = Record<string, Record<string, string>>;

/** The `--json` document of a verify (README, "JSON summary"): a contract, so fields are only ever added. */
export interface VerifySummary {
  command: 'verify';
  /** `identical`: same items and no schema difference. `failed`/`interrupted`: see `error`. */
  status: 'identical' | 'different' | 'failed' | 'interrupted';
  /** `account`: the account the side's credentials belong to (STS), when known; absent on a local endpoint. */
  source: { table: string; region: string | null; endpoint: string | null; account?: string };
  target: { table: string; region: string | null; endpoint: string | null; account?: string };
  sourceItems: number;
  targetItems: number;
  /** Items in the source whose key the target lacks. */
  missing: number;
  /** Items in the target whose key the source lacks. */
  extra: number;
  /** Items with the same key on both sides and other content. */
  different: number;
  /** Up to `--samples` keys of each kind, smallest key text first. */
  samples: { missing: DynamoDbJsonKey[]; extra: DynamoDbJsonKey[]; different: DynamoDbJsonKey[] };
  schemaDifferences: string[];
  /** Settings not compared because an endpoint does not report them. */
  schemaNotCompared: string[];
  segments: number;
  buckets: number;
  mismatchedBuckets: number;
  /** Drill-down passes over the mismatched buckets (0 when every bucket matched). */
  drillDownPasses: number;
  consumedCapacity: { source: number; target: number };
  retries: RetryCounts;
  durationMs: number;
  warnings: string[];
  error?: ErrorReport;
}

/** What a verify run knew when it ended, however far it got. */
export interface VerifyRunState {
  source: VerifySummary['source'];
  target: VerifySummary['target'];
  segments: number;
  buckets: number;
  comparison: ItemComparison | undefined;
  schemaDifferences: string[];
  schemaNotCompared: string[];
  consumedRead: { source: number; target: number };
  retries: RetryCounts;
  durationMs: number;
  warnings: string[];
}

export function summarizeVerify(run: VerifyRunState, error?: DdbCopyError): VerifySummary {
  const c = run.comparison;
  const differs =
    c !== undefined && (c.missing > 0 || c.extra > 0 || c.different > 0 || c.sourceItems !== c.targetItems);
  const status: VerifySummary['status'] = error
    ? error.exitCode === 130
      ? 'interrupted'
      : 'failed'
    : differs || run.schemaDifferences.length > 0
      ? 'different'
      : 'identical';
  const summary: VerifySummary = {
    command: 'verify',
    status,
    source: run.source,
    target: run.target,
    sourceItems: c?.sourceItems ?? 0,
    targetItems: c?.targetItems ?? 0,
    missing: c?.missing ?? 0,
    extra: c?.extra ?? 0,
    different: c?.different ?? 0,
    samples: {
      missing: (c?.samples.missing ?? []).map(parseKey),
      extra: (c?.samples.extra ?? []).map(parseKey),
      different: (c?.samples.different ?? []).map(parseKey),
    },
    schemaDifferences: [...run.schemaDifferences],
    schemaNotCompared: [...run.schemaNotCompared],
    segments: run.segments,
    buckets: run.buckets,
    mismatchedBuckets: c?.mismatchedBuckets ?? 0,
    drillDownPasses: c?.passes ?? 0,
    consumedCapacity: { source: round(run.consumedRead.source), target: round(run.consumedRead.target) },
    retries: { ...run.retries },
    durationMs: Math.round(run.durationMs),
    warnings: [...run.warnings],
  };
  if (error) summary.error = errorReport(error);
  return summary;
}

function parseKey(text: string): DynamoDbJsonKey {
  return JSON.parse(text) as DynamoDbJsonKey;
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
