/**
 * A stack is internally consistent by construction, for any affix: every reference its objects
 * make resolves to an object of the same stack — the components and the Secrets of the secrets
 * lifecycle, rendered with the same affix and prefix:
 *   - Secrets and ConfigMaps read by pods (envFrom, env valueFrom, volumes, projected sources),
 *     with the key an env var or a volume item names;
 *   - host names of the stack's components written into env values, Secret values and ConfigMap
 *     data (URLs, `host:port`, `*_HOST` settings) name a Service of the stack.
 * Hosts of components that are not registered yet are counted as pending, not checked; the check
 * covers them as soon as they are registered.
 */
import { describe, expect, it } from 'vitest';
import { registry } from '../../src/components/registry.js';
import type { K8sObject } from '../../src/core/k8s.js';
import { releaseName, resolveAffix } from '../../src/core/names.js';
import { renderFromOptions, renderSecretsFromOptions } from '../../src/render/inputs.js';
import { SECRETS_PEERS } from '../../src/secrets/context.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Obj = any;

interface Problems {
  problems: string[];
  /** References checked, by kind of reference. */
  checked: Record<string, number>;
  /** Host references to components that are not registered yet. */
  pending: Set<string>;
}

const POD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob', 'Pod']);

function podSpec(o: Obj): Obj | undefined {
  if (o.kind === 'Pod') return o.spec;
  if (o.kind === 'CronJob') return o.spec?.jobTemplate?.spec?.template?.spec;
  return o.spec?.template?.spec;
}

const keysOf = (o: Obj | undefined): Set<string> => new Set([...Object.keys(o?.data ?? {}), ...Object.keys(o?.stringData ?? {}), ...Object.keys(o?.binaryData ?? {})]);

