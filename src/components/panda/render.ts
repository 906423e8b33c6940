import { PandaError, type Issue } from '../../core/errors.js';
import { database } from '../../core/database.js';
import { binaryConfigMap, configMap, ingress, LABEL, labels, meta, owner, proxyEnv, route, selectorLabels, service, type K8sObject, type Owner } from '../../core/k8s.js';
import { envFrom, mount, port, type ContainerSpec, type Volume } from '../../core/pod.js';
import { probe } from '../../core/probes.js';
import { cvmfs, sharedClaim, storage } from '../../core/storage.js';
import { workload } from '../../core/workload.js';
import { secretRefs } from '../../secrets/refs.js';
import type { ComponentPart, RenderContext } from '../define.js';
import { configText, DEFAULT_JEDI_CONFIG, DEFAULT_SERVER_CONFIG, jediConfig, mergeConfig, parseConfigFile, serverConfig, type ConfigSections } from './config.js';
import type { JediValues, PandaValues, ServerValues } from './values.js';

/** Where the panda-server image (server and JEDI) expects things. */
const IN_IMAGE = {
  sandbox: '/opt/panda/sandbox',
  work: '/data/panda',
  logs: '/var/log/panda',
  configJson: '/opt/panda/etc/config_json',
  certs: '/opt/panda/etc/cert',
  httpdConf: '/opt/panda/etc/panda/panda_server-httpd.conf',
} as const;

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
    `cp ${IN_IMAGE.sandbox}/* ${IN_IMAGE.work}/`,
    `chmod +x ${IN_IMAGE.work}/init-${x} ${IN_IMAGE.work}/run-${x}-crons ${IN_IMAGE.work}/run-${x}-services`,
  ];
  if (x === 'panda') {
    steps.push(
      `mkdir -p ${IN_IMAGE.logs}/pandacache/jedilog && chmod -R 777 ${IN_IMAGE.logs}/pandacache || true`,
      `if [ -f ${IN_IMAGE.sandbox}/panda_server-httpd.conf ]; then`,
      `  [ -L ${IN_IMAGE.httpdConf} ] || mv ${IN_IMAGE.httpdConf} ${IN_IMAGE.httpdConf}.back`,
      `  ln -sfn ${IN_IMAGE.sandbox}/panda_server-httpd.conf ${IN_IMAGE.httpdConf}`,
      'fi',
    );
  }
  steps.push(`/opt/panda/bin/python ${IN_IMAGE.work}/process_template.py`);
  if (x === 'panda') steps.push('/opt/panda/bin/panda_common-install_igtf_ca');
  steps.push(`${IN_IMAGE.work}/run-${x}-services`, 'sleep infinity & wait', '');
  return steps.join('\n');
}

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


/** Names the server, JEDI and umbrella objects share (JEDI mounts the server's env, config and sandbox). */
function pandaNames(server: ComponentPart, ctx: RenderContext) {
  const sn = server.names;
  return {
    serverEnv: sn.configMap('env'),
    serverConfigjson: sn.configMap('configjson'),
    serverSandbox: sn.configMap('sandbox'),
    external: ctx.names.derived('external-sandbox'),
    nodeRecovery: ctx.names.derived('node-recovery'),
    gateway: sn.configMap('gateway'),
    // optional Secrets: the token cache (OIDC) and the CRIC JSONs (only with cric.real false)
    tokenCache: secretRefs.pandaTokenCache.name(ctx.secretPrefix),
    cricJsons: secretRefs.cricJsons.name(ctx.secretPrefix),
    tls: ctx.existingTlsSecret || secretRefs.pandaTlsCerts.name(ctx.secretPrefix),
    clientCas: `${ctx.secretPrefix}-panda-client-cas`,
  };
}
type PandaNames = ReturnType<typeof pandaNames>;

