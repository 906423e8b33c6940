/**
 * `idds_configmap.json`: settings the iDDS image's start script merges into its config files.
 * Top-level keys are config files in the image, then sections, then keys. `${NAME}` values are
 * filled from the container environment (the `idds-envs` Secret).
 */
import { mergeValues } from '../../values/merge.js';

export type IddsConfig = Record<string, Record<string, Record<string, string | number | boolean>>>;

export function iddsConfig(overrides: IddsConfig = {}): IddsConfig {
  const config: IddsConfig = {
    '/opt/idds/config/idds/idds.cfg': {
      common: { loglevel: 'DEBUG' },
      database: {
        default: 'postgresql://${IDDS_DATABASE_USER}:${IDDS_DATABASE_PASSWORD}@${IDDS_DATABASE_HOST}/${IDDS_DATABASE_NAME}',
        schema: '${IDDS_DATABASE_SCHEMA}',
        pool_size: 20,
        pool_recycle: 3600,
        echo: 0,
        pool_reset_on_return: 'rollback',
      },
      conductor: {
        threshold_to_release_messages: 1000,
        random_delay: 60,
        'plugin.notifier': 'idds.agents.conductor.plugins.messaging.MessagingSender',
        'plugin.notifier.brokers': '${IDDS_CONDUCTOR_BROKERS}',
        'plugin.notifier.port': '${IDDS_CONDUCTOR_PORT}',
        'plugin.notifier.destination': '${IDDS_CONDUCTOR_DESTINATION}',
        'plugin.notifier.username': '${IDDS_CONDUCTOR_USERNAME}',
        'plugin.notifier.password': '${IDDS_CONDUCTOR_PASSWORD}',
        'plugin.notifier.broker_timeout': 10,
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
    'rest/config/idds.cfg': {
      testsection: { testkey: 'testvalue' },
    },
  };
  return mergeValues(config, overrides) as IddsConfig;
}
