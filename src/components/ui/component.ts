import { secretRefs } from '../../secrets/refs.js';
import { defineComponent } from '../define.js';
import { renderUi } from './render.js';
import { uiSchema } from './values.js';

export const ui = defineComponent({
  name: 'ui',
  description: 'PanDA UI: Django REST backend and nginx frontend behind one Ingress',
  needs: ['panda'],
  // with --from, the checkout's sandbox files
  payloads: { backend: { checkout: 'helm/ui/charts/backend/sandbox' } },
  subs: [
    { name: 'backend', description: 'Django REST API (`/api`, `/ws`; StatefulSet)', secrets: [secretRefs.uiEnvs, secretRefs.uiCerts] },
    { name: 'frontend', description: 'nginx serving the web application (`/`; StatefulSet)', secrets: [secretRefs.uiCerts] },
    // the Ingress of both; it has no pods
    { name: 'ui', description: 'The UI Ingress: `/` to the frontend, `/api` and `/ws` to the backend', secrets: [secretRefs.uiTlsCerts] },
  ],
  schema: uiSchema,
  render: renderUi,
});
