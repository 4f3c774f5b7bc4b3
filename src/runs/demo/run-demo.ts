/**
 * The demo as a run: start DynamoDB Local, fill a sample table in one local "account", copy it to
 * another with the real copy run, check every item with an independent client, and stop the server.
 * It never prints: its steps, the server's log and the copy's own events go to `onEvent`.
 */
import { rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  type DdbCopyError,
  EXIT,
  InvalidOptionError,
  runFailure,
  VerificationFailedError,
} from '../../errors.js';
import { startDynamoDbLocal } from '../../local/dynamodb-local.js';
import { SAMPLE_TTL_ATTRIBUTE, sampleItems, sampleTableDefinition } from '../../local/sample-table.js';
import type { Item } from '../../model/item.js';
import { canonicalItem } from '../../model/item-canonical.js';
import { keyString } from '../../model/item-key.js';
import { createStaleTarget, type LocalAccount, readAllItems, seedSampleTable } from '../../stores/open.js';
import type { CopyEvent } from '../copy/events.js';
import { type CopyOptions, validateCopyOptions } from '../copy/options.js';
import { runCopy } from '../copy/run-copy.js';
import type { CopySummary } from '../copy/summary.js';
import { inCallerWords } from '../shared/option-wording.js';
import type { RunOutcome } from '../shared/run-outcome.js';

/** Two "accounts" on one DynamoDB Local: it keeps separate tables per access key id and region. */
const SOURCE_ACCOUNT = { accessKeyId: 'demosource', secretAccessKey: 'demo', region: 'eu-west-1' };
const TARGET_ACCOUNT = { accessKeyId: 'demotarget', secretAccessKey: 'demo', region: 'us-east-1' };
const TABLE = 'orders';
/** The sample table's key (see sampleTableDefinition). */
const KEY_ATTRIBUTES = ['pk', 'sk'];
const DEFAULT_ITEMS = 20_000;
const MAX_ITEMS = 10_000_000;

/** What `runDemo` takes; every field has a default. */
export interface DemoOptions {
  /** Items in the sample table, a whole number from 1 to 10,000,000 (default 20,000). */
  readonly items?: number;
  /**
   * Where DynamoDB Local is downloaded to once and kept (default: $DDBCOPY_CACHE_DIR, else `ddbcopy`
   * under $XDG_CACHE_HOME or ~/.cache).
   */
  readonly cacheDir?: string;
}

/** What `runDemo` reports while it runs. */
export interface DemoHooks {
  /** The demo's steps, DynamoDB Local's start-up log, and the copy's own events, for a renderer. */
  onEvent?: (event: DemoEvent) => void;
  /** Cancels the copy; the server is stopped either way. */
  signal?: AbortSignal;
}

/** One local "account" of the demo: the access key id and region DynamoDB Local keeps its tables under. */
export interface DemoAccount {
  accessKeyId: string;
  region: string;
}

/** What the demo tells a renderer, in this order; it never prints. */
export type DemoEvent =
  | { type: 'server-starting'; cacheDir: string }
  | { type: 'server-log'; message: string }
  | { type: 'seeding'; table: string; account: DemoAccount }
  | { type: 'seeded'; table: string; items: number; durationMs: number }
  | {
      type: 'copy-starting';
      source: string;
      target: string;
      sourceAccount: DemoAccount;
      targetAccount: DemoAccount;
    }
  /** One event of the copy run itself (steps, warnings, progress), as `runCopy` emits it. */
  | { type: 'copy'; event: CopyEvent }
  | { type: 'copied'; summary: CopySummary }
  | { type: 'checking' };

/** The `--json`-able result of a demo: the sample, the copy's own summary, and the independent check. */
export interface DemoSummary {
  command: 'demo';
  /** `identical` when the check found every item equal; `different`, `failed` and `interrupted` carry an error. */
  status: 'identical' | 'different' | 'failed' | 'interrupted';
  table: string;
  /** Items the sample table was filled with (0 until it was). */
  items: number;
  /** The copy's summary, once the copy ran. */
  copy: CopySummary | null;
  /** Both tables read back with the plain SDK and compared item by item; null until that ran. */
  check: { sourceItems: number; targetItems: number; differences: number } | null;
}

/** What `runDemo` resolves with: the summary, the exit code, and the typed error of a failed demo. */
export type DemoOutcome = RunOutcome<DemoSummary>;

/**
 * Runs the demo: starts DynamoDB Local (needs Java; downloads the server once), creates and fills the
 * sample table in one local account and a stale target in another, copies with `runCopy`, reads both
 * tables back with an independent SDK client and compares every item, then stops the server. Never
 * throws for a failure it can explain: a copy that fails, or a check that finds differences
 * (VerificationFailedError), is in the outcome.
 */
