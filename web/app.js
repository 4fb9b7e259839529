// skyfuse live map: one canvas, Web Mercator, fed by the /ws picture stream
// (docs/api.md). No framework and no network beyond the skyfuse server: the
// base map is Natural Earth from the world-atlas package, served locally.
'use strict';

const CLASS_COLOURS = {
  fixed_wing: '#4cc9f0', rotorcraft: '#90be6d', small_uav: '#c77dff',
  fast_mover: '#f9c74f', unknown: '#adb5bd',
};
const CLASS_NAMES = {
  fixed_wing: 'fixed-wing', rotorcraft: 'rotorcraft', small_uav: 'small UAV',
  fast_mover: 'fast mover', unknown: 'unknown',
};
const FT = 0.3048, KT = 1852 / 3600, TRAIL = 40;

const S = {
  tracks: new Map(), trails: new Map(), sensors: [], zones: [], alerts: [],
  selected: null, detail: null, mode: 'live', first: 0, last: 0, time: 0, pictures: 0,
  view: { lon: 8.3, lat: 47.0, zoom: 7.3 }, land: null, drawMs: 0,
  classes: new Set(Object.keys(CLASS_COLOURS)), flmin: -10, flmax: 700,
};
const canvas = document.getElementById('map');
const ctx = canvas.getContext('2d');
const base = document.createElement('canvas');
let baseKey = '', frameQueued = false;

// ---- projection --------------------------------------------------------------
function worldSize() { return 256 * Math.pow(2, S.view.zoom); }
function mercX(lon) { return (lon + 180) / 360 * worldSize(); }
function mercY(lat) {
  const l = Math.max(-85, Math.min(85, lat)) * Math.PI / 180;
  return (1 - Math.log(Math.tan(Math.PI / 4 + l / 2)) / Math.PI) / 2 * worldSize();
}
function project(lon, lat) {
  return [mercX(lon) - mercX(S.view.lon) + canvas.width / 2,
          mercY(lat) - mercY(S.view.lat) + canvas.height / 2];
}
function unproject(x, y) {
  const wx = x - canvas.width / 2 + mercX(S.view.lon);
  const wy = y - canvas.height / 2 + mercY(S.view.lat);
  const lon = wx / worldSize() * 360 - 180;
  const n = Math.PI * (1 - 2 * wy / worldSize());
  return [lon, Math.atan(Math.sinh(n)) * 180 / Math.PI];
}
function metresPerPixel(lat) {
  return 40075016.686 * Math.cos(lat * Math.PI / 180) / worldSize();
}

// ---- drawing ------------------------------------------------------------------
function requestDraw() {
  if (frameQueued) return;
  frameQueued = true;
  requestAnimationFrame(() => { frameQueued = false; draw(); });
}

function ring(c, coords) {
  let prevLon = null;
  coords.forEach(([lon, lat], i) => {
    const [x, y] = project(lon, lat);
    if (i === 0 || Math.abs(lon - prevLon) > 180) c.moveTo(x, y); else c.lineTo(x, y);
    prevLon = lon;
  });
}

