import type { Page } from 'playwright-core';

/**
 * Opens the compliance export page from the sandbox EHR's launcher as its compliance officer: the
 * sandbox asks who is signing in (no patient for a compliance sign-in), and only compliance staff may
 * export. Resolves once the export form is on screen.
 */
export async function signInToCompliance(page: Page, sandboxOrigin: string): Promise<void> {
  await page.goto(`${sandboxOrigin}/sandbox`);
  await page.locator('#compliance').click();
  await page.locator('select[name="sandbox_user"]').selectOption('Practitioner/staff-jordan-ellis');
  await page.locator('button[type="submit"]').click();
  await page.locator('#export-form').waitFor();
}
