/**
 * Schema pieces shared by every component's values slice. The values schema is the single source
 * of truth: TypeScript types are inferred from it, defaults live in it, and `schema/values.schema.json`
 * is generated from it for editor completion.
 */
import { z } from 'zod';
import type { DatabaseOptions } from '../core/database.js';
import type { ProxyOptions } from '../core/k8s.js';
import { DEFAULT_SECRET_PREFIX } from '../core/names.js';
import type { CvmfsOptions, StorageOptions } from '../core/storage.js';
import { WORKLOAD_KINDS, type PodOptions } from '../core/workload.js';
import { markIgnored } from './ignored.js';

/** A string option. Numbers are refused (quote them) so `tag: 1.10` cannot silently become "1.1". */
export const str = (description: string, def: string) => z.string().default(def).describe(`${description}\n@default ${JSON.stringify(def)}`);
export const optStr = (description: string) => z.string().optional().describe(description);
export const bool = (description: string, def: boolean) => z.boolean().default(def).describe(`${description}\n@default ${def}`);
export const int = (description: string, def: number) => z.number().int().default(def).describe(`${description}\n@default ${def}`);
/**
 * A value that ends up in a Secret or env var: strings, and numbers or booleans written without
 * quotes (`password: 12345`), are all kept as strings.
 */
export const secretText = (description: string, def: string) =>
  z
    .union([z.string(), z.number(), z.boolean()])
    .transform((v) => String(v))
    .default(def)
    .describe(`${description}\n@default ${JSON.stringify(def)}`);

/** Free-form Kubernetes fields passed through to the pod spec (validated against the OpenAPI schema after render). */
export const k8sMap = (description: string) => z.record(z.string(), z.unknown()).default({}).describe(`${description}\n@default {}`);
export const k8sList = (description: string) => z.array(z.unknown()).default([]).describe(`${description}\n@default []`);
export const stringMap = (description: string) => z.record(z.string(), z.string()).default({}).describe(`${description}\n@default {}`);

/** Marks keys that upstream's values carry but no template reads; accepted so upstream files load unchanged. */
export const unused = (description = 'Accepted for compatibility with upstream value files; has no effect.') =>
  markIgnored(z.unknown().optional().describe(description), description);

export const imageSchema = (repository: string, tag: string, pullPolicy: 'Always' | 'IfNotPresent' | 'Never') =>
  z
    .strictObject({
      repository: str('Image repository.', repository),
      // an integer tag (`--set ...tag=20240101`, `tag: 42`) is the tag's text; `tag: 1.10` is still refused
      tag: z
        .union([z.string(), z.number().int().nonnegative()])
        .transform((v) => String(v))
        .default(tag)
        .describe(`Image tag.\n@default ${JSON.stringify(tag)}`),
      pullPolicy: z.enum(['Always', 'IfNotPresent', 'Never']).default(pullPolicy).describe(`Image pull policy.\n@default ${pullPolicy}`),
    })
    .prefault({});
export type ImageValues = z.infer<ReturnType<typeof imageSchema>>;

export interface StorageDefaults {
  path: string;
  create?: boolean;
  selector?: boolean;
  /** `null` leaves `storageClassName` unset on the claim (cluster default class). */
  class?: string | null;
  size?: string;
  /** persistentVolumeReclaimPolicy of the created volume; `null` leaves it unset (Kubernetes: Retain). */
  reclaimPolicy?: 'Retain' | 'Delete' | 'Recycle' | null;
}

/** A volume's values; `extra` adds (or overrides) fields of a component's own, e.g. {@link sharedStorageFields}. */
export const storageSchema = <E extends z.core.$ZodLooseShape = {}>(d: StorageDefaults, extra: E = {} as E) => {
  const schema = z.strictObject({
      create: bool('Create a hostPath PersistentVolume for this claim. Set false to use a StorageClass.', d.create ?? true),
      class: z
        .string()
        .nullable()
        .default(d.class === undefined ? 'manual' : d.class)
        .describe(`StorageClass of the claim (and the PV when created).\n@default ${JSON.stringify(d.class === undefined ? 'manual' : d.class)}`),
      path: str('hostPath of the created PersistentVolume.', d.path),
      size: str('Requested size.', d.size ?? '5Gi'),
      selector: bool('Bind the claim to the PersistentVolume created here (label selector; only when `create`).', d.selector ?? true),
      accessModes: z
        .array(z.enum(['ReadWriteOnce', 'ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOncePod']))
        .default(['ReadWriteMany'])
        .describe('Access modes of the claim and volume.\n@default ["ReadWriteMany"]'),
      existingClaim: str('Mount this existing claim instead of rendering a claim and volume.', ''),
      subPath: str('Mount this directory of the volume instead of its root.', ''),
      reclaimPolicy: z
        .enum(['Retain', 'Delete', 'Recycle'])
        .nullable()
        .default(d.reclaimPolicy ?? null)
        .describe(
          `persistentVolumeReclaimPolicy of the created PersistentVolume; null leaves it unset (Kubernetes: Retain).\n@default ${JSON.stringify(d.reclaimPolicy ?? null)}`,
        ),
    ...extra,
  });
  // every field has a default, so an absent block is the empty object
  return schema.prefault({} as z.input<typeof schema>);
};
export type StorageValues = z.infer<ReturnType<typeof storageSchema>>;

