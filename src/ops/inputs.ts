/**
 * What a cluster operation reads before it connects: the rendered stack or Secrets, refused when
 * the selection leaves nothing, an object is too large for the API server, or (for install)
 * values still hold FIXME placeholders. Bad input fails here, before any request.
 */
import { PandaError, type Issue } from '../core/errors.js';
import { renderFromOptions, secretsRenderer, type RenderOptions, type Resolved, type SecretsOptions, type SecretsRenderer } from '../render/inputs.js';
import { findPlaceholders, type RenderedStack } from '../render/stack.js';
import type { K8sObject } from '../core/k8s.js';
import { sizeIssues } from '../plan/limits.js';

export type Rendered = RenderedStack & Resolved;

/** The one refusal of FIXME placeholders, for the stack and for the secrets. */
export function refusePlaceholders(placeholders: readonly Issue[], what: string, allow = false): void {
  if (placeholders.length && !allow) throw new PandaError(`${what} still hold FIXME placeholders; nothing was applied`, placeholders);
}

export function placeholdersIn(objects: readonly K8sObject[]): Issue[] {
  return objects.flatMap(findPlaceholders);
}

/** Objects the API server would refuse for their size: refused before any request. */
function refuseOversized(objects: readonly K8sObject[]): void {
  const issues = sizeIssues(objects);
  if (issues.length) throw new PandaError('objects exceed what the API server accepts; nothing was applied', issues);
}

/**
 * Render the stack (install, diff, template): a selection that leaves nothing, or objects too
 * large to apply, are errors; for a real install (`refusePlaceholders`) so are FIXME placeholders
 * and payload files the values name but nobody supplied.
 */
export function renderStackFor(opts: RenderOptions, o: { allowPlaceholders?: boolean; refusePlaceholders?: boolean } = {}): Rendered {
  const rendered = renderFromOptions(opts);
  if (!rendered.components.length)
    throw new PandaError('the component selection leaves nothing', [
      { where: [...(opts.enable?.length ? [`--enable ${opts.enable.join(',')}`] : []), ...(opts.disable?.length ? [`--disable ${opts.disable.join(',')}`] : [])].join(' ') || 'values', message: 'no component is left to process', fix: 'leave out -c to process every component, or disable fewer' },
    ]);
  refuseOversized(rendered.objects);
  if (o.refusePlaceholders) {
    if (rendered.missing.length) throw new PandaError('payload files named by the values are missing; nothing was applied', rendered.missing);
    refusePlaceholders(rendered.placeholders, 'values', o.allowPlaceholders);
  }
  return rendered;
}

/** Read the secrets inputs and render once, so that bad input (placeholders too, for install) fails before any connection. */
export function readSecrets(opts: SecretsOptions, o: { allowPlaceholders?: boolean; refusePlaceholders?: boolean } = {}): SecretsRenderer {
  const secrets = secretsRenderer(opts);
  const objects = secrets.render('unused');
  refuseOversized(objects);
  if (o.refusePlaceholders) refusePlaceholders(placeholdersIn(objects), 'secrets values', o.allowPlaceholders);
  return secrets;
}
