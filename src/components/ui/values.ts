import { z } from 'zod';
import { WORKLOAD_KINDS } from '../../core/workload.js';
import { autoscalingWith, bool, int, str, unused, workloadFields } from '../../values/common.js';

const servicePorts = z
  .strictObject({
    type: str('Service type.', 'ClusterIP'),
    port: int('Port of the Service (HTTPS).', 443),
    containerPort: int('HTTPS port the container listens on.', 443),
  })
  .prefault({});

const replicasUnread = unused('Upstream\'s umbrella values set `replicas`; its templates read `replicaCount`. Use `replicaCount`.');

export const backendSchema = z
  .strictObject({
    ...workloadFields({ repository: 'ghcr.io/pandawms/panda-ui-backend', tag: 'latest', pullPolicy: 'IfNotPresent' }),
    kind: z.enum(WORKLOAD_KINDS).default('StatefulSet').describe('Workload kind (HEAD: StatefulSet).\n@default "StatefulSet"'),
    replicas: replicasUnread,
    env: unused('Upstream\'s umbrella values set `backend.env` (DJANGO_SETTINGS_MODULE, DEBUG); no template reads it. Settings come from the `ui-envs` Secret.'),
    autoStart: bool('Start the backend (`start.sh all`) when the pod starts; `false` keeps the pod idle.', true),
    autoscaling: autoscalingWith({ maxReplicas: 10, targetMemoryUtilizationPercentage: 80 }),
    service: servicePorts,
    db: z
      .strictObject({
        deployment: z.enum(['external', 'kubernetes']).default('external').describe('Where the UI database runs; `kubernetes` with `postgresql` waits for it before starting.\n@default "external"'),
        vendor: z.enum(['oracle', 'postgresql']).default('oracle').describe('Database vendor.\n@default "oracle"'),
      })
      .prefault({}),
    persistentvolume: z
      .strictObject({
        create: bool('Create a hostPath PersistentVolume and its claim for the backend logs.', false),
        class: z.string().nullable().default('').describe('StorageClass of the logs claim ("" or null: no class on a created volume, the cluster default for a per-pod claim).\n@default ""'),
        path: str('hostPath of the created PersistentVolume.', '/mnt/panda-ui-backend-logs'),
        size: str('Requested size.', '50Gi'),
        selector: bool('Accepted for compatibility; a created claim is always bound to its volume.', true),
        sharedPvcName: str('Mount this existing shared claim (e.g. `panda-shared-logs`) instead of a claim of its own.', ''),
        subPath: str('Sub-directory of the logs volume to mount (e.g. `ui-backend-logs` on the shared claim).', ''),
      })
      .prefault({}),
    paths: z
      .strictObject({
        base: str('Installation directory in the image.', '/opt/pandaui'),
        config: str('Configuration directory the sandbox files are copied to.', '/data/pandaui/config'),
        logs: str('Log directory (the logs volume is mounted here).', '/data/pandaui/logs'),
        sandbox: str('Where the sandbox ConfigMap is mounted.', '/opt/pandaui/configmap'),
        certs: str('Where the `ui-certs` Secret is mounted.', '/opt/pandaui/etc/cert'),
      })
      .prefault({}),
  })
  .prefault({});

export const frontendSchema = z
  .strictObject({
    ...workloadFields({ repository: 'ghcr.io/pandawms/panda-ui-frontend', tag: 'latest', pullPolicy: 'IfNotPresent' }),
    kind: z.enum(WORKLOAD_KINDS).default('StatefulSet').describe('Workload kind (HEAD: StatefulSet).\n@default "StatefulSet"'),
    replicas: replicasUnread,
    service: servicePorts,
    paths: z.strictObject({ certs: str('Where the `ui-certs` Secret is mounted.', '/opt/pandaui/etc/cert') }).prefault({}),
  })
  .prefault({});

const pathSchema = z.strictObject({
  path: z.string(),
  pathType: z.enum(['Prefix', 'Exact', 'ImplementationSpecific']).default('Prefix'),
  service: z.strictObject({
    name: z.enum(['frontend', 'backend']).describe('Which sub-component serves this path.'),
    port: z.number().int().describe('Service port.'),
  }),
});

const DEFAULT_PATHS = [
  { path: '/', pathType: 'Prefix', service: { name: 'frontend', port: 443 } },
  { path: '/api', pathType: 'Prefix', service: { name: 'backend', port: 443 } },
  { path: '/ws', pathType: 'Prefix', service: { name: 'backend', port: 443 } },
];

export const UI_INGRESS_ANNOTATIONS: Record<string, string> = {
  'kubernetes.io/ingress.class': 'nginx',
  'nginx.ingress.kubernetes.io/ssl-redirect': 'true',
  'nginx.ingress.kubernetes.io/secure-backends': 'true',
  'nginx.ingress.kubernetes.io/backend-protocol': 'HTTPS',
  'nginx.ingress.kubernetes.io/auth-tls-pass-certificate-to-upstream': 'true',
  'nginx.ingress.kubernetes.io/auth-tls-verify-client': 'optional',
};

export const uiIngressSchema = z
  .strictObject({
    enabled: bool('Expose the UI through one Ingress: `/` to the frontend, `/api` and `/ws` to the backend.', true),
    className: str('ingressClassName (set only when non-empty).', 'nginx'),
    annotations: z.record(z.string(), z.string()).default(UI_INGRESS_ANNOTATIONS).describe('Ingress annotations, verbatim.'),
    hosts: z
      .array(
        z.strictObject({
          domain: z.string().default('').describe('Without `global.hostOverwrite`, the host is `<name>.<domain>`.'),
          paths: z.array(pathSchema).default(DEFAULT_PATHS as never),
        }),
      )
      .default([{ domain: '', paths: DEFAULT_PATHS }] as never),
    tls: z
      .array(
        z.strictObject({
          secretName: unused('Upstream ignores it: the TLS Secret is always `<global.secret>-ui-tls-certs` (secrets lifecycle).'),
          domain: z.string().default(''),
        }),
      )
      .default([{}] as never)
      .describe('One TLS entry per item, for the UI host, with the `ui-tls-certs` Secret.'),
  })
  .prefault({});

/** Values of the ui component (PanDA UI). `global.*` is this chart's own, as in upstream's ui chart. */
export const uiSchema = z
  .strictObject({
    global: z
      .strictObject({
        hostOverwrite: str('Public host name of the UI (Ingress host, backend allowed host and CORS origin, frontend API URL). Required for an install.', ''),
        vo: str('Virtual organisation the UI serves (e.g. ATLAS); the frontend shows TEST when empty.', ''),
        logLevel: str('Log level of backend and frontend.', 'ERROR'),
        uiVersion: unused('Upstream carries `global.uiVersion`; no template reads it. Set the image tags instead.'),
      })
      .prefault({}),
    backend: backendSchema,
    frontend: frontendSchema,
    ingress: uiIngressSchema,
    autoscaling: unused('Upstream\'s umbrella `autoscaling` is read by no template; the backend HPA is `backend.autoscaling`.'),
    imagePullSecrets: unused('Upstream\'s umbrella `imagePullSecrets` is read by no pod; set `backend.imagePullSecrets` / `frontend.imagePullSecrets`.'),
    serviceAccount: unused('Upstream\'s umbrella ServiceAccount is used by no pod; set `backend.serviceAccount` / `frontend.serviceAccount`.'),
    route: unused('Upstream carries `route.enabled`; the ui chart has no Route template.'),
  })
  .prefault({})
  .describe('PanDA UI: Django REST backend and nginx frontend behind one Ingress.');
export type UiValues = z.output<typeof uiSchema>;