/** The config JSON of the server or JEDI: the built-in default, or `configFile` from the payloads. */
function configFor(ctx: RenderContext, set: 'server-config' | 'jedi-config', file: string, builtin: string, base: () => ConfigSections, where: string): ConfigSections | undefined {
  const payload = ctx.sandbox(set).get(file);
  if (payload) return parseConfigFile(Buffer.from(payload).toString('utf8'), `${set}/${file}`);
  if (file === builtin) return base();
  ctx.missingPayload({
    where,
    message: `config file ${file} is not available`,
    fix: `supply it: --from <upstream checkout> (${PAYLOADS[set].checkout}/${file}) or --sandbox-dir DIR with DIR/panda/${set}/${file}; or unset ${where} for the built-in ${builtin}`,
  });
  return undefined;
}

/** The certificates of server and JEDI: the panda-certs Secret, or `global.existingTlsSecret` mapped to the file names PanDA reads. */
function certsVolume(part: ComponentPart, ctx: RenderContext): Volume {
  const existing = ctx.existingTlsSecret;
  if (!existing) return { role: 'certs', source: { secret: { secretName: part.secret(secretRefs.pandaCerts) } } };
  const items = [
    { key: 'tls.crt', path: 'hostcert.pem' },
    { key: 'tls.key', path: 'hostkey.pem' },
    { key: 'tls.crt', path: 'chain.pem' },
  ];
  return { role: 'certs', source: { secret: { secretName: existing, items } } };
}

/** A projected volume of ConfigMaps plus the optional token-cache Secret. */
const sandboxVolume = (configMaps: string[], tokenCache: string): Volume => ({
  role: 'sandbox',
  source: { projected: { sources: [...configMaps.map((name) => ({ configMap: { name } })), { secret: { name: tokenCache, optional: true } }] } },
});

const SERVER_PORTS = () => [port('http', 25080), port('https', 25443)];
const servicePorts = (s: ServerValues['service']) => [
  { name: 'http', port: s.httpPort, targetPort: 'http' },
  { name: 'https', port: s.httpsPort, targetPort: 'https' },
];
const NO_PROXY_ENV = { name: 'no_proxy', value: '$(no_proxy),$(PANDA_IDDS_HOST)' };

