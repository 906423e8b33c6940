/** What every report shares: errors as data (a headline and issues), so reports serialize. */
import { ExitCode, type PandaError } from '../core/errors.js';

export interface ErrorReport {
  /** The exit code this error alone would give (1 not ready, 3 cluster, 5 locked, ...). */
  code: number;
  message: string;
  issues: { where: string; message: string; fix?: string }[];
}

export function reportErrors(errors: readonly PandaError[]): ErrorReport[] {
  return errors.map((e) => ({ code: e.exitCode, message: e.message, issues: e.issues.map((i) => ({ where: i.where, message: i.message, ...(i.fix ? { fix: i.fix } : {}) })) }));
}

/** The exit code of an operation's outcome: interrupted, else the gravest error (cluster, lock), else not ready. */
export function outcomeCode(r: { interrupted: boolean; errors: readonly ErrorReport[] }): number {
  if (r.interrupted) return ExitCode.interrupted;
  if (!r.errors.length) return ExitCode.ok;
  for (const code of [ExitCode.cluster, ExitCode.locked]) if (r.errors.some((e) => e.code === code)) return code;
  return ExitCode.changesOrNotReady;
}
