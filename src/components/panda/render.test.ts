import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { PandaError } from '../../core/errors.js';
import type { K8sObject } from '../../core/k8s.js';
import { resolveAffix } from '../../core/names.js';
import { loadSandbox } from '../../render/sandbox.js';
import { renderStack, type RenderedStack } from '../../render/stack.js';
import { container, find, HEAD_TREE, mountsOf, podSpec, renderComponent, renderFromCheckout, renderTemplate, SHARED, sortedKindNames } from '../../render/testing.js';
import { readLayers, resolveValues } from '../../render/values.js';
import { panda } from './component.js';
import { startCommand } from './render.js';
import { pandaSchema } from './values.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..', '..', '..');
const SANDBOX = path.join(HERE, 'sandbox');
const SEED = path.join(SHARED, 'upstream', 'seed', 'values', 'helm', 'panda');

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
/** The panda objects of `install -t -e <exp> -c panda` (built-in experiments). */
const experiment = (exp: string, affix = 'test-'): K8sObject[] => renderTemplate({ experiment: exp, enable: ['panda'], affix });

/** The panda part of `install -t --from <checkout> [-e exp]` (the checkout's panda layers and payloads). */
const fromCheckout = (exp: string | undefined, opts: { namespace?: string; sets?: string[] } = {}): RenderedStack =>
  renderFromCheckout('panda', HEAD_TREE, { ...(exp ? { experiment: exp } : {}), ...opts });

/** The issues of the PandaError `f` throws. */
const issuesOf = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    if (e instanceof PandaError) return e.issues;
    throw e;
  }
  throw new Error('no error');
};
const serverEnvData = (objs: K8sObject[]) => find(objs, 'ConfigMap', 'test-panda-server-env').data as Record<string, string>;

/** The ConfigMaps every experiment renders (sorted, as they sort first in every object list). */
const CONFIGMAPS = [
  'ConfigMap/test-panda-external-sandbox',
  'ConfigMap/test-panda-jedi-configjson',
  'ConfigMap/test-panda-jedi-sandbox',
  'ConfigMap/test-panda-server-configjson',
  'ConfigMap/test-panda-server-env',
  'ConfigMap/test-panda-server-sandbox',
];

const NONE = [
  ...CONFIGMAPS,
  'Deployment/test-panda-postgres',
  'PersistentVolume/test-panda-jedi',
  'PersistentVolume/test-panda-postgres',
  'PersistentVolume/test-panda-server',
  'PersistentVolumeClaim/test-panda-jedi',
  'PersistentVolumeClaim/test-panda-postgres',
  'PersistentVolumeClaim/test-panda-server',
  'Service/test-panda-jedi',
  'Service/test-panda-postgres',
  'Service/test-panda-server',
  'StatefulSet/test-panda-jedi',
  'StatefulSet/test-panda-server',
];

