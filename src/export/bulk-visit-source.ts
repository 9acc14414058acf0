import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { pipeline } from 'node:stream/promises';
import type { FhirResource, Procedure } from 'fhir/r4.js';
import type { BulkManifest, FhirGateway } from '../fhir/client.js';
import { upstream } from '../outcome/operation-outcome-error.js';
import type { ExportFilters } from './export-filters.js';
import { PRIVATE_FILE } from './packet-files.js';
import { procedureMatches, procedureQuery, VisitGathering, visitsOf, type VisitPage, type VisitRecord } from './visit-source.js';

/** The types a visit is made of, as the export asks for them. */
const VISIT_TYPES = ['Procedure', 'Observation', 'DocumentReference', 'Provenance'] as const;
/** Visits per bucket file: the join holds one bucket's resources in memory at a time (a few MB at this size). */
const VISITS_PER_BUCKET = 200;
/** Bucket files open at once (well under the usual limit of 1,024 open files); more buckets take more rounds. */
const MAX_OPEN_BUCKETS = 256;

export interface BulkSourceOptions {
  readonly pageSize?: number;
  /** How long to wait for the EHR to finish the export (default 30 minutes). */
  readonly waitMs?: number;
  /** Called on each poll while the EHR prepares the export, with its X-Progress text. */
  readonly onWaiting?: (progress: string | undefined) => void;
  /** Sizes of the on-disk join (defaults VISITS_PER_BUCKET, MAX_OPEN_BUCKETS); tests make them small to exercise several rounds. */
  readonly visitsPerBucket?: number;
  readonly maxOpenBuckets?: number;
  /** Where the private (0700) folder for the downloaded files and the join's buckets is made, and removed after (default: the system's temp folder). */
  readonly tempParent?: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** FNV-1a: a cheap, stable spread of ids over the buckets. */
function bucketOf(id: string, buckets: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) hash = Math.imul(hash ^ id.charCodeAt(i), 0x01000193);
  return (hash >>> 0) % buckets;
}

async function* ndjsonLines(path: string): AsyncGenerator<string> {
  const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
  for await (const line of lines) if (line.trim()) yield line;
}

const writeLine = (stream: WriteStream, line: string): Promise<void> | undefined => (stream.write(`${line}\n`) ? undefined : new Promise((resolve) => stream.once('drain', () => resolve())));

/** Polls the status URL until the manifest is ready, honouring Retry-After (clamped), backing off otherwise. */
async function awaitManifest(gateway: FhirGateway, statusUrl: string, options: BulkSourceOptions): Promise<BulkManifest> {
  const deadline = Date.now() + (options.waitMs ?? 1_800_000);
  let backoff = 250;
  // A small export is often ready at once: look again shortly before settling into the server's Retry-After.
  await sleep(100);
  for (;;) {
    const status = await gateway.bulkStatus(statusUrl);
    if (status.state === 'complete') return status.manifest;
    options.onWaiting?.(status.progress);
    const wait = Math.min(Math.max(status.retryAfterMs ?? backoff, 100), 60_000);
    backoff = Math.min(backoff * 2, 10_000);
    if (Date.now() + wait > deadline) {
      const limit = options.waitMs ?? 1_800_000;
      throw upstream(`The EHR's bulk export did not finish within ${limit >= 120_000 ? `${Math.round(limit / 60_000)} minutes` : `${Math.round(limit / 1000)} seconds`}`, { status: 504, transient: true });
    }
    await sleep(wait);
  }
}

/**
 * Writes each line of the downloaded files that belongs to a matching visit in buckets
 * [first, first + count) into that bucket's file, as `<procedure id>\t<resource>`.
 */
async function spill(files: readonly { path: string }[], workDir: string, matching: ReadonlySet<string>, buckets: number, first: number, count: number): Promise<void> {
  let failure: Error | undefined;
  const streams = Array.from({ length: count }, (_, i) => createWriteStream(join(workDir, `bucket-${first + i}.ndjson`), { mode: PRIVATE_FILE }).on('error', (error) => (failure ??= error)));
  try {
    for (const file of files) {
      for await (const line of ndjsonLines(file.path)) {
        const resource = JSON.parse(line) as FhirResource;
        for (const id of new Set(visitsOf(resource))) {
          if (id === undefined || !matching.has(id)) continue;
          const bucket = bucketOf(id, buckets) - first;
          if (bucket < 0 || bucket >= count) continue;
          if (failure) throw failure;
          await writeLine(streams[bucket] as WriteStream, `${id}\t${line}`);
        }
      }
    }
  } finally {
    await Promise.all(streams.map((s) => new Promise<void>((resolve) => s.end(() => resolve()))));
  }
  if (failure) throw failure;
}

