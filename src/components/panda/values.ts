/**
 * Values of the panda component: the PanDA server, JEDI and the PanDA database, one key per
 * sub-component. Defaults are upstream's effective defaults (sub-chart values overlaid by the
 * umbrella values), except where docs/differences.md (panda) says otherwise.
 */
import { z } from 'zod';
import {
  bool,
  ingressSchema,
  int,
  proxyFields,
  routeSchema,
  storageSchema,
  str,
  unused,
  workloadFields, databaseFields } from '../../values/common.js';

/** One JSON config file as overrides: section → key → value; `null` removes a built-in key. */
const configOverrides = (file: string) =>
  z
    .record(z.string(), z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])))
    .default({})
    .describe(
      `Sections and keys merged over the built-in ${file} (a key set to null is removed; a new section is added).\n@default {}`,
    );

export const serverSchema = z
  .strictObject({
    ...workloadFields({ repository: 'ghcr.io/pandawms/panda-server', tag: '0.0.41', pullPolicy: 'Always' }),
    autoStart: bool(
      'Start the services when the pod starts (wait for the database, install the sandbox, run the image launcher). False keeps the image command.',
      true,
    ),
    ...proxyFields,
    noRoot: bool(
      'Run the server and JEDI init and cron scripts without root (no runuser/chmod): sets PANDA_NO_ROOT=1 in the server env, which JEDI reads too (OpenShift/OKD).',
      false,
    ),
    persistentvolume: storageSchema({ path: '/mnt/panda-server-logs' }),
    service: z
      .strictObject({
        type: str('Service type.', 'ClusterIP'),
        httpPort: int('Service port to the server HTTP listener (container port 25080).', 80),
        httpsPort: int('Service port to the server HTTPS listener (container port 25443); also the Ingress backend port.', 443),
      })
      .prefault({}),
    ingress: ingressSchema({
      enabled: false,
      annotations: {
        'kubernetes.io/ingress.class': 'nginx',
        'nginx.ingress.kubernetes.io/ssl-passthrough': 'true',
        'nginx.ingress.kubernetes.io/ssl-redirect': 'true',
      },
    }),
    route: routeSchema,
    hostName: str('External host name of the server; the Routes use `<hostName>` and `http-<hostName>` (required when route.enabled).', ''),
    config: configOverrides('panda_server_config.json'),
    hostcerts: unused(),
    authIdToken: unused('Accepted for compatibility with upstream value files; has no effect (the ID token comes from the secrets).'),
    authVO: unused('Accepted for compatibility with upstream value files; has no effect (the VO comes from the secrets).'),
    rucioAccount: unused(),
  })
  .prefault({});

export const jediSchema = z
  .strictObject({
    ...workloadFields({ repository: 'ghcr.io/pandawms/panda-jedi', tag: '0.0.13', pullPolicy: 'Always' }),
    autoStart: bool(
      'Start the services when the pod starts (wait for the database, install the sandbox, run the image launcher). False keeps the image command.',
      true,
    ),
    persistentvolume: storageSchema({ path: '/mnt/panda-jedi-logs' }),
    config: configOverrides('panda_jedi_config.json'),
    noRoot: unused('Accepted for compatibility with upstream value files; has no effect: JEDI reads the server env, so `server.noRoot` applies to both.'),
    httpProxy: unused('Accepted for compatibility with upstream value files; has no effect: JEDI reads the server env, so the `server` proxies apply to both.'),
    httpsProxy: unused('Accepted for compatibility with upstream value files; has no effect (see `server.httpsProxy`).'),
    noProxy: unused('Accepted for compatibility with upstream value files; has no effect (see `server.noProxy`).'),
    server: unused(),
  })
  .prefault({});

export const postgresSchema = z
  .strictObject({
    ...databaseFields('PostgreSQL', { repository: 'ghcr.io/pandawms/panda-database', tag: '0.0.12', pullPolicy: 'Always' }, { path: '/mnt/panda-data' }),
    noRoot: unused(),
  })
  .prefault({});

/** Values of the panda component. `postgres.enabled: false` uses an external database (set its host in the secrets). */
export const pandaSchema = z
  .strictObject({
    server: serverSchema.describe('PanDA server (httpd + WSGI, message-broker proxy, daemons).'),
    jedi: jediSchema.describe('JEDI, the task-level engine. Reads the server env, config and sandbox.'),
    postgres: postgresSchema.describe('The PanDA database (PostgreSQL). Disable it to use an external database.'),
  })
  .prefault({})
  .describe('PanDA server, JEDI and their database.');
export type PandaValues = z.output<typeof pandaSchema>;
export type ServerValues = PandaValues['server'];
export type JediValues = PandaValues['jedi'];
export type PostgresValues = PandaValues['postgres'];
