/** Writing to the terminal: the only module besides cli/main.ts that touches stdout/stderr. */
import { formatIssue, type Issue } from '../core/errors.js';

export const out = (s: string) => process.stdout.write(s);
export const err = (s: string) => process.stderr.write(s);

/** Notices about the inputs that are not errors (e.g. an empty TLS pair), on stderr. */
export function warnNotices(issues: readonly Issue[]): void {
  for (const i of issues) err(`note: ${formatIssue(i)}\n`);
}

export function warnPlaceholders(issues: readonly Issue[], max = 8): void {
  if (!issues.length) return;
  err(`warning: ${issues.length} value(s) still hold a FIXME placeholder (an error for a real install):\n`);
  for (const i of issues.slice(0, max)) err(`  - ${formatIssue({ ...i, fix: undefined } as Issue)}\n`);
  if (issues.length > max) err(`  ... and ${issues.length - max} more\n`);
}

export function warnMissing(issues: readonly Issue[]): void {
  if (!issues.length) return;
  err(`warning: ${issues.length} payload file(s) named by the values are missing (a real install refuses them):\n`);
  for (const i of issues) err(`  - ${formatIssue(i)}\n`);
}

/** Keys of the value files that have no effect, each with its file:line. */
export function warnIgnored(issues: readonly Issue[], max = 20): void {
  if (!issues.length) return;
  err(`warning: ${issues.length} key(s) in the value files have no effect:\n`);
  for (const i of issues.slice(0, max)) err(`  - ${formatIssue({ ...i, fix: undefined } as Issue)}\n`);
  if (issues.length > max) err(`  ... and ${issues.length - max} more\n`);
}