describe('panda: objects (HEAD)', () => {
  it("renders upstream HEAD's 18 objects by default: server and JEDI StatefulSets, JEDI's own Service, the database Deployment", () => {
    expect(sortedKindNames(render())).toEqual(NONE);
  });

  it('StatefulSets are governed by their own Service; PVs keep their data (Retain); the database is replaced, not rolled', () => {
    const objs = render();
    for (const n of ['test-panda-server', 'test-panda-jedi']) {
      expect(find(objs, 'StatefulSet', n).spec.serviceName).toBe(n);
      expect(find(objs, 'PersistentVolume', n).spec.persistentVolumeReclaimPolicy).toBe('Retain');
    }
    expect(find(objs, 'Deployment', 'test-panda-postgres').spec.strategy).toEqual({ type: 'Recreate' });
    expect(find(objs, 'Service', 'test-panda-jedi').spec.ports).toEqual([
      { name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' },
      { name: 'https', port: 443, targetPort: 'https', protocol: 'TCP' },
    ]);
  });

  it('lsst: external database, weka claims per pod (claim templates), shared cache claim, Ingress with the server TLS Secret', () => {
    const objs = experiment('lsst');
    expect(sortedKindNames(objs)).toEqual([
      ...CONFIGMAPS,
      'Ingress/test-panda-server',
      'PersistentVolumeClaim/test-panda-server',
      'Service/test-panda-jedi',
      'Service/test-panda-server',
      'StatefulSet/test-panda-jedi',
      'StatefulSet/test-panda-server',
    ]);
    const server = find(objs, 'StatefulSet', 'test-panda-server');
    expect(server.spec.replicas).toBe(2);
    expect(server.spec.volumeClaimTemplates).toEqual([
      { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'test-panda-server-logs' }, spec: { storageClassName: 'wekafs--sdf-k8s01', accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '500Gi' } }, volumeMode: 'Filesystem' }, status: { phase: 'Pending' } },
    ]);
    expect(mountsOf(server)['/var/log/panda/pandacache']).toEqual({ name: 'test-panda-server-cache', persistentVolumeClaim: { claimName: 'test-panda-server' } });
    expect(find(objs, 'PersistentVolumeClaim', 'test-panda-server').spec).toEqual({
      storageClassName: 'wekafs--sdf-k8s01',
      accessModes: ['ReadWriteMany'],
      resources: { requests: { storage: '500Gi' } },
    });
    expect(container(server).resources).toEqual({ limits: { cpu: '8000m', memory: '32Gi' }, requests: { cpu: '8000m', memory: '32Gi' } });
    expect(find(objs, 'StatefulSet', 'test-panda-jedi').spec.replicas).toBe(2);
    const ing = find(objs, 'Ingress', 'test-panda-server');
    expect(ing.spec.rules[0].host).toBe('rubin-panda-server-dev.slac.stanford.edu');
    expect(ing.spec.tls).toEqual([{ hosts: ['rubin-panda-server-dev.slac.stanford.edu'], secretName: 'panda-secrets-panda-tls-certs' }]);
    expect(ing.metadata.annotations!['nginx.ingress.kubernetes.io/backend-protocol']).toBe('HTTPS');
    expect(serverEnvData(objs)).toEqual({ no_proxy: 'localhost,test-panda-server' });
  });

  it('lsst-prod: six server replicas on usdf-panda-server', () => {
    const objs = experiment('lsst-prod');
    expect(find(objs, 'StatefulSet', 'test-panda-server').spec.replicas).toBe(6);
    expect(find(objs, 'Ingress', 'test-panda-server').spec.rules[0].host).toBe('usdf-panda-server.slac.stanford.edu');
  });

  it('sphenix: nas class, two Routes on the host name, noRoot, shared cache', () => {
    const objs = experiment('sphenix');
    expect(objs.filter((o) => o.kind === 'PersistentVolume')).toEqual([]);
    expect(find(objs, 'Route', 'test-panda-server-route').spec).toMatchObject({
      host: 'sphenix-pandaserver.apps.rcf.bnl.gov',
      to: { kind: 'Service', name: 'test-panda-server' },
      port: { targetPort: 'https' },
      tls: { termination: 'passthrough', insecureEdgeTerminationPolicy: 'None' },
    });
    expect(find(objs, 'Route', 'http-test-panda-server-route').spec).toMatchObject({ host: 'http-sphenix-pandaserver.apps.rcf.bnl.gov', port: { targetPort: 'http' } });
    expect(serverEnvData(objs)).toEqual({ PANDA_NO_ROOT: '1', no_proxy: 'localhost,test-panda-server' });
    expect(find(objs, 'PersistentVolumeClaim', 'test-panda-server').spec.storageClassName).toBe('nas');
  });

  it('atlas_testbed: shared logs claim with subPaths, CVMFS per repository, tolerations, anti-affinity, worker env, node recovery', () => {
    const objs = fromCheckout('atlas_testbed').objects;
    const server = find(objs, 'StatefulSet', 'test-panda-server');
    const m = mountsOf(server);
    expect(m['/var/log/panda']).toEqual({ name: 'test-panda-server-logs', persistentVolumeClaim: { claimName: 'panda-shared-logs' }, subPath: 'server-logs' });
    expect(mountsOf(find(objs, 'StatefulSet', 'test-panda-jedi'))['/var/log/panda'].subPath).toBe('jedi-logs');
    expect(m['/cvmfs/atlas.cern.ch']).toEqual({ name: 'cvmfs-atlas', persistentVolumeClaim: { claimName: 'test-panda-server-cvmfs-atlas', readOnly: true } });
    expect(find(objs, 'PersistentVolume', 'test-panda-jedi-cvmfs-atlas-condb').spec).toMatchObject({
      storageClassName: 'cvmfs',
      accessModes: ['ReadOnlyMany'],
      persistentVolumeReclaimPolicy: 'Retain',
      csi: { driver: 'cvmfs.csi.cern.ch', volumeHandle: 'test-panda-jedi-cvmfs-atlas-condb', volumeAttributes: { repository: 'atlas-condb.cern.ch' } },
    });
    expect(find(objs, 'PersistentVolumeClaim', 'test-panda-server-cvmfs-atlas').spec.volumeName).toBe('test-panda-server-cvmfs-atlas');
    expect(server.spec.volumeClaimTemplates).toBeUndefined();
    expect(objs.some((o) => o.kind === 'PersistentVolumeClaim' && o.metadata.name === 'panda-shared-logs')).toBe(false); // harvester creates it
    expect(podSpec(server).tolerations).toHaveLength(2);
    expect(podSpec(server).affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution.map((t: any) => t.podAffinityTerm.labelSelector.matchLabels['app.kubernetes.io/name'])).toEqual([
      'jedi',
      'harvester',
      'main',
      'rest',
    ]);
    expect(serverEnvData(objs)).toEqual({
      no_proxy: 'localhost,test-panda-server',
      PANDA_SERVER_CONF_MIN_WORKERS: '4',
      PANDA_SERVER_CONF_MAX_WORKERS: '100',
      PANDA_SERVER_CONF_NUM_WSGI: '8',
      PANDA_SERVER_CONF_NUM_WSGI_THREAD: '2',
    });
    expect(container(server).image).toBe('ghcr.io/pandawms/panda-server:latest');
    expect(find(objs, 'CronJob', 'test-panda-node-recovery')).toBeDefined();
    expect(find(objs, 'Ingress', 'test-panda-server').metadata.annotations!['nginx.ingress.kubernetes.io/ssl-passthrough']).toBe('true');
  });

  it('Routes or a Gateway without a host name are an error, not an empty host', () => {
    expect(() => render({ server: { hostName: '', route: { enabled: true } } })).toThrow(PandaError);
    expect(() => render({ server: { hostName: '', gateway: { enabled: true, implementation: 'other' } } })).toThrow(PandaError);
  });

  it('sharedCache with create is refused (the cache would silently stay on the logs volume)', () => {
    expect(issuesOf(() => render({ server: { sharedCache: true } }))).toEqual([expect.objectContaining({ where: 'panda.server.sharedCache', message: expect.stringContaining('create: false') })]);
  });
});

