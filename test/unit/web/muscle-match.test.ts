import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { matchMuscles } from '../../../src/web/muscle-match.js';

const CATALOG = (JSON.parse(readFileSync(new URL('../../../profiles/muscles.json', import.meta.url), 'utf8')) as { muscles: { id: string; display: string }[] }).muscles;
const names = (text: string): string[] => matchMuscles(CATALOG, text).map((m) => m.display);

describe('matching a typed muscle name (the type-ahead never picks silently)', () => {
  it("when 'pterygoid' is typed, then both pterygoids are listed, not only the first one found", () => {
    expect(names('pterygoid')).toEqual(['Lateral pterygoid', 'Medial pterygoid']);
  });

  it("when 'ext' is typed, then every extensor is listed, names starting with it first", () => {
    const found = names('ext');
    expect(found.length).toBeGreaterThan(3);
    expect(found).toContain('Wrist extensors');
    expect(found[0]?.toLowerCase().startsWith('ext')).toBe(true);
    expect(found.indexOf('Wrist extensors')).toBeGreaterThan(found.findLastIndex((n) => n.toLowerCase().startsWith('ext')));
  });

  it("when 'glute' is typed, then each gluteal muscle is listed", () => {
    expect(names('glute').filter((n) => /glute/i.test(n)).length).toBeGreaterThan(1);
  });

  it('when the exact name is typed in any case, then that muscle comes first', () => {
    expect(names('MASSETER')[0]).toBe('Masseter');
  });

  it('when nothing or only spaces are typed, or no name matches, then nothing is listed', () => {
    expect(names('')).toEqual([]);
    expect(names('   ')).toEqual([]);
    expect(names('qqq')).toEqual([]);
  });
});
