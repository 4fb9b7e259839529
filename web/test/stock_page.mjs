// A stock page of tar1090's family against skyfuse (issue #21): Debian's
// dump1090-mutability 1.15 web page (gmap.html, script.js, planeObject.js;
// written by others, unchanged) opened in headless Chromium from skyfuse's
// own server. The page reads data/receiver.json, then every
// data/history_N.json, draws each aircraft's trail from them, then polls
// data/aircraft.json. Its live polls are held back until the trails it drew
// from history alone have been read out of its own objects (Planes,
// track_linesegs, PlaneIconFeatures), then let through.
//
// usage: node stock_page.mjs URL SCREENSHOT.png   (prints one JSON object)
import { chromium } from 'playwright-core';

const [url, shot] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'],
});
const out = { requests: [], errors: [], console: [], history: [], aircraft: [] };
let closing = false;
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.on('pageerror', (e) => out.errors.push(String(e)));
  page.on('console', (m) => out.console.push(m.text()));
  const host = new URL(url).host;
  let release;
  const historyRead = new Promise((r) => { release = r; });
  // Nothing leaves 127.0.0.1 (the page's OpenStreetMap tiles and flags).
  await page.route('**/*', async (route) => {
    const u = new URL(route.request().url());
    if (u.host !== host) return route.abort();
    if (u.pathname.endsWith('/data/aircraft.json')) await historyRead;
    return route.continue();
  });
  page.on('response', async (r) => {
    const u = new URL(r.url());
    if (closing || u.host !== host || !u.pathname.includes('/data/')) return;
    out.requests.push({ path: u.pathname, status: r.status() });
    if (r.status() !== 200) return;
    try {
      if (/\/history_\d+\.json$/.test(u.pathname)) out.history.push(await r.json());
      else if (u.pathname.endsWith('/aircraft.json')) out.aircraft.push(await r.json());
    } catch (e) {
      if (!closing) out.errors.push(`${u.pathname}: ${e}`);
    }
  });
  await page.goto(url, { waitUntil: 'load' });
  await page.waitForFunction(() => typeof LastReceiverTimestamp !== 'undefined' && LastReceiverTimestamp > 0,
    null, { timeout: 30000 });
  // What the page drew from history alone: each plane's trail points (its
  // OpenLayers line strings, back to longitude/latitude) and its marker.
  const fromHistory = () => ({
    planes: PlanesOrdered.map((p) => ({
      icao: p.icao,
      position: p.position,
      visible: p.visible,
      marker: !!p.marker,
      trail: [].concat(...p.track_linesegs.map((s) => s.fixed.getCoordinates().map((c) => ol.proj.toLonLat(c)))),
    })),
    markers: PlaneIconFeatures.getLength(),
  });
  out.fromHistory = await page.evaluate(fromHistory);
  // Its live polls go through now (the page gives a request 5 s).
  release();
  // The aircraft with the longest trail selected through the page's own
  // function: its trail is drawn for the screenshot.
  out.selected = await page.evaluate(() => {
    const p = PlanesOrdered.filter((q) => q.position).sort((a, b) => b.history_size - a.history_size)[0];
    selectPlaneByHex(p.icao, false);
    OLMap.getView().setCenter(ol.proj.fromLonLat(p.position));
    OLMap.getView().setZoom(11);
    return { icao: p.icao, trailFeatures: PlaneTrailFeatures.getLength(),
             row: document.getElementById('selected_icao').textContent };
  });
  // Then the live polls: the page's time passes the history's, and its
  // header's count follows aircraft.json.
  const historyEnd = Math.max(...out.history.map((h) => h.now));
  await page.waitForFunction((t) => LastReceiverTimestamp > t, historyEnd, { timeout: 20000 }).catch(() => {});
  await page.waitForTimeout(1500);
  await page.screenshot({ path: shot });
  out.live = await page.evaluate(() => ({
    total: Number(document.getElementById('dump1090_total_ac').textContent),
    withPositions: Number(document.getElementById('dump1090_total_ac_positions').textContent),
    lastTimestamp: LastReceiverTimestamp,
    // What the page's own aircraft database (db/*.json) says of each.
    planes: PlanesOrdered.map((p) => ({ icao: p.icao, registration: p.registration, icaotype: p.icaotype })),
  }));
} catch (e) {
  out.errors.push(`test: ${e}`);
} finally {
  closing = true;
  await browser.close();
}
console.log(JSON.stringify(out));
