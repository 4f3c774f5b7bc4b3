/**
 * The store contract against DynamoDB Local (started once by test/harness/global-setup.ts): the
 * DynamoDbSource and DynamoDbSink, each test in a fresh "account" (an access key id of its own). Tables
 * are made and filled with the plain AWS SDK, independent of the stores under test; the source side is
 * connected as a run connects it, allowed only reads and describes.
 */
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { inject } from 'vitest';
import {
  closeSide,
  connectSide,
  type SideConnection,
  SOURCE_OPERATIONS,
} from '../../src/stores/dynamodb/client.js';
import { DynamoDbSink } from '../../src/stores/dynamodb/sink.js';
import { DynamoDbSource } from '../../src/stores/dynamodb/source.js';
import type { Capabilities } from '../../src/stores/types.js';
import type { Item as FixtureItem } from '../fixtures/items.js';
import { localSideConfig } from '../harness/copy-options.js';
import {
  accountClient,
  createTableAndWait,
  type LocalAccount,
  newAccount,
  putItems,
} from '../harness/local-accounts.js';
import { describeSinkContract, describeSourceContract, type SourceUnderTest } from './store-contract.js';

const endpoint = inject('ddbEndpoint');
const CAPABILITIES: Capabilities = {
  parallelScan: true,
  schema: true,
  consistentRead: true,
  validItems: true,
};

function connect(side: 'source' | 'target', account: LocalAccount, table: string): Promise<SideConnection> {
  return connectSide(side, localSideConfig(account, table), {
    maxSockets: 8,
    ...(side === 'source' ? { allowedOperations: SOURCE_OPERATIONS } : {}),
  });
}

/** The table's Source, connected read-only, with the two ways its connection could be made to write. */
async function openSource(account: LocalAccount, table: string): Promise<SourceUnderTest> {
  const conn = await connect('source', account, table);
  return {
    source: new DynamoDbSource(conn),
    writeAttempts: {
      // The data path (wire client), as a sink handed the source's connection by mistake would write.
      'BatchWriteItem over the source connection': (items) => new DynamoDbSink(conn).writeBatch(items),
      // The SDK client's own guard.
      'PutItem with the source client': (items) =>
        conn.client.send(new PutItemCommand({ TableName: table, Item: items[0] as FixtureItem })),
    },
    close: () => closeSide(conn),
  };
}

describeSourceContract('DynamoDB Local', {
  // Its Scan takes a FilterExpression.
  capabilities: { ...CAPABILITIES, filter: true },
  async open(definition, items) {
    const account = newAccount(endpoint);
    const client = accountClient(account);
    try {
      await createTableAndWait(client, definition);
      // The fixtures are SDK items (binary as bytes), as putItems takes them.
      await putItems(client, definition.TableName!, items as FixtureItem[]);
    } finally {
      client.destroy();
    }
    return openSource(account, definition.TableName!);
  },
  async missing(definition) {
    return openSource(newAccount(endpoint), definition.TableName!);
  },
});

describeSinkContract('DynamoDB Local', {
  capabilities: CAPABILITIES,
  async open(definition, { table }) {
    const account = newAccount(endpoint);
    const name = definition.TableName!;
    if (table === 'created') {
      const client = accountClient(account);
      try {
        await createTableAndWait(client, definition);
      } finally {
        client.destroy();
      }
    }
    const conn = await connect('target', account, name);
    return {
      sink: new DynamoDbSink(conn),
      readBack: () => openSource(account, name),
      close: () => closeSide(conn),
    };
  },
});
