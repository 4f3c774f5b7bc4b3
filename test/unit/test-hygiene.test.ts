/**
 * A test must be able to fail by an assertion. An `expect` inside a `catch` passes silently when
 * nothing throws, so it is only allowed in a file that counts its assertions (`expect.assertions` or
 * `expect.hasAssertions`); elsewhere, `toThrow` / `rejects` (or catching into a variable and asserting
 * after the `try`) say the same and fail when nothing is thrown.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../harness/cli.js';

/** Lines (1-based) of the `catch` blocks and `.catch(...)` calls in `source` that hold an `expect(`. */
function assertionsInCatch(source: string): number[] {
  if (/\bexpect\.(?:assertions|hasAssertions)\(/.test(source)) return [];
  const lines: number[] = [];
  const found = (start: number, open: string, close: string): void => {
    const body = enclosed(source, start, open, close);
    if (/\bexpect\s*\(/.test(body)) lines.push(source.slice(0, start).split('\n').length);
  };
  for (const match of source.matchAll(/\bcatch\s*(?:\([^)]*\))?\s*\{/g)) {
    if (source[match.index - 1] === '.') continue;
    found(match.index + match[0].length - 1, '{', '}');
  }
  for (const match of source.matchAll(/\.catch\s*\(/g)) found(match.index + match[0].length - 1, '(', ')');
  return lines;
}

/** The text from the bracket at `start` to its match (brackets inside strings are rare enough to ignore). */
function enclosed(source: string, start: number, open: string, close: string): string {
  let depth = 0;
  for (let i = start; i < source.length; i++) {
    if (source[i] === open) depth++;
    else if (source[i] === close && --depth === 0) return source.slice(start, i + 1);
  }
  return source.slice(start);
}

function testFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => path.join(entry.parentPath, entry.name));
}

describe('test hygiene', () => {
  it('no assertion inside a catch, unless the file counts its assertions', () => {
    const files = testFiles(path.join(repoRoot, 'test'));
    // The check reads something: the suite has dozens of test files.
    expect(files.length).toBeGreaterThan(50);
    const report = files.flatMap((file) =>
      assertionsInCatch(readFileSync(file, 'utf8')).map((line) => `${path.relative(repoRoot, file)}:${line}`),
    );
    expect(report).toEqual([]);
  });

  it.each([
    ['try { run(); } catch (error) {\n  expect(error).toBeDefined();\n}', [1]],
    ['try { run(); } catch {\n  if (x) { y(); }\n  expect(x).toBe(1);\n}', [1]],
    ['\n\nawait promise.catch((error) => expect(error).toBeTruthy());', [3]],
    ['await promise.catch((error) => {\n  expect(error.code).toBe(2);\n});', [1]],
  ])('catches a planted assertion in a catch: %j', (source, lines) => {
    expect(assertionsInCatch(source)).toEqual(lines);
  });

  it.each([
    'let caught;\ntry { run(); } catch (error) { caught = error; }\nexpect(caught).toBeInstanceOf(Error);',
    "expect(await scan().catch(() => 'absent')).toBe('absent');",
    'expect.assertions(1);\ntry { run(); } catch (error) { expect(error).toBeDefined(); }',
    'try { run(); } catch { return -1; }',
  ])('lets a safe pattern be: %j', (source) => {
    expect(assertionsInCatch(source)).toEqual([]);
  });
});
