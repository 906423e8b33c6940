/**
 * Every request to the API server has a deadline: a connect timeout (TCP and TLS handshake) and a
 * request timeout (until the whole answer is read), both applied by one middleware of the
 * Kubernetes client. Failures are classified so that messages say what happened (refused, reset,
 * TLS, which timeout) and retries know what is worth retrying.
 */
import type { Agent } from 'node:http';
import type { Socket } from 'node:net';
import { ApiException, type Middleware, type RequestContext, type ResponseContext } from '@kubernetes/client-node';

export interface Timeouts {
  /** Until the TCP connection and the TLS handshake are done. */
  connectMs: number;
  /** Until the whole answer is read (kubectl's --request-timeout). */
  requestMs: number;
}

export const DEFAULT_TIMEOUTS: Timeouts = { connectMs: 10_000, requestMs: 30_000 };

/** What went wrong with a request, as far as the network is concerned. */
export type Failure =
  | { kind: 'refused' | 'reset' | 'dns' | 'unreachable' | 'connect-timeout' | 'tls-timeout' | 'timeout' | 'tls' | 'network' | 'other'; detail: string }
  | { kind: 'http'; status: number; retryAfterMs?: number; detail: string };

const CONNECT_TIMEOUT = 'PANDA_K8S_CONNECT_TIMEOUT';
const TLS_TIMEOUT = 'PANDA_K8S_TLS_TIMEOUT';

function codeOf(e: unknown): string | undefined {
  const x = e as { code?: unknown; errno?: unknown; cause?: { code?: unknown } };
  for (const c of [x?.code, x?.errno, x?.cause?.code]) if (typeof c === 'string') return c;
  return undefined;
}

/** Classify an error thrown by the client (node-fetch and Node's sockets underneath). */
export function classify(e: unknown, timeouts: Timeouts): Failure {
  if (e instanceof ApiException) {
    const headers = (e.headers ?? {}) as Record<string, string>;
    const ra = headers['retry-after'];
    const secs = ra !== undefined && /^\d+$/.test(ra) ? Number(ra) : undefined;
    return { kind: 'http', status: e.code, ...(secs !== undefined ? { retryAfterMs: secs * 1000 } : {}), detail: `HTTP ${e.code}` };
  }
  const code = codeOf(e) ?? '';
  const msg = (e as Error)?.message ?? String(e);
  const s = (n: number) => `${Math.round(n / 100) / 10}s`;
  if ((e as Error)?.name === 'AbortError' || code === 'ABORT_ERR') return { kind: 'timeout', detail: `no complete answer within ${s(timeouts.requestMs)} (--request-timeout)` };
  if (code === CONNECT_TIMEOUT) return { kind: 'connect-timeout', detail: `no TCP connection within ${s(timeouts.connectMs)}` };
  if (code === TLS_TIMEOUT) return { kind: 'tls-timeout', detail: `connected, but the TLS handshake did not finish within ${s(timeouts.connectMs)} (is this an API server?)` };
  if (code === 'ECONNREFUSED') return { kind: 'refused', detail: 'connection refused: nothing listens there' };
  if (code === 'ECONNRESET' || code === 'EPIPE' || /socket hang up/i.test(msg)) return { kind: 'reset', detail: 'the connection was reset (the server closed it mid-request)' };
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return { kind: 'dns', detail: 'the host name does not resolve' };
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'EADDRNOTAVAIL') return { kind: 'unreachable', detail: 'no route to the host' };
  if (code === 'ETIMEDOUT') return { kind: 'connect-timeout', detail: 'the connection attempt timed out' };
  if (/^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO|SELF_SIGNED|EPROTO$)/.test(code) || /certificate|SSL|TLS/i.test(msg))
    return { kind: 'tls', detail: `TLS failed: ${code || msg.replace(/^.*reason: /, '')}` };
  // a socket error with an errno code is the network's; anything else is not a connection problem
  return { kind: code ? 'network' : 'other', detail: msg.replace(/^.*reason: /, '') };
}

/** Worth another try: the server may be restarting or overloaded. Client errors (4xx but 429) are final. */
export function transient(f: Failure): boolean {
  if (f.kind === 'http') return f.status === 429 || (f.status >= 500 && f.status !== 501);
  return f.kind !== 'tls' && f.kind !== 'dns' && f.kind !== 'other';
}

/** Destroy a socket that has not connected (and finished its TLS handshake) in time. */
function connectDeadline(agent: Agent, ms: number): void {
  const a = agent as Agent & { createConnection?: (...args: unknown[]) => Socket; [WRAPPED]?: true };
  if (typeof a.createConnection !== 'function' || a[WRAPPED]) return;
  const create = a.createConnection;
  a[WRAPPED] = true;
  a.createConnection = function (this: unknown, ...args: unknown[]) {
    const socket = create.apply(this, args);
    let tcp = false;
    const timer = setTimeout(() => socket.destroy(Object.assign(new Error(tcp ? 'TLS handshake timed out' : 'connect timed out'), { code: tcp ? TLS_TIMEOUT : CONNECT_TIMEOUT })), ms);
    timer.unref();
    socket.once('connect', () => (tcp = true));
    socket.once((socket as { encrypted?: boolean }).encrypted ? 'secureConnect' : 'connect', () => clearTimeout(timer));
    socket.once('close', () => clearTimeout(timer));
    return socket;
  };
}
const WRAPPED = Symbol('panda-k8s.connectDeadline');

/** The client middleware: a request deadline (abort signal) and a connect deadline on the agent. */
export function deadlines(t: Timeouts): Middleware {
  return {
    pre(ctx: RequestContext) {
      ctx.setSignal(AbortSignal.timeout(t.requestMs) as never);
      const agent = ctx.getAgent();
      if (agent) connectDeadline(agent as Agent, Math.min(t.connectMs, t.requestMs));
      return Promise.resolve(ctx);
    },
    post: (rsp: ResponseContext) => Promise.resolve(rsp),
  };
}