export function renderPanda(values: PandaValues, ctx: RenderContext): K8sObject[] {
  const { server: sv, jedi: jv, postgres: pv, nodeRecovery: nr } = values;
  const server = ctx.part('server', sv);
  const sn = server.names;
  const n = pandaNames(server, ctx);
  const out: K8sObject[] = [];

  if (sv.enabled || jv.enabled) {
    out.push(binaryConfigMap(owner('panda', ctx.names.release, 'panda'), n.external, ctx.sandbox('external')));
  }

  if (sv.enabled) {
    checkServer(sv);
    const o = server.owner;
    const logs = storage(server, sv.persistentvolume, { claimTemplate: true });
    const cv = cvmfs(server, sv.cvmfs);
    // the replicas share one cache claim, named after the server (upstream: only without `create`)
    const cache = sv.sharedCache && !sv.persistentvolume.create;
    const config = configFor(ctx, 'server-config', sv.configFile, DEFAULT_SERVER_CONFIG, () => serverConfig(sn.fullname), 'panda.server.configFile');
    const container: ContainerSpec = {
      name: 'server',
      ...(sv.autoStart ? { command: ['/bin/sh', '-c'], args: [startCommand('panda')] } : {}),
      ports: SERVER_PORTS(),
      // ready once the start script has written its log; alive while httpd accepts connections
      readinessProbe: probe.exec(['cat', '/tmp/panda_server_start.log'], { initialDelaySeconds: 5, periodSeconds: 10 }),
      livenessProbe: probe.tcp(25080, { initialDelaySeconds: 60, periodSeconds: 30, failureThreshold: 3 }),
      mounts: [
        logs.mount(IN_IMAGE.logs, 'logs'),
        mount(IN_IMAGE.configJson, { role: 'configjson', source: { configMap: { name: n.serverConfigjson } } }),
        mount('/opt/panda/etc/panda/auth', { role: 'auth', source: { secret: { secretName: server.secret(secretRefs.pandaAuth) } } }),
        mount(IN_IMAGE.sandbox, sandboxVolume([n.serverSandbox, n.external], n.tokenCache)),
        mount(IN_IMAGE.certs, certsVolume(server, ctx)),
        mount('/var/cric', { role: 'cric-jsons-volume', source: { secret: { secretName: n.cricJsons, optional: true } } }),
        ...(cache ? [mount(`${IN_IMAGE.logs}/pandacache`, { role: 'cache', source: { persistentVolumeClaim: { claimName: sn.claim } } })] : []),
        ...cv.mounts,
      ],
      envFrom: [envFrom.configMap(n.serverEnv), envFrom.secret(server.secret(secretRefs.pandaEnvs))],
      env: [{ name: 'PANDA_SERVER_CONF_SERVERNAME', value: sn.fullname }, NO_PROXY_ENV],
    };
    out.push(
      configMap(o, n.serverConfigjson, { 'panda_server_config.json': config ? configText(mergeConfig(config, sv.config)) : '' }),
      configMap(o, n.serverEnv, serverEnv(sv, sn.fullname)),
      binaryConfigMap(o, n.serverSandbox, ctx.sandbox('server')),
      ...logs.objects,
      ...(cache ? [sharedClaim(o, sn.claim, sv.persistentvolume)] : []),
      ...cv.objects,
      service(o, sn.service, servicePorts(sv.service), sv.service.type),
      ...workload(server, { values: { ...sv, extraEnv: [] }, hostname: ctx.names.release, container }),
    );
    // Ingress TLS always uses the server's TLS Secret, whatever tls[].secretName says (as upstream)
    const withTls = (i: ServerValues['ingress']) => ({ ...i, tls: i.tls.map((t) => ({ hosts: t.hosts, secretName: n.tls })) });
    if (sv.ingress.enabled) out.push(ingress(o, sn.service, withTls(sv.ingress), sv.service.httpsPort));
    if (sv.ingress_big.enabled) {
      // a second Ingress to the same Service; its default hosts are `<server>.<domain>` too
      const big = ingress(o, sn.service, withTls(sv.ingress_big), sv.service.httpsPort);
      out.push({ ...big, metadata: { ...big.metadata, name: sn.configMap('big') } });
    }
    if (sv.route.enabled) {
      out.push(route(o, sn.route(), sv.hostName, sn.service, 'https', sv.route.tls), route(o, sn.route('http'), `http-${sv.hostName}`, sn.service, 'http'));
    }
    if (sv.gateway.enabled) out.push(...gatewayObjects(o, sn.service, n, sv));
  }

  if (jv.enabled) out.push(...renderJedi(jv, ctx, n));

  if (pv.enabled) {
    const db = ctx.part('postgres', pv);
    out.push(
      ...database(db, {
        engine: 'postgres',
        values: pv,
        // the panda-database image keeps its data in /temp/data (PGDATA)
        dataPath: '/temp',
        envFrom: [envFrom.secret(db.secret(secretRefs.pandaEnvs))],
        strategy: 'Recreate',
      }),
    );
  }

  if (nr.enabled) out.push(...nodeRecovery(n, ctx, nr.image));
  return out;
}

