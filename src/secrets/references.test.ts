import { describe, expect, it } from 'vitest';
import { registry } from '../components/registry.js';
import { renderTemplate } from '../render/testing.js';
import { renderSecrets } from './render.js';
import { SECRET_IDS } from './refs.js';
import { secretsContext, secretsValues } from './testing.js';

/** Names of the Secrets a set of objects reads (envFrom, env, volumes, projected sources). */
function secretRefs(x: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(x)) for (const i of x) secretRefs(i, into);
  else if (x && typeof x === 'object') {
    const o = x as Record<string, { name?: string; secretName?: string } | undefined>;
    if (o.secretRef?.name) into.add(o.secretRef.name);
    if (o.secretKeyRef?.name) into.add(o.secretKeyRef.name);
    // optional sources (e.g. the token cache, the CRIC JSONs) may be absent
    if (o.secret?.secretName && !(o.secret as { optional?: boolean }).optional) into.add(o.secret.secretName);
    if (o.secret?.name && !(o.secret as { optional?: boolean }).optional) into.add(o.secret.name);
    for (const v of Object.values(o)) secretRefs(v, into);
  }
  return into;
}

describe('the Secrets the components read', () => {
  it('are all in the catalogue of the secrets lifecycle', () => {
    const declared = registry.list.flatMap((c) => c.subs.flatMap((s) => s.secrets.map((r) => r.id)));
    expect(declared.filter((s) => !(SECRET_IDS as readonly string[]).includes(s))).toEqual([]);
  });

  it('exist, by name, in the secrets render of the same stack', () => {
    const installed = new Set(renderSecrets(secretsValues(), secretsContext()).map((o) => o.metadata.name));
    const read = [...secretRefs(renderTemplate({}))].filter((n) => n.startsWith('panda-secrets-'));
    expect(read.length).toBeGreaterThan(0);
    expect(read.filter((n) => !installed.has(n))).toEqual([]);
  });
});
