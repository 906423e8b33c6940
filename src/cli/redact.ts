import type { K8sObject } from '../core/k8s.js';

export const REDACTED = '<redacted>';

/** Copies of Secrets with every value replaced (keys kept). Never mutates its input. */
export function redactSecrets(objects: readonly K8sObject[]): K8sObject[] {
  return objects.map((o) => {
    if (o.kind !== 'Secret') return o;
    const c = structuredClone(o) as K8sObject & { data?: Record<string, string>; stringData?: Record<string, string> };
    for (const f of ['data', 'stringData'] as const) {
      const m = c[f];
      if (m) for (const k of Object.keys(m)) m[k] = f === 'data' ? Buffer.from(REDACTED).toString('base64') : REDACTED;
    }
    return c;
  });
}
