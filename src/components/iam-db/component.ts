import { secretRefs } from '../../secrets/refs.js';
import { defineComponent } from '../define.js';
import { renderIamDb } from './render.js';
import { iamDbSchema } from './values.js';

export const iamDb = defineComponent({
  name: 'iam-db',
  description: 'The IAM database (MariaDB) and its daily backup',
  needs: [],
  // with --from, the checkout's sandbox files
  payloads: { backup: { checkout: 'helm/iam-db/charts/backup/sandbox' } },
  subs: [
    { name: 'mariadb', description: 'MariaDB database of IAM (StatefulSet)', secrets: [secretRefs.iamDbEnvs, secretRefs.iamInitdb] },
    { name: 'backup', description: 'Scheduled dump of the IAM database to the backup volume (CronJob)', after: ['mariadb'], secrets: [secretRefs.iamEnvs] },
  ],
  schema: iamDbSchema,
  render: renderIamDb,
});
