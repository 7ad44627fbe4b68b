/** Everything the client throws is a `SlatecastError`; `retryable` says whether trying again may help. */
export class SlatecastError extends Error {
  override name = 'SlatecastError';
  constructor(
    message: string,
    readonly retryable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * The edge answered with an error envelope `{ error: { code, message, field? } }` (or, from
 * something in between such as a proxy, a status without one: `code` is then `http_<status>`).
 */
export class SlatecastApiError extends SlatecastError {
  override name = 'SlatecastApiError';
  constructor(
    /** HTTP status. */
    readonly status: number,
    /** Machine-readable reason, e.g. `bad_request`, `token_expired`, `no_artifact`. */
    readonly code: string,
    message: string,
    /** The request field at fault, when the edge names one (e.g. `k`, `token`, `item_id`). */
    readonly field: string | undefined,
    /** Seconds the edge asked to wait (`retry-after`), if any. */
    readonly retryAfterS: number | undefined,
  ) {
    super(`${status} ${code}: ${message}`, status >= 500);
  }
}

/** No HTTP answer: connection refused or reset, DNS, TLS … */
export class SlatecastNetworkError extends SlatecastError {
  override name = 'SlatecastNetworkError';
  constructor(message: string, cause: unknown) {
    super(message, true, { cause });
  }
}

/** An attempt took longer than `timeoutMs`. */
export class SlatecastTimeoutError extends SlatecastError {
  override name = 'SlatecastTimeoutError';
  constructor(readonly timeoutMs: number) {
    super(`no answer within ${timeoutMs} ms`, true);
  }
}

/** The caller's own `AbortSignal` fired; never retried. */
export class SlatecastAbortError extends SlatecastError {
  override name = 'SlatecastAbortError';
  constructor(cause: unknown) {
    super('aborted by the caller', false, { cause });
  }
}

/**
 * The error an HTTP error answer stands for.
 * @param body the response text (an error envelope or anything else)
 */
export function apiError(status: number, body: string, retryAfter: string | null): SlatecastApiError {
  let code = `http_${status}`;
  let message = body.slice(0, 200) || `HTTP ${status}`;
  let field: string | undefined;
  try {
    const e = (JSON.parse(body) as { error?: { code?: unknown; message?: unknown; field?: unknown } }).error;
    if (e && typeof e.code === 'string') {
      code = e.code;
      if (typeof e.message === 'string') message = e.message;
      if (typeof e.field === 'string') field = e.field;
    }
  } catch {
    // not an envelope: keep the status-derived code
  }
  const after = retryAfter === null ? NaN : Number(retryAfter);
  return new SlatecastApiError(status, code, message, field, Number.isFinite(after) ? after : undefined);
}
