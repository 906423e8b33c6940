#!/usr/bin/env node
/**
 * Render benchmark, against the built CLI (run `npm run build` first).
 *
 *   (a) whole-process wall time of `install -t` per experiment (and of HEAD's lsst-prod and
 *       atlas_testbed from the checkout in ../shared), `secrets install -t` and `template --secrets`:
 *       N runs each (default 30, round-robin), median, p90, min, CPU time and peak RSS; plus two
 *       baselines, a bare `node -e ''` and `panda-k8s --version` (start-up without rendering);
 *   (b) in-process: 1, 10 and 100 stacks rendered and serialized with different affixes in one
 *       process, total and per-stack time;
 *   (c) where the time of one `install -t` goes: its steps timed one by one in a fresh process
 *       (from the unbundled modules in dist/), and CPU profiles of the CLI as shipped.
 *
 * With --variants, also times `install -t` without each start-up measure of the CLI: without the
 * code cache, without the bundle (dist/ as tsc writes it), with zod's JIT.
 *
 * Usage: node bench/render.mjs [--runs N] [--variants | --variants-only] [--json]
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(ROOT, 'bin', 'panda-k8s.js');
const DIST = path.join(ROOT, 'dist');
const HEAD_TREE = path.resolve(ROOT, '..', 'shared', 'upstream', 'head', 'tree');

const args = process.argv.slice(2);
const flag = (name, def) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : def;
};
const RUNS = Number(flag('--runs', '30'));
const JSON_OUT = args.includes('--json');
/** Also time start-up variants (no code cache, no bundle, zod's JIT); `--variants-only` skips the rest. */
const VARIANTS_ONLY = args.includes('--variants-only');
const VARIANTS = VARIANTS_ONLY || args.includes('--variants');

if (!fs.existsSync(path.join(DIST, 'bundle', 'cli.cjs'))) {
  console.error('dist/bundle/ is missing: run `npm run build` first');
  process.exit(2);
}

// ---------------------------------------------------------------------------------------------
// (a) whole process
// ---------------------------------------------------------------------------------------------

const TIME = '/usr/bin/time';
const hasTime = spawnSync(TIME, ['-f', '%M', 'true'], { encoding: 'utf8' }).status === 0;
/**
 * Preloaded into every timed child: reports the child's own CPU time (µs) and peak RSS (KiB) at
 * exit. CPU time hardly moves with other load on the machine, wall time does.
 */
const USAGE_HOOK = `--import=data:text/javascript,${encodeURIComponent(
  "process.on('exit',()=>{const r=process.resourceUsage();process.stderr.write('\\nRUSAGE '+(r.userCPUTime+r.systemCPUTime)+' '+r.maxRSS+'\\n')})",
)}`;

const ms = (t0) => Number(process.hrtime.bigint() - t0) / 1e6;
const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  const i = (s.length - 1) * q;
  const lo = Math.floor(i);
  return s[lo] + (s[Math.ceil(i)] - s[lo]) * (i - lo);
};

/** One run: wall ms (measured here), CPU ms and peak RSS KiB (from the child), stdout. */
function run(argv, check) {
  const node = [process.execPath, USAGE_HOOK, ...argv];
  const [cmd, cmdArgs] = hasTime ? [TIME, ['-f', 'TIME %M %U %S', ...node]] : [node[0], node.slice(1)];
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, cmdArgs, { cwd: ROOT, encoding: 'utf8', maxBuffer: 256 << 20, stdio: ['ignore', 'pipe', 'pipe'] });
  const wall = ms(t0);
  if (r.status !== 0 || (check && !check(r.stdout))) throw new Error(`node ${argv.join(' ')} failed (exit ${r.status}):\n${r.stderr}`);
  // CPU from the preload; from GNU time (10 ms steps) if it did not report
  const usage = /RUSAGE (\d+) (\d+)/.exec(r.stderr);
  const time = /TIME (\d+) ([\d.]+) ([\d.]+)\s*$/.exec(r.stderr);
  const cpu = usage ? Number(usage[1]) / 1000 : time ? (Number(time[2]) + Number(time[3])) * 1000 : NaN;
  return { wall, cpu, rssKiB: Number(time?.[1] ?? usage?.[2]), out: r.stdout };
}

const shown = (argv) => `node ${argv.map((a, i) => (argv[i - 1] === '-e' ? '<loader>' : path.isAbsolute(a) ? path.relative(ROOT, a) : a)).join(' ')}`;

