/**
 * The component registry: one line per component, in upstream's default order. The root values
 * schema, the component list, the tiers, the Secrets the preflight checks, the charts `--from`
 * reads, the docs and the CLI lists all derive from it (see docs/components.md).
 */
import type { z } from 'zod';
import { secretsSchema } from '../secrets/values.js';
import { createRegistry } from './define.js';
import { bigmon } from './bigmon/component.js';
import { harvester } from './harvester/component.js';
import { iam } from './iam/component.js';
import { idds } from './idds/component.js';
import { msgsvc } from './msgsvc/component.js';
import { panda } from './panda/component.js';

export const registry = createRegistry(secretsSchema, [
  msgsvc,
  iam,
  panda,
  harvester,
  idds,
  bigmon,
]);

/** Component names, in registry order. */
export const COMPONENTS = registry.names;
export type ComponentName = (typeof COMPONENTS)[number];

/** The whole values tree: one schema, from which types, defaults, docs and the JSON Schema come. */
export const valuesSchema = registry.valuesSchema;
export type Values = z.output<typeof valuesSchema>;
