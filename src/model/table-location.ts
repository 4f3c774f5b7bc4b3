/** Where a table is: how run records and summaries name it, and how two tables are told apart. */
/** Where a table is, as a run record and a summary name it: never how it is reached. */
export interface TableIdentity {
  table: string;
  region: string;
  endpoint: string | null;
}

/** Where a side's table is, and as whom: what a planner needs to decide "is this the same table?". */
export interface TableLocation {
  tableName: string;
  region: string;
  endpoint: string | undefined;
  /** The access key id the side signs with: tells DynamoDB Local "accounts" apart. */
  accessKeyId: string | undefined;
  /** TableArn from DescribeTable, when the table exists. */
  tableArn: string | undefined;
}
