/**
 * Every command of the command line, in the order `--help` lists them. A command is one module
 * here declaring its options (from the groups in ../flags.ts) and an action that imports what it
 * runs when it runs.
 */
import type { Command } from 'commander';
import { argocdCommand } from './argocd.js';
import { completionCommand } from './completion.js';
import { diffCommand } from './diff.js';
import { experimentsCommand } from './experiments.js';
import { getCommand, historyCommand, rollbackCommand } from './history.js';
import { installCommand } from './install.js';
import { lintCommand } from './lint.js';
import { schemaCommand } from './schema.js';
import { secretsCommand } from './secrets.js';
import { statusCommand } from './status.js';
import { templateCommand } from './template.js';
import { uninstallCommand } from './uninstall.js';
import { versionCommand } from './version.js';

export const COMMANDS: readonly (() => Command)[] = [
  installCommand,
  templateCommand,
  lintCommand,
  diffCommand,
  statusCommand,
  uninstallCommand,
  historyCommand,
  getCommand,
  rollbackCommand,
  secretsCommand,
  argocdCommand,
  schemaCommand,
  experimentsCommand,
  versionCommand,
  completionCommand,
];
