import type { Bundle, Procedure } from 'fhir/r4.js';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningNeedleChart } from '../../src/runtime.js';
import { launchChromium } from '../support/browser.js';
import { Interactions } from '../support/charting-flows.js';
import { signInToCompliance } from '../support/compliance-page.js';
import { newChart, startTestNeedleChart } from '../support/sandbox.js';

let nc: RunningNeedleChart;
let browser: Browser;
beforeAll(async () => {
  ({ nc } = await startTestNeedleChart());
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await nc?.close();
});

const sandboxOrigin = () => nc.sandbox?.origin ?? '';

async function proceduresFor(patient: string, encounter: string): Promise<Procedure[]> {
  const [, result] = await nc.sandbox!.engine.execute({ method: 'GET', path: '/Procedure', query: { patient: `Patient/${patient}`, encounter: `Encounter/${encounter}` } });
  return ((result as Bundle).entry ?? []).map((e) => e.resource as Procedure);
}

async function launchFromSandbox(page: Page, patient: string, mode: 'launch' | 'launch-frame' = 'launch', origin = sandboxOrigin()): Promise<void> {
  await page.goto(`${origin}/sandbox`);
  await page.locator(`tr[data-patient="${patient}"] button[data-action="${mode}"]`).click();
}

/** Launches from the sandbox and waits until the charting form is on screen. */
async function openChart(page: Page, patient: string): Promise<void> {
  await launchFromSandbox(page, patient);
  await page.locator('#workspace').waitFor({ state: 'visible' });
}

