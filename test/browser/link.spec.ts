import type { Page } from 'playwright-core';
import { useTestApp } from '../support/app';
import { testClock } from '../support/clock';
import { BuiltDiary, createDiary, customer, referral, slotRef } from '../support/fixtures';
import { sendConfirmation } from '../support/reminder-link';
import { TEST_ACCOUNT_SID, TEST_AUTH_TOKEN, TEST_FROM, TwilioStandIn } from '../support/twilio-stand-in';
import { expectPage, screenshot, tabTo, useBrowser } from './browser';

// Customers with no credit act on the link their reminder carries: keyboard only, in a real
// browser, on pages that need no script and no sign-in.

let mobiles = 0;
const nextMobile = () => `+4479112${String(++mobiles).padStart(5, '0')}`;

// Started before the app, whose configuration is read in its own beforeAll.
let twilio: TwilioStandIn;
beforeAll(async () => {
  twilio = await TwilioStandIn.start();
});
afterAll(async () => {
  await twilio?.close();
});

describe('pages: a customer acts on the link in a reminder', () => {
  const e2e = useTestApp({
    TWILIO_ACCOUNT_SID: TEST_ACCOUNT_SID,
    TWILIO_AUTH_TOKEN: TEST_AUTH_TOKEN,
    TWILIO_FROM: TEST_FROM,
    get TWILIO_API_URL() {
      return twilio.url;
    },
    RUN_WORKER: 'false',
  } as Record<string, string>);
  const { newPage } = useBrowser(e2e);
  let d: BuiltDiary;

  beforeAll(async () => {
    d = await createDiary(e2e.api);
  });

  /** A booking, its confirmation sent, and the page its link opens, checked by axe. */
  async function openLink(start: string, diary = d): Promise<{ page: Page; bookingId: string }> {
    const booking = await e2e.api.create('/v1/bookings', { ...slotRef(diary, start), customer: { ...customer(), mobile: nextMobile() }, referral });
    const { url } = await sendConfirmation(e2e, { twilio }, booking.id, testClock.now());
    const page = await newPage();
    await page.goto(url);
    await expectPage(page, 'Your careers appointment');
    return { page, bookingId: booking.id };
  }

  const events = async (bookingId: string) =>
    (await e2e.db.query<{ kind: string; actor_type: string }>('SELECT kind, actor_type FROM booking_events WHERE booking_id = $1 ORDER BY id', [bookingId])).map((e) => `${e.kind} by ${e.actor_type}`);
  const stepStatuses = async (bookingId: string) =>
    (await e2e.db.query<{ version: number; step: string; status: string }>('SELECT version, step, status FROM reminders WHERE booking_id = $1 ORDER BY version, step', [bookingId])).map((r) => `${r.version} ${r.step} ${r.status}`);

  it('confirms with the keyboard only', async () => {
    const { page, bookingId } = await openLink('2027-01-05T10:00:00Z');
    await expect(page.locator('main').innerText()).resolves.toMatch(/When\s+Tuesday 5 January 2027 at 10am \(1 hour\)/);
    await expect(page.locator('#helpline').innerText()).resolves.toBe('0800 100 900');
    await screenshot(page, 'link-page');
    await tabTo(page, '#confirm');
    await page.keyboard.press('Enter');
    await page.locator('.govuk-notification-banner', { hasText: 'Thank you, your appointment is confirmed.' }).waitFor();
    await expectPage(page, 'Your careers appointment');
    expect(await events(bookingId)).toEqual(['created by admin', 'reminder_sent by system', 'customer_confirmed by customer']);
  });

  it('cancels, after a confirmation step, with the keyboard only', async () => {
    const { page, bookingId } = await openLink('2027-01-06T14:00:00Z');
    await tabTo(page, '#cancel');
    await page.keyboard.press('Enter');
    await page.waitForURL('**/cancel');
    await expectPage(page, 'Are you sure you want to cancel your appointment?');
    expect((await e2e.api.get(`/v1/bookings/${bookingId}`)).body.status).toBe('booked');
    await tabTo(page, '#cancel-yes');
    await page.keyboard.press('Enter');
    await page.locator('h1', { hasText: 'Your appointment is cancelled' }).waitFor();
    await expectPage(page, 'Your appointment is cancelled');
    expect((await e2e.api.get(`/v1/bookings/${bookingId}`)).body).toMatchObject({ status: 'cancelled', cancelledBy: 'customer' });
    expect(await events(bookingId)).toEqual(['created by admin', 'reminder_sent by system', 'cancelled by customer']);
    const steps = await stepStatuses(bookingId);
    expect(steps.filter((s) => /days_before|same_day/.test(s)).every((s) => s.endsWith('cancelled'))).toBe(true);
    expect(steps).toContain('2 cancellation planned');
    // The link is spent: reloading it says so, and nothing more.
    await page.goBack();
    await page.reload();
    await expectPage(page, 'This link does not work');
  });

  it('rebooks to one of the offered times with the keyboard only', async () => {
    const fresh = await createDiary(e2e.api);
    const { page, bookingId } = await openLink('2027-01-05T10:00:00Z', fresh);
    await tabTo(page, '#rebook');
    await page.keyboard.press('Enter');
    await page.waitForURL('**/rebook');
    await expectPage(page, 'Choose a new time');
    await expect(page.locator('.govuk-radios__label').allInnerTexts()).resolves.toEqual(['Monday 4 January 2027 at 9am', 'Monday 4 January 2027 at 10am', 'Monday 4 January 2027 at 11am']);
    await screenshot(page, 'link-rebook');
    // Into the group on its first time, then the arrow to the second.
    await tabTo(page, '#option');
    await page.keyboard.press('ArrowDown');
    await tabTo(page, '#choose');
    await page.keyboard.press('Enter');
    await page.locator('.govuk-notification-banner', { hasText: 'Your appointment has been moved.' }).waitFor();
    await expectPage(page, 'Your careers appointment');
    await expect(page.locator('main').innerText()).resolves.toMatch(/When\s+Monday 4 January 2027 at 10am/);
    expect((await e2e.api.get(`/v1/bookings/${bookingId}`)).body).toMatchObject({ status: 'booked', start: '2027-01-04T10:00:00+00:00', rescheduleCount: 1 });
    expect(await events(bookingId)).toEqual(['created by admin', 'reminder_sent by system', 'held by customer', 'rescheduled by customer']);
    const steps = await stepStatuses(bookingId);
    expect(steps.filter((s) => s.startsWith('1 ') && !s.includes('confirmation'))).toEqual(steps.filter((s) => s.startsWith('1 ') && !s.includes('confirmation')).map((s) => s.replace(/\S+$/, 'superseded')));
    expect(steps.some((s) => s.startsWith('2 ') && s.endsWith('planned'))).toBe(true);
  });
});