function drawBase() {
  const key = `${canvas.width}x${canvas.height}@${S.view.lon},${S.view.lat},${S.view.zoom},` +
              `${S.zones.length},${S.sensors.length},${document.getElementById('coverage').checked}`;
  if (key === baseKey) return;
  baseKey = key;
  base.width = canvas.width; base.height = canvas.height;
  const c = base.getContext('2d');
  c.fillStyle = '#0d1b2a'; c.fillRect(0, 0, base.width, base.height);
  if (S.land) {
    c.beginPath();
    for (const poly of S.land) for (const r of poly) ring(c, r);
    c.fillStyle = '#1a2c42'; c.fill('evenodd');
    c.strokeStyle = '#3a506b'; c.lineWidth = 0.8; c.stroke();
  }
  for (const z of S.zones) {
    c.beginPath();
    for (const poly of z.geometry.coordinates) for (const r of poly) ring(c, r);
    const airport = z.properties.kind === 'airport';
    c.fillStyle = airport ? 'rgba(199,125,255,0.12)' : 'rgba(230,57,70,0.12)';
    c.strokeStyle = airport ? '#c77dff' : '#e63946';
    c.setLineDash([6, 4]); c.lineWidth = 1.2; c.fill('evenodd'); c.stroke(); c.setLineDash([]);
    const [x, y] = project(...z.geometry.coordinates[0][0][0]);
    c.fillStyle = c.strokeStyle; c.font = '11px system-ui'; c.fillText(z.properties.name, x + 3, y - 3);
  }
  const coverage = document.getElementById('coverage').checked;
  for (const s of S.sensors) {
    const [x, y] = project(s.lon, s.lat);
    if (coverage && s.max_range_m > 0) {
      c.beginPath();
      c.arc(x, y, s.max_range_m / metresPerPixel(s.lat), 0, 2 * Math.PI);
      c.strokeStyle = 'rgba(169,188,208,0.25)'; c.lineWidth = 1; c.stroke();
    }
    c.fillStyle = s.state === 'disconnected' ? '#f28482' : '#e9c46a';
    c.fillRect(x - 3.5, y - 3.5, 7, 7);
    c.font = '10px system-ui'; c.fillText(s.name, x + 6, y + 3);
  }
}

function visible(t) {
  if (!S.classes.has(t.cls)) return false;
  const fl = t.alt / FT / 100;
  return fl >= S.flmin && fl <= S.flmax;
}

function label(t) {
  return t.cs || (t.sq ? `A${t.sq}` : t.hex || t.rid || `#${t.id}`);
}

function alertedIds() {
  const ids = new Set();
  for (const a of S.alerts) for (const id of a.tracks) ids.add(id);
  return ids;
}

function drawEllipse(t, x, y) {
  // 2-sigma horizontal uncertainty ellipse from sigma east/north and correlation.
  const a = t.sx * t.sx, d = t.sy * t.sy, b = t.rho * t.sx * t.sy;
  const tr = (a + d) / 2, det = Math.sqrt(Math.max(0, (a - d) * (a - d) / 4 + b * b));
  const l1 = tr + det, l2 = Math.max(0, tr - det);
  const ang = Math.atan2(l1 - a, b || 1e-12);  // major axis from east, towards north
  const mpp = metresPerPixel(t.lat);
  ctx.beginPath();
  ctx.ellipse(x, y, Math.max(2, 2 * Math.sqrt(l1) / mpp), Math.max(2, 2 * Math.sqrt(l2) / mpp),
              -ang, 0, 2 * Math.PI);
  ctx.strokeStyle = '#ffffff'; ctx.lineWidth = 1; ctx.stroke();
}

