/**
 * What the API server refuses for size, checked before the first write so that no install fails
 * half-way: an object above etcd's request limit, ConfigMap or Secret data above 1 MiB, and
 * annotations above 256 KiB in total (on the object and on its pod template). Pure.
 */
import type { Issue } from '../core/errors.js';
import type { K8sObject } from '../core/k8s.js';

export const LIMITS = {
  /** etcd's default request limit, which bounds every object. */
  objectBytes: 1.5 * 1024 * 1024,
  /** ConfigMap and Secret data. */
  dataBytes: 1024 * 1024,
  /** All annotation keys and values of one metadata. */
  annotationBytes: 256 * 1024,
} as const;

const kib = (n: number) => `${Math.ceil(n / 1024)} KiB`;
const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

function annotationSize(a: Record<string, string> | undefined): number {
  return Object.entries(a ?? {}).reduce((n, [k, v]) => n + bytes(k) + bytes(String(v)), 0);
}

function dataSize(o: K8sObject): number {
  const d = (o.data ?? {}) as Record<string, string>;
  const b = (o.binaryData ?? {}) as Record<string, string>;
  const s = (o.stringData ?? {}) as Record<string, string>;
  // data of a Secret and binaryData are base64: what is stored is the decoded bytes
  const decoded = (m: Record<string, string>) => Object.entries(m).reduce((n, [k, v]) => n + bytes(k) + Math.floor((String(v).length * 3) / 4), 0);
  const plain = (m: Record<string, string>) => Object.entries(m).reduce((n, [k, v]) => n + bytes(k) + bytes(String(v)), 0);
  return (o.kind === 'Secret' ? decoded(d) : plain(d)) + decoded(b) + plain(s);
}

export function sizeIssues(objects: readonly K8sObject[]): Issue[] {
  const issues: Issue[] = [];
  for (const o of objects) {
    const where = `${o.kind}/${o.metadata.name}`;
    const size = bytes(JSON.stringify(o));
    if (size > LIMITS.objectBytes)
      issues.push({ where, message: `is ${kib(size)} as sent to the API server, which takes at most ${kib(LIMITS.objectBytes)} per object`, fix: 'move large files out of values and sandbox overlays (mount them from a volume), or split them' });
    if ((o.kind === 'ConfigMap' || o.kind === 'Secret') && dataSize(o) > LIMITS.dataBytes)
      issues.push({
        where,
        message: `holds ${kib(dataSize(o))} of data; a ${o.kind} holds at most 1 MiB`,
        fix: o.kind === 'ConfigMap' ? 'split large files such as queue configs, or supply them in a ConfigMap or volume of your own and point the component at it' : 'keep certificates and keys in separate Secrets',
      });
    const template = (o.spec as { template?: { metadata?: { annotations?: Record<string, string> } } } | undefined)?.template;
    for (const [path, a] of [
      ['metadata.annotations', o.metadata.annotations],
      ['spec.template.metadata.annotations', template?.metadata?.annotations],
    ] as const) {
      const n = annotationSize(a);
      if (n > LIMITS.annotationBytes)
        issues.push({ where: `${where} ${path}`, message: `total ${kib(n)}; Kubernetes takes at most 256 KiB of annotations`, fix: 'annotations are for small metadata: put large content in a ConfigMap and mount it' });
    }
  }
  return issues;
}
