import type { V1Container, V1Volume, V1VolumeMount } from '@kubernetes/client-node';
import { PandaError } from '../../core/errors.js';
import {
  binaryConfigMap,
  configMap,
  envFrom,
  ingress,
  LABEL,
  labels,
  owner,
  proxyEnv,
  route,
  selectorLabels,
  service,
  vol,
  workload,
  type K8sObject,
  type Owner,
} from '../../core/k8s.js';
import { defineComponent, type RenderContext } from '../types.js';
import { configText, DEFAULT_JEDI_CONFIG, DEFAULT_SERVER_CONFIG, jediConfig, mergeConfig, parseConfigFile, serverConfig, type ConfigSections } from './config.js';
import { pandaSchema, type JediValues, type LogsStorageValues, type PandaValues, type ServerValues } from './values.js';

/** Where the images expect things. */
const SANDBOX_MOUNT = '/opt/panda/sandbox';
const WORK_DIR = '/data/panda';
const LOG_DIR = '/var/log/panda';
const CONFIG_JSON_DIR = '/opt/panda/etc/config_json';
const CERT_DIR = '/opt/panda/etc/cert';
const HTTPD_CONF = '/opt/panda/etc/panda/panda_server-httpd.conf';

/** Payload sets of this component (`sandbox/<set>/`, the checkout's chart folders with --from, `--sandbox-dir DIR/panda/<set>/`). */
export const PAYLOADS = {
  external: { checkout: 'helm/panda/sandbox' },
  server: { checkout: 'helm/panda/charts/server/sandbox' },
  jedi: { checkout: 'helm/panda/charts/jedi/sandbox' },
  'server-config': { checkout: 'helm/panda/charts/server', pattern: /\.json$/ },
  'jedi-config': { checkout: 'helm/panda/charts/jedi', pattern: /\.json$/ },
} as const;

/**
 * The start command of the server and JEDI containers: wait for the database when it is
 * PostgreSQL (an Oracle or external backend has nothing to wait for here), install the sandbox
 * (scripts, message-broker configs, rendered templates) into the work directory, then run the
 * sandbox launcher (`run-<x>-services`: init, crons, service). The server also prepares its cache
 * directory and, when the sandbox carries `panda_server-httpd.conf`, uses it instead of the
 * image's httpd configuration.
 */
export function startCommand(x: 'panda' | 'jedi'): string {
  const steps = [
    'if [ "${PANDA_DB_BACKEND}" = "postgres" ]; then',
    '  until /usr/pgsql-*/bin/pg_isready -h "${PANDA_DB_HOST}" -p "${PANDA_DB_PORT:-5432}"; do echo waiting for database; sleep 2; done',
    'fi',
    `cp ${SANDBOX_MOUNT}/* ${WORK_DIR}/`,
    `chmod +x ${WORK_DIR}/init-${x} ${WORK_DIR}/run-${x}-crons ${WORK_DIR}/run-${x}-services`,
  ];
  if (x === 'panda') {
    steps.push(
      `mkdir -p ${LOG_DIR}/pandacache/jedilog && chmod -R 777 ${LOG_DIR}/pandacache || true`,
      `if [ -f ${SANDBOX_MOUNT}/panda_server-httpd.conf ]; then`,
      `  [ -L ${HTTPD_CONF} ] || mv ${HTTPD_CONF} ${HTTPD_CONF}.back`,
      `  ln -sfn ${SANDBOX_MOUNT}/panda_server-httpd.conf ${HTTPD_CONF}`,
      'fi',
    );
  }
  steps.push(`/opt/panda/bin/python ${WORK_DIR}/process_template.py`);
  if (x === 'panda') steps.push('/opt/panda/bin/panda_common-install_igtf_ca');
  steps.push(`${WORK_DIR}/run-${x}-services`, 'sleep infinity & wait', '');
  return steps.join('\n');
}