describe('panda: server', () => {
  it('container: image, ports, probes, env sources and mounts as HEAD', () => {
    const d = find(render(), 'StatefulSet', 'test-panda-server');
    const c = container(d);
    expect(podSpec(d).hostname).toBe('test-panda');
    expect(c.image).toBe('ghcr.io/pandawms/panda-server:1.0.0');
    expect(c.ports).toEqual([
      { name: 'http', containerPort: 25080, protocol: 'TCP' },
      { name: 'https', containerPort: 25443, protocol: 'TCP' },
    ]);
    expect(c.readinessProbe).toEqual({ exec: { command: ['cat', '/tmp/panda_server_start.log'] }, initialDelaySeconds: 5, periodSeconds: 10 });
    expect(c.livenessProbe).toEqual({ tcpSocket: { port: 25080 }, initialDelaySeconds: 60, periodSeconds: 30, failureThreshold: 3 });
    expect(c.resources).toEqual({ limits: { cpu: '4000m', memory: '16Gi' }, requests: { cpu: '4000m', memory: '16Gi' } });
    expect(c.envFrom).toEqual([{ configMapRef: { name: 'test-panda-server-env' } }, { secretRef: { name: 'panda-secrets-panda-envs' } }]);
    expect(c.env).toEqual([
      { name: 'PANDA_SERVER_CONF_SERVERNAME', value: 'test-panda-server' },
      { name: 'no_proxy', value: '$(no_proxy),$(PANDA_IDDS_HOST)' },
    ]);
    expect(mountsOf(d)).toEqual({
      '/var/log/panda': { name: 'test-panda-server-logs', persistentVolumeClaim: { claimName: 'test-panda-server' } },
      '/opt/panda/etc/config_json': { name: 'test-panda-server-configjson', configMap: { name: 'test-panda-server-configjson' } },
      '/opt/panda/etc/panda/auth': { name: 'test-panda-server-auth', secret: { secretName: 'panda-secrets-panda-auth' } },
      '/opt/panda/sandbox': {
        name: 'test-panda-server-sandbox',
        projected: {
          sources: [
            { configMap: { name: 'test-panda-server-sandbox' } },
            { configMap: { name: 'test-panda-external-sandbox' } },
            { secret: { name: 'panda-secrets-panda-token-cache', optional: true } },
          ],
        },
      },
      '/opt/panda/etc/cert': { name: 'test-panda-server-certs', secret: { secretName: 'panda-secrets-panda-certs' } },
      '/var/cric': { name: 'test-panda-server-cric-jsons-volume', secret: { secretName: 'panda-secrets-cric-jsons', optional: true } },
    });
  });

  it('global.existingTlsSecret replaces the certificates of server and JEDI and the TLS Secret of the Ingress', () => {
    const objs = renderTemplate({ enable: ['panda'], sets: ['global.existingTlsSecret=site-tls', 'panda.server.ingress.enabled=true', 'panda.server.ingress.hosts[0].hostOverride=p.example.org', 'panda.server.ingress.tls[0].hosts[0].hostOverride=p.example.org'] });
    const items = [
      { key: 'tls.crt', path: 'hostcert.pem' },
      { key: 'tls.key', path: 'hostkey.pem' },
      { key: 'tls.crt', path: 'chain.pem' },
    ];
    expect(mountsOf(find(objs, 'StatefulSet', 'test-panda-server'))['/opt/panda/etc/cert'].secret).toEqual({ secretName: 'site-tls', items });
    // upstream left JEDI on the panda-certs Secret, which the secrets chart no longer installs then
    expect(mountsOf(find(objs, 'StatefulSet', 'test-panda-jedi'))['/opt/panda/etc/cert'].secret).toEqual({ secretName: 'site-tls', items });
    expect(find(objs, 'Ingress', 'test-panda-server').spec.tls[0].secretName).toBe('site-tls');
  });

  it('start command: pg_isready only for a PostgreSQL backend, sandbox install, httpd override, sandbox launcher', () => {
    const script = startCommand('panda');
    const order = [
      'if [ "${PANDA_DB_BACKEND}" = "postgres" ]; then',
      'pg_isready -h "${PANDA_DB_HOST}" -p "${PANDA_DB_PORT:-5432}"',
      'cp /opt/panda/sandbox/* /data/panda/',
      'chmod +x /data/panda/init-panda /data/panda/run-panda-crons /data/panda/run-panda-services',
      'mkdir -p /var/log/panda/pandacache/jedilog',
      'if [ -f /opt/panda/sandbox/panda_server-httpd.conf ]; then',
      'ln -sfn /opt/panda/sandbox/panda_server-httpd.conf /opt/panda/etc/panda/panda_server-httpd.conf',
      '/opt/panda/bin/python /data/panda/process_template.py',
      '\n/data/panda/run-panda-services',
      'sleep infinity & wait',
    ];
    const positions = order.map((s) => script.indexOf(s));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(startCommand('jedi')).not.toContain('httpd');
    expect(startCommand('jedi')).toContain('\n/data/panda/run-jedi-services\n');
    expect(container(find(render(), 'StatefulSet', 'test-panda-server')).args).toEqual([script]);
  });

  it.skipIf(!fs.existsSync('/bin/sh'))('start command is valid sh', async () => {
    const { spawnSync } = await import('node:child_process');
    for (const x of ['panda', 'jedi'] as const) expect(spawnSync('sh', ['-n', '-c', startCommand(x)]).status).toBe(0);
  });

  it('autoStart false keeps the image command', () => {
    const objs = render({ server: { autoStart: false }, jedi: { autoStart: false } });
    for (const name of ['test-panda-server', 'test-panda-jedi']) {
      expect(container(find(objs, 'StatefulSet', name)).command).toBeUndefined();
      expect(container(find(objs, 'StatefulSet', name)).args).toBeUndefined();
    }
  });

  it('volumeClaimTemplates fallback: no PV, no shared claim, no cache', () => {
    const objs = render({ server: { persistentvolume: { create: false, class: 'fast' } } });
    const d = find(objs, 'StatefulSet', 'test-panda-server');
    expect(d.spec.volumeClaimTemplates).toEqual([
      { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'test-panda-server-logs' }, spec: { storageClassName: 'fast', accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '5Gi' } }, volumeMode: 'Filesystem' }, status: { phase: 'Pending' } },
    ]);
    expect(podSpec(d).volumes.some((v: any) => v.name === 'test-panda-server-logs')).toBe(false);
    expect(objs.some((o) => o.metadata.name === 'test-panda-server' && /^Persistent/.test(o.kind))).toBe(false);
  });

  it('ingress_big: a second Ingress <server>-big to the same Service', () => {
    const objs = render({ server: { ingress_big: { enabled: true, hosts: [{ domain: 'example.org' }], tls: [{ hosts: [{ domain: 'example.org' }] }] } } });
    const big = find(objs, 'Ingress', 'test-panda-server-big');
    expect(big.spec.rules).toEqual([
      { host: 'test-panda-server.example.org', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'test-panda-server', port: { number: 443 } } } }] } },
    ]);
    expect(big.spec.tls).toEqual([{ hosts: ['test-panda-server.example.org'], secretName: 'panda-secrets-panda-tls-certs' }]);
  });
});

