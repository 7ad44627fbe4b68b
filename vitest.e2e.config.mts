import { defineConfig } from 'vitest/config';

// The slow suite: the closed loop end to end (reduced demo) and its report in headless Chromium.
export default defineConfig({
  test: {
    name: 'e2e',
    environment: 'node',
    include: ['test/e2e/**/*.test.ts'],
    testTimeout: 900_000,
    hookTimeout: 900_000,
    fileParallelism: false,
  },
});
