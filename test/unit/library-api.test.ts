import { describe, expect, it } from 'vitest';
import * as library from '../../src/index.js';

describe('library API (src/index.ts)', () => {
  it('offers the runs the CLI makes, their option validation and the typed errors', () => {
    for (const name of [
      'copyTable',
      'runCopy',
      'verifyTables',
      'runVerify',
      'runExport',
      'runImport',
      'copyPolicies',
      'validateCopyOptions',
      'validateVerifyOptions',
      'validateExportOptions',
      'validateImportOptions',
      'copyTables',
      'runCopyTables',
      'runVerifyTables',
      'verifyTableSet',
      'runExportTables',
      'exportTables',
      'runImportTables',
      'importTables',
      'isDdbCopyError',
    ]) {
      expect(typeof (library as Record<string, unknown>)[name], name).toBe('function');
    }
    expect(new library.InvalidOptionError('x').exitCode).toBe(2);
  });
});
