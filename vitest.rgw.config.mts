import { defineConfig } from 'vitest/config';

// Real S3 semantics against Ceph RGW: signatures, conditional writes, multipart, the batch tier and
// the edge worker. Needs a running RGW (`local/rgw/start-rgw.sh`, then SLATECAST_TEST_S3=rgw or the
// S3_* variables it prints); not part of `npm test`. Run with `npm run test:rgw`.
export default defineConfig({
  test: {
    name: 'rgw',
    environment: 'node',
    include: ['test/rgw/**/*.test.ts'],
    globalSetup: ['test/rgw/global-setup.ts'],
    testTimeout: 180_000,
    hookTimeout: 180_000,
    fileParallelism: false,
  },
});
