/** Reading sandbox file sets: built-in files, overlaid by operators' own (`--sandbox-dir`). */
import fs from 'node:fs';
import path from 'node:path';
import type { FileSet, PayloadSource } from '../core/files.js';

export type { PayloadSource };
import { PandaError } from '../core/errors.js';
import { componentSandboxDir } from '../core/paths.js';

function readDirFiles(dir: string, into: Map<string, Uint8Array>, recursive = false, filter?: (name: string) => boolean, prefix = ''): void {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (recursive) readDirFiles(p, into, recursive, filter, `${prefix}${e.name}/`);
    } else if (!filter || filter(e.name)) into.set(`${prefix}${e.name}`, fs.readFileSync(p));
  }
}

/** Every sandbox set of a component: `set → files`. */
/**
 * Every sandbox set of a component: `set → files`. With an upstream checkout (`checkout.from`),
 * each set the component maps in `payloads` is the checkout's folder instead of the built-in one
 * (as upstream's chart packages it); `--sandbox-dir` overlays come last.
 */
export function loadSandbox(
  component: string,
  overlays: readonly string[] = [],
  checkout?: { from: string; payloads: Readonly<Record<string, PayloadSource>> },
): Map<string, FileSet> {
  const sets = new Map<string, Map<string, Uint8Array>>();
  const addRoot = (root: string) => {
    let names: string[];
    try {
      names = fs.readdirSync(root);
    } catch {
      return;
    }
    for (const set of names) {
      const dir = path.join(root, set);
      if (!fs.statSync(dir).isDirectory()) continue;
      const files = sets.get(set) ?? new Map<string, Uint8Array>();
      readDirFiles(dir, files);
      sets.set(set, files);
    }
  };
  addRoot(componentSandboxDir(component));
  if (checkout) {
    for (const [set, src] of Object.entries(checkout.payloads)) {
      const dir = path.join(checkout.from, src.checkout);
      if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) continue;
      const files = new Map<string, Uint8Array>();
      const pattern = src.pattern;
      readDirFiles(dir, files, false, pattern ? (n) => pattern.test(n) : undefined);
      sets.set(set, files);
    }
  }
  for (const o of overlays) addRoot(path.join(o, component));
  return sets;
}

export function checkSandboxDirs(dirs: readonly string[]): void {
  const bad = dirs.filter((d) => !fs.existsSync(d) || !fs.statSync(d).isDirectory());
  if (bad.length)
    throw new PandaError(
      'sandbox directory not found',
      bad.map((d) => ({ where: '--sandbox-dir', message: `not a directory: ${d}`, fix: 'name a directory laid out as <component>/<set>/<file>' })),
    );
}

/**
 * One folder of a secrets files directory in upstream's `secrets/files/` layout, keyed by path
 * relative to the folder (`sub/hostcert.pem` when `recursive`).
 */
export function loadFolder(root: string, folder: string, opts: { recursive?: boolean; ext?: string } = {}): FileSet {
  const files = new Map<string, Uint8Array>();
  readDirFiles(path.join(root, folder), files, opts.recursive ?? false, opts.ext ? (n) => n.endsWith(opts.ext!) : undefined);
  return files;
}
