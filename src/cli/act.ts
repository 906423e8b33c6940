/**
 * What every command's action shares: the exit code it returns reaches the one top-level handler
 * (main.ts), and flags given in a mode that does not read them are refused.
 */
import type { Command } from 'commander';
import { PandaError } from '../core/errors.js';

let exitCode = 0;

/** The exit code the last action returned (0 when it returned none), reset on read. */
export function takeExitCode(): number {
  const c = exitCode;
  exitCode = 0;
  return c;
}

/** Wrap an action so its exit code reaches the top-level handler. */
export function act<A extends unknown[]>(fn: (...a: A) => Promise<number | void>): (...a: A) => Promise<void> {
  return async (...a: A) => {
    const code = await fn(...a);
    if (typeof code === 'number') exitCode = code;
  };
}

/** Whether the operator gave this option (a default is not giving it). */
export function given(cmd: Command, attribute: string): boolean {
  const source = cmd.getOptionValueSource(attribute);
  return source !== undefined && source !== 'default' && source !== 'implied';
}

/**
 * Refuse options the current mode does not read (e.g. `--timeout` with `install -t`): an option
 * accepted and ignored would let an operator believe it took effect.
 */
export function onlyWhen(cmd: Command, attributes: readonly string[], readBy: string, mode: string): void {
  const bad = cmd.options.filter((o) => attributes.includes(o.attributeName()) && given(cmd, o.attributeName()));
  if (bad.length)
    throw new PandaError(
      `option${bad.length > 1 ? 's' : ''} not used with ${mode}`,
      bad.map((o) => ({ where: o.long ?? o.flags, message: `is read only by ${readBy}; it has no effect with ${mode}`, fix: `leave out ${o.long ?? o.flags}` })),
    );
}
