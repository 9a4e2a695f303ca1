// ami console page: one WebSocket (/ws, protocol in docs/console-protocol.md), uPlot charts, no build step.
(() => {
  'use strict';
  const MAX_POINTS = 300;   // 60 s at the default 5 Hz
  const MAX_EVENTS = 200;
  const $ = (id) => document.getElementById(id);

  // ---- charts -------------------------------------------------------------------------------------------
  const css = getComputedStyle(document.documentElement);
  const color = (name) => css.getPropertyValue(name).trim();

  function makeChart(id, series, scales) {
    const el = $(id);
    const data = [[]].concat(series.map(() => []));
    const opts = {
      width: el.clientWidth || 400,
      height: 150,
      legend: { live: false },
      cursor: { show: false },
      scales: Object.assign({ x: { time: true } }, scales || {}),
      axes: [
        { stroke: color('--muted'), grid: { stroke: color('--grid') }, ticks: { stroke: color('--grid') } },
        { stroke: color('--muted'), grid: { stroke: color('--grid') }, ticks: { stroke: color('--grid') }, size: 48 },
      ],
      series: [{}].concat(series.map((s) => ({ label: s.label, stroke: s.color, width: 1.5, scale: s.scale || 'y',
        points: { show: false }, spanGaps: true }))),
    };
    if (series.some((s) => s.scale === 'y2')) {
      opts.axes.push({ scale: 'y2', side: 1, stroke: color('--muted'), grid: { show: false }, size: 48 });
    }
    const plot = new uPlot(opts, data, el);
    return {
      push(t, values) {
        data[0].push(t);
        values.forEach((v, i) => data[i + 1].push(v == null ? null : v));
        if (data[0].length > MAX_POINTS) data.forEach((col) => col.shift());
        plot.setData(data);
        el.dataset.points = String(Number(el.dataset.points) + 1);
      },
      resize() { plot.setSize({ width: el.clientWidth, height: 150 }); },
    };
  }

  const charts = {
    lateness: makeChart('chart-lateness', [
      { label: 'last', color: color('--c1') }, { label: 'p99', color: color('--c2') }]),
    inference: makeChart('chart-inference', [
      { label: 'last', color: color('--c3') }, { label: 'p99', color: color('--c2') }]),
    trainer: makeChart('chart-trainer', [
      { label: 'loss', color: color('--c4') }, { label: 'steps/s', color: color('--c1'), scale: 'y2' }]),
    params: makeChart('chart-params', [
      { label: 'published', color: color('--c2') }, { label: 'in use', color: color('--c3') }]),
    memory: makeChart('chart-memory', [
      { label: 'heap', color: color('--c1') }, { label: 'rss', color: color('--c4') }]),
  };
  window.addEventListener('resize', () => Object.values(charts).forEach((c) => c.resize()));

  // ---- connection ---------------------------------------------------------------------------------------
  const pending = new Map();
  let ws = null;
  let nextId = 1;
  let retryMs = 500;
  let lastTicks = -1;
  let lastSteps = -1;

  function url() {
    const token = new URLSearchParams(location.search).get('token');
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    return scheme + '//' + location.host + '/ws' + (token ? '?token=' + encodeURIComponent(token) : '');
  }

  function connect() {
    ws = new WebSocket(url());
    ws.onopen = () => {
      retryMs = 500;
      setConn(true);
      request('subscribe', { topics: ['telemetry', 'events', 'frames'] });
      request('status').then(onStatus);
    };
    ws.onmessage = (m) => onMessage(JSON.parse(m.data));
    ws.onclose = () => {
      setConn(false);
      pending.forEach((resolve) => resolve({ ok: false, error: 'connection closed' }));
      pending.clear();
      setTimeout(connect, retryMs);
      retryMs = Math.min(retryMs * 2, 5000);
    };
  }

  function request(cmd, extra) {
    return new Promise((resolve) => {
      if (!ws || ws.readyState !== WebSocket.OPEN) {
        resolve({ ok: false, error: 'not connected' });
        return;
      }
      const id = nextId++;
      pending.set(id, resolve);
      ws.send(JSON.stringify(Object.assign({ id, cmd }, extra || {})));
    });
  }

  function onMessage(msg) {
    if (msg.type === 'telemetry') return onTelemetry(msg);
    if (msg.type === 'event') return addEvent(msg);
    if (msg.type === 'frame') return onFrame(msg);
    const resolve = pending.get(msg.id);
    if (resolve) {
      pending.delete(msg.id);
      if (msg.state) setState(msg.state);
      resolve(msg);
    }
  }

  // ---- rendering ----------------------------------------------------------------------------------------
  const fmt = (v, digits = 2) => (v == null ? '–' : Number(v).toFixed(digits));

  function setConn(up) {
    $('conn').textContent = up ? 'live' : 'offline';
    $('conn').classList.toggle('up', up);
  }

  function setState(state) {
    const el = $('state');
    el.textContent = state;
    el.dataset.state = state;
    el.className = 'state state-' + state;
    document.body.dataset.state = state;
  }

  function onStatus(r) {
    if (!r.ok) return;
    if (r.ticks != null) $('ticks').textContent = r.ticks;
    if (r.version_in_use != null) $('v-inuse').textContent = r.version_in_use;
    if (r.version_published != null) $('v-pub').textContent = r.version_published;
  }

  function onTelemetry(m) {
    const t = m.t / 1000;
    setState(m.state);
    $('ticks').textContent = m.ticks;
    $('uptime').textContent = m.uptime_s == null ? '–' : duration(m.uptime_s);
    const a = m.agent, inf = m.inference_ms, p = m.params;
    $('tick-hz').textContent = fmt(a.tick_hz, 1);
    $('late-p99').textContent = fmt(a.lateness_ms.p99, 3);
    $('late-max').textContent = fmt(a.lateness_ms.max, 3);
    $('missed').textContent = a.missed_ticks;
    $('inf-last').textContent = fmt(inf.last);
    $('inf-p50').textContent = fmt(inf.p50);
    $('inf-p99').textContent = fmt(inf.p99);
    if (m.ticks !== lastTicks) {   // tick panels move only when the agent ticked
      charts.lateness.push(t, [a.lateness_ms.last, a.lateness_ms.p99]);
      charts.inference.push(t, [inf.last, inf.p99]);
      lastTicks = m.ticks;
    }
    const tr = Object.values(m.trainers)[0];
    if (tr) {
      $('loss').textContent = fmt(tr.loss, 4);
      $('steps-s').textContent = fmt(tr.steps_per_s, 2);
      $('steps').textContent = tr.steps;
      $('step-p99').textContent = fmt(tr.step_ms.p99, 0);
      if (tr.steps !== lastSteps) {
        charts.trainer.push(t, [tr.loss, tr.steps_per_s]);
        lastSteps = tr.steps;
      }
    }
    $('v-inuse').textContent = p.version_in_use;
    $('v-pub').textContent = p.version_published;
    $('p-pub').textContent = p.version_published;
    $('p-inuse').textContent = p.version_in_use;
    $('lag').textContent = p.policy_lag;
    $('lag-p99').textContent = fmt(p.policy_lag_p99, 0);
    charts.params.push(t, [p.version_published, p.version_in_use]);
    const r = m.replay, mem = m.memory;
    $('replay-text').textContent = r.size + ' / ' + r.capacity;
    $('replay-fill').style.width = ((r.fill || 0) * 100).toFixed(1) + '%';
    $('heap-text').textContent = fmt(mem.heap_used_mb, 0) + ' / ' + fmt(mem.heap_max_mb, 0) + ' MiB';
    $('heap-fill').style.width = mem.heap_max_mb ? (100 * mem.heap_used_mb / mem.heap_max_mb).toFixed(1) + '%' : '0';
    $('rss-text').textContent = fmt(mem.rss_mb, 0) + ' MiB';
    charts.memory.push(t, [mem.heap_used_mb, mem.rss_mb]);
    showAction(m.action);
  }

  function showAction(a) {
    if (!a) return;
    const on = (id, v) => $(id).classList.toggle('on', !!v);
    on('in-fwd', a.vertical > 0); on('in-back', a.vertical < 0);
    on('in-right', a.horizontal > 0); on('in-left', a.horizontal < 0);
    on('in-look-right', a.look > 0); on('in-look-left', a.look < 0);
    on('in-jump', a.jump); on('in-run', a.run);
    $('action-index').textContent = a.index;
  }

  function onFrame(m) {
    $('frame').src = m.image;
    $('frame-tick').textContent = m.tick;
    showAction(m.action);
  }

  function addEvent(e) {
    const li = document.createElement('li');
    li.className = 'ev-' + e.level;
    const time = new Date(e.t).toLocaleTimeString([], { hour12: false });
    li.innerHTML = '<time></time><span class="kind"></span><span class="msg"></span>';
    li.children[0].textContent = time;
    li.children[1].textContent = e.kind;
    li.children[2].textContent = e.message;
    const list = $('events');
    list.insertBefore(li, list.firstChild);
    while (list.children.length > MAX_EVENTS) list.removeChild(list.lastChild);
  }

  function duration(s) {
    const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = Math.floor(s % 60);
    return (h ? h + 'h ' : '') + (h || m ? m + 'm ' : '') + sec + 's';
  }

  let noticeTimer = null;
  function notice(text, isError) {
    const el = $('notice');
    el.textContent = text;
    el.className = 'notice' + (isError ? ' error' : '');
    el.hidden = false;
    clearTimeout(noticeTimer);
    noticeTimer = setTimeout(() => { el.hidden = true; }, 6000);
  }

  async function command(cmd, extra) {
    const r = await request(cmd, extra);
    if (!r.ok) notice(cmd + ': ' + r.error, true);
    else if (cmd !== 'status') notice(cmd + ': ok, ' + r.state, false);
    onStatus(r);
    return r;
  }

  // ---- controls -----------------------------------------------------------------------------------------
  document.querySelectorAll('button[data-cmd]').forEach((b) => {
    b.addEventListener('click', () => command(b.dataset.cmd));
  });
  $('btn-step').addEventListener('click', () => {
    const n = Number($('step-n').value);
    if (!Number.isInteger(n) || n < 1 || n > 10000) {
      notice('step: enter a whole number of ticks from 1 to 10000', true);
      return;
    }
    command('step', { n });
  });
  $('btn-shutdown').addEventListener('click', () => $('confirm-shutdown').showModal());
  $('confirm-shutdown').addEventListener('close', () => {
    if ($('confirm-shutdown').returnValue === 'ok') command('shutdown');
  });

  connect();
})();
