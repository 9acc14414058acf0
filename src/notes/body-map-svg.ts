/**
 * The body map: front and back figures on which the therapist clicks needled muscles, and which PDF
 * audit packets draw as vectors. Pure functions over profiles/body-map.json (no I/O, no DOM), so the
 * chart page, the note and the PDF all place a muscle in exactly the same spot.
 *
 * The data holds one ellipse per muscle for the PATIENT'S RIGHT side; the left side is its mirror
 * image x' = 200 − x. In the front view the patient's right is on the viewer's left (x < 100), in the
 * back view on the viewer's right (x > 100), the way clinicians read anatomical figures.
 */

/** Which figure. */
export type BodyView = 'front' | 'back';

/** The patient's side, not the viewer's. */
export type BodySide = 'left' | 'right';

/** One muscle's hotspot as stored: the patient's right side, in its figure's coordinates. */
export interface BodyMapHotspot {
  readonly view: BodyView;
  readonly x: number;
  readonly y: number;
  readonly rx: number;
  readonly ry: number;
}

/** The shape of profiles/body-map.json (validated by body-map.schema.json). */
export interface BodyMapData {
  readonly viewBox: string;
  readonly figures: { readonly [V in BodyView]: { readonly outline: readonly string[] } };
  readonly muscles: Readonly<Record<string, BodyMapHotspot>>;
}

/** An ellipse ready to draw, in figure coordinates. */
export interface Ellipse {
  readonly cx: number;
  readonly cy: number;
  readonly rx: number;
  readonly ry: number;
}

/** A muscle charted as needled on one side; `label` is what a reader sees, e.g. "Upper trapezius (right)". */
export interface MarkedMuscle {
  readonly muscle: string;
  readonly side: BodySide;
  readonly risk: boolean;
  readonly label: string;
}

/** Display names by muscle id (catalog `display`); a muscle without one is labelled by its id. */
export type MuscleLabels = ReadonlyMap<string, string> | Readonly<Record<string, string>>;

export interface BodyMapSvgOptions {
  readonly view: BodyView;
  readonly marked: readonly MarkedMuscle[];
  /** true: every hotspot is a keyboard-focusable button (chart page); false: only needled muscles are drawn (note, PDF). */
  readonly interactive: boolean;
  /** Accessible name of the figure; a sensible default is built from the view and the needled muscles. */
  readonly title?: string;
  readonly labels?: MuscleLabels;
  /**
   * Muscles flagged for pneumothorax risk in the catalog. Their hotspots carry "nc-risk" even before
   * they are needled, so an interactive map shows the risk zones before the click, and the page can
   * toggle "nc-needled" alone.
   */
  readonly riskMuscles?: ReadonlySet<string>;
}

/** A needled muscle as the PDF draws it: no SVG, just geometry and text. */
export interface NeedledEllipse extends Ellipse {
  readonly risk: boolean;
  readonly label: string;
}

/** The "R" / "L" letter (the patient's side) at its baseline start, so a printed figure cannot be read mirrored. */
export interface SideMarker {
  readonly text: 'R' | 'L';
  readonly x: number;
  readonly y: number;
}

/** Everything a PDF library needs to draw one figure as vectors. */
export interface BodyMapDrawing {
  readonly outline: string[];
  readonly needled: NeedledEllipse[];
  readonly sideMarkers: SideMarker[];
}

/** Width of one figure; the mirror line is at half of it. */
export const FIGURE_WIDTH = 200;

const SIDES: readonly BodySide[] = ['right', 'left'];

/** Escapes text for SVG/XML content and double- or single-quoted attributes. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

/** The stored hotspot of a muscle, own properties only (so "constructor" or "__proto__" are never found). */
function storedHotspot(data: BodyMapData, muscle: string): BodyMapHotspot | undefined {
  return Object.hasOwn(data.muscles, muscle) ? data.muscles[muscle] : undefined;
}

/**
 * The ellipse of `muscle` on the patient's `side` in `view`, or undefined when the muscle is not drawn
 * on that view (or not on the map at all). The left side mirrors the stored right side: x' = 200 − x.
 */
export function hotspot(data: BodyMapData, muscle: string, side: BodySide, view: BodyView): Ellipse | undefined {
  const h = storedHotspot(data, muscle);
  if (!h || h.view !== view) return undefined;
  return { cx: side === 'right' ? h.x : FIGURE_WIDTH - h.x, cy: h.y, rx: h.rx, ry: h.ry };
}

/** "R" on the viewer's left of the front figure and on the viewer's right of the back figure. */
export function sideMarkers(view: BodyView): SideMarker[] {
  const near = 4;
  const far = FIGURE_WIDTH - 16; // room for one 16-unit letter drawn from its start
  return [
    { text: 'R', x: view === 'front' ? near : far, y: 16 },
    { text: 'L', x: view === 'front' ? far : near, y: 16 },
  ];
}

const isMap = (labels: MuscleLabels): labels is ReadonlyMap<string, string> => labels instanceof Map;

function lookupLabel(labels: MuscleLabels | undefined, muscle: string): string | undefined {
  if (!labels) return undefined;
  if (isMap(labels)) return labels.get(muscle);
  return Object.hasOwn(labels, muscle) ? labels[muscle] : undefined;
}

/** "Upper trapezius (right)": the display name from `labels`, else the id, and the patient's side. */
export function hotspotLabel(labels: MuscleLabels | undefined, muscle: string, side: BodySide): string {
  return `${lookupLabel(labels, muscle) ?? muscle} (${side})`;
}

