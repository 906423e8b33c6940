/** `schema`: the JSON Schema of values files. */
import { Command } from 'commander';
import { toYaml } from '../../core/emit.js';
import { act } from '../act.js';
import { outputOption, type Flags } from '../flags.js';
import { out } from '../output.js';

export function schemaCommand(): Command {
  const cmd = new Command('schema').description('print the JSON Schema of the values files (for editor completion)');
  outputOption(cmd, ['json', 'yaml']);
  return cmd.action(
    act(async (f: Flags) => {
      const { jsonSchema } = await import('../../render/values.js');
      out(f.output === 'yaml' ? toYaml(jsonSchema()) : JSON.stringify(jsonSchema(), null, 2) + '\n');
    }),
  );
}
