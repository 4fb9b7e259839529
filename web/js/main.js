// skyfuse map: OpenLayers (npm `ol`, its full build served from
// node_modules) with Natural Earth underneath, fed by the /ws picture stream
// (docs/api.md). Nothing is fetched beyond the skyfuse server unless the
// operator configures map layers.
import { S, onChange, applyPicture, connect, loadHistory, refreshSensors, refreshZones, refreshInfo, resetTrails } from './store.js';
import { settings, save, saveNow, reset, applyPreset } from './settings.js';
import { createTrafficLayer, CLASS_COLOURS, CLASS_NAMES, trackLabel } from './traffic.js';
import { createBaseLayers, createZoneLayer, createOverlayLayers, updateZones, updateRings, updateCoverage, updateOutlines,
  addOperatorLayers, registry, applyVisibility, homeSensor, sensorMarks, overlayState } from './layers.js';
import { createTable } from './table.js';
import { altitudeOf, fmtAlt, fmtSpeed, fmtVr, fmtDist, utc, legendGradient, UNITS, FT, distBearing } from './units.js';
import { overlaps } from './declutter.js';

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);

// ---- the map -----------------------------------------------------------------
const view = new ol.View({ center: ol.proj.fromLonLat([8.3, 47.0]), zoom: 7.3, minZoom: 2, maxZoom: 17, enableRotation: false, constrainResolution: false });
const scale = new ol.control.ScaleLine({ units: 'nautical', bar: false, minWidth: 90 });
const map = new ol.Map({
  target: 'map', view,
  controls: ol.control.defaults.defaults({ rotate: false, attributionOptions: { collapsible: true } }).extend([scale]),
  keyboardEventTarget: document,
});
createBaseLayers(map);
createZoneLayer(map);
createOverlayLayers(map);

// Filters: class, flight level band, search. The header counts follow them.
let searchText = '';
function matchesSearch(t) {
  if (!searchText) return true;
  const q = searchText;
  return [t.cs, t.hex, t.sq, t.reg, t.typ, t.rid, t.id].some((v) => v && String(v).toLowerCase().includes(q));
}
const classes = new Set(settings.classes || Object.keys(CLASS_COLOURS));
function visible(t) {
  if (!classes.has(t.cls || 'unknown')) return false;
  const fl = altitudeOf(t).fl;
  if (Number.isFinite(fl) && (fl < settings.flmin || fl > settings.flmax)) return false;
  return matchesSearch(t);
}
const traffic = createTrafficLayer({ visible });
map.addLayer(traffic);
const redraw = () => traffic.changed();

// The range and bearing tool: click two points (or drag); Esc ends it.
const measureSource = new ol.source.Vector();
function measureText(geom) {
  const c = geom.getCoordinates();
  if (c.length < 2) return '';
  const a = ol.proj.toLonLat(c[0]), b = ol.proj.toLonLat(c[c.length - 1]);
  const [d, brg] = distBearing(a[0], a[1], b[0], b[1]);
  const back = distBearing(b[0], b[1], a[0], a[1])[1];
  return `${fmtDist(d, settings.units, 1)}  ${String(Math.round(brg) % 360).padStart(3, '0')}°/${String(Math.round(back) % 360).padStart(3, '0')}°`;
}
const measureStyle = (f) => [
  new ol.style.Style({ stroke: new ol.style.Stroke({ color: '#ffe29a', width: 1.6, lineDash: [8, 4] }) }),
  new ol.style.Style({
    geometry: (g) => new ol.geom.Point(g.getGeometry().getLastCoordinate()),
    text: new ol.style.Text({ text: measureText(f.getGeometry()), font: '12px ui-monospace, monospace', offsetY: -14,
      fill: new ol.style.Fill({ color: '#ffe29a' }), stroke: new ol.style.Stroke({ color: '#0b2236', width: 3 }) }),
    image: new ol.style.Circle({ radius: 3, fill: new ol.style.Fill({ color: '#ffe29a' }) }),
  }),
];
map.addLayer(new ol.layer.Vector({ source: measureSource, style: measureStyle, zIndex: 60 }));
let draw = null;
function rangeTool(on = !draw) {
  if (draw) { map.removeInteraction(draw); draw = null; }
  $('tool-range').classList.toggle('on', on);
  $('map').classList.toggle('tool', on);
  if (!on) { measureSource.clear(); return; }
  draw = new ol.interaction.Draw({ source: measureSource, type: 'LineString', maxPoints: 2, style: measureStyle });
  draw.on('drawstart', () => measureSource.clear());
  map.addInteraction(draw);
}
$('tool-range').onclick = () => rangeTool();

