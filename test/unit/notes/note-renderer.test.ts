import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { HELPERS } from '../../../src/notes/helpers.js';
import { loadTemplateSources } from '../../../src/notes/load-templates.js';
import { createNoteRenderer } from '../../../src/notes/note-renderer.js';
import { formatChange, formatDuration, formatVisitDate, type NoteViewModel } from '../../../src/notes/note-view-model.js';
import { createCore, type Core } from '../../../src/service/core.js';
import { analyseSession } from '../../../src/service/preview-session.js';
import { completeSession, muscle, testCore } from '../../support/fixtures.js';

let core: Core;
beforeAll(async () => {
  core = await testCore();
});

const HOSTILE = '<script>alert(1)</script> {{payer.name}} & "quotes"';

describe('rendering user text safely', () => {
  it('when free text holds markup and template syntax, then the HTML note escapes it and does not evaluate it', () => {
    const session = completeSession({ response: HOSTILE, plan: HOSTILE, muscles: [muscle('piriformis', 'left', { notes: HOSTILE, precaution: HOSTILE })] });
    const html = core.renderer.render('note', 'html', analyseSession(session, core).view);
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('{{payer.name}}');
    expect(html).toContain('&amp; &quot;quotes&quot;');
  });

  it('when free text holds markup, then the text note keeps it verbatim (plain text is not HTML)', () => {
    const text = core.renderer.render('note', 'text', analyseSession(completeSession({ response: HOSTILE }), core).view);
    expect(text).toContain(`Response: ${HOSTILE}`);
  });
});

describe('strict templates', () => {
  it('when a template names a field the view model lacks, then rendering throws instead of printing nothing', () => {
    const renderer = createNoteRenderer({
      templates: { 'note.html': '<p>{{performer.licence}}</p>', 'note.text': '', 'payer-review.html': '', 'payer-review.text': '' },
      partials: {},
    });
    const view = analyseSession(completeSession(), core).view;
    expect(() => renderer.render('note', 'html', view)).toThrow(/licence/);
  });

  it('when a clinic partial reads a field the view model lacks, then rendering still throws (partials compile strict too)', () => {
    const renderer = createNoteRenderer({
      templates: { 'note.html': '<div>{{> html/who}}</div>', 'note.text': '', 'payer-review.html': '', 'payer-review.text': '' },
      partials: { 'html/who': '{{#each muscles}}{{label}} {{side}}{{/each}}' },
    });
    expect(() => renderer.render('note', 'html', analyseSession(completeSession(), core).view)).toThrow(/"side" not defined/);
  });

  it('when a template is missing from the sources, then the renderer refuses to build', () => {
    expect(() => createNoteRenderer({ templates: { 'note.html': '' }, partials: {} })).toThrow(/note\.text/);
  });
});

describe('clinic template overrides (NEEDLECHART_TEMPLATES_DIR)', () => {
  it('when the override folder has note.text.hbs and a partial, then those replace ours and the rest stay ours', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nc-templates-'));
    writeFileSync(join(dir, 'note.text.hbs'), 'CLINIC NOTE for {{performer.display}}\n{{> text/muscle-table}}');
    mkdirSync(join(dir, 'partials', 'text'), { recursive: true });
    writeFileSync(join(dir, 'partials', 'text', 'muscle-table.hbs'), '{{#each muscles}}* {{label}}\n{{/each}}');
    const renderer = createNoteRenderer(await loadTemplateSources(dir));
    const view: NoteViewModel = analyseSession(completeSession(), core).view;
    expect(renderer.render('note', 'text', view)).toBe('CLINIC NOTE for Alex Rivera, PT, DPT\n* Quadratus lumborum (left)\n');
    expect(renderer.render('note', 'html', view)).toContain('<article class="nc-note');
  });
});

