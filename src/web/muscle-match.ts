// Which muscles a typed name matches, best first. Pure: the type-ahead lists the result and never
// picks one silently ('pterygoid' lists both pterygoids; 'ext' lists every extensor).

import type { CatalogMuscle } from './api-types.js';

/** How well `m` matches `t` (lower is better; 4 is no match). */
function rank(m: CatalogMuscle, t: string): number {
  const name = m.display.toLowerCase();
  if (name === t || m.id === t) return 0;
  if (name.startsWith(t)) return 1;
  if (name.split(/[\s-]+/).some((w) => w.startsWith(t))) return 2;
  return name.includes(t) ? 3 : 4;
}

/** Muscles whose name matches the text: the exact name, then names starting with it, then words starting with it, then any part; alphabetical within each. */
export function matchMuscles(muscles: readonly CatalogMuscle[], text: string): CatalogMuscle[] {
  const t = text.trim().toLowerCase();
  if (!t) return [];
  return muscles
    .map((m) => [m, rank(m, t)] as const)
    .filter(([, r]) => r < 4)
    .sort((a, b) => a[1] - b[1] || a[0].display.localeCompare(b[0].display))
    .map(([m]) => m);
}