// Labels can be dragged (a Pointer interaction that takes the gesture only
// when it starts on a label); a double click puts a label back.
let dragging = null;
map.addInteraction(new ol.interaction.Pointer({
  handleDownEvent(e) {
    if (draw) return false;
    const b = traffic.labelAt(e.pixel[0], e.pixel[1]);
    if (!b) return false;
    dragging = { id: b.id, x: e.pixel[0], y: e.pixel[1], dx: b.dx, dy: b.dy, moved: false };
    return true;
  },
  handleDragEvent(e) {
    if (!dragging) return;
    dragging.moved = true;
    traffic.trafficState.pinned.set(dragging.id, [dragging.dx + e.pixel[0] - dragging.x, dragging.dy + e.pixel[1] - dragging.y]);
    redraw();
  },
  handleUpEvent() {
    if (dragging && !dragging.moved) select(dragging.id);
    dragging = null;
    return false;
  },
}));
map.on('dblclick', (e) => {
  const b = traffic.labelAt(e.pixel[0], e.pixel[1]);
  if (b) { traffic.trafficState.pinned.delete(b.id); redraw(); e.preventDefault(); return false; }
  return true;
});
map.on('singleclick', (e) => {
  if (draw) return;
  const t = traffic.trackAt(e.pixel[0], e.pixel[1]);
  const b = t ? null : traffic.labelAt(e.pixel[0], e.pixel[1]);
  select(t ? t.id : b ? b.id : null);
});
map.on('pointermove', (e) => {
  if (e.dragging) return;
  const hit = traffic.trackAt(e.pixel[0], e.pixel[1]) || traffic.labelAt(e.pixel[0], e.pixel[1]);
  map.getTargetElement().style.cursor = draw ? 'crosshair' : hit ? 'pointer' : '';
});

