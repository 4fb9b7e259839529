// End-to-end map test in headless Chromium (Debian's /usr/bin/chromium driven
// by playwright-core): the page loads against a running `skyfuse run`, tracks
// appear and move, one is selected and its detail panel shows, a screenshot is
// saved, and a 5,000-track picture is drawn and timed.
//   node web/test/browser_test.mjs http://127.0.0.1:8080/ out.png
import { chromium } from 'playwright-core';

const [url, shot] = process.argv.slice(2);
if (!url || !shot) {
  console.error('usage: browser_test.mjs URL SCREENSHOT.png');
  process.exit(2);
}
const fail = (msg) => { console.error(`browser test: FAIL: ${msg}`); process.exitCode = 1; };

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('requestfailed', (r) => errors.push(`request failed: ${r.url()}`));
  await page.goto(url, { waitUntil: 'load' });
  await page.waitForFunction(() => window.skyfuse && window.skyfuse.trackCount() > 5, null, { timeout: 60000 });
  const before = await page.evaluate(() => window.skyfuse.tracks());
  console.log(`tracks on the map: ${before.length}`);
  // Tracks move: wait for later pictures and compare positions of the same ids.
  const pictures = await page.evaluate(() => window.skyfuse.pictures());
  await page.waitForFunction((n) => window.skyfuse.pictures() >= n + 3, pictures, { timeout: 60000 });
  const after = await page.evaluate(() => window.skyfuse.tracks());
  const old = new Map(before.map((t) => [t.id, t]));
  let moved = 0;
  for (const t of after) {
    const o = old.get(t.id);
    if (o && (Math.abs(o.lat - t.lat) > 1e-5 || Math.abs(o.lon - t.lon) > 1e-5)) moved++;
  }
  console.log(`tracks that moved over 3 pictures: ${moved}`);
  if (moved < 3) fail('tracks do not move');
  // The base map arrived (served locally from world-atlas) and nothing failed to load.
  // Select a track by clicking it on the canvas.
  const box = await page.locator('#map').boundingBox();
  const target = after.find((t) => t.x > 40 && t.y > 40 && t.x < box.width - 40 && t.y < box.height - 40);
  if (!target) {
    fail('no track inside the view to click');
  } else {
    await page.mouse.click(box.x + target.x, box.y + target.y);
    await page.waitForFunction(() => window.skyfuse.detail() !== null, null, { timeout: 10000 });
    const sel = await page.evaluate(() => window.skyfuse.selected());
    const panel = await page.locator('#detail').innerText();
    console.log(`selected track ${sel}: ${panel.replace(/\s+/g, ' ').slice(0, 200)}`);
    if (!/Class/.test(panel) || !/IMM mode/.test(panel) || !/Sensors/.test(panel)) fail('detail panel incomplete');
  }
  await page.waitForTimeout(500);
  await page.screenshot({ path: shot });
  console.log(`screenshot: ${shot}`);
  // 5,000 tracks: draw time of one full frame (base map cached, labels on).
  const ms = await page.evaluate(() => {
    const p = { type: 'picture', time: 0, mode: 'live', tracks: [], alerts: [] };
    const v = window.skyfuse.view;
    for (let i = 0; i < 5000; i++) {
      p.tracks.push({ id: `s${i}`, lat: v.lat + (Math.random() - 0.5) * 3, lon: v.lon + (Math.random() - 0.5) * 5,
        alt: 3000 + Math.random() * 9000, gs: 200, trk: Math.random() * 360, vr: 0, cls: 'fixed_wing',
        st: 'confirmed', cs: `T${i}`, conf: 0.9, modes: [1, 0, 0], sx: 50, sy: 50, rho: 0, sen: [1] });
    }
    window.skyfuse.inject(p);
    const times = [];
    for (let k = 0; k < 10; k++) times.push(window.skyfuse.redraw());
    times.sort((a, b) => a - b);
    return { median: times[5], max: times[9] };
  });
  console.log(`5000 tracks: frame draw median ${ms.median.toFixed(1)} ms, max ${ms.max.toFixed(1)} ms`);
  if (ms.median > 250) fail('drawing 5,000 tracks takes more than 250 ms');
  if (errors.length) fail(`page errors: ${errors.join('; ')}`);
} finally {
  await browser.close();
}
