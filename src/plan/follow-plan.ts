/**
 * What `--follow` needs of the source, read from its description: a stream whose records carry the
 * items (or at least their keys). Pure: refused here, before anything is touched.
 */
import { StreamRequiredError } from '../errors.js';
import type { StreamViewType } from '../model/stream.js';
import type { TableDescription } from '../model/table.js';

export interface StreamToFollow {
  streamArn: string;
  viewType: StreamViewType;
  /** Things the user should know: a stream without new images costs a read per change. */
  warnings: string[];
}

/**
 * What a follow should warn about before it starts, besides the stream's own warnings: a transform
 * that moves items to other keys needs the old images to delete the item where it was.
 */
export function followWarnings(stream: StreamToFollow, transform: boolean): string[] {
  const warnings = [...stream.warnings];
  if (transform && stream.viewType !== 'NEW_AND_OLD_IMAGES') {
    warnings.push(
      "With --transform, a follow deletes a removed item at its source key's masked form; a transform that changes key attributes needs the stream's old images (NEW_AND_OLD_IMAGES) to find the target item.",
    );
  }
  return warnings;
}

/**
 * The source's stream, or StreamRequiredError with the AWS CLI command that enables one. ddbcopy
 * never changes the source, so it does not enable the stream itself.
 */
export function streamToFollow(
  table: TableDescription,
  source: { table: string; region: string; profile?: string | undefined },
): StreamToFollow {
  const spec = table.StreamSpecification;
  const arn = table.LatestStreamArn;
  if (!spec?.StreamEnabled || !arn) {
    const profile = source.profile ? ` --profile ${source.profile}` : '';
    throw new StreamRequiredError(
      `--follow needs DynamoDB Streams on the source table '${source.table}', and it has none enabled.`,
      {
        side: 'source',
        hint: `Enable a stream with new images (ddbcopy never changes the source), then run again:\n  aws dynamodb update-table --table-name ${source.table} --region ${source.region}${profile} --stream-specification StreamEnabled=true,StreamViewType=NEW_AND_OLD_IMAGES`,
      },
    );
  }
  const viewType = (spec.StreamViewType ?? 'KEYS_ONLY') as StreamViewType;
  const warnings =
    viewType === 'KEYS_ONLY' || viewType === 'OLD_IMAGE'
      ? [
          `The source's stream records ${viewType === 'KEYS_ONLY' ? 'only keys' : 'old images only'}: each changed item is read again from the source (a consistent GetItem, 1 read unit per 4 KB). A stream with NEW_IMAGE or NEW_AND_OLD_IMAGES needs none.`,
        ]
      : [];
  return { streamArn: arn, viewType, warnings };
}
