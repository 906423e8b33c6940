import { secretRefs } from '../../secrets/refs.js';
import { defineComponent } from '../define.js';
import { renderIdds } from './render.js';
import { iddsSchema } from './values.js';

export const idds = defineComponent({
  name: 'idds',
  description: 'iDDS (intelligent Data Delivery Service): REST server with its agents, and their PostgreSQL database',
  needs: ['panda'],
  subs: [
    {
      name: 'rest',
      description: 'iDDS REST server and agents (HTTPS 8443, HTTP 8080)',
      after: ['postgres'],
      secrets: [secretRefs.iddsEnvs, secretRefs.iddsDbEnvs, secretRefs.iddsAuth, secretRefs.iddsCerts, secretRefs.iddsTlsCerts],
    },
    { name: 'postgres', description: 'PostgreSQL database of iDDS', secrets: [secretRefs.iddsDbEnvs] },
  ],
  schema: iddsSchema,
  // --from: the chart's own payloads, used as upstream uses them
  payloads: {
    rest: { checkout: 'helm/idds/charts/rest/sandbox' },
    config: { checkout: 'helm/idds/charts/rest', pattern: /^idds_configmap\.json$/ },
    tnsnames: { checkout: 'helm/idds', pattern: /^tnsnames\.ora$/ },
  },
  render: renderIdds,
});
