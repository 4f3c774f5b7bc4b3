import { describe, expect, it } from 'vitest';
import { longTermKeysWarning } from '../../src/stores/dynamodb/client.js';

describe('longTermKeysWarning', () => {
  const userKeys = { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'secret' };
  const session = { ...userKeys, accessKeyId: 'ASIAEXAMPLE', sessionToken: 'token' };

  it('warns about long-term IAM user keys on AWS, naming the side and the alternative', () => {
    expect(longTermKeysWarning('source', userKeys, undefined)).toMatch(
      /source side signs with long-term IAM user keys.*--source-role-arn/,
    );
    expect(longTermKeysWarning('target', userKeys, 'https://dynamodb.eu-west-1.amazonaws.com')).toContain(
      'target side',
    );
  });

  it('says nothing for temporary credentials or for endpoints on this machine', () => {
    expect(longTermKeysWarning('source', session, undefined)).toBeUndefined();
    for (const local of ['http://localhost:8000', 'http://127.0.0.1:8000', 'http://[::1]:8000']) {
      expect(longTermKeysWarning('target', userKeys, local)).toBeUndefined();
    }
  });
});
