import { describe, expect, it } from 'vitest';
import { createProgress, table } from '../../src/cli/progress.js';

describe('progress lines (no TTY)', () => {
  it('one timestamped line per component state change; ready only when every node is ready', () => {
    const lines: string[] = [];
    let now = Date.UTC(2026, 0, 1, 12, 0, 0);
    const p = createProgress([{ name: 'panda', nodes: ['panda', 'panda/postgres', 'panda/server'] }], { tty: false, write: (s) => lines.push(s), now: () => now });
    const ev = (node: string, state: 'applying' | 'waiting' | 'ready' | 'failed', detail?: string) => p.onEvent({ type: 'node', node, component: 'panda', state, at: now, ...(detail ? { detail } : {}) });
    ev('panda', 'applying');
    ev('panda', 'ready');
    ev('panda/postgres', 'applying');
    ev('panda/postgres', 'waiting', 'Deployment/x: waiting for all replicas available');
    now += 4000;
    ev('panda/postgres', 'ready');
    ev('panda/server', 'applying');
    now += 2500;
    ev('panda/server', 'ready');
    p.stop();
    expect(lines.join('')).toBe(
      [
        '12:00:00.000 panda      applying',
        '12:00:00.000 panda      waiting',
        '12:00:00.000 panda      applying',
        '12:00:00.000 panda      waiting: Deployment/x: waiting for all replicas available',
        '12:00:04.000 panda      applying',
        '12:00:06.500 panda      ready in 6.5s',
        '',
      ].join('\n'),
    );
  });
  it('tables align columns', () => {
    expect(table(['A', 'BB'], [['xxx', 'y']])).toBe('A    BB\nxxx  y\n');
  });
});
