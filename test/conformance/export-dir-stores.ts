/**
 * Factories for the export directory (AWS's DYNAMODB_JSON layout) over any ExportStorage: the local
 * disk and S3 run the same contract through these. A Source is an export written by ExportDirSink and
 * opened with ExportDirSource; a Sink's writes are finished (manifests, table definition) and read back
 * through ExportDirSource, as `import` would read them.
 */
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { ExportDirSink } from '../../src/stores/export-dir/export-sink.js';
import { ExportDirSource } from '../../src/stores/export-dir/export-source.js';
import type { ExportStorage } from '../../src/stores/export-dir/export-storage.js';
import type { Capabilities, Item, TableSnapshot } from '../../src/stores/types.js';
import { describeCreatedTable } from '../harness/memory-store.js';
import type { SinkFactory, SourceFactory, SourceUnderTest } from './store-contract.js';

/** Opens the storage at a location no other test uses (a fresh directory, a fresh S3 prefix). */
export type StorageAt = (location: string) => Promise<ExportStorage>;

/** Segments the source's export is written in: more than the contract's parallel scans use, so files wrap. */
const WRITTEN_SEGMENTS = 5;
/** Small parts, so the items near 400 KB each close a part and a segment spans several files. */
const SOURCE_FILE_BYTES = 200_000;

const SOURCE_CAPABILITIES: Capabilities = {
  parallelScan: true,
  schema: true,
  consistentRead: false,
  validItems: false,
};
const SINK_CAPABILITIES: Capabilities = {
  parallelScan: true,
  schema: false,
  consistentRead: false,
  validItems: true,
};

/** The definition an export carries (ddbcopy-table.json), with settings so they travel too. */
function sourceSnapshot(definition: CreateTableCommandInput): TableSnapshot {
  return {
    table: describeCreatedTable(definition),
    timeToLive: { TimeToLiveStatus: 'ENABLED', AttributeName: 'expiresAt' },
    continuousBackups: 'unsupported',
    tags: [{ Key: 'owner', Value: 'conformance' }],
  };
}

/** What a run's `finish` is given for a sink under test: no setting enabled, so none looks applied. */
function sinkSnapshot(definition: CreateTableCommandInput): TableSnapshot {
  return {
    table: describeCreatedTable(definition),
    timeToLive: { TimeToLiveStatus: 'DISABLED' },
    continuousBackups: 'unsupported',
    tags: [],
  };
}

async function openExport(storage: ExportStorage): Promise<SourceUnderTest> {
  const source = await ExportDirSource.open(storage);
  return { source, close: () => source.close() };
}

export function exportDirFactories(storageAt: StorageAt): { source: SourceFactory; sink: SinkFactory } {
  let counter = 0;
  const newLocation = (kind: string): string => `${kind}-${++counter}-${Date.now().toString(36)}`;

  const source: SourceFactory = {
    capabilities: SOURCE_CAPABILITIES,
    async open(definition, items) {
      const location = newLocation('source');
      const sink = await ExportDirSink.create(await storageAt(location), { maxFileBytes: SOURCE_FILE_BYTES });
      try {
        const bySegment = Array.from({ length: WRITTEN_SEGMENTS }, (): Item[] => []);
        for (const [index, item] of items.entries()) bySegment[index % WRITTEN_SEGMENTS]!.push(item);
        await Promise.all(
          bySegment.map(async (segmentItems, segment) => {
            for (let start = 0; start < segmentItems.length; start += 25) {
              await sink.writeBatch(segmentItems.slice(start, start + 25), undefined, segment);
            }
          }),
        );
        await sink.finish(sourceSnapshot(definition));
      } finally {
        sink.close();
      }
      return openExport(await storageAt(location));
    },
    async missing() {
      return openExport(await storageAt(newLocation('missing')));
    },
  };

  const sink: SinkFactory = {
    capabilities: SINK_CAPABILITIES,
    async open(definition) {
      const location = newLocation('sink');
      const exportSink = await ExportDirSink.create(await storageAt(location));
      let closed = false;
      const close = (): void => {
        if (!closed) exportSink.close();
        closed = true;
      };
      return {
        sink: exportSink,
        async readBack() {
          await exportSink.finish(sinkSnapshot(definition));
          close();
          return openExport(await storageAt(location));
        },
        close,
      };
    },
  };
  return { source, sink };
}
