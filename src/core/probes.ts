/** Container probes: one shape for readiness, liveness and startup probes. */
import type { V1Probe } from '@kubernetes/client-node';

/** Timing of a probe (Kubernetes defaults apply to what is left out). */
export interface ProbeTiming {
  initialDelaySeconds?: number;
  periodSeconds?: number;
  timeoutSeconds?: number;
  failureThreshold?: number;
  successThreshold?: number;
}

const timing = (t: ProbeTiming): ProbeTiming => {
  const out: ProbeTiming = {};
  for (const k of ['initialDelaySeconds', 'periodSeconds', 'timeoutSeconds', 'failureThreshold', 'successThreshold'] as const) {
    if (t[k] !== undefined) out[k] = t[k];
  }
  return out;
};

export const probe = {
  /** Open a TCP connection to a port (number or container port name). */
  tcp: (port: number | string, t: ProbeTiming = {}): V1Probe => ({ tcpSocket: { port: port as never }, ...timing(t) }),
  /** Run a command in the container; exit 0 is success. */
  exec: (command: readonly string[], t: ProbeTiming = {}): V1Probe => ({ exec: { command: [...command] }, ...timing(t) }),
  /** HTTP GET; 2xx and 3xx are success. */
  http: (path: string, port: number | string, t: ProbeTiming & { scheme?: 'HTTP' | 'HTTPS' } = {}): V1Probe => ({
    httpGet: { path, port: port as never, ...(t.scheme ? { scheme: t.scheme } : {}) },
    ...timing(t),
  }),
};

/** A probe from values (`probeSchema`): undefined when disabled. */
export function probeFrom(v: ProbeTiming & { enabled: boolean }, make: (t: ProbeTiming) => V1Probe): V1Probe | undefined {
  return v.enabled ? make(v) : undefined;
}
