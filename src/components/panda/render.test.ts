import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { PandaError } from '../../core/errors.js';
import type { K8sObject } from '../../core/k8s.js';
import { renderComponent, renderTemplate } from '../../render/testing.js';
import { panda } from './component.js';
import { pandaSchema } from './values.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..', '..', '..');
const SANDBOX = path.join(HERE, 'sandbox');

/** Deep merge as value files layer: objects merge, everything else replaces. */
function merge(a: unknown, b: unknown): unknown {
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    const out: Record<string, unknown> = { ...(a as Record<string, unknown>) };
    for (const [k, v] of Object.entries(b as Record<string, unknown>)) out[k] = k in out ? merge(out[k], v) : v;
    return out;
  }
  return b === undefined ? a : b;
}

const render = (values: unknown = {}, affix = 'test-'): K8sObject[] => renderComponent('panda', values, affix);
/** The panda objects of `install -t -e <exp> -c panda`. */
const experiment = (exp: string, affix = 'test-'): K8sObject[] => renderTemplate({ experiment: exp, enable: ['panda'], affix });

const find = (objs: K8sObject[], kind: string, name: string) => {
  const o = objs.find((x) => x.kind === kind && x.metadata.name === name);
  if (!o) throw new Error(`${kind}/${name} not rendered; have ${objs.map((x) => `${x.kind}/${x.metadata.name}`).join(', ')}`);
  return o as K8sObject & Record<string, any>;
};
const keys = (objs: K8sObject[]) => objs.map((o) => `${o.kind}/${o.metadata.name}`).sort();
const podSpec = (d: K8sObject) => (d as any).spec.template.spec;
const container = (d: K8sObject) => podSpec(d).containers[0];
const mounts = (d: K8sObject) => {
  const vols = Object.fromEntries(podSpec(d).volumes.map((v: any) => [v.name, v]));
  return Object.fromEntries(container(d).volumeMounts.map((m: any) => [m.mountPath, vols[m.name]]));
};
const serverEnvData = (objs: K8sObject[]) => find(objs, 'ConfigMap', 'test-panda-server-env').data as Record<string, string>;

const NONE = [
  'ConfigMap/test-panda-external-sandbox',
  'ConfigMap/test-panda-jedi-configjson',
  'ConfigMap/test-panda-jedi-sandbox',
  'ConfigMap/test-panda-server-configjson',
  'ConfigMap/test-panda-server-env',
  'ConfigMap/test-panda-server-sandbox',
  'Deployment/test-panda-jedi',
  'Deployment/test-panda-postgres',
  'Deployment/test-panda-server',
  'PersistentVolume/test-panda-jedi',
  'PersistentVolume/test-panda-postgres',
  'PersistentVolume/test-panda-server',
  'PersistentVolumeClaim/test-panda-jedi',
  'PersistentVolumeClaim/test-panda-postgres',
  'PersistentVolumeClaim/test-panda-server',
  'Service/test-panda-postgres',
  'Service/test-panda-server',
];

