import { readFile } from 'node:fs/promises';
import { importPKCS8 } from 'jose';
import type { Core, CoreOptions } from '../service/core.js';
import { silentLogger } from '../infra/logger.js';
import { loadBodyMap } from '../profiles/load-body-map.js';
import { BackendServicesClient } from '../smart/backend-services.js';
import { backendGateway, generateBackendKey } from './backend-gateway.js';
import type { ExportFilters } from './export-filters.js';
import { runExportInWorker } from './run-export-in-worker.js';
import { runExport, type ExportProgress, type ExportResult } from './run-export.js';

export interface ExportCommand {
  readonly filters: ExportFilters;
  readonly out: string;
  readonly zip: boolean;
  readonly pdf: boolean;
  /** How visits are read (runExport's `source`). */
  readonly source?: 'auto' | 'bulk' | 'search';
  readonly requestedBy: string;
  /** The EHR's FHIR base; absent: an in-process seeded sandbox (for demos). */
  readonly fhir?: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Clinic payers and templates, as the CLI's core was made with them. */
  readonly coreOptions?: CoreOptions;
  readonly scopes: readonly string[];
}

/** A progress line: a bar on a terminal (rewritten in place), plain lines otherwise. */
export function progressLine(p: ExportProgress, width = 24): string {
  const total = p.total;
  const fraction = total ? Math.min(1, (p.done + p.skipped + p.excluded) / total) : 0;
  const bar = total ? `[${'#'.repeat(Math.round(fraction * width)).padEnd(width, '.')}] ` : '';
  const eta = p.etaSeconds !== undefined ? ` ETA ${Math.ceil(p.etaSeconds)}s` : '';
  if (p.phase === 'waiting') return `Waiting for the EHR's bulk export${p.note ? `: ${p.note}` : ''}`;
  return `${bar}${p.done}${total ? `/${total}` : ''} visits, ${p.perSecond.toFixed(1)} visits/s${eta}${p.reused ? `, ${p.reused} reused` : ''}${p.phase === 'finishing' ? ' - writing index, bundles, audit record, manifest' : ''}`;
}

/** Runs `needlechart export` against the configured EHR, or against a seeded sandbox started in this process. */
export async function exportCommand(cmd: ExportCommand, core: Core, onProgress: (p: ExportProgress) => void): Promise<ExportResult> {
  const bodyMap = loadBodyMap();
  if (cmd.fhir) {
    const clientId = cmd.env.NEEDLECHART_BACKEND_CLIENT_ID;
    const keyFile = cmd.env.NEEDLECHART_BACKEND_KEY_FILE;
    const keyId = cmd.env.NEEDLECHART_BACKEND_KEY_ID;
    if (!clientId || !keyFile || !keyId) throw new Error('Exporting from an EHR needs NEEDLECHART_BACKEND_CLIENT_ID, NEEDLECHART_BACKEND_KEY_FILE and NEEDLECHART_BACKEND_KEY_ID (SMART Backend Services)');
    const pem = await readFile(keyFile, 'utf8');
    const privateKey = await importPKCS8(pem, 'ES384').catch(() => importPKCS8(pem, 'RS384'));
    const backend = new BackendServicesClient({ fhirBaseUrl: cmd.fhir, clientId, privateKey, keyId, scopes: cmd.scopes });
    return runExport({ gateway: backendGateway(cmd.fhir, backend, silentLogger), core, bodyMap, filters: cmd.filters, out: cmd.out, zip: cmd.zip, pdf: cmd.pdf, ...(cmd.source ? { source: cmd.source } : {}), requestedBy: cmd.requestedBy, client: clientId, logger: silentLogger, onProgress });
  }
  const key = await generateBackendKey();
  // The demonstration sandbox loads only here: an export from an EHR never loads its FHIR engine.
  const { createSandbox } = await import('../sandbox/sandbox-server.js');
  const sandbox = await (
    await createSandbox({ core, logger: silentLogger, auth: { appUrl: () => 'http://127.0.0.1', clients: () => [{ clientId: 'needlechart-backend', redirectUris: [], auth: 'private_key_jwt', jwks: { keys: [key.publicJwk] }, scopes: cmd.scopes }] } })
  ).listen(0, '127.0.0.1');
  try {
    const backend = new BackendServicesClient({ fhirBaseUrl: sandbox.fhirBaseUrl, clientId: 'needlechart-backend', privateKey: key.privateKey, keyId: key.publicJwk.kid, scopes: cmd.scopes });
    // The demo sandbox's FHIR engine shares this process, so the export gets a worker thread with its own bounded heap (as --fhir bounds its process).
    return await runExportInWorker({
      fhirBaseUrl: sandbox.fhirBaseUrl,
      timeoutMs: 60_000,
      coreOptions: cmd.coreOptions ?? {},
      credentials: backend,
      logger: silentLogger,
      export: { filters: cmd.filters, out: cmd.out, zip: cmd.zip, pdf: cmd.pdf, ...(cmd.source ? { source: cmd.source } : {}), requestedBy: cmd.requestedBy, client: 'needlechart-backend' },
      onProgress,
    });
  } finally {
    await sandbox.close();
  }
}
