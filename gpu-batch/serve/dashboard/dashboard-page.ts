import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { DashboardData } from './dashboard-data.js';
import { DASHBOARD_SCRIPT } from './dashboard-script.js';

let chartJs: Promise<string> | null = null;

/** Chart.js's UMD build, read once from node_modules and inlined: the page needs no CDN. */
function chartSource(): Promise<string> {
  // chart.js exports no subpath for its UMD build; it sits beside the CommonJS entry.
  chartJs ??= readFile(join(dirname(createRequire(import.meta.url).resolve('chart.js')), 'chart.umd.min.js'), 'utf8');
  return chartJs;
}

/** JSON safe inside a <script> element: no `</script>`, no HTML comment openers. */
function scriptJson(v: unknown): string {
  return JSON.stringify(v).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');
}

/**
 * The operator dashboard as one self-contained HTML page: the data embedded as JSON, Chart.js
 * and the page script inline. Every chart is a <canvas> whose id the Chromium test checks.
 */
export async function dashboardPage(data: DashboardData): Promise<string> {
  const canvas = (id: string) => `<div class="chart"><canvas id="${id}"></canvas></div>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>slatecast · operator dashboard</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:1.5rem auto;max-width:1200px;color:#222;padding:0 1rem}
h1{font-size:1.4rem;margin-bottom:.2rem} h2{font-size:1.1rem;margin-top:2rem;border-bottom:1px solid #ddd}
.grid{display:grid;grid-template-columns:1fr 1fr;gap:1rem} .chart{position:relative;height:300px}
table{border-collapse:collapse;width:100%;font-size:13px} td,th{border-bottom:1px solid #eee;padding:.25rem .4rem;text-align:left;vertical-align:top}
.serving{font-weight:600;color:#1a7f37} .rolled-back{color:#b35900;text-decoration:line-through}
.status-failed,.status-rejected{color:#c00} .status-published{color:#1a7f37} #pool{font-family:monospace;font-size:12px;word-break:break-all}
.muted{color:#666}
</style></head><body>
<h1>slatecast · serving <code id="serving-version"></code></h1>
<div class="muted"><span id="serving-detail"></span> · <span id="generated"></span> · <a href="dashboard/data">JSON</a></div>

<h2>Online: CTR and exploration (from the lake)</h2>
<div class="grid">${canvas('chart-ctr')}${canvas('chart-explored')}</div>

<h2>Versions</h2>
<div class="grid">${canvas('chart-offline')}${canvas('chart-gate')}</div>
<table id="versions"><thead><tr><th>version</th><th></th><th>created</th><th>parent</th><th>items</th><th>recall@k</th><th>NDCG@k</th><th>coverage</th></tr></thead><tbody></tbody></table>

<h2>Runs</h2>
${canvas('chart-steps')}
<table id="runs"><thead><tr><th>run</th><th>started</th><th>status</th><th>version</th><th>gate</th><th>took</th><th>steps (s)</th><th>decision</th></tr></thead><tbody></tbody></table>

<h2>Exploration per surface</h2>
<table id="surfaces"><thead><tr><th>surface</th><th>strategy</th><th>epsilon</th><th>k default / max</th><th>pool size</th></tr></thead><tbody></tbody></table>
<p>Exploration pool: <span id="pool"></span></p>

<h2>Quarantined log objects</h2>
<table id="quarantine"><thead><tr><th>object</th><th>bytes</th><th>when</th><th>reason</th></tr></thead><tbody></tbody></table>

<script type="application/json" id="dashboard-data">${scriptJson(data)}</script>
<script>${await chartSource()}</script>
<script>${DASHBOARD_SCRIPT}</script>
</body></html>
`;
}
