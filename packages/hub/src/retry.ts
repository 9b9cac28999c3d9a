import { setTimeout as sleep } from "node:timers/promises";

export interface RetryOptions {
  /** Further tries after the first one fails with a transient error. */
  retries: number;
  /** Wait before the first retry; it doubles for each later one, up to `maxDelayMs`. */
  delayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryOptions = { retries: 4, delayMs: 500, maxDelayMs: 16_000 };

/** Delay before retry number `attempt` (1-based): exponential, capped, without jitter so tests can reason about it. */
export function backoffDelay(attempt: number, options: RetryOptions): number {
  return Math.min(options.maxDelayMs, options.delayMs * 2 ** (attempt - 1));
}

/**
 * Runs `task` until it succeeds, `isTransient` says an error is not worth retrying, or the retries
 * are spent; then the last error propagates.
 */
export async function withRetry<T>(
  task: (attempt: number) => Promise<T>,
  isTransient: (error: unknown) => boolean,
  options: RetryOptions,
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await task(attempt);
    } catch (error) {
      if (attempt >= options.retries || !isTransient(error)) throw error;
      await sleep(backoffDelay(attempt + 1, options));
    }
  }
}
