import { secretRefs } from '../../secrets/refs.js';
import { defineComponent } from '../define.js';
import { renderIam } from './render.js';
import { iamSchema } from './values.js';

export const iam = defineComponent({
  name: 'iam',
  description: 'INDIGO IAM: OIDC identity provider for PanDA and iDDS clients',
  needs: ['iam-db'],
  subs: [
    {
      name: 'main',
      description: 'IAM login service (StatefulSet, port 8443)',
      after: ['mariadb'],
      secrets: [secretRefs.iamEnvs, secretRefs.iamConf, secretRefs.iamCerts, secretRefs.iamTlsCerts],
    },
    { name: 'mariadb', description: 'Older in-chart MariaDB of IAM (off by default; the database is the iam-db component)', secrets: [secretRefs.iamDbEnvs, secretRefs.iamInitdb] },
  ],
  schema: iamSchema,
  render: renderIam,
});
