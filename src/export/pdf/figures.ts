import type PDFDocument from 'pdfkit';
import { bodyMapDrawing, type BodyMapData, type MarkedMuscle } from '../../notes/body-map-svg.js';
import { pdfText } from './pdf-text.js';

type Doc = InstanceType<typeof PDFDocument>;

/** The front and back figures as vectors, needled muscles filled, lung-risk ones outlined in red. */
export function drawBodyMaps(doc: Doc, data: BodyMapData, marked: readonly MarkedMuscle[], x: number, y: number, height: number): void {
  const scale = height / 420;
  (['front', 'back'] as const).forEach((view, i) => {
    const drawing = bodyMapDrawing(data, view, marked);
    doc.save();
    doc.translate(x + i * (200 * scale + 16), y).scale(scale);
    for (const d of drawing.outline) doc.path(d).lineWidth(1).fillAndStroke('#eef1f4', '#8795a3');
    for (const e of drawing.needled) {
      doc.ellipse(e.cx, e.cy, e.rx, e.ry).lineWidth(e.risk ? 2 : 1).fillAndStroke('#1f6f8b', e.risk ? '#b4441d' : '#0d3a4a');
    }
    doc.fillColor('#5b6876').fontSize(16);
    for (const m of drawing.sideMarkers) doc.text(pdfText(m.text), m.x, m.y - 14, { lineBreak: false });
    doc.restore();
    doc.fillColor('#1d2733').fontSize(8).text(pdfText(view === 'front' ? 'Front' : 'Back'), x + i * (200 * scale + 16), y + height + 2, { width: 200 * scale, align: 'center', lineBreak: false });
  });
}

/** Pain before (dark) and after (light) across the course, 0–10, one point per visit. */
export function drawPainTrend(doc: Doc, points: readonly { date: string; pre?: number; post?: number }[], x: number, y: number, width: number, height: number): void {
  doc.save();
  doc.lineWidth(0.5).strokeColor('#9aa7b4').rect(x, y, width, height).stroke();
  doc.fillColor('#5b6876').fontSize(7);
  for (const v of [0, 5, 10]) doc.text(pdfText(String(v)), x - 12, y + height - (v / 10) * height - 3, { lineBreak: false });
  const n = points.length;
  const px = (i: number) => x + (n <= 1 ? width / 2 : (i / (n - 1)) * width);
  const py = (v: number) => y + height - (v / 10) * height;
  for (const [key, color] of [['pre', '#0d3a4a'], ['post', '#6fb3c9']] as const) {
    const series = points.map((p, i) => [i, p[key]] as const).filter((s): s is readonly [number, number] => s[1] !== undefined);
    if (!series.length) continue;
    doc.lineWidth(1.5).strokeColor(color);
    series.forEach(([i, v], k) => (k === 0 ? doc.moveTo(px(i), py(v)) : doc.lineTo(px(i), py(v))));
    doc.stroke();
    for (const [i, v] of series) doc.circle(px(i), py(v), 2).fill(color);
  }
  doc.fillColor('#1d2733').fontSize(7);
  points.forEach((p, i) => doc.text(pdfText(`${Number(p.date.slice(5, 7))}/${Number(p.date.slice(8, 10))}`), px(i) - 12, y + height + 3, { width: 24, align: 'center', lineBreak: false }));
  doc.text(pdfText('Pain 0-10: before (dark), after (light)'), x, y - 10, { lineBreak: false });
  doc.restore();
}
