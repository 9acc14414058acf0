import type { Dirent } from 'node:fs';
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Resource } from 'fhir/r4.js';
import { csvRow } from './csv-cell.js';
import { digestFile, digestOf, HashedFileWriter, listFiles, mapInOrder, readJsonIfExists, writeAtomic, type FileDigest } from './packet-files.js';

/** A visit as kept in the export folder (internal/visits/<patient>/<date>_<procedure>.json, never in the payer packet; its PDF is visits/<date>_<Family>_MRN<mrn>.pdf): what the aggregates are rebuilt from, and what a rerun checks to reuse it. */
export interface VisitFile {
  readonly procedureId: string;
  /** Digest of the source resources and their versions (visit-summary.ts sourceHash). */
  readonly sourceHash: string;
  /** The payer policy id of the visit: a rerun with a payer filter reuses only matching visits. */
  readonly payer: string;
  readonly pdf?: string;
  /** SHA-256 and size of the PDF as written: the manifest takes them, and a rerun reuses the PDF only if the file still matches. */
  readonly pdfSha256?: string;
  readonly pdfBytes?: number;
  /** Pages of the PDF: the cover letter counts the packet's pages. */
  readonly pdfPages?: number;
  /** The visit's row of the internal index (FHIR references, readiness score). */
  readonly index: readonly (string | number)[];
  /** No signed version of the note: in the packet only when drafts are asked for. */
  readonly draft?: boolean;
  /** The payer's name on the patient's Coverage, for the cover letter. */
  readonly payerDisplay?: string;
  /** The Organization that manages the patient's record (the clinic), for the cover letter. */
  readonly clinic?: string;
  /** The visit's row of the payer's index.csv: names, identifiers and dates as people read them. */
  readonly payerIndex: readonly (string | number)[];
  readonly resources: readonly Resource[];
}

/** The internal index (internal/index.csv): FHIR references and the readiness score, for compliance staff. */
export const INDEX_HEADER = ['date', 'patient', 'encounter', 'performer', 'muscle_count', 'codes', 'payer', 'readiness_score', 'pdf'];
/** The payer's index.csv: one row per visit, patients by name and identifiers, the date of service in the clinic's zone. */
export const PAYER_INDEX_HEADER = ['date_of_service', 'patient_name', 'date_of_birth', 'mrn', 'member_id', 'performed_by', 'codes', 'payer', 'note_status', 'pages', 'pdf'];

/** The folder of material for compliance staff only: never part of the payer packet or its zip. */
export const INTERNAL_DIR = 'internal';

/** Files the export writes at the top of the folder; anything else there is listed in the internal manifest as found. */
const TOP_LEVEL = new Set(['index.csv', 'cover.pdf', 'certification.pdf', 'manifest.json', 'visits', INTERNAL_DIR]);
/** Files the export writes in internal/; anything else there is listed in the internal manifest as found. */
const INTERNAL_TOP = new Set(['index.csv', 'resources.ndjson', 'not-included.csv', 'manifest.json', 'patients', 'visits']);

export interface PacketContents {
  readonly visits: number;
  readonly patients: number;
  /** Pages of the visit PDFs in the packet. */
  readonly pages: number;
  /** The payer packet's files so far (not the cover, certification and manifest, written after), with their digests. */
  readonly payerFiles: readonly FileDigest[];
  /** The internal report's files and anything found in the folder, with their digests. */
  readonly internalFiles: readonly FileDigest[];
}

interface PatientFolder {
  readonly id: string;
  readonly records: readonly { readonly path: string; readonly file: VisitFile; readonly digest: FileDigest }[];
  readonly others: readonly FileDigest[];
}

/** The payer packet's folder of visit PDFs, named by date of service, family name and MRN (visit-file-name.ts), never by FHIR id. */
export const VISITS_DIR = 'visits';

/**
 * One patient's visit records (internal/visits/<patient>/) as this export leaves them: the records of
 * this run's visits read (bytes hashed as read, so each is read once); records of visits not in this
 * packet (an earlier export with other filters) and leftovers of interrupted writes removed; any
 * other file kept and hashed as found.
 */
async function loadPatientFolder(out: string, id: string, current: ReadonlySet<string>): Promise<PatientFolder> {
  const recordDir = `${INTERNAL_DIR}/visits/${id}`;
  const records: PatientFolder['records'][number][] = [];
  const others: FileDigest[] = [];
  for (const name of (await readdir(join(out, recordDir)).catch(() => [] as string[])).sort()) {
    const path = `${recordDir}/${name}`;
    if (name.endsWith('.json') && current.has(path)) {
      const bytes = await readFile(join(out, path)).catch(() => undefined);
      const file = bytes ? parseRecord(bytes) : undefined;
      if (bytes && file) records.push({ path, file, digest: { path, ...digestOf(bytes) } });
    } else if (name.endsWith('.json') || name.endsWith('.part')) await rm(join(out, path), { force: true });
    else others.push(await digestFile(out, path));
  }
  return { id, records, others };
}

/**
 * The visits folder as this export leaves it: PDFs no record of this packet points to (an earlier
 * export with other filters, a crash between a PDF and its record) and leftovers of interrupted
 * writes removed; any other file kept and listed, as found, in the internal manifest.
 */
async function tidyVisitsFolder(out: string, referenced: ReadonlySet<string>): Promise<FileDigest[]> {
  const others: FileDigest[] = [];
  for (const entry of await readdir(join(out, VISITS_DIR), { withFileTypes: true }).catch(() => [] as Dirent[])) {
    const path = `${VISITS_DIR}/${entry.name}`;
    if (entry.isFile() && (entry.name.endsWith('.pdf') || entry.name.endsWith('.json')) && !referenced.has(path)) await rm(join(out, path), { force: true });
    else if (!referenced.has(path)) others.push(...(await keptAsFound(out, VISITS_DIR, entry)));
  }
  return others;
}

