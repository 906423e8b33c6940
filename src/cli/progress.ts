/**
 * Progress of an install: on a TTY a live view per component (state and elapsed time, redrawn in
 * place); otherwise plain timestamped lines. Both on stderr, so stdout stays for results.
 */
import type { NodeState, ProgressEvent } from '../ops/execute.js';

interface Row {
  component: string;
  state: NodeState | 'pending';
  since: number;
  started?: number;
  ended?: number;
  detail?: string;
  applied: number;
}

const SYMBOL: Record<string, string> = {
  pending: '·',
  applying: '»',
  waiting: '…',
  ready: '✓',
  failed: '✗',
  blocked: '⊘',
  interrupted: '!',
};

export interface ProgressView {
  onEvent(e: ProgressEvent): void;
  stop(): void;
}

/** Aggregate node states into one state per component. */
function componentState(states: NodeState[]): NodeState {
  for (const s of ['failed', 'interrupted', 'blocked', 'applying', 'waiting'] as const) if (states.includes(s)) return s;
  if (states.length && states.every((s) => s === 'ready')) return 'ready';
  // some sub-components ready, the others about to start
  return states.some((s) => s === 'ready') ? 'waiting' : 'pending';
}

/** `components`: each component with the ids of its plan nodes. */
/** `labels`: words for states (uninstall: "deleting", "gone"). */
export function createProgress(
  components: readonly { name: string; nodes: readonly string[] }[],
  opts: { tty: boolean; write: (s: string) => void; now: () => number; labels?: Partial<Record<NodeState, string>> },
): ProgressView {
  const label = (s: NodeState) => opts.labels?.[s] ?? s;
  const start = opts.now();
  const nodes = new Map<string, { component: string; state: NodeState }>();
  for (const c of components) for (const n of c.nodes) nodes.set(n, { component: c.name, state: 'pending' });
  const rows = new Map<string, Row>(components.map((c) => [c.name, { component: c.name, state: 'pending', since: start, applied: 0 }]));
  let drawn = 0;
  const elapsed = (r: Row) => {
    if (r.started === undefined) return '';
    return `${(((r.ended ?? opts.now()) - r.started) / 1000).toFixed(1)}s`;
  };
  const draw = () => {
    const lines = [...rows.values()].map((r) => {
      const detail = r.detail ? `  ${r.detail}` : '';
      return `${SYMBOL[r.state] ?? ' '} ${r.component.padEnd(10)} ${label(r.state).padEnd(11)} ${elapsed(r).padStart(7)}  ${r.applied ? `${r.applied} applied` : ''}${detail}`.slice(0, (process.stderr.columns || 120) - 1);
    });
    let s = drawn ? `\x1b[${drawn}A` : '';
    s += lines.map((l) => `\x1b[2K${l}\n`).join('');
    drawn = lines.length;
    opts.write(s);
  };
  const timer = opts.tty ? setInterval(draw, 100) : undefined;
  timer?.unref();
  const stamp = (at: number) => new Date(at).toISOString().slice(11, 23);
  return {
    onEvent(e) {
      if (e.type === 'deleted') return;
      if (e.type === 'pruned') {
        if (!opts.tty) opts.write(`${stamp(e.at)} pruned ${e.object}\n`);
        return;
      }
      const row = [...rows.values()].find((r) => e.node === r.component || e.node.startsWith(`${r.component}/`));
      if (!row) return;
      if (e.type === 'applied') {
        row.applied++;
        return;
      }
      nodes.set(e.node, { component: row.component, state: e.state });
      const states = [...nodes.values()].filter((n) => n.component === row.component).map((n) => n.state);
      const before = row.state;
      row.state = componentState(states);
      if (row.started === undefined && e.state === 'applying') row.started = e.at;
      if (row.state === 'ready' || row.state === 'failed' || row.state === 'blocked' || row.state === 'interrupted') row.ended ??= e.at;
      if (e.detail) row.detail = e.detail;
      if (row.state === 'ready') delete row.detail;
      if (!opts.tty && (before !== row.state || e.state === 'failed' || e.state === 'blocked')) {
        opts.write(`${stamp(e.at)} ${row.component.padEnd(10)} ${label(row.state)}${row.state === 'ready' && row.started !== undefined ? ` in ${elapsed(row)}` : ''}${e.detail && row.state !== 'ready' ? `: ${e.detail}` : ''}\n`);
      }
    },
    stop() {
      if (timer) {
        clearInterval(timer);
        draw();
      }
    },
  };
}

/** A fixed-width table. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const w = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: readonly string[]) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(w[i]!))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}
