/**
 * The module a copy worker thread runs: it opens the source and the sink from their specs through the
 * store registry (as the main thread did), builds the item stage (masks, a transform) from its spec,
 * and serves its share of the segments with the engine.
 */
import { serveCopyWorker } from '../../engine/copy/threads/serve-copy-worker.js';
import { type DynamoDbSpec, openSink, openSource } from '../../stores/open.js';
import { openWorkerStage, type WorkerStageSpec } from './worker-stage.js';

serveCopyWorker({
  openSource: (spec, onRetry) => openSource(spec as DynamoDbSpec, { onRetry }),
  openSink: (spec, onRetry) => openSink(spec as DynamoDbSpec, { onRetry }),
  openStage: (spec) => openWorkerStage(spec as WorkerStageSpec),
});
