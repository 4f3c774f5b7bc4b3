/**
 * The import rules of ARCHITECTURE.md, as data, and the check that reads every import of src/ against
 * them. Imports run downward only:
 *
 *   cli ──► index.ts ──► runs ──► plan, engine, stores/open.ts (+ the contract, stores/types.ts), local
 *   engine ──► stores/types.ts, model, runtime      stores/<one store> ──► stores/types.ts, model, runtime
 *   plan ──► model          runtime ──► model          model ──► (nothing of ours but errors.ts)
 *
 * and each third-party package may be imported only by the layer that owns what it does.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** A module of src/ by its layer: 'stores/dynamodb', 'engine', 'runs', ... */
export function layerOf(file: string): string {
  const parts = file
    .replace(/\\/g, '/')
    .replace(/^src\//, '')
    .split('/');
  if (parts.length === 1) return parts[0]!.replace(/\.[jt]s$/, '');
  if (parts[0] === 'stores') {
    if (parts.length === 2) return `stores/${parts[1]!.replace(/\.[jt]s$/, '')}`;
    return `stores/${parts[1]}`;
  }
  return parts[0]!;
}

/** What each layer may import of ours; a store folder may also import itself. */
const OURS: Record<string, readonly string[]> = {
  errors: [],
  model: ['model', 'errors'],
  runtime: ['runtime', 'model', 'errors'],
  'stores/types': ['model', 'errors'],
  'stores/open': ['stores/*', 'stores/types', 'model', 'runtime', 'errors'],
  'stores/*': ['stores/types', 'model', 'runtime', 'errors'],
  engine: ['engine', 'stores/types', 'model', 'runtime', 'errors'],
  plan: ['plan', 'model', 'errors'],
  local: ['local', 'model', 'runtime', 'errors'],
  runs: ['runs', 'plan', 'engine', 'stores/open', 'stores/types', 'local', 'model', 'runtime', 'errors'],
  index: ['runs', 'plan', 'stores/open', 'stores/types', 'model', 'runtime', 'errors'],
  cli: ['cli', 'index'],
};

/**
 * Packages by who may import them. The DynamoDB SDK's types (a table's description is DynamoDB's own
 * JSON) are named outside stores/dynamodb only in model/table.ts, and only as types.
 */
const PACKAGES: readonly { name: RegExp; layers: readonly string[]; typeOnly?: readonly string[] }[] = [
  { name: /^@aws-sdk\/client-dynamodb$/, layers: ['stores/dynamodb'], typeOnly: ['src/model/table.ts'] },
  // A table's change stream (follow) is read where the table is: DynamoDB's store.
  { name: /^@aws-sdk\/client-dynamodb-streams$/, layers: ['stores/dynamodb'] },
  { name: /^@aws-sdk\/(client-s3|lib-storage)$/, layers: ['stores/export-dir'] },
  // Credentials, and who they are (STS GetCallerIdentity), are a store's business.
  { name: /^@aws-sdk\/(client-sts|credential-providers|types)$|^@smithy\//, layers: ['stores/*'] },
  { name: /^(commander|cli-progress)$/, layers: ['cli'] },
  // A plan file's YAML is read where runs read their input files.
  { name: /^yaml$/, layers: ['runs'] },
  // Fake values for masking are drawn where items are masked: the copy engine's masker.
  { name: /^@faker-js\/faker$/, layers: ['engine'] },
];

export interface Import {
  /** The importing file, relative to the repository (src/...). */
  file: string;
  /** What it imports, as written. */
  specifier: string;
  typeOnly: boolean;
}

export interface Violation extends Import {
  rule: string;
}

const STATIC_IMPORT = /^\s*(import|export)\s+(type\s+)?(?:[^'";]*?\sfrom\s+)?'([^']+)'/gm;
const DYNAMIC_IMPORT = /\bimport\(\s*'([^']+)'\s*\)/g;
const WORKER_URL = /new URL\(\s*'(\.[^']+\.js)'\s*,\s*import\.meta\.url\s*\)/g;

/** Every import of one file's text: static (also `export ... from`), dynamic, and worker module URLs. */
export function importsOf(file: string, text: string): Import[] {
  const found: Import[] = [];
  for (const match of text.matchAll(STATIC_IMPORT)) {
    found.push({ file, specifier: match[3]!, typeOnly: match[2] !== undefined });
  }
  for (const regex of [DYNAMIC_IMPORT, WORKER_URL]) {
    for (const match of text.matchAll(regex)) found.push({ file, specifier: match[1]!, typeOnly: false });
  }
  return found;
}

function allowedLayer(from: string, to: string): boolean {
  if (from === to) return true;
  const rules = OURS[from] ?? (from.startsWith('stores/') ? OURS['stores/*']! : undefined);
  if (!rules) return false;
  return rules.some(
    (rule) => rule === to || (rule === 'stores/*' && to.startsWith('stores/') && to !== 'stores/open'),
  );
}

function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

/** The imports that break the rules, each with the rule it breaks. */
export function layerViolations(imports: readonly Import[]): Violation[] {
  const violations: Violation[] = [];
  for (const entry of imports) {
    const from = layerOf(entry.file);
    const { specifier } = entry;
    if (specifier.startsWith('.')) {
      const target = path.posix.normalize(path.posix.join(path.posix.dirname(entry.file), specifier));
      if (!target.startsWith('src/')) {
        violations.push({ ...entry, rule: 'src/ imports nothing outside src/' });
        continue;
      }
      const to = layerOf(target);
      if (!allowedLayer(from, to)) violations.push({ ...entry, rule: `${from} may not import ${to}` });
      continue;
    }
    if (specifier.startsWith('node:')) continue;
    const name = packageName(specifier);
    const owner = PACKAGES.find((p) => p.name.test(name));
    if (!owner) continue;
    const allowed =
      owner.layers.some((layer) => layer === from || (layer === 'stores/*' && from.startsWith('stores/'))) ||
      (entry.typeOnly && owner.typeOnly?.includes(entry.file));
    if (!allowed) violations.push({ ...entry, rule: `only ${owner.layers.join(', ')} may import ${name}` });
  }
  return violations;
}

/** Every .ts file under src/ of the repository at `root`, with its imports. */
export function sourceImports(root: string): Import[] {
  const imports: Import[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(path.join(root, dir), { withFileTypes: true })) {
      const file = `${dir}/${entry.name}`;
      if (entry.isDirectory()) walk(file);
      else if (file.endsWith('.ts'))
        imports.push(...importsOf(file, readFileSync(path.join(root, file), 'utf8')));
    }
  };
  walk('src');
  return imports;
}
