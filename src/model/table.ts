/**
 * A table as DynamoDB describes it. The description's shapes are DynamoDB's own (the same JSON a table
 * definition file in an export holds), so they are the AWS SDK's types, imported here as types only:
 * this file is the one door through which a layer other than stores/dynamodb/ names them.
 */
import type {
  ContinuousBackupsDescription,
  TableDescription,
  Tag,
  TimeToLiveDescription,
} from '@aws-sdk/client-dynamodb';

export type {
  AttributeDefinition,
  /**
   * One attribute value as the SDK's commands take it (binary as bytes only): for items written with
   * the SDK itself (the demo's sample). The copy's data path uses model/item.ts's AttributeValue.
   */
  AttributeValue as SdkAttributeValue,
  BillingMode,
  ContinuousBackupsDescription,
  CreateTableCommandInput,
  ExportDescription,
  ExportTableToPointInTimeCommandInput,
  GlobalSecondaryIndex,
  GlobalSecondaryIndexDescription,
  ImportTableCommandInput,
  ImportTableDescription,
  KeySchemaElement,
  LocalSecondaryIndex,
  LocalSecondaryIndexDescription,
  OnDemandThroughput,
  Projection,
  ProvisionedThroughput,
  ProvisionedThroughputDescription,
  SSESpecification,
  StreamSpecification,
  TableClass,
  TableCreationParameters,
  TableDescription,
  Tag,
  TimeToLiveDescription,
  WarmThroughput,
} from '@aws-sdk/client-dynamodb';

/** A setting a store may not offer (DynamoDB Local has no tags or PITR). */
export const UNSUPPORTED = 'unsupported' as const;
/** The value a store reports for a setting its endpoint does not offer. */
export type Unsupported = typeof UNSUPPORTED;

/**
 * Everything we know about a table: DescribeTable plus the settings that live behind other APIs.
 * A field is `'unsupported'` when the endpoint does not offer the API that reads it.
 */
export interface TableSnapshot {
  table: TableDescription;
  timeToLive: TimeToLiveDescription | Unsupported;
  continuousBackups: ContinuousBackupsDescription | Unsupported;
  tags: Tag[] | Unsupported;
}

/** A setting applied after the table is ACTIVE, because CreateTable does not accept it. */
export type LateSetting =
  | { kind: 'ttl'; attributeName: string }
  | { kind: 'pitr'; recoveryPeriodInDays?: number }
  | { kind: 'tags'; tags: Tag[] };

/** The settings applied after CreateTable: `ttl`, `pitr`, `tags`. */
export type LateSettingKind = LateSetting['kind'];
