/**
 * The dashboard's browser script (plain ES2020, run as it is): reads the embedded JSON, fills the
 * tables with `textContent` (never HTML from data) and draws the charts with the inlined Chart.js.
 * `window.__chartsRendered` counts the charts drawn, for the Chromium test.
 */
export const DASHBOARD_SCRIPT = String.raw`
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('dashboard-data').textContent);
  var COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#e377c2', '#17becf'];
  var pct = function (x) { return x === null || x === undefined || isNaN(x) ? '—' : (100 * x).toFixed(1) + '%'; };
  var num = function (x, d) { return x === null || x === undefined || isNaN(x) ? '—' : Number(x).toFixed(d === undefined ? 3 : d); };
  var time = function (ms) { return ms ? new Date(ms).toISOString().replace('T', ' ').slice(0, 19) + 'Z' : '—'; };
  var age = function (s) { return s < 120 ? s + ' s' : s < 7200 ? Math.round(s / 60) + ' min' : s < 172800 ? (s / 3600).toFixed(1) + ' h' : (s / 86400).toFixed(1) + ' days'; };
  var short = function (v) { return v ? String(v).replace(/^v(\d{8})T(\d{6})Z-/, 'v$1 $2 ') : '—'; };
  function cell(tr, text, cls) { var td = document.createElement('td'); td.textContent = text; if (cls) td.className = cls; tr.appendChild(td); return td; }
  function table(id, rows, render) {
    var body = document.querySelector('#' + id + ' tbody');
    if (!rows.length) { var tr = document.createElement('tr'); var td = cell(tr, 'none'); td.colSpan = 12; body.appendChild(tr); return; }
    rows.forEach(function (r) { var tr = document.createElement('tr'); render(tr, r); body.appendChild(tr); });
  }
  function text(id, t) { document.getElementById(id).textContent = t; }

  // Serving version.
  if (data.serving) {
    text('serving-version', data.serving.version);
    text('serving-detail', data.serving.reason + ', ' + age(data.serving.age_s) + ' ago (' + time(data.serving.updated_at) + '); previous ' + (data.serving.previous || 'none'));
  } else {
    text('serving-version', 'nothing published yet');
  }
  text('generated', 'as of ' + time(data.generated_at));

  table('versions', data.versions.slice().reverse(), function (tr, v) {
    cell(tr, v.version, v.serving ? 'serving' : v.canary ? 'canary' : v.rolled_back ? 'rolled-back' : '');
    cell(tr, v.serving ? 'serving' : v.canary ? 'canary' : v.rolled_back ? 'rolled back' : '');
    cell(tr, time(v.created_at));
    cell(tr, v.parent_version || '—');
    cell(tr, String(v.items));
    cell(tr, v.offline ? num(v.offline.recall) : '—');
    cell(tr, v.offline ? num(v.offline.ndcg) : '—');
    cell(tr, v.offline ? pct(v.offline.coverage) : '—');
  });
  table('runs', data.runs.slice().reverse(), function (tr, r) {
    cell(tr, r.run_id);
    cell(tr, time(r.started_at));
    cell(tr, r.status, 'status-' + r.status);
    cell(tr, r.version || '—');
    var g = r.gate;
    cell(tr, !g ? 'no gate' : !g.evaluated ? 'not evaluated' : (g.forced ? 'forced ' : '') + (g.publish ? 'pass' : 'reject') + ': Δ ' + num(g.estimate, 4) + ' [' + num(g.lo, 4) + ', ' + num(g.hi, 4) + '], tolerance ' + g.tolerance + ', n ' + g.n);
    cell(tr, ((r.finished_at - r.started_at) / 1000).toFixed(1) + ' s');
    cell(tr, r.steps.map(function (s) { return s.name + ' ' + (s.ms / 1000).toFixed(1); }).join(', '));
    cell(tr, r.error || r.decision || '');
  });
  table('surfaces', data.surfaces, function (tr, s) {
    cell(tr, s.surface); cell(tr, s.strategy); cell(tr, s.epsilon === null ? '—' : String(s.epsilon)); cell(tr, s.k_default + ' / ' + s.k_max); cell(tr, String(data.pool.length));
  });
  text('pool', data.pool.length ? data.pool.slice(0, 60).join(', ') + (data.pool.length > 60 ? ' … (' + data.pool.length + ')' : '') : 'empty');
  table('quarantine', data.quarantine, function (tr, q) { cell(tr, q.key); cell(tr, String(q.bytes)); cell(tr, q.at || '—'); cell(tr, q.reason); });

  // Charts.
  window.__chartsRendered = 0;
  var done = function () { window.__chartsRendered++; };
  Chart.defaults.animation = false;
  function chart(id, config) {
    config.options = Object.assign({ responsive: true, maintainAspectRatio: false }, config.options || {});
    new Chart(document.getElementById(id), config);
    done();
  }
  var days = Array.from(new Set(data.online.map(function (r) { return r.day; }))).sort();
  var versions = Array.from(new Set(data.online.map(function (r) { return r.policy_version; })));
  function perDay(field) {
    return versions.map(function (v, i) {
      return { label: short(v), borderColor: COLORS[i % COLORS.length], backgroundColor: COLORS[i % COLORS.length], spanGaps: true,
        data: days.map(function (d) { var r = data.online.find(function (x) { return x.day === d && x.policy_version === v; }); return r ? r[field] : null; }) };
    });
  }
  chart('chart-ctr', { type: 'line', data: { labels: days, datasets: perDay('ctr') }, options: { plugins: { title: { display: true, text: 'Online CTR (clicked impressions ÷ impressions) per version and day' } }, scales: { y: { beginAtZero: true } } } });
  chart('chart-explored', { type: 'bar', data: { labels: days, datasets: perDay('explored_share') }, options: { plugins: { title: { display: true, text: 'Explored share of shown items per version and day' } }, scales: { y: { beginAtZero: true, max: 1 } } } });

  var stepNames = Array.from(new Set([].concat.apply([], data.runs.map(function (r) { return r.steps.map(function (s) { return s.name; }); }))));
  chart('chart-steps', { type: 'bar', data: { labels: data.runs.map(function (r) { return time(r.started_at).slice(5, 16) + ' ' + r.status; }),
    datasets: stepNames.map(function (n, i) { return { label: n, backgroundColor: COLORS[i % COLORS.length], data: data.runs.map(function (r) { var s = r.steps.find(function (x) { return x.name === n; }); return s ? s.ms / 1000 : 0; }) }; }) },
    options: { plugins: { title: { display: true, text: 'Run steps (seconds)' } }, scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } } } });

  var gated = data.runs.filter(function (r) { return r.gate && r.gate.evaluated && r.gate.estimate !== null; });
  var gateLabels = gated.map(function (r) { return time(r.started_at).slice(5, 16); });
  chart('chart-gate', { type: 'bar', data: { labels: gateLabels, datasets: [
    { type: 'bar', label: '95% interval of V(candidate) − V(serving)', data: gated.map(function (r) { return [r.gate.lo, r.gate.hi]; }),
      backgroundColor: gated.map(function (r) { return r.gate.publish ? 'rgba(44,160,44,0.45)' : 'rgba(214,39,40,0.45)'; }) },
    { type: 'line', label: 'estimate', data: gated.map(function (r) { return r.gate.estimate; }), showLine: false, pointRadius: 5, borderColor: '#222', backgroundColor: '#222' },
    { type: 'line', label: '− tolerance', data: gated.map(function (r) { return -r.gate.tolerance; }), borderDash: [6, 4], borderColor: '#888', pointRadius: 0 } ] },
    options: { plugins: { title: { display: true, text: 'Deploy gate verdicts (green: publish, red: reject)' } } } });

  var withMetrics = data.versions.filter(function (v) { return v.offline; });
  var metricSet = function (key, label, i, axis) { return { label: label, backgroundColor: COLORS[i], borderColor: COLORS[i], yAxisID: axis || 'y', data: withMetrics.map(function (v) { return v.offline[key]; }) }; };
  chart('chart-offline', { type: 'bar', data: { labels: withMetrics.map(function (v) { return short(v.version) + (v.serving ? ' (serving)' : v.rolled_back ? ' (rolled back)' : ''); }),
    datasets: [metricSet('recall', 'recall@k', 0), metricSet('ndcg', 'NDCG@k', 1), metricSet('coverage', 'coverage', 2), metricSet('diversity', 'diversity', 3),
      Object.assign(metricSet('novelty', 'novelty (bits, right axis)', 4, 'y2'), { type: 'line' })] },
    options: { plugins: { title: { display: true, text: 'Offline metrics per version (time-split holdout)' } }, scales: { y: { beginAtZero: true }, y2: { position: 'right', beginAtZero: true, grid: { drawOnChartArea: false } } } } });
})();
`;