describe('panda: objects', () => {
  it('renders upstream\'s 17 objects by default', () => {
    expect(keys(render())).toEqual(NONE);
  });

  it('lsst: no PVs, claims on the weka class without selector, plus the server Ingress', () => {
    const objs = experiment('lsst');
    expect(objs).toHaveLength(15);
    expect(objs.filter((o) => o.kind === 'PersistentVolume')).toEqual([]);
    for (const pvc of objs.filter((o) => o.kind === 'PersistentVolumeClaim')) {
      expect((pvc as any).spec.storageClassName).toBe('wekafs--sdf-k8s01');
      expect((pvc as any).spec.selector).toBeUndefined();
    }
    const ing = find(objs, 'Ingress', 'test-panda-server');
    expect(ing.spec.rules).toEqual([
      {
        host: 'panda-dev.slac.stanford.edu',
        http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'test-panda-server', port: { number: 443 } } } }] },
      },
    ]);
    expect(ing.spec.tls).toEqual([{ hosts: ['panda-dev.slac.stanford.edu'], secretName: 'panda-k8s-dev-jedi-tls-cert' }]);
    expect((ing as any).metadata.annotations['nginx.ingress.kubernetes.io/ssl-passthrough']).toBe('true');
  });

  it('sphenix: no PVs, nas class, two Routes on the host name, noRoot', () => {
    const objs = experiment('sphenix');
    expect(objs).toHaveLength(16);
    expect(objs.filter((o) => o.kind === 'PersistentVolume')).toEqual([]);
    const https = find(objs, 'Route', 'test-panda-server-route');
    expect(https.spec).toMatchObject({
      host: 'sphenix-pandaserver.apps.rcf.bnl.gov',
      to: { kind: 'Service', name: 'test-panda-server' },
      port: { targetPort: 'https' },
      tls: { termination: 'passthrough', insecureEdgeTerminationPolicy: 'None' },
    });
    const http = find(objs, 'Route', 'http-test-panda-server-route');
    expect(http.spec).toMatchObject({ host: 'http-sphenix-pandaserver.apps.rcf.bnl.gov', port: { targetPort: 'http' } });
    expect(http.spec.tls).toBeUndefined();
    expect(serverEnvData(objs)).toMatchObject({ PANDA_NO_ROOT: '1', http_proxy: 'http://proxy.sdcc.bnl.local:3128' });
  });

  it('Routes without a host name are an error, not a Route with an empty host', () => {
    expect(() => render({ server: { route: { enabled: true } } })).toThrow(PandaError);
  });

  it('objects carry the sub-component selector labels that the PVC selectors and Services use', () => {
    const objs = render();
    const pvc = find(objs, 'PersistentVolumeClaim', 'test-panda-server');
    expect(pvc.spec.selector.matchLabels).toEqual({ 'app.kubernetes.io/name': 'server', 'app.kubernetes.io/instance': 'test-panda' });
    expect(find(objs, 'PersistentVolume', 'test-panda-server').metadata.labels).toMatchObject(pvc.spec.selector.matchLabels);
    const svc = find(objs, 'Service', 'test-panda-server');
    expect(find(objs, 'Deployment', 'test-panda-server').spec.template.metadata.labels).toEqual(svc.spec.selector);
    expect(find(objs, 'PersistentVolume', 'test-panda-postgres').spec.hostPath.path).toBe('/mnt/panda-data');
    expect(find(objs, 'PersistentVolume', 'test-panda-jedi').spec.hostPath.path).toBe('/mnt/panda-jedi-logs');
    expect(find(objs, 'PersistentVolume', 'test-panda-server').spec.hostPath.path).toBe('/mnt/panda-server-logs');
  });
});

