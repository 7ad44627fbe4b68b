import { unstable_readConfig } from 'wrangler';

/** Port `wrangler dev` would use when wrangler.toml names none. */
const WRANGLER_DEFAULT_PORT = 8787;

/**
 * The edge's fixed local port: `[dev] port` of wrangler.toml, so `npm start` and `npm run dev`
 * answer at the same address.
 */
export function wranglerDevPort(): number {
  const config = unstable_readConfig({ config: new URL('../../wrangler.toml', import.meta.url).pathname });
  return config.dev.port ?? WRANGLER_DEFAULT_PORT;
}
