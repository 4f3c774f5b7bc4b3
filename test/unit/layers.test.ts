import { describe, expect, it } from 'vitest';
import { repoRoot } from '../harness/cli.js';
import { importsOf, layerOf, layerViolations, sourceImports } from '../harness/layers.js';

describe('layers (ARCHITECTURE.md): imports run downward only', () => {
  it('src/ keeps every import rule', () => {
    const imports = sourceImports(repoRoot);
    // The check reads something: the tree has hundreds of imports, among them each layer's.
    expect(imports.length).toBeGreaterThan(300);
    const layers = new Set(imports.map((entry) => layerOf(entry.file)));
    for (const layer of [
      'model',
      'runtime',
      'engine',
      'plan',
      'runs',
      'cli',
      'stores/dynamodb',
      'stores/open',
    ])
      expect(layers, layer).toContain(layer);
    const report = layerViolations(imports).map((v) => `${v.file}: '${v.specifier}' (${v.rule})`);
    expect(report).toEqual([]);
  });

  it.each([
    [
      'src/engine/copy/copy-items.ts',
      "import { DynamoDbSink } from '../../stores/dynamodb/sink.js';",
      'engine may not import stores/dynamodb',
    ],
    [
      'src/engine/copy/copy-items.ts',
      "import { openSink } from '../../stores/open.js';",
      'engine may not import stores/open',
    ],
    [
      'src/runs/copy/run-copy.ts',
      "import { connectSide } from '../../stores/dynamodb/client.js';",
      'runs may not import stores/dynamodb',
    ],
    [
      'src/cli/commands/copy.ts',
      "import { runCopy } from '../../runs/copy/run-copy.js';",
      'cli may not import runs',
    ],
    [
      'src/model/item-size.ts',
      "import type { Sink } from '../stores/types.js';",
      'model may not import stores/types',
    ],
    [
      'src/plan/copy-plan.ts',
      "import type { CopyOptions } from '../runs/copy/options.js';",
      'plan may not import runs',
    ],
    [
      'src/stores/export-dir/open-storage.ts',
      "import type { SideConnection } from '../dynamodb/client.js';",
      'stores/export-dir may not import stores/dynamodb',
    ],
    [
      'src/runtime/pacer.ts',
      "const m = await import('../engine/copy/copy-items.js');",
      'runtime may not import engine',
    ],
    [
      'src/runs/copy/run-copy.ts',
      "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';",
      'only stores/dynamodb may import @aws-sdk/client-dynamodb',
    ],
    [
      'src/model/table.ts',
      "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';",
      'only stores/dynamodb may import @aws-sdk/client-dynamodb',
    ],
    [
      'src/runs/export/run-export.ts',
      "import { S3Client } from '@aws-sdk/client-s3';",
      'only stores/export-dir may import @aws-sdk/client-s3',
    ],
    ['src/runs/copy/run-copy.ts', "import { Command } from 'commander';", 'only cli may import commander'],
  ])('catches a planted break: %s with %s', (file, line, rule) => {
    const violations = layerViolations(importsOf(file, line));
    expect(violations.map((v) => v.rule)).toEqual([rule]);
  });

  it('lets through what the rules allow', () => {
    const allowed: [string, string][] = [
      ['src/runs/copy/run-copy.ts', "import { openSource } from '../../stores/open.js';"],
      ['src/engine/copy/copy-items.ts', "import type { Sink } from '../../stores/types.js';"],
      ['src/stores/open.ts', "import { DynamoDbSink } from './dynamodb/sink.js';"],
      ['src/model/table.ts', "import type { TableDescription } from '@aws-sdk/client-dynamodb';"],
      ['src/cli/main.ts', "import { EXIT } from '../index.js';"],
      ['src/stores/dynamodb/sink.ts', "import { BatchWriteItemCommand } from '@aws-sdk/client-dynamodb';"],
    ];
    for (const [file, line] of allowed)
      expect(layerViolations(importsOf(file, line)), `${file}: ${line}`).toEqual([]);
  });
});
