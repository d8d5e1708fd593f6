// The Signalbox dashboard: one page whose views read the admin API (/admin/api/...). Each view is a
// path under /ui, so a view, a search or a decision can be shared as a link.
'use strict';

(function () {
  const next = document.getElementById('next');
  if (next) { // the login page: come back to the view that was asked for (a refused try keeps it)
    if (location.pathname !== '/ui/login') next.value = location.pathname + location.search;
    return;
  }

  const view = document.getElementById('view');
  let stopLive = () => {};

  // ---- helpers ---------------------------------------------------------------------------------
  function el(tag, attributes, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (name === 'text') node.textContent = value;
      else if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
      else node.setAttribute(name, value === true ? '' : value);
    }
    for (const child of children.flat()) {
      if (child === undefined || child === null) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }
  const usd = (v) => v === undefined || v === null ? '-' : '$' + Number(v).toFixed(v !== 0 && Math.abs(v) < 0.01 ? 6 : 4);
  const ms = (v) => v === undefined || v === null || Number.isNaN(v) || v === 'NaN' ? '-' : Number(v).toFixed(1) + ' ms';
  const pct = (v) => (100 * Number(v || 0)).toFixed(1) + '%';
  const int = (v) => Number(v || 0).toLocaleString('en');
  const time = (iso) => iso ? new Date(iso).toLocaleString('en-GB', { hour12: false }) : '-';
  const show = (...children) => view.replaceChildren(...children.flat().filter((c) => c !== null && c !== undefined));
  const link = (href, text, attributes) => el('a', Object.assign({ href, 'data-link': true }, attributes || {}), text);

  async function api(path, payload) {
    const response = await fetch('/admin/api/' + path, payload === undefined
      ? { credentials: 'same-origin', headers: { accept: 'application/json' } }
      : { method: 'POST', credentials: 'same-origin', headers: { accept: 'application/json', 'content-type': 'application/json' }, body: JSON.stringify(payload) });
    const body = await response.json().catch(() => ({}));
    if (response.status === 401 || response.status === 403) { location.reload(); throw new Error('signed out'); }
    if (!response.ok) {
      const error = new Error((body.error && body.error.message) || ('HTTP ' + response.status));
      error.param = body.error && body.error.param;
      throw error;
    }
    return body;
  }

  function table(columns, rows, caption) {
    return el('table', { 'data-table': caption || null },
      caption ? el('caption', { text: caption }) : null,
      el('thead', {}, el('tr', {}, columns.map((c) => el('th', { scope: 'col', class: c.numeric ? 'num' : null, text: c.title })))),
      el('tbody', {}, rows.length === 0
        ? el('tr', {}, el('td', { colspan: columns.length, class: 'empty', text: 'Nothing yet.' }))
        : rows.map((row) => el('tr', { 'data-id': row.id || row.name || row.scope || null },
          columns.map((c) => el('td', { class: c.numeric ? 'num' : null }, c.value(row)))))));
  }

  function problem(error) {
    return el('p', { class: 'problem', role: 'alert', text: error.message });
  }

  function chart(target, title, xs, named, yFormat) {
    if (!window.uPlot || xs.length === 0) return;
    const palette = ['#2563eb', '#dc2626', '#16a34a', '#d97706', '#7c3aed', '#0891b2', '#db2777', '#4b5563'];
    const series = [{}].concat(Object.keys(named).map((name, i) => ({ label: name, stroke: palette[i % palette.length], width: 2, points: { show: xs.length < 3 } })));
    const width = Math.max(320, Math.min(target.clientWidth || 900, 1100));
    const plot = new uPlot({
      title, width, height: 240, series,
      axes: [{}, { values: (u, values) => values.map(yFormat) }],
      scales: { x: { time: true } },
    }, [xs].concat(Object.values(named)), target);
    return plot;
  }

  // ---- views -----------------------------------------------------------------------------------
  async function overview(params) {
    const range = params.get('range') || '24h';
    const hours = { '1h': 1, '24h': 24, '7d': 168, '30d': 720 }[range] || 24;
    const to = new Date();
    const from = new Date(to.getTime() - hours * 3600 * 1000);
    const config = await api('config');
    const baseline = params.get('baseline') || (config.models.slice().sort((a, b) => b.output_per_million - a.output_per_million)[0] || {}).name || '';
    const by = params.get('by') || 'route';
    const query = new URLSearchParams({ from: from.toISOString(), to: to.toISOString(), buckets: '48', series_by: by });
    if (baseline) query.set('baseline', baseline);
    const data = await api('overview?' + query);
    const controls = el('form', { class: 'filters', onchange: (e) => {
      const form = new FormData(e.currentTarget);
      navigate('/ui?' + new URLSearchParams({ range: form.get('range'), baseline: form.get('baseline'), by: form.get('by') }));
    } },
    el('label', {}, 'Range ', el('select', { name: 'range' }, ['1h', '24h', '7d', '30d'].map((r) => el('option', { value: r, selected: r === range }, 'last ' + r)))),
    el('label', {}, 'Savings against ', el('select', { name: 'baseline' }, config.models.map((m) => el('option', { value: m.name, selected: m.name === baseline }, m.name)))),
    el('label', {}, 'Chart spend by ', el('select', { name: 'by' }, ['route', 'model', 'deployment', 'tenant', 'team', 'key'].map((d) => el('option', { value: d, selected: d === by }, d)))));
    const total = data.total;
    const cards = el('div', { class: 'cards' },
      card('Requests', int(total.requests)), card('Errors', int(total.errors)),
      card('Spend', usd(total.cost_usd)),
      card('On ' + baseline + ' it would have cost', usd(total.baseline_cost_usd)),
      card('Saved', usd(total.savings_usd) + (total.baseline_cost_usd > 0 ? ' (' + pct(total.savings_usd / total.baseline_cost_usd) + ')' : '')),
      card('Mean feedback', total.mean_feedback === undefined ? '-' : Number(total.mean_feedback).toFixed(3) + ' (' + total.feedback + ')'));
    const spendChart = el('div', { class: 'chart', id: 'spend-chart' });
    const columns = [
      { title: 'Name', value: (r) => r.name },
      { title: 'Requests', numeric: true, value: (r) => int(r.requests) },
      { title: 'Errors', numeric: true, value: (r) => int(r.errors) },
      { title: 'Spend', numeric: true, value: (r) => usd(r.cost_usd) },
      { title: 'On ' + baseline, numeric: true, value: (r) => usd(r.baseline_cost_usd) },
      { title: 'Saved', numeric: true, value: (r) => usd(r.savings_usd) },
      { title: 'Tokens in / out', numeric: true, value: (r) => int(r.input_tokens) + ' / ' + int(r.output_tokens) },
      { title: 'Mean latency', numeric: true, value: (r) => ms(r.mean_latency_ms) },
      { title: 'Mean feedback', numeric: true, value: (r) => r.mean_feedback === undefined ? '-' : Number(r.mean_feedback).toFixed(3) + ' (' + r.feedback + ')' },
    ];
    show(
      el('h1', { text: 'Overview' }), controls, cards, spendChart,
      table(columns, data.by_route, 'Per route'), table(columns, data.by_model, 'Per model'),
      table(columns, data.by_deployment, 'Per deployment'), table(columns, data.by_tenant, 'Per tenant'),
      table(columns, data.by_team, 'Per team'), table(columns, data.by_key, 'Per key'));
    // Spend over the whole range, one line per route (or model, team, key…), a point per bucket.
    const start = Date.parse(data.from);
    const buckets = Math.ceil((Date.parse(data.to) - start) / data.bucket_ms);
    const times = Array.from({ length: buckets }, (_, i) => (start + i * data.bucket_ms) / 1000);
    const lines = {};
    for (const p of data.series) {
      const i = Math.round((Date.parse(p.time) - start) / data.bucket_ms);
      (lines[p.name || '(none)'] = lines[p.name || '(none)'] || new Array(buckets).fill(0))[i] = p.cost_usd;
    }
    chart(spendChart, 'Spend per ' + by + ' (USD per ' + Math.round(data.bucket_ms / 60000) + ' min)', times, lines, (v) => '$' + v.toPrecision(2));
  }

  function card(title, value) {
    return el('div', { class: 'card' }, el('div', { class: 'label', text: title }), el('div', { class: 'value', text: value }));
  }

  async function pool() {
    const heading = el('h1', { text: 'Pool' });
    const live = el('p', { class: 'hint', text: 'Live: refreshed every 2 s.' });
    const body = el('div', {});
    const chartBox = el('div', { class: 'chart', id: 'inflight-chart' });
    show(heading, live, chartBox, body);
    const history = { t: [], series: {} };
    let plot = null;
    async function refresh() {
      try {
        const data = await api('pool');
        const names = Object.keys(data.deployments).sort();
        const rows = names.map((name) => Object.assign({ name }, data.deployments[name]));
        body.replaceChildren(
          table([
            { title: 'Deployment', value: (r) => r.name },
            { title: 'Breaker', value: (r) => el('span', { class: 'breaker ' + r.breaker, text: r.breaker }) },
            { title: 'In flight', numeric: true, value: (r) => int(r.in_flight) },
            { title: 'Queued tokens', numeric: true, value: (r) => int(r.queued_prompt_tokens) + ' + ' + int(r.queued_output_tokens) },
            { title: 'Error rate', numeric: true, value: (r) => pct(r.error_rate) },
            { title: '429s', numeric: true, value: (r) => int(r.rate_limited) },
            { title: 'Failures in a row', numeric: true, value: (r) => int(r.consecutive_failures) },
            { title: 'TTFT mean', numeric: true, value: (r) => ms(r.ttft_ms) },
            { title: 'TTFT p95', numeric: true, value: (r) => ms(r.p95_ttft_ms) },
            { title: 'Per token', numeric: true, value: (r) => ms(r.ms_per_token) },
          ], rows, 'Deployments'),
          table([
            { title: 'Time', value: (t) => time(t.time) },
            { title: 'Deployment', value: (t) => t.deployment },
            { title: 'From', value: (t) => t.from },
            { title: 'To', value: (t) => t.to },
            { title: 'Cause', value: (t) => t.cause },
          ], data.transitions, 'Breaker transitions'));
        history.t.push(Date.now() / 1000);
        for (const r of rows) {
          (history.series[r.name] = history.series[r.name] || new Array(history.t.length - 1).fill(null)).push(r.in_flight);
        }
        if (history.t.length > 150) { history.t.shift(); Object.values(history.series).forEach((s) => s.shift()); }
        if (plot) plot.setData([history.t].concat(Object.values(history.series)));
        else plot = chart(chartBox, 'Requests in flight', history.t, history.series, (v) => v.toFixed(0));
      } catch (error) {
        body.replaceChildren(problem(error));
      }
    }
    await refresh();
    const timer = setInterval(refresh, 2000);
    stopLive = () => clearInterval(timer);
  }

  const FILTERS = [
    ['from', 'From', 'datetime-local'], ['to', 'To', 'datetime-local'], ['route', 'Route'], ['model', 'Model'],
    ['deployment', 'Deployment'], ['outcome', 'Outcome'], ['tenant', 'Tenant'], ['team', 'Team'], ['key', 'Key'],
    ['min_cost', 'Min cost (USD)', 'number'], ['max_cost', 'Max cost (USD)', 'number'],
    ['min_latency_ms', 'Min latency (ms)', 'number'], ['max_latency_ms', 'Max latency (ms)', 'number'],
    ['limit', 'Rows', 'number'],
  ];

  async function traces(params) {
    const form = el('form', { class: 'filters', id: 'filters', onsubmit: (e) => {
      e.preventDefault();
      const query = new URLSearchParams();
      for (const [name, value] of new FormData(e.currentTarget)) {
        if (value === '') continue;
        query.set(name, name === 'from' || name === 'to' ? new Date(value).toISOString() : value);
      }
      navigate('/ui/traces?' + query);
    } },
    FILTERS.map(([name, title, type]) => el('label', {}, title + ' ', el('input', {
      name, type: type || 'text', step: type === 'number' ? 'any' : null, min: type === 'number' ? '0' : null,
      value: type === 'datetime-local' && params.get(name) ? localInput(params.get(name)) : params.get(name) || '',
    }))),
    el('button', { type: 'submit', text: 'Search' }));
    const results = el('div', { id: 'results' });
    show(el('h1', { text: 'Decisions' }), form, results);
    try {
      const data = await api('traces?' + params);
      results.replaceChildren(
        table([
          { title: 'Time', value: (r) => time(r.time) },
          { title: 'Request', value: (r) => link('/ui/trace/' + encodeURIComponent(r.id), r.id) },
          { title: 'Route', value: (r) => r.route },
          { title: 'Model', value: (r) => r.model },
          { title: 'Deployments tried', value: (r) => r.chain },
          { title: 'Outcome', value: (r) => el('span', { class: 'outcome ' + (r.outcome === 'ok' ? 'ok' : 'bad'), text: r.outcome }) },
          { title: 'Tenant', value: (r) => r.tenant },
          { title: 'Key', value: (r) => r.key || '-' },
          { title: 'Cost', numeric: true, value: (r) => usd(r.cost_usd) },
          { title: 'Latency', numeric: true, value: (r) => ms(r.latency_ms) },
          { title: 'Tokens', numeric: true, value: (r) => int(r.input_tokens) + ' / ' + int(r.output_tokens) },
        ], data.data, data.data.length + ' decisions, newest first'),
        data.next_before ? link('/ui/traces?' + withParam(params, 'before', data.next_before), 'Older', { class: 'button' }) : el('span'),
        data.data.length ? replayForm(data.data.map((r) => r.id)) : el('span'));
    } catch (error) {
      results.replaceChildren(problem(error));
      if (error.param) {
        const field = form.querySelector('[name="' + error.param + '"]');
        if (field) { field.setAttribute('aria-invalid', 'true'); field.focus(); }
      }
    }
  }

  // Replays the decisions on the page under a config the person edits (the running one to start).
  function replayForm(ids) {
    const config = el('textarea', { id: 'replay-config', name: 'config', rows: '18', spellcheck: 'false', 'aria-describedby': 'replay-help' });
    const report = el('div', { id: 'replay-report', 'aria-live': 'polite' });
    const box = el('details', { id: 'replay', ontoggle: async () => {
      if (box.open && !config.value) config.value = (await api('config')).text;
    } },
    el('summary', { text: 'Replay these ' + ids.length + ' decisions under another config' }),
    el('form', { onsubmit: async (e) => {
      e.preventDefault();
      report.replaceChildren(el('p', { class: 'hint', text: 'Replaying…' }));
      try {
        report.replaceChildren(replayReport(await api('replay', { trace_ids: ids, config: config.value })));
      } catch (error) {
        report.replaceChildren(problem(error));
      }
    } },
    el('label', { for: 'replay-config', text: 'Config (YAML)' }),
    el('p', { id: 'replay-help', class: 'hint', text: 'Starts as the running config: change a route, a policy or a price, and see what these requests would have done.' }),
    config,
    el('button', { type: 'submit', text: 'Replay' })),
    report);
    return box;
  }

  function replayReport(r) {
    const rows = [
      { name: 'Cost (served requests: ' + r.cost_usd.served_requests + ')', recorded: usd(r.cost_usd.recorded), replayed: usd(r.cost_usd.replayed) },
      { name: 'Fallbacks', recorded: int(r.recorded.fallbacks), replayed: int(r.replayed_outcome.fallbacks) },
      { name: 'Failed requests', recorded: int(r.recorded.failed_requests), replayed: int(r.replayed_outcome.failed_requests) },
      { name: 'Latency over ' + r.slo_ms + ' ms', recorded: int(r.recorded.slo_misses), replayed: int(r.replayed_outcome.slo_misses) },
      { name: 'Latency p50', recorded: ms(r.recorded.p50_ms), replayed: ms(r.replayed_outcome.p50_ms) },
      { name: 'Latency p95', recorded: ms(r.recorded.p95_ms), replayed: ms(r.replayed_outcome.p95_ms) },
    ];
    return el('div', { id: 'replay-result' },
      el('p', { id: 'replay-summary', text: 'Replayed ' + r.replayed + ' of ' + r.traces + ' decisions: ' + r.changed + ' would change'
        + (Object.keys(r.transitions).length ? ' (' + Object.entries(r.transitions).map(([k, v]) => k + ': ' + v).join(', ') + ')' : '')
        + '; cost ' + (r.cost_usd.delta >= 0 ? '+' : '') + usd(r.cost_usd.delta) + '.' }),
      table([
        { title: 'Measure', value: (x) => x.name },
        { title: 'Recorded', numeric: true, value: (x) => x.recorded },
        { title: 'Replayed', numeric: true, value: (x) => x.replayed },
      ], rows, 'Replay report'));
  }

  function withParam(params, name, value) {
    const copy = new URLSearchParams(params);
    copy.set(name, value);
    return copy;
  }

  function localInput(iso) {
    const d = new Date(iso);
    if (Number.isNaN(d.getTime())) return '';
    return new Date(d.getTime() - d.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
  }

  async function decision(id) {
    let data;
    try {
      data = await api('traces/' + encodeURIComponent(id));
    } catch (error) {
      show(el('h1', { text: 'Decision ' + id }), problem(error));
      return;
    }
    const t = data.trace;
    const winner = t.plan.length ? t.plan[0].model : '';
    const total = Math.max(1, t.attempts.reduce((sum, a) => sum + (a.duration_ms || 0), 0));
    let offset = 0;
    show(
      el('h1', { text: 'Decision ' + t.id }),
      el('p', { class: 'explanation', id: 'explanation', text: data.explanation }),
      el('dl', { class: 'facts' },
        fact('Time', time(t.time)), fact('Tenant', t.tenant), fact('Key', (t.key || '-') + (t.team ? ' (team ' + t.team + ')' : '')),
        fact('Requested', t.requested_model),
        fact('Routes', t.routes.join(' → ')), fact('Policy', t.policy + ' v' + t.policy_version),
        fact('Outcome', t.outcome + (t.error ? ': ' + t.error : '')), fact('Cost', usd(t.cost_usd)),
        fact('Tokens', int(t.usage.prompt_tokens) + ' in, ' + int(t.usage.completion_tokens) + ' out' + (t.usage.estimated ? ' (counted by the gateway)' : '')),
        fact('Propensity', Number(t.propensity).toFixed(4)), fact('Seed', String(t.seed)),
        fact('Config', t.config_hash.slice(0, 12)), fact('Flags', t.flags.join(', ') || '-')),
      table([
        { title: 'Signal', value: (r) => r.name },
        { title: 'Value', value: (r) => typeof r.value === 'object' ? JSON.stringify(r.value) : String(r.value) },
      ], Object.entries(t.signals).map(([name, value]) => ({ name, value })), 'Signals read'),
      table([
        { title: 'Model', value: (c) => c.model === winner ? el('strong', {}, c.model + ' (chosen)') : c.model },
        { title: 'Excluded', value: (c) => c.excluded || '-' },
        { title: 'Score', numeric: true, value: (c) => c.excluded ? '-' : Number(c.score).toFixed(4) },
        { title: 'Reason', value: (c) => c.reason || '-' },
      ], t.candidates, 'Candidates'),
      el('h2', { text: 'Plan' }),
      el('ol', { class: 'plan' }, t.plan.map((p) => el('li', { text: p.model + ' on ' + p.deployment }))),
      el('h2', { text: 'Attempts' }),
      el('div', { class: 'timeline', role: 'list' }, t.attempts.map((a) => {
        const left = 100 * offset / total;
        const width = Math.max(0.5, 100 * (a.duration_ms || 0) / total);
        if (a.result !== 'hedge_lost') offset += a.duration_ms || 0;
        return el('div', { class: 'attempt', role: 'listitem' },
          el('span', { class: 'who', text: '#' + a.index + ' ' + a.deployment + ' (' + a.model + ')' }),
          el('span', { class: 'track' }, el('span', { class: 'bar ' + (a.result === 'ok' ? 'ok' : 'bad'), style: 'left:' + left + '%;width:' + width + '%' })),
          el('span', { class: 'what', text: a.result + ', ' + ms(a.duration_ms) + (a.ttft_ms !== null && a.ttft_ms !== undefined ? ', first token ' + ms(a.ttft_ms) : '') + (a.error ? ': ' + a.error : '') }));
      })),
      t.cascade && t.cascade.length ? table([
        { title: 'Stage', value: (s) => s.stage },
        { title: 'Model', value: (s) => s.model },
        { title: 'Samples', numeric: true, value: (s) => s.samples },
        { title: 'Verdict', value: (s) => s.verdict },
        { title: 'Checks', value: (s) => s.checks.join(', ') },
        { title: 'Cost', numeric: true, value: (s) => usd(s.cost_usd) },
      ], t.cascade, 'Cascade stages') : null,
      table([
        { title: 'Time', value: (f) => time(f.time) },
        { title: 'Score', numeric: true, value: (f) => f.score },
        { title: 'Source', value: (f) => f.source },
        { title: 'Comment', value: (f) => f.comment },
      ], data.feedback, 'Feedback'),
      el('details', {}, el('summary', { text: 'The stored trace' }), el('pre', { text: JSON.stringify(t, null, 2) })));
  }

  function fact(name, value) {
    return [el('dt', { text: name }), el('dd', { text: value })];
  }

  async function limits() {
    const data = await api('limits');
    show(
      el('h1', { text: 'Budgets and limits' }),
      el('p', { class: 'hint', text: 'Refusals counted from the traces since ' + time(data.from) + '.' }),
      table([
        { title: 'Scope', value: (s) => s.scope },
        { title: 'Limits', value: (s) => describeLimits(s.limits) },
        { title: 'Spent', numeric: true, value: (s) => usd(s.spent_usd) },
        { title: 'Budget used', numeric: true, value: (s) => s.limits.budget ? pct(s.spent_usd / s.limits.budget.usd) : '-' },
        { title: 'Reserved', numeric: true, value: (s) => usd(s.reserved_usd) },
        { title: 'In flight', numeric: true, value: (s) => int(s.in_flight) },
        { title: 'Resets', value: (s) => time(s.budget_resets_at) },
        { title: 'Refusals', numeric: true, value: (s) => int(s.refusals) },
      ], data.scopes, 'Scopes'),
      Object.keys(data.other_refusals).length ? table([
        { title: 'Scope', value: (r) => r.name }, { title: 'Refusals', numeric: true, value: (r) => int(r.count) },
      ], Object.entries(data.other_refusals).map(([name, count]) => ({ name, count })), 'Refusals by other scopes (end users)') : null);
  }

  async function reports() {
    const data = await api('reports');
    show(
      el('h1', { text: 'Offline results' }),
      data.configured
        ? el('p', { class: 'hint', text: 'The reports of eval --report and the JSON of replay --json in server.reports-dir, newest first.' })
        : el('p', { class: 'hint' }, 'Set ', el('code', { text: 'server.reports-dir' }), ' to list the reports eval and replay write.'),
      table([
        { title: 'Report', value: (r) => el('a', { href: r.open, 'data-raw': true, text: r.name }) },
        { title: 'From', value: (r) => r.kind === 'eval' ? 'eval (frontier charts)' : 'replay' },
        { title: 'Written', value: (r) => time(r.modified) },
      ], data.reports, data.reports.length + ' reports'));
  }

  function describeLimits(l) {
    const parts = [];
    if (l.rpm) parts.push(l.rpm + ' req/min');
    if (l.tpm) parts.push(int(l.tpm) + ' tokens/min');
    if (l.concurrent) parts.push(l.concurrent + ' at once');
    if (l.budget) parts.push(usd(l.budget.usd) + ' per ' + l.budget.period.replace(/ly$/, '').replace('dai', 'day'));
    return parts.join(', ') || '-';
  }

  // ---- navigation ------------------------------------------------------------------------------
  async function render() {
    stopLive();
    stopLive = () => {};
    const path = location.pathname.replace(/\/+$/, '') || '/ui';
    const params = new URLSearchParams(location.search);
    const name = path === '/ui' ? 'overview' : path.startsWith('/ui/trace/') ? 'traces' : path.slice(4);
    document.querySelectorAll('nav a').forEach((a) => a.toggleAttribute('aria-current', a.dataset.view === name));
    try {
      if (path === '/ui' || path === '/ui/overview') await overview(params);
      else if (path === '/ui/pool') await pool();
      else if (path === '/ui/traces') await traces(params);
      else if (path.startsWith('/ui/trace/')) await decision(decodeURIComponent(path.slice('/ui/trace/'.length)));
      else if (path === '/ui/limits') await limits();
      else if (path === '/ui/reports') await reports();
      else show(el('h1', { text: 'Not found' }), el('p', {}, 'No view at ' + path + '. ', link('/ui', 'Overview')));
    } catch (error) {
      show(problem(error));
    }
    document.title = 'Signalbox · ' + (view.querySelector('h1') || { textContent: '' }).textContent;
  }

  function navigate(url) {
    history.pushState(null, '', url);
    render();
    view.focus({ preventScroll: true });
  }

  document.addEventListener('click', (e) => {
    const a = e.target.closest('a');
    if (!a || !a.href.startsWith(location.origin + '/ui') || a.hasAttribute('data-raw') || e.metaKey || e.ctrlKey || e.shiftKey || a.target) return;
    e.preventDefault();
    navigate(a.getAttribute('href'));
  });
  window.addEventListener('popstate', render);
  render();
})();