/** Names shared between the server and the JEDI pod, which mounts the server's ConfigMaps. */
export function pandaNames(values: PandaValues, ctx: Pick<RenderContext, 'names' | 'secretPrefix'>) {
  const server = ctx.names.sub('server', values.server.fullnameOverride);
  const jedi = ctx.names.sub('jedi', values.jedi.fullnameOverride);
  const secret = (s: string) => `${ctx.secretPrefix}-${s}`;
  return {
    server,
    jedi,
    postgres: ctx.names.sub('postgres', values.postgres.fullnameOverride),
    serverEnv: `${server}-env`,
    serverConfigjson: `${server}-configjson`,
    serverSandbox: `${server}-sandbox`,
    jediConfigjson: `${jedi}-configjson`,
    jediSandbox: `${jedi}-sandbox`,
    external: ctx.names.derived('external-sandbox'),
    nodeRecovery: ctx.names.derived('node-recovery'),
    gateway: `${server}-gateway`,
    secrets: {
      envs: secret('panda-envs'),
      auth: secret('panda-auth'),
      certs: secret('panda-certs'),
      tls: secret('panda-tls-certs'),
      tokenCache: secret('panda-token-cache'),
      cricJsons: secret('cric-jsons'),
      clientCas: secret('panda-client-cas'),
    },
  };
}
type PandaNames = ReturnType<typeof pandaNames>;

/**
 * The server env, also read by JEDI: proxies, PANDA_NO_ROOT and `extraEnv`. `no_proxy` is always
 * set, so the containers' own `no_proxy=$(no_proxy),$(PANDA_IDDS_HOST)` expands instead of keeping
 * the literal `$(no_proxy)`.
 */
export function serverEnv(v: ServerValues, serverName: string): Record<string, string> {
  const defaultNoProxy = `localhost,${serverName}`;
  return {
    ...proxyEnv(v, defaultNoProxy),
    no_proxy: v.noProxy || defaultNoProxy,
    ...(v.noRoot ? { PANDA_NO_ROOT: '1' } : {}),
    ...v.extraEnv,
  };
}

/** The config JSON of the server or JEDI: the built-in default, or `configFile` from the payloads. */
function configFor(ctx: RenderContext, set: 'server-config' | 'jedi-config', file: string, builtin: string, base: () => ConfigSections, where: string): ConfigSections | undefined {
  const payload = ctx.sandbox(set).get(file);
  if (payload) return parseConfigFile(Buffer.from(payload).toString('utf8'), `${set}/${file}`);
  if (file === builtin) return base();
  ctx.missingPayload?.({
    where,
    message: `config file ${file} is not available`,
    fix: `supply it: --from <upstream checkout> (${PAYLOADS[set].checkout}/${file}) or --sandbox-dir DIR with DIR/panda/${set}/${file}; or unset ${where} for the built-in ${builtin}`,
  });
  return undefined;
}

interface LogsVolume {
  volumes: V1Volume[];
  templates: object[];
  mount: V1VolumeMount;
}

/** The logs volume: the chart's own claim (create), a shared claim (sharedPvcName), or a per-pod claim template. */
function logsVolume(name: string, pv: LogsStorageValues): LogsVolume {
  const volName = `${name}-logs`;
  const mount: V1VolumeMount = { name: volName, mountPath: LOG_DIR, ...(pv.subPath ? { subPath: pv.subPath } : {}) };
  if (pv.create) return { volumes: [vol.pvc(volName, name)], templates: [], mount };
  if (pv.sharedPvcName) return { volumes: [vol.pvc(volName, pv.sharedPvcName)], templates: [], mount };
  return {
    volumes: [],
    templates: [
      {
        metadata: { name: volName },
        spec: {
          ...(pv.class !== null ? { storageClassName: pv.class } : {}),
          accessModes: ['ReadWriteOnce'],
          resources: { requests: { storage: pv.size } },
        },
      },
    ],
    mount,
  };
}

function meta(o: Owner, name: string) {
  return { name, labels: labels(o) };
}

/** A hostPath PersistentVolume (class, size, reclaim policy) and a ReadWriteMany claim, bound by selector when asked. */
function hostPathStorage(o: Owner, name: string, pv: { class: string | null; size: string; path: string; selector: boolean; reclaimPolicy?: string }, createPv: boolean): K8sObject[] {
  const cls = pv.class !== null ? { storageClassName: pv.class } : {};
  const out: K8sObject[] = [];
  if (createPv) {
    out.push({
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: meta(o, name),
      spec: {
        ...cls,
        capacity: { storage: pv.size },
        accessModes: ['ReadWriteMany'],
        ...(pv.reclaimPolicy ? { persistentVolumeReclaimPolicy: pv.reclaimPolicy } : {}),
        hostPath: { path: pv.path },
      },
    });
  }
  out.push({
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: meta(o, name),
    spec: {
      ...cls,
      accessModes: ['ReadWriteMany'],
      resources: { requests: { storage: pv.size } },
      ...(pv.selector ? { selector: { matchLabels: selectorLabels(o) } } : {}),
    },
  });
  return out;
}

