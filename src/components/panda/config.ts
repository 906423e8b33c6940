/**
 * The JSON config files the PanDA images read from `/opt/panda/etc/config_json/`: each section
 * overrides the same section of the image's `panda_server.cfg` / `panda_jedi.cfg`. Values that
 * start with `$` are expanded from the environment by PanDA itself when it loads the file (the
 * variables come from the `panda-envs` Secret: database backend, host, port, user, schemas, CRIC
 * URLs, host name).
 *
 * The built-in files are the defaults; an experiment names another file (`configFile`), read from
 * the chart payloads of an upstream checkout (`--from`) or an operator's `--sandbox-dir`.
 */
import { PandaError } from '../../core/errors.js';
import { mergeValues } from '../../values/merge.js';

export type ConfigSections = Record<string, Record<string, unknown>>;
export type ConfigOverrides = Record<string, Record<string, unknown>>;

export const DEFAULT_SERVER_CONFIG = 'panda_server_config.json';
export const DEFAULT_JEDI_CONFIG = 'panda_jedi_config.json';

/**
 * Built-in `panda_server_config.json`. `pserverAlias` is the host name the server advertises for
 * its own cache URLs: the server Service (upstream hard-codes `panda-dev-server`, B20).
 */
export function serverConfig(pserverAlias: string): ConfigSections {
  return {
    server: {
      CRIC_URL_CM: '$PANDA_CRIC_CM',
      CRIC_URL_DDMBLACKLIST: '$PANDA_CRIC_DDMBLACKLIST',
      CRIC_URL_DDMENDPOINTS: '$PANDA_CRIC_DDMENDPOINTS',
      CRIC_URL_SCHEDCONFIG: '$PANDA_CRIC_SCHEDCONFIG',
      CRIC_URL_SITES: '$PANDA_CRIC_SITES',
      CRIC_URL_TAGS: '$PANDA_CRIC_URLTAGS',
      RUCIO_RSE_USAGE: '/opt/panda/sandbox/rucio_rse_usage.json',
      backend: '$PANDA_DB_BACKEND',
      schemaPANDA: '$PANDA_DB_SCHEMAPANDA',
      schemaMETA: '$PANDA_DB_SCHEMAMETA',
      schemaPANDAARCH: '$PANDA_DB_SCHEMAPANDAARCH',
      schemaJEDI: '$PANDA_DB_SCHEMAJEDI',
      schemaDEFT: '$PANDA_DB_SCHEMADEFT',
      configurator_use_cert: 'False',
      production_dns: 'iddssv1,Robot,Pilot',
      pilot_owners: 'pilot',
      pserveralias: pserverAlias,
      pserverhost: '$PANDA_HOSTNAME',
      pserverport: '443',
      disableHTTP: 'True',
      dbhost: '$PANDA_DB_HOST',
      dbport: '$PANDA_DB_PORT',
      dbpasswd: '$PANDA_DB_PASSWORD',
      dbuser: '$PANDA_DB_USER',
      dbname: '$PANDA_DB_NAME',
      // the dummy adder for every VO, plus the simple adder for sPHENIX
      adder_plugins:
        'wlcg:dataservice.adder_dummy_plugin:AdderDummyPlugin,wlcg:dataservice.adder_simple_plugin:AdderSimplePlugin:sphenix',
      setupper_plugins: 'wlcg:dataservice.setupper_dummy_plugin:SetupperDummyPlugin',
      token_authType: 'oidc',
      sandboxHostname: '$PANDA_HOSTNAME',
      // init-panda links the sandbox copy here (upstream names /data/panda/etc/panda/, which nothing creates)
      mq_configFile: '/opt/panda/etc/panda/panda_mbproxy_config.json',
      // the token-cache Secret is projected into the sandbox, which the start command copies to /data/panda
      token_cache_config: '/data/panda/token_cache_config.json',
    },
    daemon: {
      enable: 'True',
      n_proc: '6',
      n_dbconn: '1',
    },
  };
}

/** Built-in `panda_jedi_config.json`. */
export function jediConfig(): ConfigSections {
  return {
    db: {
      backend: '$PANDA_DB_BACKEND',
      dbhost: '$PANDA_DB_HOST',
      dbport: '$PANDA_DB_PORT',
      dbpasswd: '$PANDA_DB_PASSWORD',
      dbuser: '$PANDA_DB_USER',
      dbname: '$PANDA_DB_NAME',
      schemaJEDI: '$PANDA_DB_SCHEMAJEDI',
      schemaDEFT: '$PANDA_DB_SCHEMADEFT',
      nWorkers: '5',
    },
    ddm: {
      modConfig:
        'wlcg:4:pandajedi.jediddm.GenDDMClient:GenDDMClient::off,wlcg:2:pandajedi.jediddm.AtlasDDMClient:AtlasDDMClient:sphenix',
      endpoints_json_path: '$PANDA_CRIC_URL_DDMENDPOINTS',
      voWithScope: 'wlcg',
    },
    confeeder: { nWorkers: '6' },
    taskrefine: { nWorkers: '3' },
    jobgen: { nWorkers: '6' },
    postprocessor: { nWorkers: '6' },
    taskbroker: { nWorkers: '3' },
    tcommando: { nWorkers: '6' },
    tasksetup: {
      modConfig: 'wlcg:any:pandajedi.jedisetup.SimpleTaskSetupper:SimpleTaskSetupper',
    },
    msgprocessor: {
      configFile: '/opt/panda/etc/panda/jedi_msg_proc_config.json',
    },
    mq: {
      configFile: '/opt/panda/etc/panda/jedi_mq_config.json',
    },
    watchdog: {
      waitForPending: '1',
      loopCycle: '60',
    },
  };
}

/** A config file given as payload: JSON with an object of sections at the top. */
export function parseConfigFile(text: string, where: string): ConfigSections {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new PandaError(`cannot read the config file ${where}`, [
      { where, message: `not valid JSON: ${(e as Error).message}`, fix: 'fix the file, or drop configFile to use the built-in config' },
    ]);
  }
  if (!v || typeof v !== 'object' || Array.isArray(v) || Object.values(v).some((s) => !s || typeof s !== 'object' || Array.isArray(s))) {
    throw new PandaError(`cannot read the config file ${where}`, [
      { where, message: 'expected an object of sections (`{"server": {...}, "daemon": {...}}`)', fix: 'fix the file, or drop configFile to use the built-in config' },
    ]);
  }
  return v as ConfigSections;
}

/** Merge operator overrides into a config (the values' own layering: `null` removes a key). */
export function mergeConfig(base: ConfigSections, overrides: ConfigOverrides): ConfigSections {
  return mergeValues(base, overrides) as ConfigSections;
}

/** The file as the images read it: 4-space indented JSON with a trailing newline. */
export function configText(c: ConfigSections): string {
  return `${JSON.stringify(c, null, 4)}\n`;
}
