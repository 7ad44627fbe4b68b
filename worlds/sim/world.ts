import { xoshiro128ss, seedFromString, type Rng } from '../../shared/rng.js';
import type { CatalogItem } from '../../shared/schemas/catalog.js';
import { clickModel, type ClickModel, type ExamineCurve } from './click-model.js';

/**
 * A simulated world with known preferences: the ground truth every figure of the demo and the
 * world suite is measured against.
 *
 * Attraction (click probability if examined) of item i for user u:
 *   a(u, i) = sigmoid(base + affinity · <u, v_i> + quality_i),
 * with u, v_i ~ N(0, (vectorScale/√dims)²) per coordinate. The click model (click-model.ts) turns
 * attractions into clicks by position. Tags and text of an item are drawn from its strongest
 * coordinates among the first `contentDims` latent dimensions only, so the catalog carries part
 * of the taste signal and none of the quality.
 */
export interface WorldParams {
  seed: string;
  /** Initial users and items. */
  users: number;
  items: number;
  /** Latent taste dimensions. */
  dims: number;
  /** How many of them (the first ones) the catalog's text and tags reveal. */
  contentDims: number;
  base: number;
  affinity: number;
  vectorScale: number;
  /** Item quality: normal(0, sd), or Zipf-like −exponent · ln(rank) with rank uniform in [1, items]. */
  quality: { kind: 'normal'; sd: number } | { kind: 'zipf'; exponent: number };
  /** Quality of the very good new items: normal(mean, sd). */
  good: { mean: number; sd: number };
  newUsersPerRound: number;
  newItemsPerRound: number;
  goodNewItemsPerRound: number;
  /** Share of returning users who visit in a round (1: everyone). New users always visit. */
  returning: number;
  /** Visits of a visiting user in a round, uniform in [min, max]. */
  visitsMin: number;
  visitsMax: number;
  click: 'pbm' | 'cascade';
  examine: ExamineCurve;
  /** Chance of stopping after a click (cascade). */
  stop: number;
  /** Taste drift: every user vector turns by this angle (radians) per round. */
  drift: number;
  k: number;
}

export interface SimItem {
  id: string;
  v: Float64Array;
  quality: number;
  bornRound: number;
  good: boolean;
  catalog: CatalogItem;
}

export interface SimUser {
  id: string;
  u: Float64Array;
  bornRound: number;
}

const WORDS = ['arcade', 'ballad', 'cinema', 'dessert', 'engine', 'forest', 'garden', 'harbor', 'island', 'jazz', 'kitchen', 'lunar', 'market', 'novel', 'ocean', 'poetry', 'quartz', 'rally', 'safari', 'tennis', 'urban', 'violin', 'winter', 'yoga'];

/** A standard normal draw (Box–Muller). */
export function gauss(rng: Rng): number {
  const a = Math.max(rng.next(), 1e-12);
  return Math.sqrt(-2 * Math.log(a)) * Math.cos(2 * Math.PI * rng.next());
}

/**
 * The world's population and catalog, growing round by round. Every random choice comes from a
 * stream named by the seed, so a seed replays the same world (users, items, visits, drift).
 */
export class World {
  readonly items: SimItem[] = [];
  readonly users: SimUser[] = [];
  readonly clickModel: ClickModel;
  private readonly rng: Rng;

  /** @param startMs the catalog's clock: initial items were created 30 days before it */
  constructor(
    readonly params: WorldParams,
    startMs: number,
  ) {
    checkParams(params);
    this.clickModel = clickModel(params.click, params.examine, params.k, params.stop);
    this.rng = xoshiro128ss(seedFromString(`world:${params.seed}`));
    for (let i = 0; i < params.items; i++) this.addItem(0, false, startMs - 30 * 86_400_000);
    for (let i = 0; i < params.users; i++) this.addUser(0);
  }

  private vector(): Float64Array {
    const scale = this.params.vectorScale / Math.sqrt(this.params.dims);
    const v = new Float64Array(this.params.dims);
    for (let d = 0; d < v.length; d++) v[d] = gauss(this.rng) * scale;
    return v;
  }

  private addUser(round: number): SimUser {
    const u = { id: `user-${String(this.users.length).padStart(5, '0')}`, u: this.vector(), bornRound: round };
    this.users.push(u);
    return u;
  }

  private drawQuality(good: boolean): number {
    const p = this.params;
    if (good) return p.good.mean + p.good.sd * gauss(this.rng);
    if (p.quality.kind === 'normal') return p.quality.sd * gauss(this.rng);
    return -p.quality.exponent * Math.log(1 + this.rng.next() * (p.items - 1));
  }

  private addItem(round: number, good: boolean, createdMs: number): SimItem {
    const v = this.vector();
    const quality = this.drawQuality(good);
    const id = `item-${String(this.items.length).padStart(5, '0')}`;
    // Content: the strongest visible latent directions become tags, and words tied to them the text.
    const visible = [...v.keys()].slice(0, this.params.contentDims);
    const order = visible.sort((a, b) => Math.abs(v[b]!) - Math.abs(v[a]!));
    const tags = order.slice(0, 2).map((d) => `${v[d]! > 0 ? 'pro' : 'anti'}-${d}`);
    const words = order.slice(0, 3).map((d) => WORDS[(d * 2 + (v[d]! > 0 ? 0 : 1)) % WORDS.length]!);
    const title = words.length > 1 ? `${words[0]} ${words[1]}` : (words[0] ?? 'item');
    const item: SimItem = {
      id,
      v,
      quality,
      bornRound: round,
      good,
      catalog: { id, title: `${title} #${this.items.length}`, text: words.join(' '), tags, created_at: new Date(createdMs).toISOString() },
    };
    this.items.push(item);
    return item;
  }

