import { secretRefs } from '../../secrets/refs.js';
import { defineComponent } from '../define.js';
import { renderMsgsvc } from './render.js';
import { msgsvcSchema } from './values.js';

export const msgsvc = defineComponent({
  name: 'msgsvc',
  description: 'ActiveMQ message broker (STOMP) for PanDA, JEDI, iDDS and pilots',
  needs: [],
  subs: [{ name: 'activemq', description: 'ActiveMQ broker', secrets: [secretRefs.msgsvcEnvs] }],
  schema: msgsvcSchema,
  render: renderMsgsvc,
});