function renderJedi(jv: JediValues, ctx: RenderContext, n: PandaNames): K8sObject[] {
  const jedi = ctx.part('jedi', jv);
  const jn = jedi.names;
  const logs = storage(jedi, jv.persistentvolume, { claimTemplate: true });
  const cv = cvmfs(jedi, jv.cvmfs);
  const config = configFor(ctx, 'jedi-config', jv.configFile, DEFAULT_JEDI_CONFIG, jediConfig, 'panda.jedi.configFile');
  const container: ContainerSpec = {
    name: 'jedi',
    ...(jv.autoStart ? { command: ['/bin/sh', '-c'], args: [startCommand('jedi')] } : {}),
    ports: SERVER_PORTS(),
    // ready once JEDI writes its log; alive while its master process runs
    readinessProbe: probe.exec(['test', '-f', `${IN_IMAGE.logs}/panda_jedi_stdout.log`], { initialDelaySeconds: 30, periodSeconds: 10 }),
    livenessProbe: probe.exec(['sh', '-c', 'test -f /var/run/panda/panda_jedi.pid && kill -0 $(cat /var/run/panda/panda_jedi.pid)'], {
      initialDelaySeconds: 120,
      periodSeconds: 60,
      failureThreshold: 3,
    }),
    mounts: [
      logs.mount(IN_IMAGE.logs, 'logs'),
      mount(IN_IMAGE.configJson, {
        role: 'configjson',
        source: { projected: { sources: [{ configMap: { name: jn.configMap('configjson') } }, { configMap: { name: n.serverConfigjson } }] } },
      }),
      mount(IN_IMAGE.sandbox, sandboxVolume([jn.configMap('sandbox'), n.external, n.serverSandbox], n.tokenCache)),
      mount(IN_IMAGE.certs, certsVolume(jedi, ctx)),
      ...cv.mounts,
    ],
    envFrom: [envFrom.configMap(n.serverEnv), envFrom.secret(jedi.secret(secretRefs.pandaEnvs))],
    env: [NO_PROXY_ENV],
  };
  return [
    configMap(jedi.owner, jn.configMap('configjson'), { 'panda_jedi_config.json': config ? configText(mergeConfig(config, jv.config)) : '' }),
    binaryConfigMap(jedi.owner, jn.configMap('sandbox'), ctx.sandbox('jedi')),
    ...logs.objects,
    ...cv.objects,
    service(jedi.owner, jn.service, servicePorts(jv.service), jv.service.type),
    ...workload(jedi, { values: jv, hostname: ctx.names.release, container }),
  ];
}

/** Gateway API exposure of the server, with Envoy Gateway's client-certificate policy and its CA bundle (B22). */
function gatewayObjects(o: Owner, serverService: string, n: PandaNames, sv: ServerValues): K8sObject[] {
  const g = sv.gateway;
  const route = (name: string, port: number, sectionPort: number): K8sObject => ({
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: meta(o, name),
    spec: {
      parentRefs: [{ name: n.gateway, port: sectionPort }],
      hostnames: [sv.hostName],
      rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/' } }], backendRefs: [{ name: serverService, kind: 'Service', port }] }],
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
          { name: 'https', protocol: 'HTTPS', port: 443, tls: { mode: 'Terminate', certificateRefs: [{ kind: 'Secret', group: '', name: n.tls }] } },
        ],
      },
    },
    route(`${serverService}-route`, sv.service.httpPort, 80),
    route(`${serverService}-route-https`, sv.service.httpsPort, 443),
  ];
  if (g.implementation === 'envoy') {
    out.push(
      configMap(o, n.clientCas, { 'ca.crt': g.clientCAs }),
      {
        apiVersion: 'gateway.envoyproxy.io/v1alpha1',
        kind: 'ClientTrafficPolicy',
        metadata: meta(o, `${n.gateway}-policy`),
        spec: {
          targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: n.gateway, sectionName: 'https' }],
          headers: { xForwardedClientCert: { mode: 'SanitizeSet', certDetailsToAdd: ['Subject'] } },
          tls: { clientValidation: { caCertificateRefs: [{ kind: 'ConfigMap', group: '', name: n.clientCas }] } },
        },
      },
    );
  }
  return out;
}

function checkServer(sv: ServerValues): void {
  const issues: Issue[] = [];
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

/**
 * Pods stuck terminating on NotReady nodes block a StatefulSet from recreating them elsewhere;
 * every minute this job force-deletes them. The ClusterRole and its binding are cluster-wide, so
 * their names carry the namespace: two stacks with the same affix in two namespaces do not
 * share (and on uninstall delete) each other's (upstream: `<R>-node-recovery`, B28).
 */
function nodeRecovery(n: PandaNames, ctx: RenderContext, image: string): K8sObject[] {
  const o = owner('panda', ctx.names.release, 'node-recovery');
  const ns = ctx.namespace;
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

