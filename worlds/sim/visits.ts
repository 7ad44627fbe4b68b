import type { SimUser, World } from './world.js';

/** One slate request of a round: who asks, and whether the batch tier has never seen them. */
export interface Visit {
  /** Position in the round's shuffled visit list (seeds the visit's clicks). */
  index: number;
  user: SimUser;
  /**
   * The user's first round of visits: no batch run has seen them, so every visit of the round is
   * a cold start for the model (it learns between rounds only).
   */
  cold: boolean;
}

/**
 * The visits of a round, shuffled: every user born this round visits; a returning user visits
 * with probability `returning`; a visiting user makes `visitsMin`–`visitsMax` visits. Seeded by
 * the world's seed and the round, so a seed replays the same visits.
 * @param firstRound per user id, the first round they visited (updated here)
 */
export function roundVisits(world: World, round: number, firstRound: Map<string, number>): Visit[] {
  const p = world.params;
  const pick = world.rngFor(`visitors:${round}`);
  const count = world.rngFor(`visits:${round}`);
  const users: SimUser[] = [];
  for (const u of world.users) {
    if (u.bornRound > round) continue;
    const isNew = u.bornRound === round && round > 0;
    // Draw for everyone, so one user's choice never shifts another's stream.
    const visits = p.visitsMin + Math.floor(count.next() * (p.visitsMax - p.visitsMin + 1));
    const comes = pick.next() < p.returning;
    if (!isNew && !comes) continue;
    for (let i = 0; i < visits; i++) users.push(u);
  }
  const order = world.rngFor(`order:${round}`);
  for (let i = users.length - 1; i > 0; i--) {
    const j = Math.floor(order.next() * (i + 1));
    [users[i], users[j]] = [users[j]!, users[i]!];
  }
  const out = users.map((user, index) => ({ index, user, cold: (firstRound.get(user.id) ?? round) === round }));
  for (const v of out) if (!firstRound.has(v.user.id)) firstRound.set(v.user.id, round);
  return out;
}
