/**
 * Row 9's source tables: a `pk` (S) HASH table, on demand, with a DynamoDB Stream of the given view
 * type, ACTIVE (DynamoDB Local makes it so at once) with its stream's ARN known.
 */
import { CreateTableCommand, DescribeTableCommand } from '@aws-sdk/client-dynamodb';

/** Creates the table; resolves with its `LatestStreamArn`. */
export async function createStreamTable(client, name, viewType = 'NEW_AND_OLD_IMAGES') {
  await client.send(
    new CreateTableCommand({
      TableName: name,
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
      StreamSpecification: { StreamEnabled: true, StreamViewType: viewType },
    }),
  );
  for (let i = 0; i < 100; i++) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: name }));
    if (Table?.TableStatus === 'ACTIVE' && Table.LatestStreamArn) return Table.LatestStreamArn;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${name} did not become ACTIVE with a stream`);
}
