/**
 * Retrying transient JSON-RPC failures with exponential backoff, and a promise pool for batched reads.
 *
 * Transient: the request may succeed if sent again — network errors (reset, refused, hang-up, fetch
 * failed), timeouts, HTTP 429 and 5xx, and a response that is not JSON-RPC. Anything else (a revert, a bad
 * argument, insufficient funds) is a real answer and is not retried.
 */

export interface RetryPolicy {
  /** Attempts after the first one before giving up. */
  retries: number;
  /** Delay before the first retry; doubles with each further one. */
  baseDelayMs: number;
  /** Upper bound of a single delay. */
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { retries: 8, baseDelayMs: 250, maxDelayMs: 8_000 };

/** An RPC endpoint kept failing past the retry policy. */
export class RpcUnavailableError extends Error {
  constructor(
    readonly operation: string,
    readonly attempts: number,
    readonly lastError: unknown,
  ) {
    super(
      `RPC endpoint unavailable: ${operation} failed ${attempts} times in a row; last error: ${describeError(lastError)}`,
    );
    this.name = "RpcUnavailableError";
  }
}

/** The most telling line of an error (ethers errors carry a short message and a code). */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const e = error as Error & { shortMessage?: string; code?: string };
    return e.shortMessage ? `${e.shortMessage}${e.code ? ` (${e.code})` : ""}` : e.message;
  }
  return String(error);
}

const TRANSIENT_CODES = new Set([
  "NETWORK_ERROR",
  "TIMEOUT",
  "SERVER_ERROR",
  "ECONNRESET",
  "ECONNREFUSED",
  "ECONNABORTED",
  "EPIPE",
  "ETIMEDOUT",
  "UND_ERR_SOCKET",
  "UND_ERR_CONNECT_TIMEOUT",
]);
const TRANSIENT_MESSAGE =
  /ECONNRESET|ECONNREFUSED|ETIMEDOUT|EPIPE|socket hang up|fetch failed|timeout|timed out|too many requests|\b429\b|\b50[0-9]\b|bad response|missing response|invalid json|unexpected end of json|connection (closed|reset|refused)|other side closed|network error/i;

/** Whether `error` is worth retrying (see the module comment). */
export function isTransient(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e !== undefined && e !== null && depth < 5; depth++) {
    const coded = e as { code?: unknown; message?: unknown; cause?: unknown; error?: unknown };
    if (typeof coded.code === "string" && TRANSIENT_CODES.has(coded.code)) return true;
    if (coded.code === "CALL_EXCEPTION" || coded.code === "INSUFFICIENT_FUNDS") return false;
    if (typeof coded.message === "string" && TRANSIENT_MESSAGE.test(coded.message)) return true;
    e = coded.cause ?? coded.error;
  }
  return false;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The delay before retry number `retry` (0-based): base · 2^retry, capped, with ±25 % jitter. */
export function backoffDelay(policy: RetryPolicy, retry: number): number {
  const exact = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry);
  return Math.round(exact * (0.75 + Math.random() * 0.5));
}

/**
 * Runs `operation`, retrying it on transient errors per `policy`; throws {@link RpcUnavailableError} once
 * the retries are spent and any other error at once. `onRetry` hears about each retry.
 */
export async function withRetry<T>(
  label: string,
  operation: () => Promise<T>,
  policy: RetryPolicy = DEFAULT_RETRY,
  onRetry?: (label: string, attempt: number, error: unknown) => void,
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await operation();
    } catch (error) {
      if (!isTransient(error)) throw error;
      if (attempt >= policy.retries) throw new RpcUnavailableError(label, attempt + 1, error);
      onRetry?.(label, attempt + 1, error);
      await sleep(backoffDelay(policy, attempt));
    }
  }
}

/** Maps `items` through `fn` with at most `concurrency` calls in flight; results keep the input order. */
export async function mapPool<T, R>(
  items: readonly T[],
  concurrency: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  async function worker(): Promise<void> {
    while (!failed && next < items.length) {
      const index = next++;
      try {
        results[index] = await fn(items[index], index);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  }
  const workers = Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker);
  await Promise.all(workers);
  return results;
}
