/**
 * The component registry, in tier order: one line per component. Everything that lists
 * components (values schema, experiments, tiers, CLI choices, status, uninstall, docs) derives
 * from this table and the names in `core/names.ts`.
 */
import type { ComponentName } from '../core/names.js';
import type { Component } from './types.js';
import { bigmon } from './bigmon/render.js';
import { harvester } from './harvester/render.js';
import { iam } from './iam/render.js';
import { iamDb } from './iam-db/render.js';
import { idds } from './idds/render.js';
import { msgsvc } from './msgsvc/render.js';
import { panda } from './panda/render.js';
import { ui } from './ui/render.js';

export const components = { msgsvc, 'iam-db': iamDb, iam, panda, harvester, idds, bigmon, ui } as const satisfies Record<ComponentName, Component>;

/**
 * Deployment tiers, from each declaration's `dependsOn`: msgsvc and iam-db first; iam after its
 * database; then panda; then harvester, idds, bigmon and ui, which talk to PanDA. A component
 * waits for those of its dependencies that are deployed.
 */
export const componentDeps = Object.fromEntries(
  Object.values(components).map((c) => [c.name, (c as Component).dependsOn ?? []]),
) as Record<ComponentName, readonly ComponentName[]>;
