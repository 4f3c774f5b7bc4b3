/**
 * The input copyItems gets in the engine's unit tests: one segment of a `pk` (S) table, one scanner,
 * one writer, pacers without a rate and fresh stats; a test overrides what it looks at.
 */
import type { CopyItemsInput } from '../../src/engine/copy/copy-items.js';
import { Pacer } from '../../src/runtime/pacer.js';
import { CopyStats } from '../../src/runtime/stats.js';
import type { Sink, Source } from '../../src/stores/types.js';

export function copyItemsInput(
  source: Source,
  sink: Sink,
  overrides: Partial<CopyItemsInput> = {},
): CopyItemsInput {
  return {
    source,
    sink,
    keyAttributes: ['pk'],
    keyTypes: { pk: 'S' },
    totalSegments: 1,
    scanConcurrency: 1,
    writeConcurrency: 1,
    scanLimit: 100,
    consistentRead: false,
    readUnitsPerPage: 2,
    readPacer: new Pacer(undefined),
    writePacer: new Pacer(undefined),
    stats: new CopyStats(),
    ...overrides,
  };
}
