import type { BrowserContext } from 'playwright-core';
import { useTestApp } from '../support/app';
import { bookingBody, BuiltDiary, createDiary, createOrganisation, partnerKey } from '../support/fixtures';
import { expectPage, expectReflows, PASSWORD, screenshot, submitted, tabTo, useBrowser, ZOOM_200 } from './browser';


describe('pages: a work coach books for the customer in front of them', () => {
  const e2e = useTestApp();
  const pages = useBrowser(e2e);
  const { newPage, signIn } = pages;
  let diary: BuiltDiary;
  let coachOrganisation: string;
  const newStaff = (role = 'work_coach', organisationId = coachOrganisation) => pages.newStaff(role, organisationId);

  const searchUrl = () => `${e2e.app.url}/app/book?appointmentType=${diary.typeCode}&nearSiteId=${diary.siteId}`;

  beforeAll(async () => {
    diary = await createDiary(e2e.api);
    coachOrganisation = (await createOrganisation(e2e.api, 'jobcentre')).id;
  });

  it('signs in and books with the keyboard alone, then shows a confirmation to read out', async () => {
    const email = await newStaff();
    // An earlier day, on another PC: the work coach searched from their jobcentre, then signed out.
    const earlier = await newPage();
    await signIn(earlier, email);
    await earlier.waitForURL('**/app/book');
    expect(await earlier.inputValue('#nearSiteId')).toBe('');
    await earlier.goto(searchUrl());
    await earlier.click('button:has-text("Sign out")');
    await earlier.waitForURL('**/app/sign-in');

    const page = await newPage();
    let presses = 0;
    const tab = async (selector: string) => (presses += await tabTo(page, selector));
    const press = async (key: string) => {
      presses++;
      await page.keyboard.press(key);
    };
    const type = async (text: string) => {
      presses++;
      await page.keyboard.type(text);
    };

    await page.goto(`${e2e.app.url}/app`);
    await page.waitForURL('**/app/sign-in');
    await expectPage(page, 'Sign in');
    await screenshot(page, 'sign-in');
    await tab('#email');
    await type(email);
    await tab('#password');
    await type(PASSWORD);
    await press('Enter');
    await page.waitForURL('**/app/book');
    await expectPage(page, 'Book an appointment');

    // The jobcentre is the one searched from last time: only the type is chosen.
    expect(await page.inputValue('#nearSiteId')).toBe(diary.siteId);
    await tab('#appointmentType');
    await press('ArrowDown');
    await tab('#find-slots');
    await press('Enter');
    await page.waitForURL(/appointmentType=/);
    await expectPage(page, 'Book an appointment');
    await screenshot(page, 'book');

    // The first slot of the diary: Monday 4 January 2027 at 9am.
    await tab('#earliest button');
    expect(await page.evaluate<string>('document.activeElement.textContent')).toContain('Monday 4 January 2027 at 9am');
    await press('Enter');
    await page.waitForURL(/\/app\/book\/holds\//);
    await expectPage(page, "Customer's details");

    await tab('#reference');
    await type('JCP-4471');
    await tab('#name');
    await type('Sam Taylor');
    await tab('#mobile');
    await type('07911 123456');
    // Reminders by text message, as the mobile allows, without touching the channel.
    await tab('#consent');
    await press('Space');
    await tab('#book');
    await press('Enter');
    await page.waitForURL(/\/app\/bookings\//);
    await expectPage(page, 'Appointment booked');
    await screenshot(page, 'confirmation');

    const text = await page.locator('main').innerText();
    expect(text).toContain('Sam Taylor (JCP-4471)');
    expect(text).toContain('Monday 4 January 2027 at 9am');
    expect(text).toContain('Reminder');
    const bookingId = page.url().split('/').pop();
    const [booking] = await e2e.db.query(
      'SELECT b.organisation_id, b.starts_at, c.name, c.preferred_channel FROM bookings b JOIN customers c ON c.id = b.customer_id WHERE b.id = $1',
      [bookingId],
    );
    expect(booking).toEqual({ organisation_id: coachOrganisation, starts_at: new Date('2027-01-04T09:00:00Z'), name: 'Sam Taylor', preferred_channel: 'sms' });
    // The keys pressed, from the empty page to the confirmation (the goal is 8 interactions for a person with a mouse).
    console.log(`keyboard booking: ${presses} key presses and typed fields`);
  });

  it('works at 200% zoom: no sideways scrolling, and every step reached with Tab', async () => {
    const page = await (await pages.newContext(ZOOM_200)).newPage();
    await signIn(page, await newStaff());
    await page.waitForURL('**/app/book');
    await expectReflows(page, '#find-slots');
    await page.goto(searchUrl());
    await expectPage(page, 'Book an appointment');
    await expectReflows(page, '#earliest button');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/app\/book\/holds\//);
    await page.fill('#reference', 'JCP-2000');
    await page.fill('#name', 'Sam Taylor');
    await page.check('#channel-3');
    await expectReflows(page, '#book');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/app\/bookings\//);
    await expectPage(page, 'Appointment booked');
    await expectReflows(page, '#book-another');
  });

  it('keeps what was typed and offers the next slots when the slot is taken meanwhile', async () => {
    const page = await newPage();
    await signIn(page, await newStaff());
    await page.goto(searchUrl());
    const taken = await page.locator('#earliest input[name="start"]').first().inputValue();
    await page.locator('#earliest button').first().click();
    await page.waitForURL(/\/app\/book\/holds\//);
    await page.fill('#reference', 'JCP-9000');
    await page.fill('#name', 'Alex Morgan');
    await page.fill('#email', 'alex@example.com');
    await page.check('#channel-2');
    await page.check('#consent');

    // While the work coach types, the hold lapses and a partner books the slot through the API.
    const holdId = page.url().split('/').pop()!;
    await e2e.db.expireHold(holdId);
    const partner = await partnerKey(e2e.api);
    expect((await e2e.api.as(partner.key).post('/v1/bookings', bookingBody(diary, taken))).status).toBe(201);

    await page.click('#book');
    await page.waitForURL(/\/app\/book\?/);
    await expectPage(page, 'Book an appointment');
    expect(await page.title()).toMatch(/^Error: /);
    await expect(page.locator('.govuk-error-summary').innerText()).resolves.toContain('has just been taken by someone else');
    await expect(page.locator('.govuk-inset-text').innerText()).resolves.toContain('Booking for Alex Morgan (JCP-9000)');
    const next = await page.locator('#earliest input[name="start"]').first().inputValue();
    expect(new Date(next).getTime()).toBeGreaterThan(new Date(taken).getTime());

    await page.locator('#earliest button').first().click();
    await page.waitForURL(/\/app\/book\/holds\//);
    await expectPage(page, "Customer's details");
    expect(await page.inputValue('#name')).toBe('Alex Morgan');
    expect(await page.inputValue('#email')).toBe('alex@example.com');
    expect(await page.isChecked('#channel-2')).toBe(true);
    await page.click('#book');
    await page.waitForURL(/\/app\/bookings\//);
    await expectPage(page, 'Appointment booked');
  });

  it('shows validation errors in the GOV.UK error summary, linked to the fields', async () => {
    const page = await newPage();
    await signIn(page, await newStaff());
    await page.goto(`${e2e.app.url}/app/book?appointmentType=NOPE`);
    await expectPage(page, 'Book an appointment');
    await expect(page.locator('.govuk-error-summary a').allInnerTexts()).resolves.toEqual(['Select the type of appointment', 'Select your jobcentre']);
    await page.goto(searchUrl());
    await page.locator('#earliest button').first().click();
    await page.waitForURL(/\/app\/book\/holds\//);
    await page.fill('#reference', 'JCP-1');
    await page.check('#channel');
    await submitted(page, () => page.click('#book'));
    await expectPage(page, "Customer's details");
    await expect(page.locator('.govuk-error-summary a').evaluateAll((links) => links.map((a) => a.getAttribute('href')))).resolves.toEqual(['#name', '#mobile', '#consent']);
    expect(await page.inputValue('#reference')).toBe('JCP-1');
  });

  it('sends reminders by email when only an email is typed, and refuses a chosen channel with no contact', async () => {
    const page = await newPage();
    await signIn(page, await newStaff());
    await page.goto(searchUrl());
    await page.locator('#earliest button').first().click();
    await page.waitForURL(/\/app\/book\/holds\//);
    await page.fill('#reference', 'JCP-3300');
    await page.fill('#name', 'Jo Evans');
    await page.fill('#email', 'jo@example.com');
    await submitted(page, () => page.click('#book'));
    await expectPage(page, "Customer's details");
    await expect(page.locator('.govuk-error-summary a').evaluateAll((links) => links.map((a) => a.getAttribute('href')))).resolves.toEqual(['#consent']);
    expect(await page.isChecked('#channel-2')).toBe(true);

    await page.check('#channel');
    await page.check('#consent');
    await submitted(page, () => page.click('#book'));
    await expect(page.locator('.govuk-error-summary a').allInnerTexts()).resolves.toEqual(['Enter a mobile number for text message reminders']);
  });

  it('shows HTML and script typed into a field as text, never running it (stored XSS)', async () => {
    const page = await newPage();
    await signIn(page, await newStaff());
    await page.goto(searchUrl());
    await page.locator('#earliest button').first().click();
    await page.waitForURL(/\/app\/book\/holds\//);
    const name = '<script>window.__xss = 1</script><img src=x onerror="window.__xss = 2">';
    await page.fill('#reference', '"><script>window.__xss = 3</script>');
    await page.fill('#name', name);
    await page.check('#channel-3');
    await page.fill('#reason', '</textarea><script>window.__xss = 4</script>');
    await page.click('#book');
    await page.waitForURL(/\/app\/bookings\//);
    await expectPage(page, 'Appointment booked');
    expect(await page.evaluate('window.__xss')).toBeUndefined();
    expect(await page.locator('main').innerText()).toContain(name);
    expect(await page.locator('main img').count()).toBe(0);
  });

  it("does not show another organisation's booking by its URL", async () => {
    const page = await newPage();
    await signIn(page, await newStaff());
    const partner = await partnerKey(e2e.api);
    const theirs = await e2e.api.as(partner.key).post('/v1/bookings', bookingBody(diary, '2027-01-05T09:00:00Z'));
    expect(theirs.status).toBe(201);
    const response = await page.goto(`${e2e.app.url}/app/bookings/${theirs.body.id}`);
    expect(response?.status()).toBe(404);
    await expectPage(page, 'Page not found');
    expect(await page.locator('main').innerText()).not.toContain('Sam Taylor');
  });
});

describe('pages: sessions and sign-in security', () => {
  const e2e = useTestApp();
  const pages = useBrowser(e2e);
  const { newContext, signIn } = pages;
  let organisationId: string;
  const newStaff = () => pages.newStaff('work_coach', organisationId);
  const sessionCookie = async (context: BrowserContext) => (await context.cookies()).find((c) => c.name === 'cb_session');

  beforeAll(async () => {
    organisationId = (await createOrganisation(e2e.api, 'jobcentre')).id;
  });

  it('gives a new session id at sign-in (no fixation) in an HttpOnly SameSite cookie, and signs out', async () => {
    const context = await newContext();
    const page = await context.newPage();
    await page.goto(`${e2e.app.url}/app/sign-in`);
    const before = await sessionCookie(context);
    expect(before).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/app' });
    await signIn(page, await newStaff());
    await page.waitForURL('**/app/book');
    const after = await sessionCookie(context);
    expect(after!.value).not.toBe(before!.value);

    // The id from before sign-in is worth nothing after it.
    const planted = await newContext();
    await planted.addCookies([{ ...before!, url: e2e.app.url, domain: undefined, path: undefined }]);
    const plantedPage = await planted.newPage();
    await plantedPage.goto(`${e2e.app.url}/app/book`);
    expect(plantedPage.url()).toMatch(/\/app\/sign-in\?next=%2Fapp%2Fbook$/);

    await page.click('button:has-text("Sign out")');
    await page.waitForURL('**/app/sign-in');
    await expectPage(page, 'Sign in');
    await expect(page.locator('.govuk-notification-banner').innerText()).resolves.toContain('You have signed out');
    // Neither the browser nor anyone holding the old cookie is signed in any more.
    await page.goto(`${e2e.app.url}/app/book`);
    expect(page.url()).toMatch(/\/app\/sign-in\?next=%2Fapp%2Fbook$/);
    const stolen = await newContext();
    await stolen.addCookies([{ ...after!, url: e2e.app.url, domain: undefined, path: undefined }]);
    const stolenPage = await stolen.newPage();
    await stolenPage.goto(`${e2e.app.url}/app/book`);
    expect(stolenPage.url()).toMatch(/\/app\/sign-in\?next=%2Fapp%2Fbook$/);
  });

  it('locks an account after 5 wrong passwords, even against the right one', async () => {
    const email = await newStaff();
    const page = await (await newContext()).newPage();
    for (let attempt = 1; attempt <= 5; attempt++) {
      await signIn(page, email, `wrong password ${attempt}`);
      await page.waitForURL('**/app/sign-in');
      await expectPage(page, 'Sign in');
      const summary = await page.locator('.govuk-error-summary').innerText();
      expect(summary).toContain(attempt < 5 ? 'Enter a correct email address and password' : 'This account is locked until');
    }
    await signIn(page, email);
    await page.waitForURL('**/app/sign-in');
    await expect(page.locator('.govuk-error-summary').innerText()).resolves.toContain('This account is locked until');
    const [{ failures }] = await e2e.db.query('SELECT count(*)::int AS failures FROM staff_sign_in_failures f JOIN staff s ON s.id = f.staff_id WHERE s.email = $1', [email]);
    expect(failures).toBe(5);
  });

  it('refuses a form posted without its CSRF token, or with another session’s, and changes nothing', async () => {
    const diary = await createDiary(e2e.api);
    const context = await newContext();
    const page = await context.newPage();
    await signIn(page, await newStaff());
    await page.waitForURL('**/app/book');
    const form = { appointmentType: diary.typeCode, searchNearSiteId: diary.siteId, siteId: diary.siteId, adviserId: diary.adviserId, start: '2027-01-04T09:00:00Z' };
    const holds = await e2e.db.count('holds');

    const missing = await context.request.post(`${e2e.app.url}/app/book/hold`, { form, maxRedirects: 0 });
    expect(missing.status()).toBe(403);
    const other = await newContext();
    const otherPage = await other.newPage();
    await otherPage.goto(`${e2e.app.url}/app/sign-in`);
    const otherToken = await otherPage.locator('input[name="_csrf"]').first().inputValue();
    const forged = await context.request.post(`${e2e.app.url}/app/book/hold`, { form: { ...form, _csrf: otherToken }, maxRedirects: 0 });
    expect(forged.status()).toBe(403);
    expect(await e2e.db.count('holds')).toBe(holds);

    // The page a person would see says what happened.
    await page.setContent(await forged.text());
    await expect(page.locator('h1').textContent()).resolves.toBe('This form has expired');

    // With the token, the same form holds the slot.
    const token = await page.goto(`${e2e.app.url}/app/book`).then(() => page.locator('input[name="_csrf"]').first().inputValue());
    const good = await context.request.post(`${e2e.app.url}/app/book/hold`, { form: { ...form, _csrf: token }, maxRedirects: 0 });
    expect(good.status()).toBe(303);
    expect(await e2e.db.count('holds')).toBe(holds + 1);
  });
});
