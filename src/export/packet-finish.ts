import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import type { Address, Organization } from 'fhir/r4.js';
import yazl from 'yazl';
import type { FhirGateway } from '../fhir/client.js';
import { NPI_SYSTEM } from '../fhir/systems.js';
import { PRIVATE_FILE, type FileDigest } from './packet-files.js';
import type { ClinicFacts } from './pdf/cover-pdf.js';

/** "1200 Harbor Way, Suite 3, Denver, CO 80202": an Organization's address on one line. */
export function addressLine(address: Address | undefined): string | undefined {
  if (!address) return undefined;
  const place = [address.city, [address.state, address.postalCode].filter(Boolean).join(' ')].filter(Boolean).join(', ');
  const line = [...(address.line ?? []), place].filter(Boolean).join(', ');
  return line || address.text;
}

/**
 * The clinic as the EHR's Organization names it (name, work address, NPI), read once per export. An
 * EHR that will not give it (no such Organization, or the export's client may not read it) leaves
 * the clinic unnamed in words ("the clinic"), never the export's failure.
 */
export async function readClinic(gateway: FhirGateway, reference: string | undefined): Promise<ClinicFacts> {
  const id = /^Organization\/([A-Za-z0-9\-.]{1,64})$/.exec(reference ?? '')?.[1];
  const organization = id ? await gateway.read<Organization>('Organization', id).catch(() => undefined) : undefined;
  if (!organization?.name) return { name: 'The clinic' };
  const address = addressLine(organization.address?.find((a) => a.use === 'work') ?? organization.address?.[0]);
  const npi = organization.identifier?.find((i) => i.system === NPI_SYSTEM)?.value;
  return { name: organization.name, ...(address ? { address } : {}), ...(npi ? { npi } : {}) };
}

/** Writes a zip of `paths` (folder-relative) from `dir` to `zipPath`, owner-only. */
export async function writeZip(dir: string, paths: readonly string[], zipPath: string): Promise<void> {
  const zip = new yazl.ZipFile();
  for (const path of paths) zip.addFile(join(dir, path), path);
  zip.end();
  await new Promise<void>((resolve, reject) => {
    const stream = createWriteStream(zipPath, { mode: PRIVATE_FILE });
    zip.outputStream.pipe(stream).on('close', () => resolve()).on('error', reject);
  });
}

/** Files in path order, as the manifests list them. */
export const byPath = (files: readonly FileDigest[]): FileDigest[] => [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
