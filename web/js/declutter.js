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

// Boxes bucketed in CELL-pixel cells over the view (a flat array of cells;
// boxes outside the view go to the border cells).
class Grid {
  constructor(W, H) {
    this.nx = Math.max(1, Math.ceil(W / CELL)) + 1;
    this.ny = Math.max(1, Math.ceil(H / CELL)) + 1;
    this.cells = new Array(this.nx * this.ny);
  }
  cx(x) { return Math.min(this.nx - 1, Math.max(0, Math.floor(x / CELL))); }
  cy(y) { return Math.min(this.ny - 1, Math.max(0, Math.floor(y / CELL))); }
  add(b) {
    const x1 = this.cx(b.x + b.w), y1 = this.cy(b.y + b.h);
    for (let cy = this.cy(b.y); cy <= y1; cy++) {
      for (let cx = this.cx(b.x); cx <= x1; cx++) {
        const k = cy * this.nx + cx;
        (this.cells[k] || (this.cells[k] = [])).push(b);
      }
    }
  }
  hits(x, y, w, h, except) {
    const x1 = this.cx(x + w), y1 = this.cy(y + h), x2 = x + w, y2 = y + h;
    for (let cy = this.cy(y); cy <= y1; cy++) {
      for (let cx = this.cx(x); cx <= x1; cx++) {
        const a = this.cells[cy * this.nx + cx];
        if (!a) continue;
        for (let i = 0; i < a.length; i++) {
          const b = a[i];
          if (x < b.x + b.w && b.x < x2 && y < b.y + b.h && b.y < y2 && b.id !== except) return true;
        }
      }
    }
    return false;
  }
}

// Candidate offsets (top-left of the box relative to the symbol) for box
// size w x h: cand(k) for k in 0 .. NCAND-1, nearest ring first.
const NCAND = RADII.length * DIRS.length;
function candX(k, w) {
  const r = RADII[Math.floor(k / DIRS.length)], [sx, sy] = DIRS[k % DIRS.length];
  const d = sx && sy ? r * 0.7 : r;
  return sx > 0 ? d : sx < 0 ? -d - w : -w / 2;
}
function candY(k, h) {
  const r = RADII[Math.floor(k / DIRS.length)], [sx, sy] = DIRS[k % DIRS.length];
  const d = sx && sy ? r * 0.7 : r;
  return sy > 0 ? d : sy < 0 ? -d - h : -h / 2;
}

// items: [{id, x, y, w, h, cw, ch (one-line size, optional), pin: [dx,dy] | null,
//          prev: [dx,dy] | null}] in priority order; symbols: [{x, y}];
// W, H: the view. Returns {placed: Map id -> {x, y, w, h, dx, dy, compact}, hidden}.
export function placeLabels(items, symbols, W, H, symbolHalf = 7) {
  const labels = new Grid(W, H), syms = new Grid(W, H);
  // Over 1,500 symbols in view, covering another symbol is not avoided (most
  // labels cannot avoid it anyway) and only the two nearest rings are tried.
  const dense = symbols.length > 1500;
  const ncand = dense ? 2 * DIRS.length : NCAND;
  if (!dense) for (const s of symbols) syms.add({ id: s.id, x: s.x - symbolHalf, y: s.y - symbolHalf, w: 2 * symbolHalf, h: 2 * symbolHalf });
  const placed = new Map();
  let hidden = 0;
  // 0: no room; 1: free of labels but over another symbol; 2: free.
  const room = (it, dx, dy, w, h) => {
    const x = it.x + dx, y = it.y + dy;
    if (x < 0 || y < 0 || x + w > W || y + h > H) return 0;
    // The own symbol never lies under its own label.
    if (it.x > x - symbolHalf && it.x < x + w + symbolHalf && it.y > y - symbolHalf && it.y < y + h + symbolHalf) return 0;
    if (labels.hits(x - 1, y - 1, w + 2, h + 2, null)) return 0;
    return !dense && syms.hits(x, y, w, h, it.id) ? 1 : 2;
  };
  const take = (it, dx, dy, w, h, compact) => {
    const b = { id: it.id, x: it.x + dx, y: it.y + dy, w, h, dx, dy, compact };
    labels.add(b);
    placed.set(it.id, b);
  };
  // The first free place, else the first place over a symbol only.
  const place = (it, w, h, compact, prev) => {
    let fx = NaN, fy = NaN;
    if (prev) {
      const q = room(it, prev[0], prev[1], w, h);
      if (q === 2) { take(it, prev[0], prev[1], w, h, compact); return true; }
      if (q === 1) { fx = prev[0]; fy = prev[1]; }
    }
    for (let k = 0; k < ncand; k++) {
      const dx = candX(k, w), dy = candY(k, h);
      const q = room(it, dx, dy, w, h);
      if (q === 2) { take(it, dx, dy, w, h, compact); return true; }
      if (q === 1 && Number.isNaN(fx)) { fx = dx; fy = dy; }
    }
    if (!Number.isNaN(fx)) { take(it, fx, fy, w, h, compact); return true; }
    return false;
  };
  for (const it of items) {
    if (it.pin && room(it, it.pin[0], it.pin[1], it.w, it.h) > 0) { take(it, it.pin[0], it.pin[1], it.w, it.h, false); continue; }
    if (place(it, it.w, it.h, false, it.prev)) continue;
    if (it.cw && (it.cw !== it.w || it.ch !== it.h) && place(it, it.cw, it.ch, true, null)) continue;
    hidden++;
  }
  return { placed, hidden };
}

// True when any two boxes overlap (for the tests and a console user).
export function overlaps(boxes) {
  let W = 0, H = 0;
  for (const b of boxes) { W = Math.max(W, b.x + b.w); H = Math.max(H, b.y + b.h); }
  const g = new Grid(W, H);
  let n = 0;
  for (const b of boxes) {
    if (g.hits(b.x, b.y, b.w, b.h, null)) n++;
    g.add({ ...b, id: undefined });
  }
  return n;
}
