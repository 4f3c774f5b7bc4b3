/**
 * Linux `perf` profiles of a client process, for what `--cpu-prof` cannot show.
 *
 * V8's sampling profiler charges time spent in V8's C++ (JSON.parse/stringify, string and Buffer
 * conversion) to the JavaScript function that called it, never sees GC and compiler threads, and
 * samples wall time (a descheduled thread still gets samples on a busy machine). `perf record` samples
 * CPU time of every thread, with C++, kernel and JIT-compiled JavaScript symbols (`--perf-basic-prof`).
 * Used by `npm run bench -- --perf` when `perf` is installed.
 */
import { spawnSync } from 'node:child_process';
import { moduleOf } from './profile.mjs';

export function perfAvailable() {
  return spawnSync('perf', ['--version'], { stdio: 'ignore' }).status === 0;
}

/** What to prepend to `node ...` so that `perf` records it into `file`. */
export function perfPrefix(file) {
  return ['perf', 'record', '-F', '1999', '-o', file, '--'];
}

/** Node flags so perf can name JavaScript frames. */
export const PERF_NODE_FLAGS = ['--perf-basic-prof', '--interpreted-frames-native-stack'];

const V8_GC =
  /Heap::|Scaveng|MarkCompact|Marking|Sweep|Evacuat|ConcurrentMark|MemoryAllocator|MemoryChunk|PagedSpace|NewSpace|LargeObjectSpace|GCTracer|Worklist|RememberedSet|SlotSet|IncrementalMarking|MinorMC|CppHeap|ObjectVisitor|BodyDescriptor|Compactor|HeapObject::Size/;

/** A perf symbol's category: where the CPU went, at the level an optimization acts on. */
export function perfCategory(dso, symbol, root) {
  if (dso === '[kernel.kallsyms]') {
    if (/tcp|sock|inet|ip_|skb|__sys_(send|recv)|sendmsg|recvmsg|netif|net_rx|loopback|nf_/.test(symbol))
      return 'kernel: TCP/sockets';
    if (/page|mm_|folio|pte|pmd|alloc|slab|mem/.test(symbol)) return 'kernel: memory (page faults, mmap)';
    if (/task_switch|schedule|irq|softirq|spin_unlock|spin_lock|futex|rcu/.test(symbol))
      return 'kernel: scheduling, interrupts, locks';
    return 'kernel: other syscalls (read/write copies, epoll)';
  }
  if (dso.startsWith('[JIT]') || symbol.startsWith('JS:') || symbol.startsWith('LazyCompile:')) {
    if (symbol.startsWith('RegExp:')) return 'JS: RegExp';
    const url = /(?:file:\/\/|node:|\/)[^\s]*?(?=:\d+:\d+$)|node:[^\s:]+/.exec(
      symbol.replace(/^[^ ]+ \*?/, ''),
    )?.[0];
    const module = url ? moduleOf(url.startsWith('/') ? `file://${url}` : url, root) : undefined;
    if (!module) return 'JS: other';
    if (module.startsWith('ddbcopy:')) return 'JS: ddbcopy engine (dist/)';
    if (module.startsWith('@smithy/signature-v4') || module.includes('httpAuthSchemes'))
      return 'JS: SigV4 signing';
    if (module.startsWith('@smithy/') || module.startsWith('@aws-sdk/')) return 'JS: AWS SDK';
    if (/^node:(_http|http|net|internal\/(streams|stream_base|net|http))/.test(module))
      return 'JS: Node http/net/streams';
    if (module.startsWith('node:')) return 'JS: Node other';
    return 'JS: other';
  }
  if (/JsonStringifier|JsonStringify/.test(symbol)) return 'V8: JSON.stringify';
  if (/JsonParser|JsonParse|JsonString::|JsonContinuation/.test(symbol)) return 'V8: JSON.parse';
  if (V8_GC.test(symbol)) return 'V8: garbage collection';
  if (/StringTable::|Internalize/.test(symbol)) return 'V8: string internalization (mostly JSON.parse keys)';
  if (/StringSearch|SearchString|StringIndexOf|StringIncludes/.test(symbol))
    return 'V8: substring search (includes/indexOf)';
  if (/IC_Megamorphic|LoadIC|StoreIC|KeyedLoadIC|KeyedStoreIC|LookupIterator|Runtime_.*Property/.test(symbol))
    return 'V8: property access ICs (megamorphic loads, lookups)';
  if (
    /Factory|TransitionArray|JSObject::|AllocationSite|Pretenuring|Map::|FieldIndex|FixedArray|HandleScope/.test(
      symbol,
    )
  )
    return 'V8: object allocation, maps, handles';
  if (/Compiler|compiler::|Turbofan|Maglev|Sparkplug|Bytecode|Parser|Scanner|Ast|Zone/.test(symbol))
    return 'V8: compiler';
  if (/^Builtins?_|^Builtin:|BytecodeHandler/.test(symbol))
    return 'V8: builtins (strings, objects, promises)';
  if (/sha256|SHA256|hmac|HMAC|EVP_|CRYPTO_|OPENSSL|ossl_/.test(symbol))
    return 'native: crypto (SHA-256/HMAC)';
  if (/llhttp|http_parser|node::http|Parser::/.test(symbol)) return 'native: Node HTTP parser';
  if (/node::.*(Stream|TCP|Buffer|Write|Read)|uv_|StreamBase|LibuvStreamWrap/.test(symbol))
    return 'native: Node streams, Buffer, libuv';
  if (/memcpy|memmove|memset|memchr|strlen|__memcmp|_int_|malloc|free|calloc|realloc/.test(symbol))
    return 'libc: memory copy/alloc';
  if (/String|Utf8|Latin1|OneByte|TwoByte|Cons|Flatten/.test(symbol))
    return 'V8: string runtime (flatten, encode)';
  if (dso === 'node' || dso.endsWith('/node')) return 'V8/Node C++: other';
  return `other (${dso})`;
}

