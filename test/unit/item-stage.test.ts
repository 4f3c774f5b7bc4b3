import { describe, expect, it } from 'vitest';
import { itemStage, keyCollision } from '../../src/engine/copy/item-stage.js';
import { ItemRejectedError } from '../../src/errors.js';
import type { Item } from '../../src/model/item.js';
import { attachItemJson, itemJsonOf } from '../../src/model/item-json.js';
import { validateItemOptions } from '../../src/runs/copy/item-options.js';

const item = (id: string, extra: Item = {}): Item => ({ id: { S: id }, ...extra });

describe('itemStage', () => {
  it('positions are the source keys, whatever the masks made of the keys', async () => {
    const stage = itemStage({
      keyAttributes: ['id'],
      masks: { apply: (i) => ({ ...i, id: { S: `masked-${i.id!.S}` } }) },
      keysChange: true,
    });
    const out = await stage.page([item('a'), item('b')], 0);
    expect(out.items.map((i) => i.id!.S)).toEqual(['masked-a', 'masked-b']);
    expect(out.sourceKeys).toEqual([{ id: { S: 'a' } }, { id: { S: 'b' } }]);
  });

  it('a transform gets a copy without the text the item was read as; null drops; changes are kept', async () => {
    const original = item('a', { secret: { S: 'x' } });
    attachItemJson(original, '{"id":{"S":"a"},"secret":{"S":"x"}}', 35);
    let seen: Item | undefined;
    let dropped = 0;
    const stage = itemStage({
      keyAttributes: ['id'],
      transform: {
        onError: 'fail',
        onDrop: () => {
          dropped += 1;
        },
        transform: (copy) => {
          seen = copy;
          if (copy.id!.S === 'b') return null;
          delete copy.secret;
          return copy;
        },
      },
    });
    const out = await stage.page([original, item('b')], 0);
    expect(out.items).toEqual([{ id: { S: 'a' } }]);
    expect(itemJsonOf(out.items[0]!)).toBeUndefined();
    expect(original.secret).toEqual({ S: 'x' });
    expect(seen).not.toBe(original);
    expect(dropped).toBe(1);
    expect(out.sourceKeys).toEqual([{ id: { S: 'a' } }]);
  });

  it('a throwing transform names the key and stops; with skip it is reported and left out', async () => {
    const transform = (i: Item) => {
      if (i.id!.S === 'bad') throw new Error('boom');
      return i;
    };
    const failing = itemStage({ keyAttributes: ['id'], transform: { transform, onError: 'fail' } });
    await expect(failing.page([item('ok'), item('bad')], 0)).rejects.toThrow(/"bad".*boom/);

    const rejected: unknown[] = [];
    const skipping = itemStage({
      keyAttributes: ['id'],
      transform: { transform, onError: 'skip', onReject: (key) => rejected.push(key) },
    });
    const out = await skipping.page([item('ok'), item('bad')], 0);
    expect(out.items.map((i) => i.id!.S)).toEqual(['ok']);
    expect(rejected).toEqual([{ id: { S: 'bad' } }]);
  });

  it('two source items onto one target key are refused, naming both; the same source again is not', async () => {
    const stage = itemStage({
      keyAttributes: ['id'],
      masks: { apply: (i) => ({ ...i, id: { S: 'same' } }) },
      keysChange: true,
    });
    await stage.page([item('a')], 0);
    // A second pass over the same source item (verify scans twice) is no collision.
    await expect(stage.page([item('a')], 1)).resolves.toBeDefined();
    await expect(stage.page([item('b')], 1)).rejects.toThrow(/"a".*"b".*"same"/);
  });
});

