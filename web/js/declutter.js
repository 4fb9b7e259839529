// Label placement without overlap (a situation display never piles labels up).
// Each label is tried at positions around its symbol, nearest first, and
// takes the first one that overlaps no label already placed; higher priority
// labels (dragged, selected, alerted) are placed first, and a label keeps the
// position it had in the previous frame while that stays free, so labels do
// not jump about. A label that finds no room falls back to its one-line form,
// and is hidden (counted) when even that does not fit. Covering another
// aircraft's symbol is avoided where a free place exists.

const CELL = 48;
// Directions in order of preference: right of the symbol first (the usual
// data-block side), then left, then above and below.
const DIRS = [[1, -1], [1, 0], [1, 1], [-1, -1], [-1, 0], [-1, 1], [0, -1], [0, 1]];
const RADII = [8, 24, 44, 68];

class Grid {
  constructor() { this.cells = new Map(); }
  key(cx, cy) { return cx * 65536 + cy; }
  add(b) {
    const x0 = Math.floor(b.x / CELL), x1 = Math.floor((b.x + b.w) / CELL);
    const y0 = Math.floor(b.y / CELL), y1 = Math.floor((b.y + b.h) / CELL);
    for (let cx = x0; cx <= x1; cx++) {
      for (let cy = y0; cy <= y1; cy++) {
        const k = this.key(cx, cy);
        let a = this.cells.get(k);
        if (!a) { a = []; this.cells.set(k, a); }
        a.push(b);
      }
    }
  }
  hits(x, y, w, h, except) {
    const x0 = Math.floor(x / CELL), x1 = Math.floor((x + w) / CELL);
    const y0 = Math.floor(y / CELL), y1 = Math.floor((y + h) / CELL);
    for (let cx = x0; cx <= x1; cx++) {
      for (let cy = y0; cy <= y1; cy++) {
        const a = this.cells.get(this.key(cx, cy));
        if (!a) continue;
        for (let i = 0; i < a.length; i++) {
          const b = a[i];
          if (b.id === except) continue;
          if (x < b.x + b.w && b.x < x + w && y < b.y + b.h && b.y < y + h) return true;
        }
      }
    }
    return false;
  }
}

function candidates(it, w, h) {
  const out = [];
  if (it.prev) out.push(it.prev);
  for (const r of RADII) {
    for (const [sx, sy] of DIRS) {
      const d = sx && sy ? r * 0.7 : r;
      const dx = sx > 0 ? d : sx < 0 ? -d - w : -w / 2;
      const dy = sy > 0 ? d : sy < 0 ? -d - h : -h / 2;
      out.push([dx, dy]);
    }
  }
  return out;
}

// items: [{id, x, y, w, h, cw, ch (one-line size, optional), pin: [dx,dy] | null,
//          prev: [dx,dy] | null}] in priority order; symbols: [{x, y}];
// W, H: the view. Returns {placed: Map id -> {x, y, w, h, dx, dy, compact}, hidden}.
export function placeLabels(items, symbols, W, H, symbolHalf = 7) {
  const labels = new Grid(), syms = new Grid();
  for (const s of symbols) syms.add({ id: s.id, x: s.x - symbolHalf, y: s.y - symbolHalf, w: 2 * symbolHalf, h: 2 * symbolHalf });
  const placed = new Map();
  let hidden = 0;
  const fits = (it, dx, dy, w, h, avoidSymbols) => {
    const x = it.x + dx, y = it.y + dy;
    if (x < 0 || y < 0 || x + w > W || y + h > H) return false;
    if (labels.hits(x - 1, y - 1, w + 2, h + 2, null)) return false;
    // The own symbol never lies under its own label.
    if (it.x > x - symbolHalf && it.x < x + w + symbolHalf && it.y > y - symbolHalf && it.y < y + h + symbolHalf) return false;
    return !avoidSymbols || !syms.hits(x, y, w, h, it.id);
  };
  const take = (it, dx, dy, w, h, compact) => {
    const b = { id: it.id, x: it.x + dx, y: it.y + dy, w, h, dx, dy, compact };
    labels.add(b);
    placed.set(it.id, b);
  };
  for (const it of items) {
    if (it.pin && fits(it, it.pin[0], it.pin[1], it.w, it.h, false)) { take(it, it.pin[0], it.pin[1], it.w, it.h, false); continue; }
    let done = false;
    const forms = [[it.w, it.h, false]];
    if (it.cw && (it.cw !== it.w || it.ch !== it.h)) forms.push([it.cw, it.ch, true]);
    for (const [w, h, compact] of forms) {
      const cands = candidates(compact ? { ...it, prev: null } : it, w, h);
      for (const avoid of [true, false]) {
        for (const [dx, dy] of cands) {
          if (fits(it, dx, dy, w, h, avoid)) { take(it, dx, dy, w, h, compact); done = true; break; }
        }
        if (done) break;
      }
      if (done) break;
    }
    if (!done) hidden++;
  }
  return { placed, hidden };
}

// True when any two boxes overlap (for the tests and a console user).
export function overlaps(boxes) {
  const g = new Grid();
  let n = 0;
  for (const b of boxes) {
    if (g.hits(b.x, b.y, b.w, b.h, null)) n++;
    g.add({ ...b, id: undefined });
  }
  return n;
}
