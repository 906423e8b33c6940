/**
 * `install --dry-run=server`: every object sent as a server-side apply dry run, in the form the
 * API server would store it (defaults, admission), and nothing written.
 */
import { inNamespace } from '../core/objects.js';
import type { Kube } from '../cluster/kube.js';
import type { Live } from '../cluster/readiness.js';
import { forApply } from '../plan/plan.js';
import { annotateStack, externalReferences } from '../render/digests.js';
import type { Rendered } from './inputs.js';
import { checkNamespace } from './preflight.js';
import { liveDigests } from './rollout.js';

export async function serverDryRun(kube: Kube, rendered: Rendered): Promise<Live[]> {
  await checkNamespace(kube);
  const stack = annotateStack(rendered, { external: await liveDigests(kube, externalReferences(rendered.objects)) });
  return Promise.all(forApply(stack.objects).map((o) => kube.apply(inNamespace(o, kube.namespace), { dryRun: true, force: true })));
}
