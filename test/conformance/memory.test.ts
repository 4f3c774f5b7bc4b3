/**
 * The store contract against the in-memory table of test/harness/memory-store.ts. It is configured to
 * lack point-in-time recovery, as an endpoint without that API does, so the 'unsupported' path of
 * applySetting and describe runs here too.
 */
import type { Capabilities, LateSettingKind } from '../../src/stores/types.js';
import { describeCreatedTable, MemoryStore } from '../harness/memory-store.js';
import { describeSinkContract, describeSourceContract } from './store-contract.js';

const CAPABILITIES: Capabilities = {
  parallelScan: true,
  schema: true,
  consistentRead: true,
  validItems: false,
};
const unsupportedSettings: LateSettingKind[] = ['pitr'];

describeSourceContract('memory store', {
  capabilities: CAPABILITIES,
  async open(definition, items) {
    const store = new MemoryStore({ table: describeCreatedTable(definition), items, unsupportedSettings });
    return { source: store.source };
  },
  async missing() {
    return { source: new MemoryStore({ unsupportedSettings }).source };
  },
});

describeSinkContract('memory store', {
  capabilities: CAPABILITIES,
  async open(definition, { table }) {
    const store = new MemoryStore({
      ...(table === 'created' ? { table: describeCreatedTable(definition) } : {}),
      unsupportedSettings,
    });
    return { sink: store.sink, readBack: async () => ({ source: store.source }) };
  },
});