describe('charting a visit in the browser', () => {
  it('when a therapist launches from the sandbox, copies forward, adds a muscle on the body map, records pain and saves, then the visit is on the FHIR server', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const started = performance.now();
    await openChart(page, 'p-maria-lopez');
    await expect.poll(() => page.locator('#visit-line').textContent(), { timeout: 10_000 }).toContain('visit 4');
    const interactiveMs = performance.now() - started;
    await expect.poll(() => page.locator('#patient-banner').textContent()).toContain('Maria Lopez');
    // The banner's birth date reads as people write it, not as the chart stores it.
    expect(await page.locator('#patient-banner').textContent()).toContain('born March 12, 1984');
    expect(await page.locator('#patient-banner').textContent()).not.toMatch(/\d{4}-\d{2}-\d{2}/);

    const ui = new Interactions(page, page.keyboard); // counts the "Launch NeedleChart" click in the EHR
    await ui.click('#copy-forward');
    await expect.poll(() => page.locator('#muscle-rows tr:not(.nc-exam-row)').count(), { timeout: 5000 }).toBe(3);
    await ui.click('#body-map-back .nc-hotspot[data-muscle="semispinalis-capitis"][data-side="left"]');
    await expect.poll(() => page.locator('#muscle-rows tr:not(.nc-exam-row)').count()).toBe(4);
    expect(await page.locator('#estim-applied').isChecked()).toBe(true);
    await expect.poll(() => page.locator('#codes').textContent(), { timeout: 5000 }).toContain('20561');
    await ui.type('#pain-pre', '5');
    await ui.type('#pain-post', '2');
    await ui.check('#no-adverse-events');
    await ui.check('#needle-counted');
    await expect.poll(() => page.locator('#codes').textContent(), { timeout: 5000 }).toContain('20561');
    await ui.click('#save');
    await expect.poll(() => page.locator('#save-status').textContent(), { timeout: 10_000 }).toBe('Saved as a draft in the chart.');
    console.log(`[measure] interactions from launch to a saved 4-muscle e-stim note with copy-forward: ${ui.count}; launch to interactive form: ${Math.round(interactiveMs)} ms`);
    expect(ui.count).toBeLessThanOrEqual(25);

    const [procedure] = await proceduresFor('p-maria-lopez', 'e-maria-lopez-4');
    expect(procedure?.bodySite?.map((b) => b.text)).toEqual(['Upper trapezius, left', 'Levator scapulae, left', 'Splenius capitis, left', 'Semispinalis capitis, left']);
    expect(procedure?.code?.coding?.[0]?.code).toBe('20561');
    expect(procedure?.extension?.some((e) => e.url.endsWith('/electrical-stimulation'))).toBe(true);
    await page.close();
  });

  it('when the app runs inside an EHR iframe from another site with the usual sandbox flags, then launch, chart and save work', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const port = new URL(sandboxOrigin()).port;
    await launchFromSandbox(page, 'p-aisha-khan', 'launch-frame', `http://localhost:${port}`);
    const frame = page.frameLocator('iframe.app-frame');
    await frame.locator('#workspace').waitFor({ state: 'visible', timeout: 15_000 });
    expect(await page.locator('iframe.app-frame').getAttribute('sandbox')).toBe('allow-scripts allow-same-origin allow-forms allow-popups');
    expect(await frame.locator('#patient-banner').isHidden()).toBe(true);
    await frame.locator('#copy-forward').click();
    await frame.locator('#pain-pre').fill('4');
    await frame.locator('#pain-post').fill('2');
    await frame.locator('#no-adverse-events').check();
    await frame.locator('#save').click();
    await expect.poll(() => frame.locator('#save-status').textContent(), { timeout: 10_000 }).toBe('Saved as a draft in the chart.');
    expect(await proceduresFor('p-aisha-khan', 'e-aisha-khan-5')).toHaveLength(1);
    await page.close();
  });

  it('when two tabs launch two patients in one browser, then each tab keeps its own patient', async () => {
    const context = await browser.newContext();
    const first = await context.newPage();
    const second = await context.newPage();
    await openChart(first, 'p-james-carter');
    await openChart(second, 'p-li-wei');
    await first.reload();
    await first.locator('#workspace').waitFor({ state: 'visible' });
    expect(await first.locator('#patient-banner').textContent()).toContain('James Carter');
    expect(await second.locator('#patient-banner').textContent()).toContain('Li Wei');
    await context.close();
  });

  it('when the page is reloaded, then the unsaved draft is still there', async () => {
    const page = await browser.newPage();
    await openChart(page, 'p-tom-becker');
    await page.locator('#copy-forward').click();
    await page.locator('#pain-pre').fill('6');
    await page.locator('#plan').fill('Reassess after the third visit.');
    await expect.poll(() => page.locator('#draft-status').textContent(), { timeout: 5000 }).toBe('Draft kept.');
    await page.reload();
    await page.locator('#workspace').waitFor({ state: 'visible' });
    expect(await page.locator('#pain-pre').inputValue()).toBe('6');
    expect(await page.locator('#plan').inputValue()).toBe('Reassess after the third visit.');
    expect(await page.locator('#draft-status').textContent()).toContain('restored');
    expect(await page.locator('#muscle-rows tr:not(.nc-exam-row)').count()).toBe(3);
    await page.close();
  });

  it('when a finding is clicked, then its field gets the focus', async () => {
    const page = await browser.newPage();
    await openChart(page, 'p-nora-silva');
    await page.locator('#muscle-search').fill('Masseter');
    await page.locator('#add-muscle').click();
    const consent = page.locator('#findings button', { hasText: 'Informed consent is not recorded' });
    await consent.waitFor();
    // The severity reads in words, as in the notes, never as the raw value.
    expect(await page.locator('#findings li', { hasText: 'Informed consent is not recorded' }).locator('strong').textContent()).toBe('Needs fixing: ');
    await consent.click();
    expect(await page.evaluate('document.activeElement && document.activeElement.id')).toBe('consent-obtained');
    await page.close();
  });
});

describe('signing out in the browser', () => {
  it('when the therapist signs out inside the EHR iframe, then the page says so, the chart is gone, and a reload cannot read it again', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const port = new URL(sandboxOrigin()).port;
    await launchFromSandbox(page, 'p-nora-silva', 'launch-frame', `http://localhost:${port}`);
    const frame = page.frameLocator('iframe.app-frame');
    await frame.locator('#workspace').waitFor({ state: 'visible', timeout: 15_000 });
    await frame.locator('#plan').fill('Unsaved plan text');
    await expect.poll(() => frame.locator('#draft-status').textContent(), { timeout: 5000 }).toMatch(/^Draft kept/);
    await frame.locator('#sign-out').click();
    await expect.poll(() => frame.locator('#fatal').textContent(), { timeout: 5000 }).toContain('You are signed out of NeedleChart');
    expect(await frame.locator('#workspace').isHidden()).toBe(true);
    expect(await frame.locator('#sign-out').isHidden()).toBe(true);
    const appFrame = page.frames().find((f) => f.url().startsWith(nc.appUrl));
    await appFrame?.evaluate('location.reload()');
    await expect.poll(() => page.frameLocator('iframe.app-frame').locator('#fatal').textContent(), { timeout: 10_000 }).toMatch(/expired or belongs to another browser session/);
    await page.close();
  });
});