/** One read-only CSI PV/PVC per CVMFS repository, and the pod volumes and mounts for them. */
function cvmfs(o: Owner, name: string, v: ServerValues['cvmfs']) {
  const objects: K8sObject[] = [];
  const volumes: V1Volume[] = [];
  const mounts: V1VolumeMount[] = [];
  if (!v.enabled) return { objects, volumes, mounts };
  for (const r of v.repositories) {
    const claim = `${name}-cvmfs-${r.name}`;
    objects.push(
      {
        apiVersion: 'v1',
        kind: 'PersistentVolume',
        metadata: meta(o, claim),
        spec: {
          capacity: { storage: '1Gi' },
          accessModes: ['ReadOnlyMany'],
          storageClassName: 'cvmfs',
          persistentVolumeReclaimPolicy: 'Retain',
          csi: { driver: 'cvmfs.csi.cern.ch', volumeHandle: claim, volumeAttributes: { repository: r.repository } },
        },
      },
      {
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: meta(o, claim),
        spec: { accessModes: ['ReadOnlyMany'], storageClassName: 'cvmfs', volumeName: claim, resources: { requests: { storage: '1Gi' } } },
      },
    );
    volumes.push({ name: `cvmfs-${r.name}`, persistentVolumeClaim: { claimName: claim, readOnly: true } });
    mounts.push({ name: `cvmfs-${r.name}`, mountPath: `/cvmfs/${r.repository}` });
  }
  return { objects, volumes, mounts };
}

/** The Deployment from the shared workload builder, turned into a StatefulSet governed by its own Service. */
function statefulSet(objs: K8sObject[], name: string, templates: object[]): K8sObject[] {
  return objs.map((o) => {
    if (o.kind === 'Deployment' && o.metadata.name === name) {
      const spec = o.spec as Record<string, unknown>;
      const { replicas, selector, template } = spec;
      return {
        ...o,
        kind: 'StatefulSet',
        spec: {
          ...(replicas !== undefined ? { replicas } : {}),
          serviceName: name,
          selector,
          template,
          ...(templates.length ? { volumeClaimTemplates: templates } : {}),
        },
      };
    }
    if (o.kind === 'HorizontalPodAutoscaler') {
      const spec = o.spec as { scaleTargetRef: { kind: string } };
      return { ...o, spec: { ...spec, scaleTargetRef: { ...spec.scaleTargetRef, kind: 'StatefulSet' } } };
    }
    return o;
  });
}

/** The certificates volume of server and JEDI: the panda-certs Secret, or `global.existingTlsSecret` mapped to the file names PanDA reads. */
function certsVolume(volName: string, n: PandaNames, existing: string): V1Volume {
  if (!existing) return { name: volName, secret: { secretName: n.secrets.certs } };
  return {
    name: volName,
    secret: {
      secretName: existing,
      items: [
        { key: 'tls.crt', path: 'hostcert.pem' },
        { key: 'tls.key', path: 'hostkey.pem' },
        { key: 'tls.crt', path: 'chain.pem' },
      ],
    },
  };
}

const SERVER_PORTS = [
  { name: 'http', containerPort: 25080, protocol: 'TCP' },
  { name: 'https', containerPort: 25443, protocol: 'TCP' },
];
const servicePorts = (s: ServerValues['service']) => [
  { name: 'http', port: s.httpPort, targetPort: 'http' },
  { name: 'https', port: s.httpsPort, targetPort: 'https' },
];
const NO_PROXY_ENV = { name: 'no_proxy', value: '$(no_proxy),$(PANDA_IDDS_HOST)' };