/** Runs `perf report` on `file`: self CPU by thread, category and symbol. */
export function summarizePerf(file, root) {
  const report = spawnSync(
    'perf',
    [
      'report',
      '-i',
      file,
      '--no-children',
      // `pid` is perf's thread key ("tid:name").
      '--sort',
      'pid,dso,sym',
      '-F',
      'overhead,pid,dso,sym',
      '--stdio',
      '-t',
      '\t',
      '--percent-limit',
      '0',
    ],
    { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 },
  );
  if (report.status !== 0) throw new Error(`perf report failed: ${report.stderr.slice(-2000)}`);
  const threads = new Map();
  const categories = new Map();
  const symbols = new Map();
  let total = 0;
  for (const line of report.stdout.split('\n')) {
    if (!line.trim() || line.startsWith('#')) continue;
    const [overhead, tid, dso, sym] = line.split('\t').map((field) => field.trim());
    const share = Number.parseFloat(overhead) / 100;
    if (!Number.isFinite(share) || sym === undefined) continue;
    const symbol = sym.replace(/^\[[.k]\]\s*/, '');
    total += share;
    threads.set(tid, (threads.get(tid) ?? 0) + share);
    const category = perfCategory(dso, symbol, root);
    categories.set(category, (categories.get(category) ?? 0) + share);
    const key = `${symbol.length > 110 ? `${symbol.slice(0, 107)}...` : symbol} [${dso.replace(/^\[JIT\] tid \d+$/, 'JIT')}]`;
    symbols.set(key, (symbols.get(key) ?? 0) + share);
  }
  if (total === 0) throw new Error(`perf report gave no samples:\n${report.stdout.slice(0, 2000)}`);
  const rows = (map, limit) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, limit)
      .map(([name, share]) => ({ name, share: share / total }));
  return { threads: rows(threads, 10), categories: rows(categories, 40), symbols: rows(symbols, 30) };
}

export function formatPerf(summary) {
  const pct = (share) => `${(share * 100).toFixed(1).padStart(5)} %`;
  const lines = ['  by thread (tid:name):'];
  for (const row of summary.threads) lines.push(`    ${pct(row.share)}  ${row.name}`);
  lines.push('  by category (self CPU, all threads):');
  for (const row of summary.categories) lines.push(`    ${pct(row.share)}  ${row.name}`);
  lines.push('  top symbols:');
  for (const row of summary.symbols.slice(0, 25)) lines.push(`    ${pct(row.share)}  ${row.name}`);
  return lines.join('\n');
}
