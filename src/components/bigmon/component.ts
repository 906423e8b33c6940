import { defineComponent } from '../define.js';
import { renderBigmon } from './render.js';
import { bigmonSchema } from './values.js';

export const bigmon = defineComponent({
  name: 'bigmon',
  description: 'PanDA monitor (BigMon): web UI on the PanDA and iDDS databases',
  needs: ['panda'],
  subs: [{ name: 'main', description: 'BigMon web server (httpd + Django)', secrets: [] }],
  schema: bigmonSchema,
  render: renderBigmon,
});
