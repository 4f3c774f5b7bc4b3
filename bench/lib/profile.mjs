/**
 * Summarizes V8 CPU profiles (`node --cpu-prof`): self time by category, by module and by function.
 *
 * Every sample counts once (its self time is the profile's mean sampling interval): weighting samples
 * by the time to the next one would charge the gaps where the OS had descheduled the process (a busy
 * machine) to whatever function happened to be running. Native and builtin frames (no script URL:
 * socket `writev`, hashing, RegExp, JSON builtins) are charged to the module of their nearest JavaScript
 * caller, so "SDK (de)serialization" includes the regular expressions the SDK's JSON writer runs, and
 * "HTTP + sockets" includes the `writev` system calls `net` makes. GC, `(program)` (V8 and native work
 * with no JavaScript frame) and idle time are their own rows; shares are of busy (non-idle) time.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const SERDE = [
  '@smithy/core/protocols',
  '@smithy/core/schema',
  '@smithy/core/serde',
  '@smithy/smithy-client',
  '@aws-sdk/dynamodb-codec',
  '@aws-sdk/core/protocols',
  '@aws-sdk/client-dynamodb',
  '@smithy/util-base64',
  '@smithy/util-utf8',
];
const SIGNING = [
  '@smithy/signature-v4',
  '@aws-sdk/core/httpAuthSchemes',
  '@smithy/core/httpAuthSchemes',
  '@smithy/hash-node',
  '@smithy/util-hex-encoding',
  'node:internal/crypto',
  'node:crypto',
];
const HTTP = [
  '@smithy/node-http-handler',
  'node:_http',
  'node:http',
  'node:net',
  'node:internal/net',
  'node:stream',
  'node:internal/streams',
  'node:internal/stream_base_commons',
  'node:internal/http',
  'node:events',
  'node:internal/dns',
];
const LOOP = [
  'node:internal/timers',
  'node:timers',
  'node:internal/process/task_queues',
  'node:internal/async_hooks',
  'node:internal/process/promises',
];
const BUFFER = ['node:buffer', 'node:internal/buffer'];

export function categoryOf(module) {
  if (module === '(garbage collector)') return 'GC';
  if (module === '(program)') return 'V8/native, no JS frame (program)';
  if (module === 'JSON builtins') return 'JSON.parse/stringify (native)';
  const starts = (list) => list.some((prefix) => module.startsWith(prefix));
  if (module.startsWith('ddbcopy:')) return 'ddbcopy engine (dist/)';
  if (starts(SERDE)) return 'SDK (de)serialization';
  if (starts(SIGNING)) return 'SigV4 signing + hashing';
  if (starts(HTTP)) return 'HTTP + sockets';
  if (starts(BUFFER)) return 'Buffer';
  if (starts(LOOP) || module === '(microtasks)') return 'event loop, timers, promises';
  if (module.startsWith('@smithy/') || module.startsWith('@aws-sdk/') || module.startsWith('@aws-crypto/'))
    return 'SDK middleware, endpoints, retry, other';
  if (module.startsWith('node:')) return 'Node.js other';
  return 'other';
}

export function moduleOf(url, root) {
  if (!url) return undefined;
  const modules = url.lastIndexOf('/node_modules/');
  if (modules >= 0) {
    const rest = url.slice(modules + '/node_modules/'.length).split('/');
    const name = rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
    const sub = url.match(/\/dist-[a-z]+\/submodules\/([^/]+)\//);
    return sub ? `${name}/${sub[1]}` : name;
  }
  const file = url.startsWith('file://') ? new URL(url).pathname : url;
  if (root && file.startsWith(path.join(root, 'dist') + path.sep))
    return `ddbcopy:${path.relative(root, file)}`;
  if (url.startsWith('node:')) {
    const parts = url.split('/');
    return parts[0] === 'node:internal' && parts.length > 1 ? `${parts[0]}/${parts[1]}` : parts[0];
  }
  return url;
}

const SPECIAL = new Set(['(garbage collector)', '(program)', '(idle)', '(root)']);

/** One profile (one thread): busy ms, and self time by category, module and function. */
export function summarizeProfile(profile, root) {
  const byId = new Map();
  for (const node of profile.nodes) byId.set(node.id, node);
  const parent = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

  const self = new Map();
  const { samples } = profile;
  const interval = samples.length > 0 ? (profile.endTime - profile.startTime) / samples.length : 0;
  for (const id of samples) self.set(id, (self.get(id) ?? 0) + interval);

  const attribution = new Map();
  const attribute = (id) => {
    const cached = attribution.get(id);
    if (cached) return cached;
    const frame = byId.get(id).callFrame;
    const name = frame.functionName || '(anonymous)';
    let result;
    if (SPECIAL.has(frame.functionName)) {
      result = { module: frame.functionName, fn: frame.functionName };
    } else if (frame.url) {
      result = {
        module: moduleOf(frame.url, root),
        fn: `${name} (${moduleOf(frame.url, root)}:${frame.lineNumber + 1})`,
      };
    } else if (/^(JSON\.)?(parse|stringify)$/.test(frame.functionName)) {
      result = { module: 'JSON builtins', fn: `${name} [native]` };
    } else if (frame.functionName === 'runMicrotasks') {
      result = { module: '(microtasks)', fn: 'runMicrotasks [native]' };
    } else {
      // A native or builtin: charge it to its nearest JavaScript caller's module.
      let up = parent.get(id);
      while (up !== undefined && !byId.get(up).callFrame.url) up = parent.get(up);
      const caller = up === undefined ? 'native' : moduleOf(byId.get(up).callFrame.url, root);
      result = { module: caller, fn: `${name} [native, from ${caller}]` };
    }
    attribution.set(id, result);
    return result;
  };

  let busyUs = 0;
  let idleUs = 0;
  const modules = new Map();
  const functions = new Map();
  for (const [id, us] of self) {
    const { module, fn } = attribute(id);
    if (module === '(idle)' || module === '(root)') {
      idleUs += us;
      continue;
    }
    busyUs += us;
    modules.set(module, (modules.get(module) ?? 0) + us);
    functions.set(fn, (functions.get(fn) ?? 0) + us);
  }
  const categories = new Map();
  for (const [module, us] of modules) {
    const category = categoryOf(module);
    categories.set(category, (categories.get(category) ?? 0) + us);
  }
  const rows = (map, limit) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, limit)
      .map(([name, us]) => ({ name, ms: Math.round(us / 1000), share: busyUs > 0 ? us / busyUs : 0 }));
  return {
    busyMs: Math.round(busyUs / 1000),
    idleMs: Math.round(idleUs / 1000),
    wallMs: Math.round((profile.endTime - profile.startTime) / 1000),
    samples: samples.length,
    intervalUs: Math.round(interval),
    categories: rows(categories, 50),
    modules: rows(modules, 25),
    functions: rows(functions, 25),
  };
}

