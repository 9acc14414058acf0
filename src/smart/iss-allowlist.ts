import { isLoopback } from './smart-configuration.js';

/**
 * Which FHIR servers may launch NeedleChart (`iss`). An entry is an exact FHIR base
 * (`https://ehr.example.org/fhir/r4`) or a pattern whose path has `*` for whole segments
 * (`https://launch.example.org/v/r4/sim/*\/fhir`: the SMART launcher puts its launch options in one
 * path segment). Both are compared on parsed URLs, segment by segment: scheme, host and port exactly,
 * the same number of segments, each literal segment equal and each `*` one ordinary segment. A
 * string-prefix test would let `https://ehr.example.org.evil.test/…` or `…/fhir/../other` through.
 */

/** Why an allow-list entry cannot be used; undefined when it is fine. */
export function allowlistEntryProblem(entry: string): string | undefined {
  let url: URL;
  try {
    url = new URL(entry.replace(/\*/g, 'x'));
  } catch {
    return `'${entry}' is not an absolute URL`;
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopback(url.href))) return `'${entry}' must be an https URL (http only on loopback)`;
  if (url.search || url.hash || entry.includes('?') || entry.includes('#')) return `'${entry}' must not have a query or fragment`;
  if (url.username || url.password) return `'${entry}' must not hold a user name or password`;
  const authority = entry.slice(entry.indexOf('//') + 2).split('/')[0] ?? '';
  if (authority.includes('*')) return `'${entry}': * may stand only for whole path segments, not in the host`;
  const path = entry.slice(entry.indexOf('//') + 2 + authority.length);
  if (path.split('/').some((segment) => segment.includes('*') && segment !== '*')) return `'${entry}': * must be a whole path segment, as in …/sim/*/fhir`;
  return undefined;
}

interface ParsedBase {
  readonly origin: string;
  readonly segments: readonly string[];
}

function parse(url: string): ParsedBase | undefined {
  try {
    const parsed = new URL(url);
    if (parsed.search || parsed.hash || parsed.username || parsed.password) return undefined;
    return { origin: parsed.origin, segments: parsed.pathname.split('/').filter((s, i, all) => s !== '' || (i > 0 && i < all.length - 1)) };
  } catch {
    return undefined;
  }
}

/** A segment `*` may stand for: an ordinary name, not empty, not a dot segment, no encoded slash. */
function ordinarySegment(segment: string): boolean {
  return segment !== '' && segment !== '.' && segment !== '..' && !/%2f|%5c/i.test(segment);
}

function matches(iss: ParsedBase, entry: string): boolean {
  const isPattern = entry.includes('*');
  const allowed = parse(isPattern ? entry.replace(/\*/g, '__any__') : entry);
  if (!allowed || allowed.origin !== iss.origin || allowed.segments.length !== iss.segments.length) return false;
  return allowed.segments.every((segment, i) => {
    const actual = iss.segments[i] ?? '';
    return segment === '__any__' ? ordinarySegment(actual) : segment === actual;
  });
}

/** True when `iss` is an exact entry of the allow-list or fits one of its patterns. */
export function issAllowed(iss: string, allowlist: readonly string[]): boolean {
  // A dot segment would be resolved away by URL parsing: refuse it rather than compare what it resolves to.
  if (!iss || iss.includes('?') || iss.includes('#') || /\/\.{1,2}(\/|$)|%2e/i.test(iss)) return false;
  const parsed = parse(iss);
  return !!parsed && allowlist.some((entry) => matches(parsed, entry));
}
