// Settings kept in localStorage ("skyfuse.map"); presets set several at once.
const KEY = 'skyfuse.map';

export const PRESETS = {
  hobbyist: { labels: 'compact', trails: 'all', trailMin: 5, dots: false, vector: 0, colour: 'altitude' },
  controller: { labels: 'full', trails: 'selected', trailMin: 3, dots: true, vector: 1, colour: 'class' },
};

const DEFAULTS = {
  preset: 'hobbyist', units: 'nautical', ...PRESETS.hobbyist,
  layers: {}, columns: ['cs', 'hex', 'reg', 'typ', 'sq', 'alt', 'gs', 'vr', 'dist'],
  sort: { key: 'alt', dir: -1 }, classes: null, flmin: -10, flmax: 700, panel: true, tab: 'table',
};

function load() {
  try {
    const s = JSON.parse(localStorage.getItem(KEY) || '{}');
    return { ...structuredClone(DEFAULTS), ...(s && typeof s === 'object' ? s : {}) };
  } catch (e) { return structuredClone(DEFAULTS); }
}

export const settings = load();

let timer = 0;
export function save() {
  clearTimeout(timer);
  timer = setTimeout(() => {
    try { localStorage.setItem(KEY, JSON.stringify(settings)); } catch (e) { /* private mode: not kept */ }
  }, 200);
}
export function saveNow() {
  clearTimeout(timer);
  try { localStorage.setItem(KEY, JSON.stringify(settings)); } catch (e) { /* not kept */ }
}
export function reset() {
  try { localStorage.removeItem(KEY); } catch (e) { /* nothing kept */ }
  for (const k of Object.keys(settings)) delete settings[k];
  Object.assign(settings, structuredClone(DEFAULTS));
}
export function applyPreset(name) {
  settings.preset = name;
  Object.assign(settings, PRESETS[name] || {});
  save();
}