function draw() {
  const t0 = performance.now();
  drawBase();
  ctx.drawImage(base, 0, 0);
  const alerted = alertedIds();
  const showLabels = document.getElementById('labels').checked;
  const showTrails = document.getElementById('trails').checked;
  const W = canvas.width, H = canvas.height;
  ctx.font = '10px system-ui';
  for (const t of S.tracks.values()) {
    if (!visible(t)) continue;
    const [x, y] = project(t.lon, t.lat);
    t._x = x; t._y = y;
    if (x < -50 || y < -50 || x > W + 50 || y > H + 50) continue;
    const colour = t.em || alerted.has(t.id) ? '#e63946' : CLASS_COLOURS[t.cls] || '#adb5bd';
    if (showTrails) {
      const tr = S.trails.get(t.id);
      if (tr && tr.length > 1) {
        ctx.beginPath();
        tr.forEach(([lon, lat], i) => { const [px, py] = project(lon, lat); i ? ctx.lineTo(px, py) : ctx.moveTo(px, py); });
        ctx.strokeStyle = colour + '80'; ctx.lineWidth = 1; ctx.stroke();
      }
    }
    // Heading symbol: a chevron along the ground track; a diamond when hovering.
    ctx.save();
    ctx.translate(x, y);
    ctx.fillStyle = colour;
    ctx.beginPath();
    if (t.gs < 5) {
      ctx.moveTo(0, -5); ctx.lineTo(5, 0); ctx.lineTo(0, 5); ctx.lineTo(-5, 0);
    } else {
      ctx.rotate(t.trk * Math.PI / 180);
      ctx.moveTo(0, -7); ctx.lineTo(5, 6); ctx.lineTo(0, 3); ctx.lineTo(-5, 6);
    }
    ctx.closePath(); ctx.fill();
    ctx.restore();
    if (t.st === 'coasting') { ctx.strokeStyle = colour; ctx.strokeRect(x - 8, y - 8, 16, 16); }
    if (showLabels) {
      ctx.fillStyle = '#e0e6ed';
      ctx.fillText(label(t), x + 9, y - 2);
      ctx.fillStyle = '#a9bcd0';
      ctx.fillText(`${String(Math.round(t.alt / FT / 100)).padStart(3, '0')} ${Math.round(t.gs / KT)}`, x + 9, y + 9);
    }
  }
  const sel = S.selected && S.tracks.get(S.selected);
  if (sel) {
    if (S.detail && S.detail.history) {
      ctx.beginPath();
      S.detail.history.forEach(([, lat, lon], i) => { const [px, py] = project(lon, lat); i ? ctx.lineTo(px, py) : ctx.moveTo(px, py); });
      ctx.strokeStyle = '#ffffffa0'; ctx.lineWidth = 1.5; ctx.stroke();
    }
    const [x, y] = project(sel.lon, sel.lat);
    drawEllipse(sel, x, y);
    ctx.strokeStyle = '#ffffff'; ctx.lineWidth = 1.5;
    ctx.beginPath(); ctx.arc(x, y, 12, 0, 2 * Math.PI); ctx.stroke();
  }
  S.drawMs = performance.now() - t0;
}

// ---- picture stream -----------------------------------------------------------
function applyPicture(p) {
  S.pictures++;
  S.time = p.time; S.mode = p.mode || 'live'; S.first = p.first; S.last = p.last;
  const seen = new Set();
  for (const t of p.tracks) {
    seen.add(t.id);
    const prev = S.tracks.get(t.id);
    // Until the next frame is drawn the track stays where the screen shows it,
    // so a click between a picture and the next frame still finds it.
    if (prev) { t._x = prev._x; t._y = prev._y; }
    S.tracks.set(t.id, t);
    let tr = S.trails.get(t.id);
    if (!tr) { tr = []; S.trails.set(t.id, tr); }
    if (!prev || prev.lat !== t.lat || prev.lon !== t.lon) {
      tr.push([t.lon, t.lat]);
      if (tr.length > TRAIL) tr.shift();
    }
  }
  for (const id of [...S.tracks.keys()]) if (!seen.has(id)) { S.tracks.delete(id); S.trails.delete(id); }
  S.alerts = p.alerts || [];
  renderStatus(); renderAlerts();
  if (S.selected) {
    if (!S.tracks.has(S.selected)) select(null); else refreshDetail();
  }
  requestDraw();
}

