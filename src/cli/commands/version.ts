/** `version`: the client's version and, unless --client, the API server's. */
import { Command } from 'commander';
import { act, onlyWhen } from '../act.js';
import { clusterOptions, CONNECTION_OPTIONS, outputOption, type Flags } from '../flags.js';
import { out } from '../output.js';
import { emitReport } from '../print.js';
import { VERSION } from '../version.js';

export function versionCommand(): Command {
  const cmd = clusterOptions(new Command('version'))
    .description("print panda-k8s's version and the Kubernetes API server's (--client: only panda-k8s's, no cluster)")
    .option('--client', 'only the client version; touch no cluster');
  outputOption(cmd, ['text', 'json', 'yaml']);
  return cmd.action(
    act(async (f: Flags, c: Command) => {
      const client = { version: VERSION, node: process.version };
      let server: { server: string; gitVersion: string; platform: string } | undefined;
      if (f.client) onlyWhen(c, [...CONNECTION_OPTIONS, 'namespace'], 'the server version', '--client');
      else {
        const { timeoutsOf, target } = await import('../actions.js');
        const { serverVersion } = await import('../../cluster/version.js');
        server = await serverVersion(target(f), timeoutsOf(f));
      }
      emitReport('VersionReport', { client, ...(server ? { server } : {}) }, f.output as 'text', () => {
        out(`Client Version: ${client.version} (Node.js ${client.node})\n`);
        if (server) out(`Server Version: ${server.gitVersion} (${server.platform}, ${server.server})\n`);
      });
    }),
  );
}
