import { createHash } from 'node:crypto';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { type ItemStage, itemStage, type TransformFunction } from '../../engine/copy/item-stage.js';
import { secretFingerprint } from '../../engine/copy/mask-keys.js';
import { InvalidOptionError } from '../../errors.js';
import { binaryBase64 } from '../../model/binary.js';
import type { Key } from '../../model/item.js';
import type { TableDescription } from '../../model/table.js';
import {
  checkMaskRules,
  describeMaskRules,
  type KeyAttributes,
  type MaskRule,
  parseMaskFile,
  rulesForTable,
} from '../../plan/mask-rules.js';
import type { ItemOptions } from '../copy/item-options.js';
import { transformHelpers } from './transform-helpers.js';

/**
 * What of the item options decides what the target holds, for a run record's options hash: another
 * filter, other masks, another secret (by its fingerprint, never itself) or transform is another run.
 */
export function itemChangesIdentity(options: ItemOptions): Record<string, unknown> {
  return {
    ...(options.filter ? { filter: options.filter } : {}),
    ...(options.masks?.length ? { masks: options.masks.map((rule) => rule.text) } : {}),
    // The file's content, not its name: an edited mask file makes another copy.
    ...(options.maskFile
      ? { maskFile: options.maskFileText !== undefined ? sha256(options.maskFileText) : options.maskFile }
      : {}),
    ...(options.maskSecret ? { secret: secretFingerprint(options.maskSecret()) } : {}),
    ...(options.transform ? { transform: options.transform } : {}),
  };
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** What the summary says about the items' changes: masked values per rule, dropped and rejected items. */
export interface MaskingReport {
  rules: { rule: string; values: number }[];
  /** A one-way fingerprint of the secret (never the secret): the same secret gives the same one. */
  secretFingerprint: string | null;
  transform: { module: string; dropped: number; rejected: number; rejectsFile: string | null } | null;
}

/** The changes a run applies to one table's items, ready: the engine's stage and what to report. */
export interface PreparedChanges {
  stage: ItemStage | undefined;
  rules: readonly MaskRule[];
  /** For --dry-run: one line per rule, with the key attributes it touches. */
  describe: string[];
  warnings: string[];
  /** Whether a transform declared itself deterministic (verify needs that). */
  deterministic: boolean;
  report(): MaskingReport | undefined;
  /**
   * Adds what stages elsewhere did (copy worker threads: values masked per rule text, items dropped or
   * rejected) to what report() and finish() count.
   */
  addCounts(delta: { masked: Record<string, number>; dropped: number; rejected: number }): void;
  /** Warnings only known at the end (a rule that never matched: a typo?), and the rejects file closed. */
  finish(): Promise<string[]>;
}

/**
 * Reads the mask file and the transform module, checks the rules against the table's keys, and builds
 * the engine's stage. Everything that can be refused is refused here, before the target is touched.
 */
export async function prepareItemChanges(
  options: ItemOptions,
  context: {
    sourceTable: string;
    table: TableDescription;
    keyAttributes: readonly string[];
    rejectsFile: string;
  },
): Promise<PreparedChanges> {
  const rules = [
    ...(options.masks ?? []),
    ...(options.maskFile
      ? await maskFileRules(options.maskFile, options.maskFileText, context.sourceTable)
      : []),
  ];
  const keys = maskKeysOf(context.table);
  const { warnings } = checkMaskRules(rules, keys);
  // The masker (and the fake-data library it loads, ~0.3 s) only when there is something to mask.
  const masker =
    rules.length > 0
      ? (await import('../../engine/copy/masker.js')).createMasker(
          rules,
          options.maskSecret!(),
          context.keyAttributes,
        )
      : undefined;
  const module = options.transform ? await loadTransform(options.transform.module) : undefined;
  const counters = { dropped: 0, rejected: 0 };
  // Values masked elsewhere (worker threads), per rule text; counts() adds the masker's own.
  const maskedElsewhere: Record<string, number> = {};
  const counts = (): Record<string, number> => {
    const total = { ...maskedElsewhere };
    for (const [rule, values] of Object.entries(masker?.counts() ?? {})) {
      total[rule] = (total[rule] ?? 0) + values;
    }
    return total;
  };
  // A verify re-applies the copy's transform and lists nothing (no file).
  const rejects = context.rejectsFile ? new RejectsLog(context.rejectsFile) : undefined;
  const stage =
    masker || module
      ? itemStage({
          keyAttributes: context.keyAttributes,
          masks: masker ? { apply: (item) => masker.mask(item) } : undefined,
          transform: module
            ? {
                transform: module.transform,
                onError: options.transform!.onError,
                helpers: await transformHelpers(options.maskSecret),
                onDrop: () => {
                  counters.dropped += 1;
                },
                onReject: (key, error) => {
                  counters.rejected += 1;
                  rejects?.add(key, error);
                },
              }
            : undefined,
          keysChange: keysMayChange(rules, context.keyAttributes, options),
        })
      : undefined;
  return {
    stage,
    rules,
    describe: describeMaskRules(rules, keys),
    warnings,
    deterministic: module ? module.deterministic : true,
    report() {
      if (!masker && !module) return undefined;
      const masked = counts();
      return {
        rules: rules.map((rule) => ({ rule: rule.text, values: masked[rule.text] ?? 0 })),
        secretFingerprint:
          options.maskSecret && rules.length > 0 ? secretFingerprint(options.maskSecret()) : null,
        transform: options.transform
          ? {
              module: options.transform.module,
              dropped: counters.dropped,
              rejected: counters.rejected,
              rejectsFile: counters.rejected > 0 ? context.rejectsFile : null,
            }
          : null,
      };
    },
    addCounts(delta) {
      for (const [rule, values] of Object.entries(delta.masked)) {
        maskedElsewhere[rule] = (maskedElsewhere[rule] ?? 0) + values;
      }
      counters.dropped += delta.dropped;
      counters.rejected += delta.rejected;
    },
    async finish() {
      await rejects?.close();
      const masked = counts();
      return rules
        .filter((rule) => rule.action.kind !== 'keep' && (masked[rule.text] ?? 0) === 0)
        .map((rule) => `The mask '${rule.text}' matched no value in this table: is the path a typo?`);
    },
  };
}

/** The attributes masks must treat as keys: the table's key and every index's key, with their types. */
export function maskKeysOf(table: TableDescription): KeyAttributes {
  const types = new Map(
    (table.AttributeDefinitions ?? []).map((d) => [d.AttributeName!, d.AttributeType as 'S' | 'N' | 'B']),
  );
  const named = (schema: { AttributeName?: string }[] | undefined) =>
    (schema ?? []).map((k) => ({ name: k.AttributeName!, type: types.get(k.AttributeName!) ?? 'S' }));
  return {
    table: named(table.KeySchema),
    indexes: [...(table.GlobalSecondaryIndexes ?? []), ...(table.LocalSecondaryIndexes ?? [])].flatMap(
      (index) => named(index.KeySchema).map((key) => ({ ...key, index: index.IndexName! })),
    ),
  };
}

/** The mask file's rules for `table`, from the text read when the options were validated. */
async function maskFileRules(file: string, text: string | undefined, table: string): Promise<MaskRule[]> {
  let value: unknown;
  try {
    value = JSON.parse(text ?? (await readFile(file, 'utf8')));
  } catch (error) {
    throw new InvalidOptionError(`Cannot read the mask file ${file}: ${(error as Error).message}`, {
      cause: error,
      hint: 'Check the path given to --mask-file and that it holds JSON; the README has an example.',
    });
  }
  return rulesForTable(parseMaskFile(value, file), table);
}

/** A transform module: its `transform` function, and whether it says it is deterministic. */
export async function loadTransform(
  module: string,
): Promise<{ transform: TransformFunction; deterministic: boolean }> {
  let loaded: { transform?: unknown; deterministic?: unknown; default?: { transform?: unknown } };
  try {
    loaded = (await import(pathToFileURL(module).href)) as typeof loaded;
  } catch (error) {
    throw new InvalidOptionError(`Cannot load the transform module ${module}: ${(error as Error).message}`, {
      cause: error,
      hint: 'Give the path of an ES module (.mjs, or .js in a "type": "module" package) that exports transform(item, context).',
    });
  }
  const transform = loaded.transform ?? loaded.default?.transform;
  if (typeof transform !== 'function') {
    throw new InvalidOptionError(
      `The transform module ${module} does not export a function named transform.`,
      {
        hint: 'export function transform(item, context) { ...; return item; }  // or null to leave the item out',
      },
    );
  }
  return { transform: transform as TransformFunction, deterministic: loaded.deterministic === true };
}

/** Whether staged keys may differ from the source's: a rule on a whole key attribute, or any transform. */
export function keysMayChange(
  rules: readonly MaskRule[],
  keyAttributes: readonly string[],
  options: Pick<ItemOptions, 'transform'>,
): boolean {
  const keyRule = rules.some(
    (rule) =>
      rule.path.length === 1 &&
      rule.path[0]!.kind === 'attribute' &&
      keyAttributes.includes(rule.path[0]!.name),
  );
  return keyRule || options.transform !== undefined;
}

/**
 * The rejects file of `--on-transform-error skip`: one JSON line per item left out, its key (DynamoDB
 * JSON, binary as base64) and the error. Appended (mode 0600), one write per line, so the main thread
 * and worker threads can all add to the run's one file without mixing lines. Opened on first use.
 */
export class RejectsLog {
  private stream: WriteStream | undefined;

  constructor(readonly file: string) {}

  add(key: Key, error: unknown): void {
    if (!this.stream) {
      mkdirSync(path.dirname(this.file), { recursive: true, mode: 0o700 });
      this.stream = createWriteStream(this.file, { flags: 'a', mode: 0o600 });
    }
    const message = error instanceof Error ? error.message : String(error);
    this.stream.write(`${JSON.stringify({ key: storedKey(key), error: message })}\n`);
  }

  async close(): Promise<void> {
    const stream = this.stream;
    this.stream = undefined;
    if (stream) await new Promise<void>((resolve) => stream.end(resolve));
  }
}
/** A key as the rejects file lists it: DynamoDB JSON, binary as base64. */
function storedKey(key: Key): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(key).map(([name, value]) => [
      name,
      value.B !== undefined ? { B: binaryBase64(value.B) } : value,
    ]),
  );
}