describe('panda: server', () => {
  it('container: image, ports, env sources and mounts as upstream', () => {
    const d = find(render(), 'Deployment', 'test-panda-server');
    const c = container(d);
    expect(podSpec(d).hostname).toBe('test-panda');
    expect(c.name).toBe('server');
    expect(c.image).toBe('ghcr.io/pandawms/panda-server:0.0.41');
    expect(c.imagePullPolicy).toBe('Always');
    expect(c.ports).toEqual([
      { name: 'http', containerPort: 25080, protocol: 'TCP' },
      { name: 'https', containerPort: 25443, protocol: 'TCP' },
    ]);
    expect(c.envFrom).toEqual([{ configMapRef: { name: 'test-panda-server-env' } }, { secretRef: { name: 'panda-secrets-panda-envs' } }]);
    expect(c.env).toEqual([
      { name: 'PANDA_SERVER_CONF_SERVERNAME', value: 'test-panda-server' },
      { name: 'no_proxy', value: '$(no_proxy),$(PANDA_IDDS_HOST)' },
    ]);
    expect(mounts(d)).toEqual({
      '/var/log/panda': { name: 'test-panda-server-logs', persistentVolumeClaim: { claimName: 'test-panda-server' } },
      '/opt/panda/etc/config_json': { name: 'test-panda-server-configjson', configMap: { name: 'test-panda-server-configjson' } },
      '/opt/panda/etc/panda/auth': { name: 'test-panda-server-auth', secret: { secretName: 'panda-secrets-panda-auth' } },
      '/opt/panda/sandbox': {
        name: 'test-panda-server-sandbox',
        projected: { sources: [{ configMap: { name: 'test-panda-server-sandbox' } }, { configMap: { name: 'test-panda-external-sandbox' } }] },
      },
      '/opt/panda/etc/cert': { name: 'test-panda-server-certs', secret: { secretName: 'panda-secrets-panda-certs' } },
    });
  });

  it('Service maps 80/443 to the named container ports', () => {
    const svc = find(render(), 'Service', 'test-panda-server');
    expect(svc.spec.type).toBe('ClusterIP');
    expect(svc.spec.ports).toEqual([
      { name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' },
      { name: 'https', port: 443, targetPort: 'https', protocol: 'TCP' },
    ]);
  });

  it('start command waits for the database, installs the sandbox and runs the image launcher', () => {
    const c = container(find(render(), 'Deployment', 'test-panda-server'));
    expect(c.command).toEqual(['/bin/sh', '-c']);
    const script: string = c.args[0];
    const order = ['pg_isready -h ${PANDA_DB_HOST}', 'cp /opt/panda/sandbox/* /data/panda/', 'process_template.py', '/etc/rc.d/init.d/run-panda-services', 'sleep infinity'];
    const positions = order.map((s) => script.indexOf(s));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(script).toContain('chmod +x /data/panda/init-panda /data/panda/run-panda-crons');
  });

  it('autoStart false keeps the image command', () => {
    const objs = render({ server: { autoStart: false }, jedi: { autoStart: false } });
    for (const name of ['test-panda-server', 'test-panda-jedi']) {
      const c = container(find(objs, 'Deployment', name));
      expect(c.command).toBeUndefined();
      expect(c.args).toBeUndefined();
    }
  });
});

describe('panda: server env (proxies, noRoot, no_proxy)', () => {
  it('always defines no_proxy, so $(no_proxy) in the container env expands (no literal "$(no_proxy)")', () => {
    expect(serverEnvData(render())).toEqual({ no_proxy: 'localhost,test-panda-server' });
  });

  it('https_proxy takes httpsProxy, not httpProxy (B5)', () => {
    const env = serverEnvData(render({ server: { httpProxy: 'http://a:1', httpsProxy: 'http://b:2' } }));
    expect(env).toEqual({ http_proxy: 'http://a:1', https_proxy: 'http://b:2', no_proxy: 'localhost,test-panda-server' });
  });

  it('https-only and explicit noProxy', () => {
    expect(serverEnvData(render({ server: { httpsProxy: 'http://b:2', noProxy: 'x,y' } }))).toEqual({ https_proxy: 'http://b:2', no_proxy: 'x,y' });
  });

  it('noRoot sets PANDA_NO_ROOT=1 in the env JEDI reads too', () => {
    const objs = render({ server: { noRoot: true } });
    expect(serverEnvData(objs).PANDA_NO_ROOT).toBe('1');
    expect(container(find(objs, 'Deployment', 'test-panda-jedi')).envFrom[0]).toEqual({ configMapRef: { name: 'test-panda-server-env' } });
    expect(serverEnvData(render()).PANDA_NO_ROOT).toBeUndefined();
  });

  it('lsst: the default no_proxy follows the affix instead of hard-coded -dev names (B20)', () => {
    const env = serverEnvData(experiment('lsst'));
    expect(env).toEqual({
      http_proxy: 'http://squid.slac.stanford.edu:3128',
      https_proxy: 'http://squid.slac.stanford.edu:3128',
      no_proxy: 'localhost,test-panda-server',
    });
    const dev = experiment('lsst', '-dev');
    expect(find(dev, 'ConfigMap', 'panda-dev-server-env').data.no_proxy).toBe('localhost,panda-dev-server');
  });
});

describe('panda: config files', () => {
  const serverJson = (objs: K8sObject[]) => JSON.parse(find(objs, 'ConfigMap', 'test-panda-server-configjson').data['panda_server_config.json']);
  const jediJson = (objs: K8sObject[]) => JSON.parse(find(objs, 'ConfigMap', 'test-panda-jedi-configjson').data['panda_jedi_config.json']);

  it('panda_server_config.json: upstream keys and values; adder_plugins once with the value that won; pserveralias is the server Service', () => {
    const text: string = find(render(), 'ConfigMap', 'test-panda-server-configjson').data['panda_server_config.json'];
    expect(text.match(/"adder_plugins"/g)).toHaveLength(1);
    const c = JSON.parse(text);
    expect(Object.keys(c)).toEqual(['server', 'daemon']);
    expect(c.daemon).toEqual({ enable: 'True' });
    expect(c.server).toEqual({
      CRIC_URL_CM: 'https://atlas-cric.cern.ch/api/core/sitematrix/query/?json&json_pretty=0',
      CRIC_URL_DDMBLACKLIST: 'https://datalake-cric.cern.ch/api/atlas/ddmendpointstatus/query/?json&activity=write_wan&fstate=OFF',
      CRIC_URL_DDMENDPOINTS: 'https://datalake-cric.cern.ch/api/atlas/ddmendpoint/query/?json',
      CRIC_URL_SCHEDCONFIG: 'https://datalake-cric.cern.ch/api/atlas/pandaqueue/query/?json',
      CRIC_URL_SITES: 'https://datalake-cric.cern.ch/api/atlas/site/query/?json',
      adder_plugins: 'wlcg:dataservice.AdderDummyPlugin:AdderDummyPlugin,wlcg:dataservice.AdderSimplePlugin:AdderSimplePlugin:sphenix',
      backend: 'postgres',
      schemaPANDA: 'doma_panda',
      schemaMETA: 'doma_pandameta',
      configurator_use_cert: 'False',
      production_dns: 'iddssv1',
      pserveralias: 'test-panda-server',
      dbhost: '$PANDA_DB_HOST',
      dbpasswd: '$PANDA_DB_PASSWORD',
      setupper_plugins: 'wlcg:dataservice.SetupperDummyPlugin:SetupperDummyPlugin',
      token_authType: 'oidc',
      cache_dir: '/var/cache/pandaserver',
      sandboxHostname: '$PANDA_SANDBOX_HOST',
      mbproxy_configFile: '/opt/panda/etc/panda/panda_mbproxy_config.json',
    });
    // the alias follows the affix: upstream's own `-dev` instance gets upstream's value
    const dev = render({}, '-dev');
    expect(JSON.parse(find(dev, 'ConfigMap', 'panda-dev-server-configjson').data['panda_server_config.json']).server.pserveralias).toBe('panda-dev-server');
  });

  it('panda_jedi_config.json: upstream keys and values', () => {
    expect(jediJson(render())).toEqual({
      db: { backend: 'postgres', dbhost: '$PANDA_DB_HOST', dbpasswd: '$PANDA_DB_PASSWORD' },
      ddm: {
        modConfig: 'wlcg:4:pandajedi.jediddm.GenDDMClient:GenDDMClient::off,wlcg:2:pandajedi.jediddm.AtlasDDMClient:AtlasDDMClient:sphenix',
        endpoints_json_path: 'https://datalake-cric.cern.ch/api/atlas/ddmendpoint/query/?json',
      },
      tasksetup: { modConfig: 'wlcg:any:pandajedi.jedisetup.SimpleTaskSetupper:SimpleTaskSetupper' },
      msgprocessor: { configFile: '/opt/panda/etc/panda/jedi_msg_proc_config.json' },
      mq: { configFile: '/opt/panda/etc/panda/jedi_mq_config.json' },
    });
  });

  it('config overrides merge per key; null removes a key; new sections are added', () => {
    const objs = render({
      server: { config: { server: { pserveralias: 'panda.example.org', token_authType: null }, extra: { a: 'b' } } },
      jedi: { config: { ddm: { modConfig: 'x' } } },
    });
    const s = serverJson(objs);
    expect(s.server.pserveralias).toBe('panda.example.org');
    expect(s.server).not.toHaveProperty('token_authType');
    expect(s.server.backend).toBe('postgres');
    expect(s.extra).toEqual({ a: 'b' });
    expect(jediJson(objs).ddm).toEqual({ modConfig: 'x', endpoints_json_path: 'https://datalake-cric.cern.ch/api/atlas/ddmendpoint/query/?json' });
  });
});

describe('panda: sandboxes', () => {
  const binKeys = (objs: K8sObject[], name: string) => Object.keys(find(objs, 'ConfigMap', name).binaryData).sort();

  it('each sandbox ConfigMap holds its file set', () => {
    const objs = render();
    expect(binKeys(objs, 'test-panda-external-sandbox')).toEqual(['.gitkeep', 'idds.cfg.template', 'idds_token.json.template', 'process_template.py', 'rucio.cfg.template']);
    expect(binKeys(objs, 'test-panda-server-sandbox')).toEqual(['init-panda', 'panda_mbproxy_config.json', 'run-panda-crons']);
    expect(binKeys(objs, 'test-panda-jedi-sandbox')).toEqual(['init-jedi', 'jedi_mq_config.json', 'jedi_msg_proc_config.json', 'run-jedi-crons']);
  });

  it('sandbox files round-trip through base64', () => {
    const cm = find(render(), 'ConfigMap', 'test-panda-server-sandbox');
    expect(Buffer.from(cm.binaryData['init-panda'], 'base64').toString()).toBe(fs.readFileSync(path.join(SANDBOX, 'server', 'init-panda'), 'utf8'));
  });
});

describe('panda: jedi', () => {
  it('reads the server env, config and sandbox (B16: it requires the server sub-component)', () => {
    const d = find(render(), 'Deployment', 'test-panda-jedi');
    const c = container(d);
    expect(podSpec(d).hostname).toBe('test-panda');
    expect(c.name).toBe('jedi');
    expect(c.image).toBe('ghcr.io/pandawms/panda-jedi:0.0.13');
    expect(c.ports).toBeUndefined();
    expect(c.envFrom).toEqual([{ configMapRef: { name: 'test-panda-server-env' } }, { secretRef: { name: 'panda-secrets-panda-envs' } }]);
    expect(c.env).toEqual([{ name: 'no_proxy', value: '$(no_proxy),$(PANDA_IDDS_HOST)' }]);
    const m = mounts(d);
    expect(m['/var/log/panda']).toEqual({ name: 'test-panda-jedi-logs', persistentVolumeClaim: { claimName: 'test-panda-jedi' } });
    expect(m['/opt/panda/etc/config_json'].projected.sources).toEqual([
      { configMap: { name: 'test-panda-jedi-configjson' } },
      { configMap: { name: 'test-panda-server-configjson' } },
    ]);
    expect(m['/opt/panda/sandbox'].projected.sources).toEqual([
      { configMap: { name: 'test-panda-jedi-sandbox' } },
      { configMap: { name: 'test-panda-external-sandbox' } },
      { configMap: { name: 'test-panda-server-sandbox' } },
    ]);
    expect(c.args[0]).toContain('/etc/rc.d/init.d/run-jedi-services');
    const jedi = panda.subs.find((s) => s.name === 'jedi')!;
    expect(jedi.requires).toEqual(['server']);
    expect(jedi.after).toContain('postgres');
    expect(panda.subs.find((s) => s.name === 'server')!.after).toContain('postgres');
  });

  it('B16: disabling the server alone while JEDI is enabled is refused; disabling both is fine', () => {
    expect(() => renderTemplate({ enable: ['panda'], disable: ['panda.server'] })).toThrow(PandaError);
    const objs = renderTemplate({ enable: ['panda'], disable: ['panda.server', 'panda.jedi'] });
    expect(keys(objs)).toEqual(NONE.filter((k) => k.endsWith('/test-panda-postgres')));
  });

  it('a server fullnameOverride moves the names jedi mounts with it', () => {
    const objs = render({ server: { fullnameOverride: 'pandaserver' } });
    const c = container(find(objs, 'Deployment', 'test-panda-jedi'));
    expect(c.envFrom[0]).toEqual({ configMapRef: { name: 'pandaserver-env' } });
    expect(find(objs, 'ConfigMap', 'pandaserver-env')).toBeDefined();
    expect(find(objs, 'ConfigMap', 'pandaserver-sandbox')).toBeDefined();
    expect(find(objs, 'ConfigMap', 'pandaserver-configjson')).toBeDefined();
  });
});

describe('panda: postgres and external database', () => {
  it('postgres: port, env, data mount', () => {
    const objs = render();
    const d = find(objs, 'Deployment', 'test-panda-postgres');
    const c = container(d);
    expect(c.image).toBe('ghcr.io/pandawms/panda-database:0.0.12');
    expect(c.ports).toEqual([{ name: 'postgres-port', containerPort: 5432, protocol: 'TCP' }]);
    expect(c.envFrom).toEqual([{ secretRef: { name: 'panda-secrets-panda-envs' } }]);
    expect(mounts(d)['/temp']).toEqual({ name: 'test-panda-postgres-data', persistentVolumeClaim: { claimName: 'test-panda-postgres' } });
    expect(podSpec(d).hostname).toBeUndefined();
    expect(find(objs, 'Service', 'test-panda-postgres').spec.ports).toEqual([{ name: 'postgres-port', port: 5432, targetPort: 'postgres-port', protocol: 'TCP' }]);
  });

  it('postgres.enabled false (external DB) drops its objects; server and jedi still wait for $PANDA_DB_HOST', () => {
    const objs = render({ postgres: { enabled: false } });
    expect(keys(objs)).toEqual(NONE.filter((k) => !k.endsWith('/test-panda-postgres')));
    for (const name of ['test-panda-server', 'test-panda-jedi']) {
      expect(container(find(objs, 'Deployment', name)).args[0]).toMatch(/pg_isready -h \$\{PANDA_DB_HOST\} -p \$\{PANDA_DB_PORT:-5432\}/);
    }
  });

  it('disabling server and jedi leaves the database alone (no external sandbox)', () => {
    const objs = render({ server: { enabled: false }, jedi: { enabled: false } });
    expect(keys(objs)).toEqual(NONE.filter((k) => k.endsWith('/test-panda-postgres')));
  });
});

describe('panda: values', () => {
  it('unknown keys are errors', () => {
    expect(() => pandaSchema.parse({ server: { bogus: 1 } })).toThrow();
  });

  it('keys upstream files carry but nothing reads are accepted', () => {
    expect(() =>
      pandaSchema.parse({
        jedi: { noRoot: true, httpProxy: 'x', httpsProxy: 'x', noProxy: 'x', server: {} },
        server: { authIdToken: 'FIXME', authVO: 'vo', hostcerts: { enabled: false }, rucioAccount: 'a' },
        postgres: { noRoot: true },
      }),
    ).not.toThrow();
  });

  it('HPA and ServiceAccount options take effect', () => {
    const objs = render({ jedi: { autoscaling: { enabled: true }, serviceAccount: { create: true } } });
    const d = find(objs, 'Deployment', 'test-panda-jedi');
    expect(d.spec.replicas).toBeUndefined();
    expect(find(objs, 'HorizontalPodAutoscaler', 'test-panda-jedi').spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'test-panda-jedi' });
    expect(podSpec(d).serviceAccountName).toBe('test-panda-jedi');
    expect(find(objs, 'ServiceAccount', 'test-panda-jedi')).toBeDefined();
  });
});

