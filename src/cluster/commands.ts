import { PandaError, ExitCode } from '../core/errors.js';
const todo = (): never => {
  throw new PandaError('not available yet', [], ExitCode.cluster);
};
export const installCommand = (..._a: unknown[]) => todo();
export const diffCommand = (..._a: unknown[]) => todo();
export const statusCommand = (..._a: unknown[]) => todo();
export const uninstallCommand = (..._a: unknown[]) => todo();
export const secretsInstallCommand = (..._a: unknown[]) => todo();
export const secretsDiffCommand = (..._a: unknown[]) => todo();
export const secretsUninstallCommand = (..._a: unknown[]) => todo();