/** Gateway API exposure of the server, with Envoy Gateway's client-certificate policy and its CA bundle (B22). */
function gatewayObjects(o: Owner, n: PandaNames, sv: ServerValues, tlsSecret: string): K8sObject[] {
  const g = sv.gateway;
  const route = (name: string, port: number, sectionPort: number): K8sObject => ({
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: meta(o, name),
    spec: {
      parentRefs: [{ name: n.gateway, port: sectionPort }],
      hostnames: [sv.hostName],
      rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/' } }], backendRefs: [{ name: n.server, kind: 'Service', port }] }],
    },
  });
  const out: K8sObject[] = [
    {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'Gateway',
      metadata: meta(o, n.gateway),
      spec: {
        gatewayClassName: g.className,
        listeners: [
          { name: 'http', protocol: 'HTTP', port: 80 },
          { name: 'https', protocol: 'HTTPS', port: 443, tls: { mode: 'Terminate', certificateRefs: [{ kind: 'Secret', group: '', name: tlsSecret }] } },
        ],
      },
    },
    route(`${n.server}-route`, sv.service.httpPort, 80),
    route(`${n.server}-route-https`, sv.service.httpsPort, 443),
  ];
  if (g.implementation === 'envoy') {
    out.push(
      configMap(o, n.secrets.clientCas, { 'ca.crt': g.clientCAs }),
      {
        apiVersion: 'gateway.envoyproxy.io/v1alpha1',
        kind: 'ClientTrafficPolicy',
        metadata: meta(o, `${n.gateway}-policy`),
        spec: {
          targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: n.gateway, sectionName: 'https' }],
          headers: { xForwardedClientCert: { mode: 'SanitizeSet', certDetailsToAdd: ['Subject'] } },
          tls: { clientValidation: { caCertificateRefs: [{ kind: 'ConfigMap', group: '', name: n.secrets.clientCas }] } },
        },
      },
    );
  }
  return out;
}

function checkServer(sv: ServerValues): void {
  const issues = [];
  if ((sv.route.enabled || sv.gateway.enabled) && !sv.hostName) {
    issues.push({
      where: 'panda.server.hostName',
      message: `${sv.route.enabled ? 'route' : 'gateway'}.enabled is true but hostName is empty`,
      fix: 'set panda.server.hostName to the external host name of the server (e.g. pandaserver.apps.example.org)',
    });
  }
  if (sv.gateway.enabled && sv.gateway.implementation === 'envoy' && !sv.gateway.clientCAs.trim()) {
    issues.push({
      where: 'panda.server.gateway.clientCAs',
      message: 'the Envoy ClientTrafficPolicy validates client certificates against a CA bundle, and none is given',
      fix: 'set panda.server.gateway.clientCAs to the PEM bundle of the CAs of your users (e.g. the IGTF bundle), or set gateway.implementation to another value to leave client validation to the Gateway',
    });
  }
  if (sv.sharedCache && sv.persistentvolume.create) {
    // upstream mounts the cache claim only without `create`; say so rather than ignore the key
    issues.push({
      where: 'panda.server.sharedCache',
      message: 'sharedCache needs persistentvolume.create: false (with create, the cache stays on the logs volume)',
      fix: 'set panda.server.persistentvolume.create to false and a StorageClass in persistentvolume.class, or drop sharedCache',
    });
  }
  if (issues.length) throw new PandaError('invalid PanDA server values', issues);
}

