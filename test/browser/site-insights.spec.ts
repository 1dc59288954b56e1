import { randomBytes } from 'node:crypto';
import type { Page } from 'playwright-core';
import { getExpectedTwilioSignature } from 'twilio/lib/webhooks/webhooks';
import { useTestApp } from '../support/app';
import { bookingBody, BuiltDiary, createDiary, importHistory, partnerKey } from '../support/fixtures';
import { TEST_ACCOUNT_SID, TEST_AUTH_TOKEN, TEST_FROM } from '../support/twilio-stand-in';
import { expectPage, screenshot, tabTo, useBrowser } from './browser';

/** A Monday, thirteen weeks before the app's clock (Monday 30 November 2026). */
const HISTORY_FROM = '2026-08-31';
/** The referrals stop here: the last two whole weeks before the clock have none. */
const DRY_FROM = Date.parse('2026-11-16T00:00:00Z');
/** A customer's reply that is HTML and script: shown as text, never run. */
const HOSTILE_REPLY = '<b>is it upstairs?</b><script>document.title="owned"</script>';

describe('pages: a site manager reads DNA patterns and venue health, and handles replies', () => {
  const e2e = useTestApp({ TWILIO_ACCOUNT_SID: TEST_ACCOUNT_SID, TWILIO_AUTH_TOKEN: TEST_AUTH_TOKEN, TWILIO_FROM: TEST_FROM, TWILIO_API_URL: 'http://127.0.0.1:9', RUN_WORKER: 'false' });
  const pages = useBrowser(e2e);
  const { newContext, signIn } = pages;
  let diary: BuiltDiary;
  let other: BuiltDiary;
  let managerEmail: string;
  const path = (page: string, siteId = diary.siteId) => `${e2e.app.url}/app/sites/${siteId}/${page}`;
  const cells = (page: Page, table: string) => page.locator(`${table} tbody tr`).evaluateAll((rows) => rows.map((r) => [...r.children].map((c) => c.textContent!.trim())));
  const openFollowUps = (siteId: string) => e2e.db.query('SELECT id, resolved_at FROM follow_ups WHERE site_id = $1', [siteId]);

  /** Texts the service from the customer's mobile, signed as Twilio signs it. */
  async function reply(from: string, body: string): Promise<void> {
    const url = `${e2e.app.url}/v1/webhooks/twilio/sms`;
    const sid = `SM${randomBytes(16).toString('hex')}`;
    const params = { MessageSid: sid, SmsSid: sid, AccountSid: TEST_ACCOUNT_SID, From: from, To: TEST_FROM, Body: body, NumMedia: '0' };
    const response = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Twilio-Signature': getExpectedTwilioSignature(TEST_AUTH_TOKEN, url, params) }, body: new URLSearchParams(params).toString() });
    expect(response.status).toBe(200);
  }

  async function signedIn(email: string, home: string): Promise<Page> {
    const page = await (await newContext()).newPage();
    await signIn(page, email);
    await page.waitForURL(`**${home}`);
    return page;
  }

  beforeAll(async () => {
    diary = await createDiary(e2e.api, { advisers: 3, pattern: { validFrom: HISTORY_FROM } });
    other = await createDiary(e2e.api);
    await importHistory(e2e.api, diary, { seed: 'site-insights-browser', from: HISTORY_FROM, weeks: 13, appointmentsPerWeek: 60, keep: (row) => row.bookedAt < DRY_FROM });
    const partner = await partnerKey(e2e.api);
    expect((await e2e.api.as(partner.key).post('/v1/bookings', bookingBody(diary, '2027-01-04T09:00:00Z', 'JCP-0900'))).status).toBe(201);
    // The booking's customer (on the fixtures' mobile) replies with something the service cannot read.
    await reply('+447911123456', HOSTILE_REPLY);
    managerEmail = await pages.newStaff('site_manager', diary.organisationId, { managedSiteIds: [diary.siteId] });
  });

  it('draws the DNA patterns for the dates asked, with the same numbers as the API in tables', async () => {
    const page = await signedIn(managerEmail, '/app/sites');
    await page.click(`a[href="/app/sites/${diary.siteId}"]`);
    await expectPage(page, 'Day sheet');
    await page.click('nav[aria-label^="Pages for"] >> text=DNA patterns');
    await expectPage(page, 'DNA patterns');
    expect(await page.locator('[aria-current="page"]').innerText()).toBe('DNA patterns');

    await page.fill('#from-day', '7');
    await page.fill('#from-month', '9');
    await page.fill('#from-year', '2026');
    await page.fill('#to-day', '29');
    await page.fill('#to-month', '11');
    await page.fill('#to-year', '2026');
    await page.click('#show-range');
    await page.waitForURL(/from-day=7/);
    await expectPage(page, 'DNA patterns');
    await expect(page.locator('#range').innerText()).resolves.toBe('7 September 2026 to 29 November 2026');

    const api = await e2e.api.get(`/v1/insights/dna?from=2026-09-07&to=2026-11-29&siteId=${diary.siteId}&groupBy=weekday`);
    expect(api.status).toBe(200);
    const byWeekday = await cells(page, '#table-weekday');
    expect(byWeekday.map((r) => r[0])).toEqual(['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday']);
    for (const group of api.body.groups) {
      const shown = byWeekday.find((r) => r[0] === group.labels.weekday)!;
      expect(shown.slice(1, 5)).toEqual([String(group.bookings), String(group.outcomes.attended + group.outcomes.late + group.outcomes.left_unseen), String(group.outcomes.dna), `${Math.round(group.dnaRate * 100)}%`]);
    }
    const [{ dna }] = await e2e.db.query("SELECT count(*)::int AS dna FROM attendance_records WHERE site_id = $1 AND outcome = 'dna' AND local_date BETWEEN '2026-09-07' AND '2026-11-29'", [diary.siteId]);
    expect(dna).toBeGreaterThan(0);
    expect(byWeekday.reduce((sum, r) => sum + Number(r[3]), 0)).toBe(dna);
    // A bar for each weekday, and a chart with its table for each cut.
    expect(await page.locator('#chart-weekday rect').count()).toBe(5);
    for (const id of ['weekday', 'hour', 'lead', 'reminder', 'type']) {
      expect(await page.locator(`#chart-${id}`).getAttribute('role')).toBe('img');
      expect((await cells(page, `#table-${id}`)).length).toBeGreaterThan(0);
    }
    await screenshot(page, 'site-dna');

    // Backwards dates are said in the error summary, and nothing is drawn.
    await page.fill('#from-year', '2027');
    await page.click('#show-range');
    await page.waitForURL(/from-year=2027/);
    await expectPage(page, 'DNA patterns');
    await expect(page.locator('.govuk-error-summary a').allInnerTexts()).resolves.toEqual(['Start date must be on or before the end date']);
    expect(await page.locator('svg[role="img"]').count()).toBe(0);
  });

  it('shows venue health by week and warns when referrals dry up', async () => {
    const page = await signedIn(managerEmail, '/app/sites');
    await page.goto(path('dna'));
    await page.click('nav[aria-label^="Pages for"] >> text=Venue health');
    await expectPage(page, 'Venue health');
    await expect(page.locator('#drying-up').innerText()).resolves.toMatch(/Referrals to this venue are drying up[\s\S]*In the last 2 weeks, 0 bookings a week were made/);
    const weeks = await cells(page, '#health-table');
    expect(weeks).toHaveLength(12);
    expect(weeks[0][0]).toBe('7 September 2026');
    expect(weeks[11][0]).toBe('23 November 2026');
    const made = await e2e.db.query<{ week: string; n: number }>(
      "SELECT to_char(date_trunc('week', arranged_at AT TIME ZONE 'Europe/London'), 'FMDD FMMonth YYYY') AS week, count(*)::int AS n FROM attendance_records WHERE site_id = $1 GROUP BY 1",
      [diary.siteId],
    );
    for (const [week, referrals] of weeks.map((w) => [w[0], Number(w[1])])) expect(referrals).toBe(made.find((m) => m.week === week)?.n ?? 0);
    expect(weeks.slice(-2).map((w) => w[1])).toEqual(['0', '0']);
    expect(Number(weeks[5][2])).toBeGreaterThan(0);
    expect(await page.locator('#chart-health polyline').count()).toBe(3);
    await screenshot(page, 'site-health');
  });

  it('lists the replies that need a person, shown as text, and marks one handled with the keyboard', async () => {
    const page = await signedIn(managerEmail, '/app/sites');
    await page.goto(path('follow-ups'));
    await expectPage(page, 'Follow-ups');
    const [followUp] = await openFollowUps(diary.siteId);
    const card = page.locator(`#follow-up-${followUp.id}`);
    const text = await card.innerText();
    expect(text).toContain('Sam Taylor (JCP-0900)');
    expect(text).toContain(HOSTILE_REPLY);
    expect(text).toContain('Monday 4 January 2027 at 9am');
    expect(await card.locator('b, script').count()).toBe(0);
    expect(await page.title()).not.toBe('owned');
    await screenshot(page, 'follow-ups');

    await tabTo(page, `#handle-${followUp.id}`);
    await page.keyboard.press('Enter');
    await page.locator('.govuk-notification-banner', { hasText: 'Marked as handled' }).waitFor();
    await expectPage(page, 'Follow-ups');
    await expect(page.locator('#none').innerText()).resolves.toBe('No replies need a person at this site.');
    expect((await openFollowUps(diary.siteId))[0].resolved_at).not.toBeNull();
  });

  it("refuses a work coach and another site's manager every page, and another site's manager the button", async () => {
    await reply('+447911123456', '🙂🙂');
    const [open] = (await openFollowUps(diary.siteId)).filter((f: { resolved_at: Date | null }) => !f.resolved_at);
    const coach = await signedIn(await pages.newStaff('work_coach', diary.organisationId), '/app/book');
    const elsewhere = await signedIn(await pages.newStaff('site_manager', other.organisationId, { managedSiteIds: [other.siteId] }), '/app/sites');
    for (const page of [coach, elsewhere]) {
      for (const name of ['dna', 'health', 'follow-ups']) {
        expect((await page.goto(path(name)))?.status()).toBe(403);
        await expectPage(page, 'There is a problem');
      }
    }
    await expect(elsewhere.locator('main').innerText()).resolves.toContain('You do not manage this site');
    const token = await elsewhere.locator('input[name="_csrf"]').first().inputValue();
    const forged = await elsewhere.context().request.post(`${path('follow-ups')}/${open.id}/resolve`, { form: { _csrf: token }, maxRedirects: 0 });
    expect(forged.status()).toBe(403);
    expect((await openFollowUps(diary.siteId)).find((f: { id: string }) => f.id === open.id).resolved_at).toBeNull();
    // Their own site's pages work.
    expect((await elsewhere.goto(path('health', other.siteId)))?.status()).toBe(200);
  });
});
