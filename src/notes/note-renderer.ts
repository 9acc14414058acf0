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

/**
 * Compiles every template and partial once (STYLE.md convention 7): an isolated Handlebars
 * environment, strict mode (a missing field throws instead of printing nothing), HTML escaping for
 * .html templates and their partials, none for .text ones.
 */
export function createNoteRenderer(sources: TemplateSources): NoteRenderer {
  const html = Handlebars.create();
  const text = Handlebars.create();
  for (const env of [html, text]) env.registerHelper(HELPERS);
  const options = (format: NoteFormat): CompileOptions => ({ strict: true, noEscape: format === 'text', knownHelpersOnly: false });

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
