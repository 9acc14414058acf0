import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { BodyMapData } from '../notes/body-map-svg.js';

/** profiles/body-map.json: the figures and one hotspot per catalog muscle (checked by its unit test). */
export function loadBodyMap(): BodyMapData {
  return JSON.parse(readFileSync(fileURLToPath(new URL('../../profiles/body-map.json', import.meta.url)), 'utf8')) as BodyMapData;
}
