// Time to failure for injected faults on the local control plane (npm run cluster:up), next to
// the --timeout a tool that only waits would run into, and the default stack's install without
// extra flags. Each fault gets its own namespace; the time is from the start of the install to
// the report (preflight faults) or the component's failure as reported (faults while waiting).
//
//   node bench/failfast.mjs
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { connect } from '../dist/cluster/kube.js';
import { realClock } from '../dist/cluster/clock.js';
import { readSecrets, renderStackFor } from '../dist/ops/inputs.js';
import { install } from '../dist/ops/install.js';
import { secretsInstall } from '../dist/ops/secrets.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SECRETS = path.join(ROOT, 'test', 'cluster', 'fixtures', 'secrets-values.yaml');
const SIX = ['msgsvc', 'iam', 'panda', 'harvester', 'idds', 'bigmon'];
const TIMEOUT_MS = 600_000; // the default --timeout
if (!process.env.KUBECONFIG) {
  console.error('KUBECONFIG is not set: eval "$(npm run -s cluster:up | tail -n 1)" first');
  process.exit(2);
}
const kwok = 'panda.server.podAnnotations.pod-start\\.stage\\.kwok\\.x-k8s\\.io/';
const FAULTS = [
  { name: 'unpullable image (ImagePullBackOff)', sets: ['panda.server.image.repository=registry.invalid/unpullable-server'] },
  { name: 'crash loop (CrashLoopBackOff)', sets: ['panda.server.image.repository=registry.invalid/crashloop-server'] },
  { name: 'missing Secret key (CreateContainerConfigError)', sets: [`${kwok}waiting-reason=CreateContainerConfigError`, `${kwok}waiting-message=couldn't find key PANDA_DB_PASSWORD in Secret x/panda-secrets-panda-envs`] },
  { name: 'unsatisfiable node selector (Unschedulable)', sets: ['panda.server.nodeSelector.disk=ssd'] },
  { name: 'missing StorageClass, -e lsst (preflight)', experiment: 'lsst' },
  { name: 'missing StorageClass, -e lsst, --skip-preflight (ProvisioningFailed)', experiment: 'lsst', skipPreflight: true },
];

let seq = 0;
async function prepare() {
  const ns = `bench-ff-${process.pid % 1000}-${++seq}`;
  const affix = `f${(Date.now() % 1e5).toString(36)}${seq}-`;
  const admin = connect({});
  await admin.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  for (let i = 0; i < 100 && !(await admin.get({ apiVersion: 'v1', kind: 'ServiceAccount', name: 'default', namespace: ns })); i++) await new Promise((r) => setTimeout(r, 100));
  const kube = connect({ namespace: ns });
  await secretsInstall(kube, readSecrets({ secretsValues: SECRETS, affix }));
  return { ns, affix, kube };
}
async function cleanup(ns, affix) {
  const admin = connect({});
  for (const pv of await admin.list('v1', 'PersistentVolume', { labelSelector: `app.kubernetes.io/instance in (${SIX.map((c) => affix + c).join(',')})` })) await admin.delete({ apiVersion: 'v1', kind: 'PersistentVolume', name: pv.metadata.name });
  await admin.delete({ apiVersion: 'v1', kind: 'Namespace', name: ns });
}

const rows = [];
for (const f of FAULTS) {
  const { ns, affix, kube } = await prepare();
  const t0 = Date.now();
  let reason;
  try {
    const r = await install(kube, renderStackFor({ secretsValues: SECRETS, namespace: ns, affix, enable: SIX, ...(f.experiment ? { experiment: f.experiment } : {}), sets: f.sets ?? [] }), { timeoutMs: TIMEOUT_MS, clock: realClock, ...(f.skipPreflight ? { skipPreflight: true } : {}) });
    const failed = r.components.find((c) => c.failure);
    reason = failed ? `${failed.failure.reason} (${failed.name})` : r.errors.length ? 'timeout' : 'no failure';
  } catch (e) {
    reason = `preflight, exit ${e.exitCode}: ${e.issues?.[0]?.where ?? e.message}`;
  }
  const seconds = (Date.now() - t0) / 1000;
  rows.push({ fault: f.name, reason, seconds });
  console.error(`${f.name}: ${reason} after ${seconds.toFixed(1)} s`);
  await cleanup(ns, affix);
}

// the default stack, as a new user runs it: secrets install, then install, no extra flags
const ns = `bench-ff-default-${process.pid % 1000}`;
const affix = `d${(Date.now() % 1e5).toString(36)}-`;
const cli = (args) => {
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'panda-k8s.js'), ...args], { encoding: 'utf8' });
  return { code: r.status, seconds: (Date.now() - t0) / 1000, err: r.stderr };
};
const s = cli(['secrets', 'install', '-n', ns, '--create-namespace', '-a', affix, '-c', SIX.join(','), '--secrets-values', SECRETS]);
const i = cli(['install', '-n', ns, '-a', affix, '-c', SIX.join(','), '--secrets-values', SECRETS]);
await cleanup(ns, affix);

console.log(`| fault | reported as | time to failure | a tool that only waits (--timeout) |`);
console.log('|---|---|---|---|');
for (const r of rows) console.log(`| ${r.fault} | ${r.reason} | ${r.seconds.toFixed(1)} s | ${TIMEOUT_MS / 1000} s |`);
console.log('');
console.log(`| default stack (six components), no extra flags | exit | seconds |`);
console.log('|---|---|---|');
console.log(`| secrets install | ${s.code} | ${s.seconds.toFixed(1)} |`);
console.log(`| install (to ready) | ${i.code} | ${i.seconds.toFixed(1)} |`);
if (s.code || i.code) console.error(s.err, i.err);
