import Handlebars from 'handlebars';
import { HELPERS } from './helpers.js';
import type { NoteViewModel } from './note-view-model.js';

export type NoteFormat = 'html' | 'text';
export type NoteKind = 'note' | 'payer-review';

/** Template sources by name: `note.html`, `payer-review.text`, and partials as `html/muscle-table`, `text/estim`. */
export interface TemplateSources {
  readonly templates: Readonly<Record<string, string>>;
  readonly partials: Readonly<Record<string, string>>;
}

export interface NoteRenderer {
  render(kind: NoteKind, format: NoteFormat, view: NoteViewModel): string;
}

export const TEMPLATE_NAMES = ['note.html', 'note.text', 'payer-review.html', 'payer-review.text'] as const;

/** Our helpers and Handlebars' own block helpers: every helper a template can call. */
const KNOWN_HELPERS: Readonly<Record<string, boolean>> = Object.fromEntries(Object.keys(HELPERS).map((name) => [name, true]));

/** A mustache that reads a data variable (`{{@index}}`, `{{#if @last}}`, `@root`, `@partial-block`). */
const DATA_VARIABLE = /\{\{[^}]*@/;

/**
 * How templates compile. Always strict (a missing field throws instead of printing nothing), HTML
 * escaping for .html templates and their partials, none for .text ones. For speed, when the sources
 * allow it: `knownHelpersOnly` (a `{{field}}` is read as a field, not first looked up as a helper)
 * unless a clinic template calls a helper we do not have (it then fails at render, as it always
 * did), and `data: false` (no `@index`/`@first` frames built for every `#each` step) unless some
 * template reads a data variable. Either way the output is the same.
 */
function compileOptions(format: NoteFormat, fast: { readonly knownHelpersOnly: boolean; readonly data: boolean }): CompileOptions {
  // HTML partials are not re-indented to their call site: whitespace means nothing in HTML, and indenting
  // every line a partial prints was the largest part of rendering the note. Text keeps its layout.
  return { strict: true, noEscape: format === 'text', knownHelpers: KNOWN_HELPERS, knownHelpersOnly: fast.knownHelpersOnly, data: fast.data, preventIndent: format === 'html' };
}

/** Whether every source compiles with `knownHelpersOnly`; a clinic template may call an unknown helper, which then fails at render as before. */
function onlyKnownHelpers(sources: readonly string[]): boolean {
  try {
    for (const source of sources) Handlebars.precompile(source, { strict: true, knownHelpers: KNOWN_HELPERS, knownHelpersOnly: true });
    return true;
  } catch {
    return false;
  }
}

/**
 * Compiles every template and partial once (STYLE.md convention 7): an isolated Handlebars
 * environment, strict mode (a missing field throws instead of printing nothing), HTML escaping for
 * .html templates and their partials, none for .text ones.
 */
export function createNoteRenderer(sources: TemplateSources): NoteRenderer {
  const html = Handlebars.create();
  const text = Handlebars.create();
  for (const env of [html, text]) env.registerHelper(HELPERS);
  const all = [...Object.values(sources.templates), ...Object.values(sources.partials)];
  // Data frames are shared with partials, so they go for every template or for none.
  const fast = { knownHelpersOnly: onlyKnownHelpers(all), data: all.some((source) => DATA_VARIABLE.test(source)) };
  const options = (format: NoteFormat): CompileOptions => compileOptions(format, fast);

  for (const [name, source] of Object.entries(sources.partials)) {
    const format: NoteFormat = name.startsWith('text/') ? 'text' : 'html';
    const env = format === 'text' ? text : html;
    env.registerPartial(name, env.compile(source, options(format)));
  }
  const compiled = new Map<string, HandlebarsTemplateDelegate<NoteViewModel>>();
  for (const name of TEMPLATE_NAMES) {
    const source = sources.templates[name];
    if (source === undefined) throw new Error(`Template ${name} is missing`);
    const format: NoteFormat = name.endsWith('.text') ? 'text' : 'html';
    const env = format === 'text' ? text : html;
    const template = env.compile<NoteViewModel>(source, options(format));
    compiled.set(name, template);
  }
  return {
    render(kind, format, view) {
      const template = compiled.get(`${kind}.${format}`);
      if (!template) throw new Error(`No template ${kind}.${format}`);
      return template(view, { allowProtoPropertiesByDefault: false, allowProtoMethodsByDefault: false });
    },
  };
}
