/**
 * The Gateway API and Envoy Gateway objects of the PanDA server (Gateway, HTTPRoutes,
 * ClientTrafficPolicy) and the node-recovery objects against the API server: the published CRDs
 * (fetched from their Go modules by scripts/crds/fetch.sh, cached under ~/.cache/panda-k8s) are
 * installed, then every object of the panda render is applied with a server-side dry run, which
 * validates it against the CRD's OpenAPI schema.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { PandaError } from '../../src/core/errors.js';
import type { K8sObject } from '../../src/core/k8s.js';
import { connect } from '../../src/cluster/kube.js';
import { PANDA_GATEWAY_SETS } from '../../src/render/testing.js';
import { affixFor, cleanupVolumes, dryRunRefusals, ensureRouteCrd, kubeconfig, namespace, ROOT } from './helpers.js';
import { BUILTIN_EXPERIMENTS } from '../../src/core/paths.js';
import { renderFromOptions, renderSecretsFromOptions } from '../../src/render/inputs.js';

const hasGo = spawnSync('bash', ['-c', 'command -v go || test -x /usr/local/go/bin/go']).status === 0;
const hasKubectl = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' }).status === 0;

/** The CRD directories (Gateway API standard channel, Envoy Gateway), fetched once. */
function crdDirs(): string[] {
  const r = spawnSync('bash', [path.join(ROOT, 'scripts', 'crds', 'fetch.sh')], { encoding: 'utf8', timeout: 600_000 });
  if (r.status !== 0) throw new Error(`scripts/crds/fetch.sh failed: ${r.stderr}`);
  return r.stdout.trim().split('\n');
}

/** Apply the CRDs we need and wait until the API server serves their kinds. */
async function installCrds(): Promise<void> {
  const wanted = ['gateways', 'httproutes', 'gatewayclasses', 'referencegrants', 'clienttrafficpolicies'];
  const files = crdDirs().flatMap((d) => fs.readdirSync(d).filter((f) => wanted.some((w) => f.endsWith(`_${w}.yaml`))).map((f) => path.join(d, f)));
  expect(files).toHaveLength(wanted.length);
  // kubectl, not the client library: its CRD model drops the `x-kubernetes-*` schema extensions
  for (const f of files) {
    const r = spawnSync('kubectl', ['--kubeconfig', kubeconfig(), 'apply', '--server-side', '--force-conflicts', '-f', f], { encoding: 'utf8', timeout: 120_000 });
    expect(r.status, `kubectl apply -f ${f}: ${r.stderr}`).toBe(0);
  }
  for (const [apiVersion, kind] of [
    ['gateway.networking.k8s.io/v1', 'Gateway'],
    ['gateway.networking.k8s.io/v1', 'HTTPRoute'],
    ['gateway.envoyproxy.io/v1alpha1', 'ClientTrafficPolicy'],
  ] as const) {
    let ok = false;
    for (let i = 0; i < 300 && !ok; i++) {
      ok = await connect({ kubeconfig: kubeconfig() }).serves(apiVersion, kind);
      if (!ok) await new Promise((r) => setTimeout(r, 200));
    }
    expect(ok, `${apiVersion} ${kind} is served`).toBe(true);
  }
}

const cleanup: string[] = [];
afterAll(async () => {
  for (const ns of cleanup) await cleanupVolumes(ns);
});

describe.skipIf(!hasGo || !hasKubectl)('Gateway API and Envoy objects of the PanDA server', () => {
  it('the API server dry run accepts the Gateway, HTTPRoutes, ClientTrafficPolicy, client-CA ConfigMap and node recovery', async () => {
    await installCrds();
    const { ns, kube } = await namespace('gw');
    cleanup.push(ns);
    const { renderFromOptions } = await import('../../src/render/inputs.js');
    const objs = renderFromOptions({
      affix: affixFor('g'),
      namespace: ns,
      enable: ['panda'],
      sets: PANDA_GATEWAY_SETS,
    }).objects;
    const kinds = new Set(objs.map((o) => o.kind));
    for (const k of ['Gateway', 'HTTPRoute', 'ClientTrafficPolicy', 'CronJob', 'ClusterRole', 'ClusterRoleBinding']) expect(kinds.has(k), k).toBe(true);
    expect(await dryRunRefusals(kube, objs)).toEqual([]);
  });

  it('the dry run refuses a ClientTrafficPolicy the CRD schema does not allow (the check is real)', async () => {
    const { ns, kube } = await namespace('gwbad');
    cleanup.push(ns);
    const bad = {
      apiVersion: 'gateway.envoyproxy.io/v1alpha1',
      kind: 'ClientTrafficPolicy',
      metadata: { name: 'bad', namespace: ns },
      spec: { targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'x' }], tls: { clientValidation: { caCertificateRefs: 'not-a-list' } } },
    };
    await installCrds();
    const err = await kube.apply(bad as K8sObject, { dryRun: true }).then(
      () => undefined,
      (e: PandaError) => e,
    );
    expect(err?.issues?.[0]?.message).toMatch(/caCertificateRefs/);
  });

  it.each(['lsst-prod', 'atlas_testbed', 'cern'])('HEAD %s from the upstream checkout: the dry run accepts every panda object', async (exp) => {
    const tree = path.resolve(ROOT, '..', 'shared', 'upstream', 'head', 'tree');
    if (!fs.existsSync(tree)) return;
    const { ns, kube } = await namespace(`gw-${exp.replace('_', '-')}`);
    cleanup.push(ns);
    const { renderFromCheckout } = await import('../../src/render/testing.js');
    const r = renderFromCheckout('panda', tree, { experiment: exp, namespace: ns, affix: affixFor('h') });
    expect(r.missing).toEqual([]);
    expect(await dryRunRefusals(kube, r.objects)).toEqual([]);
  });

  // every built-in experiment's whole stack and its Secrets, built in and from the checkout
  const tree = path.resolve(ROOT, '..', 'shared', 'upstream', 'head', 'tree');
  const experiments = fs.readdirSync(BUILTIN_EXPERIMENTS).filter((e) => fs.statSync(path.join(BUILTIN_EXPERIMENTS, e)).isDirectory()).sort();
  it.each(experiments.flatMap((e): [string, string][] => [[e, 'built in'], ...(fs.existsSync(tree) ? ([[e, 'from the checkout']] as [string, string][]) : [])]))(
    '%s (%s): the dry run accepts the whole stack and its Secrets',
    async (exp, how) => {
      await ensureRouteCrd();
      const { ns, kube } = await namespace(`dry-${exp.replace(/_/g, '-')}`);
      cleanup.push(ns);
      const o = { affix: affixFor('w'), experiment: exp, namespace: ns, ...(how === 'built in' ? {} : { from: tree }) };
      const objects = [...renderSecretsFromOptions({ ...o, keystore: '{"keys":[]}' }).objects, ...renderFromOptions(o).objects];
      expect(objects.length).toBeGreaterThan(20);
      expect(await dryRunRefusals(kube, objects)).toEqual([]);
    },
  );
});
