// The aircraft table: sortable columns (click a header; again to reverse),
// columns chosen in the Map tab, rows for the aircraft that pass the filters
// and the search, a click selects (and centres) the aircraft.
import { S } from './store.js';
import { settings, save } from './settings.js';
import { altitudeOf, fmtAlt, fmtSpeed, fmtVr, fmtDist, UNITS, distBearing } from './units.js';
import { CLASS_NAMES } from './traffic.js';

const MAX_ROWS = 400;

export const COLUMNS = [
  { key: 'id', title: 'Track', get: (t) => Number(t.id) || t.id, fmt: (t) => t.id },
  { key: 'cs', title: 'Callsign', get: (t) => t.cs || '', fmt: (t) => t.cs || '' },
  { key: 'hex', title: 'Hex', get: (t) => t.hex || '', fmt: (t) => (t.hex || '').toUpperCase() },
  { key: 'reg', title: 'Reg', get: (t) => t.reg || '', fmt: (t) => t.reg || '' },
  { key: 'typ', title: 'Type', get: (t) => t.typ || '', fmt: (t) => t.typ || '' },
  { key: 'sq', title: 'Squawk', get: (t) => t.sq || '', fmt: (t) => t.sq || '' },
  { key: 'alt', title: 'Alt', num: true, get: (t) => altitudeOf(t).m, fmt: (t) => fmtAlt(t, settings.units).replace(/ (ft|m)$/, '') },
  { key: 'gs', title: 'GS', num: true, get: (t) => t.gs, fmt: (t) => fmtSpeed(t.gs, settings.units).split(' ')[0] },
  { key: 'vr', title: 'V/S', num: true, get: (t) => t.vr, fmt: (t) => fmtVr(t.vr, settings.units).split(' ')[0] },
  { key: 'trk', title: 'Trk', num: true, get: (t) => t.trk, fmt: (t) => Number.isFinite(t.trk) ? String(Math.round(t.trk)).padStart(3, '0') : '' },
  { key: 'dist', title: 'Dist', num: true, get: (t) => t._dist ?? Infinity, fmt: (t) => Number.isFinite(t._dist) ? fmtDist(t._dist, settings.units).split(' ')[0] : '' },
  { key: 'cls', title: 'Class', get: (t) => t.cls, fmt: (t) => CLASS_NAMES[t.cls] || t.cls || '' },
  { key: 'sen', title: 'Sensors', num: true, get: (t) => (t.sen || []).length, fmt: (t) => String((t.sen || []).length) },
  { key: 'st', title: 'Status', get: (t) => t.st, fmt: (t) => t.st || '' },
  { key: 'rid', title: 'Remote ID', get: (t) => t.rid || '', fmt: (t) => t.rid || '' },
  { key: 'age', title: 'Age', num: true, get: (t) => S.time - (t.t ?? S.time), fmt: (t) => `${Math.max(0, S.time - (t.t ?? S.time)).toFixed(0)}` },
];
const PHONE = new Set(['cs', 'alt', 'gs', 'dist']);

function unitOf(key) {
  const u = UNITS[settings.units];
  return { alt: u.alt, gs: u.speed, vr: u.vr, dist: u.dist, age: 's' }[key] || '';
}

export function createTable({ onSelect, rowsOf }) {
  const table = document.getElementById('table');
  const thead = table.tHead, tbody = table.tBodies[0];
  const more = document.getElementById('table-more');
  let lastKey = '';

  function header() {
    const cols = COLUMNS.filter((c) => settings.columns.includes(c.key));
    const tr = document.createElement('tr');
    for (const c of cols) {
      const th = document.createElement('th');
      const u = unitOf(c.key);
      th.textContent = c.title + (u ? ` ${u}` : '');
      th.dataset.key = c.key;
      if (!PHONE.has(c.key)) th.classList.add('opt');
      if (settings.sort.key === c.key) th.classList.add('sorted', settings.sort.dir > 0 ? 'asc' : 'desc');
      th.onclick = () => {
        settings.sort = settings.sort.key === c.key ? { key: c.key, dir: -settings.sort.dir } : { key: c.key, dir: c.num ? -1 : 1 };
        save();
        render(true);
      };
      tr.append(th);
    }
    thead.replaceChildren(tr);
    return cols;
  }

  function sorted(rows) {
    const col = COLUMNS.find((c) => c.key === settings.sort.key) || COLUMNS.find((c) => c.key === 'alt');
    const dir = settings.sort.dir || -1;
    return rows.map((t) => [col.get(t), t]).sort((a, b) => {
      const x = a[0], y = b[0];
      const bx = x === '' || x === undefined || (typeof x === 'number' && !Number.isFinite(x));
      const by = y === '' || y === undefined || (typeof y === 'number' && !Number.isFinite(y));
      if (bx || by) return bx - by;  // blanks last, whatever the direction
      return (x < y ? -1 : x > y ? 1 : 0) * dir || (a[1].id < b[1].id ? -1 : 1);
    }).map((p) => p[1]);
  }

  function render(force = false) {
    const home = rowsOf.home();
    const rows = rowsOf.rows();
    for (const t of rows) t._dist = home ? distBearing(home.lon, home.lat, t.lon, t.lat)[0] : undefined;
    const cols = header();
    const list = sorted(rows);
    const key = `${settings.units}|${settings.columns.join()}|${settings.sort.key}${settings.sort.dir}`;
    lastKey = key;
    const frag = document.createDocumentFragment();
    for (const t of list.slice(0, MAX_ROWS)) {
      const tr = document.createElement('tr');
      tr.dataset.id = t.id;
      if (t.id === S.selected) tr.className = 'sel';
      if (t.em || S.alerted.has(t.id)) tr.classList.add('em');
      for (const c of cols) {
        const td = document.createElement('td');
        td.textContent = c.fmt(t);
        if (c.num) td.className = 'num';
        if (!PHONE.has(c.key)) td.classList.add('opt');
        if (c.key === 'alt' && !altitudeOf(t).baro) td.title = 'geometric height (WGS-84): no pressure altitude for this track';
        tr.append(td);
      }
      frag.append(tr);
    }
    tbody.replaceChildren(frag);
    more.textContent = list.length > MAX_ROWS ? `${list.length - MAX_ROWS} more: narrow the search` : '';
    const sel = tbody.querySelector('tr.sel');
    if (sel && force === 'scroll') sel.scrollIntoView({ block: 'nearest' });
    return list;
  }

  tbody.addEventListener('click', (e) => {
    const tr = e.target.closest('tr');
    if (tr) onSelect(tr.dataset.id, true);
  });

  function columnChooser() {
    const box = document.getElementById('column-list');
    box.replaceChildren(...COLUMNS.map((c) => {
      const l = document.createElement('label');
      const i = document.createElement('input');
      i.type = 'checkbox'; i.checked = settings.columns.includes(c.key); i.dataset.col = c.key;
      i.onchange = () => {
        settings.columns = COLUMNS.map((x) => x.key).filter((k) => (k === c.key ? i.checked : settings.columns.includes(k)));
        save();
        render(true);
      };
      l.append(i, ` ${c.title}`);
      return l;
    }));
  }
  columnChooser();
  return { render, columnChooser };
}
