import { randomBytes } from 'node:crypto';
import { getExpectedTwilioSignature } from 'twilio/lib/webhooks/webhooks';
import { useTestApp } from '../support/app';
import { checkedFetch } from '../support/contract';
import { BuiltDiary, createDiary, customer, partnerKey, referral, slotRef } from '../support/fixtures';
import { TEST_ACCOUNT_SID, TEST_AUTH_TOKEN, TEST_FROM } from '../support/twilio-stand-in';

// Customers' SMS replies, end to end: signed by the real `twilio` library as Twilio signs
// its incoming message webhook, answered in TwiML, acted on in the database. The app
// sends no SMS itself here (no worker), so reminders stay as planned or withdrawn.

// Later slots of the default diary (MON-FRI 09:00-17:00 from Monday 4 January 2027).
const TUE_10 = '2027-01-05T10:00:00Z';
const WED_14 = '2027-01-06T14:00:00Z';

let mobiles = 0;
const nextMobile = () => `+4479112${String(++mobiles).padStart(5, '0')}`;
const messageSid = () => `SM${randomBytes(16).toString('hex')}`;

const unescapeXml = (text: string) => text.replace(/&(lt|gt|quot|apos|amp);/g, (_, e: string) => ({ lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' })[e]!);

describe('SMS replies (end to end, signed by the real twilio library)', () => {
  const e2e = useTestApp({
    TWILIO_ACCOUNT_SID: TEST_ACCOUNT_SID,
    TWILIO_AUTH_TOKEN: TEST_AUTH_TOKEN,
    TWILIO_FROM: TEST_FROM,
    // Never called: nothing is sent without a worker.
    TWILIO_API_URL: 'http://127.0.0.1:9',
    RUN_WORKER: 'false',
  });
  const webhook = () => `${e2e.app.url}/v1/webhooks/twilio/sms`;

  interface Answer {
    status: number;
    contentType: string | null;
    xml: string;
    /** The text of the TwiML <Message>, for the customer. */
    message: string | null;
    code: string | null;
  }

  /** Posts a message from `from`, as Twilio does; signed unless told otherwise. */
  async function text(from: string, body: string, options: { sid?: string; signature?: string | null; extra?: Record<string, string> } = {}): Promise<Answer> {
    const sid = options.sid ?? messageSid();
    const params = { ToCountry: 'GB', SmsSid: sid, MessageSid: sid, SmsMessageSid: sid, AccountSid: TEST_ACCOUNT_SID, From: from, To: TEST_FROM, Body: body, NumMedia: '0', NumSegments: '1', ApiVersion: '2010-04-01', ...options.extra };
    const signature = options.signature === undefined ? getExpectedTwilioSignature(TEST_AUTH_TOKEN, webhook(), params) : options.signature;
    const response = await checkedFetch(webhook(), {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...(signature === null ? {} : { 'X-Twilio-Signature': signature }) },
      body: new URLSearchParams(params).toString(),
    });
    const xml = await response.text();
    const contentType = response.headers.get('content-type');
    const message = /<Message>([\s\S]*)<\/Message>/.exec(xml)?.[1];
    return { status: response.status, contentType, xml, message: message === undefined ? null : unescapeXml(message), code: contentType?.includes('json') ? JSON.parse(xml).code : null };
  }

  /** Books `start` for a customer on `mobile`. */
  async function book(d: BuiltDiary, start: string, mobile: string, reference?: string) {
    return e2e.api.create('/v1/bookings', { ...slotRef(d, start), customer: { ...customer(reference), mobile }, referral });
  }

  const events = (bookingId: string) => e2e.db.query<{ kind: string; actor_type: string; data: any }>('SELECT kind, actor_type, data FROM booking_events WHERE booking_id = $1 ORDER BY id', [bookingId]);
  const kinds = async (bookingId: string) => (await events(bookingId)).map((e) => e.kind);
  const reminders = (bookingId: string) => e2e.db.query<{ step: string; status: string; reason: string | null }>('SELECT step, status, reason FROM reminders WHERE booking_id = $1 ORDER BY version, step', [bookingId]);
  const followUps = async (siteId: string) => {
    const response = await e2e.api.get(`/v1/sites/${siteId}/follow-ups`);
    expect(response.status).toBe(200);
    return response.body.followUps as any[];
  };

  let d: BuiltDiary;
  beforeAll(async () => {
    d = await createDiary(e2e.api);
  });

  // The show model reads confirmed_at once a fitted model weighs it; the base rates a new service starts on do not.
  it('YES confirms the booking: a customer_confirmed event by the customer, the signal the show model reads', async () => {
    const mobile = nextMobile();
    const booking = await book(d, TUE_10, mobile);
    const answer = await text(mobile, 'Yes!! 👍');
    expect(answer.status).toBe(200);
    expect(answer.contentType).toMatch(/^text\/xml/);
    expect(answer.xml).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?><Response><Message>.*<\/Message><\/Response>$/);
    expect(answer.message).toMatch(/^Thank you\. Your appointment on Tue 5 Jan 10:00 at Site [0-9A-F]{6} is confirmed\./);
    expect(await kinds(booking.id)).toEqual(['created', 'customer_confirmed']);
    expect((await events(booking.id))[1]).toMatchObject({ actor_type: 'customer', data: { via: 'sms' } });
    expect((await e2e.api.get(`/v1/bookings/${booking.id}`)).body.status).toBe('booked');
    const [row] = await e2e.db.query('SELECT confirmed_at FROM bookings WHERE id = $1', [booking.id]);
    expect(row.confirmed_at).not.toBeNull();
  });

  it('NO cancels it as the customer: seat freed, reminders withdrawn, the referrer sees who cancelled', async () => {
    const mobile = nextMobile();
    const booking = await book(d, WED_14, mobile);
    expect((await reminders(booking.id)).every((r) => r.status === 'planned')).toBe(true);
    const answer = await text(mobile, 'no thanks - Sam');
    expect(answer.message).toMatch(/^Your appointment on Wed 6 Jan 14:00 at Site [0-9A-F]{6} is cancelled\. For a new one ask your work coach or call 0800 100 900 \(free\)\.$/);
    const after = (await e2e.api.get(`/v1/bookings/${booking.id}`)).body;
    expect(after).toMatchObject({ status: 'cancelled', cancelledBy: 'customer', cancelReason: 'Replied to a reminder by text' });
    expect(await kinds(booking.id)).toEqual(['created', 'cancelled']);
    expect((await events(booking.id))[1]).toMatchObject({ kind: 'cancelled', actor_type: 'customer' });
    const steps = await reminders(booking.id);
    expect(steps.filter((r) => r.step !== 'cancellation').map((r) => r.status)).toEqual(steps.filter((r) => r.step !== 'cancellation').map(() => 'cancelled'));
    // Planned as for any cancellation: no notice here, since no reminder had gone out yet.
    expect(steps.filter((r) => r.step === 'cancellation')).toEqual([{ step: 'cancellation', status: 'skipped', reason: 'NOTHING_SENT' }]);
    // The slot is free again.
    const again = await book(d, WED_14, nextMobile());
    expect(again.status).toBe('booked');
    await e2e.api.post(`/v1/bookings/${again.id}/cancel`, { by: 'service', reason: 'test tidy-up' });
  });

  it('NO after a reminder has gone: the answer to the text is the only word of the cancellation, no notice besides', async () => {
    const fresh = await createDiary(e2e.api);
    const [byText, byCoach] = [await book(fresh, TUE_10, nextMobile()), await book(fresh, WED_14, nextMobile())];
    // The confirmation went out to both, as it does once the worker runs (none runs here).
    await e2e.db.query(`UPDATE reminders SET status = 'sent' WHERE booking_id = ANY ($1) AND step = 'confirmation'`, [[byText.id, byCoach.id]]);
    const notice = async (bookingId: string) => (await reminders(bookingId)).filter((r) => r.step === 'cancellation');

    const answer = await text(byText.customer.mobile, 'NO');
    expect(answer.message).toMatch(/ is cancelled\. /);
    expect(await notice(byText.id)).toEqual([{ step: 'cancellation', status: 'skipped', reason: 'ANSWERED_BY_REPLY' }]);
    // Cancelled any other way, the customer who was told of it is told it is off.
    expect((await e2e.api.post(`/v1/bookings/${byCoach.id}/cancel`, { by: 'service', reason: 'Adviser off sick' })).status).toBe(200);
    expect(await notice(byCoach.id)).toEqual([{ step: 'cancellation', status: 'planned', reason: null }]);
  });

  it('MOVE offers the three earliest free times, each held; a number moves the booking there through the reschedule path', async () => {
    const fresh = await createDiary(e2e.api);
    const mobile = nextMobile();
    const booking = await book(fresh, TUE_10, mobile);
    const offer = await text(mobile, 'Move please');
    expect(offer.message).toMatch(/^Reply 1 for Mon 4 Jan 09:00, 2 for Mon 4 Jan 10:00, 3 for Mon 4 Jan 11:00 at Site [0-9A-F]{6}\. Until you reply, Tue 5 Jan 10:00 stays booked\.$/);
    const holds = () => e2e.db.query<{ id: string; starts_at: Date; released_at: Date | null; consumed_by: string | null }>('SELECT id, starts_at, released_at, consumed_by FROM holds WHERE adviser_id = $1 ORDER BY starts_at', [fresh.adviserId]);
    expect((await holds()).map((h) => [h.starts_at.toISOString(), h.released_at])).toEqual([
      ['2027-01-04T09:00:00.000Z', null],
      ['2027-01-04T10:00:00.000Z', null],
      ['2027-01-04T11:00:00.000Z', null],
    ]);
    expect((await e2e.api.get(`/v1/bookings/${booking.id}`)).body.start).toBe('2027-01-05T10:00:00+00:00');

    const moved = await text(mobile, '2');
    expect(moved.message).toMatch(/^Done\. Your appointment is now on Mon 4 Jan 10:00 at Site [0-9A-F]{6}\. Reply NO if you can't come\.$/);
    expect((await e2e.api.get(`/v1/bookings/${booking.id}`)).body).toMatchObject({ status: 'booked', start: '2027-01-04T10:00:00+00:00', rescheduleCount: 1 });
    expect(await kinds(booking.id)).toEqual(['created', 'held', 'rescheduled']);
    expect((await events(booking.id)).map((e) => e.actor_type)).toEqual(['admin', 'customer', 'customer']);
    // The first plan withdrawn, a new one made for the new time.
    const [steps] = await e2e.db.query<{ old: string[]; fresh: string[] }>(
      `SELECT array_agg(DISTINCT status) FILTER (WHERE version = 1) AS old, array_agg(DISTINCT status) FILTER (WHERE version = 2) AS fresh FROM reminders WHERE booking_id = $1`,
      [booking.id],
    );
    expect(steps.old).toEqual(['superseded']);
    expect(steps.fresh).not.toContain('superseded');
    // The chosen hold became the booking; the others were given back at once.
    expect((await holds()).map((h) => [h.released_at !== null, h.consumed_by])).toEqual([
      [true, null],
      [true, booking.id],
      [true, null],
    ]);
    // An offer is taken once.
    expect((await text(mobile, '1')).message).toMatch(/^We have no times waiting for your choice\./);
    expect((await e2e.api.get(`/v1/bookings/${booking.id}`)).body.start).toBe('2027-01-04T10:00:00+00:00');
  });

  it('a number picked after its hold lapsed is checked again: a time someone else took since is refused, the booking stands', async () => {
    const fresh = await createDiary(e2e.api);
    const mobile = nextMobile();
    const booking = await book(fresh, TUE_10, mobile);
    await text(mobile, 'R');
    const [first] = await e2e.db.query<{ id: string }>('SELECT id FROM holds WHERE adviser_id = $1 ORDER BY starts_at LIMIT 1', [fresh.adviserId]);
    await e2e.db.expireHold(first.id);
    const other = await book(fresh, '2027-01-04T09:00:00Z', nextMobile());
    expect(other.status).toBe('booked');

    const refused = await text(mobile, '1');
    expect(refused.message).toBe('Sorry, that time has just gone and your appointment has not changed. Reply MOVE for other times, or call 0800 100 900 (free).');
    expect((await e2e.api.get(`/v1/bookings/${booking.id}`)).body).toMatchObject({ status: 'booked', start: '2027-01-05T10:00:00+00:00' });
    expect(await kinds(booking.id)).toEqual(['created']);
    // The other times are still on offer.
    expect((await text(mobile, '3')).message).toMatch(/^Done\. Your appointment is now on Mon 4 Jan 11:00/);
    expect((await e2e.api.get(`/v1/bookings/${other.id}`)).body.start).toBe('2027-01-04T09:00:00+00:00');
  });

  it('a number that was not offered is asked for again, changing nothing', async () => {
    const afternoon = await createDiary(e2e.api, { pattern: { weekdays: ['THU'], startTime: '11:00', endTime: '14:00', validFrom: '2027-01-07', validTo: '2027-01-07' } });
    const mobile = nextMobile();
    const booking = await book(afternoon, '2027-01-07T11:00:00Z', mobile);
    expect((await text(mobile, 'MOVE')).message).toMatch(/^Reply 1 for Thu 7 Jan 12:00, 2 for Thu 7 Jan 13:00 at /);
    expect((await text(mobile, '3')).message).toBe('Please reply 1 or 2 for one of the times we sent, or call 0800 100 900 (free).');
    expect(await kinds(booking.id)).toEqual(['created']);
    expect((await text(mobile, '1')).message).toMatch(/^Done\. Your appointment is now on Thu 7 Jan 12:00/);
  });

  it('MOVE with no free time to offer leaves the booking and puts the request on the site follow-up list', async () => {
    const single = { weekdays: ['THU'], startTime: '11:00', endTime: '12:00', validFrom: '2027-01-07', validTo: '2027-01-07' };
    const only = await createDiary(e2e.api, { pattern: single });
    const mobile = nextMobile();
    const booking = await book(only, '2027-01-07T11:00:00Z', mobile, 'JCP-MOVE-1');
    const answer = await text(mobile, 'rebook please');
    expect(answer.message).toBe('Thanks. Someone will contact you about a new time. Until then your appointment on Thu 7 Jan 11:00 stays booked.');
    expect((await e2e.api.get(`/v1/bookings/${booking.id}`)).body.status).toBe('booked');
    expect(await kinds(booking.id)).toEqual(['created']);
    const listed = (await followUps(only.siteId)).find((f) => f.from === mobile);
    expect(listed).toMatchObject({ reason: 'move_requested', body: 'rebook please', reply: answer.message, booking: { id: booking.id, status: 'booked', customerReference: 'JCP-MOVE-1', customerName: 'Sam Taylor', start: '2027-01-07T11:00:00+00:00' } });
  });

  it('anything else gets the options, and lands on the follow-up list until someone resolves it', async () => {
    const mobile = nextMobile();
    const booking = await book(d, '2027-01-08T09:00:00Z', mobile);
    const answer = await text(mobile, 'can i bring my daughter?');
    expect(answer.message).toBe("Sorry, we didn't understand. Reply YES to confirm, NO to cancel, MOVE to change it, or call 0800 100 900 (free).");
    expect(await kinds(booking.id)).toEqual(['created']);
    const listed = (await followUps(d.siteId)).find((f) => f.from === mobile);
    expect(listed).toMatchObject({ reason: 'not_understood', body: 'can i bring my daughter?', booking: { id: booking.id } });

    const emoji = await text(mobile, '🙂🙂');
    expect(emoji.message).toBe(answer.message);
    const long = await text(mobile, 'x'.repeat(1600));
    expect(long.message).toBe(answer.message);
    expect((await followUps(d.siteId)).filter((f) => f.from === mobile)).toHaveLength(3);

    const resolved = await e2e.api.post(`/v1/sites/${d.siteId}/follow-ups/${listed.id}/resolve`, { note: 'Phoned back: yes she can' });
    expect(resolved.status).toBe(204);
    expect((await followUps(d.siteId)).filter((f) => f.from === mobile).map((f) => f.body)).toEqual(['🙂🙂', 'x'.repeat(1600)]);
    expect((await e2e.api.post(`/v1/sites/${d.siteId}/follow-ups/${listed.id}/resolve`, {})).status).toBe(204);
    const [row] = await e2e.db.query('SELECT resolved_note FROM follow_ups WHERE id = $1', [listed.id]);
    expect(row.resolved_note).toBe('Phoned back: yes she can');
  });

  it('HELP answers with the free helpline and changes nothing', async () => {
    const mobile = nextMobile();
    const booking = await book(d, '2027-01-08T15:00:00Z', mobile);
    const answer = await text(mobile, 'help');
    expect(answer.message).toBe('National Careers Service appointment texts. Reply YES to confirm, NO to cancel, MOVE to change, STOP to stop. Free helpline 0800 100 900.');
    expect(await kinds(booking.id)).toEqual(['created']);
  });

  it('a repeat of the same MessageSid changes nothing and answers the same, one after the other or at once', async () => {
    const mobile = nextMobile();
    const booking = await book(d, '2027-01-11T10:00:00Z', mobile);
    const sid = messageSid();
    const first = await text(mobile, 'YES', { sid });
    const second = await text(mobile, 'YES', { sid });
    expect(second).toEqual(first);
    expect(await kinds(booking.id)).toEqual(['created', 'customer_confirmed']);

    const other = nextMobile();
    const cancelled = await book(d, '2027-01-11T12:00:00Z', other);
    const twin = messageSid();
    const [a, b] = await Promise.all([text(other, 'NO', { sid: twin }), text(other, 'NO', { sid: twin })]);
    expect(a.status).toBe(200);
    expect(b).toEqual(a);
    expect(a.message).toContain('is cancelled');
    expect(await kinds(cancelled.id)).toEqual(['created', 'cancelled']);
    expect(await e2e.db.count('inbound_messages', 'message_sid = $1', [twin])).toBe(1);
  });

  it('refuses unsigned, forged and tampered messages with 403, writing nothing', async () => {
    const mobile = nextMobile();
    const booking = await book(d, '2027-01-11T15:00:00Z', mobile);
    const before = await e2e.db.count('inbound_messages');
    const unsigned = await text(mobile, 'NO', { signature: null });
    expect([unsigned.status, unsigned.code]).toEqual([403, 'SIGNATURE_MISSING']);
    const wrongToken = await text(mobile, 'NO', { signature: getExpectedTwilioSignature('not-the-auth-token-0000000000', webhook(), { Body: 'NO' }) });
    expect([wrongToken.status, wrongToken.code]).toEqual([403, 'SIGNATURE_INVALID']);
    // Signed for a harmless YES, posted as a NO.
    const sid = messageSid();
    const signedYes = getExpectedTwilioSignature(TEST_AUTH_TOKEN, webhook(), { ToCountry: 'GB', SmsSid: sid, MessageSid: sid, SmsMessageSid: sid, AccountSid: TEST_ACCOUNT_SID, From: mobile, To: TEST_FROM, Body: 'YES', NumMedia: '0', NumSegments: '1', ApiVersion: '2010-04-01' });
    const tampered = await text(mobile, 'NO', { sid, signature: signedYes });
    expect([tampered.status, tampered.code]).toEqual([403, 'SIGNATURE_INVALID']);
    expect(await e2e.db.count('inbound_messages')).toBe(before);
    expect((await e2e.api.get(`/v1/bookings/${booking.id}`)).body.status).toBe('booked');
  });

  it('a number that matches no customer gets a polite answer, and nothing changes', async () => {
    const before = await e2e.db.count('follow_ups');
    for (const body of ['YES', 'NO', 'what is this?']) {
      const answer = await text('+447700900123', body);
      expect(answer.message).toBe("Sorry, we can't find an appointment for this number. Please ask whoever booked it, or call 0800 100 900 (free).");
    }
    expect(await e2e.db.count('follow_ups')).toBe(before);
    const withheld = await text('Anonymous\u0000', 'NO\u0000');
    expect(withheld.status).toBe(200);
    expect(withheld.message).toContain("can't find an appointment");
  });

  it('a number with two bookings, or shared by two customers, is asked which, and a lettered answer acts on that one only', async () => {
    const shared = nextMobile();
    const mine = await book(d, '2027-01-12T10:00:00Z', shared, `JCP-PARENT-${mobiles}`);
    // Another organisation's customer on the same phone.
    const partner = await partnerKey(e2e.api);
    const theirs = (await e2e.api.as(partner.key).post('/v1/bookings', { ...slotRef(d, '2027-01-13T14:00:00Z'), customer: { ...customer(`JCP-CHILD-${mobiles}`), name: 'Alex Taylor', mobile: shared }, referral })).body;

    const asked = await text(shared, 'yes');
    expect(asked.message).toMatch(/^You have 2 appointments\. Reply YES A for Tue 12 Jan 10:00 at Site [0-9A-F]{6}, YES B for Wed 13 Jan 14:00 at Site [0-9A-F]{6}\.$/);
    expect(await kinds(mine.id)).toEqual(['created']);
    expect(await kinds(theirs.id)).toEqual(['created']);

    const confirmed = await text(shared, 'Yes B thanks');
    expect(confirmed.message).toMatch(/^Thank you\. Your appointment on Wed 13 Jan 14:00/);
    expect(await kinds(theirs.id)).toEqual(['created', 'customer_confirmed']);
    expect(await kinds(mine.id)).toEqual(['created']);

    // No letter: asked again, never guessed.
    expect((await text(shared, 'NO')).message).toMatch(/^You have 2 appointments\. Reply NO A for Tue 12 Jan 10:00 .*, NO B for Wed 13 Jan 14:00/);
    const cancelled = await text(shared, 'no a');
    expect(cancelled.message).toMatch(/^Your appointment on Tue 12 Jan 10:00 at .* is cancelled\./);
    expect((await e2e.api.get(`/v1/bookings/${mine.id}`)).body).toMatchObject({ status: 'cancelled', cancelledBy: 'customer' });
    expect((await e2e.api.get(`/v1/bookings/${theirs.id}`)).body.status).toBe('booked');

    // "A" named the booking now cancelled: it does not slide onto the other one.
    expect((await text(shared, 'YES A')).message).toBe('That appointment is no longer booked. Reply YES, NO or MOVE again and we will list what is, or call 0800 100 900 (free).');
    expect(await kinds(theirs.id)).toEqual(['created', 'customer_confirmed']);
    // One booking left: a plain answer is about it.
    expect((await text(shared, 'ok')).message).toMatch(/^Thank you\. Your appointment on Wed 13 Jan 14:00/);
  });

  it('STOP opts out every customer on the number (whose SMS the delivery worker then skips) until START', async () => {
    const shared = nextMobile();
    const first = await book(d, '2027-01-14T10:00:00Z', shared);
    const second = await book(d, '2027-01-15T10:00:00Z', shared);
    const optedOut = () => e2e.db.query<{ out: boolean }>('SELECT sms_opted_out_at IS NOT NULL AS out FROM customers WHERE mobile = $1 ORDER BY id', [shared]);

    const stopped = await text(shared, 'STOP');
    expect(stopped.message).toBe('You will get no more texts from us. Your appointments still stand. Reply START to get texts again.');
    expect((await optedOut()).map((c) => c.out)).toEqual([true, true]);
    expect((await e2e.api.get(`/v1/bookings/${first.id}`)).body.status).toBe('booked');
    expect((await e2e.api.get(`/v1/bookings/${second.id}`)).body.status).toBe('booked');

    const started = await text(shared, 'start');
    expect(started.message).toBe('You will get texts about your appointments again. Reply STOP to stop them or HELP for help.');
    expect((await optedOut()).map((c) => c.out)).toEqual([false, false]);

    // "stop please" is no keyword to Twilio, but the customer said it: honoured too.
    await text(shared, 'stop please');
    expect((await optedOut()).map((c) => c.out)).toEqual([true, true]);
    // Twilio re-subscribes a bare YES (its default opt-in keywords): mirrored, and with two bookings, asked which.
    expect((await text(shared, 'YES')).message).toMatch(/^You have 2 appointments/);
    expect((await optedOut()).map((c) => c.out)).toEqual([false, false]);
  });

  it('a bare CANCEL cancels the booking and mirrors the opt-out Twilio applies to that keyword', async () => {
    const mobile = nextMobile();
    const booking = await book(d, '2027-01-18T10:00:00Z', mobile);
    const answer = await text(mobile, 'Cancel');
    expect(answer.message).toMatch(/is cancelled/);
    expect((await e2e.api.get(`/v1/bookings/${booking.id}`)).body.status).toBe('cancelled');
    const [c] = await e2e.db.query('SELECT sms_opted_out_at FROM customers WHERE mobile = $1', [mobile]);
    expect(c.sms_opted_out_at).not.toBeNull();
  });

  it("OptOutType (Advanced Opt-Out) is Twilio's own decision: mirrored, and a question the opted-out number cannot receive goes to a person", async () => {
    const shared = nextMobile();
    await book(d, '2027-01-19T10:00:00Z', shared);
    await book(d, '2027-01-19T14:00:00Z', shared);
    // Twilio sent OptOutType=STOP: the number is blocked, so the question cannot reach the customer and goes to a person.
    const blocked = await text(shared, 'cancel', { extra: { OptOutType: 'STOP' } });
    expect(blocked.message).toMatch(/^You have 2 appointments/);
    const listed = (await followUps(d.siteId)).filter((f) => f.from === shared);
    expect(listed.map((f) => f.reason)).toEqual(['unanswerable']);
    const [c] = await e2e.db.query('SELECT sms_opted_out_at FROM customers WHERE mobile = $1', [shared]);
    expect(c.sms_opted_out_at).not.toBeNull();
  });

  it('a number whose appointments have all passed or been cancelled is told so', async () => {
    const mobile = nextMobile();
    const booking = await book(d, '2027-01-20T10:00:00Z', mobile);
    await e2e.api.post(`/v1/bookings/${booking.id}/cancel`, { by: 'service', reason: 'Adviser ill' });
    expect((await text(mobile, 'yes')).message).toBe("We can't find an upcoming appointment for this number to change. Please call 0800 100 900 (free) if you need help.");
    // Not understood: still on the list of the site of their last booking.
    await text(mobile, 'why was it cancelled?');
    expect((await followUps(d.siteId)).find((f) => f.from === mobile)).toMatchObject({ reason: 'not_understood', booking: { id: booking.id, status: 'cancelled' } });
  });

  it('the follow-up list is for the site and its managers only', async () => {
    const other = await createDiary(e2e.api);
    const manager = (await e2e.api.create(`/v1/organisations/${d.organisationId}/api-keys`, { scopes: ['sites:manage'], siteIds: [d.siteId] })).key as string;
    expect((await e2e.api.as(manager).get(`/v1/sites/${d.siteId}/follow-ups`)).status).toBe(200);
    const elsewhere = await e2e.api.as(manager).get(`/v1/sites/${other.siteId}/follow-ups`);
    expect([elsewhere.status, elsewhere.body.code]).toEqual([403, 'SITE_NOT_MANAGED']);
    const partner = await partnerKey(e2e.api);
    const noScope = await e2e.api.as(partner.key).get(`/v1/sites/${d.siteId}/follow-ups`);
    expect([noScope.status, noScope.body.code]).toEqual([403, 'FORBIDDEN']);
    expect((await e2e.api.as(null).get(`/v1/sites/${d.siteId}/follow-ups`)).status).toBe(401);
    const missing = await e2e.api.get('/v1/sites/00000000-0000-4000-8000-000000000000/follow-ups');
    expect([missing.status, missing.body.code]).toEqual([404, 'SITE_NOT_FOUND']);
    const unknown = await e2e.api.post(`/v1/sites/${d.siteId}/follow-ups/00000000-0000-4000-8000-000000000000/resolve`, {});
    expect([unknown.status, unknown.body.code]).toEqual([404, 'FOLLOW_UP_NOT_FOUND']);
    expect((await e2e.api.get(`/v1/sites/${other.siteId}/follow-ups`)).body).toEqual({ siteId: other.siteId, followUps: [] });
  });
});

describe('SMS replies with no auth token configured', () => {
  const e2e = useTestApp();

  it('accept nothing', async () => {
    const response = await checkedFetch(`${e2e.app.url}/v1/webhooks/twilio/sms`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Twilio-Signature': 'anything' },
      body: 'MessageSid=SM00000000000000000000000000000000&From=%2B447911123456&Body=NO',
    });
    expect(response.status).toBe(403);
    expect(((await response.json()) as { code: string }).code).toBe('WEBHOOK_DISABLED');
  });
});