/**
 * Times a group of commands round-robin (run i of every command, then run i + 1, ...), so that a
 * change of load on the machine during the measurement affects all of them alike.
 */
function measureAll(specs) {
  for (const { argv, check } of specs) run(argv, check); // warm the file-system cache
  const rs = specs.map(() => []);
  for (let i = 0; i < RUNS; i++) specs.forEach(({ argv, check }, j) => rs[j].push(run(argv, check)));
  return specs.map(({ label, argv }, j) => {
    const wall = rs[j].map((r) => r.wall);
    return {
      label,
      command: shown(argv),
      runs: RUNS,
      median: quantile(wall, 0.5),
      p90: quantile(wall, 0.9),
      min: Math.min(...wall),
      cpuMedian: quantile(rs[j].map((r) => r.cpu), 0.5),
      rssMiB: Math.max(...rs[j].map((r) => r.rssKiB)) / 1024,
      outKiB: rs[j][0].out.length / 1024,
    };
  });
}

const yamlDocs = (s) => s.includes('kind:');
const experiments = [[], ['-e', 'lsst'], ['-e', 'sphenix']];
const processRows = [];
if (!VARIANTS_ONLY) {
  const specs = [
    { label: 'node -e "" (bare Node start-up)', argv: ['-e', ''] },
    { label: '--version (CLI import, no render)', argv: [BIN, '--version'] },
  ];
  for (const e of experiments) specs.push({ label: `install -t (${e[1] ?? 'none'})`, argv: [BIN, 'install', '-t', '-a', 'test-', ...e], check: yamlDocs });
  // the HEAD stacks operators run, from an upstream checkout, where one is at hand
  if (fs.existsSync(HEAD_TREE)) {
    for (const e of ['lsst-prod', 'atlas_testbed']) specs.push({ label: `install -t --from <HEAD checkout> -e ${e}`, argv: [BIN, 'install', '-t', '-a', 'test-', '--from', HEAD_TREE, '-e', e], check: yamlDocs });
  }
  specs.push({ label: 'secrets install -t', argv: [BIN, 'secrets', 'install', '-t', '-a', 'test-'], check: yamlDocs });
  specs.push({ label: 'template --secrets (stack and Secrets, one process)', argv: [BIN, 'template', '--secrets', '-a', 'test-'], check: yamlDocs });
  processRows.push(...measureAll(specs));
}

/**
 * `install -t` (experiment none) as shipped and without each of its start-up measures: the code
 * cache, the bundle, zod without its JIT (bin/panda-k8s.js sets `jitless`).
 */
const variantRows = [];
if (VARIANTS) {
  const INSTALL = ['install', '-t', '-a', 'test-'];
  const jitless = 'globalThis.__zod_globalConfig = { jitless: true };';
  const bundle = `require(${JSON.stringify(path.join(DIST, 'bundle', 'cli.cjs'))}).main(process.argv.slice(1)).then((c) => { process.exitCode = c; });`;
  const modules = `import(${JSON.stringify(pathToFileURL(path.join(DIST, 'cli', 'main.js')).href)}).then((m) => m.main(process.argv.slice(1))).then((c) => { process.exitCode = c; });`;
  const specs = [
    { label: 'as shipped: bundle + code cache + zod jitless (bin/panda-k8s.js)', argv: [BIN, ...INSTALL] },
    { label: 'bundle + zod jitless, no code cache', argv: ['-e', jitless + bundle, ...INSTALL] },
    { label: 'bundle, no code cache, zod with its JIT', argv: ['-e', bundle, ...INSTALL] },
    { label: 'dist/ unbundled (tsc output) + zod jitless', argv: ['-e', jitless + modules, ...INSTALL] },
    { label: 'dist/ unbundled, zod with its JIT', argv: ['-e', modules, ...INSTALL] },
  ];
  variantRows.push(...measureAll(specs.map((v) => ({ ...v, check: yamlDocs }))));
}

// ---------------------------------------------------------------------------------------------
// (b) in process
// ---------------------------------------------------------------------------------------------

const t0 = process.hrtime.bigint();
const { renderFromOptions } = await import(pathToFileURL(path.join(DIST, 'render', 'inputs.js')).href);
const { toYamlStream } = await import(pathToFileURL(path.join(DIST, 'core', 'yaml.js')).href);
const importMs = ms(t0);

