/**
 * Retrying idempotent requests with exponential backoff, on the injected clock so that tests run
 * in virtual time. A server's Retry-After wins over the backoff. Retries stop when the budget is
 * spent; the last failure is then the answer.
 */
import type { Clock } from './clock.js';

export interface RetryPolicy {
  /** Total time retries may take, from the first failure. */
  budgetMs: number;
  /** First backoff; doubles each time up to {@link maxDelayMs}. */
  initialDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { budgetMs: 60_000, initialDelayMs: 250, maxDelayMs: 5_000 };

export interface RetryDecision {
  retry: boolean;
  /** A delay the server asked for (Retry-After). */
  afterMs?: number;
}

/**
 * Run `fn` until it succeeds, `decide` says the error is final, or the budget is spent.
 * `onRetry` hears about each retry (for progress: "API server unreachable, retrying in 2s").
 */
export async function withRetry<T>(
  fn: () => Promise<T>,
  o: { clock: Clock; policy: RetryPolicy; decide(e: unknown, attempt: number): RetryDecision; onRetry?(e: unknown, delayMs: number, attempt: number): void },
): Promise<T> {
  let firstFailure: number | undefined;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      const now = o.clock.now();
      firstFailure ??= now;
      const d = o.decide(e, attempt);
      const backoff = Math.min(o.policy.maxDelayMs, o.policy.initialDelayMs * 2 ** (attempt - 1));
      const delay = d.afterMs ?? backoff;
      if (!d.retry || now + delay - firstFailure > o.policy.budgetMs) throw e;
      o.onRetry?.(e, delay, attempt);
      await o.clock.sleep(delay);
    }
  }
}
