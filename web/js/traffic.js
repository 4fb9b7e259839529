// The traffic layer: one canvas drawn inside OpenLayers' frame (a Layer with
// a render function), so it pans and zooms with the base map. It draws trails
// coloured by altitude, history dots, speed vectors, symbols and labels
// placed without overlap (declutter.js) with leader lines. Kept by hand
// rather than as OpenLayers features because 5,000 tracks must draw in well
// under 100 ms and labels need our own placement and dragging.
import { S, trailPieces } from './store.js';
import { settings } from './settings.js';
import { altitudeOf, labelAlt, labelSpeed, trend, altBucket, bucketColour, ALT_BUCKETS } from './units.js';
import { placeLabels } from './declutter.js';

export const CLASS_COLOURS = {
  fixed_wing: '#4cc9f0', rotorcraft: '#90be6d', small_uav: '#c77dff', fast_mover: '#f9c74f', unknown: '#adb5bd',
};
export const CLASS_NAMES = {
  fixed_wing: 'fixed-wing', rotorcraft: 'rotorcraft', small_uav: 'small UAV', fast_mover: 'fast mover', unknown: 'unknown',
};
const CLASS_SHORT = { fixed_wing: 'FW', rotorcraft: 'HEL', small_uav: 'UAV', fast_mover: 'FST', unknown: 'UNK' };
const ALERT = '#ff3b4e';
const SPOOF = '#ff5cf4';  // Remote ID spoofing suspected (t.spoof: the reasons)
const FONT = '11px ui-monospace, "DejaVu Sans Mono", monospace', LINE = 12;

// Symbols pointing north, centred on the position.
const SHAPES = {
  fixed_wing: new Path2D('M0,-8 L1.6,-3 L8,1.5 L8,3 L1.4,1 L1,5.5 L3.5,7.5 L3.5,8.5 L0,7.5 L-3.5,8.5 L-3.5,7.5 L-1,5.5 L-1.4,1 L-8,3 L-8,1.5 L-1.6,-3 Z'),
  fast_mover: new Path2D('M0,-8 L6,6 L0,3.5 L-6,6 Z'),
  rotorcraft: new Path2D('M0,-4.5 A4.5,4.5 0 1,1 -0.01,-4.5 Z M-7,-7 L7,7 L6,8 L-8,-6 Z M7,-7 L-7,7 L-8,6 L6,-8 Z'),
  small_uav: new Path2D('M-6,-6 L6,6 M6,-6 L-6,6 M-6,-6 m-2,0 a2,2 0 1,0 4,0 a2,2 0 1,0 -4,0 M6,-6 m-2,0 a2,2 0 1,0 4,0 a2,2 0 1,0 -4,0 M-6,6 m-2,0 a2,2 0 1,0 4,0 a2,2 0 1,0 -4,0 M6,6 m-2,0 a2,2 0 1,0 4,0 a2,2 0 1,0 -4,0'),
  unknown: new Path2D('M-4.5,-4.5 L4.5,-4.5 L4.5,4.5 L-4.5,4.5 Z'),
};
const HOVER = new Path2D('M0,-6 L6,0 L0,6 L-6,0 Z');

export function trackLabel(t) {
  return t.cs || (t.sq ? `A${t.sq}` : t.hex ? t.hex.toUpperCase() : t.rid || `#${t.id}`);
}

export function labelLines(t, form) {
  const l1 = trackLabel(t) + (t.em ? ' EMG' : '') + (t.spoof ? ' SPOOF?' : '');
  if (form === 'compact') return [l1];
  return [l1, `${labelAlt(t, settings.units)}${trend(t.vr)} ${labelSpeed(t.gs, settings.units)}`,
    `${CLASS_SHORT[t.cls] || 'UNK'}${t.sq ? ' ' + t.sq : ''}${t.st === 'coasting' ? ' CST' : ''}`];
}

export function colourOf(t) {
  if (t.em || S.alerted.has(t.id)) return ALERT;
  if (t.spoof) return SPOOF;
  if (settings.colour === 'class') return CLASS_COLOURS[t.cls] || CLASS_COLOURS.unknown;
  return bucketColour(altBucket(altitudeOf(t).m));
}

