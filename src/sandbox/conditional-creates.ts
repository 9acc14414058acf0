import { parseSearchRequest } from '@medplum/core';
import type { Bundle, BundleEntry, Resource } from '@medplum/fhirtypes';
import type { JournaledRepository } from './journaled-repository.js';

const IDENTIFIER_ONLY = /^identifier=([^&]+)$/;

/** Matches for a conditional create: identifier-only criteria from the repository's index, anything else by search. */
async function findMatches(repo: JournaledRepository, type: string, criteria: string): Promise<Resource[]> {
  const byIdentifier = IDENTIFIER_ONLY.exec(criteria);
  const token = byIdentifier?.[1] ? decodeURIComponent(byIdentifier[1]) : undefined;
  if (token?.includes('|')) {
    const [system = '', value = ''] = token.split('|');
    return repo.findByIdentifier(type, system, value).map((id) => ({ resourceType: type, id }) as Resource);
  }
  return repo.searchResources(parseSearchRequest(`${type}?${criteria}`));
}

/**
 * Resolves a transaction's conditional creates (`request.ifNoneExist`) before Medplum sees them.
 * Medplum treats them as needing serializable isolation and refuses such transactions beyond 8
 * entries; the sandbox already runs writes one at a time, so the check can be done here:
 * a match turns the entry into a read of the existing resource (the spec's 200 OK, no write) and
 * every reference to the entry's fullUrl is pointed at it; no match creates as usual; several
 * matches fail the transaction (412), as the spec requires. Call inside `repo.runExclusive`.
 */
export async function resolveConditionalCreates(bundle: Bundle, repo: JournaledRepository): Promise<Bundle | { multipleMatches: string }> {
  const replacements = new Map<string, string>();
  const entries: BundleEntry[] = [];
  for (const entry of bundle.entry ?? []) {
    const request = entry.request;
    if (request?.method !== 'POST' || !request.ifNoneExist || !entry.resource) {
      entries.push(entry);
      continue;
    }
    const matches = await findMatches(repo, request.url, request.ifNoneExist);
    if (matches.length > 1) return { multipleMatches: `${request.url}?${request.ifNoneExist}` };
    const match = matches[0];
    if (!match?.id) {
      const { ifNoneExist: _drop, ...plain } = request;
      entries.push({ ...entry, request: plain });
      continue;
    }
    const reference = `${match.resourceType}/${match.id}`;
    if (entry.fullUrl) replacements.set(entry.fullUrl, reference);
    entries.push({ fullUrl: entry.fullUrl, request: { method: 'GET', url: reference } });
  }
  const rewritten = { ...bundle, entry: entries };
  if (replacements.size === 0) return rewritten;
  let json = JSON.stringify(rewritten);
  for (const [placeholder, reference] of replacements) json = json.split(JSON.stringify(placeholder)).join(JSON.stringify(reference));
  return JSON.parse(json) as Bundle;
}
