// Units and formats. Flight levels are pressure altitude in hundreds of feet
// (Mode C / ADS-B barometric); when a track has none, the map shows the
// geometric height (WGS-84) and says so: a "g" before the value.
export const FT = 0.3048, KT = 1852 / 3600, NM = 1852, MI = 1609.344;

export const UNITS = {
  nautical: { dist: 'NM', distM: NM, speed: 'kt', speedMps: KT, alt: 'ft', altM: FT, vr: 'fpm', vrMps: FT / 60 },
  metric: { dist: 'km', distM: 1000, speed: 'km/h', speedMps: 1 / 3.6, alt: 'm', altM: 1, vr: 'm/s', vrMps: 1 },
  imperial: { dist: 'mi', distM: MI, speed: 'mph', speedMps: MI / 3600, alt: 'ft', altM: FT, vr: 'fpm', vrMps: FT / 60 },
};

// The altitude to use for a track: {m, fl, baro}. `fl` (pressure altitude /
// 100 ft) when the server gives it (docs/api.md), else baro_alt_m, else the
// geometric `alt` (baro false).
export function altitudeOf(t) {
  if (Number.isFinite(t.fl)) return { m: t.fl * 100 * FT, fl: t.fl, baro: true };
  if (Number.isFinite(t.baro_alt_m)) return { m: t.baro_alt_m, fl: t.baro_alt_m / FT / 100, baro: true };
  const m = Number.isFinite(t.alt) ? t.alt : NaN;
  return { m, fl: m / FT / 100, baro: false };
}

export function fmtAlt(t, units) {
  const a = altitudeOf(t);
  if (!Number.isFinite(a.m)) return '–';
  if (a.baro && units !== 'metric') return `FL${String(Math.round(a.fl)).padStart(3, '0')}`;
  const u = UNITS[units];
  const v = Math.round(a.m / u.altM / (u.alt === 'm' ? 10 : 25)) * (u.alt === 'm' ? 10 : 25);
  return `${a.baro ? '' : 'g'}${v.toLocaleString('en-US')} ${u.alt}`;
}

// The altitude token of a data block: 3 digits (hundreds of ft) or metres/10.
export function labelAlt(t, units) {
  const a = altitudeOf(t);
  if (!Number.isFinite(a.m)) return '---';
  const v = units === 'metric' ? String(Math.round(a.m / 10)).padStart(4, '0') : String(Math.max(0, Math.round(a.fl))).padStart(3, '0');
  return (a.baro ? '' : 'g') + v;
}

export function fmtSpeed(mps, units) {
  if (!Number.isFinite(mps)) return '–';
  const u = UNITS[units];
  return `${Math.round(mps / u.speedMps)} ${u.speed}`;
}
export function labelSpeed(mps, units) {
  return Number.isFinite(mps) ? String(Math.round(mps / UNITS[units].speedMps)) : '';
}
export function fmtVr(mps, units) {
  if (!Number.isFinite(mps)) return '–';
  const u = UNITS[units];
  const v = mps / u.vrMps;
  return `${v > 0 ? '+' : ''}${u.vr === 'm/s' ? v.toFixed(1) : Math.round(v / 10) * 10} ${u.vr}`;
}
export function fmtDist(m, units, digits) {
  if (!Number.isFinite(m)) return '–';
  const u = UNITS[units];
  const v = m / u.distM;
  return `${v.toFixed(digits ?? (v < 10 ? 1 : 0))} ${u.dist}`;
}
export function trend(vr) {
  if (!Number.isFinite(vr) || Math.abs(vr) < 1.5) return ' ';  // under ~300 ft/min: level
  return vr > 0 ? '↑' : '↓';
}
export function utc(t, seconds = true) {
  if (!t) return '--:--:--Z';
  const s = new Date(t * 1000).toISOString();
  return (seconds ? s.slice(11, 19) : s.slice(11, 16)) + 'Z';
}

// Altitude colours (tar1090-like hues, feet): ground orange, low yellow-green,
// mid green-cyan, high blue-violet. Quantised so a frame has few colours.
const STOPS = [[0, 20], [2000, 32], [4000, 43], [6000, 54], [8000, 72], [10000, 86], [20000, 140], [30000, 200], [40000, 290], [45000, 310]];
export const ALT_BUCKETS = 48;
const bucketColours = [];
for (let i = 0; i < ALT_BUCKETS; i++) bucketColours.push(hueColour(i * 45000 / (ALT_BUCKETS - 1)));
function hueColour(ft) {
  let h = STOPS[STOPS.length - 1][1];
  for (let i = 1; i < STOPS.length; i++) {
    if (ft <= STOPS[i][0]) {
      const [a0, h0] = STOPS[i - 1], [a1, h1] = STOPS[i];
      h = h0 + (h1 - h0) * (Math.max(ft, a0) - a0) / (a1 - a0);
      break;
    }
  }
  return `hsl(${h.toFixed(0)},85%,55%)`;
}
export function altBucket(m) {
  if (!Number.isFinite(m)) return -1;
  const ft = Math.max(0, Math.min(45000, m / FT));
  return Math.round(ft / 45000 * (ALT_BUCKETS - 1));
}
export function bucketColour(b) { return b < 0 ? '#8d99ae' : bucketColours[b]; }
export function altColour(m) { return bucketColour(altBucket(m)); }
export function legendGradient() {
  const parts = [];
  for (let ft = 0; ft <= 45000; ft += 2500) parts.push(`${hueColour(ft)} ${(ft / 45000 * 100).toFixed(1)}%`);
  return `linear-gradient(to right, ${parts.join(', ')})`;
}

// Great-circle distance (m) and initial bearing (deg true) between lon/lat points.
export function distBearing(lon1, lat1, lon2, lat2) {
  const r = Math.PI / 180, R = 6371008.8;
  const p1 = lat1 * r, p2 = lat2 * r, dl = (lon2 - lon1) * r;
  const a = Math.sin((p2 - p1) / 2) ** 2 + Math.cos(p1) * Math.cos(p2) * Math.sin(dl / 2) ** 2;
  const d = 2 * R * Math.asin(Math.min(1, Math.sqrt(a)));
  const y = Math.sin(dl) * Math.cos(p2), x = Math.cos(p1) * Math.sin(p2) - Math.sin(p1) * Math.cos(p2) * Math.cos(dl);
  return [d, (Math.atan2(y, x) / r + 360) % 360];
}
