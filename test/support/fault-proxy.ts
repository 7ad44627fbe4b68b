import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * What the proxy does with one request:
 * - `forward`: pass it to the target and its answer back;
 * - `lose-answer`: pass it to the target (which acts on it), then answer 502 instead (a gateway
 *   that lost the reply: the case retries with a stable event id exist for);
 * - `reset`: close the connection without forwarding;
 * - `hang`: never answer;
 * - `503`: answer 503 without forwarding.
 */
export type Fault = 'forward' | 'lose-answer' | 'reset' | 'hang' | '503';

/** An HTTP proxy on loopback that injects faults in front of a real server. */
export interface FaultProxy {
  url: string;
  /** Faults for the next requests, in order; after them, `forward`. */
  plan(...faults: Fault[]): void;
  /** Requests seen, in order. */
  seen: Array<{ method: string; path: string; body: string; fault: Fault }>;
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** Starts a fault proxy on an ephemeral port in front of `target`. */
export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const queue: Fault[] = [];
  const seen: FaultProxy['seen'] = [];
  const hung = new Set<ServerResponse>();
  // A failure to reach `target` resets the client's connection instead of rejecting unhandled.
  const answer = async (req: IncomingMessage, res: ServerResponse) => {
    const body = await readBody(req);
    const fault = queue.shift() ?? 'forward';
    seen.push({ method: req.method ?? '', path: req.url ?? '', body: body.toString(), fault });
    if (fault === 'reset') return req.socket.destroy();
    if (fault === 'hang') return void hung.add(res);
    if (fault === '503') return res.writeHead(503, { 'content-type': 'application/json' }).end('{"error":{"code":"queue_unavailable","message":"injected"}}');
    const headers: Record<string, string> = {};
    if (req.headers['content-type']) headers['content-type'] = req.headers['content-type'];
    const r = await fetch(`${target}${req.url}`, { method: req.method, headers, ...(body.length ? { body: new Uint8Array(body) } : {}) });
    const text = await r.text();
    if (fault === 'lose-answer') return res.writeHead(502, { 'content-type': 'text/plain' }).end('bad gateway');
    res.writeHead(r.status, { 'content-type': r.headers.get('content-type') ?? 'application/octet-stream' }).end(text);
  };
  const server = createServer((req, res) => {
    answer(req, res).catch(() => req.socket.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    plan: (...f) => void queue.push(...f),
    seen,
    async close() {
      for (const res of hung) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
