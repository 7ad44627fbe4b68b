import { describe, expect, it } from 'vitest';
import { memoryFiles, versionTaste } from '../../gpu-batch/ope/version-ports.js';
import { float32LE } from '../../gpu-batch/publish/item-matrix.js';

const json = (x: unknown) => new TextEncoder().encode(JSON.stringify(x));

/** Two users × 2 taste dims, three items in a matrix with a base-appeal column (3 wide). */
function files(over: Record<string, Uint8Array> = {}): Record<string, Uint8Array> {
  return {
    'taste.json': json({ schema: 'taste/v1', dims: 2, users: ['ua', 'ub'] }),
    'taste.f32': float32LE(Float32Array.from([1, 2, -0.5, 0.25])),
    'items.json': json({ schema: 'items/v1', dims: 3, ids: ['x', 'y', 'z'], recent: { weight: 1, cache_weight: 0, base_scale: 1 } }),
    'items.f32': float32LE(Float32Array.from([0.5, 0.5, 9, -1, 2, 9, 0, 0, 9])),
    ...over,
  };
}

describe('a version’s taste for the deploy gate (taste.json, taste.f32, items.f32)', () => {
  it('is λ · U_u · V_i over the taste dims, leaving out the base-appeal column; undefined for a user or item the version does not know', async () => {
    const t = (await versionTaste(memoryFiles(files())))!;
    expect(t('ua', 'x')).toBeCloseTo(1 * 0.5 + 2 * 0.5, 6);
    expect(t('ua', 'y')).toBeCloseTo(1 * -1 + 2 * 2, 6);
    expect(t('ub', 'y')).toBeCloseTo(-0.5 * -1 + 0.25 * 2, 6);
    expect(t('ub', 'z')).toBe(0);
    expect(t('stranger', 'x')).toBeUndefined();
    expect(t('ua', 'unknown')).toBeUndefined();
  });

  it('is null for a version without the file (bootstrap, λ = 0, versions before it), and a size mismatch is an error naming the files', async () => {
    const { 'taste.json': _, ...without } = files();
    expect(await versionTaste(memoryFiles(without))).toBeNull();
    await expect(versionTaste(memoryFiles(files({ 'taste.f32': float32LE(Float32Array.from([1, 2, 3])) })))).rejects.toThrow(/taste\.f32 .* does not match 2 users × 2/);
  });
});
