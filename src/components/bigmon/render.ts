import { PandaError } from '../../core/errors.js';
import { base64Files, type FileSet } from '../../core/files.js';
import { binaryConfigMap, configMap, ingress, proxyEnv, route, secret, service, type K8sObject } from '../../core/k8s.js';
import { envFrom, mount, port, vol, type Mount } from '../../core/pod.js';
import { storage } from '../../core/storage.js';
import { workload } from '../../core/workload.js';
import type { RenderContext } from '../define.js';
import type { BigmonMainValues, BigmonValues } from './values.js';

/** HTTPS port of the iDDS REST Service (idds rest `https`). */
const IDDS_REST_HTTPS_PORT = 8443;

/** Files the `certs` sandbox set must hold when `hostcerts.enabled`. */
export const HOST_CERT_FILES = ['hostcert.pem', 'hostkey.pem', 'chain.pem'] as const;

/**
 * The pod environment, split by sensitivity. Together the two maps hold every variable upstream's
 * env ConfigMap holds, under the same names; credentials go to the Secret.
 */
export function bigmonEnv(v: BigmonMainValues, ctx: RenderContext): { config: Record<string, string>; secret: Record<string, string> } {
  const config: Record<string, string> = {
    BIGMON_HOST: v.hostName,
    BIGMON_NUM_WSGI_PROC: String(v.httpd.numWSGI),
    BIGMON_VO: v.vo,
    BIGMON_DEPLOYMENT: v.deployment,
    BIGMON_DEBUG: v.debugMode ? 'True' : 'False',
    ...(v.auth.providers.length ? { BIGMON_AUTH_PROVIDER_LIST: v.auth.providers.join(',') } : {}),
    SOCIAL_AUTH_GOOGLE_OAUTH2_KEY: v.auth.google.key,
    SOCIAL_AUTH_CERNOIDC_KEY: v.auth.cern.key,
    SOCIAL_AUTH_GITHUB_KEY: v.auth.github.key,
    SOCIAL_AUTH_INDIGOIAMOIDC_KEY: v.auth.indigoiam.key,
    SOCIAL_AUTH_INDIGOIAMOIDC_BASEPATH: v.auth.indigoiam.basePath,
    PANDA_DB_NAME: v.panda.databaseName,
    PANDA_DB_HOST: v.panda.hostName || ctx.names.of('panda').sub('postgres'),
    PANDA_DB_PORT: v.panda.port,
    PANDA_DB_USER: v.panda.userName,
    IDDS_DB_NAME: v.idds.databaseName,
    IDDS_DB_HOST: v.idds.hostName || ctx.names.of('idds').sub('postgres'),
    IDDS_DB_PORT: v.idds.port,
    IDDS_DB_USER: v.idds.userName,
    RUCIO_SERVER_HOST: v.rucio.rucioHost,
    RUCIO_AUTH_HOST: v.rucio.authHost,
    RUCIO_ACCOUNT: v.rucio.account,
    CRIC_API_URL: v.cric.apiUrl,
    IDDS_HOST: v.idds.host || `https://${ctx.names.of('idds').sub('rest')}:${IDDS_REST_HTTPS_PORT}/idds`,
    ...proxyEnv(v, 'localhost'),
  };
  const secretEnv: Record<string, string> = {
    BIGMON_SECRET_KEY: v.secretKey,
    SOCIAL_AUTH_GOOGLE_OAUTH2_SECRET: v.auth.google.secret,
    SOCIAL_AUTH_CERNOIDC_SECRET: v.auth.cern.secret,
    SOCIAL_AUTH_GITHUB_SECRET: v.auth.github.secret,
    SOCIAL_AUTH_INDIGOIAMOIDC_SECRET: v.auth.indigoiam.secret,
    PANDA_DB_PASSWORD: v.panda.password,
    IDDS_DB_PASSWORD: v.idds.password,
    AWS_ACCESS_KEY_ATLAS: v.aws.accessKey,
    AWS_SECRET_KEY_ATLAS: v.aws.secretKey,
  };
  return { config, secret: secretEnv };
}

/** Start command: render the settings templates, then (autoStart) wait for the PanDA DB and start httpd/Django. */
export function bigmonStart(autoStart: boolean): string {
  const prepare = ['cp /data/bigmon/configmap/* /data/bigmon/config/', 'python /data/bigmon/config/process_template.py'];
  const run = autoStart
    ? [
        'until /usr/pgsql-*/bin/pg_isready -h ${PANDA_DB_HOST} -p ${PANDA_DB_PORT}; do echo waiting for database; sleep 2; done',
        'start-daemon.sh all',
      ]
    : ['sleep infinity & wait'];
  return [...prepare, ...run].join('; ');
}

function hostCerts(files: FileSet, where: string): Record<string, string> {
  const missing = HOST_CERT_FILES.filter((f) => !files.has(f));
  if (missing.length) {
    throw new PandaError('bigmon host certificate files are missing', [
      {
        where,
        message: `hostcerts.enabled is true but the bigmon \`certs\` sandbox set lacks ${missing.join(', ')}`,
        fix: 'put hostcert.pem, hostkey.pem and chain.pem into the `certs` set of bigmon in your --sandbox-dir, or set main.hostcerts.enabled=false',
      },
    ]);
  }
  return base64Files(files);
}

export function renderBigmon(values: BigmonValues, ctx: RenderContext): K8sObject[] {
  const v = values.main;
  if (!v.enabled) return [];
  const part = ctx.part('main', v);
  const { owner: o, names: n } = part;
  const sandbox = n.configMap('configmap');
  const envName = n.configMap('env');
  const secretEnvName = n.secret('secret-env');
  const env = bigmonEnv(v, ctx);
  const logs = storage(part, v.persistentvolume);

  const out: K8sObject[] = [binaryConfigMap(o, sandbox, ctx.sandbox('main'))];
  const mounts: Mount[] = [logs.mount('/data/bigmon/logs', 'logs'), mount('/data/bigmon/configmap', vol.configMap('configmap', sandbox))];
  if (v.hostcerts.enabled) {
    const certs = n.secret('certs');
    out.push(secret(o, certs, { data: hostCerts(ctx.sandbox('certs'), 'bigmon.main.hostcerts.enabled') }));
    mounts.push(mount('/opt/bigmon/etc/cert', vol.secret('certs', certs)));
  }
  out.push(
    configMap(o, envName, env.config),
    secret(o, secretEnvName, { stringData: env.secret }),
    ...logs.objects,
    service(o, n.service, [{ name: 'https', port: v.service.httpsPort, targetPort: 'https' }], v.service.type),
    ...workload(part, {
      values: v,
      container: {
        name: 'main',
        command: ['/bin/sh', '-c'],
        args: [bigmonStart(v.autoStart)],
        ports: [port('https', 443)],
        envFrom: [envFrom.configMap(envName), envFrom.secret(secretEnvName)],
        mounts,
      },
    }),
  );
  if (v.ingress.enabled) out.push(ingress(o, n.service, v.ingress, v.service.httpsPort));
  if (v.route.enabled) out.push(route(o, n.route(), v.hostName, n.service, 'https', v.route.tls));
  return out;
}
