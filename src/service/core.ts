import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
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
}

export interface CoreOptions {
  readonly profilesDir?: string;
  readonly payersDir?: string;
  readonly templatesDir?: string;
}

export async function readVersion(): Promise<string> {
  const pkg = JSON.parse(await readFile(fileURLToPath(new URL('../../package.json', import.meta.url)), 'utf8')) as { version: string };
  return pkg.version;
}

export async function createCore(options: CoreOptions = {}): Promise<Core> {
  const [loaded, sources, version] = await Promise.all([
    loadProfiles({ profilesDir: options.profilesDir, payersDir: options.payersDir }),
    loadTemplateSources(options.templatesDir),
    readVersion(),
  ]);
  return { profiles: loaded.profiles, check: loaded.check, renderer: createNoteRenderer(sources), generator: `NeedleChart ${version}`, version };
}
