// Deploy-to-ready of the full stack on the local control plane (npm run cluster:up), with
// simulated start-up delays per sub-component (kwok: pod annotation
// pod-ready.stage.kwok.x-k8s.io/delay). Compares the tiered-parallel install with one component
// at a time in upstream's order, each applied whole and waited for (what `helm install --wait`
// per chart does), and with the critical-path bound of the dependency graph.
//
//   node bench/deploy.mjs [--runs N]
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { connect } from '../dist/cluster/kube.js';
import { executePlan } from '../dist/ops/execute.js';
import { readSecrets } from '../dist/ops/inputs.js';
import { secretsInstall } from '../dist/ops/secrets.js';
import { realClock } from '../dist/cluster/clock.js';
import { buildPlan, criticalPath } from '../dist/plan/plan.js';
import { renderFromOptions } from '../dist/render/inputs.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SECRETS = path.join(ROOT, 'test', 'cluster', 'fixtures', 'secrets-values.yaml');
const runs = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 1;
if (!process.env.KUBECONFIG) {
  console.error('KUBECONFIG is not set: eval "$(npm run -s cluster:up | tail -n 1)" first');
  process.exit(2);
}

/** Seconds until each sub-component's pods turn Ready. */
const DELAYS = {
  'msgsvc/activemq': 5,
  'iam/mariadb': 5,
  'iam/main': 10,
  'panda/postgres': 5,
  'panda/server': 15,
  'panda/jedi': 5,
  'harvester/mariadb': 5,
  'harvester/harvester': 10,
  'idds/postgres': 5,
  'idds/rest': 10,
  'idds/daemon': 5,
  'bigmon/main': 10,
};
const sets = Object.entries(DELAYS).map(([id, s]) => `${id.replace('/', '.')}.podAnnotations.pod-ready\\.stage\\.kwok\\.x-k8s\\.io/delay=${s}s`);


async function prepare(tag) {
  const ns = `bench-${tag}-${Date.now() % 1e6}`;
  const affix = `b${tag[0]}${(Date.now() % 1e5).toString(36)}-`;
  const admin = connect({});
  await admin.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  for (let i = 0; i < 100 && !(await admin.get({ apiVersion: 'v1', kind: 'ServiceAccount', name: 'default', namespace: ns })); i++) await new Promise((r) => setTimeout(r, 100));
  const kube = connect({ namespace: ns });
  await secretsInstall(kube, readSecrets({ secretsValues: SECRETS, affix }));
  const rendered = renderFromOptions({ secretsValues: SECRETS, affix, sets });
  // claims without a class are served by the cluster's default StorageClass
  return { ns, affix, kube, rendered };
}

async function cleanup(ns, affix) {
  const admin = connect({});
  const releases = ['msgsvc', 'iam', 'panda', 'harvester', 'idds', 'bigmon'].map((c) => affix + c).join(',');
  for (const labelSelector of [`panda-k8s.bench/ns=${ns}`, `app.kubernetes.io/instance in (${releases})`])
    for (const pv of await admin.list('v1', 'PersistentVolume', { labelSelector })) await admin.delete({ apiVersion: 'v1', kind: 'PersistentVolume', name: pv.metadata.name });
  await admin.delete({ apiVersion: 'v1', kind: 'Namespace', name: ns });
}

/** Upstream's order with a wait: one component at a time, all its objects at once. */
function sequentialPlan(plan) {
  const nodes = [];
  let prev;
  for (const c of plan.components) {
    const mine = plan.nodes.filter((n) => n.component === c.name);
    nodes.push({ id: c.name, component: c.name, deps: prev ? [prev] : [], apply: mine.flatMap((n) => n.apply), await: mine.flatMap((n) => n.await) });
    prev = c.name;
  }
  return { ...plan, nodes, waves: nodes.map((n) => [n.id]) };
}

async function measure(mode) {
  const { ns, affix, kube, rendered } = await prepare(mode[0]);
  try {
    const tiered = buildPlan(rendered, ns);
    const plan = mode === 'tiered' ? tiered : sequentialPlan(tiered);
    const objects = plan.nodes.reduce((a, n) => a + n.apply.length, 0);
    const r = await executePlan(kube, plan, { wait: true, timeoutMs: 300_000, clock: realClock, pollMs: 250 });
    if (r.failures.length) throw new Error(r.failures.map((f) => f.message).join('; '));
    return { seconds: (r.finishedAt - r.startedAt) / 1000, writes: r.writes, objects };
  } finally {
    await cleanup(ns, affix);
  }
}

const plan = buildPlan(renderFromOptions({ affix: 'x-', sets }), 'ns');
const bound = criticalPath(plan.nodes, (id) => DELAYS[id] ?? 0);
const seqBound = plan.components.reduce((a, c) => a + Math.max(...c.subs.map((s) => DELAYS[`${c.name}/${s}`] ?? 0)), 0);
const results = { tiered: [], sequential: [] };
for (let i = 0; i < runs; i++) {
  for (const mode of ['tiered', 'sequential']) {
    const m = await measure(mode);
    results[mode].push(m);
    console.error(`${mode} run ${i + 1}: ${m.seconds.toFixed(1)}s, ${m.writes} writes for ${m.objects} objects`);
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const t = median(results.tiered.map((m) => m.seconds));
const s = median(results.sequential.map((m) => m.seconds));
const w = results.tiered[0];
console.log('| measure | value |');
console.log('|---|---|');
console.log(`| critical-path bound (tiered graph, from the delays) | ${bound.toFixed(1)} s |`);
console.log(`| tiered-parallel install (median of ${runs}) | ${t.toFixed(1)} s (${((t / bound - 1) * 100).toFixed(1)}% above the bound) |`);
console.log(`| sequential bound (sum of each component's slowest pod) | ${seqBound.toFixed(1)} s |`);
console.log(`| one component at a time, upstream order, with a wait (median of ${runs}) | ${s.toFixed(1)} s |`);
console.log(`| speed-up | ${(s / t).toFixed(2)}× |`);
console.log(`| API writes per object (tiered) | ${(w.writes / w.objects).toFixed(2)} (${w.writes} writes, ${w.objects} objects) |`);
