import { performance } from 'node:perf_hooks';
import { doublyRobust, ips, slateIps, snips } from '../shared/ope/index.js';
import { rngForImpression } from '../shared/rng.js';

export interface OpeBenchResult {
  impressions: number;
  positions: number;
  /** Wall seconds of a bare pass (sum of r·π/p) over the same arrays, best of 5: the floor any estimator pays. */
  bare_pass_s: number;
  estimators: Array<{ name: string; seconds: number; impressions_per_s: number; vs_bare_pass: number; estimate: number; ci: [number, number] }>;
}

/**
 * Off-policy estimation throughput on synthetic logs of `n` impressions × `k` positions: IPS, SNIPS
 * and DR on the flattened (impression, position) rows, and the per-position slate IPS on the
 * nested rows, each against a bare arithmetic pass over the same data measured in the same run.
 */
export function runOpeBench(opts: { impressions?: number; k?: number } = {}): OpeBenchResult {
  const n = opts.impressions ?? 1_000_000;
  const k = opts.k ?? 10;
  const rng = rngForImpression('ope-bench');
  const rows = n * k;
  const rewards = new Array<number>(rows);
  const propensities = new Array<number>(rows);
  const target = new Array<number>(rows);
  const qLogged = new Array<number>(rows);
  const qTarget = new Array<number>(rows);
  for (let i = 0; i < rows; i++) {
    const p = 0.05 + 0.9 * rng.next();
    propensities[i] = p;
    target[i] = rng.next();
    const q = 0.1 * rng.next();
    qLogged[i] = q;
    qTarget[i] = q;
    rewards[i] = rng.next() < q ? 1 : 0;
  }
  const nested = (a: number[]) => Array.from({ length: n }, (_, i) => a.slice(i * k, i * k + k));
  const slate = { rewards: nested(rewards), propensities: nested(propensities), targetProbabilities: nested(target) };

  // Best of `repeats`: the first pass over 10M rows also pays for JIT warm-up and page faults,
  // which would flatter every ratio against a cold reference.
  const time = <T>(f: () => T, repeats: number): [T, number] => {
    let best = Infinity;
    let r!: T;
    for (let k = 0; k < repeats; k++) {
      const t0 = performance.now();
      r = f();
      best = Math.min(best, (performance.now() - t0) / 1000);
    }
    return [r, best];
  };
  const [, bare] = time(() => {
    let s = 0;
    for (let i = 0; i < rows; i++) s += (rewards[i]! * target[i]!) / propensities[i]!;
    return s;
  }, 5);
  const bandit = { rewards, propensities, targetProbabilities: target };
  const cases: Array<[string, () => { estimate: number; ci: [number, number] }]> = [
    ['ips', () => ips(bandit)],
    ['snips', () => snips(bandit)],
    ['doubly-robust', () => doublyRobust({ ...bandit, qLogged, qTarget })],
    ['slate-ips (per position)', () => slateIps(slate)],
  ];
  const estimators = cases.map(([name, f]) => {
    const [e, s] = time(f, 3);
    return { name, seconds: s, impressions_per_s: n / s, vs_bare_pass: s / bare, estimate: e.estimate, ci: e.ci };
  });
  return { impressions: n, positions: k, bare_pass_s: bare, estimators };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = runOpeBench();
  console.log(`OPE on ${r.impressions} impressions × ${r.positions} positions; bare pass ${(r.bare_pass_s * 1000).toFixed(1)} ms`);
  for (const e of r.estimators) console.log(`${e.name.padEnd(26)} ${(e.seconds * 1000).toFixed(0).padStart(6)} ms  ${(e.impressions_per_s / 1e6).toFixed(2)} M impressions/s  ${e.vs_bare_pass.toFixed(1)}× bare pass`);
}
