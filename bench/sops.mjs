#!/usr/bin/env node
/**
 * What reading a sops-encrypted secrets values file costs, against the built CLI (run
 * `npm run build` first) and the real tools (scripts/tools/build.sh, cached):
 *
 *   (a) whole process: `secrets install -t` with upstream's secrets values in plaintext and
 *       encrypted by sops for one age recipient (and for a PGP key, through gpg), N runs each,
 *       interleaved; wall time (median, p90) and the process's own CPU time (bench/usage.cjs,
 *       robust on a shared machine), and the median differences;
 *   (b) in process: the decryption step alone (`decryptInputs`: reading the file, the age data
 *       key through node:crypto, AES-GCM values and the MAC), first call and warm.
 *
 * Usage: node bench/sops.mjs [--runs N] [--no-pgp] [--json]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(ROOT, 'bin', 'panda-k8s.js');
const args = process.argv.slice(2);
const RUNS = Number(args.includes('--runs') ? args[args.indexOf('--runs') + 1] : '30');
const PGP = !args.includes('--no-pgp');
const JSON_OUT = args.includes('--json');
const SECRETS = path.resolve(ROOT, '..', 'shared', 'upstream', 'seed', 'values', 'secrets', 'values.yaml');

const tools = execFileSync('bash', [path.join(ROOT, 'scripts', 'tools', 'build.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim().split('\n').pop();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'panda-k8s-bench-sops-'));
const gnupg = fs.mkdtempSync(path.join(os.tmpdir(), 'panda-k8s-bench-gpg-'));
try {
  const keyFile = path.join(tmp, 'age.txt');
  execFileSync(path.join(tools, 'age-keygen'), ['-o', keyFile], { stdio: 'ignore' });
  const recipient = /public key: (age1\S+)/.exec(fs.readFileSync(keyFile, 'utf8'))[1];
  const plain = path.join(tmp, 'plain.yaml');
  fs.copyFileSync(SECRETS, plain);
  const env = { ...process.env, GNUPGHOME: gnupg, SOPS_AGE_KEY_FILE: keyFile };
  const encrypt = (out, extra) => fs.writeFileSync(out, execFileSync(path.join(tools, 'sops'), ['--encrypt', ...extra, plain], { env, encoding: 'utf8' }));
  const ageFile = path.join(tmp, 'age.enc.yaml');
  encrypt(ageFile, ['--age', recipient]);
  const files = { plaintext: plain, 'sops, age': ageFile };
  if (PGP) {
    execFileSync('gpg', ['--batch', '--pinentry-mode', 'loopback', '--passphrase', '', '--quick-gen-key', 'bench <bench@example.invalid>', 'future-default', 'default', 'never'], { env, stdio: 'ignore' });
    const fp = /^fpr:+([0-9A-F]{40}):/m.exec(execFileSync('gpg', ['--batch', '--with-colons', '--list-secret-keys'], { env, encoding: 'utf8' }))[1];
    const pgpFile = path.join(tmp, 'pgp.enc.yaml');
    encrypt(pgpFile, ['--pgp', fp]);
    files['sops, PGP (gpg)'] = pgpFile;
  }

  // (a) whole process, interleaved so that load changes hit every variant alike
  const times = Object.fromEntries(Object.keys(files).map((k) => [k, []]));
  const cpu = Object.fromEntries(Object.keys(files).map((k) => [k, []]));
  const usageFile = path.join(tmp, 'usage.json');
  const USAGE = path.join(ROOT, 'bench', 'usage.cjs');
  const run = (file) => {
    const t = process.hrtime.bigint();
    const r = spawnSync(process.execPath, ['--require', USAGE, BIN, 'secrets', 'install', '-t', '-a', 'bench-', '--secrets-values', file], { cwd: tmp, env: { ...env, PANDA_K8S_USAGE_FILE: usageFile }, encoding: 'utf8' });
    const ms = Number(process.hrtime.bigint() - t) / 1e6;
    if (r.status !== 0) throw new Error(`secrets install -t failed for ${file}:\n${r.stderr}`);
    return { ms, cpuMs: JSON.parse(fs.readFileSync(usageFile, 'utf8')).cpuMs, out: r.stdout };
  };
  const want = run(plain).out;
  for (const f of Object.values(files)) if (run(f).out !== want) throw new Error(`${f} prints other output than the plaintext`);
  for (let i = 0; i < RUNS; i++)
    for (const [k, f] of Object.entries(files)) {
      const r = run(f);
      times[k].push(r.ms);
      cpu[k].push(r.cpuMs);
    }
  const q = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))];
  const whole = Object.fromEntries(Object.entries(times).map(([k, xs]) => [k, { median: q(xs, 0.5), p90: q(xs, 0.9), min: Math.min(...xs), cpuMedian: q(cpu[k], 0.5) }]));

  // (b) in process
  const { decryptInputs } = await import(pathToFileURL(path.join(ROOT, 'dist', 'render', 'inputs.js')).href);
  const { systemKeys } = await import(pathToFileURL(path.join(ROOT, 'dist', 'values', 'sops', 'index.js')).href);
  // decrypted values are kept per file and content: each call reads its own copy
  let n = 0;
  const step = async () => {
    const copy = path.join(tmp, `copy-${n++}.yaml`);
    fs.copyFileSync(ageFile, copy);
    const t = process.hrtime.bigint();
    const c = process.cpuUsage();
    await decryptInputs({ secretsValues: copy, affix: 'bench-' }, systemKeys({ env }));
    const used = process.cpuUsage(c);
    return { ms: Number(process.hrtime.bigint() - t) / 1e6, cpuMs: (used.user + used.system) / 1000 };
  };
  const firstStep = await step();
  const first = firstStep.ms;
  const steps = [];
  for (let i = 0; i < 20; i++) steps.push(await step());
  const warm = steps.map((x) => x.ms);
  const result = {
    runs: RUNS,
    node: process.version,
    cpus: os.cpus().length,
    load: os.loadavg()[0],
    wholeProcess: whole,
    addedByAge: whole['sops, age'].median - whole.plaintext.median,
    addedCpuByAge: whole['sops, age'].cpuMedian - whole.plaintext.cpuMedian,
    ...(PGP ? { addedByPgp: whole['sops, PGP (gpg)'].median - whole.plaintext.median, addedCpuByPgp: whole['sops, PGP (gpg)'].cpuMedian - whole.plaintext.cpuMedian } : {}),
    decryptStep: { first, firstCpu: firstStep.cpuMs, warmMedian: q(warm, 0.5), warmCpuMedian: q(steps.map((x) => x.cpuMs), 0.5) },
  };
  if (JSON_OUT) console.log(JSON.stringify(result, null, 2));
  else {
    console.log(`secrets install -t, ${RUNS} runs each, Node ${process.version}, ${os.cpus().length} CPUs, load ${result.load.toFixed(1)}`);
    for (const [k, v] of Object.entries(whole)) console.log(`  ${k.padEnd(18)} wall median ${v.median.toFixed(1)} ms  p90 ${v.p90.toFixed(1)} ms  min ${v.min.toFixed(1)} ms; CPU median ${v.cpuMedian.toFixed(1)} ms`);
    console.log(`  added by decryption (median difference), wall: age ${result.addedByAge.toFixed(1)} ms${PGP ? `, PGP ${result.addedByPgp.toFixed(1)} ms` : ''}`);
    console.log(`  added by decryption (median difference), CPU of the process: age ${result.addedCpuByAge.toFixed(1)} ms${PGP ? `, PGP ${result.addedCpuByPgp.toFixed(1)} ms (gpg's own CPU not counted)` : ''}`);
    console.log(`decryption step in process (age): first ${first.toFixed(1)} ms (CPU ${firstStep.cpuMs.toFixed(1)} ms), warm median ${result.decryptStep.warmMedian.toFixed(1)} ms (CPU ${result.decryptStep.warmCpuMedian.toFixed(1)} ms)`);
  }
} finally {
  spawnSync('gpgconf', ['--kill', 'gpg-agent'], { env: { ...process.env, GNUPGHOME: gnupg } });
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.rmSync(gnupg, { recursive: true, force: true });
}