/**
 * A file or folder the export did not write, found in `dir` (packet-relative, '' for the top): kept
 * and listed with the digest it has now; a leftover of an interrupted write (`.part`) is removed.
 */
async function keptAsFound(out: string, dir: string, entry: Dirent): Promise<FileDigest[]> {
  const path = dir ? `${dir}/${entry.name}` : entry.name;
  if (entry.name.endsWith('.part')) {
    await rm(join(out, path), { force: true });
    return [];
  }
  if (!entry.isDirectory()) return [await digestFile(out, path)];
  const found: FileDigest[] = [];
  for (const inner of await listFiles(join(out, path))) found.push(await digestFile(out, `${path}/${inner}`));
  return found;
}

function parseRecord(bytes: Buffer): VisitFile | undefined {
  try {
    return JSON.parse(bytes.toString('utf8')) as VisitFile;
  } catch {
    return undefined;
  }
}

/**
 * Rebuilds the packet's aggregates from the visit records of this run (`current`, folder-relative
 * paths): the payer's index.csv (one row per visit, by name and identifiers), and for compliance staff
 * under internal/ the internal index (FHIR references, readiness score), resources.ndjson (every source
 * resource) and a FHIR `collection` Bundle per patient. Patients are taken in id order and their visits in file-name
 * (date) order, reading a few patients ahead. Every file gets its digest here, from the bytes
 * written or read, so the manifest needs no second pass over the packet.
 */
export async function assemblePacket(out: string, current: ReadonlySet<string>, fhirBase: string): Promise<PacketContents> {
  const payerFiles: FileDigest[] = [];
  const files: FileDigest[] = [];
  const payerIndex = new HashedFileWriter(join(out, 'index.csv'));
  const index = new HashedFileWriter(join(out, INTERNAL_DIR, 'index.csv'));
  const ndjson = new HashedFileWriter(join(out, INTERNAL_DIR, 'resources.ndjson'));
  await payerIndex.write(csvRow(PAYER_INDEX_HEADER));
  await index.write(csvRow(INDEX_HEADER));
  let visits = 0;
  let patients = 0;
  let pages = 0;
  const ids = [...new Set([...(await readdir(join(out, INTERNAL_DIR, 'patients')).catch(() => [] as string[])), ...(await readdir(join(out, INTERNAL_DIR, 'visits')).catch(() => [] as string[]))])].sort();
  const referenced = new Set<string>();
  for await (const folder of mapInOrder(ids, 8, (id) => loadPatientFolder(out, id, current))) {
    const bundlePath = join(out, INTERNAL_DIR, 'patients', folder.id, 'bundle.json');
    if (!folder.records.length) {
      await rm(bundlePath, { force: true });
      if (!folder.others.length) for (const dir of [join(out, INTERNAL_DIR, 'visits', folder.id), join(out, INTERNAL_DIR, 'patients', folder.id)]) await rm(dir, { recursive: true, force: true });
      files.push(...folder.others);
      continue;
    }
    files.push(...folder.others);
    const entries: string[] = [];
    for (const { file, digest } of folder.records) {
      visits += 1;
      files.push(digest);
      if (file.pdf) referenced.add(file.pdf);
      if (file.pdf && file.pdfSha256 !== undefined && file.pdfBytes !== undefined) payerFiles.push({ path: file.pdf, sha256: file.pdfSha256, bytes: file.pdfBytes });
      pages += file.pdfPages ?? 0;
      await payerIndex.write(csvRow(file.payerIndex));
      await index.write(csvRow(file.index));
      for (const resource of file.resources) {
        const json = JSON.stringify(resource);
        await ndjson.write(`${json}\n`);
        entries.push(`{"fullUrl":${JSON.stringify(`${fhirBase}/${resource.resourceType}/${resource.id ?? ''}`)},"resource":${json}}`);
      }
    }
    patients += 1;
    // Written as text from the resources already serialised for the NDJSON: no second serialisation of each resource.
    const bundle = `{"resourceType":"Bundle","type":"collection","timestamp":${JSON.stringify(new Date().toISOString())},"entry":[\n${entries.join(',\n')}\n]}\n`;
    const path = `${INTERNAL_DIR}/patients/${folder.id}/bundle.json`;
    files.push({ path, ...(await writeAtomic(join(out, path), bundle)) });
  }
  files.push(...(await tidyVisitsFolder(out, referenced)));
  payerFiles.push({ path: 'index.csv', ...(await payerIndex.close()) });
  files.push({ path: `${INTERNAL_DIR}/index.csv`, ...(await index.close()) }, { path: `${INTERNAL_DIR}/resources.ndjson`, ...(await ndjson.close()) });
  for (const entry of await readdir(out, { withFileTypes: true })) if (!TOP_LEVEL.has(entry.name)) files.push(...(await keptAsFound(out, '', entry)));
  for (const entry of await readdir(join(out, INTERNAL_DIR), { withFileTypes: true })) if (!INTERNAL_TOP.has(entry.name)) files.push(...(await keptAsFound(out, INTERNAL_DIR, entry)));
  return { visits, patients, pages, payerFiles, internalFiles: files };
}

/** The record of one visit from an earlier run, if there is one and it still reads. */
export const readVisitFile = (path: string): Promise<VisitFile | undefined> => readJsonIfExists<VisitFile>(path);
