import { secretRefs } from '../../secrets/refs.js';
import { defineComponent } from '../define.js';
import { CHECKOUT_SETS, renderHarvesterComponent } from './render.js';
import { harvesterSchema } from './values.js';

export const harvester = defineComponent({
  name: 'harvester',
  description: 'Harvester: pilot submission to grid and batch resources for PanDA, with its MariaDB',
  needs: ['panda'],
  subs: [
    {
      name: 'harvester',
      description: 'Harvester service with a personal HTCondor pool',
      after: ['mariadb'],
      secrets: [secretRefs.harvesterEnvs, secretRefs.harvesterCerts, secretRefs.harvesterAuth],
    },
    { name: 'mariadb', description: 'MariaDB database of Harvester', secrets: [secretRefs.harvesterEnvs, secretRefs.harvesterInitdb] },
  ],
  payloads: CHECKOUT_SETS,
  schema: harvesterSchema,
  render: renderHarvesterComponent,
});
