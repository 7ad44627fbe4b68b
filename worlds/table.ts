import type { GateRow, RoundRow } from './round-row.js';
import type { FamilySummary, Spread } from './summary.js';

const f2 = (x: number | null | undefined) => (typeof x === 'number' ? x.toFixed(2) : '–');
const pct = (x: number | null | undefined) => (typeof x === 'number' ? `${(100 * x).toFixed(0)}%` : '–');
const signedPct = (x: number | null | undefined) => (typeof x === 'number' ? `${x >= 0 ? '+' : ''}${(100 * x).toFixed(1)}%` : '–');

/** The gate's decision and the truth in one phrase, e.g. `reject Δ̂ +0.012 [-0.01, 0.03] ESS 88; true +14.2%`. */
export function gatePhrase(g: GateRow): string {
  if (!g.ran) return 'no gate';
  const verdict = !g.evaluated ? `pass, not evaluated (${g.reason ?? ''})` : `${g.canary ? 'CANARY' : g.publish ? 'publish' : 'REJECT'}${g.outcome ? ` (${g.outcome})` : ''} Δ̂ ${g.delta_hat?.toFixed(3)} [${g.ci?.map((x) => x.toFixed(3)).join(', ')}] ESS ${Math.round(g.ess ?? 0)}`;
  return `${verdict}; true Δ ${signedPct(g.true_delta_rel)}`;
}

/** One line per finished round of one seed (progress while a family runs). */
export function roundLine(label: string, r: RoundRow): string {
  const v = r.vs_oracle;
  const c = r.cold_vs_oracle;
  return (
    `[${label}] round ${r.round}: CTR/oracle slatecast ${f2(v.slatecast)} (realised ${f2(v.slatecast_realised)}; its ranking unexplored ${f2(r.serving_parts?.ranking)}, its strangers' list ${f2(r.serving_parts?.strangers_list)}) · popularity ${f2(v.popularity)} · best list ${f2(v.best_global)} · random ${f2(v.random)}` +
    ` · cold ${f2(c?.slatecast)} vs pop ${f2(c?.popularity)} · explored ${pct(r.explored_share)} · good found ≤2 rounds ${pct(r.good_within_2)} (${r.good_exploited}/${r.good_items} so far)` +
    ` · batch ${r.batch_status} ${r.batch_seconds.toFixed(1)} s${r.canary ? `, canary ${r.canary.outcome}` : ''}, gate: ${gatePhrase(r.gate)}${r.planted ? ` · PLANTED: ${gatePhrase(r.planted)}` : ''}` +
    ` · ${r.visits} slates in ${r.traffic_seconds.toFixed(1)} s${r.errors ? ` · ${r.errors} ERRORS: ${r.first_error}` : ''}`
  );
}

const sp = (s: Spread | null | undefined, fmt: (x: number) => string = (x) => x.toFixed(2)) => (!s ? '–' : s.n > 1 ? `${fmt(s.mean)} (${fmt(s.min)}–${fmt(s.max)})` : fmt(s.mean));

/** The per-round table of a family over its seeds: mean (min–max) of CTR ÷ oracle per policy. */
export function summaryTable(s: FamilySummary): string {
  const head = ['round', 'slatecast', 'realised', 'its ranking, unexplored', "its strangers' list", 'popularity', 'best list', 'random', 'cold slatecast', 'cold popularity', 'explored', 'good ≤2r', 'gate'];
  const lines = s.rounds.map((r) => [
    String(r.round),
    sp(r.vs_oracle.slatecast),
    sp(r.vs_oracle.slatecast_realised),
    sp(r.serving_parts?.ranking),
    sp(r.serving_parts?.strangers_list),
    sp(r.vs_oracle.popularity),
    sp(r.vs_oracle.best_global),
    sp(r.vs_oracle.random),
    sp(r.cold_vs_oracle.slatecast),
    sp(r.cold_vs_oracle.popularity),
    sp(r.explored_share, (x) => `${(100 * x).toFixed(0)}%`),
    sp(r.good_within_2, (x) => `${(100 * x).toFixed(0)}%`),
    Object.entries(r.gate).map(([k, n]) => `${k}×${n}`).join(', '),
  ]);
  const md = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...lines.map((l) => `| ${l.join(' | ')} |`)];
  const conf = (t: Record<string, Record<string, number>>) =>
    Object.entries(t)
      .map(([truth, d]) => `${truth}: ${Object.entries(d).map(([k, n]) => `${k} ${n}`).join(', ')}`)
      .join('; ') || 'none';
  return `\n${s.family} — CTR ÷ personalised oracle, expected clicks on the same visits; seeds ${s.seeds.join(', ')}\n${md.join('\n')}\ngate vs truth (±${100 * s.confusion.margin}% of the serving value): candidates — ${conf(s.confusion.candidates)}; planted — ${conf(s.confusion.planted)}; longest run of rounds rejecting a truly better candidate: ${s.confusion.longest_better_rejected_streak}${s.confusion.canaries ? `; canaries, next run's verdict — ${conf(s.confusion.canaries)}` : ''}\n`;
}
