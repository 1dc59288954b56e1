import { BackfillService } from '../../src/waitlist/backfill.service';
import { useTestApp } from '../support/app';
import { testClock } from '../support/clock';
import { bookingBody, BuiltDiary, createDiary, customer, partnerKey, referral } from '../support/fixtures';
import { expectPage, tabTo, useBrowser } from './browser';

// A site manager offers the waitlist a seat beside a booking likely to be missed, from the
// day sheet, by keyboard; the booking stands and the page says who took the seat.

describe('pages: a site manager offers a seat to the waitlist from the day sheet', () => {
  const e2e = useTestApp();
  const pages = useBrowser(e2e);
  let diary: BuiltDiary;
  let likelyMiss: string;
  let likelyCome: string;
  let managerEmail: string;

  beforeAll(async () => {
    diary = await createDiary(e2e.api);
    const partner = e2e.api.as((await partnerKey(e2e.api)).key);
    const book = async (time: string, reference: string, show: number) => {
      const response = await partner.post('/v1/bookings', bookingBody(diary, `2027-01-04T${time}:00Z`, reference));
      expect(response.status).toBe(201);
      // Scored by the model as it is made; the test gives it a known show probability.
      await e2e.db.query('UPDATE bookings SET show_probability = $2 WHERE id = $1', [response.body.id, show]);
      return response.body.id as string;
    };
    likelyMiss = await book('09:00', 'JCP-0900', 0.35);
    likelyCome = await book('10:00', 'JCP-1000', 0.9);
    const waiting = { customer: { ...customer(), name: 'Alex Jones', mobile: '+447911000123' }, referral, appointmentType: diary.typeCode, siteIds: [diary.siteId], earliest: '2027-01-04T08:00:00Z', latest: '2027-01-08T17:00:00Z' };
    expect((await partner.post('/v1/waitlist', waiting)).status).toBe(201);
    managerEmail = await pages.newStaff('site_manager', diary.organisationId, { managedSiteIds: [diary.siteId] });
  });

  const daySheet = async () => {
    const page = await pages.newPage();
    await pages.signIn(page, managerEmail);
    await page.waitForURL('**/app/sites');
    await page.goto(`${e2e.app.url}/app/sites/${diary.siteId}?date=2027-01-04`);
    await expectPage(page, 'Day sheet');
    return page;
  };

  it('offers the seat by keyboard beside the booking likely to be missed only, then says who claimed it; a stale second offer is refused with the reason', async () => {
    const page = await daySheet();
    const stale = await daySheet();
    expect(await page.locator(`#release-${likelyCome}`).count()).toBe(0);
    // Its name, read out, says whose booking it is beside.
    expect((await page.locator(`#release-${likelyMiss}`).textContent())?.replace(/\s+/g, ' ').trim()).toBe('Offer a seat to the waitlist beside Sam Taylor (JCP-0900)');

    await tabTo(page, `#release-${likelyMiss}`);
    await page.keyboard.press('Enter');
    await page.locator('.govuk-notification-banner', { hasText: 'A seat at 9am has been offered to the waitlist. The customer keeps their appointment.' }).waitFor();
    expect(page.url()).toContain('date=2027-01-04');
    await expectPage(page, 'Day sheet');
    await expect(page.locator(`#waitlist-${likelyMiss}`).innerText()).resolves.toBe('Seat offered to waitlist');
    expect(await page.locator(`#release-${likelyMiss}`).count()).toBe(0);
    const [event] = await e2e.db.query<{ actor_type: string; data: { staffId?: string } }>(`SELECT actor_type, data FROM booking_events WHERE booking_id = $1 AND kind = 'released'`, [likelyMiss]);
    const [manager] = await e2e.db.query<{ id: string }>('SELECT id FROM staff WHERE email = $1', [managerEmail]);
    expect(event).toMatchObject({ actor_type: 'organisation', data: { staffId: manager.id } });

    // The page read before the release still shows the button: pressing it says why not.
    await tabTo(stale, `#release-${likelyMiss}`);
    await stale.keyboard.press('Enter');
    await stale.locator('.govuk-error-summary').waitFor();
    await expectPage(stale, 'Day sheet');
    expect(await stale.locator('.govuk-error-summary a').evaluateAll((links) => links.map((a) => [a.getAttribute('href'), a.textContent?.trim()]))).toEqual([
      [`#waitlist-${likelyMiss}`, 'A seat beside this booking has already been offered to the waitlist'],
    ]);

    // The customer waiting answers the offer (as a reply "1" would) and is booked as the extra.
    const [offered] = await e2e.db.query<{ id: string }>('SELECT t.id FROM waitlist_offer_texts t JOIN waitlist_offers o ON o.id = t.offer_id WHERE o.freed_booking_id = $1', [likelyMiss]);
    expect(await e2e.app.app.get(BackfillService).take(offered.id, 1, testClock.now())).toMatchObject({ outcome: 'waitlist_booked' });
    await page.reload();
    await expectPage(page, 'Day sheet');
    await expect(page.locator(`#waitlist-${likelyMiss}`).innerText()).resolves.toBe('Claimed by Alex Jones');
    await expect(page.locator('main').innerText()).resolves.toMatch(/Alex Jones \(C-[0-9A-F]{6}\)\nBooked beyond capacity/);
    const [kept] = await e2e.db.query<{ status: string; overbooked: boolean }>('SELECT status, overbooked FROM bookings WHERE id = $1', [likelyMiss]);
    expect(kept).toEqual({ status: 'booked', overbooked: false });
  });
});
