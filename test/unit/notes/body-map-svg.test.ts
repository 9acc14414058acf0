import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import type { MuscleCatalogFile } from '../../../src/domain/types.generated.js';
import {
  bodyMapDrawing,
  hotspot,
  renderBodyMapSvg,
  type BodyMapData,
  type BodySide,
  type BodyView,
  type MarkedMuscle,
} from '../../../src/notes/body-map-svg.js';

const readJson = (path: string): unknown => JSON.parse(readFileSync(new URL(path, import.meta.url), 'utf8'));

const data = readJson('../../../profiles/body-map.json') as BodyMapData;
const schema = readJson('../../../profiles/body-map.schema.json') as Record<string, unknown>;
const catalog = (readJson('../../../profiles/muscles.json') as MuscleCatalogFile).muscles;
const labels = new Map(catalog.map((m) => [m.id, m.display]));

const VIEWS: readonly BodyView[] = ['front', 'back'];
const SIDES: readonly BodySide[] = ['right', 'left'];

const upperTrapRight: MarkedMuscle = { muscle: 'upper-trapezius', side: 'right', risk: true, label: 'Upper trapezius (right)' };

/** Every `<ellipse …>` element with its attributes, as a map per element. */
function ellipses(svg: string): Record<string, string>[] {
  return [...svg.matchAll(/<ellipse\b([^>]*)>/g)].map((m) => Object.fromEntries([...(m[1] ?? '').matchAll(/([\w-]+)="([^"]*)"/g)].map((a) => [a[1], a[2]])));
}

describe('profiles/body-map.json', () => {
  it('when validated with ajv 8 strict against body-map.schema.json, then it is valid', () => {
    const ajv = new Ajv({ strict: true, allErrors: true });
    const validate = ajv.compile(schema);
    expect(validate(data), JSON.stringify(validate.errors)).toBe(true);
  });

  it('when compared with the muscle catalog, then every catalog muscle has a hotspot and there are no extra ids', () => {
    expect(Object.keys(data.muscles).sort()).toEqual(catalog.map((m) => m.id).sort());
  });

  it('when a catalog muscle is on one view only, then its hotspot is on that view', () => {
    for (const m of catalog) if (m.view !== 'both') expect(data.muscles[m.id]?.view, m.id).toBe(m.view);
  });

  it('when hotspots are read, then front right x ≤ 100, back right x ≥ 100 and the left side is at 200 − x', () => {
    for (const [id, h] of Object.entries(data.muscles)) {
      if (h.view === 'front') expect(h.x, id).toBeLessThanOrEqual(100);
      else expect(h.x, id).toBeGreaterThanOrEqual(100);
      expect(hotspot(data, id, 'right', h.view), id).toEqual({ cx: h.x, cy: h.y, rx: h.rx, ry: h.ry });
      expect(hotspot(data, id, 'left', h.view), id).toEqual({ cx: 200 - h.x, cy: h.y, rx: h.rx, ry: h.ry });
    }
  });

  it('when hotspots on the same view and side are compared, then no two centres are closer than 4 units', () => {
    const tooClose: string[] = [];
    for (const view of VIEWS) {
      for (const side of SIDES) {
        const spots = Object.keys(data.muscles).flatMap((id) => {
          const e = hotspot(data, id, side, view);
          return e ? [{ id, ...e }] : [];
        });
        for (const [i, a] of spots.entries()) {
          for (const b of spots.slice(i + 1)) if (Math.hypot(a.cx - b.cx, a.cy - b.cy) < 4) tooClose.push(`${view} ${side}: ${a.id} / ${b.id}`);
        }
      }
    }
    expect(tooClose).toEqual([]);
  });

  it('when the anatomy is spot-checked, then landmark muscles sit in the right region', () => {
    const at = (id: string) => data.muscles[id];
    expect(at('upper-trapezius')).toMatchObject({ view: 'back' });
    expect(at('gastrocnemius')).toMatchObject({ view: 'back' });
    expect(at('tibialis-anterior')).toMatchObject({ view: 'front' });
    expect(at('masseter')).toMatchObject({ view: 'front' });
    expect(at('masseter')?.y).toBeLessThan(60); // on the head
    expect(at('gastrocnemius')?.y).toBeGreaterThan(300); // below the knee
    for (const id of ['abductor-hallucis', 'flexor-digitorum-brevis', 'quadratus-plantae']) expect(at(id)).toMatchObject({ view: 'back' });
    for (const id of ['abductor-hallucis', 'flexor-digitorum-brevis', 'quadratus-plantae']) expect(at(id)?.y, id).toBeGreaterThan(385); // the foot
  });
});

describe('hotspot', () => {
  it('when the muscle is drawn on the other view or is unknown, then it is undefined', () => {
    expect(hotspot(data, 'upper-trapezius', 'right', 'front')).toBeUndefined();
    expect(hotspot(data, 'no-such-muscle', 'right', 'front')).toBeUndefined();
    expect(hotspot(data, 'constructor', 'left', 'back')).toBeUndefined();
  });
});

describe('renderBodyMapSvg', () => {
  it('when the front view is rendered with a marked right upper trapezius (a back muscle), then it is drawn only on the back, needled and at risk', () => {
    const front = renderBodyMapSvg(data, { view: 'front', marked: [upperTrapRight], interactive: false });
    expect(front).not.toContain('upper-trapezius');
    expect(ellipses(front)).toEqual([]);

    const back = renderBodyMapSvg(data, { view: 'back', marked: [upperTrapRight], interactive: false });
    const drawn = ellipses(back);
    expect(drawn).toHaveLength(1);
    expect(drawn[0]).toMatchObject({ class: 'nc-hotspot nc-needled nc-risk', 'data-muscle': 'upper-trapezius', 'data-side': 'right', cx: String(data.muscles['upper-trapezius']?.x) });
    expect(Number(drawn[0]?.cx)).toBeGreaterThan(100);
  });

  it('when a marked muscle has no risk, then it is needled without nc-risk', () => {
    const svg = renderBodyMapSvg(data, { view: 'back', marked: [{ muscle: 'gastrocnemius', side: 'left', risk: false, label: 'Gastrocnemius (left)' }], interactive: false });
    expect(ellipses(svg)[0]).toMatchObject({ class: 'nc-hotspot nc-needled', 'data-side': 'left' });
  });

  it('when interactive, then there is one focusable button per (muscle, side) on that view, labelled with display name and side', () => {
    for (const view of VIEWS) {
      const svg = renderBodyMapSvg(data, { view, marked: [upperTrapRight], interactive: true, labels });
      const drawn = ellipses(svg);
      const expected = Object.entries(data.muscles).filter(([, h]) => h.view === view).flatMap(([id]) => SIDES.map((side) => `${id}/${side}`));
      expect(drawn.map((e) => `${e['data-muscle']}/${e['data-side']}`).sort()).toEqual(expected.sort());
      for (const e of drawn) {
        expect(e).toMatchObject({ role: 'button', tabindex: '0', 'aria-label': `${labels.get(e['data-muscle'] ?? '')} (${e['data-side']})` });
      }
      const needled = drawn.filter((e) => e.class?.includes('nc-needled'));
      expect(needled.map((e) => e['aria-label'])).toEqual(view === 'back' ? ['Upper trapezius (right)'] : []);
      if (view === 'back') expect(needled[0]).toMatchObject({ class: 'nc-hotspot nc-needled nc-risk', 'aria-pressed': 'true' });
    }
  });

  it('when riskMuscles is given, then those hotspots carry nc-risk before they are needled and others do not', () => {
    const riskMuscles = new Set(catalog.filter((m) => m.pneumothoraxRisk.risk).map((m) => m.id));
    const drawn = ellipses(renderBodyMapSvg(data, { view: 'back', marked: [], interactive: true, labels, riskMuscles }));
    for (const e of drawn) {
      expect(e.class, e['data-muscle']).toBe(riskMuscles.has(e['data-muscle'] ?? '') ? 'nc-hotspot nc-risk' : 'nc-hotspot');
      expect(e['aria-pressed']).toBe('false');
    }
    expect(drawn.some((e) => e.class === 'nc-hotspot nc-risk')).toBe(true);
  });

  it('when a label has no display name, then the id labels the hotspot', () => {
    const svg = renderBodyMapSvg(data, { view: 'front', marked: [], interactive: true });
    expect(svg).toContain('aria-label="masseter (left)"');
  });

  it('when a label or title contains <script>"&\', then it is escaped everywhere', () => {
    const evil = `<script>"&'`;
    const marked: MarkedMuscle[] = [{ muscle: 'masseter', side: 'right', risk: false, label: evil }];
    const outputs = [
      renderBodyMapSvg(data, { view: 'front', marked, interactive: false, title: evil }),
      renderBodyMapSvg(data, { view: 'front', marked, interactive: true, labels: { masseter: evil } }),
    ];
    for (const svg of outputs) {
      expect(svg).not.toContain('<script');
      expect(svg).toContain('&lt;script&gt;&quot;&amp;&#39;');
    }
  });

  it('when any map is rendered, then it has a title, no script, no on* handler, no style, and every ellipse is closed', () => {
    for (const view of VIEWS) {
      for (const interactive of [true, false]) {
        const svg = renderBodyMapSvg(data, { view, marked: [upperTrapRight, { muscle: 'pectoralis-major', side: 'left', risk: true, label: 'Pectoralis major (left)' }], interactive, labels });
        expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
        expect(svg).toMatch(/<title>[^<]+<\/title>/);
        expect(svg).not.toMatch(/<script/i);
        expect(svg).not.toMatch(/\son[a-z]+\s*=/i);
        expect(svg).not.toMatch(/\sstyle\s*=|<style/i);
        const opened = (svg.match(/<ellipse\b/g) ?? []).length;
        expect(opened).toBeGreaterThan(0);
        expect((svg.match(/<\/ellipse>/g) ?? []).length).toBe(opened);
        expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
      }
    }
  });
});

describe('bodyMapDrawing', () => {
  it('when drawn for a PDF, then the outline is the figure and the needled centres are the ones hotspot() gives', () => {
    const marked: MarkedMuscle[] = [
      upperTrapRight,
      { muscle: 'gastrocnemius', side: 'left', risk: false, label: 'Gastrocnemius (left)' },
      { muscle: 'masseter', side: 'left', risk: false, label: 'Masseter (left)' },
    ];
    const back = bodyMapDrawing(data, 'back', marked);
    expect(back.outline).toEqual(data.figures.back.outline);
    expect(back.needled).toEqual([
      { ...hotspot(data, 'upper-trapezius', 'right', 'back'), risk: true, label: 'Upper trapezius (right)' },
      { ...hotspot(data, 'gastrocnemius', 'left', 'back'), risk: false, label: 'Gastrocnemius (left)' },
    ]);
    expect(bodyMapDrawing(data, 'front', marked).needled).toEqual([{ ...hotspot(data, 'masseter', 'left', 'front'), risk: false, label: 'Masseter (left)' }]);
  });

  it('when the same muscle and side is marked twice, then it is drawn once and at risk if either mark is', () => {
    const marked: MarkedMuscle[] = [{ ...upperTrapRight, risk: false }, upperTrapRight];
    expect(bodyMapDrawing(data, 'back', marked).needled).toHaveLength(1);
    expect(bodyMapDrawing(data, 'back', marked).needled[0]?.risk).toBe(true);
  });

  it('when drawn, then the R marker is on the viewer\'s left of the front and the viewer\'s right of the back', () => {
    const r = (view: BodyView) => bodyMapDrawing(data, view, []).sideMarkers.find((m) => m.text === 'R')?.x ?? NaN;
    expect(r('front')).toBeLessThan(100);
    expect(r('back')).toBeGreaterThan(100);
  });
});
