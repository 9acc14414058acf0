/**
 * The charting flows of issue 16's interaction budget, driven in chromium exactly as a therapist
 * would chart them, shared by test/e2e/charting-budget.test.ts (which asserts the budgets) and
 * bench/ui.bench.ts (which prints the counts): both run the same clicks and keys.
 */
import type { Frame, Keyboard, Page } from 'playwright-core';

/** Where the charting page is driven: its own tab (a Page), or the sandbox EHR's 1024 × 700 frame (a Frame). */
export type AppView = Page | Frame;

/** Where a flow charts: in a tab of its own, or inside the sandbox EHR's frame. */
export type Where = 'tab' | 'frame';

/** The budgets of issue 16: a first visit of 5 muscles, and a returning visit charted by copy-forward. */
export const FIRST_VISIT_BUDGET = 40;
export const RETURNING_VISIT_BUDGET = 12;

/** What a flow took: interactions (clicks and keys) and the letters of free narrative, counted apart. */
export interface FlowCount {
  readonly interactions: number;
  readonly narrative: number;
}

/** The save bar's words once a visit is in the chart. */
export const SAVED = 'Saved as a draft in the chart.';

/** Counts what a therapist does: each click and each key, with free narrative (typed sentences) counted apart. */
export class Interactions {
  count = 1; // the "Launch NeedleChart" click in the EHR
  narrative = 0;
  /** `app` is where the page's controls are (a tab, or the EHR's frame); `keyboard` is the browser tab's. */
  constructor(
    private readonly app: AppView,
    private readonly keyboard: Keyboard,
  ) {}
  async click(selector: string): Promise<void> {
    this.count += 1;
    await this.app.locator(selector).first().click();
  }
  async type(selector: string, text: string): Promise<void> {
    await this.click(selector);
    this.count += text.length;
    await this.app.locator(selector).pressSequentially(text);
  }
  async press(key: string): Promise<void> {
    this.count += 1;
    await this.keyboard.press(key);
  }
  async check(selector: string): Promise<void> {
    this.count += 1;
    await this.app.locator(selector).check();
  }
  /** Free narrative the budget leaves out: the clicks into the field count, the letters do not. */
  async narrate(selector: string, text: string): Promise<void> {
    await this.click(selector);
    this.narrative += text.length;
    await this.app.locator(selector).pressSequentially(text);
  }
  get result(): FlowCount {
    return { interactions: this.count, narrative: this.narrative };
  }
}

/**
 * Launches NeedleChart for `patient` from the sandbox EHR's launcher, in a tab of its own or inside
 * the EHR's 1024 × 700 frame, waits for the form and its body map, and answers where the page is.
 */
export async function openChart(page: Page, sandboxOrigin: string, patient: string, where: Where = 'tab'): Promise<AppView> {
  await page.goto(`${sandboxOrigin}/sandbox`);
  await page.locator(`tr[data-patient="${patient}"] button[data-action="${where === 'frame' ? 'launch-frame' : 'launch'}"]`).click();
  const app = where === 'frame' ? await (await page.locator('iframe.app-frame').elementHandle())?.contentFrame() : page;
  if (!app) throw new Error('The EHR frame holds no page');
  await app.locator('#workspace').waitFor({ state: 'visible', timeout: 15_000 });
  await app.locator('.nc-hotspot').first().waitFor({ state: 'attached' });
  return app;
}

/** Polls `read()` (a locator count or text, outside the page: its CSP forbids evaluating strings) until it equals `want`. */
async function until<T>(read: () => Promise<T>, want: T, what: string, timeout: number): Promise<void> {
  const end = Date.now() + timeout;
  let last: T = await read();
  while (last !== want) {
    if (Date.now() > end) throw new Error(`Timed out after ${timeout} ms waiting for ${what} to be ${String(want)} (it is ${String(last)})`);
    await new Promise((resolve) => setTimeout(resolve, 25));
    last = await read();
  }
}

/** Waits until the muscle table holds `rows` muscle rows (each muscle and side is one). */
export async function waitForMuscleRows(page: AppView, rows: number, timeout = 5000): Promise<void> {
  await until(() => page.locator('#muscle-rows tr[data-copy-key]:not(.nc-exam-row)').count(), rows, 'the muscle rows', timeout);
}

/** Waits until the save bar says the visit is in the chart. */
export async function waitForSaved(page: AppView, timeout = 10_000): Promise<void> {
  await until(() => page.locator('#save-status').textContent(), SAVED, 'the save status', timeout);
}

const spot = (muscle: string, side: string): string => `.nc-hotspot[data-muscle="${muscle}"][data-side="${side}"]`;

