/**
 * The live panel's latency (issue 16, item 7: "live panel updated ≤ 150 ms after the last keystroke,
 * p90"): from the last keystroke to the note preview showing the answer for that input, in chromium.
 * The page records, in its own clock, when each `input` event happened and the frame in which the note
 * preview first held the text the last keystroke completed; the bench reads both.
 */
import type { Page } from 'playwright-core';

/** Milliseconds between keys when typing: a brisk typist (about 100 words a minute). */
const KEY_DELAY_MS = 100;
/** The page clock's figures of one sample. */
interface Marks {
  lastInput: number;
  shownAt: number;
}

/**
 * The page-side clock, as script text (the bench is typed without the DOM library): the last `input`
 * event, and the frame in which the expected text first shows in the note preview.
 */
const INSTRUMENT = `(() => {
  const b = (window.ncBench = { lastInput: 0, shownAt: 0, expected: '' });
  document.addEventListener('input', () => { b.lastInput = performance.now(); }, true);
  const note = document.getElementById('note-preview');
  new MutationObserver(() => {
    if (!b.expected || b.shownAt || !(note.textContent || '').includes(b.expected)) return;
    const seen = b.expected;
    requestAnimationFrame(() => { if (b.expected === seen && !b.shownAt) b.shownAt = performance.now(); });
  }).observe(note, { childList: true, subtree: true, characterData: true });
})()`;

async function expectText(page: Page, text: string): Promise<void> {
  await page.evaluate(`(() => { window.ncBench.expected = ${JSON.stringify(text)}; window.ncBench.shownAt = 0; })()`);
}

/** Milliseconds from the last keystroke to the frame showing the expected text. */
async function latency(page: Page, timeoutMs = 5000): Promise<number> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const m = (await page.evaluate('({ ...window.ncBench })')) as Marks;
    if (m.shownAt) return m.shownAt - m.lastInput;
    if (Date.now() > end) throw new Error(`The live panel did not show the typed text within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Lets the panel settle between samples (the last answer in, nothing pending). */
const settle = (page: Page): Promise<void> => page.waitForTimeout(400);

/**
 * Samples the live panel's latency on an open chart with muscles charted: `samples` times a sentence
 * typed into the patient's response (narrative), and `samples` times the pain before treatment changed
 * (a number). Returns the latencies in milliseconds, each from the last keystroke.
 */
export async function livePanelLatency(page: Page, samples: number): Promise<{ narrative: number[]; number: number[] }> {
  await page.evaluate(INSTRUMENT);
  const narrative: number[] = [];
  const number: number[] = [];
  for (let i = 0; i < samples; i++) {
    await page.locator('#response').fill('');
    await settle(page);
    // No full stop: the note adds one, so the text would show complete one key early.
    const text = `Tolerated well, sample ${i} of the bench`;
    await expectText(page, text);
    await page.locator('#response').pressSequentially(text, { delay: KEY_DELAY_MS });
    narrative.push(await latency(page));

    const pain = String(3 + (i % 5));
    await page.locator('#pain-pre').fill(pain === '3' ? '8' : '3');
    await settle(page);
    // The note lists it as a term and its value: "Pain before treatment" then "6/10".
    await expectText(page, `Pain before treatment${pain}/10`);
    await page.locator('#pain-pre').click();
    await page.keyboard.press('Control+A');
    await page.keyboard.press(pain);
    number.push(await latency(page));
  }
  return { narrative, number };
}