/**
 * HEAD's shared logs claim: several components mount one RWX claim, each in its own sub-directory
 * (`storageSchema(defaults, sharedStorageFields)`; `subPath` is part of every storage slice).
 */
export const sharedStorageFields = {
  sharedPvcName: str(
    'Mount this existing shared claim (e.g. `panda-shared-logs`) instead of an own one; used when `create` is false.',
    '',
  ),
};

/** Read-only CVMFS repositories through the CVMFS CSI driver: one PV/PVC `<fullname>-cvmfs-<name>` each, mounted at `/cvmfs/<repository>`. */
export const cvmfsSchema = z
  .strictObject({
    enabled: bool('Mount the CVMFS repositories below (needs the cvmfs.csi.cern.ch CSI driver and the `cvmfs` StorageClass).', false),
    repositories: z
      .array(
        z.strictObject({
          name: z.string().describe('Short name: object names `<fullname>-cvmfs-<name>`, volume `cvmfs-<name>`.'),
          repository: z.string().describe('CVMFS repository, e.g. atlas.cern.ch; mounted at /cvmfs/<repository>.'),
        }),
      )
      .default([])
      .describe('Repositories to mount.\n@default []'),
  })
  .prefault({});
export type CvmfsValues = z.infer<typeof cvmfsSchema>;

export const serviceAccountSchema = z
  .strictObject({
    create: bool('Create a ServiceAccount named after the workload and run the pod under it.', false),
    annotations: stringMap('Annotations of the ServiceAccount.'),
    name: str('Name of the ServiceAccount (default: the workload name when created, else `default`).', ''),
  })
  .prefault({});

/** HorizontalPodAutoscaler options, with a chart's own defaults. */
export const autoscalingWith = (d: { maxReplicas?: number; targetMemoryUtilizationPercentage?: number } = {}) =>
  z
    .strictObject({
      enabled: bool('Render a HorizontalPodAutoscaler (autoscaling/v2) and leave replicas to it.', false),
      minReplicas: int('Minimum replicas.', 1),
      maxReplicas: int('Maximum replicas.', d.maxReplicas ?? 100),
      targetCPUUtilizationPercentage: int('Target average CPU utilisation in percent.', 80),
      targetMemoryUtilizationPercentage: (d.targetMemoryUtilizationPercentage === undefined
        ? z.number().int().optional().describe('Target average memory utilisation in percent.')
        : z.number().int().optional().default(d.targetMemoryUtilizationPercentage).describe(`Target average memory utilisation in percent.\n@default ${d.targetMemoryUtilizationPercentage}`)) as z.ZodOptional<z.ZodNumber>,
    })
    .prefault({});
export const autoscalingSchema = autoscalingWith();

/** Options every workload has. */
export const workloadFields = (image: { repository: string; tag: string; pullPolicy: 'Always' | 'IfNotPresent' }) => ({
  enabled: bool('Deploy this sub-component.', true),
  kind: z.enum(WORKLOAD_KINDS).default('Deployment').describe('Workload kind.\n@default "Deployment"'),
  replicaCount: int('Number of pod replicas.', 1),
  image: imageSchema(image.repository, image.tag, image.pullPolicy),
  imagePullSecrets: k8sList('imagePullSecrets of the pod.'),
  nameOverride: str('Replaces the sub-component name in labels.', ''),
  fullnameOverride: str('Replaces the generated object name.', ''),
  serviceAccount: serviceAccountSchema,
  podAnnotations: stringMap('Annotations of the pod.'),
  podSecurityContext: k8sMap('Pod securityContext.'),
  securityContext: k8sMap('Container securityContext.'),
  resources: k8sMap('Container resources.'),
  autoscaling: autoscalingSchema,
  nodeSelector: stringMap('Pod nodeSelector.'),
  tolerations: k8sList('Pod tolerations.'),
  affinity: k8sMap('Pod affinity.'),
  extraEnv: z
    .array(z.record(z.string(), z.unknown()))
    .default([])
    .describe('Env vars (Kubernetes EnvVar objects) appended to the container\'s own.\n@default []'),
});