function renderPanda(values: PandaValues, ctx: RenderContext): K8sObject[] {
  const { server: sv, jedi: jv, postgres: pv, nodeRecovery: nr } = values;
  const n = pandaNames(values, ctx);
  const existingTls = ctx.existingTlsSecret ?? '';
  const tlsSecret = existingTls || n.secrets.tls;
  const out: K8sObject[] = [];

  if (sv.enabled || jv.enabled) {
    out.push(binaryConfigMap(owner('panda', ctx.names.release, 'panda'), n.external, ctx.sandbox('external')));
  }

  if (sv.enabled) {
    checkServer(sv);
    const o = owner('panda', ctx.names.release, 'server', sv.nameOverride);
    const name = n.server;
    const logs = logsVolume(name, sv.persistentvolume);
    const cv = cvmfs(o, name, sv.cvmfs);
    const cache = sv.sharedCache && !sv.persistentvolume.create;
    const config = configFor(ctx, 'server-config', sv.configFile, DEFAULT_SERVER_CONFIG, () => serverConfig(name), 'panda.server.configFile');
    const container: V1Container = {
      name: 'server',
      ...(sv.autoStart ? { command: ['/bin/sh', '-c'], args: [startCommand('panda')] } : {}),
      ports: SERVER_PORTS.map((p) => ({ ...p })),
      // ready once the start script has written its log; alive while httpd accepts connections
      readinessProbe: { exec: { command: ['cat', '/tmp/panda_server_start.log'] }, initialDelaySeconds: 5, periodSeconds: 10 },
      livenessProbe: { tcpSocket: { port: 25080 as never }, initialDelaySeconds: 60, periodSeconds: 30, failureThreshold: 3 },
      volumeMounts: [
        logs.mount,
        { name: `${name}-configjson`, mountPath: CONFIG_JSON_DIR },
        { name: `${name}-auth`, mountPath: '/opt/panda/etc/panda/auth' },
        { name: `${name}-sandbox`, mountPath: SANDBOX_MOUNT },
        { name: `${name}-certs`, mountPath: CERT_DIR },
        { name: `${name}-cric-jsons-volume`, mountPath: '/var/cric' },
        ...(cache ? [{ name: `${name}-cache`, mountPath: `${LOG_DIR}/pandacache` }] : []),
        ...cv.mounts,
      ],
      envFrom: [envFrom.configMap(n.serverEnv), envFrom.secret(n.secrets.envs)],
      env: [{ name: 'PANDA_SERVER_CONF_SERVERNAME', value: name }, NO_PROXY_ENV],
    };
    out.push(
      configMap(o, n.serverConfigjson, { 'panda_server_config.json': config ? configText(mergeConfig(config, sv.config)) : '' }),
      configMap(o, n.serverEnv, serverEnv(sv, name)),
      binaryConfigMap(o, n.serverSandbox, ctx.sandbox('server')),
      ...(sv.persistentvolume.create || cache ? hostPathStorage(o, name, sv.persistentvolume, sv.persistentvolume.create) : []),
      ...cv.objects,
      service(o, name, servicePorts(sv.service), sv.service.type),
      ...statefulSet(
        workload(o, {
          name,
          values: sv,
          hostname: ctx.names.release,
          container,
          volumes: [
            { name: `${name}-configjson`, configMap: { name: n.serverConfigjson } },
            vol.secret(`${name}-auth`, n.secrets.auth),
            {
              name: `${name}-sandbox`,
              projected: { sources: [{ configMap: { name: n.serverSandbox } }, { configMap: { name: n.external } }, { secret: { name: n.secrets.tokenCache, optional: true } }] },
            },
            certsVolume(`${name}-certs`, n, existingTls),
            { name: `${name}-cric-jsons-volume`, secret: { secretName: n.secrets.cricJsons, optional: true } },
            ...(cache ? [vol.pvc(`${name}-cache`, name)] : []),
            ...cv.volumes,
            ...logs.volumes,
          ],
        }),
        name,
        logs.templates,
      ),
    );
    // Ingress TLS always uses the server's TLS Secret, whatever tls[].secretName says (as upstream)
    const withTls = (i: ServerValues['ingress']) => ({ ...i, tls: i.tls.map((t) => ({ ...t, secretName: tlsSecret })) });
    if (sv.ingress.enabled) out.push(ingress(o, name, withTls(sv.ingress), sv.service.httpsPort));
    if (sv.ingress_big.enabled) {
      // a second Ingress to the same Service; its default hosts are `<server>.<domain>` too
      const big = ingress(o, name, withTls(sv.ingress_big), sv.service.httpsPort);
      out.push({ ...big, metadata: { ...big.metadata, name: `${name}-big` } });
    }
    if (sv.route.enabled) {
      out.push(route(o, `${name}-route`, sv.hostName, name, 'https', sv.route.tls), route(o, `http-${name}-route`, `http-${sv.hostName}`, name, 'http'));
    }
    if (sv.gateway.enabled) out.push(...gatewayObjects(o, n, sv, tlsSecret));
  }

  if (jv.enabled) out.push(...renderJedi(jv, n, ctx, existingTls));

  if (pv.enabled) {
    const o = owner('panda', ctx.names.release, 'postgres', pv.nameOverride);
    const name = n.postgres;
    const objs = workload(o, {
      name,
      values: { ...pv, autoscaling: { ...pv.autoscaling, enabled: false } },
      container: {
        name: 'postgres',
        ports: [{ name: 'postgres-port', containerPort: 5432, protocol: 'TCP' }],
        envFrom: [envFrom.secret(n.secrets.envs)],
        // the panda-database image keeps its data in /temp/data (PGDATA)
        volumeMounts: [{ name: `${name}-data`, mountPath: '/temp' }],
        // ready once it accepts connections, so the server and JEDI start after it
        readinessProbe: { tcpSocket: { port: 5432 as never }, initialDelaySeconds: 5, periodSeconds: 10 },
      },
      volumes: [vol.pvc(`${name}-data`, name)],
    });
    for (const d of objs) if (d.kind === 'Deployment') (d.spec as Record<string, unknown>).strategy = { type: 'Recreate' };
    out.push(
      ...hostPathStorage(o, name, pv.persistentvolume, pv.persistentvolume.create),
      service(o, name, [{ name: 'postgres-port', port: pv.service.port, targetPort: 'postgres-port' }], pv.service.type),
      ...objs.map((d) => (d.kind === 'Deployment' ? reorderStrategy(d) : d)),
    );
  }

  if (nr.enabled) out.push(...nodeRecovery(n, ctx, nr.image));
  return out;
}

