// The air picture as the page knows it: tracks of the last /ws picture, their
// trails (kept here from picture to picture, filled on load from the server's
// history), sensors, zones, alerts and /api/info. Trails are cut when the
// data time jumps (a replay seek, a loop of the demo), so no line is ever
// drawn across a seek.
import { distBearing, altitudeOf, FT } from './units.js';

const fromLonLat = (lon, lat) => ol.proj.fromLonLat([lon, lat]);

export const S = {
  tracks: new Map(),      // id -> track (the picture's JSON, plus _m: [x, y] EPSG:3857)
  trails: new Map(),      // id -> [[x, y, alt_m, t], ...] EPSG:3857, oldest first
  sensors: [], zones: null, alerts: [], alerted: new Set(), info: null,
  mode: 'live', speed: 1, time: 0, first: 0, last: 0, pictures: 0, epoch: 0,
  selected: null, detail: null,
  outlines: new Map(),    // sensor id -> Float64Array(72) max range (m) per 5 degree sector
};

const TRAIL_KEEP_S = 900;       // what a trail keeps at most (15 min of data time)
const GAP_S = 60;               // no trail line across a gap of this much data time
const listeners = new Set();
export function onChange(f) { listeners.add(f); }
function emit(what) { for (const f of listeners) f(what); }

let lastPictureTime = 0, period = 1;

// A jump of data time the tracks could not have flown: backwards, or forward
// by much more than the publication period.
function isJump(t) {
  if (!lastPictureTime) return false;
  const dt = t - lastPictureTime;
  return dt < -0.5 || dt > Math.max(30, 10 * period);
}

export function resetTrails() {
  S.trails.clear();
  S.epoch++;
}

export function applyPicture(p) {
  S.pictures++;
  if (S.pictures === 1) S.firstPictureTime = p.time;  // older trail points came from history
  const jumped = isJump(p.time);
  if (lastPictureTime && !jumped && p.time > lastPictureTime) period = 0.8 * period + 0.2 * (p.time - lastPictureTime);
  lastPictureTime = p.time;
  if (jumped) resetTrails();
  S.time = p.time; S.mode = p.mode || 'live'; S.speed = p.speed ?? S.speed; S.first = p.first; S.last = p.last;
  const seen = new Set();
  for (const t of p.tracks || []) {
    seen.add(t.id);
    t._m = fromLonLat(t.lon, t.lat);
    if (t.op) t._op = fromLonLat(t.op[1], t.op[0]);  // Remote ID: the operator's position
    const prev = S.tracks.get(t.id);
    if (prev) { t._px = prev._px; t._py = prev._py; }
    S.tracks.set(t.id, t);
    let tr = S.trails.get(t.id);
    if (!tr) { tr = []; S.trails.set(t.id, tr); }
    const ts = t.t ?? p.time;
    const last = tr[tr.length - 1];
    if (!last || (ts > last[3] && (last[0] !== t._m[0] || last[1] !== t._m[1]))) tr.push([t._m[0], t._m[1], altitudeOf(t).m, ts]);
    while (tr.length > 2 && tr[0][3] < ts - TRAIL_KEEP_S) tr.shift();
  }
  for (const id of [...S.tracks.keys()]) if (!seen.has(id)) { S.tracks.delete(id); S.trails.delete(id); }
  S.alerts = p.alerts || [];
  S.alerted = new Set();
  for (const a of S.alerts) for (const id of a.tracks || []) S.alerted.add(id);
  if (S.pictures % 5 === 1) updateOutlines();
  emit(jumped ? 'jump' : 'picture');
}

// History on load: GET /api/history (one request, when the server has it:
// docs/api.md) or else /api/tracks/ID for each track (at most `limit`, four at
// a time). Points older than `seconds` before the picture time are dropped.
export async function loadHistory(seconds, limit = 250) {
  const epoch = S.epoch;
  const merge = (id, points) => {
    if (epoch !== S.epoch || !S.tracks.has(id) || !Array.isArray(points)) return;
    const cut = S.time - seconds;
    const old = points.filter((q) => q[0] >= cut && q[0] <= S.time).map((q) => {
      const m = fromLonLat(q[2], q[1]);
      return [m[0], m[1], Number.isFinite(q[4]) ? q[4] * 100 * FT : q[3], q[0]];
    });
    const tr = S.trails.get(id) || [];
    const first = tr.length ? tr[0][3] : Infinity;
    S.trails.set(id, old.filter((q) => q[3] < first).concat(tr));
  };
  try {
    const r = S.info && S.info.history_s > 0 ? await fetch(`api/history?seconds=${Math.round(seconds)}`) : null;
    if (r && r.ok) {
      const h = await r.json();
      for (const [id, points] of Object.entries(h.tracks || {})) merge(id, points);
      emit('history');
      return 'history';
    }
  } catch (e) { /* fall back */ }
  const ids = [...S.tracks.keys()].slice(0, limit);
  let next = 0;
  const worker = async () => {
    while (next < ids.length && epoch === S.epoch) {
      const id = ids[next++];
      try {
        const r = await fetch(`api/tracks/${encodeURIComponent(id)}`);
        if (r.ok) merge(id, (await r.json()).history);
      } catch (e) { /* skipped */ }
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  emit('history');
  return 'tracks';
}

// A trail as drawable pieces: arrays of points with no gap over GAP_S.
export function trailPieces(tr, since) {
  const pieces = [];
  let cur = [];
  for (const q of tr) {
    if (q[3] < since) continue;
    if (cur.length && q[3] - cur[cur.length - 1][3] > GAP_S) { if (cur.length > 1) pieces.push(cur); cur = []; }
    cur.push(q);
  }
  if (cur.length > 1) pieces.push(cur);
  return pieces;
}

// The receivers' observed range: per sensor, the farthest track it
// contributed to in each 5 degree sector (tar1090's "actual range" outline).
function updateOutlines() {
  const byId = new Map(S.sensors.map((s) => [s.id, s]));
  for (const t of S.tracks.values()) {
    for (const sid of t.sen || []) {
      const s = byId.get(sid);
      if (!s || !Number.isFinite(s.lat)) continue;
      const [d, b] = distBearing(s.lon, s.lat, t.lon, t.lat);
      let o = S.outlines.get(sid);
      if (!o) { o = new Float64Array(72); S.outlines.set(sid, o); }
      const k = Math.floor(b / 5) % 72;
      if (d > o[k] && (!s.max_range_m || d < 1.2 * s.max_range_m)) o[k] = d;
    }
  }
}

export async function refreshSensors() {
  try {
    S.sensors = (await (await fetch('api/sensors')).json()).sensors || [];
    emit('sensors');
  } catch (e) { /* retried */ }
}
export async function refreshZones() {
  try {
    const r = await fetch('api/zones');
    S.zones = r.ok ? await r.json() : null;
  } catch (e) { S.zones = null; }
  emit('zones');
}
export async function refreshInfo() {
  try {
    const r = await fetch('api/info');
    if (r.ok) { S.info = await r.json(); emit('info'); }
  } catch (e) { /* retried */ }
}

export function connect(onState, delay = 500) {
  const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`);
  ws.onopen = () => { onState(true); delay = 500; };
  ws.onmessage = (ev) => {
    let p;
    try { p = JSON.parse(ev.data); } catch (e) { console.error('bad picture', e); return; }
    applyPicture(p);
  };
  ws.onclose = () => {
    onState(false);
    setTimeout(() => connect(onState, Math.min(delay * 2, 10000)), delay);
  };
}
