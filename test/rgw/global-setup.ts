import { rgwEnv } from './rgw-env.js';

/** Fails the RGW suite once, with what to run, when no RGW is configured or reachable. */
export default async function setup(): Promise<void> {
  const env = rgwEnv();
  try {
    const r = await fetch(env.endpoint, { signal: AbortSignal.timeout(5_000) });
    await r.body?.cancel();
  } catch (e) {
    throw new Error(`no S3 server answers at ${env.endpoint} (${(e as Error).message}): start one with \`local/rgw/start-rgw.sh\``, { cause: e });
  }
}
