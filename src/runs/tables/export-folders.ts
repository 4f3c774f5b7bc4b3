/**
 * A folder of exports, one per table, as `export --tables ... --out DIR` writes it and `import --from
 * DIR` reads it: `DIR/<table>/AWSDynamoDB/<exportId>/...` (or `DIR/<table>/` being an export folder
 * itself, e.g. an AWS export downloaded there). The folder's name is the source table's name.
 */
import path from 'node:path';
import { EXPORTS_FOLDER, type ExportStorage, joinKey, SUMMARY_FILE } from '../../stores/open.js';

/** Where table `name`'s export goes under (or comes from) `root`: `root/<name>`, in a directory or S3. */
export function tableLocation(root: string, name: string): string {
  if (/^s3:\/\//i.test(root.trim())) return `${root.trim().replace(/\/+$/, '')}/${name}`;
  return path.join(root, name);
}

/** The completed exports in the folder `key` (manifest-summary.json written): itself, or under AWSDynamoDB/. */
export async function completedExports(storage: ExportStorage, key: string): Promise<string[]> {
  if (await storage.exists(joinKey(key, SUMMARY_FILE))) return [key];
  const found: string[] = [];
  for (const id of await storage.listFolders(joinKey(key, EXPORTS_FOLDER))) {
    const folder = joinKey(key, EXPORTS_FOLDER, id);
    if (await storage.exists(joinKey(folder, SUMMARY_FILE))) found.push(folder);
  }
  return found;
}

/** The folders directly under the storage's root that hold a completed export, sorted by name. */
export async function exportFolders(storage: ExportStorage): Promise<string[]> {
  const names: string[] = [];
  for (const name of await storage.listFolders('')) {
    if (name === EXPORTS_FOLDER) continue;
    if ((await completedExports(storage, name)).length > 0) names.push(name);
  }
  return names;
}