// ---- selection and the detail panel -----------------------------------------
let follow = false;
function select(id, centre = false) {
  if (id && !S.tracks.has(id)) id = null;
  S.selected = id;
  S.detail = null;
  if (!id) follow = false;
  $('d-follow').classList.toggle('on', follow);
  if (id) {
    refreshDetail();
    showTab('detail', false);
    if (centre) view.animate({ center: S.tracks.get(id)._m, duration: 250 });
  }
  renderDetail();
  renderTable('scroll');
  syncUrl();
  redraw();
}
async function refreshDetail() {
  const id = S.selected;
  try {
    const r = await fetch(`api/tracks/${encodeURIComponent(id)}`);
    if (!r.ok || S.selected !== id) return;
    S.detail = await r.json();
    // The server's history fills the selected trail back to its start.
    const tr = S.trails.get(id);
    if (tr && Array.isArray(S.detail.history)) {
      const first = tr.length ? tr[0][3] : Infinity;
      const old = S.detail.history.filter((q) => q[0] < first && q[0] <= S.time).map((q) => {
        const m = ol.proj.fromLonLat([q[2], q[1]]);
        return [m[0], m[1], Number.isFinite(q[4]) ? q[4] * 100 * FT : q[3], q[0]];
      });
      if (old.length) S.trails.set(id, old.concat(tr));
    }
    renderDetail();
    redraw();
  } catch (e) { /* the next picture retries */ }
}
function renderDetail() {
  const t = S.selected && S.tracks.get(S.selected);
  $('detail').hidden = !t;
  $('d-none').hidden = !!t;
  if (!t) return;
  const d = { ...t, ...(S.detail && S.detail.id === t.id ? { sensor_names: S.detail.sensor_names, first_update: S.detail.first_update, updates: S.detail.updates } : {}) };
  $('d-title').textContent = `${trackLabel(t)} · track ${t.id}`;
  const pct = (v) => `${Math.round(v * 100)}%`;
  const a = altitudeOf(t);
  const home = homeSensor();
  const [dist, brg] = home ? distBearing(home.lon, home.lat, t.lon, t.lat) : [NaN, NaN];
  const rows = [
    ['Identity', [t.cs, t.hex && `ICAO ${t.hex.toUpperCase()}`, t.reg, t.typ, t.sq && `squawk ${t.sq}`, t.rid && `RID ${t.rid}`].filter(Boolean).join(' · ') || 'anonymous'],
    ['Class', `${CLASS_NAMES[t.cls] || t.cls} (${pct(t.conf || 0)})`],
    ['Status', (t.st || '') + (t.em ? ' · EMERGENCY' : '') + (S.alerted.has(t.id) ? ' · ALERT' : '')],
    [a.baro ? 'Flight level' : 'Height', a.baro ? `${fmtAlt(t, settings.units)} (pressure altitude)` : `${fmtAlt(t, settings.units)} geometric (WGS-84), no pressure altitude`, a.baro ? '' : 'geo'],
    ['Geometric', Number.isFinite(t.alt) ? `${Math.round(t.alt / UNITS[settings.units].altM).toLocaleString('en-US')} ${UNITS[settings.units].alt} WGS-84` : '–'],
    ['Speed', `${fmtSpeed(t.gs, settings.units)}, track ${Math.round(t.trk || 0)}°, ${fmtVr(t.vr, settings.units)}`],
    ['Position', `${t.lat.toFixed(5)}, ${t.lon.toFixed(5)}`],
    ...(t.spoof ? [['Remote ID', `SPOOFING SUSPECTED: ${t.spoof.map((r) => r.replaceAll('_', ' ')).join(', ')} (confidence ${pct(t.spoof_conf || 0)})`, 'spoof']] : []),
    ...(t.op ? [['Operator', `${t.op[0].toFixed(5)}, ${t.op[1].toFixed(5)} · ${fmtDist(distBearing(t.op[1], t.op[0], t.lon, t.lat)[0], settings.units)} from the drone`]] : []),
    ['From ' + (home ? home.name : 'home'), Number.isFinite(dist) ? `${fmtDist(dist, settings.units)} at ${Math.round(brg)}°` : '–'],
    ['IMM mode', t.modes ? `CV ${pct(t.modes[0])} · CT ${pct(t.modes[1])} · CA ${pct(t.modes[2])}` : '–'],
    ['Uncertainty', Number.isFinite(t.sx) ? `σ ${t.sx.toFixed(0)} m E, ${t.sy.toFixed(0)} m N (ellipse 2σ)` : '–'],
    ['Sensors', (d.sensor_names || []).join(', ') || (t.sen || []).map((id) => (S.sensors.find((s) => s.id === id) || { name: id }).name).join(', ') || '–'],
    ['Updates', d.updates ? `${d.updates} since ${utc(d.first_update)}` : '–'],
    ['Last update', `${utc(t.t)} (${Math.max(0, S.time - (t.t ?? S.time)).toFixed(1)} s ago)`],
  ];
  $('d-table').replaceChildren(...rows.map(([k, v, cls]) => {
    const tr = document.createElement('tr');
    const x = document.createElement('td'); x.textContent = k;
    const y = document.createElement('td'); y.textContent = v;
    if (cls) y.className = cls;
    tr.append(x, y);
    return tr;
  }));
}
$('d-close').onclick = () => select(null);
$('d-follow').onclick = () => { follow = !follow; $('d-follow').classList.toggle('on', follow); if (follow) centreSelected(); };
function centreSelected() {
  const t = S.selected && S.tracks.get(S.selected);
  if (t) view.setCenter(t._m);
}