/** A Service with one port. */
export const servicePortSchema = (description: string, port: number) =>
  z
    .strictObject({
      type: str('Service type.', 'ClusterIP'),
      port: int(description, port),
    })
    .prefault({});

/** Options of a database sub-component (the database recipe, src/core/database.ts). */
export const databaseFields = (
  engine: 'MariaDB' | 'PostgreSQL',
  image: { repository: string; tag: string; pullPolicy: 'Always' | 'IfNotPresent' },
  storage: StorageDefaults,
) => ({
  ...workloadFields(image),
  autoscaling: unused('Accepted for compatibility with upstream value files; a database runs as one pod and no HorizontalPodAutoscaler is rendered.'),
  persistentvolume: storageSchema(storage),
  service: servicePortSchema(`${engine} port of the Service.`, engine === 'MariaDB' ? 3306 : 5432),
});

/**
 * The values of a database sub-component: the recipe's fields, then the component's own
 * (which may override them), defaults applied when the block is absent.
 */
export const databaseSchema = <E extends z.core.$ZodLooseShape>(
  engine: 'MariaDB' | 'PostgreSQL',
  image: { repository: string; tag: string; pullPolicy: 'Always' | 'IfNotPresent' },
  storage: StorageDefaults,
  extra: E,
) => {
  const schema = z.strictObject({ ...databaseFields(engine, image, storage), ...extra });
  // every field has a default, so an absent block is the empty object
  return schema.prefault({} as z.input<typeof schema>);
};

/** A probe operators can tune (`probe.*` in src/core/probes.ts makes it). */
export const probeSchema = (d: { enabled: boolean; initialDelaySeconds?: number; periodSeconds?: number; failureThreshold?: number; timeoutSeconds?: number }) =>
  z
    .strictObject({
      enabled: bool('Render this probe.', d.enabled),
      initialDelaySeconds: int('Seconds after the container starts before the first probe.', d.initialDelaySeconds ?? 0),
      periodSeconds: int('Seconds between probes.', d.periodSeconds ?? 10),
      timeoutSeconds: int('Seconds after which a probe times out.', d.timeoutSeconds ?? 1),
      failureThreshold: int('Failed probes in a row before the container counts as failed.', d.failureThreshold ?? 3),
    })
    .prefault({});

/** The `global` block of the root values. */
export const globalSchema = z
  .strictObject({
    secret: str('Prefix of the Secret names installed by `panda-k8s secrets install`; every component references its Secrets by it.', DEFAULT_SECRET_PREFIX),
    deploymentName: str(
      'Accepted for compatibility: upstream\'s bin/install passes the release name. Harvester uses it as HARVESTER_ID and its Route path; empty means the release name. Database host and Service names always come from the stack\'s names.',
      '',
    ),
    existingTlsSecret: str(
      'An existing `kubernetes.io/tls` Secret (tls.crt, tls.key) to use instead of the certificates the secrets lifecycle installs (mounted as hostcert.pem, hostkey.pem and chain.pem; the TLS Secret of Ingresses and Gateways).',
      '',
    ),
  })
  .prefault({});

/**
 * The nginx Ingress annotations upstream's HEAD charts share for an HTTPS backend: TLS ends at the
 * controller and is re-encrypted to the pod, the client certificate is passed on, and long
 * timeouts and large bodies are allowed. Each chart adds its own on top.
 */
