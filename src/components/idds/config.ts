/**
 * `idds_configmap.json`: settings the iDDS image's start script merges into its config files.
 * Top-level keys are config files in the image, then sections, then keys. `${NAME}` values are
 * filled from the container environment (the `idds-envs` and `idds-db-envs` Secrets).
 *
 * With `--from`, the checkout's `helm/idds/charts/rest/idds_configmap.json` replaces these
 * defaults; `rest.configOverrides` is merged on top of either.
 */
import { PandaError } from '../../core/errors.js';
import { isPlainObject, mergeValues } from '../../values/merge.js';

export type IddsConfig = Record<string, Record<string, Record<string, unknown>>>;

/** A messaging channel of the carrier (receiver) or conductor (notifier) agents. */
const channel = (role: 'RECEIVER' | 'CONDUCTOR') => ({
  brokers: `\${IDDS_${role}_BROKERS}`,
  destination: `\${IDDS_${role}_DESTINATION}`,
  username: `\${IDDS_${role}_USERNAME}`,
  password: `\${IDDS_${role}_PASSWORD}`,
  broker_timeout: 600,
});

/** One messaging plugin of an agent: `plugin.<kind>` and its broker settings. */
const plugin = (kind: 'receiver' | 'notifier', role: 'RECEIVER' | 'CONDUCTOR', cls: string) => ({
  [`plugin.${kind}`]: `idds.agents.common.plugins.messaging.${cls}`,
  [`plugin.${kind}.brokers`]: `\${IDDS_${role}_BROKERS}`,
  [`plugin.${kind}.port`]: `\${IDDS_${role}_PORT}`,
  [`plugin.${kind}.destination`]: `\${IDDS_${role}_DESTINATION}`,
  [`plugin.${kind}.username`]: `\${IDDS_${role}_USERNAME}`,
  [`plugin.${kind}.password`]: `\${IDDS_${role}_PASSWORD}`,
  [`plugin.${kind}.broker_timeout`]: 600,
});

/** The defaults of iDDS 2.x: database by URL, REST request limits, carrier and conductor agents. */
export function defaultIddsConfig(): IddsConfig {
  return {
    '/opt/idds/config/idds/idds.cfg': {
      common: { loglevel: 'DEBUG' },
      database: {
        default: '${IDDS_DATABASE_URL}',
        schema: '${IDDS_DATABASE_SCHEMA}',
        pool_size: 50,
        pool_recycle: 3600,
        echo: 0,
        pool_reset_on_return: 'rollback',
      },
      rest: { max_request_data_length: 1000000, additional_storage: '/data/idds-requests/panda_jobs/panda/idds-requests' },
      clerk: { cache_expire_seconds: 300 },
      carrier: {
        receiver_num_threads: 16,
        enable_executors: true,
        poller_max_number_workers: 3,
        clean_locks_time_period: 1200,
        ...plugin('receiver', 'RECEIVER', 'MessagingReceiver'),
        'plugin.receiver.channels': { default: channel('RECEIVER') },
        'domapandawork.poll_panda_jobs_chunk_size': 2000,
        'domapandawork.site_to_cloud': 'SLAC:US,LANCS:EU,CC-IN2P3:EU,RAL:EU',
        'domapandawork.dispatch_ext_content': false,
        'domapandawork.additional_task_parameters': {},
        'domapandawork.additional_task_parameters_per_site1': { SLAC: { noLoopingCheck: 1 } },
        'domapandawork.core_to_queues': {
          '1': { queues: ['Rubin', 'Rubin_Extra_Himem'], processing_type: '' },
          Rubin_Multi: { queues: ['Rubin_Multi'], processing_type: 'Rubin_Multi' },
          Rubin_Merge: { queues: ['Rubin_Merge'], processing_type: 'Rubin_Merge' },
          any: { queues: ['Rubin_Multi'], processing_type: 'Rubin_Multi' },
        },
      },
      conductor: {
        threshold_to_release_messages: 1000,
        random_delay: 60,
        ...plugin('notifier', 'CONDUCTOR', 'MessagingSender'),
        'plugin.notifier.channels': { default: channel('CONDUCTOR'), ContentExt: {}, ContentExt1: channel('CONDUCTOR') },
      },
    },
    '/opt/idds/config/panda.cfg': {
      panda: {
        panda_url_ssl: '${PANDA_URL_SSL}',
        panda_url: '${PANDA_URL}',
        panda_monitor_url: '${PANDA_MONITOR_URL}',
        // A disabled setting kept from upstream's file: it lands in panda.cfg as a comment line.
        '# PANDA_AUTH_VO': 'panda_dev',
        panda_auth: '${PANDA_AUTH}',
        panda_auth_vo: '${PANDA_AUTH_VO}',
        panda_config_root: '${PANDA_CONFIG_ROOT}',
        pandacache_url: '${PANDACACHE_URL}',
        panda_verify_host: '${PANDA_VERIFY_HOST}',
      },
    },
    '/opt/idds/config/rucio.cfg': {
      client: {
        rucio_host: 'https://voatlasrucio-server-prod.cern.ch:443',
        auth_host: 'https://voatlasrucio-auth-prod.cern.ch:443',
        ca_cert: '$RUCIO_HOME/etc/ca.crt',
        client_cert: '~/.globus/usercert.pem',
        client_key: '~/.globus/userkey.pem',
        client_x509_proxy: '$X509_USER_PROXY',
        auth_type: 'x509_proxy',
        request_retries: 3,
      },
    },
    '/opt/idds/config/idds/alembic.ini': {
      alembic: { 'sqlalchemy.url': '${IDDS_DATABASE_URL}', version_table_schema: '${IDDS_DATABASE_SCHEMA}' },
    },
    'rest/config/idds.cfg': {
      testsection: { testkey: 'testvalue' },
    },
  };
}

/** Parse an operator's idds_configmap.json (from the checkout or --sandbox-dir); `where` names it in errors. */
export function parseIddsConfig(text: string, where: string): IddsConfig {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new PandaError('invalid idds_configmap.json', [{ where, message: `not valid JSON: ${(e as Error).message}`, fix: 'fix the JSON syntax of the file' }]);
  }
  if (!isPlainObject(parsed) || !Object.values(parsed).every((f) => isPlainObject(f) && Object.values(f).every(isPlainObject)))
    throw new PandaError('invalid idds_configmap.json', [
      { where, message: 'expected {<config file>: {<section>: {<key>: value}}}', fix: 'nest every setting under its config file and section' },
    ]);
  return parsed as IddsConfig;
}

export function iddsConfig(overrides: IddsConfig = {}, base: IddsConfig = defaultIddsConfig()): IddsConfig {
  return mergeValues(base, overrides) as IddsConfig;
}
