/**
 * Harvester's own configuration, `panda_harvester_configmap.json`. The image reads it from
 * `$PANDA_HOME/etc/configmap/` and expands the `${VAR}` references from the container
 * environment (harvester-envs Secret), so the file itself holds no credentials.
 */

const CRIC = 'https://datalake-cric.cern.ch/api/atlas';

export function harvesterConfig(): Record<string, unknown> {
  return {
    db: {
      engine: 'mariadb',
      useMySQLdb: true,
      schema: 'harvester',
      host: '${HARVESTER_DB_HOST}',
      password: '${MARIADB_PASSWORD}',
      verbose: true,
    },
    master: {
      gname: 'zp',
      harvester_id: '${HARVESTER_ID}',
      uname: 'atlpan',
    },
    credmanager: {
      moduleName: [],
      pluginConfigs: [],
    },
    payload_interaction: {
      jobSpecFile: 'pandaJobData.out',
    },
    pandacon: {
      ca_cert: false,
      auth_type: 'oidc',
      auth_token: '${PANDA_AUTH_ID_TOKEN}',
      auth_origin: '${PANDA_AUTH_VO}',
      // both URLs use the TLS endpoint
      pandaURL: '${PANDA_URL_SSL}',
      pandaURLSSL: '${PANDA_URL_SSL}',
      verbose: true,
    },
    frontend: {
      type: 'apache',
    },
    qconf: {
      // the image links this path to /opt/harvester/etc/queue_config/panda_queueconfig.json,
      // which init-harvester points at the experiment's file in the queueconfig ConfigMap
      configFile: '/opt/harvester/etc/panda/panda_queueconfig.json',
      queueList: ['ALL'],
    },
    cacher: {
      // "<cache file name>||<URL>" entries the cacher agent refreshes
      data: [
        `ddmendpoints_objectstores.json||${CRIC}/ddmendpoint/query/?json&state=ACTIVE&site_state=ACTIVE&preset=dict&json_pretty=1&type[]=OS_LOGS&type[]=OS_ES`,
        `panda_queues.json||${CRIC}/pandaqueue/query/?json`,
        `agis_ddmendpoints.json||${CRIC}/ddmendpoint/query/list/?json&state=ACTIVE&site_state=ACTIVE&preset=dict&json_pretty=1`,
      ],
    },
  };
}
