import type { BundleEntry, Patient } from 'fhir/r4.js';
import { OperationOutcomeError } from '../outcome/operation-outcome-error.js';
import type { FhirGateway } from './client.js';

/**
 * Reads `urls` (`Type/id` reads and `Type?query` searches) in one round trip: a batch Bundle when the
 * server supports batch (per its CapabilityStatement, fetched once per server), parallel requests
 * otherwise. Either way each answer comes back as a batch-response entry with its status, so a read
 * the server refuses (403, 404) is the caller's to judge; a transient failure still throws.
 */
export async function readEntries(gateway: FhirGateway, urls: readonly string[]): Promise<BundleEntry[]> {
  if (urls.length === 0) return [];
  if (await gateway.supports('batch')) return (await gateway.readBatch({ resourceType: 'Bundle', type: 'batch', entry: urls.map((url) => ({ request: { method: 'GET', url } })) })).entry ?? [];
  return Promise.all(
    urls.map(async (url): Promise<BundleEntry> => {
      const [path = '', search] = url.split('?');
      const [type = '', id] = path.split('/');
      try {
        const resource = id ? await gateway.read(type as Patient['resourceType'], id) : await gateway.search(type, Object.fromEntries(new URLSearchParams(search)));
        return { resource, response: { status: '200' } };
      } catch (error) {
        if (!(error instanceof OperationOutcomeError) || error.transient) throw error;
        return { response: { status: String(error.status), outcome: error.outcome } };
      }
    }),
  );
}