/** Host names in one text: URL hosts, `host:port`, and the whole value of `*_HOST`/`*_LIST` settings. */
function hostsIn(key: string, text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/[a-z][a-z0-9+.-]*:\/\/(?:[^@/\s"']+@)?([A-Za-z0-9.-]+)/g)) out.push(m[1]!);
  for (const m of text.matchAll(/(?<![\w.:/@-])([a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*):\d{2,5}\b/g)) out.push(m[1]!);
  if (/(_HOST|_LIST|HOSTNAME)$/.test(key)) out.push(...text.split(/[,;\s]+/).filter(Boolean).map((h) => h.replace(/:\d+$/, '')));
  return out;
}

function check(objects: readonly K8sObject[], affixValue: string): Problems {
  const affix = resolveAffix(affixValue, undefined);
  const byKey = new Map(objects.map((o) => [`${o.kind}/${o.metadata.name}`, o as Obj]));
  const services = new Set(objects.filter((o) => o.kind === 'Service').map((o) => o.metadata.name));
  const registered = new Set<string>(registry.names);
  // longest release first, so `test-iam-db-…` is not taken for `test-iam`
  const releases = [...new Set<string>([...registry.names, ...SECRETS_PEERS])]
    .map((c) => ({ component: c, release: releaseName(affix, c) }))
    .sort((a, b) => b.release.length - a.release.length);
  const r: Problems = { problems: [], checked: {}, pending: new Set() };
  const count = (what: string) => (r.checked[what] = (r.checked[what] ?? 0) + 1);

  const need = (from: string, kind: 'Secret' | 'ConfigMap', name: string | undefined, key: string | undefined, optional: boolean, what: string) => {
    if (!name) return;
    count(`${kind} ${key ? 'key' : 'name'}`);
    const target = byKey.get(`${kind}/${name}`);
    if (!target) {
      if (!optional) r.problems.push(`${from}: ${what} ${kind}/${name} is not an object of the stack`);
      return;
    }
    if (key !== undefined && !keysOf(target).has(key) && !optional) r.problems.push(`${from}: ${what} ${kind}/${name} has no key ${JSON.stringify(key)}`);
  };

  const host = (from: string, key: string, text: string) => {
    for (const h of hostsIn(key, text)) {
      const [label, ...domain] = h.split('.');
      // a name of the stack's DNS: bare, or <name>.<namespace>.svc[...]
      if (domain.length && !domain.includes('svc')) continue;
      const owner = releases.find((x) => label === x.release || label!.startsWith(`${x.release}-`));
      if (!owner) continue;
      if (!registered.has(owner.component)) {
        r.pending.add(`${from} → ${label}`);
        continue;
      }
      count('host');
      if (!services.has(label!)) r.problems.push(`${from}: ${key} names host ${label}, which is no Service of the stack`);
    }
  };

  for (const o of objects as Obj[]) {
    const id = `${o.kind}/${o.metadata.name}`;
    if (o.kind === 'Secret') {
      for (const [k, v] of Object.entries<string>(o.stringData ?? {})) host(id, k, v);
      for (const [k, v] of Object.entries<string>(o.data ?? {})) host(id, k, Buffer.from(v, 'base64').toString('utf8'));
    }
    if (o.kind === 'ConfigMap') for (const [k, v] of Object.entries<string>(o.data ?? {})) host(id, k, v);
    if (!POD_KINDS.has(o.kind)) continue;
    const pod = podSpec(o);
    for (const v of pod?.volumes ?? []) {
      const w = `volume ${v.name}`;
      if (v.secret) {
        need(id, 'Secret', v.secret.secretName, undefined, !!v.secret.optional, w);
        for (const i of v.secret.items ?? []) need(id, 'Secret', v.secret.secretName, i.key, !!v.secret.optional, w);
      }
      if (v.configMap) {
        need(id, 'ConfigMap', v.configMap.name, undefined, !!v.configMap.optional, w);
        for (const i of v.configMap.items ?? []) need(id, 'ConfigMap', v.configMap.name, i.key, !!v.configMap.optional, w);
      }
      for (const s of v.projected?.sources ?? []) {
        if (s.secret) {
          need(id, 'Secret', s.secret.name, undefined, !!s.secret.optional, w);
          for (const i of s.secret.items ?? []) need(id, 'Secret', s.secret.name, i.key, !!s.secret.optional, w);
        }
        if (s.configMap) {
          need(id, 'ConfigMap', s.configMap.name, undefined, !!s.configMap.optional, w);
          for (const i of s.configMap.items ?? []) need(id, 'ConfigMap', s.configMap.name, i.key, !!s.configMap.optional, w);
        }
      }
    }
    for (const c of [...(pod?.initContainers ?? []), ...(pod?.containers ?? [])]) {
      const from = `${id} container ${c.name}`;
      for (const e of c.envFrom ?? []) {
        if (e.secretRef) need(from, 'Secret', e.secretRef.name, undefined, !!e.secretRef.optional, 'envFrom');
        if (e.configMapRef) need(from, 'ConfigMap', e.configMapRef.name, undefined, !!e.configMapRef.optional, 'envFrom');
      }
      for (const e of c.env ?? []) {
        const sk = e.valueFrom?.secretKeyRef;
        const cm = e.valueFrom?.configMapKeyRef;
        if (sk) need(from, 'Secret', sk.name, sk.key, !!sk.optional, `env ${e.name}`);
        if (cm) need(from, 'ConfigMap', cm.name, cm.key, !!cm.optional, `env ${e.name}`);
        if (typeof e.value === 'string') host(from, e.name, e.value);
      }
    }
  }
  return r;
}

/** Experiments whose PanDA and iDDS databases are external: their hosts are the operator's, in the secrets values. */
const EXTERNAL_PANDA_DB: Record<string, string[]> = {
  lsst: ['secrets.panda.database.dbhost=panda-db.example.org', 'secrets.idds.database.dbhost=idds-db.example.org', 'bigmon.main.panda.hostName=panda-db.example.org'],
};

const stack = (affix: string, experiment?: string) => {
  const sets = EXTERNAL_PANDA_DB[experiment ?? ''] ?? [];
  return [...renderFromOptions({ affix, sets, ...(experiment ? { experiment } : {}) }).objects, ...renderSecretsFromOptions({ affix, sets }).objects];
};

describe('references inside a stack', () => {
  it.each([
    ['test-', undefined],
    ['-dev', undefined],
    ['x-', 'lsst'],
    ['-main', undefined],
    ['rest-', 'sphenix'],
  ])('resolve to objects of the stack (affix %s, experiment %s)', (affix, experiment) => {
    const r = check(stack(affix, experiment), affix);
    expect(r.problems).toEqual([]);
    // the check is not vacuous: Secrets, keys and hosts were followed
    expect(r.checked['Secret name']).toBeGreaterThan(10);
    expect(r.checked['ConfigMap name']).toBeGreaterThan(5);
    expect(r.checked.host).toBeGreaterThan(15);
  });

  it('fails on a reference to a Secret, key or host that is not in the stack', () => {
    const objs = stack('test-');
    const pod = objs.find((o) => o.kind === 'StatefulSet' || o.kind === 'Deployment') as Obj;
    const c = podSpec(pod).containers[0];
    c.envFrom = [...(c.envFrom ?? []), { secretRef: { name: 'panda-secrets-nope' } }];
    c.env = [...(c.env ?? []), { name: 'X', valueFrom: { secretKeyRef: { name: 'panda-secrets-panda-envs', key: 'NOPE' } } }, { name: 'PANDA_URL', value: 'https://test-panda-nosuch:443/x' }];
    const r = check(objs, 'test-');
    expect(r.problems).toEqual([
      expect.stringMatching(/envFrom Secret\/panda-secrets-nope is not an object of the stack/),
      expect.stringMatching(/env X Secret\/panda-secrets-panda-envs has no key "NOPE"/),
      expect.stringMatching(/PANDA_URL names host test-panda-nosuch/),
    ]);
  });

  it('lists host references to components not registered yet as pending only', () => {
    const r = check(stack('test-'), 'test-');
    const unregistered = SECRETS_PEERS.filter((c) => !(registry.names as readonly string[]).includes(c));
    for (const p of r.pending) expect(unregistered.some((c) => p.includes(`test-${c}`))).toBe(true);
  });
});
