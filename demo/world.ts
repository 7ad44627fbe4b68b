import { xoshiro128ss, seedFromString, type Rng } from '../shared/rng.js';
import type { CatalogItem } from '../shared/schemas/catalog.js';

/**
 * A simulated world with known preferences: the ground truth the demo's CTR is measured against.
 * Click model (a position-based model, PBM): P(click | user u, item i, position p)
 *   = examine(p) · sigmoid(base + affinity · <u, v_i> + quality_i),  examine(p) = 1 / log2(p + 2).
 * Item tags and text are drawn from the item's latent vector, so catalog content predicts taste
 * and a cold item can be placed before anyone clicks it.
 */
export interface WorldOptions {
  seed: string;
  users: number;
  items: number;
  dims: number;
  /** New users joining each round (they have no history: cold start). */
  newUsersPerRound: number;
  /** New items arriving each round; a share of them are very good. */
  newItemsPerRound: number;
  goodNewItemsPerRound: number;
  /** Requests per active user per round. */
  requestsPerUser: number;
  k: number;
}

export const DEFAULT_WORLD: WorldOptions = {
  seed: 'slatecast-demo',
  users: 600,
  items: 240,
  dims: 3,
  newUsersPerRound: 60,
  newItemsPerRound: 8,
  goodNewItemsPerRound: 3,
  requestsPerUser: 5,
  k: 10,
};

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

const BASE = -2.6;
const AFFINITY = 1.6;
const WORDS = ['arcade', 'ballad', 'cinema', 'dessert', 'engine', 'forest', 'garden', 'harbor', 'island', 'jazz', 'kitchen', 'lunar', 'market', 'novel', 'ocean', 'poetry', 'quartz', 'rally', 'safari', 'tennis', 'urban', 'violin', 'winter', 'yoga'];

export function examine(position: number): number {
  return 1 / Math.log2(position + 2);
}

function gauss(rng: Rng): number {
  const a = Math.max(rng.next(), 1e-12);
  return Math.sqrt(-2 * Math.log(a)) * Math.cos(2 * Math.PI * rng.next());
}

export class World {
  readonly items: SimItem[] = [];
  readonly users: SimUser[] = [];
  private readonly rng: Rng;

  constructor(
    readonly opts: WorldOptions,
    private readonly startMs: number,
  ) {
    this.rng = xoshiro128ss(seedFromString(`world:${opts.seed}`));
    for (let i = 0; i < opts.items; i++) this.addItem(0, false, startMs - 30 * 86_400_000);
    for (let i = 0; i < opts.users; i++) this.addUser(0);
  }

  private vector(scale: number): Float64Array {
    const v = new Float64Array(this.opts.dims);
    for (let d = 0; d < v.length; d++) v[d] = gauss(this.rng) * scale;
    return v;
  }

  private addUser(round: number): SimUser {
    const u = { id: `user-${String(this.users.length).padStart(5, '0')}`, u: this.vector(1 / Math.sqrt(this.opts.dims) * 1.8), bornRound: round };
    this.users.push(u);
    return u;
  }

  private addItem(round: number, good: boolean, createdMs: number): SimItem {
    const v = this.vector(1 / Math.sqrt(this.opts.dims) * 1.8);
    const quality = good ? 1.6 + 0.3 * gauss(this.rng) : 0.6 * gauss(this.rng);
    const id = `item-${String(this.items.length).padStart(5, '0')}`;
    // Content: the two strongest latent directions become tags, and words tied to them the text.
    const order = [...v.keys()].sort((a, b) => Math.abs(v[b]!) - Math.abs(v[a]!));
    const tags = order.slice(0, 2).map((d) => `${v[d]! > 0 ? 'pro' : 'anti'}-${d}`);
    const words = order.slice(0, 3).map((d) => WORDS[(d * 2 + (v[d]! > 0 ? 0 : 1)) % WORDS.length]!);
    const item: SimItem = {
      id,
      v,
      quality,
      bornRound: round,
      good,
      catalog: { id, title: `${words[0]} ${words[1]} #${this.items.length}`, text: words.join(' '), tags, created_at: new Date(createdMs).toISOString() },
    };
    this.items.push(item);
    return item;
  }

  /** New users and items of a round (round 0 has the initial population only). */
  advance(round: number, nowMs: number): { newItems: SimItem[]; newUsers: SimUser[] } {
    const newItems: SimItem[] = [];
    const newUsers: SimUser[] = [];
    if (round === 0) return { newItems, newUsers };
    for (let i = 0; i < this.opts.newItemsPerRound; i++) newItems.push(this.addItem(round, i < this.opts.goodNewItemsPerRound, nowMs));
    for (let i = 0; i < this.opts.newUsersPerRound; i++) newUsers.push(this.addUser(round));
    return { newItems, newUsers };
  }

  /** Attraction (click probability if examined) of an item for a user. */
  attraction(user: SimUser, item: SimItem): number {
    let dot = 0;
    for (let d = 0; d < user.u.length; d++) dot += user.u[d]! * item.v[d]!;
    return 1 / (1 + Math.exp(-(BASE + AFFINITY * dot + item.quality)));
  }

  /** Expected clicks of a slate. */
  expectedClicks(user: SimUser, slate: readonly SimItem[]): number {
    return slate.reduce((a, it, p) => a + examine(p) * this.attraction(user, it), 0);
  }

  /** Expected clicks of the best possible slate of length k over the items that exist now. */
  oracleClicks(user: SimUser, k: number): number {
    const best = this.items.map((it) => this.attraction(user, it)).sort((a, b) => b - a).slice(0, k);
    return best.reduce((a, x, p) => a + examine(p) * x, 0);
  }

  /** Samples clicks on a shown slate. */
  clicks(user: SimUser, slate: readonly SimItem[], rng: Rng): boolean[] {
    return slate.map((it, p) => rng.next() < examine(p) * this.attraction(user, it));
  }

  /** The users who visit in a round: everyone born by then. */
  activeUsers(round: number): SimUser[] {
    return this.users.filter((u) => u.bornRound <= round);
  }

  itemById(id: string): SimItem | undefined {
    return this.items[Number(id.slice(5))];
  }

  rngFor(label: string): Rng {
    return xoshiro128ss(seedFromString(`${this.opts.seed}:${label}`));
  }
}
