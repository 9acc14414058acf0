import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { isTimeZone } from '../domain/human-dates.js';
import type { Profiles } from '../domain/profiles.js';
import type { SchemaCheck } from '../domain/validate-session.js';
import { loadTemplateSources } from '../notes/load-templates.js';
import { createNoteRenderer, type NoteRenderer } from '../notes/note-renderer.js';
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
  /** What the core was loaded from: a worker thread loads its own core from the same options (preview and export workers). */
  readonly options: CoreOptions;
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
  return { profiles: loaded.profiles, check: loaded.check, renderer: createNoteRenderer(sources), generator: `NeedleChart ${version}`, version, timeZone, options };
}
