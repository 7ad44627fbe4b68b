import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canaryVerdict, inCanary, type ArmTraffic } from '../../shared/artifact/canary.js';
import { seedFromString, xoshiro128ss, type Rng } from '../../shared/rng.js';

const hex = (rng: Rng) => Array.from({ length: 64 }, () => '0123456789abcdef'[Math.floor(rng.next() * 16)]).join('');

describe('inCanary', () => {
  it('puts the share of users in the canary (4σ over 100k user keys), each user always in the same arm', () => {
    const rng = xoshiro128ss(seedFromString('canary-share'));
    const n = 100_000;
    for (const share of [0.05, 0.2, 0.5]) {
      const canary = { version: 'v20260101T000000Z-abcdef', share };
      let inside = 0;
      for (let i = 0; i < n; i++) if (inCanary(hex(rng), canary)) inside++;
      expect(Math.abs(inside - n * share)).toBeLessThan(4 * Math.sqrt(n * share * (1 - share)));
    }
    fc.assert(fc.property(fc.stringMatching(/^[0-9a-f]{64}$/), fc.double({ min: 0.01, max: 0.99, noNaN: true }), (uk, share) => inCanary(uk, { version: 'v1', share }) === inCanary(uk, { version: 'v1', share })));
  });

  it('draws each canary its own users: two canaries share users as independent draws do (4σ)', () => {
    const rng = xoshiro128ss(seedFromString('canary-overlap'));
    const n = 100_000;
    const a = { version: 'v20260101T000000Z-aaaaaa', share: 0.2 };
    const b = { version: 'v20260102T000000Z-bbbbbb', share: 0.2 };
    let both = 0;
    for (let i = 0; i < n; i++) {
      const uk = hex(rng);
      if (inCanary(uk, a) && inCanary(uk, b)) both++;
    }
    expect(Math.abs(both - n * 0.04)).toBeLessThan(4 * Math.sqrt(n * 0.04 * 0.96));
  });
});

/**
 * Users with their own click rates (Beta(2, 8), mean 0.2) and 1–8 slates each; the canary arm's
 * rates are `lift` times the control's. True reward per slate: 0.2 (control), 0.2 · lift (canary).
 */
function arms(rng: Rng, users: number, lift: number): { canary: ArmTraffic; control: ArmTraffic } {
  const arm = (m: number, f: number): ArmTraffic => {
    const slates: number[] = [];
    const rewards: number[] = [];
    for (let u = 0; u < m; u++) {
      const p = Math.min(1, beta28(rng) * f);
      const n = 1 + Math.floor(rng.next() * 8);
      let r = 0;
      for (let i = 0; i < n; i++) if (rng.next() < p) r++;
      slates.push(n);
      rewards.push(r);
    }
    return { slates, rewards };
  };
  return { canary: arm(Math.round(users * 0.2), lift), control: arm(Math.round(users * 0.8), 1) };
}

/** Beta(2, 8) as the 2nd smallest of 9 uniforms. */
function beta28(rng: Rng): number {
  const u = Array.from({ length: 9 }, () => rng.next()).sort((a, b) => a - b);
  return u[1]!;
}

describe('canaryVerdict', () => {
  it('its 95% interval of canary − control covers the truth in 91–99% of 400 seeded canaries (per-user clusters)', () => {
    let covered = 0;
    const runs = 400;
    for (let s = 0; s < runs; s++) {
      const rng = xoshiro128ss(seedFromString(`canary-coverage-${s}`));
      const { canary, control } = arms(rng, 1000, 1.15);
      const v = canaryVerdict(canary, control, { tolerance: 0, relativeMargin: 0.05 });
      const truth = 0.2 * 1.15 - 0.2;
      if (v.difference!.ci[0] <= truth && truth <= v.difference!.ci[1]) covered++;
    }
    // Binomial sd of the share at 95%: 0.011; the bounds sit 4σ out.
    expect(covered / runs).toBeGreaterThan(0.906);
    expect(covered / runs).toBeLessThan(0.994);
  });

  it('promotes a clearly better canary, rolls back a clearly worse one, lets ties through, waits on too few users', () => {
    const decide = (lift: number, users: number, seed: string) => {
      const a = arms(xoshiro128ss(seedFromString(seed)), users, lift);
      return canaryVerdict(a.canary, a.control, { tolerance: 0, relativeMargin: 0.05 });
    };
    expect(decide(1.3, 4000, 'better').outcome).toBe('promote');
    expect(decide(0.6, 4000, 'worse').outcome).toBe('rollback');
    expect(decide(0.6, 4000, 'worse').reason).toMatch(/worse beyond the margin/);
    // A tie (the same traffic in both arms) is promoted: no lock-in of the serving version.
    const same = arms(xoshiro128ss(seedFromString('tie')), 500, 1).control;
    expect(canaryVerdict(same, same, { tolerance: 0, relativeMargin: 0.05 }).outcome).toBe('promote');
    const few = decide(2, 100, 'few');
    expect(few.outcome).toBe('wait');
    expect(few.users.canary).toBeLessThan(30);
  });
});
