import { createWriteStream } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, rmdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { addAbortSignal, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ExportStorage } from './export-storage.js';

/** A file's absence, by its error code: no such file, or a parent that is a file. */
function isMissing(error: unknown): boolean {
  const code = (error as { code?: string })?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/**
 * An export kept in a local directory. A write goes to `<name>.tmp`, is fsynced, then renamed, so a
 * crash never leaves a partial file under a final name.
 */
export class LocalStorage implements ExportStorage {
  readonly root: string;
  readonly s3 = undefined;

  constructor(dir: string) {
    this.root = path.resolve(dir);
  }

  objectKey(key: string): string {
    return key;
  }

  describe(key: string): string {
    return path.join(this.root, ...key.split('/'));
  }

  async write(key: string, body: Readable, signal?: AbortSignal): Promise<void> {
    const final = this.describe(key);
    const temp = `${final}.tmp`;
    if (signal) addAbortSignal(signal, body);
    try {
      await mkdir(path.dirname(final), { recursive: true });
      await pipeline(body, createWriteStream(temp));
      // fsync applies to the file, whichever descriptor asks: its bytes are on disk before the rename.
      const handle = await open(temp, 'r+');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temp, final);
    } catch (error) {
      body.destroy();
      await rm(temp, { force: true });
      throw error;
    }
  }

  async read(key: string, signal?: AbortSignal): Promise<Readable | undefined> {
    let handle: Awaited<ReturnType<typeof open>>;
    try {
      // Opened first, so a missing file is an answer here rather than a stream error later.
      handle = await open(this.describe(key), 'r');
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
    const stream = handle.createReadStream();
    return signal ? addAbortSignal(signal, stream) : stream;
  }

  async readText(key: string): Promise<string | undefined> {
    try {
      return await readFile(this.describe(key), 'utf8');
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  async exists(key: string): Promise<boolean> {
    return stat(this.describe(key)).then(
      (found) => found.isFile(),
      () => false,
    );
  }

  async listFolders(key: string): Promise<string[]> {
    try {
      const entries = await readdir(this.describe(key), { withFileTypes: true });
      return entries
        .filter((entry) => entry.isDirectory())
        .map((entry) => entry.name)
        .sort();
    } catch (error) {
      if (isMissing(error)) return [];
      throw error;
    }
  }

  async delete(keys: readonly string[]): Promise<void> {
    const folders = new Set<string>();
    for (const key of keys) {
      await rm(this.describe(key), { force: true });
      for (let folder = path.posix.dirname(key); folder !== '.'; folder = path.posix.dirname(folder))
        folders.add(folder);
    }
    // Deepest first; rmdir refuses a folder that still holds something, which is what we want.
    const deepestFirst = [...folders].sort((a, b) => b.split('/').length - a.split('/').length);
    for (const folder of deepestFirst) await rmdir(this.describe(folder)).catch(() => {});
  }

  close(): void {}
}