let serial = 0;
const inProcessRows = [];
for (const n of VARIANTS_ONLY ? [] : [1, 10, 100]) {
  let renderMs = 0;
  let yamlMs = 0;
  let objects = 0;
  for (let i = 0; i < n; i++) {
    const affix = `s${serial++}-`;
    const a = process.hrtime.bigint();
    const r = renderFromOptions({ affix });
    renderMs += ms(a);
    const b = process.hrtime.bigint();
    const text = toYamlStream(r.objects);
    yamlMs += ms(b);
    if (!text.includes(`name: ${affix}panda-server`)) throw new Error(`stack ${affix} lacks ${affix}panda-server`);
    objects += r.objects.length;
  }
  inProcessRows.push({ stacks: n, objects, renderMs, yamlMs, totalMs: renderMs + yamlMs, perStackMs: (renderMs + yamlMs) / n });
}

// ---------------------------------------------------------------------------------------------
// (c) where the time of one `install -t` goes
// ---------------------------------------------------------------------------------------------

/**
 * The steps of `install -t` in a fresh process, from the unbundled modules of dist/ and with zod
 * jitless as in the CLI, timed one by one (the imports in dependency order, so each line is what
 * that step adds). Run PHASE_RUNS times; medians.
 */
const PHASE_SCRIPT = `
globalThis.__zod_globalConfig = { jitless: true };
const dist = (p) => new URL(p, ${JSON.stringify(pathToFileURL(DIST + '/').href)}).href;
const out = [];
let last = performance.now();
out.push(['Node bootstrap (until the first line of user code)', last]);
const step = (name) => { const t = performance.now(); out.push([name, t - last]); last = t; };
await import('zod'); step('import zod');
await import('yaml'); step('import yaml (read values files)');
await import('commander'); step('import commander');
await import(dist('components/registry.js')); step('build the values schemas (dist/components/registry.js, all components)');
const inputs = await import(dist('render/inputs.js')); step('import the rest of the render path (components, secrets, sandbox)');
await import(dist('cli/main.js')); step('import the CLI module');
const { toYamlStream } = await import(dist('core/yaml.js'));
const opts = { affix: 'test-' };
inputs.resolve(opts); step('values: defaults + zod parse (first, cold)');
let t = performance.now(); inputs.resolve(opts); const warm = performance.now() - t;
t = performance.now(); const r = inputs.renderFromOptions(opts); const render = performance.now() - t - warm;
out.push(['render the objects (renderStack, sandbox files)', render]);
last = performance.now();
const text = toYamlStream(r.objects); step('YAML: write ' + r.objects.length + ' objects (first, cold)');
if (!text.includes('kind: Deployment')) throw new Error('no Deployment rendered');
process.stdout.write(JSON.stringify(out));
`;
const PHASE_RUNS = Math.max(5, Math.min(RUNS, 15));
function phases() {
  const runs = [];
  for (let i = 0; i < PHASE_RUNS + 1; i++) {
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', PHASE_SCRIPT], { cwd: ROOT, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`phase script failed:\n${r.stderr}`);
    if (i > 0) runs.push(JSON.parse(r.stdout)); // the first run warms the file-system cache
  }
  return runs[0].map(([name], i) => ({ step: name, ms: quantile(runs.map((x) => x[i][1]), 0.5) }));
}

/** What a CPU profile sample of the shipped CLI was doing. */
function category({ functionName, url }) {
  if (functionName === '(garbage collector)') return 'garbage collection';
  if (functionName === '(idle)') return 'idle (waiting for I/O)';
  if (url === 'node:vm') return 'load the bundle from its code cache (vm.Script)';
  if (url.endsWith('/cli.cjs')) return "the CLI's JavaScript: zod, commander, yaml, values, render, YAML out";
  if (url.startsWith('node:')) return "Node's own JavaScript: bootstrap, built-in modules, file and stdout I/O";
  return 'native code and V8 outside JavaScript (reading files, compiling, (program))';
}

/**
 * CPU profiles (`--cpu-prof`, 0.1 ms sampling) of `bin/panda-k8s.js install -t`, PHASE_RUNS runs:
 * the samples' time summed by category, medians.
 */
