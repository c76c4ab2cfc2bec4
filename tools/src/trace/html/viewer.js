// simsock trace viewer: draws the run in #trace-data (see model.rs for its
// shape) and lets the reader step through it. No network, no libraries.
(function () {
  'use strict';
  const D = JSON.parse(document.getElementById('trace-data').textContent);
  const SVGNS = 'http://www.w3.org/2000/svg';
  const KINDS = [['syn', 'SYN'], ['synack', 'SYN,ACK'], ['ack', 'ACK'], ['data', 'data'],
    ['fin', 'FIN'], ['rst', 'RST'], ['udp', 'UDP'], ['icmp', 'ICMP unreachable']];
  const STATES = ['LISTEN', 'SYN_SENT', 'SYN_RECEIVED', 'ESTABLISHED', 'FIN_WAIT_1',
    'CLOSE_WAIT', 'LAST_ACK', 'TIME_WAIT', 'CLOSED'];
  const ROW = 26, LEFT = 96, COL = 250, LANE = 120, LANE_GAP = 14;
  const LARGE_SCALE = 1.5;

  const state = { cur: 0, scale: 1, marked: [], hosts: new Set(D.nodes.map((_, i) => i)),
    kinds: new Set(KINDS.map((k) => k[0])), conn: '' };
  // Diagram elements of each event, filled while drawing.
  const ofEvent = D.events.map(() => []);
  const ys = D.layout.y;
  const nodeX = (n) => LEFT + 30 + n * COL + COL / 2;
  const lanesX = LEFT + 30 + D.nodes.length * COL + 20;
  const width = lanesX + D.lanes.length * (LANE + LANE_GAP) + 20;
  const height = D.layout.height;

  function svg(tag, attrs, text) {
    const e = document.createElementNS(SVGNS, tag);
    for (const k in attrs) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function html(tag, attrs, text) {
    const e = document.createElement(tag);
    for (const k in attrs) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    return e;
  }
  const qs = (s) => document.querySelector(s);
  const qsa = (s) => Array.from(document.querySelectorAll(s));

  // 0.020 s, 1.006 s, 0.000150 s: milliseconds unless the time needs more.
  function fmtTime(ns) {
    const digits = ns % 1000000 === 0 ? 3 : 6;
    return (ns / 1e9).toFixed(digits) + ' s';
  }
  function fmtSpan(ns) {
    if (ns >= 1e9) return +(ns / 1e9).toFixed(3) + ' s';
    if (ns >= 1e6) return +(ns / 1e6).toFixed(3) + ' ms';
    return +(ns / 1e3).toFixed(3) + ' µs';
  }
  const short = (text, n) => (text.length > n ? text.slice(0, n - 1) + '…' : text);

  function summary() {
    const p = qs('#summary');
    p.append(html('span', { class: D.passed ? 'pass' : 'fail' }, D.passed ? 'PASS' : 'FAIL'));
    p.append(` · seed ${D.seed} · ${D.events.length} events · ${D.packets.length} packets · ` +
      `${D.calls.length} calls · ended at ${fmtTime(D.end_ns)} · digest ${D.digest.slice(0, 16)}…`);
    qs('#foot').textContent = `Sequence and acknowledgment numbers: ${D.legend}. ` +
      'Payload bytes are zeros of the traced length; checksums are computed over them. ' +
      'Keys: ← → step, Home/End first/last. Written by simsock.';
  }

  // ---- the diagram ----
  function drawAxis(root) {
    let lastLabel = -1e9;
    for (const t of D.layout.ticks) {
      root.append(svg('line', { class: 'tick', x1: LEFT, x2: width, y1: t.y, y2: t.y }));
      if (t.y - lastLabel >= 14) {
        root.append(svg('text', { class: 'tick-label', x: LEFT - 6, y: t.y + 4, 'text-anchor': 'end' }, fmtTime(t.at_ns)));
        lastLabel = t.y;
      }
    }
    root.append(svg('line', { class: 'lifeline', x1: LEFT, x2: LEFT, y1: 40, y2: height }));
    root.append(svg('text', { class: 'tick-label', x: LEFT - 6, y: 30, 'text-anchor': 'end' }, 'time'));
  }
  function drawNodes(root) {
    D.nodes.forEach((n, i) => {
      const x = nodeX(i);
      const g = svg('g', { class: 'node', id: 'node-' + i, 'data-node': i });
      g.append(svg('line', { class: 'lifeline', x1: x, x2: x, y1: 44, y2: height }));
      g.append(svg('text', { class: 'node-name', x: x, y: 20, 'text-anchor': 'middle' }, n.name));
      g.append(svg('text', { class: 'addr', x: x, y: 36, 'text-anchor': 'middle' }, n.addrs.join(' ')));
      root.append(g);
    });
  }
  function drawBreaks(root) {
    for (const b of D.layout.breaks) {
      const g = svg('g', { class: 'break' });
      g.append(svg('rect', { x: LEFT + 1, y: b.y + 6, width: width - LEFT, height: b.height - 12 }));
      for (const dy of [6, b.height - 6]) {
        let d = `M${LEFT} ${b.y + dy}`;
        for (let x = LEFT; x < width; x += 16) d += ` l8 -5 l8 5`;
        g.append(svg('path', { d: d }));
      }
      g.append(svg('text', { x: LEFT + 8, y: b.y + b.height / 2 + 4 },
        `⋯ ${fmtSpan(b.to_ns - b.from_ns)} idle (${fmtTime(b.from_ns)} to ${fmtTime(b.to_ns)}) ⋯`));
      root.append(g);
    }
  }
  function drawFaults(root) {
    D.events.forEach((e, i) => {
      if (e.kind !== 'fault') return;
      const g = svg('g', { class: 'fault', id: 'ev-svg-' + i, 'data-ev': i });
      g.append(svg('line', { x1: LEFT, x2: width, y1: ys[i], y2: ys[i] }));
      g.append(svg('text', { x: LEFT + 6, y: ys[i] - 4 }, '⚡ ' + e.text));
      ofEvent[i].push(g);
      root.append(g);
    });
  }

  function drawPacket(root, p, id) {
    const x1 = nodeX(p.from), x2 = nodeX(p.to), y1 = ys[p.send];
    const endY = p.end === null ? y1 + 2 * ROW : ys[p.end];
    const cls = `packet k-${p.kind} ${p.fate.replace(' ', '')}`;
    const g = svg('g', { class: cls, id: 'pk-' + id, 'data-id': id, 'data-kind': p.kind,
      'data-conn': p.conn, tabindex: 0, role: 'button' });
    g.append(svg('title', {}, `${p.label} · ${p.fate}${p.reason ? ': ' + p.reason : ''} · click for its layers`));
    // A lost packet stops halfway; the others reach the far lifeline.
    const frac = p.fate === 'lost' || p.fate === 'in flight' ? 0.55 : 1;
    const xe = x1 + (x2 - x1) * frac, ye = y1 + (endY - y1) * frac;
    g.append(svg('line', { class: 'k-' + p.kind, x1: x1, y1: y1, x2: xe, y2: ye }));
    g.append(svg('line', { class: 'hit', x1: x1, y1: y1, x2: xe, y2: ye }));
    if (frac === 1 && p.fate === 'arrived' && p.discard === null) g.append(arrowHead(x1, y1, xe, ye, p.kind));
    if (p.fate !== 'arrived' || p.discard !== null) {
      if (p.fate !== 'in flight') g.append(cross(xe, ye));
    }
    const mx = (x1 + xe) / 2, my = (y1 + ye) / 2 - 5;
    const text = p.label + (p.cause ? ` (${p.cause})` : '') + (p.fate === 'arrived' ? '' : ` ✗ ${p.reason || p.fate}`);
    g.append(svg('text', { class: 'k-' + p.kind, x: mx, y: my, 'text-anchor': 'middle' }, short(text, 46)));
    g.addEventListener('click', () => { go(p.send); showPacket(id); });
    g.addEventListener('keydown', (ev) => { if (ev.key === 'Enter') { go(p.send); showPacket(id); } });
    for (const i of [p.send, p.end, p.discard]) if (i !== null) ofEvent[i].push(g);
    root.append(g);
  }
  function arrowHead(x1, y1, x2, y2, kind) {
    const a = Math.atan2(y2 - y1, x2 - x1), s = 9;
    const p = (da) => `${x2 - s * Math.cos(a + da)},${y2 - s * Math.sin(a + da)}`;
    return svg('polygon', { class: 'k-' + kind, points: `${x2},${y2} ${p(0.4)} ${p(-0.4)}` });
  }
  function cross(x, y) {
    return svg('path', { class: 'x', d: `M${x - 6} ${y - 6} L${x + 6} ${y + 6} M${x + 6} ${y - 6} L${x - 6} ${y + 6}` });
  }

  // [text, result, class of the result]; a call that returns at the same
  // instant shows only its return.
  function noteText(e) {
    const c = e.call === null ? null : D.calls[e.call];
    if (e.kind === 'return' && c) return [`${c.thread}: ${c.call} → `, c.result, c.failed ? 'err' : 'ok'];
    if (e.kind === 'call' && c) return [c.start_ns === c.end_ns ? '' : `${c.thread}: ${c.call} …`, '', ''];
    return [e.text, '', e.kind === 'drop' ? 'drop' : e.kind === 'complete' ? 'state' : ''];
  }
  function drawNotes(root) {
    D.events.forEach((e, i) => {
      const p = e.packet === null ? null : D.packets[e.packet];
      const drawn = p && [p.send, p.end, p.discard].includes(i);
      if (['send', 'state', 'tw_end', 'fault'].includes(e.kind) || drawn) return;
      const x = nodeX(e.node), y = ys[i];
      const g = svg('g', { class: 'note', id: 'ev-svg-' + i, 'data-ev': i, 'data-node': e.node });
      g.append(svg('circle', { cx: x, cy: y, r: 3.5 }));
      const [head, tail, cls] = noteText(e);
      const t = svg('text', { x: x + 8, y: y + 4 });
      t.append(svg('tspan', { class: tail ? '' : cls }, short(head, 52)));
      if (tail) t.append(svg('tspan', { class: cls }, tail));
      g.append(svg('title', {}, head ? head + tail : e.text));
      g.append(t);
      ofEvent[i].push(g);
      root.append(g);
    });
  }

  function drawLanes(root) {
    D.lanes.forEach((l, j) => {
      const x = lanesX + j * (LANE + LANE_GAP);
      const g = svg('g', { class: 'lane', id: 'lane-' + j, 'data-node': l.node, 'data-conn': l.conn });
      const port = l.local.split(':')[1];
      g.append(svg('text', { class: 'lane-title', x: x, y: 20 }, `${D.nodes[l.node].name} :${port}`));
      g.append(svg('text', { class: 'addr', x: x, y: 36 }, '→ ' + l.remote));
      l.states.forEach(([ev, name], k) => {
        const y0 = ys[ev];
        const next = k + 1 < l.states.length ? ys[l.states[k + 1][0]] : (l.ended !== null ? ys[l.ended] : height - ROW);
        const h = Math.max(name === 'CLOSED' ? 6 : 4, next - y0);
        const r = svg('rect', { class: 'state s-' + name, x: x, y: y0, width: LANE, height: h,
          'data-state': name, 'data-ev': ev, id: `lane-${j}-${k}` });
        r.append(svg('title', {}, `${name} from ${fmtTime(D.events[ev].t)}`));
        g.append(r);
        if (h >= 14) g.append(svg('text', { class: 'state-name', x: x + 4, y: y0 + 12 }, name));
        ofEvent[ev].push(r);
      });
      if (l.ended !== null) {
        const end = svg('line', { x1: x, x2: x + LANE, y1: ys[l.ended], y2: ys[l.ended], stroke: '#5b6470', 'stroke-width': 2, id: 'lane-end-' + j });
        g.append(end);
        ofEvent[l.ended].push(end);
      }
      root.append(g);
    });
  }

  function drawDiagram() {
    const root = svg('svg', { id: 'seq', viewBox: `0 0 ${width} ${height}`, width: width, height: height,
      role: 'img', 'aria-label': 'Sequence diagram of the run' });
    root.append(svg('rect', { class: 'cursor', id: 'cursor', x: 0, y: 0, width: width, height: ROW }));
    drawAxis(root);
    drawNodes(root);
    drawBreaks(root);
    drawLanes(root);
    drawFaults(root);
    D.packets.forEach((p, id) => drawPacket(root, p, id));
    drawNotes(root);
    qs('#diagram').append(root);
  }

  // ---- the lists ----
  function drawEvents() {
    const ol = qs('#events');
    D.events.forEach((e, i) => {
      const li = html('li', { id: 'ev-' + i, 'data-ev': i, class: 'ev-' + e.kind });
      li.append(html('span', { class: 't' }, fmtTime(e.t) + ' '));
      li.append(document.createTextNode(D.nodes[e.node].name + ' '));
      const failed = e.kind === 'return' && e.call !== null && D.calls[e.call].failed;
      const cls = e.kind === 'fault' ? 'fault' : failed || e.kind === 'drop' ? 'error' : '';
      li.append(html('span', { class: cls }, e.text));
      li.addEventListener('click', () => go(i));
      ol.append(li);
    });
  }
  function drawCalls() {
    const box = qs('#calls');
    const threads = new Map();
    D.calls.forEach((c, n) => {
      const key = c.host + ' · ' + c.thread;
      if (!threads.has(key)) threads.set(key, []);
      threads.get(key).push([c, n]);
    });
    for (const [key, calls] of threads) {
      const div = html('div', { class: 'thread' });
      div.append(html('h3', {}, key));
      const ol = html('ol', {});
      for (const [c, n] of calls) {
        const li = html('li', { class: 'call', id: 'call-' + n, 'data-ev': c.ev === null ? '' : c.ev });
        li.append(html('span', { class: 't' }, fmtTime(c.end_ns) + ' '));
        li.append(document.createTextNode(c.call + ' → '));
        li.append(html('span', { class: c.failed ? 'err' : 'ok' }, c.detail || c.result));
        if (c.why) li.append(html('span', { class: 'why' }, 'why: ' + c.why));
        if (c.failure) li.append(html('span', { class: 'failure' }, 'expected: ' + c.failure));
        if (c.ev !== null) li.addEventListener('click', () => go(c.ev));
        ol.append(li);
      }
      div.append(ol);
      box.append(div);
    }
  }

  function showPacket(id) {
    const p = D.packets[id];
    const box = qs('#details');
    box.replaceChildren();
    box.dataset.packet = id;
    const head = html('p', {}, `#${id + 1} ${D.nodes[p.from].name} → ${D.nodes[p.to].name} on ${p.link}: ` +
      `${p.label}, ${p.fate}${p.reason ? ' (' + p.reason + ')' : ''}` + (p.cause ? `; cause: ${p.cause}` : '') +
      (p.copies ? `; ${p.copies} duplicate(s)` : ''));
    box.append(head);
    const frame = html('details', { open: '' });
    frame.append(html('summary', {}, `Frame: ${p.bytes} bytes at ${fmtTime(D.events[p.send].t)}`));
    box.append(frame);
    for (const layer of p.layers) {
      const d = html('details', { open: '', class: 'layer' });
      d.append(html('summary', {}, layer.name));
      const table = html('table', {});
      for (const [k, v] of layer.fields) {
        const tr = html('tr', {});
        tr.append(html('td', {}, k), html('td', {}, v));
        table.append(tr);
      }
      d.append(table);
      box.append(d);
    }
  }

  // ---- stepping ----
  function visibleEvent(i) {
    const e = D.events[i];
    if (e.packet !== null) return packetVisible(D.packets[e.packet]);
    return state.hosts.has(e.node) && (!state.conn || e.conn === state.conn);
  }
  function packetVisible(p) {
    return (state.hosts.has(p.from) || state.hosts.has(p.to)) && state.kinds.has(p.kind) &&
      (!state.conn || p.conn === state.conn);
  }
  function go(i) {
    if (D.events.length === 0) return;
    state.cur = Math.max(0, Math.min(D.events.length - 1, i));
    for (const m of state.marked) m.classList.remove('current');
    const li = qs('#ev-' + state.cur);
    const call = qsa(`li.call[data-ev="${state.cur}"]`);
    state.marked = [li, ...ofEvent[state.cur], ...call];
    for (const m of state.marked) m.classList.add('current');
    qs('#cursor').setAttribute('y', ys[state.cur] - ROW / 2);
    const e = D.events[state.cur];
    qs('#position').textContent = `event ${state.cur + 1} of ${D.events.length} · ${fmtTime(e.t)}`;
    qs('#current').textContent = `${fmtTime(e.t)} ${D.nodes[e.node].name}: ${e.text}`;
    if (e.packet !== null) showPacket(e.packet);
    // Scroll the two panes, never the window: the controls stay in view.
    reveal(qs('#diagram-box'), ys[state.cur] * state.scale);
    reveal(qs('#events-box'), li.offsetTop);
  }
  function reveal(box, y) {
    if (y < box.scrollTop + 60 || y > box.scrollTop + box.clientHeight - 60) {
      box.scrollTop = Math.max(0, y - box.clientHeight / 2);
    }
  }
  function step(dir) {
    for (let i = state.cur + dir; i >= 0 && i < D.events.length; i += dir) {
      if (visibleEvent(i)) return go(i);
    }
  }

  // ---- filters and legend ----
  function drawFilters() {
    D.nodes.forEach((n, i) => qs('#f-hosts').append(checkbox('host-' + i, n.name, () => toggle(state.hosts, i))));
    for (const [k, name] of KINDS) {
      if (!D.packets.some((p) => p.kind === k)) continue;
      qs('#f-kinds').append(checkbox('kind-' + k, name, () => toggle(state.kinds, k), k));
    }
    const conns = [...new Set(D.packets.map((p) => p.conn).concat(D.lanes.map((l) => l.conn)))].sort();
    for (const c of conns) qs('#conn').append(html('option', { value: c }, c));
    qs('#conn').addEventListener('change', (ev) => { state.conn = ev.target.value; applyFilters(); });
  }
  function checkbox(id, text, onChange, swatch) {
    const label = html('label', { for: id });
    const box = html('input', { type: 'checkbox', id: id, checked: '' });
    box.addEventListener('change', () => { onChange(); applyFilters(); });
    label.append(box);
    if (swatch) label.append(html('span', { class: 'sw', style: `background: var(--${swatch})` }));
    label.append(text);
    return label;
  }
  function toggle(set, v) { if (set.has(v)) set.delete(v); else set.add(v); }
  function applyFilters() {
    D.packets.forEach((p, id) => qs('#pk-' + id).classList.toggle('hidden', !packetVisible(p)));
    qsa('#diagram g.note').forEach((g) => g.classList.toggle('hidden', !visibleEvent(+g.dataset.ev)));
    D.lanes.forEach((l, j) => qs('#lane-' + j).classList.toggle('hidden',
      !state.hosts.has(l.node) || (state.conn && l.conn !== state.conn)));
    D.events.forEach((_, i) => qs('#ev-' + i).classList.toggle('hidden', !visibleEvent(i)));
  }
  function drawLegend() {
    const box = qs('#legend');
    for (const [k, name] of KINDS) {
      if (!D.packets.some((p) => p.kind === k)) continue;
      const item = html('span', {});
      item.append(html('span', { class: 'sw', style: `background: var(--${k})` }), name);
      box.append(item);
    }
    const seen = new Set(D.lanes.flatMap((l) => l.states.map((s) => s[1])));
    for (const s of STATES.filter((s) => seen.has(s))) {
      const item = html('span', {});
      item.append(html('span', { class: 'sw s-' + s }), s);
      box.append(item);
    }
    const extra = [['var(--fault)', '⚡ fault'], ['var(--drop)', '✗ dropped'], ['var(--current)', 'current event']];
    for (const [c, name] of extra) {
      const item = html('span', {});
      item.append(html('span', { class: 'sw', style: 'background: ' + c }), name);
      box.append(item);
    }
  }

  function setLarge(on) {
    state.scale = on ? LARGE_SCALE : 1;
    document.body.classList.toggle('large', on);
    qs('#large').setAttribute('aria-pressed', on ? 'true' : 'false');
    const root = qs('#seq');
    root.setAttribute('width', width * state.scale);
    root.setAttribute('height', height * state.scale);
  }

  function bind() {
    qs('#first').addEventListener('click', () => go(0));
    qs('#prev').addEventListener('click', () => step(-1));
    qs('#next').addEventListener('click', () => step(1));
    qs('#last').addEventListener('click', () => go(D.events.length - 1));
    qs('#large').addEventListener('click', () => setLarge(state.scale === 1));
    qs('#print').addEventListener('click', () => window.print());
    document.addEventListener('keydown', (ev) => {
      if (['INPUT', 'SELECT', 'TEXTAREA'].includes(ev.target.tagName)) return;
      const keys = { ArrowRight: () => step(1), ArrowDown: () => step(1), ArrowLeft: () => step(-1),
        ArrowUp: () => step(-1), Home: () => go(0), End: () => go(D.events.length - 1) };
      if (keys[ev.key]) { ev.preventDefault(); keys[ev.key](); }
    });
  }

  // ---- test mode: #test=stepN ----
  function runTest(n) {
    const r = { packets: qsa('#diagram g.packet').length, calls: qsa('#calls li.call').length,
      events: qsa('#events li').length, faults: qsa('#diagram g.fault').length,
      breaks: qsa('#diagram g.break').length, failed_calls: qsa('#calls li.call .err').length,
      whys: qsa('#calls li.call .why').map((w) => w.textContent) };
    r.lanes = D.lanes.map((l, j) => ({ node: D.nodes[l.node].name, conn: l.conn,
      states: qsa(`#lane-${j} rect.state`).map((x) => x.dataset.state) }));
    go(0);
    r.start = state.cur;
    r.steps = [];
    for (let k = 0; k < n; k++) {
      if (k % 2 === 0) qs('#next').click();
      else document.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowRight', bubbles: true }));
      r.steps.push({ cur: state.cur, li: qs('#events li.current').id,
        svg: qsa('#diagram .current').map((e) => e.id) });
    }
    qs('#prev').click();
    r.back = state.cur;
    const g = qs('#diagram g.packet');
    if (g) {
      g.dispatchEvent(new MouseEvent('click', { bubbles: true }));
      r.clicked = +g.dataset.id;
      r.cur_after_click = state.cur;
      r.layers = qsa('#details summary').map((s) => s.textContent);
      r.fields = qsa('#details tr').map((tr) => [tr.cells[0].textContent, tr.cells[1].textContent]);
    }
    const kind = qs('#f-kinds input');
    if (kind) {
      kind.click();
      r.filtered_kind = kind.id.slice(5);
      r.visible_after_filter = qsa('#diagram g.packet:not(.hidden)').length;
      kind.click();
    }
    const host = qs('#f-hosts input');
    host.click();
    r.filtered_host = D.nodes[0].name;
    r.visible_without_host = qsa('#diagram g.packet:not(.hidden)').length;
    host.click();
    const select = qs('#conn');
    if (select.options.length > 1) {
      select.value = select.options[1].value;
      select.dispatchEvent(new Event('change'));
      r.filtered_conn = select.value;
      r.visible_in_conn = qsa('#diagram g.packet:not(.hidden)').length;
      r.lanes_in_conn = qsa('#diagram g.lane:not(.hidden)').length;
      select.value = '';
      select.dispatchEvent(new Event('change'));
    }
    const before = +qs('#seq').getAttribute('width');
    qs('#large').click();
    r.large = document.body.classList.contains('large') && +qs('#seq').getAttribute('width') > before;
    qs('#large').click();
    const out = qs('#test-result');
    out.textContent = JSON.stringify(r);
    out.dataset.done = '1';
  }

  summary();
  drawLegend();
  drawFilters();
  drawDiagram();
  drawEvents();
  drawCalls();
  bind();
  const hash = new URLSearchParams(location.hash.slice(1));
  go(hash.has('ev') ? +hash.get('ev') : 0);
  const test = /^step(\d+)$/.exec(hash.get('test') || '');
  if (test) runTest(+test[1]);
})();
