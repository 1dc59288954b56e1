import { randomBytes } from 'node:crypto';
import { smsSegments } from '../../src/reminders/domain/sms-segments';
import { useTestApp } from '../support/app';
import { SteppedClock } from '../support/clock';
import { BuiltDiary, createDiary, customer, partnerKey, referral, slotRef } from '../support/fixtures';
import { sendConfirmation } from '../support/reminder-link';
import { SmtpCapture } from '../support/smtp-capture';
import { TEST_ACCOUNT_SID, TEST_AUTH_TOKEN, TEST_FROM, TwilioStandIn } from '../support/twilio-stand-in';

// The personal link every reminder carries (issue 9 point 3), end to end: the reminder sent
// through the real twilio library to the stand-in (and by SMTP), its link opened and its
// forms posted as a browser without JavaScript does.

// Slots of the default diary (MON-FRI 09:00-17:00 from Monday 4 January 2027).
const MON_09 = '2027-01-04T09:00:00Z';
const TUE_10 = '2027-01-05T10:00:00Z';
const WED_14 = '2027-01-06T14:00:00Z';
const THU_11 = '2027-01-07T11:00:00Z';
const FRI_15 = '2027-01-08T15:00:00Z';

let mobiles = 0;
const nextMobile = () => `+4479112${String(++mobiles).padStart(5, '0')}`;

// Started before the app, whose configuration is read in its own beforeAll: hence the getters below.
let twilio: TwilioStandIn;
let smtp: SmtpCapture;
beforeAll(async () => {
  twilio = await TwilioStandIn.start();
  smtp = await SmtpCapture.start();
});
afterAll(async () => {
  await twilio?.close();
  await smtp?.close();
});

