import type { EventType } from '../shared/schemas/event.js';
import type { SlateContext, SlateResponse } from '../shared/schemas/slate.js';
import { apiError, SlatecastAbortError, SlatecastError, SlatecastNetworkError, SlatecastTimeoutError } from './errors.js';
import { backoffDelay, DEFAULT_RETRY, type RetryPolicy } from './retry.js';

/** What a slate is asked for; a `context` makes it a POST (recent items, exclusions, locale). */
export interface SlateParams {
  user_id: string;
  surface?: string;
  k?: number;
  context?: SlateContext;
}

/** One reward, vouched for by the token of the slate it belongs to. */
export interface EventParams {
  token: string;
  item_id: string;
  type: EventType;
  value?: number;
  /**
   * Idempotence key within the impression (the edge records `<impression_id>:<event_id>`). Every
   * retry sends the same one; when absent the edge uses `<impression_id>:<item_id>:<type>`, which
   * is the same on every attempt too.
   */
  event_id?: string;
  /** Client time of the event, ms since the epoch. */
  ts?: number;
}

/** `202` of `POST /v1/events`. */
export interface EventAccepted {
  accepted: true;
  /** The edge had this `event_id` already (a retry whose first attempt got through). */
  duplicate: boolean;
  event_id: string;
}

/** Per-call options. */
export interface CallOptions {
  /** Aborts the call, retries included; never retried. */
  signal?: AbortSignal;
  /** Overrides the client's `timeoutMs` for this call. */
  timeoutMs?: number;
  /** Overrides the client's retry count for this call. */
  retries?: number;
}

export interface SlatecastClientOptions {
  /** Where the edge answers, e.g. `https://recs.example.com` or `http://127.0.0.1:8787`. */
  baseUrl: string;
  /** A fetch to use (a Workers service binding's, a test's); default the global one. */
  fetch?: (input: string, init: RequestInit) => Promise<Response>;
  /** Per attempt, ms (default 10 000). */
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  /** Uniform draws for the backoff jitter (default Math.random). */
  random?: () => number;
}

/**
 * A typed client of the edge API for browsers, Workers and Node (fetch only). Failed attempts
 * (network errors, timeouts, 5xx) are retried with exponential backoff and identical bodies, so
 * an event is counted once however many attempts reach the edge; 4xx answers are not retried.
 * Errors are `SlatecastError`s (see errors.ts).
 * @example
 * const sc = new SlatecastClient({ baseUrl: 'http://127.0.0.1:8787' });
 * const slate = await sc.getSlate({ user_id: 'u1', k: 5 });
 * await sc.postEvent({ token: slate.token, item_id: slate.items[0].item_id, type: 'click' });
 */
export class SlatecastClient {
  private readonly base: string;
  private readonly fetcher: (input: string, init: RequestInit) => Promise<Response>;
  private readonly timeoutMs: number;
  private readonly retry: RetryPolicy;
  private readonly random: () => number;

  constructor(o: SlatecastClientOptions) {
    this.base = o.baseUrl.replace(/\/+$/, '');
    // Wrapped: a browser's fetch throws "Illegal invocation" when called as a method of another object.
    this.fetcher = o.fetch ?? ((input, init) => fetch(input, init));
    this.timeoutMs = o.timeoutMs ?? 10_000;
    this.retry = { ...DEFAULT_RETRY, ...o.retry };
    this.random = o.random ?? Math.random;
  }

  /** `GET /v1/slate` (or `POST` when `context` is given): a slate with propensities and a token. */
  async getSlate(p: SlateParams, opts: CallOptions = {}): Promise<SlateResponse> {
    if (p.context !== undefined) return this.call<SlateResponse>('/v1/slate', { method: 'POST', body: JSON.stringify(p) }, opts);
    const q = new URLSearchParams({ user_id: p.user_id });
    if (p.surface !== undefined) q.set('surface', p.surface);
    if (p.k !== undefined) q.set('k', String(p.k));
    return this.call<SlateResponse>(`/v1/slate?${q}`, { method: 'GET' }, opts);
  }

  /** `POST /v1/events`: a click, purchase, dwell … for an item of a served slate. */
  async postEvent(e: EventParams, opts: CallOptions = {}): Promise<EventAccepted> {
    return this.call<EventAccepted>('/v1/events', { method: 'POST', body: JSON.stringify(e) }, opts);
  }

  private async call<T>(path: string, init: { method: string; body?: string }, opts: CallOptions): Promise<T> {
    const retries = opts.retries ?? this.retry.retries;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.attempt<T>(path, init, opts.timeoutMs ?? this.timeoutMs, opts.signal);
      } catch (e) {
        if (!(e instanceof SlatecastError) || !e.retryable || attempt >= retries) throw e;
        await sleep(backoffDelay(this.retry, attempt, this.random()), opts.signal);
      }
    }
  }

  private async attempt<T>(path: string, init: { method: string; body?: string }, timeoutMs: number, signal: AbortSignal | undefined): Promise<T> {
    if (signal?.aborted) throw new SlatecastAbortError(signal.reason);
    const timeout = AbortSignal.timeout(timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    let r: Response;
    let text: string;
    try {
      r = await this.fetcher(`${this.base}${path}`, {
        method: init.method,
        ...(init.body !== undefined ? { body: init.body, headers: { 'content-type': 'application/json' } } : {}),
        signal: combined,
      });
      text = await r.text();
    } catch (e) {
      if (signal?.aborted) throw new SlatecastAbortError(signal.reason);
      if (timeout.aborted) throw new SlatecastTimeoutError(timeoutMs);
      throw new SlatecastNetworkError(`${init.method} ${path}: ${e instanceof Error ? e.message : String(e)}`, e);
    }
    if (!r.ok) throw apiError(r.status, text, r.headers.get('retry-after'));
    try {
      return JSON.parse(text) as T;
    } catch (e) {
      throw new SlatecastNetworkError(`${init.method} ${path}: answer ${r.status} is not JSON`, e);
    }
  }
}

/** Waits `ms`, or rejects at once when `signal` fires. */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new SlatecastAbortError(signal.reason));
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(new SlatecastAbortError(signal!.reason));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