/** Today's facts of any visit: e-stim through the first muscle, consent, screening, pain, one range of motion, no adverse event, needles counted; then Save. */
async function chartTodayAndSave(page: AppView, ui: Interactions): Promise<void> {
  await ui.click('#estim-applied');
  await ui.click('#estim-muscles input');
  await ui.type('#estim-minutes', '15');
  await ui.click('#consent-obtained');
  await ui.click('#screening-cleared');
  await ui.type('#pain-pre', '6');
  await ui.type('#pain-post', '3');
  await ui.click('#add-rom');
  await ui.narrate('[data-path="outcomes.rom[0].movement"]', 'cervical rotation');
  await ui.type('[data-path="outcomes.rom[0].pre"]', '50');
  await ui.type('[data-path="outcomes.rom[0].post"]', '65');
  await ui.click('#no-adverse-events');
  await ui.click('#needle-counted');
  await ui.click('#save');
  await waitForSaved(page);
}

/**
 * A first visit of 5 muscles with e-stim, consent, screening, pain and one range of motion, charted
 * and saved for `patient` (a seeded patient with no visit yet, by default Nora Silva): Both adds the
 * left and the right upper trapezius at once, three more come from the body map.
 */
export async function chartFirstVisit(page: Page, sandboxOrigin: string, patient = 'p-nora-silva', where: Where = 'tab'): Promise<FlowCount> {
  const app = await openChart(page, sandboxOrigin, patient, where);
  const ui = new Interactions(app, page.keyboard);
  await addFiveMuscles(app, ui);
  await chartTodayAndSave(app, ui);
  return ui.result;
}

/** The first visit's 5 muscles: Both adds the left and the right upper trapezius at once, three more come from the body map. */
async function addFiveMuscles(page: AppView, ui: Interactions): Promise<void> {
  await ui.click('#muscle-side-both');
  await ui.type('#muscle-search', 'upper trap');
  await ui.press('Enter');
  for (const [muscle, side] of [['levator-scapulae', 'left'], ['infraspinatus', 'left'], ['semispinalis-capitis', 'right']] as const) await ui.click(spot(muscle, side));
  await waitForMuscleRows(page, 5);
}

/**
 * Done once, before the visits it serves: on `patient`'s chart the clinician adds the first visit's 5
 * muscles and saves them as the favourite set `name` (the visit itself is not saved).
 */
export async function prepareFavouriteSet(page: Page, sandboxOrigin: string, patient: string, name: string): Promise<void> {
  await openChart(page, sandboxOrigin, patient);
  await addFiveMuscles(page, new Interactions(page, page.keyboard));
  await saveFavouriteSet(page, name);
}

/**
 * The same first visit by a clinician who saved its muscles as a favourite set: one click on the set
 * (`setName`) adds its rows, marked to check like copied values; confirming them is one more.
 */
export async function chartFirstVisitFromFavourite(page: Page, sandboxOrigin: string, patient: string, setName: string, rows: number): Promise<FlowCount> {
  await openChart(page, sandboxOrigin, patient);
  await page.locator('#favourite-sets button[data-favourite]').first().waitFor();
  const ui = new Interactions(page, page.keyboard);
  await ui.click(`#favourite-sets button[data-favourite-name="${setName}"]`);
  await waitForMuscleRows(page, rows);
  await ui.click('#confirm-copied');
  await chartTodayAndSave(page, ui);
  return ui.result;
}

/**
 * Saves the muscles now in the table as the clinician's favourite set `name`, through the page's
 * Favourites control (not counted: it is done once, not at each visit), and waits for its button.
 */
export async function saveFavouriteSet(page: Page, name: string): Promise<void> {
  await page.locator('#save-favourite').click();
  await page.locator('#favourite-name').fill(name);
  await page.locator('#favourite-submit').click();
  await page.locator(`#favourite-sets button[data-favourite-name="${name}"]`).waitFor();
}

/**
 * A returning visit (Maria Lopez, seeded with earlier visits): copy forward, confirm the copy,
 * consent, screening, pain before and after, no adverse event; then Save.
 */
export async function chartReturningVisit(page: Page, sandboxOrigin: string, patient = 'p-maria-lopez', copiedRows = 3, where: Where = 'tab'): Promise<FlowCount> {
  const app = await openChart(page, sandboxOrigin, patient, where);
  const ui = new Interactions(app, page.keyboard);
  await ui.click('#copy-forward');
  await waitForMuscleRows(app, copiedRows);
  await ui.click('#confirm-copied');
  await ui.click('#consent-obtained');
  await ui.click('#screening-cleared');
  await ui.type('#pain-pre', '4');
  await ui.type('#pain-post', '2');
  await ui.click('#no-adverse-events');
  await ui.click('#save');
  await waitForSaved(app);
  return ui.result;
}