describe('compile options chosen for speed keep what clinic templates can do', () => {
  const sources = (partial: string) => ({
    templates: { 'note.html': '', 'note.text': '{{> text/rows}}', 'payer-review.html': '', 'payer-review.text': '' },
    partials: { 'text/rows': partial },
  });

  it('when a clinic template reads @index, @first and @last, then each row gets them (data frames are kept for such templates)', () => {
    const renderer = createNoteRenderer(sources('{{#each muscles}}{{#if @first}}[{{/if}}{{@index}}:{{label}}{{#if @last}}]{{else}}, {{/if}}{{/each}}'));
    const view = analyseSession(completeSession({ muscles: [muscle('piriformis', 'left'), muscle('gluteus-medius', 'right')] }), core).view;
    expect(renderer.render('note', 'text', view)).toBe('[0:Piriformis (left), 1:Gluteus medius (right)]');
  });

  it('when a clinic template calls a helper NeedleChart does not have, then the renderer still builds and rendering fails naming it', () => {
    const renderer = createNoteRenderer(sources('{{shout title "!"}}'));
    expect(() => renderer.render('note', 'text', analyseSession(completeSession(), core).view)).toThrow(/"shout" not defined/);
  });

  it('when a clinic template uses a field as a block ({{#muscles}}…{{/muscles}}), then it iterates the list as Handlebars always did', () => {
    const renderer = createNoteRenderer(sources('{{#muscles}}<{{label}}>{{/muscles}}{{#draft}} draft{{/draft}}'));
    const view = analyseSession(completeSession({ muscles: [muscle('piriformis', 'left'), muscle('gluteus-medius', 'right')] }), core).view;
    expect(renderer.render('note', 'text', view)).toBe('<Piriformis (left)><Gluteus medius (right)> draft');
  });
});

describe('helpers and formatting', () => {
  it.each([
    [30, '30 s'], [60, '1 min'], [90, '1 min 30 s'], [600, '10 min'], [0, '0 s'],
  ])('formatDuration(%s) is %s', (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });

  it.each([[3, '+3'], [-3, '\u22123'], [0, '0']])('formatChange(%s) is %s', (delta, text) => {
    expect(formatChange(delta)).toBe(text);
  });

  it.each([
    ['2026-11-20T14:30:00-05:00', 'Friday, November 20, 2026, 2:30 PM'],
    ['2026-11-20T14:30:00Z', 'Friday, November 20, 2026, 2:30 PM'],
    ['2026-11-20T14:30:00.123+01:00', 'Friday, November 20, 2026, 2:30 PM'],
    ['2026-11-20T09:05:00+05:30', 'Friday, November 20, 2026, 9:05 AM'],
  ])('when no clinic time zone is set, then formatVisitDate(%s) reads the clock time the visit recorded: %s', (iso, text) => {
    expect(formatVisitDate(iso)).toBe(text);
  });

  it.each([
    ['2026-11-20T14:30:00-05:00', 'America/Los_Angeles', 'Friday, November 20, 2026, 11:30 AM'],
    ['2026-11-20T23:30:00-05:00', 'Europe/Berlin', 'Saturday, November 21, 2026, 5:30 AM'],
    ['2026-07-04T14:30:00Z', 'America/New_York', 'Saturday, July 4, 2026, 10:30 AM'],
  ])('when the clinic time zone is set, then formatVisitDate(%s) in %s reads %s', (iso, zone, text) => {
    expect(formatVisitDate(iso, zone)).toBe(text);
  });

  it('when a core is created with a clinic time zone, then the note shows the visit in that zone; an unknown zone stops start-up', async () => {
    const chicago = await createCore({ timeZone: 'America/Chicago' });
    const note = chicago.renderer.render('note', 'text', analyseSession(completeSession({ date: '2026-11-20T09:00:00-05:00' }), chicago).view);
    expect(note).toContain('Date of service: Friday, November 20, 2026, 8:00 AM\n');
    await expect(createCore({ timeZone: 'Mars/Olympus_Mons' })).rejects.toThrow(/NEEDLECHART_CLINIC_TIME_ZONE must be an IANA time zone/);
  });

  it('join, yesNo, eq, codeWithModifiers and upper behave as templates expect', () => {
    const call = (name: string, ...args: unknown[]) => (HELPERS[name] as (...a: unknown[]) => unknown)(...args);
    expect(call('join', ['a', 'b'], ' + ')).toBe('a + b');
    expect(call('join', [], ', ')).toBe('none');
    expect(call('yesNo', true)).toBe('yes');
    expect(call('yesNo', false)).toBe('no');
    expect(call('yesNo', null)).toBe('not recorded');
    expect(call('eq', 1, 1)).toBe(true);
    expect(call('eq', 1, '1')).toBe(false);
    expect(call('codeWithModifiers', '20561', ['GP', 'GX'])).toBe('20561-GP-GX');
    expect(call('upper', 'warning')).toBe('WARNING');
  });
});
