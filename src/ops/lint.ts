/**
 * `lint`: the checks a real install makes before its first request, without a cluster, plus the
 * references between the rendered objects: every ConfigMap and Secret a pod reads (not marked
 * optional) is rendered by the stack or by the secrets lifecycle. Pure; returns a report.
 */
import type { Issue } from '../core/errors.js';
import type { K8sObject } from '../core/k8s.js';
import { refName } from '../core/objects.js';
import { sizeIssues } from '../plan/limits.js';
import type { Rendered } from './inputs.js';

export interface LintReport {
  /** Objects checked (the stack's, and the Secrets when given). */
  objects: number;
  problems: { where: string; message: string; fix?: string; file?: string; line?: number }[];
}

/** The ConfigMaps and Secrets a value reads, `Kind/name`, optional sources left out. */
function references(x: unknown, into: Set<string>): Set<string> {
  if (Array.isArray(x)) for (const i of x) references(i, into);
  else if (x && typeof x === 'object') {
    const o = x as Record<string, unknown>;
    const ref = (kind: string, v: unknown, key: 'name' | 'secretName') => {
      const r = v as { name?: string; secretName?: string; optional?: boolean } | undefined;
      if (r && typeof r === 'object' && r[key] && !r.optional) into.add(`${kind}/${r[key]}`);
    };
    ref('Secret', o.secretRef, 'name');
    ref('Secret', o.secretKeyRef, 'name');
    ref('ConfigMap', o.configMapRef, 'name');
    ref('ConfigMap', o.configMapKeyRef, 'name');
    ref('Secret', o.secret, 'secretName');
    ref('Secret', o.secret, 'name');
    ref('ConfigMap', o.configMap, 'name');
    for (const v of Object.values(o)) references(v, into);
  }
  return into;
}

const plain = (i: Issue) => ({ where: i.where, message: i.message, ...(i.fix ? { fix: i.fix } : {}), ...(i.file ? { file: i.file } : {}), ...(i.line ? { line: i.line } : {}) });

export function lint(rendered: Rendered, secrets?: { objects: readonly K8sObject[]; placeholders: readonly Issue[] }): LintReport {
  const problems: Issue[] = [...rendered.missing, ...rendered.placeholders, ...sizeIssues(rendered.objects)];
  if (secrets) problems.push(...secrets.placeholders, ...sizeIssues(secrets.objects));
  const have = new Set([...rendered.objects, ...(secrets?.objects ?? [])].map((o) => refName(o)));
  for (const o of rendered.objects) {
    const spec = (o as { spec?: unknown }).spec;
    if (!spec) continue;
    for (const r of references(spec, new Set())) {
      if (have.has(r)) continue;
      const isSecret = r.startsWith('Secret/');
      if (isSecret && !secrets) continue; // the Secrets are checked with --secrets
      problems.push({
        where: refName(o),
        message: `reads ${r}, which ${isSecret ? 'neither the stack nor the secrets lifecycle renders' : 'the stack does not render'}`,
        fix: isSecret ? 'check global.secret and the secrets values, or create the Secret yourself and mark it in the values' : 'enable the component that renders it',
      });
    }
  }
  return { objects: rendered.objects.length + (secrets?.objects.length ?? 0), problems: problems.map(plain) };
}
