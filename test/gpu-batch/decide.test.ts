import { describe, expect, it } from 'vitest';
import type { Manifest } from '../../shared/schemas/artifact.js';
import { decidePublish } from '../../gpu-batch/run/decide.js';

const manifest = (version: string, lake: string, catalog: string | null): Manifest => ({
  schema: 'manifest/v1', version, created_at: 0, parent_version: null, files: {}, shards: 1, item_count: 0, dims: 0,
  training: { lake_fingerprint: lake, catalog_sha256: catalog }, metrics: {}, counts: {}, gate: null,
});
const A = 'v20260101T000000Z-aaaaaa';
const B = 'v20260102T000000Z-bbbbbb';
const now = { lake: 'L2', catalog: 'C1' };

describe('decidePublish', () => {
  it.each([
    ['nothing serves yet', null, null, false, true, 'nothing is serving yet'],
    ['the serving version learned from the same inputs', manifest(B, 'L2', 'C1'), null, false, false, `serving version ${B} already learned from these logs and catalog`],
    ['new lake parts', manifest(A, 'L1', 'C1'), null, false, true, 'new logs'],
    ['a new catalog, same logs', manifest(A, 'L2', 'C0'), null, false, true, 'catalog changed'],
    ['an operator rolled back from a version with these inputs', manifest(A, 'L1', 'C1'), manifest(B, 'L2', 'C1'), false, false, `version ${B} learned from these inputs and was rolled back; waiting for new logs`],
    ['--force with nothing new', manifest(B, 'L2', 'C1'), null, true, true, 'forced by --force'],
    ['a serving version published by something else', { ...manifest(A, '', null), training: {} }, null, false, true, 'new logs'],
  ] as const)('%s', (_, serving, last, force, publish, reason) => {
    expect(decidePublish(now, serving, last, force)).toEqual({ publish, reason });
  });
});
