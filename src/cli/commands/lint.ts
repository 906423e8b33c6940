/** `lint`: values, the rendered stack and its references checked without a cluster. */
import { Command } from 'commander';
import { ExitCode, formatIssue, PandaError } from '../../core/errors.js';
import { act } from '../act.js';
import { outputOption, stackOptions, toRenderOptions, type Flags, type OutputFormat } from '../flags.js';
import { out } from '../output.js';
import { emitReport } from '../print.js';

export function lintCommand(): Command {
  const cmd = stackOptions(new Command('lint'))
    .description('check the values and the rendered stack without a cluster: schema, FIXME placeholders, payload files, object sizes, the ConfigMaps and Secrets pods read; exit 1 on any problem')
    .option('-n, --namespace <ns>', 'namespace the stack is for (names of cluster-wide objects)')
    .option('--secrets', 'also check the secrets values and that every Secret a pod reads is rendered')
    .option('--secrets-dir <dir>', 'with --secrets: secrets files directory');
  outputOption(cmd, ['text', 'json', 'yaml']);
  return cmd.action(
    act(async (f: Flags) => {
      const { renderStackFor, placeholdersIn } = await import('../../ops/inputs.js');
      const { lint } = await import('../../ops/lint.js');
      const opts = { ...toRenderOptions(f), ...(f.secretsDir ? { secretsDir: String(f.secretsDir) } : {}) };
      let report;
      try {
        const rendered = renderStackFor({ ...opts, namespace: String(f.namespace ?? 'default') });
        let secrets;
        if (f.secrets) {
          const { renderSecretsFromOptions } = await import('../../render/inputs.js');
          const objects = renderSecretsFromOptions({ ...opts, keystore: 'lint' }).objects;
          secrets = { objects, placeholders: placeholdersIn(objects) };
        }
        report = lint(rendered, secrets);
      } catch (e) {
        // values that do not load are findings too
        if (!(e instanceof PandaError) || e.exitCode !== ExitCode.invalidInput) throw e;
        report = { objects: 0, problems: e.issues.map((i) => ({ ...i, message: `${e.message}: ${i.message}` })) };
      }
      emitReport('LintReport', report, f.output as OutputFormat, () => {
        for (const p of report.problems) out(`${formatIssue(p)}\n`);
        out(`${report.problems.length} problem(s) in ${report.objects} object(s)\n`);
      });
      return report.problems.length ? ExitCode.changesOrNotReady : ExitCode.ok;
    }),
  );
}
