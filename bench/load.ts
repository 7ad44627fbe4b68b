import { performance } from 'node:perf_hooks';

/** One measured run of a closed-loop load: `connections` clients issue requests back to back. */
export interface LoadResult {
  requests: number;
  errors: number;
  seconds: number;
  rps: number;
  p50_ms: number;
  p99_ms: number;
  /** Server CPU time per request (µs), when the caller gave a CPU sampler. */
  server_cpu_us?: number;
  /** Server CPU seconds per wall second (1 = one core busy the whole time). */
  server_cpu_util?: number;
}

/**
 * Closed-loop HTTP load on loopback, bounded by time. Each of `connections` loops sends the next
 * request as soon as the previous answers (keep-alive through Node's fetch).
 * @param makeRequest builds request i (url + init); called on the hot path, keep it cheap
 * @param check optional response check; a false result counts as an error
 */
export async function closedLoop(
  makeRequest: (i: number) => { url: string; init?: RequestInit },
  opts: { connections: number; seconds: number; check?: (r: Response, body: string) => boolean; serverCpu?: () => number | null },
): Promise<LoadResult> {
  const latencies: number[] = [];
  let errors = 0;
  let n = 0;
  const end = performance.now() + opts.seconds * 1000;
  const t0 = performance.now();
  const cpu0 = opts.serverCpu?.() ?? null;
  await Promise.all(
    Array.from({ length: opts.connections }, async () => {
      while (performance.now() < end) {
        const { url, init } = makeRequest(n++);
        const s = performance.now();
        try {
          const r = await fetch(url, init);
          const body = await r.text();
          if (!r.ok || (opts.check && !opts.check(r, body))) errors++;
        } catch {
          errors++;
        }
        latencies.push(performance.now() - s);
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  const cpu1 = opts.serverCpu?.() ?? null;
  latencies.sort((a, b) => a - b);
  const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0;
  const serverCpu = cpu0 !== null && cpu1 !== null && latencies.length ? { server_cpu_us: ((cpu1 - cpu0) / latencies.length) * 1e6, server_cpu_util: (cpu1 - cpu0) / seconds } : {};
  return { requests: latencies.length, errors, seconds, rps: latencies.length / seconds, p50_ms: q(0.5), p99_ms: q(0.99), ...serverCpu };
}