function connect(delay = 500) {
  const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`);
  const conn = document.getElementById('conn');
  ws.onopen = () => { conn.textContent = 'live'; conn.className = 'up'; delay = 500; };
  ws.onmessage = (ev) => { try { applyPicture(JSON.parse(ev.data)); } catch (e) { console.error(e); } };
  ws.onclose = () => {
    conn.textContent = 'reconnecting'; conn.className = 'down';
    setTimeout(() => connect(Math.min(delay * 2, 10000)), delay);
  };
}

// ---- panels -------------------------------------------------------------------
function utc(t) { return t ? new Date(t * 1000).toISOString().slice(11, 19) + 'Z' : '--:--:--Z'; }

function renderStatus() {
  document.getElementById('clock').textContent = utc(S.time);
  document.getElementById('count').textContent = `${S.tracks.size} tracks`;
  const replay = document.getElementById('replay');
  replay.hidden = S.mode !== 'replay';
  if (S.mode === 'replay' && S.last > S.first && !sliderHeld) {
    document.getElementById('slider').value = Math.round(1000 * (S.time - S.first) / (S.last - S.first));
  }
}

function renderAlerts() {
  const ul = document.getElementById('alerts');
  document.getElementById('alert-count').textContent = S.alerts.length;
  ul.replaceChildren(...S.alerts.map((a) => {
    const li = document.createElement('li');
    li.className = a.kind;
    li.textContent = `${a.kind.toUpperCase()} ${a.detail}`;
    li.onclick = () => select(a.tracks[0]);
    return li;
  }));
}

async function refreshDetail() {
  const id = S.selected;
  try {
    const r = await fetch(`api/tracks/${encodeURIComponent(id)}`);
    if (!r.ok || S.selected !== id) return;
    S.detail = await r.json();
    renderDetail();
    requestDraw();
  } catch (e) { /* next picture retries */ }
}

function renderDetail() {
  const d = S.detail;
  const box = document.getElementById('detail');
  if (!d) { box.hidden = true; return; }
  box.hidden = false;
  document.getElementById('d-id').textContent = d.id;
  const pct = (v) => `${Math.round(v * 100)}%`;
  const rows = [
    ['Identity', [d.cs, d.hex && `ICAO ${d.hex}`, d.sq && `A${d.sq}`, d.rid && `RID ${d.rid}`].filter(Boolean).join(' · ') || 'anonymous'],
    ['Class', `${CLASS_NAMES[d.cls] || d.cls} (${pct(d.conf)})`],
    ['Status', d.st + (d.em ? ' · EMERGENCY' : '')],
    ['Position', `${d.lat.toFixed(5)}, ${d.lon.toFixed(5)}`],
    ['Altitude', `FL${Math.round(d.alt / FT / 100)} (${Math.round(d.alt)} m WGS-84)`],
    ['Velocity', `${Math.round(d.gs / KT)} kt, ${Math.round(d.trk)}°, ${Math.round(d.vr / FT * 60)} ft/min`],
    ['IMM mode', `CV ${pct(d.modes[0])} · CT ${pct(d.modes[1])} · CA ${pct(d.modes[2])}`],
    ['Uncertainty', `σ ${d.sx.toFixed(0)} m E, ${d.sy.toFixed(0)} m N (ellipse 2σ)`],
    ['Sensors', (d.sensor_names || []).join(', ') || '–'],
    ['Updates', `${d.updates} since ${utc(d.first_update)}`],
  ];
  const table = document.getElementById('d-table');
  table.replaceChildren(...rows.map(([k, v]) => {
    const tr = document.createElement('tr');
    const a = document.createElement('td'); a.textContent = k;
    const b = document.createElement('td'); b.textContent = v;
    tr.append(a, b);
    return tr;
  }));
}

function select(id) {
  S.selected = id;
  S.detail = null;
  if (id) refreshDetail(); else renderDetail();
  requestDraw();
}

// ---- interaction --------------------------------------------------------------
function resize() {
  const r = canvas.parentElement.getBoundingClientRect();
  canvas.width = Math.max(100, Math.floor(r.width));
  canvas.height = Math.max(100, Math.floor(r.height));
  requestDraw();
}

let drag = null, sliderHeld = false;
canvas.addEventListener('mousedown', (e) => { drag = { x: e.offsetX, y: e.offsetY, moved: false }; });
canvas.addEventListener('mousemove', (e) => {
  if (!drag) return;
  const dx = e.offsetX - drag.x, dy = e.offsetY - drag.y;
  if (Math.abs(dx) + Math.abs(dy) > 2) drag.moved = true;
  if (!drag.moved) return;
  const [lon, lat] = unproject(canvas.width / 2 - dx, canvas.height / 2 - dy);
  S.view.lon = lon; S.view.lat = lat;
  drag.x = e.offsetX; drag.y = e.offsetY;
  requestDraw();
});
canvas.addEventListener('mouseup', (e) => {
  const click = drag && !drag.moved;
  drag = null;
  if (!click) return;
  let best = null, bestD = 14 * 14;
  for (const t of S.tracks.values()) {
    if (!visible(t) || t._x === undefined) continue;
    const d = (t._x - e.offsetX) ** 2 + (t._y - e.offsetY) ** 2;
    if (d < bestD) { bestD = d; best = t.id; }
  }
  select(best);
});
canvas.addEventListener('wheel', (e) => {
  e.preventDefault();
  const [lon, lat] = unproject(e.offsetX, e.offsetY);
  S.view.zoom = Math.max(2, Math.min(14, S.view.zoom - Math.sign(e.deltaY) * 0.25));
  // Keep the point under the cursor fixed.
  const [x, y] = project(lon, lat);
  const [clon, clat] = unproject(canvas.width / 2 + (x - e.offsetX), canvas.height / 2 + (y - e.offsetY));
  S.view.lon = clon; S.view.lat = clat;
  requestDraw();
}, { passive: false });
window.addEventListener('resize', resize);
document.getElementById('d-close').onclick = () => select(null);
for (const id of ['labels', 'trails', 'coverage']) document.getElementById(id).onchange = requestDraw;
for (const id of ['flmin', 'flmax']) {
  document.getElementById(id).onchange = (e) => { S[id] = Number(e.target.value); requestDraw(); };
}
const classesBox = document.getElementById('classes');
for (const [cls, colour] of Object.entries(CLASS_COLOURS)) {
  const l = document.createElement('label');
  l.innerHTML = `<input type="checkbox" checked data-cls="${cls}"><span class="sw" style="background:${colour}"></span>${CLASS_NAMES[cls]}`;
  l.querySelector('input').onchange = (e) => {
    if (e.target.checked) S.classes.add(cls); else S.classes.delete(cls);
    requestDraw();
  };
  classesBox.append(l);
}
async function replayControl(body) {
  await fetch('api/replay', { method: 'POST', body: JSON.stringify(body) });
}
const slider = document.getElementById('slider');
slider.addEventListener('pointerdown', () => { sliderHeld = true; });
slider.addEventListener('change', () => {
  sliderHeld = false;
  replayControl({ seek: S.first + (S.last - S.first) * slider.value / 1000 });
});
document.getElementById('speed').onchange = (e) => replayControl({ speed: Number(e.target.value) });
document.getElementById('play').onclick = (e) => {
  const paused = e.target.dataset.paused === '1';
  e.target.dataset.paused = paused ? '0' : '1';
  e.target.innerHTML = paused ? '&#10073;&#10073;' : '&#9654;';
  replayControl({ pause: !paused });
};

// ---- start --------------------------------------------------------------------
async function loadStatic() {
  try {
    const world = await (await fetch('node_modules/world-atlas/countries-50m.json')).json();
    const fc = topojson.feature(world, world.objects.countries);
    S.land = fc.features.map((f) => (f.geometry.type === 'Polygon' ? [f.geometry.coordinates] : f.geometry.coordinates))
      .flat();
  } catch (e) { console.warn('base map unavailable', e); }
  await refreshSensors(true);
  try {
    S.zones = (await (await fetch('api/zones')).json()).features || [];
  } catch (e) { S.zones = []; }
  baseKey = '';
  requestDraw();
}
async function refreshSensors(centre) {
  try {
    S.sensors = (await (await fetch('api/sensors')).json()).sensors || [];
    if (centre && S.sensors.length) {
      S.view.lon = S.sensors[0].lon; S.view.lat = S.sensors[0].lat;
    }
    baseKey = '';
    requestDraw();
  } catch (e) { /* retried */ }
}

// Hooks for tests and for a console user.
window.skyfuse = {
  trackCount: () => S.tracks.size,
  pictures: () => S.pictures,
  tracks: () => [...S.tracks.values()].map((t) => ({ id: t.id, lat: t.lat, lon: t.lon, x: t._x, y: t._y, cls: t.cls })),
  selected: () => S.selected,
  detail: () => S.detail,
  drawMs: () => S.drawMs,
  view: S.view,
  select,
  redraw: () => { baseKey = ''; draw(); return S.drawMs; },
  inject: applyPicture,
};

resize();
loadStatic();
setInterval(() => refreshSensors(false), 10000);
connect();