/** `strategy` right after `replicas`, where readers look for it. */
function reorderStrategy(d: K8sObject): K8sObject {
  const { replicas, strategy, ...rest } = d.spec as Record<string, unknown>;
  return { ...d, spec: { ...(replicas !== undefined ? { replicas } : {}), strategy, ...rest } };
}

function renderJedi(jv: JediValues, n: PandaNames, ctx: RenderContext, existingTls: string): K8sObject[] {
  const o = owner('panda', ctx.names.release, 'jedi', jv.nameOverride);
  const name = n.jedi;
  const logs = logsVolume(name, jv.persistentvolume);
  const cv = cvmfs(o, name, jv.cvmfs);
  const config = configFor(ctx, 'jedi-config', jv.configFile, DEFAULT_JEDI_CONFIG, jediConfig, 'panda.jedi.configFile');
  const container: V1Container = {
    name: 'jedi',
    ...(jv.autoStart ? { command: ['/bin/sh', '-c'], args: [startCommand('jedi')] } : {}),
    ports: SERVER_PORTS.map((p) => ({ ...p })),
    // ready once JEDI writes its log; alive while its master process runs
    readinessProbe: { exec: { command: ['test', '-f', `${LOG_DIR}/panda_jedi_stdout.log`] }, initialDelaySeconds: 30, periodSeconds: 10 },
    livenessProbe: {
      exec: { command: ['sh', '-c', 'test -f /var/run/panda/panda_jedi.pid && kill -0 $(cat /var/run/panda/panda_jedi.pid)'] },
      initialDelaySeconds: 120,
      periodSeconds: 60,
      failureThreshold: 3,
    },
    volumeMounts: [
      logs.mount,
      { name: `${name}-configjson`, mountPath: CONFIG_JSON_DIR },
      { name: `${name}-sandbox`, mountPath: SANDBOX_MOUNT },
      { name: `${name}-certs`, mountPath: CERT_DIR },
      ...cv.mounts,
    ],
    envFrom: [envFrom.configMap(n.serverEnv), envFrom.secret(n.secrets.envs)],
    env: [NO_PROXY_ENV],
  };
  return [
    configMap(o, n.jediConfigjson, { 'panda_jedi_config.json': config ? configText(mergeConfig(config, jv.config)) : '' }),
    binaryConfigMap(o, n.jediSandbox, ctx.sandbox('jedi')),
    ...(jv.persistentvolume.create ? hostPathStorage(o, name, jv.persistentvolume, true) : []),
    ...cv.objects,
    service(o, name, servicePorts(jv.service), jv.service.type),
    ...statefulSet(
      workload(o, {
        name,
        values: jv,
        hostname: ctx.names.release,
        container,
        volumes: [
          certsVolume(`${name}-certs`, n, existingTls),
          {
            name: `${name}-sandbox`,
            projected: {
              sources: [
                { configMap: { name: n.jediSandbox } },
                { configMap: { name: n.external } },
                { configMap: { name: n.serverSandbox } },
                { secret: { name: n.secrets.tokenCache, optional: true } },
              ],
            },
          },
          vol.projected(`${name}-configjson`, [{ configMap: n.jediConfigjson }, { configMap: n.serverConfigjson }]),
          ...cv.volumes,
          ...logs.volumes,
        ],
      }),
      name,
      logs.templates,
    ),
  ];
}