/** Every `.cpuprofile` in `dir` (one per thread), summarized, main thread (largest) first. */
export function summarizeProfiles(dir, root) {
  return readdirSync(dir)
    .filter((file) => file.endsWith('.cpuprofile'))
    .map((file) => ({
      file: path.join(dir, file),
      ...summarizeProfile(JSON.parse(readFileSync(path.join(dir, file), 'utf8')), root),
    }))
    .sort((a, b) => b.busyMs - a.busyMs);
}

export function formatProfiles(summaries) {
  const lines = [];
  const pct = (share) => `${(share * 100).toFixed(1).padStart(5)} %`;
  for (const [index, summary] of summaries.entries()) {
    lines.push(
      `Thread ${index + 1} (${path.basename(summary.file)}): ${(summary.busyMs / 1000).toFixed(2)} s busy, ${(summary.idleMs / 1000).toFixed(2)} s idle, ${summary.samples} samples`,
    );
    lines.push('  by category (self time, natives charged to their JS caller):');
    for (const row of summary.categories) lines.push(`    ${pct(row.share)}  ${row.name}`);
    lines.push('  by module:');
    for (const row of summary.modules.slice(0, 15)) lines.push(`    ${pct(row.share)}  ${row.name}`);
    lines.push('  top functions:');
    for (const row of summary.functions.slice(0, 20)) lines.push(`    ${pct(row.share)}  ${row.name}`);
  }
  return lines.join('\n');
}