/** One bucket's visits, read whole (it is small by construction) and removed, oldest first. */
async function readBucket(path: string): Promise<VisitRecord[]> {
  const gathering = new VisitGathering();
  for await (const line of ndjsonLines(path)) {
    const tab = line.indexOf('\t');
    gathering.add(line.slice(0, tab), JSON.parse(line.slice(tab + 1)) as FhirResource);
  }
  await rm(path, { force: true });
  return gathering.records().sort((x, y) => (x.procedure.performedDateTime ?? '').localeCompare(y.procedure.performedDateTime ?? ''));
}

function* pagesOf<T>(items: readonly T[], size: number): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}

/**
 * Streams the matching visits from a FHIR Bulk Data system-level `$export` (where the EHR offers it):
 * kick-off for the four visit types with the Procedure search as `_typeFilter`, wait for the manifest,
 * download the NDJSON files, then join each Procedure with its Observations, note and Provenance on
 * disk — the matching Procedure ids are collected, every resource of a matching visit is written to
 * one of several bucket files by visit, and each bucket is read back alone — so memory holds the ids
 * and one bucket, never the whole export. The Procedure filter is applied here too, since servers may
 * ignore the experimental `_typeFilter`. The job is deleted on the EHR and the files here when done.
 */
export async function* bulkVisitPages(gateway: FhirGateway, filters: ExportFilters, options: BulkSourceOptions = {}): AsyncGenerator<VisitPage> {
  const pageSize = options.pageSize ?? 50;
  const params = new URLSearchParams({ _type: VISIT_TYPES.join(','), _typeFilter: `Procedure?${new URLSearchParams(Object.entries(procedureQuery(filters)).flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).map((x): [string, string] => [k, x])))}` });
  const statusUrl = await gateway.bulkKickOff(params);
  const workDir = await mkdtemp(join(options.tempParent ?? tmpdir(), 'nc-bulk-'));
  try {
    const manifest = await awaitManifest(gateway, statusUrl, options);
    if (manifest.error.length) throw upstream(`The EHR's bulk export reported errors in ${manifest.error.length} file(s): the record would be incomplete`);
    const files: { type: string; path: string }[] = [];
    for (const [i, output] of manifest.output.entries()) {
      if (!(VISIT_TYPES as readonly string[]).includes(output.type)) continue;
      const path = join(workDir, `${i}-${output.type}.ndjson`);
      await gateway.bulkDownload(output.url, manifest.requiresAccessToken, (body) => pipeline(body, createWriteStream(path, { mode: PRIVATE_FILE })));
      files.push({ type: output.type, path });
    }

    const matching = new Set<string>();
    for (const file of files.filter((f) => f.type === 'Procedure')) {
      for await (const line of ndjsonLines(file.path)) {
        const procedure = JSON.parse(line) as Procedure;
        if (procedure.resourceType === 'Procedure' && procedureMatches(procedure, filters)) matching.add(procedure.id ?? '');
      }
    }
    if (!matching.size) return;

    // Visits are spread over buckets of about visitsPerBucket; when there are more buckets than may be open at once,
    // the downloaded files are read once per round of buckets.
    const perBucket = options.visitsPerBucket ?? VISITS_PER_BUCKET;
    const maxOpen = options.maxOpenBuckets ?? MAX_OPEN_BUCKETS;
    const buckets = Math.max(1, Math.ceil(matching.size / perBucket));
    for (let first = 0; first < buckets; first += maxOpen) {
      const round = Math.min(maxOpen, buckets - first);
      await spill(files, workDir, matching, buckets, first, round);
      for (let b = first; b < first + round; b++) {
        for (const page of pagesOf(await readBucket(join(workDir, `bucket-${b}.ndjson`)), pageSize)) yield { total: matching.size, visits: page };
      }
    }
  } finally {
    await rm(workDir, { recursive: true, force: true });
    await gateway.bulkDelete(statusUrl).catch(() => undefined);
  }
}