const key = (muscle: string, side: BodySide): string => `${side}:${muscle}`;

interface Needled {
  readonly muscle: string;
  readonly side: BodySide;
  readonly drawn: NeedledEllipse;
}

/**
 * The marked muscles drawn on `view`, one per (muscle, side) in the order first marked; a muscle
 * marked twice is at risk when either mark says so. Muscles on the other view or not on the map are
 * left out: they are drawn on the other figure.
 */
function needledOnView(data: BodyMapData, view: BodyView, marked: readonly MarkedMuscle[]): Map<string, Needled> {
  const out = new Map<string, Needled>();
  for (const m of marked) {
    const e = hotspot(data, m.muscle, m.side, view);
    if (!e) continue;
    const k = key(m.muscle, m.side);
    const seen = out.get(k);
    const drawn = seen ? { ...seen.drawn, risk: seen.drawn.risk || m.risk } : { ...e, risk: m.risk, label: m.label };
    out.set(k, { muscle: m.muscle, side: m.side, drawn });
  }
  return out;
}

const num = (n: number): string => String(Math.round(n * 100) / 100);

function hotspotClass(needled: boolean, risk: boolean): string {
  return `nc-hotspot${needled ? ' nc-needled' : ''}${risk ? ' nc-risk' : ''}`;
}

function ellipseElement(muscle: string, side: BodySide, e: Ellipse, attrs: string, tooltip: string): string {
  return (
    `<ellipse ${attrs} data-muscle="${escapeXml(muscle)}" data-side="${escapeXml(side)}" cx="${num(e.cx)}" cy="${num(e.cy)}" rx="${num(e.rx)}" ry="${num(e.ry)}">` +
    `<title>${escapeXml(tooltip)}</title></ellipse>`
  );
}

function defaultTitle(view: BodyView, needled: readonly NeedledEllipse[], interactive: boolean): string {
  const name = `Body map, ${view} view`;
  if (interactive) return `${name}: select the needled muscles`;
  return needled.length ? `${name}: needled ${needled.map((n) => n.label).join('; ')}` : `${name}: no muscles needled on this view`;
}

/**
 * The figure as an SVG string: outline paths, then hotspots. Interactive maps draw every muscle of
 * that view on both sides as a focusable toggle button (data-muscle, data-side, aria-label,
 * aria-pressed), needled ones with class "nc-needled"; "nc-risk" marks pneumothorax risk (from the mark or
 * `riskMuscles`). Non-interactive maps draw only the needled muscles. Styling is by CSS classes only and there are no scripts or
 * event handlers, so the markup works under the page's strict Content-Security-Policy; every text is
 * escaped.
 */
export function renderBodyMapSvg(data: BodyMapData, options: BodyMapSvgOptions): string {
  const { view, interactive, labels, riskMuscles } = options;
  const needled = needledOnView(data, view, options.marked);
  const title = options.title ?? defaultTitle(view, [...needled.values()].map((n) => n.drawn), interactive);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="${escapeXml(data.viewBox)}" class="nc-body-map nc-body-map-${view}" role="${interactive ? 'group' : 'img'}">`,
    `<title>${escapeXml(title)}</title>`,
    '<g class="nc-body-outline">',
    ...data.figures[view].outline.map((d) => `<path d="${escapeXml(d)}"/>`),
    '</g>',
    '<g class="nc-side-markers" aria-hidden="true">',
    ...sideMarkers(view).map((m) => `<text class="nc-side-marker" x="${num(m.x)}" y="${num(m.y)}">${m.text}</text>`),
    '</g>',
    '<g class="nc-hotspots">',
  ];
  if (interactive) {
    for (const muscle of Object.keys(data.muscles)) {
      for (const side of SIDES) {
        const e = hotspot(data, muscle, side, view);
        if (!e) continue;
        const n = needled.get(key(muscle, side))?.drawn;
        const label = hotspotLabel(labels, muscle, side);
        const risk = (n?.risk ?? false) || (riskMuscles?.has(muscle) ?? false);
        const attrs = `class="${hotspotClass(n !== undefined, risk)}" role="button" tabindex="0" aria-pressed="${n ? 'true' : 'false'}" aria-label="${escapeXml(label)}"`;
        parts.push(ellipseElement(muscle, side, e, attrs, label));
      }
    }
  } else {
    for (const { muscle, side, drawn } of needled.values()) {
      const risk = drawn.risk || (riskMuscles?.has(muscle) ?? false);
      parts.push(ellipseElement(muscle, side, drawn, `class="${hotspotClass(true, risk)}"`, drawn.label));
    }
  }
  parts.push('</g>', '</svg>');
  return parts.join('\n');
}

/**
 * One figure as plain geometry for a PDF library: the outline path data (drawn in order, same fill and
 * stroke), the needled muscles on this view as ellipses with their risk flag and label, and the R/L
 * letters. The centres are the ones `hotspot()` gives, so the PDF matches the chart page.
 */
export function bodyMapDrawing(data: BodyMapData, view: BodyView, marked: readonly MarkedMuscle[]): BodyMapDrawing {
  return {
    outline: [...data.figures[view].outline],
    needled: [...needledOnView(data, view, marked).values()].map((n) => n.drawn),
    sideMarkers: sideMarkers(view),
  };
}
