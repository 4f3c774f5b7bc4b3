/**
 * The value types of the options the planners read: parsed and checked by the runs' validation
 * (runs/copy/options.ts re-exports them), declared here so a plan needs nothing from runs/.
 */

/** A capacity rate: absolute units per second, or a percentage of the side's capacity. */
export type RateSpec = { kind: 'units'; units: number } | { kind: 'percent'; percent: number };

/** What a copy does: recreate the target and copy items, only copy items, or only recreate the table. */
export type CopyMode = 'recreate' | 'data-only' | 'schema-only';
/** The target's billing mode: on-demand or provisioned. */
export type BillingMode = 'PAY_PER_REQUEST' | 'PROVISIONED';

/** An S3 bucket and key prefix, from `s3://bucket/prefix`; the prefix has no leading or trailing '/'. */
export interface S3Location {
  readonly bucket: string;
  readonly prefix: string;
}
