// ami console page: one WebSocket (/ws, protocol in docs/console-protocol.md), uPlot charts, no build step.
(() => {
  'use strict';
  const MAX_POINTS = 300;   // 60 s at the default 5 Hz
  const MAX_EVENTS = 200;
  const PARTS = [
    ['vertical', 'Vertical', ['back', '·', 'fwd']],
    ['horizontal', 'Horizontal', ['left', '·', 'right']],
    ['look', 'Look', ['left', '·', 'right']],
    ['jump', 'Jump', ['no', 'yes']],
    ['run', 'Run', ['no', 'yes']],
  ];
  const $ = (id) => document.getElementById(id);

  // ---- charts -------------------------------------------------------------------------------------------
  const css = getComputedStyle(document.documentElement);
  const color = (name) => css.getPropertyValue(name).trim();
  // three significant digits, so small losses (0.0041 vs 0.0037) stay apart on the axis
  const axisValues = (u, vals) => vals.map((v) => (v == null ? '' : Math.abs(v) >= 1000 ? v.toFixed(0)
    : Number(v.toPrecision(3)).toString()));
  const timeValues = (u, vals) => vals.map((v) => new Date(v * 1000).toLocaleTimeString([], { hour12: false }));

  function makeChart(el, series, height, maxPoints) {
    const h = height || 150;
    const cap = maxPoints || MAX_POINTS;
    const data = [[]].concat(series.map(() => []));
    const axis = { stroke: color('--muted'), grid: { stroke: color('--grid') }, ticks: { stroke: color('--grid') } };
    const opts = {
      width: el.clientWidth || 400,
      height: h,
      legend: { live: false },
      cursor: { show: false },
      // at least a minute wide, from the data itself: for a single point uPlot hands the range function a
      // span of 1000 days, which drew a year axis
      scales: { x: { time: true, range: (u) => {
        const xs = u.data[0];
        const hi = xs && xs.length ? xs[xs.length - 1] : Date.now() / 1000;
        return [Math.min(xs && xs.length ? xs[0] : hi, hi - 60), hi];
      } } },
      // wall-clock time of day on one line: uPlot's two-line default overlapped its date labels
      axes: [Object.assign({ space: 64, values: timeValues }, axis),
        Object.assign({ size: 52, values: axisValues }, axis)],
      series: [{}].concat(series.map((s) => ({ label: s.label, stroke: s.color, width: 1.5, scale: s.scale || 'y',
        points: { show: false }, spanGaps: true }))),
    };
    if (series.some((s) => s.scale === 'y2')) {
      opts.axes.push({ scale: 'y2', side: 1, stroke: color('--muted'), grid: { show: false }, size: 48,
        values: axisValues });
    }
    const plot = new uPlot(opts, data, el);
    return {
      push(t, values) {
        data[0].push(t);
        values.forEach((v, i) => data[i + 1].push(v == null ? null : v));
        if (data[0].length > cap) {
          if (maxPoints) {
            // a whole-run chart keeps all of the run: every other point goes, as the server's history does
            data.forEach((col, i) => { data[i] = col.filter((v, j) => j % 2 === 0); });
          } else {
            data.forEach((col) => col.shift());
          }
        }
        plot.setData(data);
        el.dataset.points = String(data[0].length);
      },
      set(xs, columns) {
        data[0] = xs.slice();
        columns.forEach((c, i) => { data[i + 1] = c.slice(); });
        plot.setData(data);
        el.dataset.points = String(xs.length);
      },
      resize() { plot.setSize({ width: el.clientWidth, height: h }); },
    };
  }

  const charts = {
    lateness: makeChart($('chart-lateness'), [
      { label: 'last', color: color('--c1') }, { label: 'p99', color: color('--c2') }]),
    duration: makeChart($('chart-duration'), [
      { label: 'last', color: color('--c3') }, { label: 'p99', color: color('--c2') }]),
    reward: makeChart($('chart-reward'), [
      { label: 'last', color: color('--c4') }, { label: '60 s mean', color: color('--c2') }]),
    ppo: makeChart($('chart-ppo'), [
      { label: 'value mean', color: color('--c1') }, { label: 'return mean', color: color('--c2') },
      { label: 'approx KL', color: color('--c4'), scale: 'y2' }]),
    world: makeChart($('chart-world'), [
      { label: 'visited', color: color('--c3') }, { label: 'last minute', color: color('--c1'), scale: 'y2' }]),
    memory: makeChart($('chart-memory'), [
      { label: 'heap', color: color('--c1') }, { label: 'native', color: color('--c3') },
      { label: 'rss', color: color('--c4') }]),
  };
  const modelCharts = {};
  window.addEventListener('resize', () => Object.values(charts).concat(Object.values(modelCharts))
    .concat(Object.values(historyCharts)).forEach((c) => c.resize()));

  // ---- connection ---------------------------------------------------------------------------------------
  const pending = new Map();
  let ws = null;
  let nextId = 1;
  let retryMs = 500;
  let lastTicks = -1;
  const lastSteps = {};

  function url() {
    const token = new URLSearchParams(location.search).get('token');
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    return scheme + '//' + location.host + '/ws' + (token ? '?token=' + encodeURIComponent(token) : '');
  }

  function connect() {
    ws = new WebSocket(url());
    ws.onopen = () => {
      retryMs = 500;
      // the server set the token's cookie with this page: take the token out of the address bar and history
      if (new URLSearchParams(location.search).has('token')) history.replaceState(null, '', location.pathname);
      setConn(true);
      request('subscribe', { topics: ['telemetry', 'events', 'frames', 'history'] });
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
    if (msg.type === 'history') return onHistory(msg);
    if (msg.type === 'history_point') return onHistoryPoint(msg);
    if (msg.type === 'event') return addEvent(msg);
    if (msg.type === 'frame') return onFrame(msg);
    if (msg.type === 'expected') return onExpected(msg);
    const resolve = pending.get(msg.id);
    if (resolve) {
      pending.delete(msg.id);
      if (msg.state) setState(msg.state);
      resolve(msg);
    }
  }

  // ---- rendering ----------------------------------------------------------------------------------------
  const fmt = (v, digits = 2) => (v == null ? '–' : Number(v).toFixed(digits));
  const sig = (v) => (v == null ? '–' : Math.abs(v) >= 100 ? v.toFixed(1) : Number(v.toPrecision(4)).toString());

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
  }

  function onTelemetry(m) {
    const t = m.t / 1000;
    setState(m.state);
    $('ticks').textContent = m.ticks;
    $('uptime').textContent = (m.uptime_s == null ? '–' : duration(m.uptime_s))
      + (m.uptime_left_s == null ? '' : ' (' + duration(m.uptime_left_s) + ' left)');
    const a = m.agent;
    $('tick-hz').textContent = fmt(a.tick_hz, 1);
    $('late-p99').textContent = fmt(a.lateness_ms.p99, 3);
    $('late-max').textContent = fmt(a.lateness_ms.max, 3);
    $('missed').textContent = a.missed_ticks;
    $('dur-last').textContent = fmt(a.duration_ms.last);
    $('dur-p50').textContent = fmt(a.duration_ms.p50);
    $('dur-p99').textContent = fmt(a.duration_ms.p99);
    if (m.ticks !== lastTicks) {   // tick panels move only when the agent ticked
      charts.lateness.push(t, [a.lateness_ms.last, a.lateness_ms.p99]);
      charts.duration.push(t, [a.duration_ms.last, a.duration_ms.p99]);
      if (m.reward && m.reward.last != null) charts.reward.push(t, [m.reward.last, m.reward.mean]);
      lastTicks = m.ticks;
    }
    showModels(t, m.models || {});
    showReward(m.reward);
    showActions(m.actions);
    showPpo(t, m.ppo);
    showWorld(t, m.world);
    const mem = m.memory;
    $('heap-text').textContent = fmt(mem.heap_used_mb, 0) + ' / ' + fmt(mem.heap_max_mb, 0) + ' MiB';
    $('heap-fill').style.width = mem.heap_max_mb ? (100 * mem.heap_used_mb / mem.heap_max_mb).toFixed(1) + '%' : '0';
    $('rss-text').textContent = fmt(mem.rss_mb, 0) + ' MiB';
    $('native-text').textContent = mem.native_mb == null ? 'not readable here' : fmt(mem.native_mb, 0) + ' MiB';
    charts.memory.push(t, [mem.heap_used_mb, mem.native_mb, mem.rss_mb]);
    showLifecycle(m.checkpoint, m.redeploy);
    showAction(m.action);
  }

  function showLifecycle(c, r) {
    const at = (ms) => new Date(ms).toLocaleTimeString([], { hour12: false });
    if (c) {
      $('last-checkpoint').textContent = c.ok
        ? at(c.t) + ' ' + c.reason + ': ' + c.path + ', ' + fmt(c.mb, 1) + ' MB in ' + fmt(c.ms, 0)
          + ' ms (trainer paused ' + fmt(c.trainer_pause_ms, 1) + ' ms)'
        : at(c.t) + ' failed: ' + c.error;
      $('last-checkpoint').classList.toggle('bad', !c.ok);
    }
    if (r) {
      const parts = [at(r.t) + ' ' + r.target + (r.model_kind ? ' (' + r.model_kind + ')' : '')];
      if (r.ok) {
        parts.push('built in ' + fmt(r.build_ms, 0) + ' ms');
        if (r.handover_ms != null) parts.push('handover ' + fmt(r.handover_ms, 1) + ' ms, ' + r.missed_ticks + ' missed');
        if (r.trainer_gap_ms != null) parts.push('trainer gap ' + fmt(r.trainer_gap_ms, 0) + ' ms');
        (r.warnings || []).forEach((w) => parts.push('warning: ' + w));
      } else {
        parts.push('failed: ' + r.error);
      }
      $('last-redeploy').textContent = parts.join(', ');
      $('last-redeploy').classList.toggle('bad', !r.ok);
    }
  }

  function showModels(t, models) {
    const body = $('models');
    const split = [];
    Object.entries(models).forEach(([key, s]) => {
      let row = document.getElementById('model-' + key);
      if (!row) {
        row = document.createElement('tr');
        row.id = 'model-' + key;
        row.innerHTML = '<th></th>' + '<td></td>'.repeat(8);
        row.children[0].textContent = key;
        body.appendChild(row);
        const box = document.createElement('div');
        box.className = 'mini';
        box.innerHTML = '<label></label><div class="chart small" data-points="0"></div>';
        box.children[0].textContent = key + ' loss';
        box.children[1].id = 'chart-loss-' + key;
        $('loss-charts').appendChild(box);
        modelCharts[key] = makeChart(box.children[1], [
          { label: 'loss', color: color('--c4') }, { label: 'steps/s', color: color('--c1'), scale: 'y2' }], 110);
      }
      const b = s.buffer || {};
      const cells = [sig(s.loss), fmt(s.steps_per_s, 1), s.steps, s.step_ms.p50 == null ? '–' : fmt(s.step_ms.p50, 1) + ' ms',
        // null in use: the agent does not run this model itself (the VAE's encoder comes with the forward model)
        'v' + s.version_published, s.version_in_use != null ? 'v' + s.version_in_use : key === 'vae' ? 'with fd' : '–',
        s.policy_lag == null ? '–' : s.policy_lag,
        // PPO's buffer is steps waiting against one rollout + 1; more wait while an update runs
        !b.capacity ? '–'
          : key === 'policy' ? b.size + ' (update at ' + b.capacity + ')' : b.size + ' / ' + b.capacity];
      cells.forEach((c, i) => { row.children[i + 1].textContent = c; });
      row.classList.toggle('lagging', s.policy_lag > 2);
      if (s.steps !== lastSteps[key]) {
        modelCharts[key].push(t, [s.loss, s.steps_per_s]);
        lastSteps[key] = s.steps;
      }
      if (s.compute_ms && s.compute_ms.p50 != null) split.push(key + ' ' + fmt(s.compute_ms.p50) + ' ms');
    });
    $('compute-split').textContent = split.join(' · ');
  }

  function showReward(r) {
    if (!r) return;
    $('reward-last').textContent = sig(r.last);
    $('reward-mean').textContent = sig(r.mean);
    $('reward-mean2').textContent = sig(r.mean);
    $('reward-p50').textContent = sig(r.p50);
  }

  function showActions(actions) {
    if (!actions) return;
    const box = $('actions');
    if (!box.dataset.built) {
      box.innerHTML = '';
      PARTS.forEach(([key, name, labels]) => {
        const row = document.createElement('div');
        row.className = 'prob-row';
        row.innerHTML = '<span class="part"></span>' + labels.map(() =>
          '<span class="prob"><span class="fill"></span><span class="last"></span><em></em></span>').join('');
        row.children[0].textContent = name;
        labels.forEach((l, i) => { row.children[i + 1].querySelector('em').textContent = l; });
        row.id = 'probs-' + key;
        box.appendChild(row);
      });
      box.dataset.built = '1';
    }
    PARTS.forEach(([key, name]) => {
      const row = $('probs-' + key);
      const h = actions.entropy ? actions.entropy[key] : null;
      row.children[0].textContent = name;
      if (h != null) {
        const em = document.createElement('small');
        em.className = 'entropy';
        em.textContent = ' H ' + fmt(h, 2);
        row.children[0].appendChild(em);
      }
      const mean = actions.mean[key];
      const last = actions.last[key];
      mean.forEach((p, i) => {
        const cell = row.children[i + 1];
        cell.querySelector('.fill').style.width = (100 * (p || 0)).toFixed(1) + '%';
        cell.querySelector('.last').style.left = (100 * (last[i] || 0)).toFixed(1) + '%';
        cell.title = 'mean ' + fmt(p, 3) + ', last ' + fmt(last[i], 3);
      });
    });
  }

  // ---- the whole run ------------------------------------------------------------------------------------
  const HISTORY_TAGS = ['loss/vae', 'loss/fd', 'loss/policy', 'loss/ae', 'reward/mean', 'policy/entropy',
    'explore/cells', 'tick/lateness_p99_ms', 'memory/rss_mb'];
  const HISTORY_MAX = 2 * 8640;
  const historyCharts = {};

  function historyChart(tag) {
    if (!historyCharts[tag]) {
      const box = document.createElement('div');
      box.className = 'mini';
      box.innerHTML = '<label></label><div class="chart small" data-points="0"></div>';
      box.children[0].textContent = tag;
      box.children[1].id = 'history-' + tag.replace(/[^a-z0-9]/gi, '-');
      $('history-charts').appendChild(box);
      historyCharts[tag] = makeChart(box.children[1], [{ label: tag, color: color('--c2') }], 110, HISTORY_MAX);
    }
    return historyCharts[tag];
  }

  function onHistory(m) {
    $('history-interval').textContent = m.interval_s + ' s';
    const xs = m.t.map((t) => t / 1000);
    HISTORY_TAGS.forEach((tag) => { if (m.series[tag]) historyChart(tag).set(xs, [m.series[tag]]); });
  }

  function onHistoryPoint(m) {
    $('history-interval').textContent = m.interval_s + ' s';
    HISTORY_TAGS.forEach((tag) => { if (tag in m.values) historyChart(tag).push(m.t / 1000, [m.values[tag]]); });
  }

  let lastPpoUpdate = -1;
  function showPpo(t, p) {
    if (!p) return;
    $('ppo-update').textContent = p.update + ' (v' + p.version + ')';
    $('ppo-value-loss').textContent = sig(p.value_loss);
    $('ppo-value-mean').textContent = sig(p.value_mean);
    $('ppo-return-mean').textContent = sig(p.return_mean);
    $('ppo-adv-std').textContent = sig(p.adv_std_raw);
    $('ppo-grad-norm').textContent = sig(p.grad_norm);
    $('ppo-clip-frac').textContent = fmt(p.clip_frac, 3);
    $('ppo-kl').textContent = sig(p.approx_kl);
    $('ppo-reward-scale').textContent = sig(p.reward_scale);
    $('ppo-ent-coef').textContent = sig(p.ent_coef);
    $('ppo-entropy').textContent = p.entropy ? 'entropy per part: ' + PARTS.map(([key, name]) =>
      name + ' ' + fmt(p.entropy[key], 2)).join(' · ') : '';
    if (p.update !== lastPpoUpdate) {
      charts.ppo.push(t, [p.value_mean, p.return_mean, p.approx_kl]);
      lastPpoUpdate = p.update;
    }
  }

  function showWorld(t, w) {
    if (!w) return;
    $('world-rooms').textContent = w.rooms_total ? w.rooms_visited + ' / ' + w.rooms_total : '–';
    $('world-stall').textContent = w.longest_stall_s == null ? '–' : fmt(w.longest_stall_s / 60, 1) + ' min';
    $('cells').textContent = w.cells_visited;
    $('cells-visited').textContent = w.cells_visited;
    $('cells-floor').textContent = w.floor_cells;
    $('cells-minute').textContent = w.cells_last_minute;
    $('world-map').textContent = w.map;
    charts.world.push(t, [w.cells_visited, w.cells_last_minute]);
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

  function onExpected(m) {
    $('expected').src = m.image;
    $('expected-version').textContent = '(decoder v' + m.decoder_version + ')';
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
  $('redeploy-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const extra = { target: $('redeploy-target').value };
    const model = {};
    const preset = $('redeploy-preset').value.trim();
    if (preset) model.preset = preset;
    const words = $('redeploy-overrides').value.trim().split(/\s+/).filter((w) => w);
    for (const w of words) {
      const eq = w.indexOf('=');
      if (eq < 1) {
        notice('redeploy: overrides are key=value words, e.g. vae.lr=0.0003', true);
        return;
      }
      model.overrides = model.overrides || {};
      model.overrides[w.slice(0, eq)] = w.slice(eq + 1);
    }
    if (Object.keys(model).length) extra.model = model;
    const from = $('redeploy-from').value.trim();
    if (from) extra.from = from;
    $('btn-redeploy').disabled = true;
    notice('redeploy: building ' + extra.target + '…', false);
    command('redeploy', extra).finally(() => { $('btn-redeploy').disabled = false; });
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
