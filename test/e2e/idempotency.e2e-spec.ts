import { Api, ApiResponse } from '../support/api';
import { useTestApp } from '../support/app';
import { bookingBody, createDiary, Diary, partnerKey } from '../support/fixtures';

// Idempotency-Key on POST /v1/bookings: a retried request must not book twice, a key
// must not be reused for something else, and one client's keys are not another's.

describe('Idempotency-Key on POST /v1/bookings', () => {
  const e2e = useTestApp();
  let diary: Diary;
  let week = 0;

  /**
   * A fresh Monday for each test, so that tests never compete for slots: Mondays of British
   * Summer Time 2027 (so "+01:00" is local time), skipping the bank holidays.
   */
  const MONDAYS = Array.from({ length: 30 }, (_, i) => new Date(Date.UTC(2027, 3, 5 + 7 * i)).toISOString().slice(0, 10)).filter(
    (d) => d < '2027-10-31' && !['2027-05-03', '2027-05-31', '2027-08-30'].includes(d),
  );
  const nextMonday = () => {
    if (week >= MONDAYS.length) throw new Error('Out of Mondays: add more to MONDAYS');
    return MONDAYS[week++];
  };
  const bookingsWithReference = (reference: string) => e2e.db.count('bookings', 'customer_id IN (SELECT id FROM customers WHERE reference = $1)', [reference]);
  const book = (client: Api, body: unknown, key?: string): Promise<ApiResponse> => client.post('/v1/bookings', body, key === undefined ? {} : { 'Idempotency-Key': key });

  beforeAll(async () => {
    diary = await createDiary(e2e.api, { type: { capacity: 3 } });
  });

  it('the same key and body return the first booking, marked as replayed, and book once', async () => {
    const body = bookingBody(diary, `${nextMonday()}T09:00:00+01:00`, 'IDEM-SAME');
    const first = await book(e2e.api, body, 'retry-1');
    expect(first.status).toBe(201);
    expect(first.headers.get('idempotent-replayed')).toBeNull();

    const second = await book(e2e.api, body, 'retry-1');
    expect(second.status).toBe(201);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(second.body).toEqual(first.body);

    const third = await book(e2e.api, body, 'retry-1');
    expect({ status: third.status, id: third.body.id, replayed: third.headers.get('idempotent-replayed') }).toEqual({ status: 201, id: first.body.id, replayed: 'true' });

    expect(await bookingsWithReference('IDEM-SAME')).toBe(1);
    expect(await e2e.db.count('idempotency_keys', 'key = $1', ['retry-1'])).toBe(1);
    const seat = await e2e.api.get(`/v1/slots?appointmentType=${diary.typeCode}&adviserId=${diary.adviserId}&from=${encodeURIComponent(body.start)}&to=${encodeURIComponent(body.start.replace('09:00', '09:05'))}`);
    expect(seat.status).toBe(200);
    expect(seat.body.slots).toEqual([expect.objectContaining({ start: body.start, capacity: 3, remaining: 2 })]);
  });

  it('the same body with its fields in another order is the same request', async () => {
    const body = bookingBody(diary, `${nextMonday()}T09:00:00+01:00`, 'IDEM-ORDER');
    const first = await book(e2e.api, body, 'order-1');
    expect(first.status).toBe(201);
    const reordered = Object.fromEntries(Object.entries({ ...body, customer: Object.fromEntries(Object.entries(body.customer).reverse()) }).reverse());
    expect(JSON.stringify(reordered)).not.toBe(JSON.stringify(body));
    const second = await book(e2e.api, reordered, 'order-1');
    expect({ status: second.status, id: second.body.id, replayed: second.headers.get('idempotent-replayed') }).toEqual({ status: 201, id: first.body.id, replayed: 'true' });
    expect(await bookingsWithReference('IDEM-ORDER')).toBe(1);
  });

  it.each([
    ['another slot', (b: any) => ({ ...b, start: b.start.replace('09:00', '10:00') })],
    ['another customer name', (b: any) => ({ ...b, customer: { ...b.customer, name: 'Someone Else' } })],
    ['a referral field added', (b: any) => ({ ...b, referral: { ...b.referral, mandatory: true } })],
  ])('the same key with a different body (%s) is refused with 422 and writes nothing', async (_, change) => {
    const body = bookingBody(diary, `${nextMonday()}T09:00:00+01:00`, `IDEM-REUSE-${week}`);
    const key = `reuse-${week}`;
    const first = await book(e2e.api, body, key);
    expect(first.status).toBe(201);
    const before = await e2e.db.fingerprint();
    const second = await book(e2e.api, change(body), key);
    expect({ status: second.status, code: second.body.code }).toEqual({ status: 422, code: 'IDEMPOTENCY_KEY_REUSED' });
    expect(second.headers.get('idempotent-replayed')).toBeNull();
    expect(await e2e.db.fingerprint()).toEqual(before);
    // The original still replays afterwards.
    const third = await book(e2e.api, body, key);
    expect({ status: third.status, id: third.body.id }).toEqual({ status: 201, id: first.body.id });
  });

  it('the same key used by two organisations is two independent keys', async () => {
    const a = await partnerKey(e2e.api);
    const b = await partnerKey(e2e.api);
    const day = nextMonday();
    const bodyA = bookingBody(diary, `${day}T09:00:00+01:00`, 'IDEM-ORG-A');
    const bodyB = bookingBody(diary, `${day}T10:00:00+01:00`, 'IDEM-ORG-B');
    const key = 'shared-key-across-organisations';

    const fromA = await book(e2e.api.as(a.key), bodyA, key);
    const fromB = await book(e2e.api.as(b.key), bodyB, key); // a different body: not IDEMPOTENCY_KEY_REUSED
    const fromAdmin = await book(e2e.api, bookingBody(diary, `${day}T11:00:00+01:00`, 'IDEM-ORG-ADMIN'), key);
    for (const response of [fromA, fromB, fromAdmin]) {
      expect(response.status).toBe(201);
      expect(response.headers.get('idempotent-replayed')).toBeNull();
    }
    expect(new Set([fromA.body.id, fromB.body.id, fromAdmin.body.id]).size).toBe(3);
    expect(fromA.body.organisationId).toBe(a.organisationId);
    expect(fromB.body.organisationId).toBe(b.organisationId);

    // Each organisation's repeat replays its own booking.
    const againA = await book(e2e.api.as(a.key), bodyA, key);
    const againB = await book(e2e.api.as(b.key), bodyB, key);
    expect([againA.body.id, againA.headers.get('idempotent-replayed')]).toEqual([fromA.body.id, 'true']);
    expect([againB.body.id, againB.headers.get('idempotent-replayed')]).toEqual([fromB.body.id, 'true']);
    expect(await e2e.db.count('idempotency_keys', 'key = $1', [key])).toBe(3);
  });

  it("B sending A's key and A's exact body gets a booking of its own, never A's", async () => {
    const a = await partnerKey(e2e.api);
    const b = await partnerKey(e2e.api);
    const body = bookingBody(diary, `${nextMonday()}T09:00:00+01:00`, 'IDEM-COPY');
    const fromA = await book(e2e.api.as(a.key), body, 'copied-key');
    const fromB = await book(e2e.api.as(b.key), body, 'copied-key');
    expect(fromA.status).toBe(201);
    expect(fromB.status).toBe(201);
    expect(fromB.headers.get('idempotent-replayed')).toBeNull();
    expect(fromB.body.id).not.toBe(fromA.body.id);
    expect(fromB.body.organisationId).toBe(b.organisationId);
    expect(await bookingsWithReference('IDEM-COPY')).toBe(2);
  });

  it('10 concurrent requests with the same key and body make exactly one booking, and all return it', async () => {
    const body = bookingBody(diary, `${nextMonday()}T09:00:00+01:00`, 'IDEM-RACE');
    const responses = await Promise.all(Array.from({ length: 10 }, () => book(e2e.api, body, 'race-key')));
    expect(responses.map((r) => r.status)).toEqual(Array(10).fill(201));
    const ids = new Set(responses.map((r) => r.body.id));
    expect(ids.size).toBe(1);
    const replayed = responses.map((r) => r.headers.get('idempotent-replayed'));
    expect(replayed.filter((h) => h === null)).toHaveLength(1);
    expect(replayed.filter((h) => h === 'true')).toHaveLength(9);
    expect(await bookingsWithReference('IDEM-RACE')).toBe(1);
    const [only] = ids;
    expect((await e2e.api.get(`/v1/bookings/${only}`)).body).toMatchObject({ id: only, status: 'booked', start: body.start });
  });

  it('10 concurrent requests with the same key and different bodies: one books, the rest are refused', async () => {
    const day = nextMonday();
    const bodies = Array.from({ length: 10 }, (_, i) => bookingBody(diary, `${day}T${String(9 + (i % 8)).padStart(2, '0')}:00:00+01:00`, `IDEM-RACE-DIFF-${i}`));
    const responses = await Promise.all(bodies.map((body) => book(e2e.api, body, 'race-diff-key')));
    expect(responses.filter((r) => r.status === 201)).toHaveLength(1);
    expect(responses.filter((r) => r.status === 422).every((r) => r.body.code === 'IDEMPOTENCY_KEY_REUSED')).toBe(true);
    expect(responses.filter((r) => r.status === 422)).toHaveLength(9);
    expect(await e2e.db.count('bookings', 'customer_id IN (SELECT id FROM customers WHERE reference LIKE $1)', ['IDEM-RACE-DIFF-%'])).toBe(1);
  });

  it.each([
    ['300 characters', 'k'.repeat(300)],
    ['256 characters', 'k'.repeat(256)],
    ['an empty value', ''],
    ['a space inside', 'my key'],
    ['a tab inside', 'my\tkey'],
    ['a non-ASCII character', 'clé-1'],
  ])('an Idempotency-Key of %s is refused with 400 INVALID_IDEMPOTENCY_KEY and books nothing', async (_, key) => {
    const body = bookingBody(diary, `${nextMonday()}T09:00:00+01:00`, `IDEM-BAD-${week}`);
    const before = await e2e.db.fingerprint();
    const response = await book(e2e.api, body, key);
    expect({ status: response.status, code: response.body.code }).toEqual({ status: 400, code: 'INVALID_IDEMPOTENCY_KEY' });
    expect(await e2e.db.fingerprint()).toEqual(before);
  });

  it('an Idempotency-Key of 255 visible characters is accepted', async () => {
    const key = `${'~'.repeat(100)}!${'Z'.repeat(154)}`;
    expect(key).toHaveLength(255);
    const body = bookingBody(diary, `${nextMonday()}T09:00:00+01:00`, 'IDEM-LONG');
    const first = await book(e2e.api, body, key);
    const second = await book(e2e.api, body, key);
    expect(first.status).toBe(201);
    expect([second.status, second.body.id, second.headers.get('idempotent-replayed')]).toEqual([201, first.body.id, 'true']);
  });

  it('without the header, the same request twice books twice', async () => {
    const body = bookingBody(diary, `${nextMonday()}T09:00:00+01:00`, 'IDEM-NONE');
    const first = await book(e2e.api, body);
    const second = await book(e2e.api, body);
    expect([first.status, second.status]).toEqual([201, 201]);
    expect(second.headers.get('idempotent-replayed')).toBeNull();
    expect(second.body.id).not.toBe(first.body.id);
    expect(await bookingsWithReference('IDEM-NONE')).toBe(2);
    expect(await e2e.db.count('idempotency_keys', `response->>'id' IN ($1, $2)`, [first.body.id, second.body.id])).toBe(0);
  });

  it('a request that failed is not remembered: the same key is tried afresh', async () => {
    const start = `${nextMonday()}T09:00:00+01:00`;
    // Fill the slot (capacity 3) with other bookings.
    const others = await Promise.all([1, 2, 3].map((i) => e2e.api.create('/v1/bookings', bookingBody(diary, start, `IDEM-FILL-${i}`))));
    const body = bookingBody(diary, start, 'IDEM-AFTER-FULL');
    const full = await book(e2e.api, body, 'after-full');
    expect({ status: full.status, code: full.body.code }).toEqual({ status: 409, code: 'SLOT_FULL' });
    expect(await e2e.db.count('idempotency_keys', 'key = $1', ['after-full'])).toBe(0);
    await e2e.api.post(`/v1/bookings/${others[0].id}/cancel`, { by: 'customer', reason: 'Found work' });
    const retried = await book(e2e.api, body, 'after-full');
    expect(retried.status).toBe(201);
    expect(retried.headers.get('idempotent-replayed')).toBeNull();
    expect(await bookingsWithReference('IDEM-AFTER-FULL')).toBe(1);
  });

  it('a body that fails validation is refused before the key is looked at', async () => {
    const response = await book(e2e.api, { customer: 'nobody' }, 'k'.repeat(300));
    expect({ status: response.status, code: response.body.code }).toEqual({ status: 400, code: 'VALIDATION_FAILED' });
  });
});