// ---- panels --------------------------------------------------------------------
function showTab(name, open = true) {
  for (const b of document.querySelectorAll('#tabs button')) b.classList.toggle('on', b.dataset.tab === name);
  for (const s of document.querySelectorAll('.tab')) s.classList.toggle('on', s.id === `tab-${name}`);
  settings.tab = name; save();
  if (open && !settings.panel) togglePanel(true);
}
for (const b of document.querySelectorAll('#tabs button')) b.onclick = () => showTab(b.dataset.tab);
function togglePanel(on = !settings.panel) {
  settings.panel = on; save();
  document.body.classList.toggle('noside', !on);
  $('btn-panel').classList.toggle('on', on);
  setTimeout(() => map.updateSize(), 0);
}
$('btn-panel').onclick = () => togglePanel();

const table = createTable({
  onSelect: (id) => select(id, true),
  rowsOf: { rows: () => [...S.tracks.values()].filter(visible), home: homeSensor },
});
let tableTimer = 0, tableList = [];
function renderTable(force) {
  if (!settings.panel && !force) return;
  tableList = table.render(force) || tableList;
}
function scheduleTable() {
  if (tableTimer) return;
  tableTimer = setTimeout(() => { tableTimer = 0; renderTable(); }, 400);
}

function renderStatus() {
  $('clock').textContent = utc(S.time);
  let shown = 0;
  for (const t of S.tracks.values()) if (visible(t)) shown++;
  $('count').textContent = `${shown} / ${S.tracks.size} aircraft`;
  const mode = (S.info && S.info.mode) || S.mode;
  const replay = mode === 'replay';
  $('mode').textContent = replay ? `REPLAY ${S.speed ? S.speed + 'x' : 'max'}` : 'LIVE';
  $('mode').className = `badge ${replay ? 'replay' : 'live'}`;
  document.body.classList.toggle('replay', replay);
  $('replay').hidden = !replay;
  if (replay) renderSlider();
  const n = S.alerts.length;
  $('alert-badge').hidden = n === 0;
  $('alert-badge').textContent = `${n} alert${n === 1 ? '' : 's'}`;
  $('alert-count').textContent = n;
}
$('alert-badge').onclick = () => showTab('alerts');

function renderAlerts() {
  $('alerts-none').hidden = S.alerts.length > 0;
  $('alerts').replaceChildren(...S.alerts.map((a) => {
    const li = document.createElement('li');
    li.className = a.kind;
    li.textContent = `${a.kind.toUpperCase()} ${a.detail}`;
    li.onclick = () => select(a.tracks && a.tracks[0], true);
    return li;
  }));
}

function renderLegend() {
  $('legend-bar').style.background = legendGradient();
  const metric = settings.units === 'metric';
  const ticks = metric ? [[0, '0'], [3048, '3k'], [6096, '6k'], [9144, '9k'], [12192, '12k m']] : [[0, '0'], [10000, 'FL100'], [20000, '200'], [30000, '300'], [40000, '400']];
  $('legend-ticks').replaceChildren(...ticks.map(([v, txt]) => {
    const s = document.createElement('span');
    s.style.left = `${(metric ? v / FT : v) / 45000 * 100}%`;
    s.textContent = txt;
    return s;
  }));
  let baro = 0, geo = 0;
  for (const t of S.tracks.values()) (altitudeOf(t).baro ? baro++ : geo++);
  const el = $('alt-source');
  el.className = baro && !geo ? 'fl' : '';
  el.textContent = !S.tracks.size ? '' : !baro ? 'no pressure altitude: geometric height shown (g)'
    : geo ? `${geo} without pressure altitude: geometric (g)` : 'flight levels from pressure altitude';
  $('legend').style.display = settings.trails === 'off' && settings.colour !== 'altitude' ? 'none' : '';
}

