import type { Page } from 'playwright-core';
import { useTestApp } from '../support/app';
import { bookingBody, BuiltDiary, createDiary, createSite, importHistory, partnerKey } from '../support/fixtures';
import { expectPage, screenshot, useBrowser } from './browser';

/** A Monday well before the weeks the simulation replays (the app's clock reads Monday 30 November 2026). */
const HISTORY_FROM = '2026-08-31';

describe('pages: a site manager reads the day sheet and tunes overbooking', () => {
  const e2e = useTestApp();
  const pages = useBrowser(e2e);
  const { newContext, signIn } = pages;
  let diary: BuiltDiary;
  let otherSiteId: string;
  let managerEmail: string;
  const newStaff = (role: string, extra: Record<string, unknown> = {}) => pages.newStaff(role, diary.organisationId, extra);
  const errorLinks = (page: Page) => page.locator('.govuk-error-summary a').evaluateAll((links) => links.map((a) => [a.getAttribute('href'), a.textContent?.trim()]));
  const policies = async (siteId: string) => e2e.db.query('SELECT policy, version FROM overbooking_policies WHERE site_id = $1', [siteId]);

  beforeAll(async () => {
    // Four advisers, hour-long one-to-ones MON-FRI 09:00-17:00, in a pattern entered before the history: a site busy enough to overbook.
    diary = await createDiary(e2e.api, { advisers: 4, pattern: { validFrom: HISTORY_FROM } });
    await importHistory(e2e.api, diary, { seed: 'sites-browser', from: HISTORY_FROM, weeks: 13, appointmentsPerWeek: 110 });
    // Fitted to the history, so that predictions differ between customers as they do in use.
    expect((await e2e.api.post('/v1/models/show-probability/train', {})).status).toBe(200);
    const partner = await partnerKey(e2e.api);
    for (const [time, reference] of [['09:00', 'JCP-0900'], ['10:00', 'JCP-1000']]) {
      expect((await e2e.api.as(partner.key).post('/v1/bookings', bookingBody(diary, `2027-01-04T${time}:00Z`, reference))).status).toBe(201);
    }
    otherSiteId = (await createSite(e2e.api)).id;
    managerEmail = await newStaff('site_manager', { managedSiteIds: [diary.siteId] });
  });

  it("shows the site's day sheet for a date typed in, and says so for a date that does not exist", async () => {
    const page = await (await newContext()).newPage();
    await signIn(page, managerEmail);
    await page.waitForURL('**/app/sites');
    await expectPage(page, 'Your sites');
    await page.click(`a[href="/app/sites/${diary.siteId}"]`);
    await expectPage(page, 'Day sheet');
    await expect(page.locator('main').innerText()).resolves.toContain('Nobody is booked at this site on this day.');

    await page.fill('#date-day', '31');
    await page.fill('#date-month', '2');
    await page.fill('#date-year', '2027');
    await page.click('#show-day');
    await page.waitForURL(/day=31/);
    await expectPage(page, 'Day sheet');
    await expect(errorLinks(page)).resolves.toEqual([['#date-day', 'Date must be a real date, like 4 1 2027']]);

    await page.fill('#date-day', '4');
    await page.fill('#date-month', '1');
    await page.click('#show-day');
    await page.waitForURL(/day=4/);
    await expectPage(page, 'Day sheet');
    const text = await page.locator('main').innerText();
    expect(text).toContain('Monday 4 January 2027');
    expect(text).toMatch(/9am to 10am, .+\n/);
    expect(text).toContain('Sam Taylor (JCP-0900)');
    expect(text).toContain('Sam Taylor (JCP-1000)');
    await screenshot(page, 'day-sheet');
  });

  it('simulates a policy, drawing the curve with its numbers, checks it as the API does, and saves it', async () => {
    const page = await (await newContext()).newPage();
    await signIn(page, managerEmail);
    await page.waitForURL('**/app/sites');
    await page.goto(`${e2e.app.url}/app/sites/${diary.siteId}/overbooking`);
    await expectPage(page, 'Overbooking policy');
    expect(await page.isChecked('#mode')).toBe(true);
    expect(await page.inputValue('#maxRisk')).toBe('10');

    await page.check('#mode-3');
    await page.fill('#maxRisk', '80');
    await page.click('#simulate');
    await page.waitForURL(/mode=risk/);
    await expectPage(page, 'Overbooking policy');
    await expect(errorLinks(page)).resolves.toEqual([['#maxRisk', 'Risk target must be more than 0% and at most 50%']]);
    expect(await page.locator('#save-policy').count()).toBe(0);

    // The overlap's bound by the appointment's length is the service's own check, shown the same way.
    await page.check('#mode-2');
    await page.fill('#maxRisk', '15');
    await page.fill('#overlapMinutes', '60');
    await page.click('#simulate');
    await page.waitForURL(/mode=overlap/);
    await expectPage(page, 'Overbooking policy');
    await expect(errorLinks(page)).resolves.toEqual([['#overlapMinutes', 'Overlap must be shorter than the appointment (60 minutes), or the next would start with it']]);

    await page.check('#mode-3');
    await page.fill('#overlapMinutes', '15');
    await page.fill('#noOverbookWithinHours', '0');
    await page.click('#simulate');
    await page.waitForURL(/mode=risk/);
    await expectPage(page, 'Overbooking policy');
    await page.locator('#simulation-table').waitFor();
    const rows = await page.locator('#simulation-table tbody th').allInnerTexts();
    expect(rows).toEqual(['Off', 'Risk target 2%', 'Risk target 5%', 'Risk target 10%', 'Risk target 15%', 'Risk target 20%', 'Risk target 30%', 'This policy']);
    expect(await page.locator('svg[role="img"] circle').count()).toBe(7);
    expect(await page.locator('svg[role="img"] rect').count()).toBe(1);
    await expect(page.locator('#fairness, .govuk-warning-text').first().innerText()).resolves.toMatch(/Fair|Not fair/);
    await screenshot(page, 'overbooking');
    expect(await policies(diary.siteId)).toEqual([]);

    await page.click('#save-policy');
    await page.locator('.govuk-notification-banner', { hasText: 'Policy saved (version 1)' }).waitFor();
    await expectPage(page, 'Overbooking policy');
    expect(await page.inputValue('#maxRisk')).toBe('15');
    expect(await policies(diary.siteId)).toEqual([{ version: 1, policy: expect.objectContaining({ mode: 'risk', maxRisk: 0.15, noOverbookWithinHours: 0, pooled: true }) }]);
  });

  it("keeps each role to its own: an adviser has no manager's pages, a manager no other site's", async () => {
    const adviser = await (await newContext()).newPage();
    await signIn(adviser, await newStaff('adviser', { adviserId: diary.adviserId }));
    await adviser.waitForURL('**/app/day');
    expect((await adviser.goto(`${e2e.app.url}/app/sites/${diary.siteId}/overbooking`))?.status()).toBe(403);
    await expectPage(adviser, 'There is a problem');

    const context = await newContext();
    const page = await context.newPage();
    await signIn(page, managerEmail);
    await page.waitForURL('**/app/sites');
    await expect(page.locator('main').innerText()).resolves.not.toContain(otherSiteId);
    for (const path of [`/app/sites/${otherSiteId}`, `/app/sites/${otherSiteId}/overbooking`]) {
      expect((await page.goto(`${e2e.app.url}${path}`))?.status()).toBe(403);
      await expectPage(page, 'There is a problem');
      await expect(page.locator('main').innerText()).resolves.toContain('You do not manage this site');
    }
    const token = await page.locator('input[name="_csrf"]').first().inputValue();
    const forged = await context.request.post(`${e2e.app.url}/app/sites/${otherSiteId}/overbooking`, { form: { _csrf: token, mode: 'risk', maxRisk: '30' }, maxRedirects: 0 });
    expect(forged.status()).toBe(403);
    expect(await policies(otherSiteId)).toEqual([]);
  });
});
