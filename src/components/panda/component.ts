import { secretRefs } from '../../secrets/refs.js';
import { defineComponent } from '../define.js';
import { PAYLOADS, renderPanda } from './render.js';
import { pandaSchema } from './values.js';

export const panda = defineComponent({
  name: 'panda',
  description: 'PanDA server, JEDI, the PanDA database and the node-recovery job',
  needs: ['msgsvc', 'iam'],
  payloads: PAYLOADS,
  subs: [
    {
      name: 'server',
      description: 'PanDA server (REST API, message-broker proxy, daemons)',
      after: ['postgres'],
      secrets: [secretRefs.pandaEnvs, secretRefs.pandaAuth, secretRefs.pandaCerts],
    },
    {
      name: 'jedi',
      description: 'JEDI task engine; mounts the server env, config and sandbox',
      requires: ['server'],
      after: ['postgres'],
      secrets: [secretRefs.pandaEnvs, secretRefs.pandaCerts],
    },
    { name: 'postgres', description: 'PanDA database (PostgreSQL); disable to use an external database', secrets: [secretRefs.pandaEnvs] },
  ],
  schema: pandaSchema,
  render: renderPanda,
});
