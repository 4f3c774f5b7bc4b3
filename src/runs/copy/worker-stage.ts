/**
 * The item stage (masks, a transform) of a copy worker thread, built from plain data. The main thread
 * prepares and checks the changes (`prepareItemChanges`: mask file read, rules checked against the
 * keys, transform loaded); it hands each worker their result as a spec, and the worker's module
 * (`copy-worker.ts`) builds the same stage from it: the same masker under the same secret, so a value
 * masks alike on every thread, and the same transform module, loaded again in the worker.
 *
 * What a worker cannot do alone is left to the main thread: the counts go back to it (the engine's
 * `stage-counts` messages, added to the summary), and so do the staged keys when keys may change
 * (`checkKeys`: only the main thread sees every worker's keys, so only it can find two source items
 * masked onto one target key). Items rejected by the transform are appended by each worker to the
 * run's one rejects file, a line per item (one write each, so lines of two threads never mix).
 *
 * A transform module runs once per thread: whatever state it keeps at module level is per thread.
 */
import { itemStage } from '../../engine/copy/item-stage.js';
import type { WorkerStage } from '../../engine/copy/threads/serve-copy-worker.js';
import type { StageCounts } from '../../engine/copy/threads/worker-protocol.js';
import type { MaskRule } from '../../model/mask-rule.js';
import { keysMayChange, loadTransform, RejectsLog } from '../shared/item-changes.js';
import { transformHelpers } from '../shared/transform-helpers.js';
import type { ItemOptions } from './item-options.js';

/**
 * What a worker builds its stage from. Structured-cloned into the worker's `workerData`, which stays
 * in this process's memory: it holds the masks' secret itself, so it is never logged, written, or put
 * in a message or an error.
 */
export interface WorkerStageSpec {
  keyAttributes: string[];
  /** The rules for this table, resolved (flags and mask file) and checked by the main thread. */
  rules: MaskRule[];
  /** The masks' secret (for the rules, and a transform's hash() helper); absent without either. */
  secret: string | undefined;
  transform: { module: string; onError: 'fail' | 'skip' } | undefined;
  /** Where items the transform threw on are listed (`--on-transform-error skip`), appended to. */
  rejectsFile: string;
  /** A rule on a key attribute, or a transform: staged keys may differ from the source's. */
  keysChange: boolean;
}

/** The spec of the stage `prepareItemChanges` built for this table; undefined when it built none. */
export function workerStageSpec(
  options: ItemOptions,
  prepared: { stage: unknown; rules: readonly MaskRule[] },
  context: { keyAttributes: readonly string[]; rejectsFile: string },
): WorkerStageSpec | undefined {
  if (prepared.stage === undefined) return undefined;
  const rules = [...prepared.rules];
  return {
    keyAttributes: [...context.keyAttributes],
    rules,
    // The masks' secret, also for a transform's hash() helper.
    secret: rules.length > 0 || options.transform ? options.maskSecret?.() : undefined,
    transform: options.transform ? { ...options.transform } : undefined,
    rejectsFile: context.rejectsFile,
    keysChange: keysMayChange(rules, context.keyAttributes, options),
  };
}

/** Builds a worker's stage from its spec (in the worker thread). */
export async function openWorkerStage(spec: WorkerStageSpec): Promise<WorkerStage> {
  // The masker (and the fake-data library it loads) only when there is something to mask.
  const masker =
    spec.rules.length > 0
      ? (await import('../../engine/copy/masker.js')).createMasker(
          spec.rules,
          spec.secret ?? '',
          spec.keyAttributes,
        )
      : undefined;
  const transform = spec.transform ? (await loadTransform(spec.transform.module)).transform : undefined;
  const counters = { dropped: 0, rejected: 0 };
  const rejects = new RejectsLog(spec.rejectsFile);
  const stage = itemStage({
    keyAttributes: spec.keyAttributes,
    masks: masker ? { apply: (item) => masker.mask(item) } : undefined,
    transform:
      transform && spec.transform
        ? {
            transform,
            onError: spec.transform.onError,
            helpers: await transformHelpers(spec.secret ? () => spec.secret! : undefined),
            onDrop: () => {
              counters.dropped += 1;
            },
            onReject: (key, error) => {
              counters.rejected += 1;
              rejects.add(key, error);
            },
          }
        : undefined,
    // Collisions are checked by the main thread over every worker's keys (the engine's `checkKeys`).
    keysChange: false,
  });
  return {
    stage,
    counts: (): StageCounts => ({ masked: masker?.counts() ?? {}, ...counters }),
    close: () => rejects.close(),
  };
}
