import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TEMPLATE_NAMES, type TemplateSources } from './note-renderer.js';

export const DEFAULT_TEMPLATES_DIR = fileURLToPath(new URL('../../templates/', import.meta.url));

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

async function listHbs(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).filter((f) => f.endsWith('.hbs'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/**
 * Reads our templates, each replaced by the clinic's file of the same name when `overrideDir`
 * (NEEDLECHART_TEMPLATES_DIR) has one: a clinic changes the note's wording without touching code.
 */
export async function loadTemplateSources(overrideDir?: string): Promise<TemplateSources> {
  const pick = async (relative: string): Promise<string> => {
    const override = overrideDir ? await readIfExists(join(overrideDir, relative)) : undefined;
    if (override !== undefined) return override;
    const ours = await readIfExists(join(DEFAULT_TEMPLATES_DIR, relative));
    if (ours === undefined) throw new Error(`Template file ${relative} is missing from ${DEFAULT_TEMPLATES_DIR}`);
    return ours;
  };
  const templates: Record<string, string> = {};
  for (const name of TEMPLATE_NAMES) templates[name] = await pick(`${name}.hbs`);
  const partials: Record<string, string> = {};
  for (const format of ['html', 'text'] as const) {
    const names = new Set([...(await listHbs(join(DEFAULT_TEMPLATES_DIR, 'partials', format))), ...(overrideDir ? await listHbs(join(overrideDir, 'partials', format)) : [])]);
    for (const file of [...names].sort()) partials[`${format}/${file.replace(/\.hbs$/, '')}`] = await pick(join('partials', format, file));
  }
  return { templates, partials };
}
