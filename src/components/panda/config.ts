/**
 * The JSON config files the PanDA images read from `/opt/panda/etc/config_json/`: each section
 * overrides the same section of the image's `panda_server.cfg` / `panda_jedi.cfg`. Values that
 * start with `$` are expanded from the environment by PanDA itself when it loads the file.
 */
import { mergeValues } from '../../values/merge.js';

export type ConfigSections = Record<string, Record<string, string | number | boolean>>;
export type ConfigOverrides = Record<string, Record<string, string | number | boolean | null>>;

const CRIC_DATALAKE = 'https://datalake-cric.cern.ch/api/atlas';

/**
 * `panda_server_config.json`. `pserverAlias` is the host name the server advertises for its own
 * cache URLs (worker-node scripts): the server Service.
 */
export function serverConfig(pserverAlias: string): ConfigSections {
  return {
    server: {
      CRIC_URL_CM: 'https://atlas-cric.cern.ch/api/core/sitematrix/query/?json&json_pretty=0',
      CRIC_URL_DDMBLACKLIST: `${CRIC_DATALAKE}/ddmendpointstatus/query/?json&activity=write_wan&fstate=OFF`,
      CRIC_URL_DDMENDPOINTS: `${CRIC_DATALAKE}/ddmendpoint/query/?json`,
      CRIC_URL_SCHEDCONFIG: `${CRIC_DATALAKE}/pandaqueue/query/?json`,
      CRIC_URL_SITES: `${CRIC_DATALAKE}/site/query/?json`,
      // the dummy adder for every VO, plus the simple adder for sPHENIX
      adder_plugins:
        'wlcg:dataservice.AdderDummyPlugin:AdderDummyPlugin,wlcg:dataservice.AdderSimplePlugin:AdderSimplePlugin:sphenix',
      backend: 'postgres',
      schemaPANDA: 'doma_panda',
      schemaMETA: 'doma_pandameta',
      configurator_use_cert: 'False',
      production_dns: 'iddssv1',
      pserveralias: pserverAlias,
      dbhost: '$PANDA_DB_HOST',
      dbpasswd: '$PANDA_DB_PASSWORD',
      setupper_plugins: 'wlcg:dataservice.SetupperDummyPlugin:SetupperDummyPlugin',
      token_authType: 'oidc',
      cache_dir: '/var/cache/pandaserver',
      sandboxHostname: '$PANDA_SANDBOX_HOST',
      mbproxy_configFile: '/opt/panda/etc/panda/panda_mbproxy_config.json',
    },
    daemon: {
      enable: 'True',
    },
  };
}

/** `panda_jedi_config.json`. */
export function jediConfig(): ConfigSections {
  return {
    db: {
      backend: 'postgres',
      dbhost: '$PANDA_DB_HOST',
      dbpasswd: '$PANDA_DB_PASSWORD',
    },
    ddm: {
      modConfig:
        'wlcg:4:pandajedi.jediddm.GenDDMClient:GenDDMClient::off,wlcg:2:pandajedi.jediddm.AtlasDDMClient:AtlasDDMClient:sphenix',
      endpoints_json_path: `${CRIC_DATALAKE}/ddmendpoint/query/?json`,
    },
    tasksetup: {
      modConfig: 'wlcg:any:pandajedi.jedisetup.SimpleTaskSetupper:SimpleTaskSetupper',
    },
    msgprocessor: {
      configFile: '/opt/panda/etc/panda/jedi_msg_proc_config.json',
    },
    mq: {
      configFile: '/opt/panda/etc/panda/jedi_mq_config.json',
    },
  };
}

/** Merge operator overrides into a config (the values' own layering: `null` removes a key). */
export function mergeConfig(base: ConfigSections, overrides: ConfigOverrides): ConfigSections {
  return mergeValues(base, overrides) as ConfigSections;
}

/** The file as the images read it: 4-space indented JSON with a trailing newline. */
export function configText(c: ConfigSections): string {
  return `${JSON.stringify(c, null, 4)}\n`;
}