describe('the personal link in reminders (end to end)', () => {
  const clock = new SteppedClock();
  const e2e = useTestApp(
    {
      TWILIO_ACCOUNT_SID: TEST_ACCOUNT_SID,
      TWILIO_AUTH_TOKEN: TEST_AUTH_TOKEN,
      TWILIO_FROM: TEST_FROM,
      get TWILIO_API_URL() {
        return twilio.url;
      },
      get SMTP_URL() {
        return smtp.url;
      },
      // Reminders are sent here by the test, one at a time, not by a worker.
      RUN_WORKER: 'false',
    } as Record<string, string>,
    { clock },
  );
  let d: BuiltDiary;
  const start = clock.now();

  beforeAll(async () => {
    d = await createDiary(e2e.api);
  });
  afterEach(() => clock.set(start));

  const book = async (at: string, extra: Record<string, unknown> = {}, diary = d) =>
    e2e.api.create('/v1/bookings', { ...slotRef(diary, at), customer: { ...customer(), mobile: nextMobile(), ...extra }, referral });

  const send = (bookingId: string) => sendConfirmation(e2e, { twilio, smtp }, bookingId, clock.now());

  const open = (path: string, init: RequestInit = {}) => fetch(`${e2e.app.url}${path}`, { redirect: 'manual', ...init });
  const post = (path: string, form: Record<string, string> = {}) =>
    open(path, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form).toString() });
  const h1 = (html: string) => /<h1[^>]*>([\s\S]*?)<\/h1>/.exec(html)?.[1].trim() ?? /<legend[^>]*>\s*<h1[^>]*>([\s\S]*?)<\/h1>/.exec(html)?.[1].trim();
  const events = (bookingId: string) => e2e.db.query<{ kind: string; actor_type: string; data: any }>('SELECT kind, actor_type, data FROM booking_events WHERE booking_id = $1 ORDER BY id', [bookingId]);
  const reminders = (bookingId: string) => e2e.db.query<{ version: number; step: string; status: string }>('SELECT version, step, status FROM reminders WHERE booking_id = $1 ORDER BY version, step', [bookingId]);
  // The page as a whole, but for the nonce its scripts get afresh each time.
  const notFound = async (path: string) => {
    const response = await open(path);
    return { status: response.status, body: (await response.text()).replace(/nonce="[^"]*"/g, '') };
  };

  let wrongAnswer: { status: number; body: string };

  it("every reminder carries a short link: the SMS in the same segments, the message log with the token masked", async () => {
    const booking = await book(TUE_10);
    const { url, path, text } = await send(booking.id);
    expect(url).toBe(`${e2e.app.url}${path}`);
    expect(text.endsWith(` No credit? ${url}`)).toBe(true);
    // A booking's id is nowhere in the link.
    expect(url).not.toContain(booking.id);
    const [logged] = await e2e.db.query<{ body: string; segments: number }>(`SELECT m.body, m.segments FROM messages m JOIN reminders r ON r.id = m.reminder_id WHERE r.booking_id = $1`, [booking.id]);
    expect(logged.body).toBe(text.replace(path.slice(3), '*'.repeat(22)));
    expect(logged.segments).toBe(smsSegments(text).segments);
    expect(logged.segments).toBe(2);
    // Only the hash is kept: the token itself is in no column of the table.
    const [link] = await e2e.db.query('SELECT encode(token_hash, $2) AS hash, booking_id, expires_at FROM booking_links WHERE booking_id = $1', [booking.id, 'hex']);
    expect(JSON.stringify(link)).not.toContain(path.slice(3));
    // The end of Tuesday 5 January in London.
    expect(link.expires_at.toISOString()).toBe('2027-01-06T00:00:00.000Z');

    const response = await open(path);
    expect(response.status).toBe(200);
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('x-robots-tag')).toBe('noindex, nofollow');
    const html = await response.text();
    expect(h1(html)).toBe('Your careers appointment');
    expect(html).toContain('Tuesday 5 January 2027 at 10am (1 hour)');
    expect(html).toContain('<meta name="robots" content="noindex, nofollow">');
    expect(html).toContain('0800 100 900');
    // No sign-in, no staff navigation.
    expect(html).not.toMatch(/(href|action)="\/app(?!\/assets\/)/);
    expect(html).not.toMatch(/Sign out|Book<\/a>/);
  });

  it('an email reminder carries the link too', async () => {
    const booking = await book(WED_14, { preferredChannel: 'email', mobile: undefined });
    const { url, text } = await send(booking.id);
    expect(text).toContain(`Confirm, cancel or change this appointment for free, with no need to sign in: ${url}`);
    expect(smtp.messages.at(-1)!.html).toContain(`<a href="${url}">${url}</a>`);
    expect((await open(new URL(url).pathname)).status).toBe(200);
  });

  it('answers a guessed, malformed, revoked or expired token, or a cancelled booking, with the same 404 page', async () => {
    const guessed = await notFound(`/b/${randomBytes(16).toString('base64url')}`);
    expect(guessed.status).toBe(404);
    expect(h1(guessed.body)).toBe('This link does not work');
    wrongAnswer = guessed;
    for (const malformed of ['/b/short', `/b/${'A'.repeat(40)}`, '/b/%00%00']) expect(await notFound(malformed)).toEqual(guessed);

    // Cancelled by the service: every link of the booking is revoked in the same transaction.
    const cancelled = await book(THU_11);
    const first = await send(cancelled.id);
    expect((await open(first.path)).status).toBe(200);
    await e2e.api.post(`/v1/bookings/${cancelled.id}/cancel`, { by: 'service', reason: 'Adviser ill' });
    expect(await notFound(first.path)).toEqual(guessed);
    const [revoked] = await e2e.db.query('SELECT revoked_reason FROM booking_links WHERE booking_id = $1', [cancelled.id]);
    expect(revoked.revoked_reason).toBe('cancelled');

    // Revoked by hand through the API, the booking untouched; only by a key that may see the booking.
    const kept = await book(FRI_15);
    const link = await send(kept.id);
    const stranger = await partnerKey(e2e.api, ['bookings:write']);
    expect(await e2e.api.as(stranger.key).post(`/v1/bookings/${kept.id}/links/revoke`, {})).toMatchObject({ status: 404, body: { code: 'BOOKING_NOT_FOUND' } });
    expect((await open(link.path)).status).toBe(200);
    expect(await e2e.api.post(`/v1/bookings/${kept.id}/links/revoke`, {})).toMatchObject({ status: 200, body: { revoked: 1 } });
    expect(await notFound(link.path)).toEqual(guessed);
    expect(await e2e.api.post(`/v1/bookings/${kept.id}/links/revoke`, {})).toMatchObject({ status: 200, body: { revoked: 0 } });
    expect((await e2e.api.get(`/v1/bookings/${kept.id}`)).body.status).toBe('booked');

    // After the appointment: still open that day (no actions once started), gone after it.
    const today = await book(MON_09);
    const late = await send(today.id);
    clock.set(Date.parse('2027-01-04T16:00:00Z'));
    const started = await open(late.path);
    expect(started.status).toBe(200);
    const html = await started.text();
    expect(html).toContain('This appointment has started');
    expect(html).not.toContain('action="/b/');
    expect((await post(`${late.path}/cancel`)).status).toBe(409);
    clock.set(Date.parse('2027-01-05T00:00:00Z'));
    expect(await notFound(late.path)).toEqual(guessed);
    expect(await notFound(`${late.path}/cancel`)).toEqual(guessed);
    expect((await post(`${late.path}/confirm`)).status).toBe(404);
  });

  it('confirm records the same event as a YES by text, by the customer', async () => {
    const booking = await book('2027-01-11T09:00:00Z');
    const { path } = await send(booking.id);
    const response = await post(`${path}/confirm`);
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe(`${path}?done=confirmed`);
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(await (await open(`${path}?done=confirmed`)).text()).toContain('Thank you, your appointment is confirmed.');
    const recorded = (await events(booking.id)).filter((e) => e.kind === 'customer_confirmed');
    expect(recorded).toHaveLength(1);
    expect(recorded[0]).toMatchObject({ actor_type: 'customer', data: { via: 'link' } });
    const [row] = await e2e.db.query('SELECT confirmed_at FROM bookings WHERE id = $1', [booking.id]);
    expect(row.confirmed_at).not.toBeNull();
  });

  it('cancel asks first, then cancels as the customer: slot freed, reminders withdrawn, the link dead', async () => {
    const booking = await book('2027-01-12T09:00:00Z');
    const { path } = await send(booking.id);
    const question = await open(`${path}/cancel`);
    expect(question.status).toBe(200);
    expect(h1(await question.text())).toBe('Are you sure you want to cancel your appointment?');
    expect((await e2e.api.get(`/v1/bookings/${booking.id}`)).body.status).toBe('booked');

    const done = await post(`${path}/cancel`);
    expect(done.status).toBe(200);
    expect(h1(await done.text())).toBe('Your appointment is cancelled');
    expect((await e2e.api.get(`/v1/bookings/${booking.id}`)).body).toMatchObject({ status: 'cancelled', cancelledBy: 'customer', cancelReason: 'Cancelled through the link in a reminder' });
    expect((await events(booking.id)).map((e) => [e.kind, e.actor_type])).toEqual([['created', 'admin'], ['reminder_sent', 'system'], ['cancelled', 'customer']]);
    const steps = await reminders(booking.id);
    expect(steps.filter((r) => r.step !== 'cancellation' && r.step !== 'confirmation').map((r) => r.status)).toEqual(steps.filter((r) => r.step !== 'cancellation' && r.step !== 'confirmation').map(() => 'cancelled'));
    expect(steps.find((r) => r.step === 'cancellation')?.status).toBe('planned');
    expect(await notFound(path)).toEqual(wrongAnswer);
    // The slot is free again.
    expect((await book('2027-01-12T09:00:00Z')).status).toBe('booked');
  });

  it('rebook offers the same held times as MOVE by text; one chosen moves the booking, the others are given back, a new link goes on', async () => {
    const fresh = await createDiary(e2e.api);
    const booking = await book(TUE_10, {}, fresh);
    const { path } = await send(booking.id);
    const offered = await post(`${path}/rebook`);
    expect(offered.status).toBe(303);
    expect(offered.headers.get('location')).toBe(`${path}/rebook`);
    const page = await (await open(`${path}/rebook`)).text();
    expect([...page.matchAll(/<label[^>]*for="option(?:-\d)?"[^>]*>\s*([^<]*?)\s*<\/label>/g)].map((m) => m[1])).toEqual([
      'Monday 4 January 2027 at 9am',
      'Monday 4 January 2027 at 10am',
      'Monday 4 January 2027 at 11am',
    ]);
    const holds = () => e2e.db.query<{ starts_at: Date; released_at: Date | null; consumed_by: string | null }>('SELECT starts_at, released_at, consumed_by FROM holds WHERE adviser_id = $1 ORDER BY starts_at', [fresh.adviserId]);
    expect((await holds()).map((h) => h.released_at)).toEqual([null, null, null]);

    // Asked again: the first three are given back and held afresh, not offered past.
    expect((await post(`${path}/rebook`)).status).toBe(303);
    expect((await holds()).filter((h) => h.released_at === null)).toHaveLength(3);

    expect((await post(`${path}/rebook/choose`, { option: '7' })).status).toBe(400);
    const moved = await post(`${path}/rebook/choose`, { option: '2' });
    expect(moved.status).toBe(303);
    const next = moved.headers.get('location')!;
    expect(next).toMatch(/^\/b\/[A-Za-z0-9_-]{22}\?done=moved$/);
    expect((await e2e.api.get(`/v1/bookings/${booking.id}`)).body).toMatchObject({ status: 'booked', start: '2027-01-04T10:00:00+00:00', rescheduleCount: 1 });
    expect((await events(booking.id)).map((e) => [e.kind, e.actor_type]).slice(-2)).toEqual([['held', 'customer'], ['rescheduled', 'customer']]);
    const live = (await holds()).filter((h) => h.consumed_by === null && h.released_at === null);
    expect(live).toEqual([]);
    const [versions] = await e2e.db.query<{ old: string[]; fresh: string[] }>(
      `SELECT array_agg(DISTINCT status) FILTER (WHERE version = 1 AND step <> 'confirmation') AS old, array_agg(DISTINCT status) FILTER (WHERE version = 2) AS fresh FROM reminders WHERE booking_id = $1`,
      [booking.id],
    );
    expect(versions.old).toEqual(['superseded']);
    expect(versions.fresh).not.toContain('superseded');
    // The old link is revoked with the move; the customer goes on with the new one.
    expect(await notFound(path)).toEqual(wrongAnswer);
    const after = await (await open(next)).text();
    expect(after).toContain('Your appointment has been moved.');
    expect(after).toContain('Monday 4 January 2027 at 10am');
  });

  it('a time taken by someone else after its hold lapsed is refused, never double-booked', async () => {
    const fresh = await createDiary(e2e.api);
    const booking = await book(TUE_10, {}, fresh);
    const { path } = await send(booking.id);
    expect((await post(`${path}/rebook`)).status).toBe(303);
    // The holds lapse; another customer books the first time offered.
    clock.set(clock.now() + 10 * 60_000);
    const other = await book(MON_09, {}, fresh);
    expect(other.status).toBe('booked');
    const refused = await post(`${path}/rebook/choose`, { option: '1' });
    expect(refused.status).toBe(409);
    expect(await refused.text()).toContain('The time on Monday 4 January 2027 at 9am has just gone. Choose another time.');
    expect((await e2e.api.get(`/v1/bookings/${booking.id}`)).body).toMatchObject({ status: 'booked', start: '2027-01-05T10:00:00+00:00', rescheduleCount: 0 });
    const [{ count }] = await e2e.db.query(`SELECT count(*)::int AS count FROM bookings WHERE adviser_id = $1 AND starts_at = $2 AND status = 'booked'`, [fresh.adviserId, MON_09]);
    expect(count).toBe(1);
    // The time gone is offered no more; a lapsed hold still gets a time that is free.
    const moved = await post(`${path}/rebook/choose`, { option: '1' });
    expect(moved.status).toBe(303);
    expect((await e2e.api.get(`/v1/bookings/${booking.id}`)).body.start).toBe('2027-01-04T10:00:00+00:00');
  });

  // Last: it empties this address's bucket.
  it('limits requests per client address, with a 429 page', async () => {
    let answer: Response | undefined;
    for (let i = 0; i < 100; i++) {
      answer = await open(`/b/${randomBytes(16).toString('base64url')}`);
      if (answer.status === 429) break;
    }
    expect(answer!.status).toBe(429);
    expect(Number(answer!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(answer!.headers.get('referrer-policy')).toBe('no-referrer');
    expect(h1(await answer!.text())).toBe('Too many requests');
    // With no TRUST_PROXY (the default), a forwarded-for header written by the client changes nothing.
    const forged = await open(`/b/${randomBytes(16).toString('base64url')}`, { headers: { 'X-Forwarded-For': '203.0.113.9' } });
    expect(forged.status).toBe(429);
  });
});
