import { secretRefs } from '../../secrets/refs.js';
import { defineComponent } from '../define.js';
import { renderBigmon } from './render.js';
import { bigmonSchema } from './values.js';

export const bigmon = defineComponent({
  name: 'bigmon',
  description: 'PanDA monitor (BigMon): web UI on the PanDA and iDDS databases',
  needs: ['panda'],
  subs: [
    {
      name: 'main',
      description: 'BigMon web server (httpd + Django, HTTPS 8443)',
      secrets: [secretRefs.bigmonEnvs, secretRefs.bigmonCerts, secretRefs.bigmonTlsCerts],
    },
  ],
  schema: bigmonSchema,
  // --from: the chart's sandbox, used as upstream uses it
  payloads: { main: { checkout: 'helm/bigmon/charts/main/sandbox' } },
  render: renderBigmon,
});
