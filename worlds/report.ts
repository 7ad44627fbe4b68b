import { chartJsSource, esc } from './html.js';
import type { PolicyKey } from './round-row.js';
import type { FamilySummary, Spread, SummaryRound } from './summary.js';
import { gatePhrase, summaryTable } from './table.js';

const LINES: Array<{ key: PolicyKey; label: string; color: string; dash?: number[] }> = [
  { key: 'slatecast', label: 'slatecast (expected clicks of served slates)', color: '#1f77b4' },
  { key: 'slatecast_realised', label: 'slatecast (realised clicks)', color: '#1f77b4', dash: [2, 3] },
  { key: 'popularity', label: 'most-clicked-so-far list', color: '#ff7f0e' },
  { key: 'best_global', label: 'best non-personalised list (oracle)', color: '#2ca02c', dash: [6, 4] },
  { key: 'random', label: 'random slate', color: '#7f7f7f' },
];

/** A mean line with its min–max band over seeds (two invisible edges, the upper filled to the lower). */
function banded(label: string, color: string, spreads: Array<Spread | null>, dash?: number[]): object[] {
  const band = `${color}33`;
  return [
    { label: `${label} max`, data: spreads.map((s) => s?.max ?? null), borderWidth: 0, pointRadius: 0, backgroundColor: band, fill: '+1', band: true },
    { label: `${label} min`, data: spreads.map((s) => s?.min ?? null), borderWidth: 0, pointRadius: 0, backgroundColor: band, fill: false, band: true },
    { label, data: spreads.map((s) => s?.mean ?? null), borderColor: color, backgroundColor: color, borderDash: dash ?? [], fill: false, tension: 0.2 },
  ];
}

function familyCharts(s: FamilySummary): Array<{ id: string; title: string; datasets: object[]; labels: string[] }> {
  const labels = s.rounds.map((r) => `round ${r.round}`);
  const id = s.family.replace(/[^a-z0-9]+/gi, '-');
  const policy = (pick: (r: SummaryRound, k: PolicyKey) => Spread | null) => LINES.flatMap((l) => banded(l.label, l.color, s.rounds.map((r) => pick(r, l.key)), l.dash));
  return [
    { id: `chart-${id}-all`, title: `${s.family}: CTR ÷ personalised oracle, all visits`, labels, datasets: policy((r, k) => r.vs_oracle[k]) },
    {
      id: `chart-${id}-parts`,
      title: `${s.family}: where the serving version's value comes from (÷ oracle): as served, its ranking without exploration, its list for strangers, the best list`,
      labels,
      datasets: [
        ...banded('slatecast as served', '#1f77b4', s.rounds.map((r) => r.vs_oracle.slatecast)),
        ...banded('its ranking, no exploration', '#17becf', s.rounds.map((r) => r.serving_parts.ranking), [4, 3]),
        ...banded("its list for strangers (base appeal alone)", '#bcbd22', s.rounds.map((r) => r.serving_parts.strangers_list)),
        ...banded('best non-personalised list (oracle)', '#2ca02c', s.rounds.map((r) => r.vs_oracle.best_global), [6, 4]),
      ],
    },
    { id: `chart-${id}-cold`, title: `${s.family}: CTR ÷ oracle, cold users' visits`, labels, datasets: policy((r, k) => r.cold_vs_oracle[k]) },
    {
      id: `chart-${id}-explore`,
      title: `${s.family}: explored share of slots, and very good new items in exploited slots within 2 rounds`,
      labels,
      datasets: [...banded('explored share', '#9467bd', s.rounds.map((r) => r.explored_share)), ...banded('good items found ≤ 2 rounds', '#d62728', s.rounds.map((r) => r.good_within_2))],
    },
  ];
}

/**
 * The world suite's report: per family, slatecast against the baselines round by round with the
 * seeds' min–max as bands, the table, and the gate's decisions against the truth. Chart.js is
 * inlined, so the file renders offline.
 */
export async function renderWorldsReport(summaries: readonly FamilySummary[], meta: { generated_at: string; command: string }): Promise<string> {
  const charts = summaries.flatMap(familyCharts);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>slatecast world suite</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:1200px;color:#222}
.grid{display:grid;grid-template-columns:1fr 1fr 1fr;gap:1rem}
figure{margin:0;border:1px solid #ddd;border-radius:6px;padding:.5rem}
figcaption{font-weight:600;margin-bottom:.4rem;font-size:13px}
pre{background:#f6f6f6;padding:.6rem;overflow-x:auto;font-size:12px}
</style>
<script>${await chartJsSource()}</script>
</head><body>
<h1>slatecast world suite</h1>
<p>Generated ${esc(meta.generated_at)} by <code>${esc(meta.command)}</code>. Every figure is expected clicks on the same visits under the world's click model,
divided by the personalised oracle's; bands are the min–max over seeds.</p>
${summaries
  .map(
    (s) => `<h2>${esc(s.family)}</h2>
<div class="grid">${familyCharts(s)
      .map((c) => `<figure><figcaption>${esc(c.title)}</figcaption><canvas id="${c.id}" height="260"></canvas></figure>`)
      .join('')}</div>
<pre>${esc(summaryTable(s))}</pre>
<details><summary>Gate decisions by seed and round (Δ̂ from the run record; true Δ from the world)</summary><pre>${esc(
      s.decisions.map((d) => `${d.seed} round ${d.round}: ${gatePhrase(d.gate)}${d.planted ? `\n${d.seed} round ${d.round} PLANTED: ${gatePhrase(d.planted)}` : ''}`).join('\n'),
    )}</pre></details>`,
  )
  .join('\n')}
<script>
const charts = ${JSON.stringify(charts)};
for (const c of charts) {
  new Chart(document.getElementById(c.id), { type: 'line', data: { labels: c.labels, datasets: c.datasets },
    options: { animation: false, responsive: true, scales: { y: { min: 0 } },
      plugins: { legend: { position: 'bottom', labels: { boxWidth: 12, filter: (item, data) => !data.datasets[item.datasetIndex].band } } } } });
}
window.__chartsRendered = charts.length;
</script>
</body></html>
`;
}