function profiles() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'panda-k8s-prof-'));
  const runs = [];
  try {
    for (let i = 0; i < PHASE_RUNS; i++) {
      const file = `run${i}.cpuprofile`;
      const r = spawnSync(process.execPath, ['--cpu-prof', '--cpu-prof-interval', '100', '--cpu-prof-dir', dir, '--cpu-prof-name', file, BIN, 'install', '-t', '-a', 'test-'], { cwd: ROOT, stdio: 'ignore' });
      if (r.status !== 0) throw new Error('profiled install -t failed');
      const p = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
      const frames = new Map(p.nodes.map((n) => [n.id, n.callFrame]));
      const sums = {};
      p.samples.forEach((id, k) => {
        const c = category(frames.get(id));
        sums[c] = (sums[c] ?? 0) + (p.timeDeltas[k] ?? 0) / 1000;
      });
      runs.push(sums);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const names = [...new Set(runs.flatMap((r) => Object.keys(r)))];
  return names.map((name) => ({ category: name, ms: quantile(runs.map((r) => r[name] ?? 0), 0.5) })).sort((a, b) => b.ms - a.ms);
}
const phaseRows = VARIANTS_ONLY ? [] : phases();
const profileRows = VARIANTS_ONLY ? [] : profiles();

// ---------------------------------------------------------------------------------------------
// report
// ---------------------------------------------------------------------------------------------

const env = {
  node: process.version,
  cpus: os.cpus().length,
  cpuModel: os.cpus()[0]?.model ?? 'unknown',
  memGiB: Math.round(os.totalmem() / 2 ** 30),
  platform: `${os.type()} ${os.release()}`,
  rssSource: hasTime ? '/usr/bin/time -f %M' : 'process.resourceUsage().maxRSS in the child',
  loadAverage: os.loadavg(),
};

if (JSON_OUT) {
  console.log(JSON.stringify({ env, processRows, variantRows, importMs, inProcessRows, phaseRows, profileRows }, null, 2));
} else {
  const f = (x, d = 1) => x.toFixed(d);
  const table = (rows) => {
    console.log('| command | median ms | p90 ms | min ms | CPU ms (median) | peak RSS MiB | output KiB |');
    console.log('|---|---:|---:|---:|---:|---:|---:|');
    for (const r of rows) console.log(`| ${r.label} | ${f(r.median)} | ${f(r.p90)} | ${f(r.min)} | ${f(r.cpuMedian)} | ${f(r.rssMiB)} | ${f(r.outKiB)} |`);
  };
  const load = os.loadavg().map((x) => x.toFixed(2)).join(' ');
  console.log(`Node ${env.node}, ${env.cpus} × ${env.cpuModel}, ${env.memGiB} GiB, ${env.platform}; load average at the end ${load}\n`);
  if (processRows.length) {
    console.log(`### Whole process (${RUNS} runs each; wall from spawn to exit; CPU = user + system of the child; peak RSS via ${env.rssSource})\n`);
    table(processRows);
  }
  if (variantRows.length) {
    console.log(`\n### Start-up variants of \`install -t\` (experiment none, ${RUNS} runs each)\n`);
    table(variantRows);
  }
  if (inProcessRows.length) {
    console.log(`\n### In process (dist/render/inputs.js; import ${f(importMs)} ms; batches rendered in this order, every stack with its own affix)\n`);
    console.log('| stacks | objects | render ms | YAML ms | total ms | ms/stack |');
    console.log('|---:|---:|---:|---:|---:|---:|');
    for (const r of inProcessRows) console.log(`| ${r.stacks} | ${r.objects} | ${f(r.renderMs)} | ${f(r.yamlMs)} | ${f(r.totalMs)} | ${f(r.perStackMs, 2)} |`);
  }
  if (phaseRows.length) {
    console.log(`\n### Where one \`install -t\` goes: its steps (experiment none; unbundled dist/, zod jitless; fresh process, median of ${PHASE_RUNS} runs)\n`);
    console.log('| step | ms |');
    console.log('|---|---:|');
    for (const r of phaseRows) console.log(`| ${r.step} | ${f(r.ms)} |`);
    console.log(`| **sum** | ${f(phaseRows.reduce((a, r) => a + r.ms, 0))} |`);
  }
  if (profileRows.length) {
    console.log(`\n### Where one \`install -t\` goes: CPU profile of the CLI as shipped (experiment none; median of ${PHASE_RUNS} runs)\n`);
    console.log('| what the process was doing | ms |');
    console.log('|---|---:|');
    for (const r of profileRows) console.log(`| ${r.category} | ${f(r.ms)} |`);
  }
}
