/**
 * The one errors module. Every failure the tool reports is a {@link PandaError}:
 * a headline plus zero or more issues, each naming where (file, key, object) and how to fix it.
 * Only the CLI's top-level handler turns these into text and an exit code.
 */

/** Exit codes are part of the CLI contract (see docs/cli.md). */
export const ExitCode = {
  ok: 0,
  /** `diff`: differences found. `install`: a component did not become ready. */
  changesOrNotReady: 1,
  /** Bad input: flags, values files, secrets files. Nothing was applied. */
  invalidInput: 2,
  /** The cluster could not be reached or refused a request. */
  cluster: 3,
  /** `status`, `uninstall`: nothing of the stack is installed in the namespace. */
  notInstalled: 4,
  /** Another install or uninstall of the same stack holds its lock. */
  locked: 5,
  /** Interrupted (Ctrl-C). */
  interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export interface Issue {
  /** Where: a values key path (`panda.server.image.tag`), a flag (`--affix`), or an object (`Deployment/test-panda-server`). */
  where: string;
  /** What is wrong. */
  message: string;
  /** How to fix it. */
  fix?: string;
  /** The file the problem comes from, when there is one. */
  file?: string;
  /** 1-based line in {@link file}. */
  line?: number;
}

export class PandaError extends Error {
  readonly issues: readonly Issue[];
  readonly exitCode: ExitCode;
  constructor(message: string, issues: readonly Issue[] = [], exitCode: ExitCode = ExitCode.invalidInput) {
    super(message);
    this.name = 'PandaError';
    this.issues = issues;
    this.exitCode = exitCode;
  }
}

/** Collects issues and throws them all at once. */
export class IssueList {
  readonly items: Issue[] = [];
  add(issue: Issue): void {
    this.items.push(issue);
  }
  get empty(): boolean {
    return this.items.length === 0;
  }
  throwIfAny(headline: string, exitCode: ExitCode = ExitCode.invalidInput): void {
    if (this.items.length > 0) throw new PandaError(headline, this.items, exitCode);
  }
}

export function formatIssue(i: Issue): string {
  const loc = i.file ? `${i.file}${i.line ? `:${i.line}` : ''}: ` : '';
  return `${loc}${i.where}: ${i.message}${i.fix ? `\n    fix: ${i.fix}` : ''}`;
}

export function formatError(e: PandaError): string {
  const lines = [`error: ${e.message}`];
  for (const i of e.issues) lines.push(`  - ${formatIssue(i).replace(/\n/g, '\n  ')}`);
  return lines.join('\n');
}

/** Levenshtein distance, for did-you-mean suggestions. */
export function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length]!;
}

/** The closest candidate within a sensible distance, or undefined. */
export function didYouMean(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  const lw = word.toLowerCase();
  for (const c of candidates) {
    const d = editDistance(lw, c.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  const limit = Math.max(2, Math.floor(word.length / 3));
  return bestD <= limit ? best : undefined;
}

/** What to do about a FIXME placeholder that does not name its option (`FIXME(<option>)` does). */
export const PLACEHOLDER_FIX = 'set the value in your values or secrets file';
