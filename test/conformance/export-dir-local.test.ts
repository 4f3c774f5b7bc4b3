/** The store contract against the export directory on local disk (LocalStorage). */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';
import { LocalStorage } from '../../src/stores/export-dir/local-storage.js';
import { exportDirFactories } from './export-dir-stores.js';
import { describeSinkContract, describeSourceContract } from './store-contract.js';

const scratch = mkdtempSync(path.join(os.tmpdir(), 'ddbcopy-conformance-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const { source, sink } = exportDirFactories(
  async (location) => new LocalStorage(path.join(scratch, location)),
);
describeSourceContract('export directory on local disk', source);
describeSinkContract('export directory on local disk', sink);
