import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GENERATED_TYPES_PATH, generateTypes } from '../../scripts/generate-types.js';

describe('types generated from the schemas', () => {
  it('when the schemas are compiled again, then src/domain/types.generated.ts is unchanged (run npm run gen:types if not)', async () => {
    expect(readFileSync(GENERATED_TYPES_PATH, 'utf8')).toBe(await generateTypes());
  });
});
