import { chartJsSource, esc } from '../worlds/html.js';

/** One round of one run, as written to summary.json. */
export interface RoundRow {
  round: number;
  version: string;
  requests: number;
  shown: number;
  clicks: number;
  ctr: number;
  /** Expected CTR of what was shown, from the ground truth (less noisy than `ctr`). */
  expected_ctr: number;
  oracle_ctr: number;
  ctr_vs_oracle: number;
  regret: number;
  cumulative_regret: number;
  explored_share: number;
  explored_ctr: number | null;
  exploited_ctr: number | null;
  coverage: number;
  new_items_shown: number;
  new_items_promoted: number;
  good_new_items: number;
  good_new_items_exploited: number;
  sources: Record<string, number>;
  batch_seconds: number;
  traffic_seconds: number;
  errors: number;
  /** The deploy gate's verdict on this round's candidate: pass, reject, or off. */
  gate: string;
}

export interface RunSummary {
  label: string;
  epsilon: string;
  rounds: RoundRow[];
  /** Per good new item: rounds from arrival until it was first shown from the ranking (null: never). */
  good_item_discovery: Array<{ item: string; born_round: number; exploited_after_rounds: number | null }>;
}

export interface Summary {
  generated_at: string;
  world: Record<string, unknown>;
  runs: RunSummary[];
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd'];

/**
 * A self-contained HTML report: Chart.js is inlined from node_modules, so it renders offline with
 * no CDN. Every chart is a <canvas> with an id the end-to-end test looks for.
 */
export async function renderReport(summary: Summary): Promise<string> {
  const chartJs = await chartJsSource();
  const rounds = summary.runs[0]?.rounds.map((r) => `round ${r.round}`) ?? [];
  const series = (pick: (r: RoundRow) => number | null, suffix = '') =>
    summary.runs.map((run, i) => ({ label: `${run.label}${suffix}`, data: run.rounds.map(pick), borderColor: COLORS[i % COLORS.length], backgroundColor: COLORS[i % COLORS.length], tension: 0.2 }));
  const charts = [
    { id: 'chart-ctr', title: 'CTR vs oracle per round', datasets: [...series((r) => r.ctr, ' CTR'), { label: 'oracle CTR', data: summary.runs[0]?.rounds.map((r) => r.oracle_ctr) ?? [], borderColor: '#333', borderDash: [6, 4], backgroundColor: '#333' }] },
    { id: 'chart-regret', title: 'Cumulative regret (expected clicks lost to the oracle)', datasets: series((r) => r.cumulative_regret) },
    { id: 'chart-coverage', title: 'Catalog coverage (share of items shown)', datasets: series((r) => r.coverage) },
    { id: 'chart-discovery', title: 'Good new items shown from the ranking (cumulative discoveries)', datasets: series((r) => r.good_new_items_exploited) },
    { id: 'chart-explore', title: 'CTR of explored vs exploited positions', datasets: [...series((r) => r.exploited_ctr, ' exploited'), ...series((r) => r.explored_ctr, ' explored').map((d) => ({ ...d, borderDash: [4, 3] }))] },
  ];
  const table = (run: RunSummary) => `
  <h3>${esc(run.label)} (epsilon: ${esc(run.epsilon)})</h3>
  <table><thead><tr><th>round</th><th>version</th><th>requests</th><th>CTR</th><th>oracle CTR</th><th>CTR/oracle</th><th>explored</th><th>coverage</th><th>new shown</th><th>new promoted</th><th>batch s</th></tr></thead><tbody>
  ${run.rounds
    .map(
      (r) =>
        `<tr><td>${r.round}</td><td><code>${esc(r.version)}</code></td><td>${r.requests}</td><td>${pct(r.ctr)}</td><td>${pct(r.oracle_ctr)}</td><td>${r.ctr_vs_oracle.toFixed(2)}</td><td>${pct(r.explored_share)}</td><td>${pct(r.coverage)}</td><td>${r.new_items_shown}</td><td>${r.new_items_promoted}</td><td>${r.batch_seconds.toFixed(1)}</td></tr>`,
    )
    .join('\n')}
  </tbody></table>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>slatecast demo report</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:1100px;color:#222}
h1{margin-bottom:0}.sub{color:#666;margin-top:.2rem}
.grid{display:grid;grid-template-columns:1fr 1fr;gap:1.5rem}
figure{margin:0;border:1px solid #ddd;border-radius:6px;padding:.6rem}
figcaption{font-weight:600;margin-bottom:.4rem}
table{border-collapse:collapse;margin:.5rem 0 1.5rem;font-size:13px}
td,th{border-bottom:1px solid #eee;padding:.25rem .6rem;text-align:right}
td:nth-child(2),th:nth-child(2){text-align:left}
</style>
<script>${chartJs}</script>
</head><body>
<h1>slatecast closed-loop demo</h1>
<p class="sub">Generated ${esc(summary.generated_at)} · world ${esc(JSON.stringify(summary.world))}</p>
<div class="grid">
${charts.map((c) => `<figure><figcaption>${esc(c.title)}</figcaption><canvas id="${c.id}" height="220"></canvas></figure>`).join('\n')}
</div>
<h2>Per round</h2>
${summary.runs.map(table).join('\n')}
<h2>Good new items</h2>
${summary.runs.map((run) => `<p><b>${esc(run.label)}</b>: ${run.good_item_discovery.filter((d) => d.exploited_after_rounds !== null).length} of ${run.good_item_discovery.length} reached the exploited slates; median delay ${median(run.good_item_discovery.map((d) => d.exploited_after_rounds).filter((x): x is number => x !== null))} rounds.</p>`).join('\n')}
<script>
const labels = ${JSON.stringify(rounds)};
const charts = ${JSON.stringify(charts)};
for (const c of charts) {
  new Chart(document.getElementById(c.id), { type: 'line', data: { labels, datasets: c.datasets }, options: { animation: false, responsive: true, plugins: { legend: { position: 'bottom' } } } });
}
window.__chartsRendered = charts.length;
</script>
</body></html>
`;
}

function pct(x: number): string {
  return `${(100 * x).toFixed(1)}%`;
}

function median(xs: number[]): string {
  if (!xs.length) return '–';
  const s = [...xs].sort((a, b) => a - b);
  return String(s[Math.floor(s.length / 2)]);
}