// ---- replay controls ---------------------------------------------------------------
let sliderHeld = false;
function renderSlider() {
  if (!(S.last > S.first)) return;
  const f = (S.time - S.first) / (S.last - S.first);
  if (!sliderHeld) $('slider').value = Math.round(1000 * Math.max(0, Math.min(1, f)));
  const shown = sliderHeld ? S.first + (S.last - S.first) * $('slider').value / 1000 : S.time;
  $('slider-now').textContent = utc(shown);
  $('slider-now').style.left = `${100 * (sliderHeld ? $('slider').value / 1000 : f)}%`;
  if (document.activeElement !== $('speed') && S.speed) {
    const opts = [...$('speed').options].map((o) => Number(o.value));
    $('speed').value = String(opts.reduce((b, v) => (Math.abs(v - S.speed) < Math.abs(b - S.speed) ? v : b), opts[0]));
  }
  $('replay-start').textContent = utc(S.first);
  $('replay-end').textContent = utc(S.last);
  const key = `${S.first}|${S.last}`;
  if ($('slider-ticks').dataset.key === key) return;
  $('slider-ticks').dataset.key = key;
  const span = S.last - S.first;
  // At most about six labels; a span under a few minutes gets labels with seconds.
  const step = [10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 21600].find((s) => span / s <= 6) || 43200;
  const spans = [];
  for (let t = Math.ceil(S.first / step) * step; t <= S.last; t += step) {
    const s = document.createElement('span');
    s.style.left = `${100 * (t - S.first) / span}%`;
    s.textContent = utc(t, step < 60);
    spans.push(s);
  }
  $('slider-ticks').replaceChildren(...spans);
}
async function replayControl(body) {
  try {
    const r = await fetch('api/replay', { method: 'POST', body: JSON.stringify(body) });
    if (!r.ok) console.warn('replay control', body, r.status);
  } catch (e) { console.warn('replay control failed', e); }
}
function seek(t) {
  // Trails restart at the new time (the store cuts them too when it sees the jump).
  resetTrails();
  redraw();
  return replayControl({ seek: t });
}
const slider = $('slider');
slider.addEventListener('pointerdown', () => { sliderHeld = true; });
slider.addEventListener('input', () => { sliderHeld = true; renderSlider(); });
slider.addEventListener('change', () => {
  sliderHeld = false;
  seek(S.first + (S.last - S.first) * slider.value / 1000);
});
$('back').onclick = () => seek(Math.max(S.first, S.time - 60));
$('speed').onchange = (e) => replayControl({ speed: Number(e.target.value) });
let paused = false;
function setPaused(p) {
  paused = p;
  $('play').innerHTML = paused ? '&#9654;' : '&#10073;&#10073;';
  replayControl({ pause: paused });
}
$('play').onclick = () => setPaused(!paused);
function stepSpeed(dir) {
  const opts = [...$('speed').options].map((o) => Number(o.value));
  let i = opts.findIndex((v) => v >= (S.speed || 1));
  if (i < 0) i = opts.length - 1;
  i = Math.max(0, Math.min(opts.length - 1, i + dir));
  $('speed').value = String(opts[i]);
  replayControl({ speed: opts[i] });
}

