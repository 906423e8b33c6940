/**
 * Printing rendered objects without a cluster: `template`, `install -t`, `install --dry-run=client`
 * and `secrets install -t`. One process renders the stack and, when asked, the Secrets.
 */
import { inNamespace } from '../core/objects.js';
import type { K8sObject } from '../core/k8s.js';
import { toYamlStream } from '../core/yaml.js';
import { toRenderOptions, toSecretsOptions, type Flags, type OutputFormat } from './flags.js';
import { out, warnIgnored, warnMissing, warnPlaceholders } from './output.js';
import { nameOf } from './print.js';
import { redactSecrets } from './redact.js';

/** Objects in the format asked for: YAML documents (text too), a kubectl-style `List` as JSON, or names. */
export function printObjects(objects: readonly K8sObject[], format: OutputFormat): void {
  if (format === 'name') out(objects.map((o) => `${nameOf(o)}\n`).join(''));
  else if (format === 'json') out(JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }, null, 2) + '\n');
  else out(toYamlStream(objects));
}

export async function printTemplate(f: Flags, o: { secrets: boolean; stack?: boolean }): Promise<void> {
  // `secrets install -t`: -f files are secrets values files; `template`: values files of the stack
  const opts = o.stack === false ? toSecretsOptions(f) : { ...toRenderOptions(f), ...(f.secretsDir ? { secretsDir: String(f.secretsDir) } : {}) };
  const namespace = f.namespace !== undefined ? String(f.namespace) : undefined;
  const objects: K8sObject[] = [];
  if (o.secrets) {
    const { renderSecretsFromOptions } = await import('../render/inputs.js');
    objects.push(...renderSecretsFromOptions(f.showSecrets ? opts : { ...opts, keystore: '(generated when installed)' }).objects);
  }
  if (o.stack !== false) {
    const { renderStackFor } = await import('../ops/inputs.js');
    const r = renderStackFor({ ...opts, namespace: namespace ?? 'default' });
    warnIgnored(r.ignored);
    warnMissing(r.missing);
    warnPlaceholders(r.placeholders);
    objects.push(...r.objects);
  }
  const placed = namespace !== undefined ? objects.map((x) => inNamespace(x, namespace)) : objects;
  printObjects(f.showSecrets ? placed : redactSecrets(placed), (f.output as OutputFormat | undefined) ?? 'yaml');
}