describe('itemStage: what a transform is given and what its failures say', () => {
  it("hands the transform the run's helpers and the item's segment", async () => {
    const contexts: unknown[] = [];
    const stage = itemStage({
      keyAttributes: ['id'],
      transform: {
        onError: 'fail',
        helpers: { hash: 'h' },
        transform: (i, context) => {
          contexts.push(context);
          return i;
        },
      },
    });
    await stage.page([item('a')], 7);
    expect(contexts).toEqual([{ hash: 'h', segment: 7 }]);
  });

  it('drops an item the transform returns undefined for, as for null', async () => {
    let dropped = 0;
    const stage = itemStage({
      keyAttributes: ['id'],
      transform: {
        onError: 'fail',
        onDrop: () => dropped++,
        transform: (i) => (i.id!.S === 'u' ? undefined : null),
      },
    });
    const out = await stage.page([item('u'), item('n')], 0);
    expect(out).toEqual({ items: [], sourceKeys: [] });
    expect(dropped).toBe(2);
  });

  it('skips a failing item without a reject listener', async () => {
    const stage = itemStage({
      keyAttributes: ['id'],
      transform: {
        onError: 'skip',
        transform: () => {
          throw new Error('boom');
        },
      },
    });
    expect((await stage.page([item('a')], 0)).items).toEqual([]);
  });

  it("a failed transform is the source side's, with its cause and what to do", async () => {
    const cause = new Error('boom');
    const stage = itemStage({
      keyAttributes: ['id'],
      transform: {
        onError: 'fail',
        transform: () => {
          throw cause;
        },
      },
    });
    const error = await Promise.resolve(stage.page([item('a')], 0)).catch((caught: unknown) => caught);
    expect(error).toMatchObject({
      side: 'source',
      cause,
      message: 'The transform failed on the item with key {"id":{"S":"a"}}: boom',
      hint: 'Fix the transform (or the item), or pass --on-transform-error skip to leave such items out and list them in the rejects file.',
    });
  });

  it("a key collision is the target side's, naming both items and what to do", () => {
    const error = keyCollision('"a"', '"b"', '"same"');
    expect(error).toBeInstanceOf(ItemRejectedError);
    expect(error.message).toBe(
      'Two items get the same key after masking: "a" and "b" both become "same"; one would overwrite the other.',
    );
    expect(error.side).toBe('target');
    expect(error.hint).toBe(
      'Mask key attributes with an injective rule (hash, or fake:* which adds a uniqueness suffix on keys), or keep them.',
    );
  });
});

describe('validateItemOptions', () => {
  it('reads the filter in the AWS CLI formats and refuses undeclared placeholders', () => {
    expect(
      validateItemOptions({
        filterExpression: '#s = :v',
        expressionAttributeNames: '{"#s":"status"}',
        expressionAttributeValues: '{":v":{"N":"12345678901234567890.5"}}',
      }).filter,
    ).toEqual({
      expression: '#s = :v',
      names: { '#s': 'status' },
      values: { ':v': { N: '12345678901234567890.5' } },
    });
    expect(() =>
      validateItemOptions({ filterExpression: '#s = :v', expressionAttributeNames: '{"#s":"s"}' }),
    ).toThrow(/:v.*not declared/);
    expect(() => validateItemOptions({ expressionAttributeNames: '{"#s":"s"}' })).toThrow(
      /--filter-expression/,
    );
  });

  it('masks need a secret from the environment, long enough; it never shows in the options as data', () => {
    expect(() => validateItemOptions({ mask: ['email=hash'] }, {})).toThrow(/--mask-secret-env/);
    expect(() => validateItemOptions({ mask: ['email=hash'], maskSecretEnv: 'S' }, {})).toThrow(/not set/);
    expect(() => validateItemOptions({ mask: ['email=hash'], maskSecretEnv: 'S' }, { S: 'short' })).toThrow(
      /16 characters/,
    );
    const options = validateItemOptions(
      { mask: ['email=hash'], maskSecretEnv: 'S' },
      { S: 'sixteen-or-more-characters' },
    );
    expect(options.maskSecret?.()).toBe('sixteen-or-more-characters');
    expect(JSON.stringify(options)).not.toContain('sixteen-or-more');
  });

  it('--on-transform-error needs --transform and takes fail or skip', () => {
    expect(() => validateItemOptions({ onTransformError: 'skip' })).toThrow(/--transform/);
    expect(() => validateItemOptions({ transform: 'x.mjs', onTransformError: 'ignore' })).toThrow(
      /fail' or 'skip/,
    );
    expect(validateItemOptions({ transform: 'x.mjs', onTransformError: 'skip' }).transform?.onError).toBe(
      'skip',
    );
  });
});
