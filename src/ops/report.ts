/** What every report shares: errors as data (a headline and issues), so reports serialize. */
import type { PandaError } from '../core/errors.js';

export interface ErrorReport {
  message: string;
  issues: { where: string; message: string; fix?: string }[];
}

export function reportErrors(errors: readonly PandaError[]): ErrorReport[] {
  return errors.map((e) => ({ message: e.message, issues: e.issues.map((i) => ({ where: i.where, message: i.message, ...(i.fix ? { fix: i.fix } : {}) })) }));
}