  /** New users and items of a round, and the round's taste drift (round 0 is the initial world). */
  advance(round: number, nowMs: number): { newItems: SimItem[]; newUsers: SimUser[] } {
    const newItems: SimItem[] = [];
    const newUsers: SimUser[] = [];
    if (round === 0) return { newItems, newUsers };
    const good = this.goodPlaces(round);
    for (let i = 0; i < this.params.newItemsPerRound; i++) newItems.push(this.addItem(round, good.has(i), nowMs));
    for (let i = 0; i < this.params.newUsersPerRound; i++) newUsers.push(this.addUser(round));
    if (this.params.drift !== 0) for (const u of this.users) rotate(u.u, this.params.drift);
    return { newItems, newUsers };
  }

  /**
   * Which of a round's new items are the very good ones: a seeded random subset, from a stream of
   * its own. Catalog order must carry no signal about quality; when the good items came first, any
   * policy that breaks ties by catalog order found them by position, not by learning.
   */
  private goodPlaces(round: number): Set<number> {
    const n = this.params.newItemsPerRound;
    const places = Array.from({ length: n }, (_, i) => i);
    const rng = xoshiro128ss(seedFromString(`world:${this.params.seed}:good:${round}`));
    const want = Math.min(this.params.goodNewItemsPerRound, n);
    for (let i = 0; i < want; i++) {
      const j = i + Math.floor(rng.next() * (n - i));
      [places[i], places[j]] = [places[j]!, places[i]!];
    }
    return new Set(places.slice(0, want));
  }

  /** Attraction of an item for a user. */
  attraction(user: SimUser, item: SimItem): number {
    let dot = 0;
    for (let d = 0; d < user.u.length; d++) dot += user.u[d]! * item.v[d]!;
    return 1 / (1 + Math.exp(-(this.params.base + this.params.affinity * dot + item.quality)));
  }

  /** Attractions of every item (in `items` order) for a user. */
  attractionRow<T extends Float64Array | Float32Array>(user: SimUser, out: T): T {
    for (let i = 0; i < this.items.length; i++) out[i] = this.attraction(user, this.items[i]!);
    return out;
  }

  itemById(id: string): SimItem | undefined {
    const it = this.items[Number(id.slice(5))];
    return it?.id === id ? it : undefined;
  }

  /** An independent seeded stream of this world, by label. */
  rngFor(label: string): Rng {
    return xoshiro128ss(seedFromString(`${this.params.seed}:${label}`));
  }
}

/** Turns a vector by `angle` in each coordinate plane (0,1), (2,3), … : a rotation, norms kept. */
function rotate(v: Float64Array, angle: number): void {
  const c = Math.cos(angle);
  const s = Math.sin(angle);
  for (let d = 0; d + 1 < v.length; d += 2) {
    const x = v[d]!;
    const y = v[d + 1]!;
    v[d] = c * x - s * y;
    v[d + 1] = s * x + c * y;
  }
}

/** @throws RangeError naming the first parameter out of range */
export function checkParams(p: WorldParams): void {
  const need = (ok: boolean, msg: string) => {
    if (!ok) throw new RangeError(`world parameter ${msg}`);
  };
  const int = (x: number, min: number) => Number.isInteger(x) && x >= min;
  need(int(p.users, 1), `users must be an integer ≥ 1, got ${p.users}`);
  need(int(p.items, 1), `items must be an integer ≥ 1, got ${p.items}`);
  need(int(p.dims, 1), `dims must be an integer ≥ 1, got ${p.dims}`);
  need(int(p.contentDims, 0) && p.contentDims <= p.dims, `contentDims must be an integer in [0, dims], got ${p.contentDims}`);
  need(int(p.k, 1) && p.k <= 100, `k must be an integer in [1, 100], got ${p.k}`);
  need(p.items >= p.k, `items (${p.items}) must be at least k (${p.k})`);
  need(int(p.newUsersPerRound, 0) && int(p.newItemsPerRound, 0), 'newUsersPerRound and newItemsPerRound must be integers ≥ 0');
  need(int(p.goodNewItemsPerRound, 0) && p.goodNewItemsPerRound <= p.newItemsPerRound, `goodNewItemsPerRound must be an integer in [0, newItemsPerRound], got ${p.goodNewItemsPerRound}`);
  need(p.returning >= 0 && p.returning <= 1, `returning must be in [0, 1], got ${p.returning}`);
  need(int(p.visitsMin, 1) && int(p.visitsMax, p.visitsMin), `visitsMin/visitsMax must be integers with 1 ≤ min ≤ max, got ${p.visitsMin}/${p.visitsMax}`);
  need(Number.isFinite(p.base) && Number.isFinite(p.affinity) && p.vectorScale > 0, 'base, affinity must be finite and vectorScale > 0');
  need(Number.isFinite(p.drift), `drift must be finite, got ${p.drift}`);
  need(p.quality.kind === 'normal' || p.quality.kind === 'zipf', `quality.kind must be normal or zipf, got "${String(p.quality.kind)}"`);
  need(p.quality.kind === 'normal' ? p.quality.sd >= 0 : p.quality.exponent >= 0, `quality.${p.quality.kind === 'normal' ? 'sd' : 'exponent'} must be a number ≥ 0`);
  need(p.examine.kind === 'log2' || p.examine.kind === 'geometric', `examine.kind must be log2 or geometric, got "${String(p.examine.kind)}"`);
  if (p.examine.kind === 'geometric') {
    const { top, decay } = p.examine;
    need(top > 0 && top <= 1 && decay > 0 && decay <= 1, `examine.top and examine.decay must be in (0, 1] with examine.kind=geometric, got ${top} and ${decay}`);
  }
}