export function createTrafficLayer(opts) {
  const canvas = document.createElement('canvas');
  canvas.style.cssText = 'position:absolute;left:0;top:0;width:100%;height:100%';
  const ctx = canvas.getContext('2d');
  ctx.font = FONT;
  const CW = ctx.measureText('MMMMMMMMMM').width / 10;
  const state = {
    visible: [], labels: [], hidden: 0, frameMs: 0, placeMs: 0, prev: new Map(), pinned: new Map(), W: 0, H: 0,
  };

  function render(frameState) {
    const t0 = performance.now();
    const [W, H] = frameState.size, pr = frameState.pixelRatio;
    if (canvas.width !== Math.round(W * pr) || canvas.height !== Math.round(H * pr)) {
      canvas.width = Math.round(W * pr); canvas.height = Math.round(H * pr);
    }
    state.W = W; state.H = H;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    ctx.setTransform(pr, 0, 0, pr, 0, 0);
    const T = frameState.coordinateToPixelTransform;
    const res = frameState.viewState.resolution;
    const px = (x, y) => T[0] * x + T[2] * y + T[4];
    const py = (x, y) => T[1] * x + T[3] * y + T[5];

    // Tracks that pass the filters, with their screen positions.
    const vis = [];
    for (const t of S.tracks.values()) {
      if (!opts.visible(t)) { t._px = undefined; continue; }
      const x = px(t._m[0], t._m[1]), y = py(t._m[0], t._m[1]);
      t._px = x; t._py = y;
      if (x < -80 || y < -80 || x > W + 80 || y > H + 80) continue;
      vis.push(t);
    }
    state.visible = vis;
    const sel = S.selected ? S.tracks.get(S.selected) : null;

    // Trails, one path per altitude colour.
    if (settings.trails !== 'off') {
      const paths = new Array(ALT_BUCKETS + 1);
      const addTrail = (t, since) => {
        const tr = S.trails.get(t.id);
        if (!tr || tr.length < 2) return;
        for (const piece of trailPieces(tr, since)) {
          let x0 = px(piece[0][0], piece[0][1]), y0 = py(piece[0][0], piece[0][1]);
          for (let i = 1; i < piece.length; i++) {
            const q = piece[i];
            const x1 = px(q[0], q[1]), y1 = py(q[0], q[1]);
            const b = altBucket(q[2]) + 1;
            const p = paths[b] || (paths[b] = new Path2D());
            p.moveTo(x0, y0); p.lineTo(x1, y1);
            x0 = x1; y0 = y1;
          }
        }
      };
      const since = S.time - settings.trailMin * 60;
      if (settings.trails === 'all') for (const t of vis) if (t !== sel) addTrail(t, since);
      if (sel && sel._px !== undefined) addTrail(sel, -Infinity);
      ctx.lineWidth = 1.6;
      ctx.globalAlpha = 0.85;
      for (let b = 0; b < paths.length; b++) {
        if (!paths[b]) continue;
        ctx.strokeStyle = bucketColour(b - 1);
        ctx.stroke(paths[b]);
      }
      ctx.globalAlpha = 1;
    }

    // History dots: earlier positions some 4 s of data time apart.
    // Over 1,500 aircraft in view no history dots and one-line labels: in such
    // a crowd they would only add ink (and time) to the frame.
    const crowd = vis.length > 1500;
    state.dots = 0;
    state.vectors = 0;
    if (settings.dots && !crowd) {
      ctx.fillStyle = 'rgba(224,230,237,0.55)';
      const dots = new Path2D();
      for (const t of vis) {
        const tr = S.trails.get(t.id);
        if (!tr) continue;
        let n = 0, lastT = Infinity;
        for (let i = tr.length - 2; i >= 0 && n < 6; i--) {
          const q = tr[i];
          if (lastT - q[3] < 3.5) continue;
          if (S.time - q[3] > 60) break;
          lastT = q[3]; n++; state.dots++;
          dots.rect(px(q[0], q[1]) - 1, py(q[0], q[1]) - 1, 2.2, 2.2);
        }
      }
      ctx.fill(dots);
    }

    // Remote ID operators: a dotted line from each drone to its operator
    // (the selected drone's in white) and a small square where the operator is.
    const ops = new Path2D(), opLines = new Path2D();
    let selOp = null;
    for (const t of vis) {
      if (!t._op) continue;
      const ox = px(t._op[0], t._op[1]), oy = py(t._op[0], t._op[1]);
      if (t === sel) selOp = [ox, oy];
      else { opLines.moveTo(t._px, t._py); opLines.lineTo(ox, oy); }
      ops.rect(ox - 3, oy - 3, 6, 6);
    }
    ctx.setLineDash([2, 3]);
    ctx.lineWidth = 1;
    ctx.strokeStyle = 'rgba(255,214,102,0.7)';
    ctx.stroke(opLines);
    if (selOp) {
      ctx.strokeStyle = '#ffffff';
      ctx.beginPath(); ctx.moveTo(sel._px, sel._py); ctx.lineTo(selOp[0], selOp[1]); ctx.stroke();
    }
    ctx.setLineDash([]);
    ctx.strokeStyle = '#ffd666'; ctx.lineWidth = 1.5;
    ctx.stroke(ops);

    // STCA pairs: a dashed line between the two tracks.
    ctx.setLineDash([5, 4]);
    ctx.strokeStyle = ALERT; ctx.lineWidth = 1.2;
    for (const a of S.alerts) {
      if (a.kind !== 'stca' || !a.tracks || a.tracks.length < 2) continue;
      const p = S.tracks.get(a.tracks[0]), q = S.tracks.get(a.tracks[1]);
      if (!p || !q || p._px === undefined || q._px === undefined) continue;
      ctx.beginPath(); ctx.moveTo(p._px, p._py); ctx.lineTo(q._px, q._py); ctx.stroke();
    }
    ctx.setLineDash([]);

    // Speed vectors and symbols, gathered into one path per colour and kind
    // (a few dozen fills and strokes instead of thousands).
    const vmin = Number(settings.vector) || 0;
    const dense = crowd;
    const vectors = new Map(), fills = new Map(), outlines = new Map(), rings = new Path2D();
    const get = (m, k) => m.get(k) || (m.set(k, new Path2D()), m.get(k));
    const m = new DOMMatrix();
    for (const t of vis) {
      const colour = colourOf(t);
      const x = t._px, y = t._py;
      const a = (t.trk || 0) * Math.PI / 180;
      const c = Math.cos(a), s = Math.sin(a);
      if (vmin > 0 && t.gs > 1) {
        const len = t.gs * 60 * vmin / Math.cos(t.lat * Math.PI / 180) / res;
        const v = get(vectors, colour);
        v.moveTo(x, y); v.lineTo(x + s * len, y - c * len);
        state.vectors++;
      }
      if (t.em || S.alerted.has(t.id) || t.spoof) { rings.moveTo(x + 12, y); rings.arc(x, y, 12, 0, 2 * Math.PI); }
      const hover = t.gs < 5 && t.cls !== 'rotorcraft' && t.cls !== 'small_uav';
      const shape = hover ? HOVER : SHAPES[t.cls] || SHAPES.unknown;
      const upright = t.cls === 'rotorcraft' || t.cls === 'small_uav' || hover;
      m.a = upright ? 1 : c; m.b = upright ? 0 : s; m.c = upright ? 0 : -s; m.d = upright ? 1 : c; m.e = x; m.f = y;
      get(t.cls === 'small_uav' || t.st === 'coasting' ? outlines : fills, colour).addPath(shape, m);
    }
    ctx.lineWidth = 1;
    for (const [colour, p] of vectors) { ctx.strokeStyle = colour; ctx.stroke(p); }
    ctx.strokeStyle = ALERT; ctx.lineWidth = 2; ctx.stroke(rings);
    ctx.lineWidth = 1.5;
    for (const [colour, p] of outlines) { ctx.strokeStyle = colour; ctx.stroke(p); }
    for (const [colour, p] of fills) {
      ctx.fillStyle = colour; ctx.fill(p);
      // A dark rim keeps symbols apart where they touch (not worth its cost in a crowd).
      if (!dense) { ctx.strokeStyle = 'rgba(0,0,0,0.6)'; ctx.lineWidth = 0.6; ctx.stroke(p); }
    }
    ctx.setTransform(pr, 0, 0, pr, 0, 0);

    // The selected track: a ring and its 2-sigma uncertainty ellipse.
    if (sel && sel._px !== undefined) {
      drawEllipse(ctx, sel, res);
      ctx.strokeStyle = '#ffffff'; ctx.lineWidth = 1.5;
      ctx.beginPath(); ctx.arc(sel._px, sel._py, 13, 0, 2 * Math.PI); ctx.stroke();
    }

    state.tSymbols = performance.now() - t0;
    // Labels.
    state.labels = [];
    state.hidden = 0;
    if (settings.labels !== 'off' && vis.length) {
      const tp = performance.now();
      const form = crowd ? 'compact' : settings.labels;
      const order = vis.slice().sort((p, q) => rank(p) - rank(q) || (p.id < q.id ? -1 : p.id > q.id ? 1 : 0));
      const items = [], text = new Map();
      for (const t of order) {
        if (t._px < 0 || t._py < 0 || t._px > W || t._py > H) continue;
        const lines = labelLines(t, form);
        text.set(t.id, lines);
        let n = 0;
        for (const l of lines) n = Math.max(n, l.length);
        const w = Math.ceil(n * CW) + 6, h = lines.length * LINE + 3;
        const cw = Math.ceil(lines[0].length * CW) + 6, ch = LINE + 3;
        const prev = state.prev.get(t.id);
        items.push({ id: t.id, x: t._px, y: t._py, w, h, cw, ch, pin: state.pinned.get(t.id) || null,
          prev: prev && !prev.compact && prev.w === w && prev.h === h ? [prev.dx, prev.dy] : null });
      }
      state.tItems = performance.now() - tp;
      const { placed, hidden } = placeLabels(items, vis.map((t) => ({ id: t.id, x: t._px, y: t._py })), W, H);
      state.hidden = hidden;
      state.prev = placed;
      state.tPlace = performance.now() - tp - state.tItems;
      ctx.font = FONT;
      ctx.textBaseline = 'top';
      for (const t of order) {
        const b = placed.get(t.id);
        if (!b) continue;
        const lines = b.compact ? text.get(t.id).slice(0, 1) : text.get(t.id);
        // Leader line from the symbol's edge to the nearest point of the box.
        const nx = Math.max(b.x, Math.min(t._px, b.x + b.w)), ny = Math.max(b.y, Math.min(t._py, b.y + b.h));
        const dx = nx - t._px, dy = ny - t._py, d = Math.hypot(dx, dy);
        const colour = colourOf(t);
        if (d > 11) {
          ctx.strokeStyle = 'rgba(200,210,225,0.7)'; ctx.lineWidth = 1;
          ctx.beginPath(); ctx.moveTo(t._px + dx / d * 9, t._py + dy / d * 9); ctx.lineTo(nx, ny); ctx.stroke();
        }
        ctx.fillStyle = 'rgba(13,27,42,0.72)';
        ctx.fillRect(b.x, b.y, b.w, b.h);
        if (t.id === S.selected || state.pinned.has(t.id)) {
          ctx.strokeStyle = t.id === S.selected ? '#ffffff' : 'rgba(200,210,225,0.6)'; ctx.lineWidth = 1;
          ctx.strokeRect(b.x + 0.5, b.y + 0.5, b.w - 1, b.h - 1);
        }
        for (let i = 0; i < lines.length; i++) {
          ctx.fillStyle = i === 0 ? (t.em || S.alerted.has(t.id) ? '#ff8f99' : '#f1f5f9') : i === 1 ? colour : '#a9bcd0';
          ctx.fillText(lines[i], b.x + 3, b.y + 2 + i * LINE);
        }
        state.labels.push({ id: t.id, x: b.x, y: b.y, w: b.w, h: b.h, compact: b.compact, dx: b.dx, dy: b.dy });
      }
      state.placeMs = performance.now() - tp;
    }
    state.frameMs = performance.now() - t0;
    return canvas;
  }

  function rank(t) {
    if (state.pinned.has(t.id)) return 0;
    if (t.id === S.selected) return 1;
    if (t.em || S.alerted.has(t.id)) return 2;
    return state.prev.has(t.id) ? 3 : 4;
  }

  const layer = new ol.layer.Layer({ render, zIndex: 50 });
  layer.trafficState = state;
  layer.trackAt = (x, y, radius = 14) => {
    let best = null, bestD = radius * radius;
    for (const t of state.visible) {
      const d = (t._px - x) ** 2 + (t._py - y) ** 2;
      if (d < bestD) { bestD = d; best = t; }
    }
    return best;
  };
  layer.labelAt = (x, y) => {
    for (let i = state.labels.length - 1; i >= 0; i--) {
      const b = state.labels[i];
      if (x >= b.x && x <= b.x + b.w && y >= b.y && y <= b.y + b.h) return b;
    }
    return null;
  };
  return layer;
}

function drawEllipse(ctx, t, res) {
  if (!Number.isFinite(t.sx) || !Number.isFinite(t.sy)) return;
  const a = t.sx * t.sx, d = t.sy * t.sy, b = (t.rho || 0) * t.sx * t.sy;
  const tr = (a + d) / 2, det = Math.sqrt(Math.max(0, (a - d) * (a - d) / 4 + b * b));
  const l1 = tr + det, l2 = Math.max(0, tr - det);
  const ang = Math.atan2(l1 - a, b || 1e-12);
  const mpp = res * Math.cos(t.lat * Math.PI / 180);
  ctx.beginPath();
  ctx.ellipse(t._px, t._py, Math.max(2, 2 * Math.sqrt(l1) / mpp), Math.max(2, 2 * Math.sqrt(l2) / mpp), -ang, 0, 2 * Math.PI);
  ctx.strokeStyle = 'rgba(255,255,255,0.8)'; ctx.lineWidth = 1; ctx.stroke();
}
