import type { Page } from 'playwright-core';
import { useTestApp } from '../support/app';
import { bookingBody, BuiltDiary, createDiary, partnerKey } from '../support/fixtures';
import { expectPage, PASSWORD, screenshot, submitted, tabTo, useBrowser } from './browser';

describe("pages: a work coach finds a customer's appointments, cancels and moves them", () => {
  const e2e = useTestApp();
  const pages = useBrowser(e2e);
  const { newContext, newPage, signIn } = pages;
  let coach: { organisationId: string; key: string };

  /** A booking of the coach's organisation, through the API as their organisation's system would make it. */
  const bookFor = async (diary: BuiltDiary, start: string, customer: Record<string, unknown>, key = coach.key): Promise<string> => {
    const body = bookingBody(diary, start);
    const response = await e2e.api.as(key).post('/v1/bookings', { ...body, customer: { ...body.customer, ...customer } });
    expect(response.status).toBe(201);
    return response.body.id;
  };
  const bookingRow = async (id: string) => (await e2e.db.query('SELECT b.status, b.starts_at, b.cancel_reason, b.cancelled_by, b.reschedule_count, c.reference, c.name FROM bookings b JOIN customers c ON c.id = b.customer_id WHERE b.id = $1', [id]))[0];

  /** Presses keys and counts nothing: the keyboard alone, from wherever the focus is. */
  const keyboard = (page: Page) => ({
    tab: (selector: string) => tabTo(page, selector),
    press: (key: string) => page.keyboard.press(key),
    type: (text: string) => page.keyboard.type(text),
  });

  const signedInCoach = async () => {
    const page = await newPage();
    await signIn(page, await pages.newStaff('work_coach', coach.organisationId));
    await page.waitForURL('**/app/book');
    return page;
  };

  beforeAll(async () => {
    coach = await partnerKey(e2e.api);
  });

  it('finds by reference with the keyboard, then cancels after a confirmation with a reason', async () => {
    const diary = await createDiary(e2e.api);
    const id = await bookFor(diary, '2027-01-05T09:00:00Z', { reference: 'JCP-7001', name: 'Priya Shah' });
    const page = await signedInCoach();
    const { tab, press, type } = keyboard(page);

    await tab('a[href="/app/bookings"]');
    await press('Enter');
    await page.waitForURL('**/app/bookings');
    await expectPage(page, "Find a customer's appointments");
    await tab('#customer');
    await type('jcp-7001');
    await press('Enter');
    await page.waitForURL(/customer=jcp-7001/);
    await expectPage(page, "Find a customer's appointments");
    await expect(page.locator('#upcoming tbody').innerText()).resolves.toMatch(/Tuesday 5 January 2027 at 9am\s+Priya Shah \(JCP-7001\)[\s\S]*Booked/);
    await screenshot(page, 'find-bookings');

    await tab(`#upcoming a[href="/app/bookings/${id}"]`);
    await press('Enter');
    await page.waitForURL(`**/app/bookings/${id}`);
    await expectPage(page, 'Appointment booked');
    await tab('#cancel');
    await press('Enter');
    await page.waitForURL(`**/app/bookings/${id}/cancel`);
    await expectPage(page, 'Cancel this appointment');

    // Without a reason nothing is cancelled: the error summary says what is missing.
    await tab('#confirm-cancel');
    await submitted(page, () => press('Enter'));
    await expectPage(page, 'Cancel this appointment');
    await expect(page.locator('.govuk-error-summary a').allInnerTexts()).resolves.toEqual(['Enter why the appointment is cancelled']);
    expect((await bookingRow(id)).status).toBe('booked');

    await tab('#reason');
    await type('Started a job');
    await tab('#confirm-cancel');
    await press('Enter');
    await page.waitForURL(`**/app/bookings/${id}`);
    await expectPage(page, 'Appointment cancelled');
    await expect(page.locator('.govuk-notification-banner').innerText()).resolves.toContain('The appointment is cancelled');
    expect(await page.locator('#cancel, #move').count()).toBe(0);
    expect(await bookingRow(id)).toMatchObject({ status: 'cancelled', cancelled_by: 'customer', cancel_reason: 'Started a job' });

    // The cancel form of a cancelled appointment says why there is nothing to cancel.
    expect((await page.goto(`${e2e.app.url}/app/bookings/${id}/cancel`))?.status()).toBe(409);
  });

  it('finds by mobile number and moves to another slot of the same type through the booking page, keeping the customer', async () => {
    const diary = await createDiary(e2e.api);
    const id = await bookFor(diary, '2027-01-05T09:00:00Z', { reference: 'JCP-7002', name: 'Alex Morgan', mobile: '07911 123458' });
    const page = await signedInCoach();
    const { tab, press, type } = keyboard(page);

    await page.goto(`${e2e.app.url}/app/bookings`);
    await tab('#customer');
    await type('07911 123 458');
    await press('Enter');
    await page.waitForURL(/customer=/);
    await tab(`#upcoming a[href="/app/bookings/${id}"]`);
    await press('Enter');
    await page.waitForURL(`**/app/bookings/${id}`);
    await tab('#move');
    await press('Enter');
    await page.waitForURL(/\/app\/book\?appointmentType=/);
    await expectPage(page, 'Book an appointment');

    // The first free slot: Monday 4 January 2027 at 9am, the day before.
    await tab('#earliest button');
    expect(await page.evaluate<string>('document.activeElement.textContent')).toContain('Monday 4 January 2027 at 9am');
    await press('Enter');
    await page.waitForURL(new RegExp(`/app/bookings/${id}/move/`));
    await expectPage(page, 'Move this appointment');
    await expect(page.locator('main').innerText()).resolves.toMatch(/Tuesday 5 January 2027 at 9am[\s\S]*Monday 4 January 2027 at 9am/);
    await tab('#confirm-move');
    await press('Enter');
    await page.waitForURL(`**/app/bookings/${id}`);
    await expectPage(page, 'Appointment booked');
    await expect(page.locator('.govuk-notification-banner').innerText()).resolves.toContain('moved from Tuesday 5 January 2027 at 9am');
    await expect(page.locator('.govuk-panel').innerText()).resolves.toContain('Monday 4 January 2027 at 9am');
    expect(await bookingRow(id)).toMatchObject({ status: 'booked', starts_at: new Date('2027-01-04T09:00:00Z'), reschedule_count: 1, reference: 'JCP-7002', name: 'Alex Morgan' });
    expect(await e2e.db.count('bookings', 'customer_id = (SELECT customer_id FROM bookings WHERE id = $1)', [id])).toBe(1);

    // The move is over: the next slot chosen is a new customer's booking again.
    await page.goto(`${e2e.app.url}/app/book?appointmentType=${diary.typeCode}&nearSiteId=${diary.siteId}`);
    await page.locator('#earliest button').first().click();
    await page.waitForURL(/\/app\/book\/holds\//);
    await expectPage(page, "Customer's details");
  });

  it('does not move an appointment to a slot of another type, and lets the hold go or book it for someone else instead', async () => {
    const diary = await createDiary(e2e.api);
    const other = await createDiary(e2e.api);
    const id = await bookFor(diary, '2027-01-05T09:00:00Z', { reference: 'JCP-7003' });
    const page = await signedInCoach();
    await page.goto(`${e2e.app.url}/app/bookings/${id}`);
    await page.click('#move');
    await page.waitForURL(/\/app\/book\?/);
    await page.goto(`${e2e.app.url}/app/book?appointmentType=${other.typeCode}&nearSiteId=${other.siteId}`);
    await page.locator('#earliest button').first().click();
    await page.waitForURL(new RegExp(`/app/bookings/${id}/move/`));
    await expectPage(page, 'Move this appointment');
    await expect(page.locator('.govuk-error-summary').innerText()).resolves.toContain('a moved appointment keeps its type');
    expect(await page.locator('#confirm-move').count()).toBe(0);
    const holds = await e2e.db.count('holds', 'released_at IS NULL');
    await page.click('#stop-move');
    await page.waitForURL(`**/app/bookings/${id}`);
    expect(await e2e.db.count('holds', 'released_at IS NULL')).toBe(holds - 1);
    expect((await bookingRow(id)).starts_at).toEqual(new Date('2027-01-05T09:00:00Z'));

    await page.click('#move');
    await page.waitForURL(/\/app\/book\?/);
    await page.locator('#earliest button').first().click();
    await page.waitForURL(new RegExp(`/app/bookings/${id}/move/`));
    await page.click('#book-instead');
    await page.waitForURL(/\/app\/book\/holds\//);
    await expectPage(page, "Customer's details");
  });

  it("finds no other organisation's customer, and their booking is not found by its URL, nor cancelled or moved by a form", async () => {
    const diary = await createDiary(e2e.api);
    const elsewhere = await partnerKey(e2e.api);
    const theirs = await bookFor(diary, '2027-01-06T09:00:00Z', { reference: 'JCP-7004', name: 'Kim Lee' }, elsewhere.key);
    const page = await signedInCoach();
    await page.goto(`${e2e.app.url}/app/bookings?customer=JCP-7004`);
    await expectPage(page, "Find a customer's appointments");
    await expect(page.locator('#results').innerText()).resolves.toContain('No appointments found');
    await page.goto(`${e2e.app.url}/app/bookings?customer=Kim`);
    expect(await page.locator('#results').innerText()).not.toContain('Kim Lee');
    // What was typed is shown back as text, never run.
    const typed = '<script>window.__xss = 1</script><img src=x onerror="window.__xss = 2">';
    await page.goto(`${e2e.app.url}/app/bookings?customer=${encodeURIComponent(typed)}`);
    await expectPage(page, "Find a customer's appointments");
    expect(await page.evaluate('window.__xss')).toBeUndefined();
    expect(await page.locator('#results').innerText()).toContain(typed);
    expect(await page.inputValue('#customer')).toBe(typed);

    for (const path of [`/app/bookings/${theirs}`, `/app/bookings/${theirs}/cancel`]) {
      expect((await page.goto(`${e2e.app.url}${path}`))?.status()).toBe(404);
      await expectPage(page, 'Page not found');
      expect(await page.locator('main').innerText()).not.toContain('Kim Lee');
    }
    await page.goto(`${e2e.app.url}/app/bookings`);
    const token = await page.locator('input[name="_csrf"]').first().inputValue();
    const request = page.context().request;
    const cancel = await request.post(`${e2e.app.url}/app/bookings/${theirs}/cancel`, { form: { _csrf: token, by: 'service', reason: 'x' }, maxRedirects: 0 });
    const move = await request.post(`${e2e.app.url}/app/bookings/${theirs}/move`, { form: { _csrf: token }, maxRedirects: 0 });
    expect([cancel.status(), move.status()]).toEqual([404, 404]);
    expect(await bookingRow(theirs)).toMatchObject({ status: 'booked', reschedule_count: 0 });
  });

  it('is for work coaches: an adviser and a site manager are refused', async () => {
    const diary = await createDiary(e2e.api);
    for (const [role, extra] of [['adviser', { adviserId: diary.adviserId }], ['site_manager', { managedSiteIds: [diary.siteId] }]] as const) {
      const page = await newPage();
      await signIn(page, await pages.newStaff(role, diary.organisationId, extra));
      await page.waitForURL(/\/app\/(day|sites)/);
      expect(await page.locator('a[href="/app/bookings"]').count()).toBe(0);
      expect((await page.goto(`${e2e.app.url}/app/bookings?customer=Sam`))?.status()).toBe(403);
    }
  });

  describe('an expired session mid-form', () => {
    const expire = (email: string) =>
      e2e.db.query("UPDATE staff_sessions SET last_seen_at = last_seen_at - interval '2 hours' WHERE staff_id = (SELECT id FROM staff WHERE email = $1)", [email]);

    const typeCustomer = async (page: Page, diary: BuiltDiary) => {
      await page.goto(`${e2e.app.url}/app/book?appointmentType=${diary.typeCode}&nearSiteId=${diary.siteId}`);
      await page.locator('#earliest button').first().click();
      await page.waitForURL(/\/app\/book\/holds\//);
      await page.fill('#reference', 'JCP-8001');
      await page.fill('#name', 'Chris <b>Evans</b>');
      await page.fill('#mobile', '07911 123456');
      await page.check('#channel');
      await page.check('#consent');
      await page.fill('#reason', 'Wants to retrain');
      return page.url();
    };

    it('signs in again and finds the form as it was typed, sent only when Book is pressed again', async () => {
      const diary = await createDiary(e2e.api);
      const email = await pages.newStaff('work_coach', coach.organisationId);
      const page = await newPage();
      await signIn(page, email);
      await page.waitForURL('**/app/book');
      const form = await typeCustomer(page, diary);
      await expire(email);
      const bookings = await e2e.db.count('bookings');

      await page.click('#book');
      await page.waitForURL('**/app/sign-in');
      await expectPage(page, 'Sign in');
      await expect(page.locator('.govuk-notification-banner').innerText()).resolves.toContain('what you typed has been kept');
      expect(await e2e.db.count('bookings')).toBe(bookings);
      // Kept server-side: nothing of it is in the address.
      expect(page.url()).not.toContain('JCP-8001');

      await page.fill('#email', email);
      await page.fill('#password', PASSWORD);
      await page.click('button:has-text("Sign in")');
      await page.waitForURL(form);
      await expectPage(page, "Customer's details");
      await expect(page.locator('.govuk-notification-banner').innerText()).resolves.toContain('press the button again');
      expect([await page.inputValue('#reference'), await page.inputValue('#name'), await page.inputValue('#mobile'), await page.inputValue('#reason')]).toEqual([
        'JCP-8001',
        'Chris <b>Evans</b>',
        '07911 123456',
        'Wants to retrain',
      ]);
      expect([await page.isChecked('#channel'), await page.isChecked('#consent')]).toEqual([true, true]);
      expect(await e2e.db.count('bookings')).toBe(bookings);

      await page.click('#book');
      await page.waitForURL(/\/app\/bookings\//);
      await expectPage(page, 'Appointment booked');
      expect(await e2e.db.count('bookings')).toBe(bookings + 1);
      // Shown once: a reload of the form's page is clean.
      await page.goto(form);
      expect(await page.locator('.govuk-notification-banner').count()).toBe(0);
    });

    it('puts nothing back for somebody else signing in on that browser, nor for a form its CSRF token does not vouch for', async () => {
      const diary = await createDiary(e2e.api);
      const email = await pages.newStaff('work_coach', coach.organisationId);
      const colleague = await pages.newStaff('work_coach', coach.organisationId);
      const context = await newContext();
      const page = await context.newPage();
      await signIn(page, email);
      await page.waitForURL('**/app/book');
      const form = await typeCustomer(page, diary);
      await expire(email);
      await page.click('#book');
      await page.waitForURL('**/app/sign-in');
      await signIn(page, colleague);
      await page.waitForURL('**/app/book');
      await page.goto(form);
      await expectPage(page, "Customer's details");
      expect(await page.inputValue('#reference')).toBe('');
      expect(await page.content()).not.toContain('JCP-8001');

      // A form posted to the ended session with a wrong token keeps nothing, and changes nothing.
      const forger = await newContext();
      const forgerPage = await forger.newPage();
      await signIn(forgerPage, email);
      await forgerPage.waitForURL('**/app/book');
      await expire(email);
      const forged = await forger.request.post(`${e2e.app.url}/app/book/hold`, { form: { _csrf: 'not the token', appointmentType: diary.typeCode }, headers: { referer: `${e2e.app.url}/app/staff` }, maxRedirects: 0 });
      expect(forged.status()).toBe(303);
      expect(await e2e.db.count('staff_sessions', 'resume IS NOT NULL AND resume->>\'returnTo\' = $1', ['/app/staff'])).toBe(0);
      await signIn(forgerPage, email);
      await forgerPage.waitForURL('**/app/book');
    });
  });
});
