import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateItemOptions } from '../../src/runs/copy/item-options.js';
import { itemChangesIdentity } from '../../src/runs/shared/item-changes.js';

describe('itemChangesIdentity: what a run record remembers of the item options', () => {
  const env = { SECRET: 'one-secret-of-enough-length', OTHER: 'another-secret-of-enough-length' };

  it('names the secret only by fingerprint, and another secret is another identity', () => {
    const one = itemChangesIdentity(validateItemOptions({ mask: ['a=hash'], maskSecretEnv: 'SECRET' }, env));
    const other = itemChangesIdentity(validateItemOptions({ mask: ['a=hash'], maskSecretEnv: 'OTHER' }, env));
    expect(JSON.stringify(one)).not.toContain(env.SECRET);
    expect(one.secret).toMatch(/^[0-9a-f]{16}$/);
    expect(other.secret).not.toBe(one.secret);
  });

  it('an edited mask file under the same name is another identity; the same content is the same', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ddbcopy-maskfile-'));
    const file = path.join(dir, 'masks.json');
    const identity = () =>
      itemChangesIdentity(validateItemOptions({ maskFile: file, maskSecretEnv: 'SECRET' }, env));
    writeFileSync(file, JSON.stringify({ rules: { email: 'hash' } }));
    const first = identity();
    expect(identity()).toEqual(first);
    writeFileSync(file, JSON.stringify({ rules: { email: 'redact' } }));
    expect(identity().maskFile).not.toBe(first.maskFile);
  });

  it('a missing mask file is refused when the options are validated', () => {
    expect(() =>
      validateItemOptions({ maskFile: '/nonexistent/masks.json', maskSecretEnv: 'SECRET' }, env),
    ).toThrow(/Cannot read the mask file/);
  });
});
