/** The component registry, in upstream's default order. */
import type { ComponentName } from '../core/names.js';
import type { Component } from './types.js';
import { bigmon } from './bigmon/render.js';
import { harvester } from './harvester/render.js';
import { iam } from './iam/render.js';
import { idds } from './idds/render.js';
import { msgsvc } from './msgsvc/render.js';
import { panda } from './panda/render.js';

export const components = { msgsvc, iam, panda, harvester, idds, bigmon } as const satisfies Record<ComponentName, Component>;

/**
 * Deployment tiers: msgsvc and iam first; then panda; then harvester, idds and bigmon, which talk
 * to PanDA. A component depends on every component of the tiers before it that is deployed.
 */
export const componentDeps: Record<ComponentName, readonly ComponentName[]> = {
  msgsvc: [],
  iam: [],
  panda: ['msgsvc', 'iam'],
  harvester: ['panda'],
  idds: ['panda'],
  bigmon: ['panda'],
};
