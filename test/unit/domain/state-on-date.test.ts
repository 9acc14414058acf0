import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { stateOnDate } from '../../../src/domain/state-on-date.js';
import type { StateScopeFile } from '../../../src/domain/types.generated.js';
import type { Core } from '../../../src/service/core.js';
import { testCore } from '../../support/fixtures.js';

let core: Core;
beforeAll(async () => {
  core = await testCore();
});

const STATES = (JSON.parse(readFileSync(new URL('../../../profiles/state-scope.json', import.meta.url), 'utf8')) as StateScopeFile).states;
const shift = (day: string, days: number) => new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

describe('state scope on the date of service (state-scope.json effective/expires)', () => {
  it.each(STATES.map((s) => [s.state, s.effective, s] as const))('when %s is read the day before %s and on that day, then it is unknown, then known', (state, effective, entry) => {
    expect(stateOnDate(core.profiles, state, shift(effective, -1))).toBeUndefined();
    expect(stateOnDate(core.profiles, state, effective)).toBe(core.profiles.states.get(state));
    if (entry.expires) expect(stateOnDate(core.profiles, state, shift(entry.expires, 1))).toBeUndefined();
  });

  it('when no state is recorded, or the state is not in the table, then nothing is returned', () => {
    expect(stateOnDate(core.profiles, undefined, '2026-11-20')).toBeUndefined();
    expect(stateOnDate(core.profiles, 'ZZ', '2026-11-20')).toBeUndefined();
  });
});
