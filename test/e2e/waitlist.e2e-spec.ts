import { randomBytes } from 'node:crypto';
import { getExpectedTwilioSignature } from 'twilio/lib/webhooks/webhooks';
import { Api } from '../support/api';
import { useTestApp } from '../support/app';
import { checkedFetch } from '../support/contract';
import { BuiltDiary, createDiary, createSite, customer, partnerKey, referral, slotRef } from '../support/fixtures';
import { TEST_ACCOUNT_SID, TEST_AUTH_TOKEN, TEST_FROM, TwilioStandIn } from '../support/twilio-stand-in';
import { until } from '../support/wait';

// The waitlist end to end: customers put on it over the API, a cancellation that frees a
// slot, the offers the worker texts through the real twilio library to a stand-in for
// Twilio, and the customers' replies signed as Twilio signs them, racing for the slot.

// Slots of the default diary (MON-FRI 09:00-17:00 from Monday 4 January 2027), in GMT.
const TUE_9_FEB_10 = '2027-02-09T10:00:00Z';
const WED_10_FEB_14 = '2027-02-10T14:00:00Z';
const WINDOW = { earliest: '2027-02-08T09:00:00Z', latest: '2027-02-12T17:00:00Z' };

let mobiles = 0;
const nextMobile = () => `+4479112${String(++mobiles).padStart(5, '0')}`;
const messageSid = () => `SM${randomBytes(16).toString('hex')}`;
const unescapeXml = (text: string) => text.replace(/&(lt|gt|quot|apos|amp);/g, (_, e: string) => ({ lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' })[e]!);

describe('Waitlist and backfill (end to end, texts through the real twilio library)', () => {
  let twilio: TwilioStandIn;
  const env: Record<string, string> = {
    TWILIO_ACCOUNT_SID: TEST_ACCOUNT_SID,
    TWILIO_AUTH_TOKEN: TEST_AUTH_TOKEN,
    TWILIO_FROM: TEST_FROM,
    RUN_WORKER: 'true',
    RELAY_INTERVAL_MS: '100',
  };
  // Before the app starts (hooks run in order): the stand-in's address goes into its configuration.
  beforeAll(async () => {
    twilio = await TwilioStandIn.start();
    env.TWILIO_API_URL = twilio.url;
  });
  afterAll(async () => {
    await twilio?.close();
  });
  const e2e = useTestApp(env);
  const webhook = () => `${e2e.app.url}/v1/webhooks/twilio/sms`;

  /** Posts a message from `from` as Twilio does, signed; the text of the TwiML answer. */
  async function text(from: string, body: string): Promise<string> {
    const sid = messageSid();
    const params = { SmsSid: sid, MessageSid: sid, AccountSid: TEST_ACCOUNT_SID, From: from, To: TEST_FROM, Body: body, NumMedia: '0', NumSegments: '1', ApiVersion: '2010-04-01' };
    const response = await checkedFetch(webhook(), {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Twilio-Signature': getExpectedTwilioSignature(TEST_AUTH_TOKEN, webhook(), params) },
      body: new URLSearchParams(params).toString(),
    });
    expect(response.status).toBe(200);
    return unescapeXml(/<Message>([\s\S]*)<\/Message>/.exec(await response.text())![1]);
  }

  const offersTo = (mobile: string) => twilio.received.filter((m) => m.to === mobile && m.body.startsWith('A time has come up'));
  const bookedAt = (d: BuiltDiary, start: string) =>
    e2e.db.query<{ id: string; mobile: string }>(`SELECT b.id, c.mobile FROM bookings b JOIN customers c ON c.id = b.customer_id WHERE b.adviser_id = $1 AND b.starts_at = $2 AND b.status = 'booked'`, [d.adviserId, start]);

  let d: BuiltDiary;
  let adviser: Api;
  let otherPartner: Api;
  beforeAll(async () => {
    d = await createDiary(e2e.api);
    adviser = e2e.api.as((await partnerKey(e2e.api)).key);
    otherPartner = e2e.api.as((await partnerKey(e2e.api)).key);
  });

  async function wait(mobile: string, overrides: Record<string, unknown> = {}, diary = d) {
    const response = await adviser.post('/v1/waitlist', { customer: { ...customer(), mobile }, referral, appointmentType: diary.typeCode, siteIds: [diary.siteId], ...WINDOW, ...overrides });
    expect(response.status).toBe(201);
    return response.body;
  }

  /** Books `start` and cancels it, freeing the slot. */
  async function free(start: string, diary = d) {
    const booking = await e2e.api.create('/v1/bookings', { ...slotRef(diary, start), customer: { ...customer(), mobile: nextMobile() }, referral });
    const cancelled = await e2e.api.post(`/v1/bookings/${booking.id}/cancel`, { by: 'customer', reason: 'Started a job' });
    expect(cancelled.status).toBe(200);
    return booking;
  }

  it('a freed slot goes by text to those waiting it fits; of two replying 1 at once, one is booked and the other told it has gone', async () => {
    const [first, second] = [nextMobile(), nextMobile()];
    const firstEntry = await wait(first);
    const secondEntry = await wait(second);
    expect(firstEntry).toMatchObject({ status: 'waiting', appointmentType: d.typeCode, siteIds: [d.siteId], earliest: '2027-02-08T09:00:00.000Z', bookingId: null, offers: [] });
    expect(firstEntry.customer.mobile).toBe(first);
    // Waiting for the same type, but not then, or not there: never offered it.
    const later = nextMobile();
    await wait(later, { earliest: '2027-02-10T09:00:00Z' });
    const elsewhere = nextMobile();
    await wait(elsewhere, { siteIds: [(await createSite(e2e.api)).id] });

    await free(TUE_9_FEB_10);
    const [offer] = await until('both offers texted', async () => (offersTo(first).length && offersTo(second).length ? offersTo(first) : null));
    expect(offer.body).toMatch(/^A time has come up: Tue 9 Feb 10:00 at Site [0-9A-F]{6}\. Reply 1 by 14:00 to take it\. First to reply gets it\.$/);
    expect(offersTo(second)[0].body).toBe(offer.body);
    expect(offersTo(later)).toEqual([]);
    expect(offersTo(elsewhere)).toEqual([]);
    const seen = (await adviser.get(`/v1/waitlist/${firstEntry.id}`)).body;
    expect(seen.offers).toEqual([{ offerId: expect.any(String), siteId: d.siteId, start: '2027-02-09T10:00:00+00:00', expiresAt: expect.stringMatching(/^2026-11-30T14:00/), text: 'sent', segments: 1, offer: 'open', answer: null }]);

    const answers = await Promise.all([text(first, '1'), text(second, '1')]);
    const won = answers.findIndex((a) => a.startsWith('Booked:'));
    expect(won).toBeGreaterThanOrEqual(0);
    expect(answers[won]).toMatch(/^Booked: your appointment is on Tue 9 Feb 10:00 at Site [0-9A-F]{6}\. Reply NO if you can't come\.$/);
    expect(answers[1 - won]).toBe('Sorry, that time has just gone. You are still on the waiting list and we will text you if another comes up.');

    // One booking, for the winner, the referrer's own.
    const [winner, loser] = won === 0 ? [firstEntry, secondEntry] : [secondEntry, firstEntry];
    const booked = await bookedAt(d, TUE_9_FEB_10);
    expect(booked).toEqual([{ id: expect.any(String), mobile: winner.customer.mobile }]);
    const fulfilled = (await adviser.get(`/v1/waitlist/${winner.id}`)).body;
    expect(fulfilled).toMatchObject({ status: 'fulfilled', bookingId: booked[0].id, offers: [{ offer: 'taken', answer: 'won' }] });
    expect((await adviser.get(`/v1/bookings/${booked[0].id}`)).body).toMatchObject({ status: 'booked', start: '2027-02-09T10:00:00+00:00' });
    expect((await adviser.get(`/v1/waitlist/${loser.id}`)).body).toMatchObject({ status: 'waiting', bookingId: null, offers: [{ offer: 'taken', answer: 'gone' }] });

    // Saying it again changes nothing.
    expect(await text(winner.customer.mobile, '1')).toMatch(/^Booked: your appointment is on Tue 9 Feb 10:00/);
    expect(await text(loser.customer.mobile, '1')).toMatch(/^Sorry, that time has just gone\./);
    expect(await bookedAt(d, TUE_9_FEB_10)).toHaveLength(1);
    // The winner has what they waited for: the next freed slot goes to the others.
    const waiting = (await adviser.get(`/v1/waitlist?siteId=${d.siteId}`)).body.entries.map((e: { id: string }) => e.id);
    expect(waiting).toContain(loser.id);
    expect(waiting).not.toContain(winner.id);
  });

  it('offers three at a time, longest waiting first; a lapsed round goes to the next; a STOP is never texted', async () => {
    const fresh = await createDiary(e2e.api);
    const queue = [nextMobile(), nextMobile(), nextMobile(), nextMobile(), nextMobile()];
    for (const mobile of queue) await wait(mobile, {}, fresh);
    // The second in the queue stops texts: skipped, whoever's record the STOP came in on.
    expect(await text(queue[1], 'STOP')).toMatch(/^You will get no more texts from us/);
    await free(TUE_9_FEB_10, fresh);
    await until('the first round texted', async () => [0, 2, 3].every((i) => offersTo(queue[i]).length === 1));
    expect(offersTo(queue[1])).toEqual([]);
    expect(offersTo(queue[4])).toEqual([]);

    // Nobody answers in time: the next in the queue is asked, and those before are not asked again.
    await e2e.db.query(`UPDATE waitlist_offers SET expires_at = '2026-11-30T11:00:00Z' WHERE site_id = $1`, [fresh.siteId]);
    await e2e.db.query(`UPDATE waitlist_offer_texts SET send_at = '2026-11-30T10:00:00Z', expires_at = '2026-11-30T11:00:00Z' WHERE offer_id IN (SELECT id FROM waitlist_offers WHERE site_id = $1)`, [fresh.siteId]);
    await until('the second round texted', async () => offersTo(queue[4]).length === 1);
    const [offer] = await e2e.db.query<{ round: number; status: string }>('SELECT round, status FROM waitlist_offers WHERE site_id = $1', [fresh.siteId]);
    expect(offer).toEqual({ round: 2, status: 'open' });
    expect([0, 2, 3].map((i) => offersTo(queue[i]).length)).toEqual([1, 1, 1]);
    expect(await text(queue[0], '1')).toMatch(/^Sorry, that offer has ended\./);
    // With no booking of their own to confirm, a yes takes the slot as a 1 would.
    expect(await text(queue[4], 'Yes please!')).toMatch(/^Booked: your appointment is on Tue 9 Feb 10:00/);
    expect(await bookedAt(fresh, TUE_9_FEB_10)).toHaveLength(1);
  });

  it('a slot freed while all it fits are answering another offer goes to them once that offer is taken', async () => {
    const fresh = await createDiary(e2e.api);
    const [a, b] = [nextMobile(), nextMobile()];
    await wait(a, {}, fresh);
    await wait(b, {}, fresh);
    await free(TUE_9_FEB_10, fresh);
    await until('the first offer texted', async () => offersTo(a).length === 1 && offersTo(b).length === 1);
    await free(WED_10_FEB_14, fresh);
    const [second] = await e2e.db.query<{ round: number; status: string }>('SELECT round, status FROM waitlist_offers WHERE site_id = $1 AND starts_at = $2', [fresh.siteId, WED_10_FEB_14]);
    expect(second).toEqual({ round: 0, status: 'open' });

    expect(await text(a, '1')).toMatch(/^Booked: your appointment is on Tue 9 Feb 10:00/);
    const [offer] = await until('the second offer texted to the one still waiting', async () => (offersTo(b).length === 2 ? offersTo(b).slice(1) : null));
    expect(offer.body).toMatch(/^A time has come up: Wed 10 Feb 14:00 at /);
    expect(offersTo(a)).toHaveLength(1);
    expect(await text(b, '1')).toMatch(/^Booked: your appointment is on Wed 10 Feb 14:00/);
    expect((await bookedAt(fresh, WED_10_FEB_14)).map((r) => r.mobile)).toEqual([b]);
  });

  it('holds an offer through the site\'s quiet hours for texts, and sends nothing to a customer taken off the list meanwhile', async () => {
    const fresh = await createDiary(e2e.api);
    // Quiet until 13:00: the app's clock stands at about 12:00 in London.
    const quiet = { daysBefore: 2, daysBeforeAt: '10:00', hoursBefore: 3, quietFrom: '11:00', quietUntil: '13:00', minimumGapMinutes: 60 };
    expect((await e2e.api.request('PUT', `/v1/sites/${fresh.siteId}/reminder-policy`, quiet)).status).toBe(200);
    const [kept, removed] = [nextMobile(), nextMobile()];
    await wait(kept, {}, fresh);
    const gone = await wait(removed, {}, fresh);
    await free(TUE_9_FEB_10, fresh);
    const texts = () => e2e.db.query<{ mobile: string; send_at: Date; expires_at: Date; status: string; error_code: string | null }>(
      'SELECT t.mobile, t.send_at, t.expires_at, t.status, t.error_code FROM waitlist_offer_texts t JOIN waitlist_offers o ON o.id = t.offer_id WHERE o.site_id = $1 ORDER BY t.created_at, t.mobile',
      [fresh.siteId],
    );
    const held = await texts();
    expect(held.map((t) => [t.send_at.toISOString(), t.expires_at.toISOString(), t.status])).toEqual([
      ['2026-11-30T13:00:00.000Z', '2026-11-30T15:00:00.000Z', 'queued'],
      ['2026-11-30T13:00:00.000Z', '2026-11-30T15:00:00.000Z', 'queued'],
    ]);
    expect((await adviser.delete(`/v1/waitlist/${gone.id}`)).status).toBe(204);
    // The quiet hours made to end now.
    await e2e.db.query(`UPDATE waitlist_offer_texts SET send_at = '2026-11-30T11:00:00Z' WHERE offer_id IN (SELECT id FROM waitlist_offers WHERE site_id = $1)`, [fresh.siteId]);
    await until('the offer texted', async () => offersTo(kept).length === 1);
    expect(offersTo(kept)[0].body).toMatch(/Reply 1 by 15:00 to take it/);
    expect(await until('the other text settled', async () => (await texts()).find((t) => t.mobile === removed && !['queued', 'sending'].includes(t.status)))).toMatchObject({ status: 'failed', error_code: 'WITHDRAWN' });
    expect(offersTo(removed)).toEqual([]);
  });

  it('a move frees the time it leaves, which is offered as a cancelled one is', async () => {
    const fresh = await createDiary(e2e.api);
    const mobile = nextMobile();
    await wait(mobile, {}, fresh);
    const booking = await e2e.api.create('/v1/bookings', { ...slotRef(fresh, TUE_9_FEB_10), customer: { ...customer(), mobile: nextMobile() }, referral });
    expect((await e2e.api.post(`/v1/bookings/${booking.id}/reschedule`, slotRef(fresh, WED_10_FEB_14))).status).toBe(200);
    const [offer] = await until('the offer texted', async () => (offersTo(mobile).length ? offersTo(mobile) : null));
    expect(offer.body).toMatch(/^A time has come up: Tue 9 Feb 10:00 at /);
    expect(await text(mobile, '1')).toMatch(/^Booked: your appointment is on Tue 9 Feb 10:00/);
    expect((await bookedAt(fresh, TUE_9_FEB_10)).map((b) => b.mobile)).toEqual([mobile]);
    expect((await bookedAt(fresh, WED_10_FEB_14)).map((b) => b.id)).toEqual([booking.id]);
  });

  it('an offer answered after it lapsed is refused politely and the customer keeps their place; only 1 takes it', async () => {
    const mobile = nextMobile();
    const entry = await wait(mobile, { earliest: '2027-02-10T09:00:00Z' });
    await free(WED_10_FEB_14);
    await until('the offer texted', async () => offersTo(mobile).length > 0);
    expect(await text(mobile, '2')).toBe('Please reply 1 to take the time we sent, or call 0800 100 900 (free).');
    // The app's clock does not move: the offer is made to have lapsed instead.
    await e2e.db.query(`UPDATE waitlist_offer_texts SET send_at = '2026-11-30T10:00:00Z', expires_at = '2026-11-30T11:00:00Z' WHERE entry_id = $1`, [entry.id]);
    expect(await text(mobile, '1')).toBe('Sorry, that offer has ended. You are still on the waiting list and we will text you if another time comes up.');
    expect((await adviser.get(`/v1/waitlist/${entry.id}`)).body).toMatchObject({ status: 'waiting', offers: [{ answer: 'expired' }] });
    expect(await bookedAt(d, WED_10_FEB_14)).toEqual([]);
  });

  it('a slot booked the ordinary way while on offer is refused to the reply, never booked twice', async () => {
    const fresh = await createDiary(e2e.api);
    const mobile = nextMobile();
    const entry = await wait(mobile, {}, fresh);
    await free(TUE_9_FEB_10, fresh);
    await until('the offer texted', async () => offersTo(mobile).length > 0);
    await e2e.api.create('/v1/bookings', { ...slotRef(fresh, TUE_9_FEB_10), customer: { ...customer(), mobile: nextMobile() }, referral });
    expect(await text(mobile, '1')).toMatch(/^Sorry, that time has just gone\./);
    expect(await bookedAt(fresh, TUE_9_FEB_10)).toHaveLength(1);
    expect((await adviser.get(`/v1/waitlist/${entry.id}`)).body).toMatchObject({ status: 'waiting', offers: [{ offer: 'lost', answer: 'gone' }] });
  });

  describe('a reply whose process died mid-claim', () => {
    /** The state such a process leaves: the offer claimed for `entryId`, the claim's deadline passed (the app's clock reads 12:00). */
    const dieMidClaim = (siteId: string, entryId: string) =>
      e2e.db.query(`UPDATE waitlist_offers SET status = 'claimed', entry_id = $2, expires_at = '2026-11-30T11:00:00Z' WHERE site_id = $1`, [siteId, entryId]);
    const offerAt = async (siteId: string) => (await e2e.db.query<{ status: string; booking_id: string | null }>('SELECT status, booking_id FROM waitlist_offers WHERE site_id = $1', [siteId]))[0];

    it('before booking: the offer reopens for the rest of its round, and another reply takes it', async () => {
      const fresh = await createDiary(e2e.api);
      const [died, other] = [nextMobile(), nextMobile()];
      const diedEntry = await wait(died, {}, fresh);
      await wait(other, {}, fresh);
      await free(TUE_9_FEB_10, fresh);
      await until('both texted', async () => offersTo(died).length === 1 && offersTo(other).length === 1);
      await dieMidClaim(fresh.siteId, diedEntry.id);
      await until('the claim given back', async () => (await offerAt(fresh.siteId)).status === 'open');
      expect(await text(other, '1')).toMatch(/^Booked: your appointment is on Tue 9 Feb 10:00/);
      expect((await bookedAt(fresh, TUE_9_FEB_10)).map((b) => b.mobile)).toEqual([other]);
      expect((await adviser.get(`/v1/waitlist/${diedEntry.id}`)).body.status).toBe('waiting');
    });

    it('after booking: the claim is finished, the offer taken by that booking and the entry fulfilled', async () => {
      const fresh = await createDiary(e2e.api);
      const mobile = nextMobile();
      const waiting = { ...customer(), mobile };
      const entry = await wait(mobile, { customer: waiting }, fresh);
      await free(TUE_9_FEB_10, fresh);
      await until('the offer texted', async () => offersTo(mobile).length === 1);
      // The booking committed (as the referrer's, for the customer waiting), then the process died.
      const booking = await adviser.create('/v1/bookings', { ...slotRef(fresh, TUE_9_FEB_10), customer: waiting, referral });
      await dieMidClaim(fresh.siteId, entry.id);
      await until('the claim finished', async () => (await offerAt(fresh.siteId)).status === 'taken');
      expect(await offerAt(fresh.siteId)).toEqual({ status: 'taken', booking_id: booking.id });
      expect((await adviser.get(`/v1/waitlist/${entry.id}`)).body).toMatchObject({ status: 'fulfilled', bookingId: booking.id });
      expect(await bookedAt(fresh, TUE_9_FEB_10)).toHaveLength(1);
    });
  });

  it('a key sees and removes only its own organisation\'s entries; an admin sees all', async () => {
    const entry = await wait(nextMobile());
    expect((await otherPartner.get(`/v1/waitlist/${entry.id}`)).status).toBe(404);
    expect((await otherPartner.get('/v1/waitlist')).body.entries).toEqual([]);
    expect((await otherPartner.delete(`/v1/waitlist/${entry.id}`)).status).toBe(404);
    expect((await e2e.api.get('/v1/waitlist')).body.entries.map((e: { id: string }) => e.id)).toContain(entry.id);

    const again = await adviser.post('/v1/waitlist', { customer: entry.customer, referral, appointmentType: d.typeCode, siteIds: [d.siteId], ...WINDOW });
    expect(again).toMatchObject({ status: 409, body: { code: 'ALREADY_WAITING' } });
    expect((await adviser.delete(`/v1/waitlist/${entry.id}`)).status).toBe(204);
    expect((await adviser.delete(`/v1/waitlist/${entry.id}`)).status).toBe(204);
    expect((await adviser.get(`/v1/waitlist/${entry.id}`)).body).toMatchObject({ status: 'removed', closedAt: expect.any(String) });
    expect((await adviser.get('/v1/waitlist?status=removed')).body.entries.map((e: { id: string }) => e.id)).toContain(entry.id);
    expect((await adviser.get('/v1/waitlist')).body.entries.map((e: { id: string }) => e.id)).not.toContain(entry.id);
  });

  describe('a seat released beside a booking likely to be missed', () => {
    const managerOf = async (diary: BuiltDiary) => e2e.api.as((await e2e.api.create(`/v1/organisations/${diary.organisationId}/api-keys`, { scopes: ['sites:manage'], siteIds: [diary.siteId] })).key);
    // Bookings are scored by the model as they are made; the test gives them known show probabilities.
    const booked = async (diary: BuiltDiary, start: string, show: number | null) => {
      const booking = await e2e.api.create('/v1/bookings', { ...slotRef(diary, start), customer: { ...customer(), mobile: nextMobile() }, referral });
      await e2e.db.query('UPDATE bookings SET show_probability = $2 WHERE id = $1', [booking.id, show]);
      return booking;
    };
    const seats = (diary: BuiltDiary, start: string) => e2e.db.query<{ booked: number; extras: number }>('SELECT booked, extras FROM sessions WHERE adviser_id = $1 AND starts_at = $2', [diary.adviserId, start]);
    const inSession = (diary: BuiltDiary, start: string) =>
      e2e.db.query<{ id: string; mobile: string; overbooked: boolean; session_id: string }>(
        `SELECT b.id, c.mobile, b.overbooked, b.session_id FROM bookings b JOIN customers c ON c.id = b.customer_id WHERE b.adviser_id = $1 AND b.starts_at = $2 AND b.status = 'booked' ORDER BY b.created_at`,
        [diary.adviserId, start],
      );

    it('goes by text to one waiting; their 1 books them into the same session as an extra, and the booking it was released beside stands', async () => {
      const fresh = await createDiary(e2e.api);
      const manager = await managerOf(fresh);
      const original = await booked(fresh, TUE_9_FEB_10, 0.3);
      const mobile = nextMobile();
      const entry = await wait(mobile, { customer: { ...customer(), name: 'Alex Jones', mobile } }, fresh);
      const before = (await e2e.api.get(`/v1/bookings/${original.id}`)).body;

      const released = await manager.post(`/v1/bookings/${original.id}/release`, {});
      expect(released.status).toBe(200);
      expect(released.body).toEqual({ bookingId: original.id, sessionId: expect.any(String), start: '2027-02-09T10:00:00+00:00', showProbability: 0.3, releasedAt: expect.stringMatching(/^2026-11-30T/) });
      const [event] = await e2e.db.query<{ actor_type: string; actor_id: string; data: Record<string, unknown> }>(`SELECT actor_type, actor_id, data FROM booking_events WHERE booking_id = $1 AND kind = 'released'`, [original.id]);
      expect(event).toEqual({ actor_type: 'organisation', actor_id: fresh.organisationId, data: { sessionId: released.body.sessionId, start: '2027-02-09T10:00:00.000Z', showProbability: 0.3, keyId: expect.any(String) } });

      const [offer] = await until('the seat offered by text', async () => (offersTo(mobile).length ? offersTo(mobile) : null));
      expect(offer.body).toMatch(/^A time has come up: Tue 9 Feb 10:00 at Site [0-9A-F]{6}\. Reply 1 by 14:00 to take it\. First to reply gets it\.$/);
      expect(await text(mobile, '1')).toMatch(/^Booked: your appointment is on Tue 9 Feb 10:00 at Site [0-9A-F]{6}\. Reply NO if you can't come\.$/);

      const both = await inSession(fresh, TUE_9_FEB_10);
      expect(both).toEqual([
        { id: original.id, mobile: original.customer.mobile, overbooked: false, session_id: released.body.sessionId },
        { id: expect.any(String), mobile, overbooked: true, session_id: released.body.sessionId },
      ]);
      expect(await seats(fresh, TUE_9_FEB_10)).toEqual([{ booked: 1, extras: 1 }]);
      expect((await e2e.api.get(`/v1/bookings/${original.id}`)).body).toEqual(before);
      expect((await adviser.get(`/v1/waitlist/${entry.id}`)).body).toMatchObject({ status: 'fulfilled', bookingId: both[1].id, offers: [{ offer: 'taken', answer: 'won' }] });
      // No policy at the site: the default caps, one extra in the session, apply whatever the mode.
      expect((await e2e.api.get(`/v1/bookings/${both[1].id}`)).body).toMatchObject({ overbooked: true, overbookPolicyVersion: null, overbookRisk: null });

      const sheet = (await manager.get(`/v1/sites/${fresh.siteId}/day-sheet?date=2027-02-09`)).body;
      expect(sheet.releaseCeiling).toBe(0.6);
      const [row, extra] = sheet.sessions[0].bookings;
      expect(row).toMatchObject({ bookingId: original.id, releasable: false, release: { releasedAt: released.body.releasedAt, claimed: true, claimedBy: 'Alex Jones' } });
      expect(extra).toMatchObject({ overbooked: true, release: null });
    });

    it('of two replying 1 at once, one is booked as the extra and the other told it has gone; never more extras than the cap', async () => {
      const fresh = await createDiary(e2e.api);
      const manager = await managerOf(fresh);
      const original = await booked(fresh, TUE_9_FEB_10, 0.45);
      const [first, second] = [nextMobile(), nextMobile()];
      await wait(first, {}, fresh);
      await wait(second, {}, fresh);
      expect((await manager.post(`/v1/bookings/${original.id}/release`, {})).status).toBe(200);
      await until('both offered the seat', async () => offersTo(first).length === 1 && offersTo(second).length === 1);

      const answers = await Promise.all([text(first, '1'), text(second, '1')]);
      expect(answers.filter((a) => a.startsWith('Booked:'))).toHaveLength(1);
      expect(answers.filter((a) => a.startsWith('Sorry, that time has just gone.'))).toHaveLength(1);
      const now = await inSession(fresh, TUE_9_FEB_10);
      expect(now.map((b) => b.overbooked)).toEqual([false, true]);
      expect([first, second]).toContain(now[1].mobile);
      expect(await seats(fresh, TUE_9_FEB_10)).toEqual([{ booked: 1, extras: 1 }]);

      // The extra, even were it likely to be missed, leaves no room for another under the cap of one.
      await e2e.db.query('UPDATE bookings SET show_probability = 0.2 WHERE id = $1', [now[1].id]);
      expect(await manager.post(`/v1/bookings/${now[1].id}/release`, {})).toMatchObject({ status: 409, body: { code: 'CAP_SESSION' } });
      expect(await seats(fresh, TUE_9_FEB_10)).toEqual([{ booked: 1, extras: 1 }]);
    });

    it('is refused with a code: twice, above the ceiling or never scored, started, cancelled; only to the site\'s managers', async () => {
      const fresh = await createDiary(e2e.api);
      const manager = await managerOf(fresh);
      const release = (id: string, as = manager) => as.post(`/v1/bookings/${id}/release`, {});

      // Two at once: one release, one refusal.
      const twice = await booked(fresh, TUE_9_FEB_10, 0.6);
      const racing = await Promise.all([release(twice.id), release(twice.id)]);
      expect(racing.map((r) => r.status).sort()).toEqual([200, 409]);
      expect(racing.find((r) => r.status === 409)!.body.code).toBe('ALREADY_RELEASED');
      expect(await release(twice.id)).toMatchObject({ status: 409, body: { code: 'ALREADY_RELEASED' } });
      expect(await e2e.db.query(`SELECT count(*)::int AS n FROM booking_events WHERE booking_id = $1 AND kind = 'released'`, [twice.id])).toEqual([{ n: 1 }]);

      const likely = await booked(fresh, WED_10_FEB_14, 0.61);
      expect(await release(likely.id)).toMatchObject({ status: 409, body: { code: 'LIKELY_TO_COME' } });
      await e2e.db.query('UPDATE bookings SET show_probability = NULL WHERE id = $1', [likely.id]);
      expect(await release(likely.id)).toMatchObject({ status: 409, body: { code: 'LIKELY_TO_COME' } });

      const past = await booked(fresh, '2027-02-11T10:00:00Z', 0.2);
      // The app's clock stands still: the appointment is made to have started instead.
      await e2e.db.query(`UPDATE bookings SET starts_at = '2026-11-30T09:00:00Z' WHERE id = $1`, [past.id]);
      expect(await release(past.id)).toMatchObject({ status: 409, body: { code: 'BOOKING_STARTED' } });

      const cancelled = await booked(fresh, '2027-02-12T10:00:00Z', 0.2);
      expect((await e2e.api.post(`/v1/bookings/${cancelled.id}/cancel`, { by: 'customer', reason: 'Started a job' })).status).toBe(200);
      expect(await release(cancelled.id)).toMatchObject({ status: 409, body: { code: 'BOOKING_CANCELLED' } });

      const open = await booked(fresh, '2027-02-11T14:00:00Z', 0.2);
      const elsewhere = await managerOf(await createDiary(e2e.api));
      expect(await release(open.id, elsewhere)).toMatchObject({ status: 404, body: { code: 'BOOKING_NOT_FOUND' } });
      expect(await release(open.id, adviser)).toMatchObject({ status: 403, body: { code: 'FORBIDDEN' } });
      expect(await release('00000000-0000-4000-8000-000000000000')).toMatchObject({ status: 404, body: { code: 'BOOKING_NOT_FOUND' } });
      expect(await e2e.db.query(`SELECT count(*)::int AS n FROM booking_events WHERE booking_id = ANY ($1) AND kind = 'released'`, [[likely.id, past.id, cancelled.id, open.id]])).toEqual([{ n: 0 }]);
      // The admin may, as it may manage every site.
      expect((await release(open.id, e2e.api)).status).toBe(200);
    });
  });

  it('refuses what cannot be waited for, with a code for each', async () => {
    const body = { customer: { ...customer(), mobile: nextMobile() }, referral, appointmentType: d.typeCode, siteIds: [d.siteId], ...WINDOW };
    const cases: [Record<string, unknown>, number, string][] = [
      [{ latest: WINDOW.earliest }, 400, 'WINDOW_EMPTY'],
      [{ earliest: '2026-11-01T09:00:00Z', latest: '2026-11-02T09:00:00Z' }, 400, 'WINDOW_IN_PAST'],
      [{ latest: '2027-04-30T17:00:00Z' }, 400, 'WINDOW_TOO_LONG'],
      [{ customer: { ...customer(), mobile: '020 7946 0000' } }, 400, 'INVALID_MOBILE'],
      [{ customer: { ...customer(), mobile: undefined, preferredChannel: 'email' } }, 422, 'SMS_REQUIRED'],
      [{ customer: { ...customer(), consentToContact: false } }, 422, 'SMS_REQUIRED'],
      [{ appointmentType: 'NO_SUCH_TYPE' }, 422, 'UNKNOWN_APPOINTMENT_TYPE'],
      [{ siteIds: [d.siteId, '00000000-0000-4000-8000-000000000000'] }, 422, 'UNKNOWN_SITE'],
      [{ siteIds: [] }, 400, 'VALIDATION_FAILED'],
    ];
    for (const [overrides, status, code] of cases) {
      const response = await adviser.post('/v1/waitlist', { ...body, ...overrides });
      expect([JSON.stringify(overrides), response.status, response.body.code]).toEqual([JSON.stringify(overrides), status, code]);
    }
  });
});