/** Upstream's own value files load unchanged (they sit beside the repository in shared/). */
const UPSTREAM = path.resolve(ROOT, '..', 'shared', 'upstream', 'seed', 'values', 'helm', 'panda');
describe.skipIf(!fs.existsSync(UPSTREAM))('panda: upstream value files', () => {
  const load = (f: string) => {
    const v = parseYaml(fs.readFileSync(path.join(UPSTREAM, f), 'utf8')) as Record<string, unknown>;
    delete v.global;
    return v;
  };
  const subchart = (sub: string) => load(`charts/${sub}/values.yaml`);

  it.each(['values.yaml', 'values/values-lsst.yaml', 'values/values-sphenix.yaml'])('%s parses', (f) => {
    expect(() => render(merge(load('values.yaml'), load(f)))).not.toThrow();
  });

  it('sub-chart value files parse as sub-component values', () => {
    for (const sub of ['server', 'jedi', 'postgres']) expect(() => pandaSchema.parse({ [sub]: subchart(sub) })).not.toThrow();
  });

  it('our effective defaults equal upstream\'s sub-chart defaults overlaid by the umbrella values', () => {
    const umbrella = load('values.yaml');
    const ours = pandaSchema.parse({});
    for (const sub of ['server', 'jedi', 'postgres'] as const) {
      const theirs = merge(subchart(sub), umbrella[sub]) as Record<string, any>;
      expect(ours[sub].image).toEqual(theirs.image);
      expect(ours[sub].persistentvolume).toMatchObject(theirs.persistentvolume);
      expect(ours[sub].replicaCount).toBe(theirs.replicaCount);
    }
    expect(ours.server.service).toEqual(subchart('server').service);
    expect(ours.postgres.service).toEqual(subchart('postgres').service);
  });
});