describe('launch problems in the browser', () => {
  it('when an unknown iss launches the app, then the page says so and nothing redirects', async () => {
    const page = await browser.newPage();
    const response = await page.goto(`${nc.appUrl}/launch?iss=${encodeURIComponent('https://evil.example.org/fhir')}&launch=abc`);
    expect(response?.status()).toBe(400);
    expect(page.url()).toContain(nc.appUrl);
    expect(await page.locator('h1').textContent()).toBe('This EHR is not allowed to launch NeedleChart');
    await page.close();
  });

  it('when the state coming back from the EHR is not the one the app sent, then the sign-in is refused', async () => {
    const page = await browser.newPage();
    await openChart(page, 'p-li-wei');
    const response = await page.goto(`${nc.appUrl}/callback?code=stolen-code&state=forged-state-value`);
    expect(response?.status()).toBe(400);
    expect(await page.locator('h1').textContent()).toBe('This sign-in cannot be completed');
    await page.close();
  });
});

describe('compliance export in the browser', () => {
  it('when a staff member finds a patient by name, checks the count and starts the export, then the Start button says what it will do, no FHIR id is shown, and the packet downloads as a zip', async () => {
    const page = await browser.newPage();
    await signInToCompliance(page, sandboxOrigin());
    await page.locator('#from').fill('2026-01-01');
    await page.locator('#to').fill('2026-12-31');
    // Found by name, picked from the list with the keyboard.
    await page.locator('#patient-name').fill('Carter');
    await page.locator('#patient-name').press('Enter');
    const match = page.getByRole('radio', { name: /James Carter, born Jul 30, 1951, MRN MRN-JAMES-CARTER/ });
    await match.waitFor();
    await match.focus();
    await page.keyboard.press('Space');
    await expect.poll(() => page.locator('#patient-chosen').textContent()).toContain('Patient: James Carter, born Jul 30, 1951, MRN MRN-JAMES-CARTER');
    const shown = await page.locator('main').innerText();
    expect(shown).not.toMatch(/p-james-carter|Patient\//);
    expect(await page.locator('#patient').inputValue()).not.toMatch(/p-james-carter|Patient\//);
    // The count before the export, and the Start button saying what it will do.
    await page.locator('#check').click();
    await expect.poll(() => page.locator('#preview').textContent(), { timeout: 10_000 }).toMatch(/^The packet will hold 2 visits of 1 patient, with dates of service from \w+ \d{1,2}, 2026 to \w+ \d{1,2}, 2026\.$/);
    await expect.poll(() => page.locator('#start').textContent()).toBe('Export 2 visits of 1 patient');
    await page.locator('#start').click();
    await expect.poll(() => page.locator('#status').textContent(), { timeout: 20_000 }).toMatch(/^Done: 2 visits of 1 patient\. Export record number [A-Za-z0-9-]+\.$/);
    const href = await page.locator('#download').getAttribute('href');
    const download = await page.request.get(`${nc.appUrl}${href}`);
    expect(download.status()).toBe(200);
    expect((await download.body()).subarray(0, 2).toString()).toBe('PK');
    // Cleared, the patient filter is gone and the count must be made again.
    await page.locator('#patient-clear').click();
    expect(await page.locator('#patient').inputValue()).toBe('');
    await expect.poll(() => page.locator('#start').textContent()).toBe('Start export');
    await page.close();
  });

  it('when the export request is wrong, then the page lists each problem, dates in the format the field shows', async () => {
    const page = await browser.newPage();
    await page.goto(`${sandboxOrigin()}/sandbox`);
    await page.locator('#compliance').click();
    await page.locator('button[type="submit"]').click();
    await page.locator('#export-form').waitFor();
    await page.locator('#from').fill('2026-12-31');
    await page.locator('#to').fill('2026-01-01');
    await page.locator('#start').click();
    // Said in the staff member's words and in the date format the field shows (the browser's locale, en-US here).
    await expect.poll(() => page.locator('#errors').textContent(), { timeout: 5000 }).toContain('The last date of service, 01/01/2026, comes before the first, 12/31/2026.');
    await page.close();
  });
});

describe('hostile text in the browser', () => {
  it('when free text holds markup and script, then the page and the note preview show it as text and nothing runs', async () => {
    const page = await browser.newPage();
    let dialogs = 0;
    page.on('dialog', async (d) => {
      dialogs += 1;
      await d.dismiss();
    });
    await openChart(page, 'p-li-wei');
    await page.locator('#copy-forward').click();
    const hostile = '<img src=x onerror="alert(1)"><script>alert(2)</script>{{launch}}';
    await page.locator('#plan').fill(hostile);
    await page.locator('#response').fill(hostile);
    await expect.poll(() => page.locator('#note-preview').textContent(), { timeout: 5000 }).toContain('<script>alert(2)</script>');
    expect(await page.locator('#note-preview img').count()).toBe(0);
    expect(await page.locator('#note-preview script').count()).toBe(0);
    expect(dialogs).toBe(0);
    await page.close();
  });
});

describe('CDS Hooks cards in the sandbox EHR', () => {
  it('when the latest visit has a documentation gap, then the launcher shows the card and its SMART link opens that visit in NeedleChart', async () => {
    const { analyseSession, visitTransactionFor } = await import('../../src/service/preview-session.js');
    const { completeSession } = await import('../support/fixtures.js');
    const yesterday = `${new Date(Date.now() - 86_400_000).toISOString().slice(0, 10)}T11:00:00-07:00`;
    const a = analyseSession(completeSession({ date: yesterday, consent: { obtained: false, investigationalStatusDisclosed: false } }), nc.core);
    await nc.sandbox!.engine.execute({ method: 'POST', path: '/', body: visitTransactionFor(nc.core, a, { patient: 'Patient/p-tom-becker', encounter: 'Encounter/e-tom-becker-4' }, new Date().toISOString()) });

    const page = await browser.newPage();
    await page.goto(`${sandboxOrigin()}/sandbox`);
    const card = page.locator('tr[data-patient="p-tom-becker"] li.cds-card', { hasText: 'documentation gap' });
    await card.waitFor();
    await card.locator('button[data-action="cds-link"]').click();
    await page.locator('#workspace').waitFor({ state: 'visible' });
    await expect.poll(() => page.locator('#save-status').textContent(), { timeout: 5000 }).toMatch(/Opened from an EHR alert about this visit/);
    expect(await page.locator('#consent-obtained').isChecked()).toBe(false);
    await page.close();
  });
});

/** The session the page last sent for a preview, as the server received it (the body is `{ session, course }`). */
async function nextPreviewBody(page: Page, act: () => Promise<void>): Promise<Record<string, unknown>> {
  const request = page.waitForRequest((r) => r.url().endsWith('/api/preview') && r.method() === 'POST', { timeout: 10_000 });
  await act();
  // The page sends {session, course}: the session is what the form holds.
  return ((await request).postDataJSON() as { session: Record<string, unknown> }).session;
}

describe('the new parts of the record in the browser', () => {
  it('when a therapist records necessity, palpation, attended e-stim, other services, plan of care, progress, the ABN and clean technique, then the saved visit holds each of them', async () => {
    const { toSession } = await import('../../src/fhir/visit-to-session.js');
    const page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
    await openChart(page, 'p-li-wei');
    // No clinic defaults configured: nothing is pre-checked and no note says so.
    expect(await page.locator('#practice-sterile').isChecked()).toBe(false);
    expect(await page.locator('#practices-note').isHidden()).toBe(true);
    // An untouched form sends none of the new parts (no `necessity: {}`).
    const untouched = await nextPreviewBody(page, () => page.locator('#copy-forward').click());
    for (const key of ['necessity', 'planOfCare', 'goalProgress', 'abn', 'waiver', 'practices', 'services']) expect(untouched).not.toHaveProperty(key);
    expect((untouched.muscles as { exam?: unknown }[]).every((m) => m.exam === undefined)).toBe(true);

    await page.locator('#chief-complaint').fill('Right shoulder pain reaching overhead');
    await page.locator('#onset-date').fill('2026-08-15');
    await page.locator('#add-prior-care').click();
    await page.locator('[data-path="necessity.priorCare[0].treatment"]').fill('Home exercise program, 6 weeks');
    await page.locator('[data-path="necessity.priorCare[0].result"]').fill('Partial relief');
    await page.locator('#functional-limitation').fill('Cannot lift a pan to the top shelf.');
    await page.locator('#necessity-goal').fill('Reach the top shelf without pain in 4 weeks.');
    // Medicare never covers dry needling: the ABN is offered, the investigational waiver is not.
    expect(await page.locator('#abn-fields').isVisible()).toBe(true);
    expect(await page.locator('#waiver-fields').isHidden()).toBe(true);
    await page.locator('#abn-issued').fill('2026-11-20');
    await page.locator('#abn-option').selectOption('2');
    await page.locator('#practice-sterile').check();
    await page.locator('#practice-sharps').check();
    // The palpation line sits under each muscle's row: at 1366 px the muscle table still fits without scrolling sideways.
    expect(await page.locator('.nc-table-wrap').evaluate((w) => w.scrollWidth <= w.clientWidth)).toBe(true);
    await page.locator('[data-path="muscles[0].exam.tautBand"]').check();
    await page.locator('[data-path="muscles[0].exam.triggerPoint"]').check();
    await page.locator('#estim-applied').check();
    expect(await page.locator('#estim-justification').isHidden()).toBe(true);
    await page.locator('#estim-attended').selectOption('true');
    await page.locator('#estim-justification').fill('Intensity adjusted throughout to a visible contraction.');
    await page.locator('#estim-minutes').fill('12');
    await page.locator('#add-service').click();
    await page.locator('[data-path="services[0].code"]').selectOption('97140');
    await page.locator('[data-path="services[0].minutes"]').fill('10');
    await page.locator('[data-path="services[0].regions"]').selectOption(['shoulder', 'upper-arm']);
    await page.locator('#poc-date').fill('2026-11-02');
    await page.locator('#poc-visits').fill('2');
    await page.locator('#poc-weeks').fill('4');
    await page.locator('#poc-certified-by').fill('Dr. Maya Patel, MD');
    await page.locator('#goal-progress').fill('Reaches shoulder height without pain.');
    await page.locator('#pain-pre').fill('6');
    await page.locator('#pain-post').fill('3');
    await page.locator('#no-adverse-events').check();
    await page.locator('#save').click();
    await expect.poll(() => page.locator('#save-status').textContent(), { timeout: 10_000 }).toBe('Saved as a draft in the chart.');

    const [procedure] = await proceduresFor('p-li-wei', 'e-li-wei-6');
    const saved = toSession(procedure!, [], nc.core.profiles);
    expect(saved.necessity).toEqual({
      chiefComplaint: 'Right shoulder pain reaching overhead',
      onsetDate: '2026-08-15',
      priorCare: [{ treatment: 'Home exercise program, 6 weeks', result: 'Partial relief' }],
      functionalLimitation: 'Cannot lift a pan to the top shelf.',
      goal: 'Reach the top shelf without pain in 4 weeks.',
    });
    expect(saved.muscles[0]?.exam).toMatchObject({ tautBand: true, triggerPoint: true });
    expect(saved.estim).toMatchObject({ applied: true, attended: true, minutes: 12, justification: 'Intensity adjusted throughout to a visible contraction.' });
    expect(saved.services).toEqual([{ code: '97140', minutes: 10, regions: ['shoulder', 'upper-arm'] }]);
    expect(saved.planOfCare).toEqual({ date: '2026-11-02', visitsPerWeek: 2, weeks: 4, certifiedBy: 'Dr. Maya Patel, MD' });
    expect(saved.goalProgress).toBe('Reaches shoulder height without pain.');
    expect(saved.abn).toEqual({ issuedOn: '2026-11-20', option: 2 });
    expect(saved.waiver).toBeUndefined();
    expect(saved.practices).toEqual({ sterileSingleUseNeedles: true, sharpsDisposed: true });
    await page.close();
  });
});

describe('copy-forward and clinic defaults in the browser', () => {
  let clinic: RunningNeedleChart;
  let patient = '';
  beforeAll(async () => {
    ({ nc: clinic } = await startTestNeedleChart({ env: { NEEDLECHART_CLINIC_PRACTICES: 'sterile-single-use-needles, gloves' } }));
    const engine = clinic.sandbox!.engine;
    const chart = await newChart(clinic.sandbox!, 'payer-medicare', engine);
    patient = chart.patient.replace('Patient/', '');
    // Last week's visit, in an encounter already closed, with every part of the record filled in.
    const previous = `${chart.encounter}-prev`;
    await engine.execute({ method: 'PUT', path: `/${previous}`, body: { resourceType: 'Encounter', id: previous.replace('Encounter/', ''), status: 'finished', class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB' }, subject: { reference: chart.patient } } });
    const { analyseSession, visitTransactionFor } = await import('../../src/service/preview-session.js');
    const { fullSession } = await import('../support/fixtures.js');
    const [, , status] = await engine.execute({ method: 'POST', path: '/', body: visitTransactionFor(clinic.core, analyseSession(fullSession(), clinic.core), { patient: chart.patient, encounter: previous }, new Date().toISOString()) });
    expect(status).toBeLessThan(300);
  }, 60_000);
  afterAll(async () => {
    await clinic?.close();
  });

  it('when the clinic sets its clean-technique defaults, then a new visit has those boxes pre-checked and says so', async () => {
    const page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
    await launchFromSandbox(page, patient, 'launch', clinic.sandbox!.origin);
    await page.locator('#workspace').waitFor({ state: 'visible' });
    expect(await page.locator('#practice-sterile').isChecked()).toBe(true);
    expect(await page.locator('#practice-gloves').isChecked()).toBe(true);
    expect(await page.locator('#practice-sharps').isChecked()).toBe(false);
    expect(await page.locator('#practices-note').textContent()).toBe("Pre-checked by your clinic's settings: uncheck anything not done today.");
    expect(await page.locator('#practices-note').isVisible()).toBe(true);
    await page.close();
  });

  it('when copying forward, then what repeats is copied and marked until changed or confirmed, and none of today\u2019s facts are', async () => {
    const page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
    await launchFromSandbox(page, patient, 'launch', clinic.sandbox!.origin);
    await page.locator('#workspace').waitFor({ state: 'visible' });
    expect(await page.locator('#copied-count').isHidden()).toBe(true);
    await page.locator('#copy-forward').click();
    await expect.poll(() => page.locator('#muscle-rows tr:not(.nc-exam-row)').count(), { timeout: 5000 }).toBe(3);

    // What repeats is carried forward.
    expect(await page.locator('#needle-type').inputValue()).toBe('solid filiform');
    expect(await page.locator('#needle-diameter').inputValue()).toBe('0.25');
    expect(await page.locator('#estim-applied').isChecked()).toBe(true);
    expect(await page.locator('#estim-attended').inputValue()).toBe('true');
    expect(await page.locator('#estim-minutes').inputValue()).toBe('23.5');
    expect(await page.locator('#estim-frequency').inputValue()).toBe('2.5');
    expect(await page.locator('#diagnoses input:checked').count()).toBe(2);
    expect(await page.locator('#poc-date').inputValue()).toBe('2026-11-02');
    expect(await page.locator('#poc-certified-by').inputValue()).toBe('Dr. Maya Patel, MD');
    expect(await page.locator('#chief-complaint').inputValue()).toBe('Low back pain when lifting');
    expect(await page.locator('#onset-date').inputValue()).toBe('2026-09-01');
    expect(await page.locator('#necessity-goal').inputValue()).toBe('Lift 10 kg from the floor without pain within 4 weeks.');
    expect(await page.locator('[data-path="necessity.priorCare[1].treatment"]').inputValue()).toBe('Massage');
    expect(await page.locator('[data-path="services[0].code"]').inputValue()).toBe('97140');
    expect(await page.locator('[data-path="services[0].regions"] option:checked').allTextContents()).toEqual(['Low back and pelvis', 'Hip']);

    // Today's facts are not.
    expect(await page.locator('[data-path="services[0].minutes"]').inputValue()).toBe('');
    expect(await page.locator('#duration').inputValue()).toBe('');
    expect(await page.locator('#functional-limitation').inputValue()).toBe('');
    expect(await page.locator('#estim-justification').inputValue()).toBe('');
    expect(await page.locator('#needle-counted').isChecked()).toBe(false);
    expect(await page.locator('[data-path="muscles[0].exam.tautBand"]').isChecked()).toBe(false);
    expect(await page.locator('#consent-obtained').isChecked()).toBe(false);
    expect(await page.locator('#consent-disclosed').isChecked()).toBe(false);
    expect(await page.locator('#screening-cleared').isChecked()).toBe(false);
    expect(await page.locator('#precautions').inputValue()).toBe('');
    expect(await page.locator('#pain-pre').inputValue()).toBe('');
    expect(await page.locator('#rom-rows .nc-row').count()).toBe(0);
    expect(await page.locator('#response').inputValue()).toBe('');
    expect(await page.locator('#plan').inputValue()).toBe('');
    expect(await page.locator('#goal-progress').inputValue()).toBe('');
    expect(await page.locator('#adverse-rows .nc-row').count()).toBe(0);
    expect(await page.locator('#no-adverse-events').isChecked()).toBe(false);
    expect(await page.locator('#abn-issued').inputValue()).toBe('');
    expect(await page.locator('#abn-option').inputValue()).toBe('');
    // Clean technique stays today's (the clinic's defaults), not last visit's (all three checked).
    expect(await page.locator('#practice-sharps').isChecked()).toBe(false);

    // Marked, in words, until changed or confirmed.
    const note = await page.locator('#copy-forward-note').textContent();
    expect(note).toMatch(/^Copied from the visit of Friday, November 20(, 2026)?: check and update\.$/);
    expect(await page.locator('#copied-desc').textContent()).toMatch(/^copied from Friday, November 20/);
    expect(await page.locator('#needle-type').getAttribute('class')).toContain('nc-copied');
    expect(await page.locator('#needle-type').getAttribute('aria-describedby')).toBe('copied-desc');
    expect(await page.locator('#muscle-rows tr.nc-copied:not(.nc-exam-row)').count()).toBe(3);
    expect(await page.locator('[data-path="muscles[0].side"]').getAttribute('aria-describedby')).toBe('copied-desc');
    expect((await page.locator('#consent-obtained').getAttribute('class')) ?? '').not.toContain('nc-copied');
    const count = async () => Number(/^(\d+) copied values? to check$/.exec((await page.locator('#copied-count').textContent()) ?? '')?.[1]);
    const before = await count();
    expect(before).toBeGreaterThan(20);
    await page.locator('#needle-length').fill('30');
    expect((await page.locator('#needle-length').getAttribute('class')) ?? '').not.toContain('nc-copied');
    expect(await page.locator('#needle-length').getAttribute('aria-describedby')).toBeNull();
    expect(await count()).toBe(before - 1);
    await page.locator('[data-path="muscles[1].exam.localPain"]').check();
    expect(await page.locator('#muscle-rows tr.nc-copied:not(.nc-exam-row)').count()).toBe(2);
    expect(await count()).toBe(before - 2);
    // Removing a row takes its mark with it; the marks of the rows after it follow them up.
    await page.getByRole('button', { name: /^Remove Quadratus lumborum/ }).click();
    await expect.poll(() => page.locator('#muscle-rows tr:not(.nc-exam-row)').count()).toBe(2);
    expect(await page.locator('#muscle-rows tr.nc-copied:not(.nc-exam-row) th').allTextContents()).toEqual([expect.stringContaining('Middle trapezius')]);
    expect(await count()).toBe(before - 3);
    await page.locator('#confirm-copied').click();
    expect(await page.locator('.nc-copied').count()).toBe(0);
    expect(await page.locator('#copied-count').isHidden()).toBe(true);
    expect(await page.locator('#confirm-copied').isHidden()).toBe(true);
    await page.close();
  });
});
