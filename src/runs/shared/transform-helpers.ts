/**
 * The helpers a `--transform` module finds in its context, for what transforms commonly do to raw
 * AttributeValues (never unmarshalled): read, set and remove an attribute by path, and pseudonymize a
 * value exactly as the `hash` mask does (same secret, same output: it joins with masked attributes).
 *
 *   export function transform(item, { get, set, remove, hash }) {
 *     set(item, 'profile.country', { S: 'XX' });
 *     remove(item, 'internal.notes');
 *     if (get(item, 'referrer')) set(item, 'referrer', hash(get(item, 'referrer')));
 *     return item;
 *   }
 */
import { InvalidOptionError } from '../../errors.js';
import type { AttributeValue, Item } from '../../model/item.js';
import { type PathStep, parseMaskRule } from '../../plan/mask-rules.js';

export interface TransformHelpers {
  /** The value at `path` (`a`, `a.b`, `"odd.name".c`), or undefined. */
  get(item: Item, path: string): AttributeValue | undefined;
  /** Sets the value at `path`, creating the maps on the way. */
  set(item: Item, path: string, value: AttributeValue): void;
  /** Removes the value at `path`, if there is one. */
  remove(item: Item, path: string): void;
  /** The `hash` mask of a value (needs --mask-secret-env): deterministic, type kept. */
  hash(value: AttributeValue): AttributeValue;
}

/** The helpers, with `hash` keyed by the masks' secret when one was given. */
export async function transformHelpers(secret: (() => string) | undefined): Promise<TransformHelpers> {
  const masker = secret
    ? (await import('../../engine/copy/masker.js')).createMasker(
        [{ path: [{ kind: 'attribute', name: 'v' }], action: { kind: 'hash' }, text: 'v=hash' }],
        secret(),
        [],
      )
    : undefined;
  const steps = (path: string): string[] => {
    const parsed: readonly PathStep[] = parseMaskRule(`${path}=keep`, 'a transform helper').path;
    return parsed.map((step) => {
      if (step.kind !== 'attribute')
        throw new TypeError(`a transform helper's path cannot hold [*]: ${path}`);
      return step.name;
    });
  };
  /** The map holding the path's last step, created on the way when `create`. */
  const parentOf = (
    item: Item,
    names: string[],
    create: boolean,
  ): Record<string, AttributeValue> | undefined => {
    let map: Record<string, AttributeValue> = item;
    for (const name of names.slice(0, -1)) {
      let next = map[name];
      if (next?.M === undefined) {
        if (!create) return undefined;
        next = { M: {} };
        map[name] = next;
      }
      map = next.M!;
    }
    return map;
  };
  return {
    get(item, path) {
      const names = steps(path);
      return parentOf(item, names, false)?.[names[names.length - 1]!];
    },
    set(item, path, value) {
      const names = steps(path);
      parentOf(item, names, true)![names[names.length - 1]!] = value;
    },
    remove(item, path) {
      const names = steps(path);
      const parent = parentOf(item, names, false);
      if (parent) delete parent[names[names.length - 1]!];
    },
    hash(value) {
      if (!masker) {
        throw new InvalidOptionError("The transform called hash(), which needs the masks' secret.", {
          hint: 'Pass --mask-secret-env VAR naming the variable that holds it (the same secret as the masks).',
        });
      }
      return masker.mask({ v: value }).v!;
    },
  };
}
