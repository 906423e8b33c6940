/** Files handed to a pure render: read at the edges, passed in as data. */

/** Files of one sandbox set (`<component>/sandbox/<set>/`) or secrets folder, keyed by base name. */
export type FileSet = ReadonlyMap<string, Uint8Array>;

/** Where an upstream checkout (`--from`) keeps a payload set: a folder, and which of its files belong to the set. */
export interface PayloadSource {
  checkout: string;
  pattern?: RegExp;
}

/** The files in name order (stable output whatever order the directory listed them in). */
export function sortedFiles(files: FileSet): [string, Uint8Array][] {
  return [...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Each file as base64, keyed by name, in name order (ConfigMap `binaryData`, Secret `data`). */
export function base64Files(files: FileSet): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of sortedFiles(files)) out[k] = Buffer.from(v).toString('base64');
  return out;
}