// ---- the settings tab ----------------------------------------------------------------
function bindSelect(id, key, after) {
  const el = $(id);
  el.value = String(settings[key]);
  el.onchange = () => {
    settings[key] = el.type === 'checkbox' ? el.checked : /^-?\d+(\.\d+)?$/.test(el.value) ? Number(el.value) : el.value;
    save();
    if (after) after();
    redraw();
  };
}
function syncSettingsForm() {
  for (const [id, key] of [['s-preset', 'preset'], ['s-units', 'units'], ['s-labels', 'labels'], ['s-trails', 'trails'],
    ['s-trail-min', 'trailMin'], ['s-vector', 'vector'], ['s-colour', 'colour'], ['s-flmin', 'flmin'], ['s-flmax', 'flmax']]) $(id).value = String(settings[key]);
  $('s-dots').checked = !!settings.dots;
}
const unitsChanged = () => { scale.setUnits(settings.units === 'metric' ? 'metric' : settings.units === 'imperial' ? 'imperial' : 'nautical'); updateRings(map); renderLegend(); renderDetail(); renderTable(true); };
bindSelect('s-preset', 'preset', () => { applyPreset(settings.preset); syncSettingsForm(); renderLegend(); });
bindSelect('s-units', 'units', unitsChanged);
bindSelect('s-labels', 'labels');
bindSelect('s-trails', 'trails', renderLegend);
bindSelect('s-trail-min', 'trailMin', () => loadHistory(settings.trailMin * 60).then(redraw));
bindSelect('s-vector', 'vector');
bindSelect('s-colour', 'colour', renderLegend);
bindSelect('s-flmin', 'flmin', () => { renderStatus(); renderTable(true); });
bindSelect('s-flmax', 'flmax', () => { renderStatus(); renderTable(true); });
$('s-dots').checked = !!settings.dots;
$('s-dots').onchange = () => { settings.dots = $('s-dots').checked; save(); redraw(); };
$('s-reset').onclick = () => { reset(); saveNow(); location.reload(); };

const classesBox = $('classes');
for (const [cls, colour] of Object.entries(CLASS_COLOURS)) {
  const l = document.createElement('label');
  const i = document.createElement('input');
  i.type = 'checkbox'; i.checked = classes.has(cls); i.dataset.cls = cls;
  i.onchange = () => {
    if (i.checked) classes.add(cls); else classes.delete(cls);
    settings.classes = [...classes]; save();
    renderStatus(); renderTable(true); redraw();
  };
  const sw = document.createElement('span'); sw.className = 'sw'; sw.style.background = colour;
  l.append(i, sw, CLASS_NAMES[cls]);
  classesBox.append(l);
}
function renderLayerList() {
  $('layer-list').replaceChildren(...registry.map((r) => {
    const l = document.createElement('label');
    const i = document.createElement('input');
    i.type = 'checkbox'; i.checked = settings.layers[r.id] ?? r.on; i.dataset.layer = r.id;
    i.onchange = () => { settings.layers[r.id] = i.checked; save(); applyVisibility(r); };
    l.append(i, ` ${r.name}`);
    return l;
  }));
}

// ---- search ----------------------------------------------------------------------------
const search = $('search');
search.addEventListener('input', () => {
  searchText = search.value.trim().toLowerCase();
  renderStatus(); renderTable(true); redraw();
});
search.addEventListener('keydown', (e) => {
  if (e.key === 'Enter') {
    const first = tableList[0] || [...S.tracks.values()].find(visible);
    if (first) select(first.id, true);
    search.blur();
  } else if (e.key === 'Escape') {
    search.value = ''; searchText = ''; search.blur();
    renderStatus(); renderTable(true); redraw();
  }
  e.stopPropagation();
});

