// OpenMMSC console: the little script behind the pages (no framework, no CDN).
// Charts are SVG drawn from /api/traffic; live sections re-read their HTML fragment.
'use strict';
(function () {
  const prefix = document.body.dataset.prefix || '';
  const SVG = 'http://www.w3.org/2000/svg';
  const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#7f7f7f', '#bcbd22'];
  const GROUP_PREFIX = { submitted: 'submitted ', outcome: 'outcome ', latency: 'latency ', queued: 'queued ' };

  function el(name, attrs, parent) {
    const e = document.createElementNS(SVG, name);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
    if (parent) parent.appendChild(e);
    return e;
  }

  function draw(figure, points) {
    const group = figure.dataset.group;
    const svg = figure.querySelector('svg');
    const legend = figure.querySelector('.legend');
    const names = new Set();
    for (const p of points) for (const k of Object.keys(p.values)) if (k.startsWith(GROUP_PREFIX[group])) names.add(k);
    const series = [...names].sort();
    while (svg.firstChild) svg.removeChild(svg.firstChild);
    legend.textContent = '';
    const W = 600, H = 180, L = 44, B = 20;
    let max = 0;
    for (const p of points) for (const s of series) max = Math.max(max, p.values[s] || 0);
    max = max > 0 ? max * 1.1 : 1;
    const t0 = points.length ? points[0].at : 0;
    const t1 = points.length ? points[points.length - 1].at : 1;
    const x = (at) => L + ((at - t0) / Math.max(1, t1 - t0)) * (W - L - 4);
    const y = (v) => H - B - (v / max) * (H - B - 6);
    el('line', { x1: L, y1: H - B, x2: W - 4, y2: H - B, class: 'axis' }, svg);
    el('line', { x1: L, y1: 4, x2: L, y2: H - B, class: 'axis' }, svg);
    el('text', { x: L - 4, y: 12, 'text-anchor': 'end', class: 'tick' }, svg).textContent = max.toFixed(max < 10 ? 1 : 0);
    el('text', { x: L - 4, y: H - B, 'text-anchor': 'end', class: 'tick' }, svg).textContent = '0';
    if (points.length) {
      el('text', { x: L, y: H - 4, class: 'tick' }, svg).textContent = new Date(t0).toISOString().slice(11, 19);
      el('text', { x: W - 4, y: H - 4, 'text-anchor': 'end', class: 'tick' }, svg).textContent = new Date(t1).toISOString().slice(11, 19) + 'Z';
    }
    series.forEach((s, i) => {
      const color = COLORS[i % COLORS.length];
      const coords = points.filter((p) => s in p.values).map((p) => x(p.at).toFixed(1) + ',' + y(p.values[s]).toFixed(1));
      if (coords.length) el('polyline', { points: coords.join(' '), fill: 'none', stroke: color, 'stroke-width': 1.5, 'data-series': s }, svg);
      const last = [...points].reverse().find((p) => s in p.values);
      const li = document.createElement('li');
      const swatch = document.createElement('span');
      swatch.className = 'swatch';
      swatch.style.background = color;
      li.appendChild(swatch);
      li.appendChild(document.createTextNode(s.slice(GROUP_PREFIX[group].length) + ': ' + (last ? last.values[s] : '-')));
      legend.appendChild(li);
    });
    if (!series.length) {
      const li = document.createElement('li');
      li.textContent = 'no data yet';
      legend.appendChild(li);
    }
  }

  // Each node's last point: totals of its rates, its p95 and the queue it saw; a link to its charts.
  function perNode(nodes, range) {
    const body = document.querySelector('#per-node tbody');
    if (!body) return;
    body.textContent = '';
    const total = (values, group) => Object.keys(values).filter((k) => k.startsWith(GROUP_PREFIX[group])).reduce((n, k) => n + values[k], 0);
    for (const n of nodes) {
      const last = n.points.length ? n.points[n.points.length - 1].values : {};
      const tr = document.createElement('tr');
      tr.dataset.node = n.node;
      const link = document.createElement('a');
      link.href = prefix + '/traffic?range=' + encodeURIComponent(range) + '&node=' + encodeURIComponent(n.node);
      link.textContent = n.node;
      const cells = [link, total(last, 'submitted').toFixed(2), total(last, 'outcome').toFixed(2), 'latency p95' in last ? String(last['latency p95']) : '-', String(total(last, 'queued'))];
      for (const c of cells) {
        const td = document.createElement('td');
        if (typeof c === 'string') td.textContent = c;
        else td.appendChild(c);
        tr.appendChild(td);
      }
      body.appendChild(tr);
    }
  }

  // fn answers 'stop' when there is nothing more to follow.
  function every(ms, fn) {
    let stopped = false;
    const tick = () => {
      if (stopped) return;
      Promise.resolve(fn()).catch(() => undefined).then((r) => {
        if (r === 'stop') stopped = true;
        if (!stopped) setTimeout(tick, document.hidden ? ms * 4 : ms);
      });
    };
    tick();
    window.addEventListener('pagehide', () => (stopped = true));
  }

  const charts = document.getElementById('charts');
  if (charts) {
    every(Number(charts.dataset.every) || 5000, async () => {
      const res = await fetch(prefix + '/api/traffic?range=' + encodeURIComponent(charts.dataset.range || 'hour'));
      if (res.status === 401) return location.assign(prefix + '/login');
      const data = await res.json();
      const node = charts.dataset.node;
      const mine = node ? (data.nodes.find((n) => n.node === node) || { points: [] }).points : data.points;
      for (const figure of charts.querySelectorAll('figure.chart')) draw(figure, mine);
      perNode(data.nodes, charts.dataset.range || 'hour');
      const updated = document.getElementById('updated');
      if (updated) updated.textContent = 'updated ' + new Date().toISOString().slice(11, 19) + 'Z';
    });
  }

  for (const live of document.querySelectorAll('[data-refresh]')) {
    every(Number(live.dataset.every) || 5000, async () => {
      const res = await fetch(live.dataset.refresh);
      if (res.status === 401) return location.assign(prefix + '/login');
      if (res.ok) live.innerHTML = await res.text();
      const state = live.querySelector('[data-state]');
      if (state && state.dataset.state !== 'running') return 'stop';
    });
  }

  // A campaign with files: read them here and post JSON (the form alone posts text fields only).
  const campaign = document.getElementById('new-campaign');
  if (campaign) {
    const read = (file, as) => new Promise((resolve, reject) => {
      const r = new FileReader();
      r.onload = () => resolve(r.result);
      r.onerror = () => reject(r.error);
      if (as === 'text') r.readAsText(file);
      else r.readAsDataURL(file);
    });
    const f = campaign.elements;
    const showError = (text) => {
      let error = campaign.querySelector('.error');
      if (!error) {
        error = document.createElement('p');
        error.className = 'error';
        error.setAttribute('role', 'alert');
        campaign.prepend(error);
      }
      error.textContent = text;
    };
    const content = async () => {
      const body = { from: f.from.value, subject: f.subject.value, text: f.text.value };
      const media = f.attachment.files[0];
      if (media) body.attachment = { name: media.name, contentType: media.type, data: String(await read(media, 'url')).replace(/^data:[^,]*,/, '') };
      return body;
    };
    const post = (path, body) => fetch(prefix + path, { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': document.body.dataset.csrf }, body: JSON.stringify(body) });
    // Choosing a template fills the form with its sender, subject and text (its media is added by the server).
    const picker = f.template;
    const fill = () => {
      const o = picker && picker.selectedOptions[0];
      if (!o || !o.value) return;
      f.from.value = o.dataset.from || '';
      f.subject.value = o.dataset.subject || '';
      f.text.value = o.dataset.text || '';
    };
    if (picker) {
      picker.addEventListener('change', fill);
      fill();
    }
    campaign.addEventListener('submit', async (e) => {
      e.preventDefault();
      const body = Object.assign(await content(), { name: f.name.value, recipients: f.recipients.value, batch: f.batch.value });
      if (picker && picker.value) body.template = picker.value;
      const list = f.recipientFile.files[0];
      if (list) body.recipients = (body.recipients ? body.recipients + '\n' : '') + (await read(list, 'text'));
      const res = await post('/api/campaigns', body);
      const answer = await res.json().catch(() => ({}));
      if (res.status === 201) return location.assign(prefix + '/campaigns/' + answer.id);
      showError(answer.error || 'the campaign was not started (' + res.status + ')');
    });
    const save = document.getElementById('save-template');
    if (save) {
      save.addEventListener('click', async () => {
        const body = Object.assign(await content(), { name: f.templateName.value });
        const res = await post('/api/templates', body);
        const answer = await res.json().catch(() => ({}));
        if (res.status === 201) return location.assign(prefix + '/campaigns?template=' + encodeURIComponent(answer.id));
        showError(answer.error || 'the template was not saved (' + res.status + ')');
      });
    }
  }

  for (const form of document.querySelectorAll('form.action')) {
    form.addEventListener('submit', (e) => {
      const label = form.querySelector('button').textContent;
      if (!window.confirm(label + '?')) e.preventDefault();
    });
  }
})();
