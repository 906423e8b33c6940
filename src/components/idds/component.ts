import { secretRefs } from '../../secrets/refs.js';
import { defineComponent } from '../define.js';
import { renderIdds } from './render.js';
import { iddsSchema } from './values.js';

export const idds = defineComponent({
  name: 'idds',
  description: 'iDDS (intelligent Data Delivery Service): REST server, agents and their PostgreSQL database',
  needs: ['panda'],
  subs: [
    {
      name: 'rest',
      description: 'iDDS REST server (HTTPS 8443, HTTP 8080)',
      after: ['postgres'],
      secrets: [secretRefs.iddsEnvs, secretRefs.iddsAuth, secretRefs.iddsCerts],
    },
    {
      name: 'daemon',
      description: 'iDDS agents (supervisord); uses the REST server’s env and config ConfigMaps',
      requires: ['rest'],
      after: ['postgres'],
      secrets: [secretRefs.iddsEnvs, secretRefs.iddsAuth, secretRefs.iddsCerts],
    },
    { name: 'postgres', description: 'PostgreSQL database of iDDS', secrets: [secretRefs.iddsDbEnvs] },
  ],
  schema: iddsSchema,
  render: renderIdds,
});