export async function runDemo(options: DemoOptions = {}, hooks: DemoHooks = {}): Promise<DemoOutcome> {
  const emit = (event: DemoEvent): void => hooks.onEvent?.(event);
  const summary: DemoSummary = {
    command: 'demo',
    status: 'failed',
    table: TABLE,
    items: 0,
    copy: null,
    check: null,
  };
  const fail = (error: DdbCopyError, exitCode: number = error.exitCode): DemoOutcome => {
    if (summary.status === 'failed' && exitCode === EXIT.interrupted) summary.status = 'interrupted';
    return { summary, error, exitCode };
  };
  const count = options.items ?? DEFAULT_ITEMS;
  if (!Number.isSafeInteger(count) || count < 1 || count > MAX_ITEMS) {
    return fail(
      new InvalidOptionError(`The demo's items must be a whole number from 1 to ${MAX_ITEMS}, not ${count}.`),
    );
  }
  const cacheDir = options.cacheDir ?? demoCacheDir();
  const checkpoint = path.join(os.tmpdir(), `ddbcopy-demo-${process.pid}.json`);
  emit({ type: 'server-starting', cacheDir });
  try {
    const server = await startDynamoDbLocal({
      cacheDir,
      heapMb: 2048,
      log: (message) => emit({ type: 'server-log', message }),
    });
    try {
      const source: LocalAccount = { endpoint: server.endpoint, ...SOURCE_ACCOUNT };
      const target: LocalAccount = { endpoint: server.endpoint, ...TARGET_ACCOUNT };
      emit({ type: 'seeding', table: TABLE, account: accountOf(SOURCE_ACCOUNT) });
      const seeded = await seedSampleTable(source, {
        definition: sampleTableDefinition(TABLE),
        ttlAttribute: SAMPLE_TTL_ATTRIBUTE,
        items: sampleItems(count),
      });
      summary.items = seeded.items;
      emit({ type: 'seeded', table: TABLE, items: seeded.items, durationMs: seeded.loadMs });

      // An existing target table in the target account, as in a real refresh: the copy replaces it.
      await createStaleTarget(target, TABLE);

      emit({
        type: 'copy-starting',
        source: TABLE,
        target: TABLE,
        sourceAccount: accountOf(SOURCE_ACCOUNT),
        targetAccount: accountOf(TARGET_ACCOUNT),
      });
      const outcome = await runCopy(copyOptions(server.endpoint, checkpoint), {
        onEvent: (event) => emit({ type: 'copy', event }),
        signal: hooks.signal,
      });
      summary.copy = outcome.summary;
      if (outcome.error) return fail(outcome.error, outcome.exitCode);
      emit({ type: 'copied', summary: outcome.summary });

      emit({ type: 'checking' });
      const [sourceItems, targetItems] = await Promise.all([
        readAllItems(source, TABLE),
        readAllItems(target, TABLE),
      ]);
      const differences = compareItems(sourceItems, targetItems, KEY_ATTRIBUTES);
      summary.check = { sourceItems: sourceItems.length, targetItems: targetItems.length, differences };
      if (differences > 0) {
        summary.status = 'different';
        return fail(
          new VerificationFailedError(`${differences} item(s) differ between source and target.`, {
            hint: 'This should never happen; please report it with the output above.',
          }),
        );
      }
      summary.status = 'identical';
      return { summary, exitCode: EXIT.ok };
    } finally {
      await server.stop();
    }
  } catch (error) {
    const typed = inCallerWords(runFailure(error, hooks.signal));
    if (!typed) throw error;
    return fail(typed);
  } finally {
    await rm(checkpoint, { force: true });
  }
}

/** The copy the demo runs: `copy --source orders --target orders --yes` between the two accounts. */
function copyOptions(endpoint: string, checkpoint: string): CopyOptions {
  const validated = validateCopyOptions({
    source: TABLE,
    target: TABLE,
    sourceRegion: SOURCE_ACCOUNT.region,
    targetRegion: TARGET_ACCOUNT.region,
    sourceEndpointUrl: endpoint,
    targetEndpointUrl: endpoint,
    yes: true,
    checkpoint,
  });
  // Static keys for the two local accounts: no profile needs to exist on this machine.
  return {
    ...validated,
    source: { ...validated.source, credentials: SOURCE_ACCOUNT },
    target: { ...validated.target, credentials: TARGET_ACCOUNT },
  };
}

function accountOf(account: typeof SOURCE_ACCOUNT): DemoAccount {
  return { accessKeyId: account.accessKeyId, region: account.region };
}

function demoCacheDir(): string {
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return process.env.DDBCOPY_CACHE_DIR || path.join(base, 'ddbcopy');
}

/** Counts source items missing or different in the target, and target items not in the source. */
function compareItems(
  source: readonly Item[],
  target: readonly Item[],
  keyAttributes: readonly string[],
): number {
  const targetByKey = new Map(target.map((item) => [keyString(item, keyAttributes), canonicalItem(item)]));
  let differences = 0;
  for (const item of source) {
    const key = keyString(item, keyAttributes);
    if (targetByKey.get(key) !== canonicalItem(item)) differences += 1;
    targetByKey.delete(key);
  }
  // What is left has no twin in the source: extra items.
  return differences + targetByKey.size;
}
