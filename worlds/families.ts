import { checkParams, type WorldParams } from './sim/world.js';

/**
 * The demo's world (`npm run demo`): 3 latent dimensions all visible in the catalog, normal item
 * quality, every user visits 5 times a round, position-based clicks with e(p) = 1/log2(p + 2).
 */
export const DEMO_WORLD: WorldParams = {
  seed: 'slatecast-demo',
  users: 600,
  items: 240,
  dims: 3,
  contentDims: 3,
  base: -2.6,
  affinity: 1.6,
  vectorScale: 1.8,
  quality: { kind: 'normal', sd: 0.6 },
  good: { mean: 1.6, sd: 0.3 },
  newUsersPerRound: 60,
  newItemsPerRound: 8,
  goodNewItemsPerRound: 3,
  returning: 1,
  visitsMin: 5,
  visitsMax: 5,
  click: 'pbm',
  examine: { kind: 'log2' },
  stop: 0,
  drift: 0,
  k: 10,
};

const HIDDEN_TASTE = { dims: 16, vectorScale: 1.8, affinity: 1.6, drift: 0, k: 10 } as const;

/**
 * The world suite's families: named presets whose every leaf the CLI can override
 * (`--set items=2000`). Each has new items (some very good) and new users every round, and more
 * latent taste than its catalog text reveals.
 */
export const FAMILIES = {
  /** 1,500 Zipf-quality items, 2 of 16 taste dims in the text, cascade clicks, ≈ 5,000 slates a round. */
  'long-tail': {
    ...HIDDEN_TASTE,
    seed: 'long-tail',
    affinity: 2.2,
    users: 2000,
    items: 1500,
    contentDims: 2,
    base: -1.0,
    quality: { kind: 'zipf', exponent: 0.8 },
    good: { mean: -0.3, sd: 0.3 },
    newUsersPerRound: 100,
    newItemsPerRound: 20,
    goodNewItemsPerRound: 5,
    returning: 0.4,
    visitsMin: 3,
    visitsMax: 8,
    click: 'cascade',
    examine: { kind: 'log2' },
    stop: 0.5,
  },
  /** 500 items, every user's taste turns by 0.35 rad a round, position-based clicks. */
  drift: {
    ...HIDDEN_TASTE,
    seed: 'drift',
    users: 1500,
    items: 500,
    contentDims: 4,
    base: -3.5,
    quality: { kind: 'normal', sd: 0.8 },
    good: { mean: 1.8, sd: 0.3 },
    newUsersPerRound: 75,
    newItemsPerRound: 10,
    goodNewItemsPerRound: 3,
    returning: 0.5,
    visitsMin: 3,
    visitsMax: 6,
    click: 'pbm',
    examine: { kind: 'log2' },
    stop: 0,
    drift: 0.35,
  },
  /** Many users with 1–2 visits each: little per-user evidence. */
  sparse: {
    ...HIDDEN_TASTE,
    seed: 'sparse',
    users: 6000,
    items: 800,
    contentDims: 4,
    base: -3.5,
    quality: { kind: 'normal', sd: 0.8 },
    good: { mean: 1.8, sd: 0.3 },
    newUsersPerRound: 600,
    newItemsPerRound: 16,
    goodNewItemsPerRound: 4,
    returning: 0.35,
    visitsMin: 1,
    visitsMax: 2,
    click: 'pbm',
    examine: { kind: 'log2' },
    stop: 0,
  },
  /** 12,000 Zipf-quality items, +100 a round. */
  'large-catalog': {
    ...HIDDEN_TASTE,
    seed: 'large-catalog',
    users: 3000,
    items: 12000,
    contentDims: 4,
    base: -1.5,
    quality: { kind: 'zipf', exponent: 0.6 },
    good: { mean: -0.3, sd: 0.3 },
    newUsersPerRound: 150,
    newItemsPerRound: 100,
    goodNewItemsPerRound: 10,
    returning: 0.4,
    visitsMin: 2,
    visitsMax: 5,
    click: 'pbm',
    examine: { kind: 'log2' },
    stop: 0,
  },
  /** 32 taste dims (4 in the text), position-based clicks whose reading falls 20% a position. */
  'pbm-deep': {
    ...HIDDEN_TASTE,
    seed: 'pbm-deep',
    users: 2000,
    items: 1000,
    dims: 32,
    contentDims: 4,
    base: -3.5,
    affinity: 2.0,
    quality: { kind: 'normal', sd: 1.0 },
    good: { mean: 2.0, sd: 0.3 },
    newUsersPerRound: 100,
    newItemsPerRound: 20,
    goodNewItemsPerRound: 5,
    returning: 0.4,
    visitsMin: 3,
    visitsMax: 8,
    click: 'pbm',
    examine: { kind: 'geometric', decay: 0.8, top: 0.95 },
    stop: 0,
  },
} satisfies Record<string, WorldParams>;

export type FamilyName = keyof typeof FAMILIES;

/** Family names, in the order `--family all` runs them. */
export const FAMILY_NAMES = Object.keys(FAMILIES) as FamilyName[];

/**
 * A world's parameters with `key=value` overrides applied (`quality.sd=1`, `click=cascade`).
 * A key must name a leaf the preset has; numbers must parse; the result is checked whole.
 * @throws RangeError naming the bad override
 */
export function withOverrides(base: WorldParams, sets: readonly string[]): WorldParams {
  const out = structuredClone(base) as unknown as Record<string, unknown>;
  for (const s of sets) {
    const eq = s.indexOf('=');
    if (eq <= 0) throw new RangeError(`--set ${s}: expected key=value`);
    const path = s.slice(0, eq).split('.');
    const raw = s.slice(eq + 1);
    let obj = out;
    for (const key of path.slice(0, -1)) {
      const next = obj[key];
      if (typeof next !== 'object' || next === null) throw new RangeError(`--set ${s}: unknown key "${path.join('.')}" (keys: ${leafKeys(base).join(', ')})`);
      obj = next as Record<string, unknown>;
    }
    const leaf = path.at(-1)!;
    // A leaf the preset lacks is still settable when another kind of its object has it
    // (`examine.kind=geometric` needs `examine.top` and `examine.decay`); checkParams then
    // checks the object whole.
    const old = obj[leaf] ?? (KIND_LEAVES.includes(path.join('.')) ? 0 : undefined);
    if (old === undefined || (typeof old === 'object' && old !== null)) throw new RangeError(`--set ${s}: unknown key "${path.join('.')}" (keys: ${leafKeys(base).join(', ')})`);
    if (typeof old === 'number') {
      const n = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(n)) throw new RangeError(`--set ${s}: ${path.join('.')} must be a number`);
      obj[leaf] = n;
    } else obj[leaf] = raw;
  }
  const p = out as unknown as WorldParams;
  if (p.click !== 'pbm' && p.click !== 'cascade') throw new RangeError(`--set click: must be pbm or cascade, got "${String(p.click)}"`);
  checkParams(p);
  return p;
}

/** Numeric leaves of one kind of an object and not another (a preset has only its kind's). */
const KIND_LEAVES = ['examine.top', 'examine.decay', 'quality.sd', 'quality.exponent'];

function leafKeys(o: object, prefix = ''): string[] {
  const own = Object.entries(o).flatMap(([k, v]) => (typeof v === 'object' && v !== null ? leafKeys(v as object, `${prefix}${k}.`) : [`${prefix}${k}`]));
  return prefix === '' ? [...new Set([...own, ...KIND_LEAVES])] : own;
}