// ---- keyboard ------------------------------------------------------------------------------
const cycle = (key, values) => { settings[key] = values[(values.indexOf(settings[key]) + 1) % values.length]; save(); syncSettingsForm(); };
document.addEventListener('keydown', (e) => {
  if (e.target.closest && e.target.closest('input, select, textarea')) return;
  if (e.ctrlKey || e.metaKey || e.altKey) return;
  const k = e.key;
  let done = true;
  if (k === '/' || k === 'f') search.focus();
  else if (k === 'Escape') { if (!$('help').hidden) $('help').hidden = true; else if (draw) rangeTool(false); else select(null); }
  else if (k === 't') togglePanel();
  else if (k === 'a') showTab('alerts');
  else if (k === 'l') { cycle('labels', ['full', 'compact', 'off']); redraw(); }
  else if (k === 'k') { cycle('trails', ['all', 'selected', 'off']); renderLegend(); redraw(); }
  else if (k === 'v') { cycle('vector', [0, 1, 2, 5]); redraw(); }
  else if (k === 'u') { cycle('units', ['nautical', 'metric', 'imperial']); unitsChanged(); redraw(); }
  else if (k === 'r') rangeTool();
  else if (k === 'c') { follow = !!S.selected; $('d-follow').classList.toggle('on', follow); centreSelected(); }
  else if (k === 'n' || k === 'p') {
    const list = tableList.length ? tableList : [...S.tracks.values()].filter(visible);
    if (list.length) {
      const i = list.findIndex((t) => t.id === S.selected);
      const j = i < 0 ? 0 : (i + (k === 'n' ? 1 : -1) + list.length) % list.length;
      select(list[j].id, true);
    }
  } else if (k === '?' || k === 'h') $('help').hidden = !$('help').hidden;
  else if (k === ' ' && $('replay').hidden === false) setPaused(!paused);
  else if (k === '[') stepSpeed(-1);
  else if (k === ']') stepSpeed(1);
  else done = false;
  if (done) e.preventDefault();
});
$('btn-help').onclick = () => { $('help').hidden = !$('help').hidden; };

// ---- URL: ?icao=HEX, ?track=ID, ?lat=&lon=&zoom= (kept in sync while used) ---------------
let wantHex = (params.get('icao') || '').toLowerCase() || null;
let wantTrack = params.get('track');
const urlView = params.has('lat') && params.has('lon');
function syncUrl() {
  const u = new URLSearchParams(location.search);
  const c = ol.proj.toLonLat(view.getCenter());
  u.set('lat', c[1].toFixed(4)); u.set('lon', c[0].toFixed(4)); u.set('zoom', view.getZoom().toFixed(1));
  const t = S.selected && S.tracks.get(S.selected);
  u.delete('icao'); u.delete('track');
  if (t && t.hex) u.set('icao', t.hex); else if (t) u.set('track', t.id);
  history.replaceState(null, '', `${location.pathname}?${u}`);
}
function initialView() {
  if (urlView) {
    const lat = Number(params.get('lat')), lon = Number(params.get('lon')), zoom = Number(params.get('zoom'));
    if (Number.isFinite(lat) && Number.isFinite(lon)) view.setCenter(ol.proj.fromLonLat([lon, lat]));
    if (Number.isFinite(zoom) && zoom > 0) view.setZoom(zoom);
    return true;
  }
  if (settings.view) {
    view.setCenter(ol.proj.fromLonLat([settings.view.lon, settings.view.lat]));
    view.setZoom(settings.view.zoom);
    return true;
  }
  return false;
}
const viewSet = initialView();
let urlTouched = urlView || !!wantHex || !!wantTrack;
map.on('moveend', () => {
  const c = ol.proj.toLonLat(view.getCenter());
  settings.view = { lon: c[0], lat: c[1], zoom: view.getZoom() };
  save();
  updateRings(map);
  if (urlTouched) syncUrl();
});

