import { cloudflareTest } from '@cloudflare/vitest-pool-workers';
import { defineConfig } from 'vitest/config';

// Two projects: pure/Node code (unit, DuckDB, S3 integration) and the worker inside workerd.
// Test-only secrets are bindings here; production ones are Worker secrets.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'node',
          environment: 'node',
          include: ['test/shared/**/*.test.ts', 'test/edge-node/**/*.test.ts', 'test/gpu-batch/**/*.test.ts', 'test/integration/**/*.test.ts', 'test/worlds/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        plugins: [
          cloudflareTest({
            wrangler: { configPath: './wrangler.toml' },
            miniflare: {
              bindings: {
                TOKEN_SECRET: 'test-token-secret-0123456789',
                USER_SALT: 'test-user-salt-0123456789',
                BATCH_TRIGGER_TOKEN: 'test-trigger-token',
              },
            },
          }),
        ],
        test: {
          name: 'workerd',
          include: ['test/edge/**/*.test.ts'],
          testTimeout: 60_000,
        },
      },
    ],
  },
});
