/*
 * The report page (plain browser script; globals vega, vegaLite, vegaEmbed are inlined before it).
 * Draws the model (src/report/model.ts) from #report-model: figure folders with interactive twins
 * of their vega-lite specs (tooltips, legend toggles), a sortable, filterable table of every run,
 * overlays of the selected runs' curves, and a run's config.json as a table. In live mode it
 * polls model.json and redraws what changed. window.__report exposes its state to tests.
 */
(function () {
  'use strict';
  const settings = JSON.parse(document.getElementById('report-settings').textContent);
  let model = JSON.parse(document.getElementById('report-model').textContent);
  const app = document.getElementById('app');
  const state = { sortKey: 'id', sortDir: 1, filters: {}, selected: new Set(), detail: null, figuresKey: '', overlayKey: '' };
  const R = (window.__report = { views: {}, toggles: {}, timings: {}, errors: [], embeds: 0, embedded: 0, polls: 0, ready: null, model: () => model });
  /** True when every chart started has rendered or failed. */
  R.idle = () => R.embedded + R.errors.length === R.embeds;

  const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
  const fmt = (v, d) => (v === null || v === undefined ? '' : typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(d)) : String(v));

  // ---- interactive twins: tooltips on every mark, legend entries toggle their series ----
  let paramCount = 0;
  let toggles = [];
  function withLegendToggle(node) {
    if (!node || typeof node !== 'object') return;
    for (const k of ['hconcat', 'vconcat', 'concat']) if (Array.isArray(node[k])) node[k].forEach(withLegendToggle);
    if (node.spec) withLegendToggle(node.spec);
    const units = Array.isArray(node.layer) ? node.layer : node.mark ? [node] : [];
    const colored = units.find((u) => u.encoding && u.encoding.color && u.encoding.color.field && !u.layer);
    if (!colored) {
      if (Array.isArray(node.layer)) node.layer.forEach((u) => u.layer && withLegendToggle(u));
      return;
    }
    const field = colored.encoding.color.field;
    const name = `legend_${++paramCount}`;
    toggles.push(name);
    colored.params = (colored.params || []).concat([{ name, select: { type: 'point', fields: [field] }, bind: 'legend' }]);
    for (const u of units) {
      if (!u.encoding || u.encoding.opacity || u.layer) continue;
      const mark = typeof u.mark === 'string' ? { type: u.mark } : u.mark || {};
      const on = mark.opacity !== undefined ? mark.opacity : 1;
      u.encoding.opacity = { condition: { param: name, value: on, empty: true }, value: on * 0.12 };
    }
  }
  function interactive(spec) {
    toggles = [];
    const s = JSON.parse(JSON.stringify(spec));
    s.config = Object.assign({}, s.config, { mark: Object.assign({}, (s.config || {}).mark, { tooltip: true }) });
    withLegendToggle(s);
    return s;
  }

  const embedOpts = { renderer: 'svg', actions: { export: true, source: false, compiled: false, editor: false } };
  /** Embeds a spec in el; the interactive version first, the plain one if that fails. */
  function embed(el, spec, id, plain) {
    R.embeds++;
    const t0 = performance.now();
    const done = (res) => {
      R.timings[id] = [t0, performance.now()];
      R.views[id] = res.view;
      el.dataset.rendered = '1';
      R.embedded++;
    };
    const first = plain ? Promise.reject(new Error('plain')) : vegaEmbed(el, interactive(spec), embedOpts);
    R.toggles[id] = toggles;
    return first.then(done, (err) => {
      R.toggles[id] = [];
      if (!plain) console.warn(`report: ${id}: interactive version failed (${err.message}); drawing the plain spec`);
      return vegaEmbed(el, spec, embedOpts).then(done, (err2) => {
        R.errors.push(`${id}: ${err2.message}`);
        el.innerHTML = `<p class="bad">chart failed: ${esc(err2.message)}</p>`;
        console.error(`report: chart ${id} failed: ${err2.message}`);
      });
    });
  }

  // ---- runs table ----
  const COLUMNS = [
    { key: 'folder', label: 'folder' },
    { key: 'name', label: 'run' },
    { key: 'state', label: 'state' },
    { key: 'dataset', label: 'dataset' },
    { key: 'model', label: 'model' },
    { key: 'scheme', label: 'scheme' },
    { key: 'tmax', label: 'T_max' },
    { key: 'seed', label: 'seed' },
    { key: 'runtime', label: 'runtime' },
    { key: 'latency', label: 'latency model' },
    { key: 'finalTestAcc', label: 'final test acc', digits: 4 },
    { key: 'time', label: 'time (s)', digits: 1 },
    { key: 'classRecovered', label: 'blocks recovered / class' },
  ];
  function cellText(r, key) {
    if (key === 'state') return r.state === 'running' && r.step !== null ? `running ${r.step}/${r.totalSteps === null ? '?' : r.totalSteps}` : r.state;
    if (key === 'classRecovered') return r.classRecovered ? r.classRecovered.map((x) => x.toFixed(2)).join(' / ') : '';
    const col = COLUMNS.find((c) => c.key === key);
    return fmt(r[key], col && col.digits !== undefined ? col.digits : 3);
  }
  function sortValue(r, key) {
    if (key === 'classRecovered') return r.classRecovered ? r.classRecovered[0] : null;
    if (key === 'tmax') return r.tmax === 'Infinity' ? Infinity : r.tmax;
    return r[key] === undefined ? null : r[key];
  }
  /** A filter: ">0.5", "<=2" compare numbers; anything else is a case-insensitive substring. */
  function matches(r, key, f) {
    const m = /^\s*(<=|>=|<|>|=)\s*(-?[0-9.]+(?:e-?\d+)?)\s*$/i.exec(f);
    if (m) {
      const v = sortValue(r, key);
      if (typeof v !== 'number') return false;
      const x = Number(m[2]);
      return m[1] === '<' ? v < x : m[1] === '>' ? v > x : m[1] === '<=' ? v <= x : m[1] === '>=' ? v >= x : v === x;
    }
    return cellText(r, key).toLowerCase().includes(f.trim().toLowerCase());
  }
  function visibleRuns() {
    const rows = model.runs.filter((r) => Object.entries(state.filters).every(([k, f]) => !f.trim() || matches(r, k, f)));
    const k = state.sortKey;
    rows.sort((a, b) => {
      const x = sortValue(a, k);
      const y = sortValue(b, k);
      if (x === y) return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
      if (x === null) return 1; // blanks last either way
      if (y === null) return -1;
      return (x < y ? -1 : 1) * state.sortDir;
    });
    return rows;
  }
  function renderRows() {
    const tbody = document.querySelector('#runs tbody');
    if (!tbody) return;
    const rows = visibleRuns();
    tbody.innerHTML = rows
      .map(
        (r) =>
          `<tr data-id="${esc(r.id)}" class="state-${r.state}"><td><input type="checkbox" class="sel" ${state.selected.has(r.id) ? 'checked' : ''} ${r.curve ? '' : 'disabled'} aria-label="overlay ${esc(r.name)}"></td>` +
          COLUMNS.map((c) => (c.key === 'name' ? `<td data-key="name"><a href="#" class="run-link">${esc(r.name)}</a></td>` : `<td data-key="${c.key}">${esc(cellText(r, c.key))}</td>`)).join('') +
          '</tr>',
      )
      .join('');
    document.getElementById('run-count').textContent = `${rows.length} of ${model.runs.length} runs shown`;
    for (const th of document.querySelectorAll('#runs th[data-key]')) {
      th.dataset.sorted = th.dataset.key === state.sortKey ? (state.sortDir > 0 ? 'asc' : 'desc') : '';
    }
  }
  function stateCounts() {
    const n = { queued: 0, running: 0, done: 0, failed: 0 };
    for (const r of model.runs) n[r.state]++;
    return Object.entries(n).filter(([, v]) => v).map(([k, v]) => `<span class="state-${k}">${v} ${k}</span>`).join(' · ');
  }

  // ---- overlays of the selected runs ----
  const RECOVERY = [
    ['workers', 'workers received'],
    ['blocks', 'blocks recovered'],
    ['withheld', 'blocks withheld'],
    ['late', 'late replies'],
  ];
  function overlayRows() {
    const acc = [];
    const rec = [];
    const chosen = model.runs.filter((r) => state.selected.has(r.id) && r.curve);
    // runs named by their folder's run name when that is unambiguous, else by their path
    const names = chosen.map((r) => r.name);
    const label = (r) => (names.filter((n) => n === r.name).length > 1 ? r.id : r.name);
    for (const r of chosen) {
      const c = r.curve;
      const run = label(r);
      for (const [it, v] of c.test) acc.push({ run, iteration: it, accuracy: v, measure: 'test' });
      c.it.forEach((it, i) => {
        if (c.trainAcc[i] !== null) acc.push({ run, iteration: it, accuracy: c.trainAcc[i], measure: 'train (minibatch)' });
        for (const [k, name] of RECOVERY) if (c[k][i] !== null) rec.push({ run, iteration: it, value: c[k][i], measure: name });
      });
    }
    return { acc, rec };
  }
  function accuracySpec(rows) {
    return {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      title: 'Accuracy of the selected runs',
      width: 560, height: 280,
      data: { name: 'curves', values: rows },
      encoding: {
        x: { field: 'iteration', type: 'quantitative', title: 'iteration' },
        y: { field: 'accuracy', type: 'quantitative', title: 'accuracy', scale: { zero: false } },
        color: { field: 'run', type: 'nominal', title: 'run' },
      },
      layer: [
        {
          mark: { type: 'line' },
          encoding: {
            color: { field: 'run', type: 'nominal', title: 'run' },
            strokeDash: { field: 'measure', type: 'nominal', title: 'measure', scale: { domain: ['test', 'train (minibatch)'], range: [[1, 0], [3, 3]] } },
            detail: { field: 'measure' },
          },
        },
        // points at the test evaluations only (a few per run; the training curve has up to 120)
        { transform: [{ filter: "datum.measure === 'test'" }], mark: { type: 'point', filled: true, size: 18 }, encoding: { color: { field: 'run', type: 'nominal', title: 'run' } } },
      ],
    };
  }
  function recoverySpec(rows) {
    return {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      title: 'Per-step recovery of the selected runs (sums over the six coded products; means over binned steps)',
      data: { name: 'curves', values: rows },
      facet: { field: 'measure', type: 'nominal', title: null, sort: RECOVERY.map((x) => x[1]) },
      columns: 2,
      spec: {
        width: 270, height: 150,
        mark: { type: 'line' },
        encoding: {
          x: { field: 'iteration', type: 'quantitative' },
          y: { field: 'value', type: 'quantitative', title: null },
          color: { field: 'run', type: 'nominal', title: 'run' },
        },
      },
      resolve: { scale: { y: 'independent' } },
    };
  }
  function renderOverlays(force) {
    const box = document.getElementById('overlays');
    if (!box) return;
    const { acc, rec } = overlayRows();
    const key = JSON.stringify([acc.length, rec.length, [...state.selected].sort(), acc.slice(-3), rec.slice(-3)]);
    if (!force && key === state.overlayKey) return;
    state.overlayKey = key;
    if (!acc.length) {
      box.innerHTML = '<p class="note">Tick runs in the table to overlay their accuracy curves and per-step recovery.</p>';
      return;
    }
    box.innerHTML = '<div class="chart" id="overlay-acc"></div><div class="chart" id="overlay-rec"></div>';
    embed(document.getElementById('overlay-acc'), accuracySpec(acc), 'overlay-acc');
    if (rec.length) embed(document.getElementById('overlay-rec'), recoverySpec(rec), 'overlay-rec');
    else document.getElementById('overlay-rec').innerHTML = '<p class="note">No per-step recovery in the selected runs (the baseline has no workers).</p>';
  }

  function renderDetail() {
    const box = document.getElementById('detail');
    if (!box) return;
    const r = model.runs.find((x) => x.id === state.detail);
    if (!r) {
      box.innerHTML = '<p class="note">Click a run’s name to see its config.json.</p>';
      return;
    }
    let h = `<h3>${esc(r.id)} <span class="state-${r.state}">${esc(cellText(r, 'state'))}</span></h3>`;
    if (r.updatedAt) h += `<p class="note">status updated ${esc(r.updatedAt)}</p>`;
    if (r.message) h += `<p class="bad">${esc(r.message)}</p>`;
    if (r.logTail) h += `<p>Last lines of the log:</p><pre class="log">${esc(r.logTail.join('\n'))}</pre>`;
    if (r.config) h += `<table class="config"><thead><tr><th>config.json key</th><th>value</th></tr></thead><tbody>${r.config.map(([k, v]) => `<tr><td>${esc(k)}</td><td>${esc(v)}</td></tr>`).join('')}</tbody></table>`;
    else h += '<p class="note">No config.json yet (written when the run finishes).</p>';
    box.innerHTML = h;
  }

  // ---- figures ----
  function renderFigures() {
    const box = document.getElementById('figures');
    const key = JSON.stringify(model.figures.map((f) => [f.path, f.files.map((x) => x.name)]));
    if (key === state.figuresKey) return;
    state.figuresKey = key;
    if (!model.figures.length) {
      box.innerHTML = '<p class="note">No figure folders.</p>';
      return;
    }
    box.innerHTML = model.figures
      .map((f, i) => {
        const links = f.files.map((x) => `<a class="file file-${x.kind}" href="${esc(x.href)}">${esc(x.name)}</a>`).join(' ');
        const charts = f.charts.map((c, j) => `<figure><figcaption>${esc(c.name)}</figcaption><div class="chart" id="fig-${i}-${j}"></div></figure>`).join('');
        const specNames = new Set(f.charts.map((c) => c.name));
        const images = f.files
          .filter((x) => x.kind === 'png' && !specNames.has(x.name.replace(/\.png$/, '')))
          .map((x) => `<figure><figcaption>${esc(x.name)} <span class="note">(image only: no ${esc(x.name.replace(/\.png$/, '.vl.json'))} yet — rerun its command to get the interactive version)</span></figcaption><img src="${esc(x.href)}" alt="${esc(x.name)}"></figure>`)
          .join('');
        return `<section class="figure-folder" data-path="${esc(f.path)}"><h3>${esc(f.path)}</h3><p class="files">${links}</p>${charts}${images}</section>`;
      })
      .join('');
    const jobs = [];
    model.figures.forEach((f, i) => f.charts.forEach((c, j) => jobs.push(embed(document.getElementById(`fig-${i}-${j}`), c.spec, `fig-${i}-${j}`))));
    return Promise.all(jobs);
  }

  // ---- page ----
  function renderPage() {
    const bad = model.unreadable.length
      ? `<section id="unreadable"><h2>Unreadable files (${model.unreadable.length})</h2><ul>${model.unreadable.map((u) => `<li><code>${esc(u.path)}</code>: ${esc(u.reason)}</li>`).join('')}</ul></section>`
      : '';
    app.innerHTML = `
<header><h1>${esc(model.title)}: ${esc(model.roots.join(', '))}</h1>
<p class="note">${settings.live ? '<span id="live">live</span> · ' : ''}scanned <span id="generated">${esc(model.generatedAt)}</span> · <span id="counts">${stateCounts()}</span></p>
<nav><a href="#runs-section">Runs</a> · <a href="#figures-section">Figures</a></nav></header>
${bad}
<section id="runs-section"><h2>Runs</h2>
<p class="note"><span id="run-count"></span>. Click a heading to sort; type in the boxes to filter (text, or &gt;0.9, &lt;=2 on numbers).</p>
<div class="table-wrap"><table id="runs"><thead><tr><th></th>${COLUMNS.map((c) => `<th data-key="${c.key}"><button type="button">${esc(c.label)}</button></th>`).join('')}</tr>
<tr class="filters"><th></th>${COLUMNS.map((c) => `<th><input data-filter="${c.key}" type="search" placeholder="filter" aria-label="filter ${esc(c.label)}"></th>`).join('')}</tr></thead><tbody></tbody></table></div>
<div id="overlays"></div>
<div id="detail"></div>
</section>
<section id="figures-section"><h2>Figures</h2><div id="figures"></div></section>`;
    document.querySelector('#runs thead').addEventListener('click', (e) => {
      const th = e.target.closest('th[data-key]');
      if (!th || e.target.tagName === 'INPUT') return;
      if (state.sortKey === th.dataset.key) state.sortDir = -state.sortDir;
      else {
        state.sortKey = th.dataset.key;
        state.sortDir = 1;
      }
      renderRows();
    });
    document.querySelector('#runs thead').addEventListener('input', (e) => {
      if (!e.target.dataset.filter) return;
      state.filters[e.target.dataset.filter] = e.target.value;
      renderRows();
    });
    document.querySelector('#runs tbody').addEventListener('change', (e) => {
      if (!e.target.classList.contains('sel')) return;
      const id = e.target.closest('tr').dataset.id;
      if (e.target.checked) state.selected.add(id);
      else state.selected.delete(id);
      renderOverlays();
    });
    document.querySelector('#runs tbody').addEventListener('click', (e) => {
      if (!e.target.classList.contains('run-link')) return;
      e.preventDefault();
      state.detail = e.target.closest('tr').dataset.id;
      renderDetail();
    });
  }

  function refresh() {
    document.getElementById('counts').innerHTML = stateCounts();
    document.getElementById('generated').textContent = model.generatedAt;
    renderRows();
    renderOverlays();
    renderDetail();
    return renderFigures();
  }

  function start() {
    performance.mark('report-start'); // after the libraries and the model are parsed
    if (!model.figures.length && !model.runs.length && !model.unreadable.length && !settings.live) {
      app.innerHTML = `<p class="bad">No results found in ${esc(model.roots.join(', '))}.</p>`;
      R.ready = Promise.resolve();
      return;
    }
    renderPage();
    // a first view: the first few finished runs of the first folder overlaid
    const first = model.runs.filter((r) => r.curve && r.state === 'done');
    for (const r of first.filter((r) => r.folder === (first[0] && first[0].folder)).slice(0, 4)) state.selected.add(r.id);
    R.ready = Promise.resolve(refresh());
    performance.mark('report-table');
    if (settings.live) {
      let etag = null;
      const poll = () => {
        // revalidated with the server's ETag: an unchanged model comes back from the cache, not parsed again
        fetch('model.json', { cache: 'no-cache' })
          .then((res) => {
            if (!res.ok) return Promise.reject(new Error(`model.json: HTTP ${res.status}`));
            R.polls++;
            document.getElementById('live').className = '';
            const tag = res.headers.get('etag');
            if (tag && tag === etag) return null;
            etag = tag;
            return res.json();
          })
          .then((m) => {
            if (!m) return;
            model = m;
            refresh();
          })
          .catch((err) => {
            const live = document.getElementById('live');
            if (live) live.className = 'bad';
            console.warn(`report: ${err.message}`);
          })
          .finally(() => setTimeout(poll, settings.pollMs));
      };
      setTimeout(poll, settings.pollMs);
    }
  }
  start();
})();