/**
 * Pods stuck terminating on NotReady nodes block a StatefulSet from recreating them elsewhere;
 * every minute this job force-deletes them. The ClusterRole and its binding are cluster-wide, so
 * their names carry the namespace: two stacks with the same affix in two namespaces do not
 * share (and on uninstall delete) each other's (upstream: `<R>-node-recovery`, B28).
 */
function nodeRecovery(n: PandaNames, ctx: RenderContext, image: string): K8sObject[] {
  const o = owner('panda', ctx.names.release, 'node-recovery');
  const ns = ctx.namespace ?? 'default';
  const name = n.nodeRecovery;
  const clusterName = `${name}-${ns}`;
  const clusterMeta = { name: clusterName, labels: { ...labels(o), [LABEL.namespace]: ns } };
  const script = [
    "NOT_READY_NODES=$(kubectl get nodes --no-headers | awk '$2 == \"NotReady\" {print $1}')",
    'if [ -z "$NOT_READY_NODES" ]; then',
    '  echo "All nodes Ready."',
    '  exit 0',
    'fi',
    'for NODE in $NOT_READY_NODES; do',
    '  echo "Node $NODE is NotReady: force-deleting its pods stuck in Terminating"',
    '  kubectl get pods --all-namespaces --field-selector="spec.nodeName=${NODE}" -o json \\',
    "    | jq -r '.items[] | select(.metadata.deletionTimestamp != null) | [.metadata.namespace, .metadata.name] | @tsv' \\",
    "    | while IFS=$'\\t' read -r NS NAME; do",
    '        echo "Force-deleting $NS/$NAME on NotReady node $NODE"',
    '        kubectl delete pod -n "$NS" "$NAME" --force --grace-period=0',
    '      done',
    'done',
    '',
  ].join('\n');
  return [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta(o, name) },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: clusterMeta,
      rules: [
        { apiGroups: [''], resources: ['nodes'], verbs: ['get', 'list'] },
        { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'delete'] },
      ],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { ...clusterMeta, labels: { ...clusterMeta.labels } },
      subjects: [{ kind: 'ServiceAccount', name, namespace: ns }],
      roleRef: { kind: 'ClusterRole', name: clusterName, apiGroup: 'rbac.authorization.k8s.io' },
    },
    {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: meta(o, name),
      spec: {
        schedule: '*/1 * * * *',
        concurrencyPolicy: 'Forbid',
        successfulJobsHistoryLimit: 3,
        failedJobsHistoryLimit: 3,
        jobTemplate: {
          spec: {
            activeDeadlineSeconds: 50,
            template: {
              metadata: { labels: selectorLabels(o) },
              spec: {
                serviceAccountName: name,
                restartPolicy: 'Never',
                containers: [
                  {
                    name: 'node-recovery',
                    image,
                    command: ['/bin/bash', '-c', script],
                    resources: { requests: { cpu: '10m', memory: '32Mi' }, limits: { cpu: '100m', memory: '64Mi' } },
                  },
                ],
              },
            },
          },
        },
      },
    },
  ];
}

export const panda = defineComponent({
  name: 'panda',
  description: 'PanDA server, JEDI and the PanDA database',
  subs: [
    {
      name: 'server',
      description: 'PanDA server (REST API, message-broker proxy, daemons)',
      after: ['postgres'],
      secrets: ['panda-envs', 'panda-auth', 'panda-certs'],
    },
    {
      name: 'jedi',
      description: 'JEDI task engine; mounts the server env, config and sandbox',
      requires: ['server'],
      after: ['postgres'],
      secrets: ['panda-envs', 'panda-certs'],
    },
    { name: 'postgres', description: 'PanDA database (PostgreSQL); disable to use an external database', secrets: ['panda-envs'] },
  ],
  payloads: PAYLOADS,
  schema: pandaSchema,
  render: renderPanda,
});