// ---- data --------------------------------------------------------------------------------------
let historyLoaded = false, lastOutline = 0, lastLegend = 0;
onChange((what) => {
  if (what === 'picture' || what === 'jump') {
    if (S.selected && !S.tracks.has(S.selected)) select(null);
    if (wantHex || wantTrack) {
      const t = [...S.tracks.values()].find((x) => (wantHex && x.hex && x.hex.toLowerCase() === wantHex) || (wantTrack && x.id === wantTrack));
      if (t) { wantHex = null; wantTrack = null; select(t.id, !urlView); }
    }
    if (follow) centreSelected();
    renderStatus(); renderAlerts(); scheduleTable();
    if (S.selected) renderDetail();
    if (!historyLoaded && S.tracks.size) { historyLoaded = true; loadHistory(Math.max(settings.trailMin * 60, 300)).then(redraw); }
    if (what === 'jump') { loadHistory(settings.trailMin * 60).then(redraw); if (S.selected) refreshDetail(); }
    const now = performance.now();
    if (now - lastOutline > 5000) { lastOutline = now; updateOutlines(); }
    if (now - lastLegend > 2000) { lastLegend = now; renderLegend(); }
    redraw();
  } else if (what === 'sensors') {
    updateCoverage(); updateRings(map);
    if (!viewSet && !centredOnce && S.sensors.length) {
      centredOnce = true;
      const h = homeSensor();
      view.setCenter(ol.proj.fromLonLat([h.lon, h.lat]));
    }
  } else if (what === 'zones') updateZones();
  else if (what === 'info') {
    if (S.info.mode) S.mode = S.info.mode;
    renderStatus();
    if (Array.isArray(S.info.map_layers)) addOperatorLayers(map, S.info.map_layers).then((added) => { if (added.length) renderLayerList(); });
  } else if (what === 'history') redraw();
});
let centredOnce = false;

// ---- start -----------------------------------------------------------------------------------------
document.body.classList.toggle('noside', !settings.panel);
$('btn-panel').classList.toggle('on', settings.panel);
if (window.matchMedia('(max-width: 700px)').matches && !params.has('panel')) { settings.panel = true; document.body.classList.remove('noside'); }
showTab(settings.tab === 'detail' ? 'table' : settings.tab || 'table', false);
syncSettingsForm();
unitsChanged();
renderLayerList();
renderLegend();
refreshInfo();
refreshSensors();
refreshZones();
setInterval(refreshSensors, 10000);
setInterval(refreshInfo, 10000);
connect((up) => { $('conn').textContent = up ? 'connected' : 'reconnecting'; $('conn').className = up ? 'up' : 'down'; });

// Hooks for the tests and a console user.
window.skyfuse = {
  map, view, settings, S,
  trackCount: () => S.tracks.size,
  pictures: () => S.pictures,
  tracks: () => [...S.tracks.values()].map((t) => ({ id: t.id, lat: t.lat, lon: t.lon, x: t._px, y: t._py, cls: t.cls, hex: t.hex, cs: t.cs, sq: t.sq })),
  shown: () => traffic.trafficState.visible.length,
  selected: () => S.selected,
  detail: () => S.detail,
  labels: () => traffic.trafficState.labels.map((b) => ({ ...b })),
  labelsHidden: () => traffic.trafficState.hidden,
  overlaps: () => overlaps(traffic.trafficState.labels),
  trailPoints: () => { let n = 0; for (const tr of S.trails.values()) n += tr.length; return n; },
  // The range and bearing tool's line: its ends (lon, lat) and its label.
  measure: () => measureSource.getFeatures().map((f) => ({
    ends: f.getGeometry().getCoordinates().map((c) => ol.proj.toLonLat(c)), text: measureText(f.getGeometry()) })),
  sensorMarks,
  overlays: overlayState,
  epoch: () => S.epoch,
  pinned: () => Object.fromEntries(traffic.trafficState.pinned),
  frameMs: () => traffic.trafficState.frameMs,
  // What the last frame drew: speed vectors, history dots, and the tracks in
  // view that move (a vector each when vectors are on).
  drawn: () => { const st = traffic.trafficState; return { vectors: st.vectors, dots: st.dots, moving: st.visible.filter((t) => t.gs > 1).length }; },
  select,
  renderTable: () => { renderTable(true); return document.querySelectorAll('#table tbody tr').length; },
  // One full synchronous frame (base map and traffic): its time in ms.
  redraw: () => { traffic.changed(); const t0 = performance.now(); map.renderSync(); const st = traffic.trafficState; return { frame: performance.now() - t0, traffic: st.frameMs, labels: st.placeMs, symbols: st.tSymbols, items: st.tItems, place: st.tPlace }; },
  inject: applyPicture,
};
