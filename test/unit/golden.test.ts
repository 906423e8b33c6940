/**
 * Golden renders: each component's objects per experiment, kept in the component's folder
 * (`src/components/<c>/golden/<experiment>.yaml`). Sandbox file bodies appear as digests, so
 * a change to a script shows as one line. Update with `npx vitest run -u test/unit/golden.test.ts`.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { COMPONENTS } from '../../src/components/registry.js';
import type { K8sObject } from '../../src/core/k8s.js';
import { toYamlStream } from '../../src/core/yaml.js';
import { renderFromOptions, renderSecretsFromOptions } from '../../src/render/inputs.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

function digestBinary(objects: readonly K8sObject[]): K8sObject[] {
  return objects.map((o) => {
    const b = (o as { binaryData?: Record<string, string> }).binaryData;
    if (!b) return o;
    const digests = Object.fromEntries(Object.entries(b).map(([k, v]) => [k, `sha256:${createHash('sha256').update(Buffer.from(v, 'base64')).digest('hex').slice(0, 16)}`]));
    return { ...o, binaryData: digests };
  });
}

describe('golden renders', () => {
  for (const exp of ['none', 'lsst', 'sphenix']) {
    for (const c of COMPONENTS) {
      it(`${c} (${exp})`, async () => {
        const objs = renderFromOptions({ affix: 'test-', enable: [c], ...(exp !== 'none' ? { experiment: exp } : {}) }).objects;
        await expect(toYamlStream(digestBinary(objs))).toMatchFileSnapshot(path.join(ROOT, 'src', 'components', c, 'golden', `${exp}.yaml`));
      });
    }
  }
  it('secrets (defaults, the key generated at install marked as such)', async () => {
    const objs = renderSecretsFromOptions({ affix: 'test-' }).objects;
    await expect(toYamlStream(objs)).toMatchFileSnapshot(path.join(ROOT, 'src', 'secrets', 'golden', 'default.yaml'));
  });
});
