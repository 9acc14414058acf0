import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadProfiles, type LoadedProfiles } from '../../src/profiles/load-profiles.js';

const MANIFEST_ID = 'https://needlechart.dev/schemas/manifest.schema.json';
const manifest = JSON.parse(readFileSync(new URL('../../manifest.json', import.meta.url), 'utf8')) as Record<string, unknown> & { scopes: { ehrLaunch: string[]; standaloneLaunch: string[] }; version: string };
const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

let loaded: LoadedProfiles;
beforeAll(async () => {
  loaded = await loadProfiles();
});

describe('manifest.json (SMART app registration)', () => {
  it('when checked against profiles/manifest.schema.json, then it is valid', () => {
    expect(loaded.check(MANIFEST_ID, manifest)).toEqual([]);
  });

  it('when compared with package.json, then the versions agree', () => {
    expect(manifest.version).toBe(pkg.version);
  });

  it('when the EHR-launch scopes are read, then they ask for launch, openid and fhirUser, and v2 granular scopes only', () => {
    expect(manifest.scopes.ehrLaunch).toEqual(expect.arrayContaining(['launch', 'openid', 'fhirUser']));
    expect(manifest.scopes.standaloneLaunch).toEqual(expect.arrayContaining(['launch/patient', 'launch/encounter']));
    for (const scope of [...manifest.scopes.ehrLaunch, ...manifest.scopes.standaloneLaunch]) {
      expect(scope).not.toMatch(/\*|\.read$|\.write$/);
    }
  });

  it.each([
    ['a wildcard scope', { scopes: { ehrLaunch: ['patient/*.read'], standaloneLaunch: ['launch/patient'] } }, 'scopes.ehrLaunch[0]'],
    ['the wrong FHIR version', { fhirVersion: '3.0.2' }, 'fhirVersion'],
    ['a redirect URI not ending in /callback', { redirectUris: ['https://x.example/back'] }, 'redirectUris[0]'],
    ['an unknown field', { secret: 'x' }, 'secret'],
  ])('when the manifest has %s, then the schema names the field', (_label, change, path) => {
    const issues = loaded.check(MANIFEST_ID, { ...manifest, ...change });
    expect(issues.map((i) => i.path)).toContain(path);
  });
});
