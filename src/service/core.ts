import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { isTimeZone } from '../domain/human-dates.js';
import { indexProfiles, type Profiles } from '../domain/profiles.js';
import type { SchemaCheck } from '../domain/validate-session.js';
import { loadTemplateSources } from '../notes/load-templates.js';
import { createNoteRenderer, type NoteRenderer, type TemplateSources } from '../notes/note-renderer.js';
import { loadProfiles } from '../profiles/load-profiles.js';

/** What every interface (CLI, HTTP) needs, loaded and checked once at start-up. */
export interface Core {
  readonly profiles: Profiles;
  readonly check: SchemaCheck;
  readonly renderer: NoteRenderer;
  /** "NeedleChart 0.1.0": written into notes and Provenance. */
  readonly generator: string;
  readonly version: string;
  /** The clinic's IANA time zone for dates and times in notes and packets; undefined: each visit's own offset. */
  readonly timeZone: string | undefined;
  /** The note templates' sources, as loaded: a worker thread compiles its own from them (visit-pool.ts). */
  readonly templates: TemplateSources;
}

/**
 * The core as plain data, to hand to a worker thread: the profile files as loaded and checked, the
 * templates' sources, the generator's name and the clinic's zone. The worker indexes and compiles
 * them (coreFromData) without reading or validating a file again, which keeps its heap small.
 */
export interface CoreData {
  readonly files: Profiles['files'];
  readonly templates: TemplateSources;
  readonly generator: string;
  readonly timeZone: string | undefined;
}

export const coreData = (core: Core): CoreData => ({ files: core.profiles.files, templates: core.templates, generator: core.generator, timeZone: core.timeZone });

/** The profiles, note renderer, generator and zone rebuilt from CoreData in a worker thread (no schema check: nothing is validated there). */
export function coreFromData(data: CoreData): Pick<Core, 'profiles' | 'renderer' | 'generator' | 'timeZone'> {
  return { profiles: indexProfiles(data.files).profiles, renderer: createNoteRenderer(data.templates), generator: data.generator, timeZone: data.timeZone };
}

export interface CoreOptions {
  readonly profilesDir?: string;
  readonly payersDir?: string;
  readonly templatesDir?: string;
  /** IANA time zone name (NEEDLECHART_CLINIC_TIME_ZONE), e.g. America/New_York. */
  readonly timeZone?: string | undefined;
}

export async function readVersion(): Promise<string> {
  const pkg = JSON.parse(await readFile(fileURLToPath(new URL('../../package.json', import.meta.url)), 'utf8')) as { version: string };
  return pkg.version;
}

export async function createCore(options: CoreOptions = {}): Promise<Core> {
  const timeZone = options.timeZone?.trim() || undefined;
  if (timeZone && !isTimeZone(timeZone)) throw new Error(`NEEDLECHART_CLINIC_TIME_ZONE must be an IANA time zone such as America/New_York (got '${timeZone}')`);
  const [loaded, sources, version] = await Promise.all([
    loadProfiles({ profilesDir: options.profilesDir, payersDir: options.payersDir }),
    loadTemplateSources(options.templatesDir),
    readVersion(),
  ]);
  return { profiles: loaded.profiles, check: loaded.check, renderer: createNoteRenderer(sources), generator: `NeedleChart ${version}`, version, timeZone, templates: sources };
}
