/**
 * The YAML emitter: what it writes reads back as exactly what was given, under YAML 1.1 (as
 * kubectl reads it) and YAML 1.2, for every rendered object and for strings chosen to be misread.
 */
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { toYaml, toYamlStream } from '../../src/core/emit.js';
import { renderFromOptions, renderSecretsFromOptions } from '../../src/render/inputs.js';

const VERSIONS = ['1.1', '1.2'] as const;

/** Every document of `text` as read by a YAML `version` reader; fails on any parse error. */
function readBack(text: string, version: (typeof VERSIONS)[number]): unknown[] {
  return parseAllDocuments(text, { version }).map((d) => {
    expect(d.errors, `${version}: ${text}`).toEqual([]);
    return d.toJS();
  });
}

function expectRoundTrip(objects: readonly unknown[]): void {
  const text = toYamlStream(objects);
  const want = JSON.parse(JSON.stringify(objects));
  for (const version of VERSIONS) expect(readBack(text, version), `YAML ${version}:\n${text}`).toEqual(want);
}

const TRICKY = [
  // booleans and null, YAML 1.1 and 1.2, in several cases
  ...['off', 'Off', 'OFF', 'on', 'yes', 'Yes', 'YES', 'no', 'NO', 'y', 'Y', 'n', 'N', 'true', 'True', 'FALSE', 'null', 'Null', 'NULL', '~'],
  // numbers: decimal, octal, hex, binary, sexagesimal, exponents, special floats, underscores
  ...['0', '-1', '+1', '0755', '0o17', '0x1F', '0b101', '1_000', '12:30', '190:20:30', '1:20.5', '1e3', '1E3', '1.0e+3', '.5', '5.', '-.5', '.inf', '-.Inf', '.NaN', '1.2.3'],
  // dates and timestamps
  ...['2001-12-14', '2001-12-14t21:59:43.10-05:00', '2001-12-14 21:59:43.10 -5', '2002-12-14'],
  // indicators and structure
  ...['- x', '-x', '-', '--- x', '---', '...', '? x', '?', ': x', ':', 'a:', 'a: b', 'a:b', 'a #b', 'a#b', '#x', ',x', '[x]', '{x}', ']', '}', '&x', '*x', '!x', '!!str', '|x', '>x', "'x'", '"x"', '%x', '@x', '`x', '<<', '=', 'a, b', 'x]'],
  // whitespace and line breaks
  ...['', ' ', ' lead', 'trail ', '\tx', 'x\t', 'a\tb', 'multi\nline', 'multi\nline\n', 'multi\nline\n\n', '\nlead', ' lead\nx', 'x\n lead', 'a\n\n\nb', 'x\n  ', 'x\r\ny', 'a\u0085b', 'a\u2028b', 'a\u2029b', '\ufeffx', 'a\u0007b', 'a\u007fb'],
  // quotes in both kinds, escapes, unicode
  ...[`it's`, 'say "hi"', `'"`, '\\', 'a\\nb', 'ü', 'naïve café', '日本語', '😀 emoji', 'Ωmega', 'x\u00a0y', '\u00a0'],
  // keys and values as they appear in Kubernetes objects
  ...['app.kubernetes.io/name', 'nginx.ingress.kubernetes.io/ssl-redirect', 'a/b/c', 'https://example.org:8443/x?y=1#z', '${VAR}', '5Gi', '100m', '-Dx=y -Dz', 'echo $(date) > /tmp/x'],
];

describe('toYaml', () => {
  it('writes block style with two-space indents, like the yaml library', () => {
    const text = toYaml({
      kind: 'ConfigMap',
      metadata: { name: 'x', labels: { 'app.kubernetes.io/name': 'x' } },
      data: { 'run.sh': '#!/bin/sh\necho hi\n', flag: 'true', json: '{"a":1}', empty: '' },
      list: [1, 'a', { b: [true, null] }, [], {}],
      skipped: undefined,
    });
    expect(text).toBe(
      [
        'kind: ConfigMap',
        'metadata:',
        '  name: x',
        '  labels:',
        '    app.kubernetes.io/name: x',
        'data:',
        '  run.sh: |',
        '    #!/bin/sh',
        '    echo hi',
        '  flag: "true"',
        `  json: '{"a":1}'`,
        '  empty: ""',
        'list:',
        '  - 1',
        '  - a',
        '  - b:',
        '      - true',
        '      - null',
        '  - []',
        '  - {}',
        '',
      ].join('\n'),
    );
  });

  it('chooses the chomping of a literal block by the trailing line breaks', () => {
    expect(toYaml({ a: 'x\ny' })).toBe('a: |-\n  x\n  y\n');
    expect(toYaml({ a: 'x\ny\n' })).toBe('a: |\n  x\n  y\n');
    expect(toYaml({ a: 'x\ny\n\n' })).toBe('a: |+\n  x\n  y\n\n');
  });

  it('writes numbers so that both versions read them back, and refuses what JSON cannot hold', () => {
    expectRoundTrip([{ n: [0, -3, 2.5, 1e21, 1e-7, -1.5e-9, Number.MAX_SAFE_INTEGER] }]);
    expect(toYaml([Infinity, -Infinity, NaN])).toBe('- .inf\n- -.inf\n- .nan\n');
    expect(() => toYaml({ f: () => 1 })).toThrow(/cannot write a function/);
    expect(() => toYaml({ b: 1n })).toThrow(/cannot write a bigint/);
  });

  it.each(TRICKY.map((s) => [JSON.stringify(s), s]))('%s round-trips as a value, a key, a list item and a document', (_, s) => {
    expectRoundTrip([{ value: s }, { [s]: 'key' }, { nested: { list: [s, { [s]: [s] }] } }, [s], s]);
  });

  it('round-trips random strings made of troublesome characters', () => {
    const alphabet = [...'aZ09 -?:,[]{}#&*!|>\'"%@`~.+<=_\t\n\\/eExXoObB', '\r', '\u0085', '\u2028', 'é', '😀'];
    let seed = 42;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    const strings = Array.from({ length: 1500 }, () => Array.from({ length: 1 + rand(8) }, () => alphabet[rand(alphabet.length)]).join(''));
    expectRoundTrip([{ values: strings }, Object.fromEntries(strings.map((s, i) => [s, i]))]);
  });

  it('round-trips every rendered object of the three experiments and the secrets', () => {
    for (const experiment of [undefined, 'lsst', 'sphenix']) {
      const opts = { affix: 'test-', ...(experiment ? { experiment } : {}) };
      expectRoundTrip(renderFromOptions(opts).objects);
      expectRoundTrip(renderSecretsFromOptions({ ...opts, keystore: '{"keys":[]}' }).objects);
    }
  }, 60_000);
});
