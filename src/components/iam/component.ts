import { secretRefs } from '../../secrets/refs.js';
import { defineComponent } from '../define.js';
import { renderIam } from './render.js';
import { iamSchema } from './values.js';

export const iam = defineComponent({
  name: 'iam',
  description: 'INDIGO IAM: OIDC identity provider for PanDA and iDDS clients, with its MariaDB database',
  needs: [],
  subs: [
    { name: 'main', description: 'IAM login service (HTTP 8080)', after: ['mariadb'], secrets: [secretRefs.iamEnvs, secretRefs.iamConf] },
    { name: 'mariadb', description: 'MariaDB database of IAM', secrets: [secretRefs.iamDbEnvs, secretRefs.iamInitdb] },
  ],
  schema: iamSchema,
  render: renderIam,
});