export function nginxHttpsBackendAnnotations(o: { verifyClient: 'optional' | 'optional_no_ca'; verifyDepth?: string; bodySize: string }): Record<string, string> {
  return {
    'kubernetes.io/ingress.class': 'nginx',
    'spec.ingressClassName': 'nginx',
    'nginx.ingress.kubernetes.io/ssl-redirect': 'true',
    'nginx.ingress.kubernetes.io/secure-backends': 'true',
    'nginx.ingress.kubernetes.io/backend-protocol': 'HTTPS',
    'nginx.ingress.kubernetes.io/auth-tls-pass-certificate-to-upstream': 'true',
    'nginx.ingress.kubernetes.io/auth-tls-verify-client': o.verifyClient,
    ...(o.verifyDepth ? { 'nginx.ingress.kubernetes.io/auth-tls-verify-depth': o.verifyDepth } : {}),
    'nginx.ingress.kubernetes.io/proxy-connect-timeout': '10',
    'nginx.ingress.kubernetes.io/proxy-send-timeout': '360',
    'nginx.ingress.kubernetes.io/proxy-read-timeout': '360',
    'nginx.ingress.kubernetes.io/proxy-body-size': o.bodySize,
    'nginx.ingress.kubernetes.io/client-body-buffer-size': o.bodySize,
    'nginx.ingress.kubernetes.io/client_max_body_size': o.bodySize,
  };
}

export const ingressHostSchema = z.strictObject({
  domain: z.string().default('').describe('Domain appended to the object name when no hostOverride is given.'),
  hostOverride: z.string().default('').describe('Full host name; wins over `<name>.<domain>`.'),
  paths: z
    .array(z.strictObject({ path: z.string(), pathType: z.enum(['Prefix', 'Exact', 'ImplementationSpecific']).default('Prefix') }))
    .default([{ path: '/', pathType: 'Prefix' }]),
});

export const ingressTlsSchema = z.strictObject({
  secretName: z.string().nullable().default(null).describe('TLS Secret; empty leaves it unset (controller default certificate).'),
  hosts: z.array(z.strictObject({ domain: z.string().default(''), hostOverride: z.string().default('') })).default([]),
});

export const ingressSchema = (d: {
  enabled: boolean;
  annotations: Record<string, string>;
  hosts?: unknown[];
  tls?: unknown[];
  /** The TLS Secret is fixed (a secrets-lifecycle Secret); `tls[].secretName` is accepted and reported as ignored. */
  fixedTlsSecret?: string;
}) =>
  z
    .strictObject({
      enabled: bool('Expose the service through an Ingress.', d.enabled),
      className: str('ingressClassName (set only when non-empty).', ''),
      annotations: z.record(z.string(), z.string()).default(d.annotations).describe('Ingress annotations, verbatim.'),
      hosts: z.array(ingressHostSchema).default((d.hosts ?? [{ domain: 'cern.ch', hostOverride: '', paths: [{ path: '/', pathType: 'Prefix' }] }]) as never),
      tls: z
        .array(
          d.fixedTlsSecret
            ? ingressTlsSchema.extend({ secretName: unused(`Ignored: the TLS certificate is always the ${d.fixedTlsSecret} Secret of the secrets lifecycle.`) })
            : ingressTlsSchema,
        )
        .default((d.tls ?? []) as never),
    })
    .prefault({});
export type IngressValues = z.infer<ReturnType<typeof ingressSchema>>;

export const routeSchema = z
  .strictObject({
    enabled: bool('Expose the service through OpenShift/OKD Routes.', false),
    tls: z
      .strictObject({
        termination: z.enum(['edge', 'passthrough', 'reencrypt']).default('passthrough'),
        insecureEdgeTerminationPolicy: z.enum(['None', 'Allow', 'Redirect']).default('None'),
      })
      .prefault({}),
  })
  .prefault({});
export type RouteValues = z.infer<typeof routeSchema>;

export const proxyFields = {
  httpProxy: str('http_proxy for the containers.', ''),
  httpsProxy: str('https_proxy for the containers.', ''),
  noProxy: str('no_proxy for the containers (default: a list of the stack\'s own services).', ''),
};
export type ProxyValues = ProxyOptions;

export type WorkloadValues = z.infer<z.ZodObject<ReturnType<typeof workloadFields>>>;

// The values are what the core recipes take: a change on either side that breaks this is a compile error.
type Assignable<T extends U, U> = T;
export type _WorkloadValuesArePodOptions = Assignable<WorkloadValues, PodOptions>;
export type _StorageValuesAreStorageOptions = Assignable<StorageValues, StorageOptions>;
export type _CvmfsValuesAreCvmfsOptions = Assignable<CvmfsValues, CvmfsOptions>;
export type _DatabaseValuesAreDatabaseOptions = Assignable<z.infer<z.ZodObject<ReturnType<typeof databaseFields>>>, DatabaseOptions>;
