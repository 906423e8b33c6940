/**
 * Harvester's own configuration, `panda_harvester_configmap.json`, built in (an upstream checkout
 * given with `--from` supplies its own file). The image reads it from `$PANDA_HOME/etc/configmap/`
 * and expands the `${VAR}` references from the container environment (harvester-envs Secret), so
 * the file itself holds no credentials.
 */

/**
 * @param pandaServerUrl base URL of the stack's PanDA server (the audience of the internal token
 *   Harvester's IAM token credential manager fetches; upstream hard-codes a CERN host here).
 */
export function harvesterConfig(pandaServerUrl: string): Record<string, unknown> {
  return {
    db: {
      engine: 'mariadb',
      useMySQLdb: true,
      syncMaxWorkerID: true,
      schema: '${MARIADB_DATABASE}',
      host: '${HARVESTER_DB_HOST}',
      password: '${MARIADB_PASSWORD}',
      verbose: true,
    },
    master: { gname: 'zp', harvester_id: '${HARVESTER_ID}', uname: 'atlpan' },
    communicator: { nConnections: 10 },
    payload_interaction: { jobSpecFile: 'pandaJobData.out' },
    pandacon: {
      ca_cert: false,
      auth_type: 'oidc',
      auth_token: '${PANDA_AUTH_ID_TOKEN}',
      auth_origin: '${PANDA_AUTH_VO}',
      // both URLs use the TLS endpoint
      pandaURL: '${PANDA_URL_SSL}',
      pandaURLSSL: '${PANDA_URL_SSL}',
      cache_api_url_ssl: '${PANDA_API_URL_SSL}',
      server_api_url_ssl: '${PANDA_API_URL_SSL}',
      verbose: true,
    },
    apfmon: { active: true, base_url: 'https://rtmon.lancs.ac.uk/api' },
    frontend: { type: 'apache' },
    jobfetcher: { lookupTime: 30, sleepTime: 10 },
    propagator: { maxJobs: 1000, maxWorkers: 1000, nWorkersInBulk: 100, sleepTime: 5 },
    preparator: { nThreads: 5, maxJobsToCheck: 1000, maxJobsToTrigger: 1000, checkInterval: 15, triggerInterval: 10, sleepTime: 10 },
    submitter: { nThreads: 5, nQueues: 30, lookupTime: 30, maxNewWorkers: 1000, checkInterval: 30, sleepTime: 10, activateWorkerFactor: 'auto' },
    monitor: { nThreads: 10, checkInterval: 30, lookupTime: 30, sleepTime: 10 },
    stager: { nThreads: 5, maxJobsToCheck: 1000, maxJobsToTrigger: 1000, maxJobsToZip: 1000, checkInterval: 180, triggerInterval: 180, sleepTime: 60 },
    watcher: { checkInterval: 30, sleepTime: 30 },
    service_monitor: { pidfile: '/var/run/panda/panda_harvester.pid' },
    qconf: {
      // the image links this path to /opt/harvester/etc/queue_config/panda_queueconfig.json,
      // which init-harvester points at the experiment's file in the queueconfig ConfigMap
      configFile: '/opt/harvester/etc/panda/panda_queueconfig.json',
      queueList: ['ALL'],
    },
    cacher: {
      refreshInterval: 1,
      // "<cache file name>||<source>": PanDA server calls, and the CRIC URLs from the Secret
      data: [
        'resource_types.json||panda_server:get_resource_types',
        'job_statistics.json||panda_server:get_job_stats',
        'worker_statistics.json||panda_server:get_worker_stats_from_panda',
        'ddmendpoints_objectstores.json||$HARVESTER_CRIC_OS',
        'panda_queues.json||$HARVESTER_CRIC_SCHEDCONFIG',
        'agis_ddmendpoints.json||$HARVESTER_CRIC_DDMENDPOINTS',
      ],
    },
    credmanager: {
      pluginConfigs: [
        {
          module: 'pandaharvester.harvestercredmanager.iam_token_cred_manager',
          name: 'IamTokenCredManager',
          configs: {
            'panda-internal': {
              // from the harvester-auth Secret, mounted at /opt/harvester/etc/auth
              client_cred_file: '/opt/harvester/etc/auth/token_panda-internal_client.json',
              target_type: 'common',
              target_list: [pandaServerUrl],
              out_dir: '/opt/harvester/etc/auth_tokens/',
            },
          },
        },
      ],
    },
  };
}