describe('panda: Gateway API', () => {
  const gw = (extra: object = {}) =>
    render({ server: { hostName: 'panda.example.org', gateway: { enabled: true, className: 'eg', clientCAs: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n', ...extra } } });

  it('Gateway with HTTP and HTTPS listeners (TLS terminated with the server TLS Secret) and one HTTPRoute per port', () => {
    const objs = gw();
    expect(find(objs, 'Gateway', 'test-panda-server-gateway').spec).toEqual({
      gatewayClassName: 'eg',
      listeners: [
        { name: 'http', protocol: 'HTTP', port: 80 },
        { name: 'https', protocol: 'HTTPS', port: 443, tls: { mode: 'Terminate', certificateRefs: [{ kind: 'Secret', group: '', name: 'panda-secrets-panda-tls-certs' }] } },
      ],
    });
    for (const [name, port, listener] of [
      ['test-panda-server-route', 80, 80],
      ['test-panda-server-route-https', 443, 443],
    ] as const) {
      expect(find(objs, 'HTTPRoute', name).spec).toEqual({
        parentRefs: [{ name: 'test-panda-server-gateway', port: listener }],
        hostnames: ['panda.example.org'],
        rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/' } }], backendRefs: [{ name: 'test-panda-server', kind: 'Service', port }] }],
      });
    }
  });

  it('envoy: a ClientTrafficPolicy on the HTTPS listener and the client-CA ConfigMap it names (B22)', () => {
    const objs = gw();
    const policy = find(objs, 'ClientTrafficPolicy', 'test-panda-server-gateway-policy');
    expect(policy.apiVersion).toBe('gateway.envoyproxy.io/v1alpha1');
    expect(policy.spec.targetRefs).toEqual([{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'test-panda-server-gateway', sectionName: 'https' }]);
    expect(policy.spec.headers).toEqual({ xForwardedClientCert: { mode: 'SanitizeSet', certDetailsToAdd: ['Subject'] } });
    const ref = policy.spec.tls.clientValidation.caCertificateRefs[0];
    expect(ref).toEqual({ kind: 'ConfigMap', group: '', name: 'panda-secrets-panda-client-cas' });
    expect(find(objs, 'ConfigMap', ref.name).data['ca.crt']).toContain('BEGIN CERTIFICATE');
  });

  it('envoy without a CA bundle is refused, naming the value to set; another implementation needs none', () => {
    expect(issuesOf(() => gw({ clientCAs: '' })).map((i) => i.where)).toEqual(['panda.server.gateway.clientCAs']);
    const objs = gw({ clientCAs: '', implementation: 'other' });
    expect(objs.some((o) => o.kind === 'ClientTrafficPolicy' || o.metadata.name.endsWith('client-cas'))).toBe(false);
    expect(find(objs, 'Gateway', 'test-panda-server-gateway')).toBeDefined();
  });
});

describe('panda: server env', () => {
  it('always defines no_proxy, so $(no_proxy) in the container env expands (upstream leaves it undefined: a literal "$(no_proxy)")', () => {
    expect(serverEnvData(render())).toEqual({ no_proxy: 'localhost,test-panda-server' });
  });

  it('https_proxy takes httpsProxy, not httpProxy (B5); no_proxy defaults to the stack own names', () => {
    expect(serverEnvData(render({ server: { httpProxy: 'http://a:1', httpsProxy: 'http://b:2' } }))).toEqual({
      http_proxy: 'http://a:1',
      https_proxy: 'http://b:2',
      no_proxy: 'localhost,test-panda-server',
    });
  });

  it('noRoot and extraEnv land in the env JEDI reads too; unquoted numbers become strings', () => {
    const objs = render({ server: { noRoot: true, extraEnv: { PANDA_SERVER_CONF_MIN_WORKERS: 4 } } });
    expect(serverEnvData(objs)).toEqual({ no_proxy: 'localhost,test-panda-server', PANDA_NO_ROOT: '1', PANDA_SERVER_CONF_MIN_WORKERS: '4' });
    expect(container(find(objs, 'StatefulSet', 'test-panda-jedi')).envFrom[0]).toEqual({ configMapRef: { name: 'test-panda-server-env' } });
  });
});

describe('panda: config files', () => {
  const serverJson = (objs: K8sObject[]) => JSON.parse(find(objs, 'ConfigMap', 'test-panda-server-configjson').data['panda_server_config.json']);
  const jediJson = (objs: K8sObject[]) => JSON.parse(find(objs, 'ConfigMap', 'test-panda-jedi-configjson').data['panda_jedi_config.json']);

  it('built-in server config: database, CRIC and host from the environment; pserveralias is the server Service (B20)', () => {
    const c = serverJson(render());
    expect(Object.keys(c)).toEqual(['server', 'daemon']);
    expect(c.server).toMatchObject({
      backend: '$PANDA_DB_BACKEND',
      dbhost: '$PANDA_DB_HOST',
      dbport: '$PANDA_DB_PORT',
      dbuser: '$PANDA_DB_USER',
      dbname: '$PANDA_DB_NAME',
      schemaPANDA: '$PANDA_DB_SCHEMAPANDA',
      CRIC_URL_SCHEDCONFIG: '$PANDA_CRIC_SCHEDCONFIG',
      pserverhost: '$PANDA_HOSTNAME',
      pserveralias: 'test-panda-server',
      mq_configFile: '/opt/panda/etc/panda/panda_mbproxy_config.json',
      token_cache_config: '/data/panda/token_cache_config.json',
    });
    expect(c.daemon).toEqual({ enable: 'True', n_proc: '6', n_dbconn: '1' });
    expect(jediJson(render()).db.backend).toBe('$PANDA_DB_BACKEND');
  });

  it('config overrides merge per key; null removes a key; new sections are added', () => {
    const objs = render({ server: { config: { server: { pserveralias: 'panda.example.org', token_authType: null }, extra: { a: 'b' } } }, jedi: { config: { ddm: { modConfig: 'x' } } } });
    const s = serverJson(objs);
    expect(s.server.pserveralias).toBe('panda.example.org');
    expect(s.server).not.toHaveProperty('token_authType');
    expect(s.extra).toEqual({ a: 'b' });
    expect(jediJson(objs).ddm.modConfig).toBe('x');
  });

  it('an experiment configFile without its payload: the template warns, a real install refuses, naming the file and where to put it', () => {
    const r = renderStack({
      values: resolveValues(readLayers({ experiment: 'atlas_testbed' }).filter((l) => l.scope[0] === 'panda')),
      affix: resolveAffix('test-', undefined),
      selection: { enable: ['panda'] },
      sandbox: (c) => loadSandbox(c),
    });
    expect(r.missing.map((i) => i.where)).toEqual(['panda.server.configFile', 'panda.jedi.configFile']);
    expect(r.missing[0]!.message).toContain('panda_server_config.atlas_testbed.json');
    expect(r.missing[0]!.fix).toContain('--sandbox-dir DIR with DIR/panda/server-config/panda_server_config.atlas_testbed.json');
  });

  it('a configFile from --sandbox-dir is used, and invalid JSON is an error naming it', () => {
    const dir = fs.mkdtempSync(path.join(ROOT, 'node_modules', '.tmp-panda-'));
    try {
      fs.mkdirSync(path.join(dir, 'panda', 'server-config'), { recursive: true });
      fs.writeFileSync(path.join(dir, 'panda', 'server-config', 'site.json'), '{"server": {"pserveralias": "site"}}');
      const objs = renderTemplate({ enable: ['panda'], sandboxDirs: [dir], sets: ['panda.server.configFile=site.json'] });
      expect(serverJson(objs)).toEqual({ server: { pserveralias: 'site' } });
      fs.writeFileSync(path.join(dir, 'panda', 'server-config', 'site.json'), '{"server": ');
      expect(() => renderTemplate({ enable: ['panda'], sandboxDirs: [dir], sets: ['panda.server.configFile=site.json'] })).toThrow(/server-config\/site\.json/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('panda: sandboxes', () => {
  const binKeys = (objs: K8sObject[], name: string) => Object.keys(find(objs, 'ConfigMap', name).binaryData).sort();

  it('built-in file sets, with the launchers and log rotation of HEAD', () => {
    const objs = render();
    expect(binKeys(objs, 'test-panda-external-sandbox')).toEqual(['.gitkeep', 'idds.cfg.template', 'idds_token.json.template', 'process_template.py', 'rucio.cfg.template', 'rucio_rse_usage.json']);
    expect(binKeys(objs, 'test-panda-server-sandbox')).toEqual(['init-panda', 'logrotate-panda', 'panda_mbproxy_config.json', 'run-panda-crons', 'run-panda-services']);
    expect(binKeys(objs, 'test-panda-jedi-sandbox')).toEqual(['init-jedi', 'jedi_mq_config.json', 'jedi_msg_proc_config.json', 'logrotate-jedi', 'run-jedi-crons', 'run-jedi-services']);
    const cm = find(objs, 'ConfigMap', 'test-panda-server-sandbox');
    expect(Buffer.from(cm.binaryData['init-panda'], 'base64').toString()).toBe(fs.readFileSync(path.join(SANDBOX, 'server', 'init-panda'), 'utf8'));
  });

  it.skipIf(!fs.existsSync(HEAD_TREE))('--from: the checkout payloads replace the built-in sets (httpd override, tnsnames, config JSONs)', () => {
    const objs = fromCheckout(undefined).objects;
    expect(binKeys(objs, 'test-panda-server-sandbox')).toContain('panda_server-httpd.conf');
    expect(binKeys(objs, 'test-panda-external-sandbox')).toContain('tnsnames.ora');
    const ours = fs.readFileSync(path.join(HEAD_TREE, 'helm/panda/charts/server/sandbox/init-panda'));
    expect(find(objs, 'ConfigMap', 'test-panda-server-sandbox').binaryData['init-panda']).toBe(ours.toString('base64'));
  });
});

describe('panda: jedi', () => {
  it('on the panda-server image; reads the server env, config and sandbox (B16: requires the server)', () => {
    const d = find(render(), 'StatefulSet', 'test-panda-jedi');
    const c = container(d);
    expect(c.image).toBe('ghcr.io/pandawms/panda-server:1.0.0');
    expect(c.readinessProbe.exec.command).toEqual(['test', '-f', '/var/log/panda/panda_jedi_stdout.log']);
    expect(c.livenessProbe.exec.command[2]).toContain('/var/run/panda/panda_jedi.pid');
    expect(c.envFrom).toEqual([{ configMapRef: { name: 'test-panda-server-env' } }, { secretRef: { name: 'panda-secrets-panda-envs' } }]);
    const m = mountsOf(d);
    expect(m['/opt/panda/etc/config_json'].projected.sources).toEqual([{ configMap: { name: 'test-panda-jedi-configjson' } }, { configMap: { name: 'test-panda-server-configjson' } }]);
    expect(m['/opt/panda/sandbox'].projected.sources.map((s: any) => s.configMap?.name ?? s.secret.name)).toEqual([
      'test-panda-jedi-sandbox',
      'test-panda-external-sandbox',
      'test-panda-server-sandbox',
      'panda-secrets-panda-token-cache',
    ]);
    expect(m['/opt/panda/etc/cert']).toEqual({ name: 'test-panda-jedi-certs', secret: { secretName: 'panda-secrets-panda-certs' } });
    expect(panda.subs.find((s) => s.name === 'jedi')!.requires).toEqual(['server']);
  });

  it('B16: disabling the server alone while JEDI is enabled is refused; disabling both is fine', () => {
    expect(() => renderTemplate({ enable: ['panda'], disable: ['panda.server'] })).toThrow(PandaError);
    const objs = renderTemplate({ enable: ['panda'], disable: ['panda.server', 'panda.jedi'] });
    expect(sortedKindNames(objs)).toEqual(NONE.filter((k) => k.endsWith('/test-panda-postgres')));
  });
});

describe('panda: postgres', () => {
  it('HEAD image, port, env, data mount; ready when it accepts connections', () => {
    const objs = render();
    const c = container(find(objs, 'Deployment', 'test-panda-postgres'));
    expect(c.image).toBe('ghcr.io/pandawms/panda-database:0.1.5-2');
    expect(c.ports).toEqual([{ name: 'postgres-port', containerPort: 5432, protocol: 'TCP' }]);
    expect(c.readinessProbe.tcpSocket).toEqual({ port: 'postgres-port' });
    expect(mountsOf(find(objs, 'Deployment', 'test-panda-postgres'))['/temp']).toEqual({ name: 'test-panda-postgres-data', persistentVolumeClaim: { claimName: 'test-panda-postgres' } });
    expect(find(objs, 'PersistentVolume', 'test-panda-postgres').spec.persistentVolumeReclaimPolicy).toBeUndefined();
  });

  it('postgres.enabled false (external DB) drops its objects', () => {
    expect(sortedKindNames(render({ postgres: { enabled: false } }))).toEqual(NONE.filter((k) => !k.endsWith('/test-panda-postgres')));
  });
});

describe('panda: HPAs (B24)', () => {
  it('autoscaling/v2 targeting the StatefulSets; never the database', () => {
    const objs = render({ server: { autoscaling: { enabled: true } }, jedi: { autoscaling: { enabled: true, targetMemoryUtilizationPercentage: 70 } }, postgres: { autoscaling: { enabled: true } } });
    for (const n of ['test-panda-server', 'test-panda-jedi']) {
      const h = find(objs, 'HorizontalPodAutoscaler', n);
      expect(h.apiVersion).toBe('autoscaling/v2');
      expect(h.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'StatefulSet', name: n });
      expect(find(objs, 'StatefulSet', n).spec.replicas).toBeUndefined();
    }
    expect(find(objs, 'HorizontalPodAutoscaler', 'test-panda-jedi').spec.metrics[1].resource).toEqual({ name: 'memory', target: { type: 'Utilization', averageUtilization: 70 } });
    expect(objs.some((o) => o.kind === 'HorizontalPodAutoscaler' && o.metadata.name === 'test-panda-postgres')).toBe(false);
    expect(find(objs, 'Deployment', 'test-panda-postgres').spec.replicas).toBe(1);
  });
});

describe('panda: node recovery (B28)', () => {
  const nr = (ns?: string) => renderTemplate({ enable: ['panda'], sets: ['panda.nodeRecovery.enabled=true'], ...(ns ? { namespace: ns } : {}) });

  it('CronJob every minute under its own ServiceAccount with a ClusterRole on nodes and pods', () => {
    const objs = nr();
    const job = find(objs, 'CronJob', 'test-panda-node-recovery');
    expect(job.spec).toMatchObject({ schedule: '*/1 * * * *', concurrencyPolicy: 'Forbid', jobTemplate: { spec: { activeDeadlineSeconds: 50 } } });
    const pod = podSpec(job);
    expect(pod.serviceAccountName).toBe('test-panda-node-recovery');
    expect(pod.containers[0].image).toBe('bitnami/kubectl:latest');
    expect(find(objs, 'ServiceAccount', 'test-panda-node-recovery')).toBeDefined();
    expect(find(objs, 'ClusterRole', 'test-panda-node-recovery-default').rules).toEqual([
      { apiGroups: [''], resources: ['nodes'], verbs: ['get', 'list'] },
      { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'delete'] },
    ]);
  });

  it('the cluster-wide objects carry the namespace: two stacks with one affix in two namespaces do not collide', () => {
    const a = nr('site-a');
    const b = nr('site-b');
    const cluster = (objs: K8sObject[]) => objs.filter((o) => o.kind.startsWith('Cluster')).map((o) => o.metadata.name);
    expect(cluster(a)).toEqual(['test-panda-node-recovery-site-a', 'test-panda-node-recovery-site-a']);
    expect(cluster(a).filter((n) => cluster(b).includes(n))).toEqual([]);
    const binding = find(a, 'ClusterRoleBinding', 'test-panda-node-recovery-site-a');
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'test-panda-node-recovery', namespace: 'site-a' }]);
    expect(binding.roleRef).toEqual({ kind: 'ClusterRole', name: 'test-panda-node-recovery-site-a', apiGroup: 'rbac.authorization.k8s.io' });
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
});

/** Upstream's value files load unchanged (they sit beside the repository in shared/). */
describe.skipIf(!fs.existsSync(HEAD_TREE))('panda: upstream HEAD value files', () => {
  const dir = path.join(HEAD_TREE, 'helm', 'panda');
  const load = (f: string) => {
    const v = parseYaml(fs.readFileSync(path.join(dir, f), 'utf8')) as Record<string, unknown>;
    delete v.global;
    return v;
  };
  const subchart = (sub: string) => load(`charts/${sub}/values.yaml`);
  const experiments = fs.readdirSync(path.join(dir, 'values')).map((f) => /^values-(.+)\.yaml$/.exec(f)![1]!);

  it('has an overlay for each experiment we ship', () => {
    expect(experiments.sort()).toEqual(['atlas_testbed', 'cern', 'dev', 'lsst', 'lsst-prod', 'sphenix']);
  });

  it.each(experiments)('values-%s.yaml renders with --from', (exp) => {
    const r = fromCheckout(exp);
    expect(r.missing).toEqual([]);
    expect(r.objects.length).toBeGreaterThan(10);
  });

  it('sub-chart value files parse as sub-component values', () => {
    for (const sub of ['server', 'jedi', 'postgres']) expect(() => pandaSchema.parse({ [sub]: subchart(sub) })).not.toThrow();
  });

  it("our effective defaults equal upstream HEAD's sub-chart defaults overlaid by the umbrella values", () => {
    const umbrella = load('values.yaml');
    const ours = pandaSchema.parse({});
    for (const sub of ['server', 'jedi', 'postgres'] as const) {
      const theirs = merge(subchart(sub), umbrella[sub]) as Record<string, any>;
      expect(ours[sub].image).toEqual(theirs.image);
      expect(ours[sub].persistentvolume).toMatchObject(theirs.persistentvolume);
      expect(ours[sub].replicaCount).toBe(theirs.replicaCount);
      expect(ours[sub].resources).toEqual(theirs.resources);
      // the database is never autoscaled: its autoscaling key is accepted and has no effect
      if (sub !== 'postgres') expect(ours[sub].autoscaling).toEqual(theirs.autoscaling);
    }
    const server = merge(subchart('server'), umbrella.server) as Record<string, any>;
    expect(ours.server.service).toEqual(server.service);
    expect(ours.server.ingress.annotations).toEqual(server.ingress.annotations);
    expect(ours.server.gateway).toMatchObject(server.gateway);
    expect(ours.server.hostName).toBe(server.hostName);
    expect(ours.server.sharedCache).toBe(server.sharedCache);
    expect(ours.jedi.service).toEqual(subchart('jedi').service);
    expect(ours.postgres.service).toEqual(subchart('postgres').service);
    expect(ours.nodeRecovery).toEqual(umbrella.nodeRecovery);
  });

  it.each(experiments)('built-in experiment %s equals upstream HEAD overlay', (exp) => {
    const ours = resolveValues(readLayers({ experiment: exp }).filter((l) => l.scope[0] === 'panda')).panda;
    const theirs = resolveValues(readLayers({ from: HEAD_TREE, experiment: exp }).filter((l) => l.scope[0] === 'panda' && l.source.includes('/values/'))).panda;
    // upstream's tls[].secretName values and postgres.noRoot have no effect (the server TLS Secret is used); ours leave them out
    const strip = (v: typeof ours) => {
      const c = JSON.parse(JSON.stringify(v, (k, x) => (k === 'secretName' ? undefined : x)));
      delete c.postgres.noRoot;
      return c;
    };
    expect(strip(ours)).toEqual(strip(theirs));
  });
});

describe.skipIf(!fs.existsSync(SEED))('panda: seed (2022) value files still load', () => {
  const load = (f: string) => {
    const v = parseYaml(fs.readFileSync(path.join(SEED, f), 'utf8')) as Record<string, unknown>;
    delete v.global;
    return v;
  };
  it.each(['values.yaml', 'values/values-lsst.yaml', 'values/values-sphenix.yaml'])('%s renders', (f) => {
    const objs = render(merge(load('values.yaml'), load(f)));
    expect(objs.some((o) => o.kind === 'StatefulSet')).toBe(true);
  });
});
