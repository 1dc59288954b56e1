import { createHash, randomUUID } from 'node:crypto';
import { useTestApp } from '../support/app';
import { ADMIN_KEY } from '../support/database';
import { bookingBody, createDiary, customer, Diary, fromHold, partnerKey, referral, slotRef } from '../support/fixtures';

// Who may call what: no key, a bad key, a key without the scope, and one partner reaching
// for another's bookings and holds. A refusal must never change anything.

const UNKNOWN = randomUUID();

/** Every endpoint behind the guard, with a body that would be valid in shape. */
const ENDPOINTS: { method: 'GET' | 'POST' | 'DELETE'; path: string; body?: unknown }[] = [
  { method: 'POST', path: '/v1/organisations', body: { name: 'Nobody', kind: 'partner' } },
  { method: 'POST', path: `/v1/organisations/${UNKNOWN}/api-keys`, body: { scopes: ['admin'] } },
  { method: 'POST', path: '/v1/sites', body: { name: 'S', kind: 'library', address: '1 Road', postcode: 'SN1 1AA' } },
  { method: 'GET', path: '/v1/sites' },
  { method: 'GET', path: `/v1/sites/${UNKNOWN}` },
  { method: 'POST', path: `/v1/sites/${UNKNOWN}/rooms`, body: { name: 'R', capacity: 1 } },
  { method: 'GET', path: `/v1/sites/${UNKNOWN}/rooms` },
  { method: 'POST', path: `/v1/sites/${UNKNOWN}/closures`, body: { date: '2027-08-23', reason: 'Shut' } },
  { method: 'POST', path: '/v1/appointment-types', body: { code: 'AUTH_TYPE', name: 'T', durationMinutes: 30, capacity: 1, channel: 'video' } },
  { method: 'GET', path: '/v1/appointment-types' },
  { method: 'POST', path: '/v1/advisers', body: { name: 'A', email: 'a@b.example', organisationId: UNKNOWN, appointmentTypes: ['AUTH_TYPE'] } },
  { method: 'GET', path: `/v1/advisers/${UNKNOWN}` },
  { method: 'POST', path: `/v1/advisers/${UNKNOWN}/patterns`, body: { siteId: UNKNOWN, weekdays: ['MON'], startTime: '09:00', endTime: '10:00', validFrom: '2027-01-04', appointmentTypes: ['AUTH_TYPE'] } },
  { method: 'GET', path: `/v1/advisers/${UNKNOWN}/patterns` },
  { method: 'POST', path: `/v1/advisers/${UNKNOWN}/exceptions`, body: { from: '2027-02-08', to: '2027-02-09', kind: 'leave' } },
  { method: 'GET', path: `/v1/slots?appointmentType=AUTH_TYPE&siteId=${UNKNOWN}` },
  { method: 'GET', path: `/v1/sites/${UNKNOWN}/free-now?appointmentType=AUTH_TYPE` },
  { method: 'POST', path: '/v1/holds', body: { appointmentType: 'AUTH_TYPE', siteId: UNKNOWN, adviserId: UNKNOWN, start: '2027-06-07T09:00:00+01:00' } },
  { method: 'DELETE', path: `/v1/holds/${UNKNOWN}` },
  { method: 'POST', path: '/v1/bookings', body: { appointmentType: 'AUTH_TYPE', siteId: UNKNOWN, adviserId: UNKNOWN, start: '2027-06-07T09:00:00+01:00', customer: customer(), referral } },
  { method: 'GET', path: `/v1/bookings?customerReference=ANY` },
  { method: 'GET', path: `/v1/bookings/${UNKNOWN}` },
  { method: 'POST', path: `/v1/bookings/${UNKNOWN}/cancel`, body: { by: 'customer', reason: 'x' } },
  { method: 'POST', path: `/v1/bookings/${UNKNOWN}/reschedule`, body: { holdId: UNKNOWN } },
];

const ADMIN_ONLY = ENDPOINTS.filter((e) => e.method === 'POST' && !/\/v1\/(holds|bookings)/.test(e.path));

describe('authentication and authorisation', () => {
  // Queues on PostgreSQL, so that /health does not depend on a Redis being around.
  const e2e = useTestApp({ QUEUE_BACKEND: 'postgres' });

  const expectUnauthenticated = (response: { status: number; body: any; headers: Headers }) => {
    expect({ status: response.status, code: response.body?.code }).toEqual({ status: 401, code: 'UNAUTHENTICATED' });
    expect(response.body.message).toEqual(expect.any(String));
    expect(response.headers.get('www-authenticate')).toBe('Bearer');
  };

  describe('401 without a usable key', () => {
    it.each(ENDPOINTS)('$method $path with no Authorization header', async ({ method, path, body }) => {
      const before = await e2e.db.fingerprint();
      const response = await e2e.api.as(null).request(method, path, body);
      expectUnauthenticated(response);
      expect(response.body.message).toBe('Send an API key as "Authorization: Bearer <key>"');
      expect(await e2e.db.fingerprint()).toEqual(before);
    });

    it.each([
      ['Basic credentials', `Basic ${Buffer.from(`admin:${ADMIN_KEY}`).toString('base64')}`],
      ['the scheme alone', 'Bearer'],
      ['the key without a scheme', ADMIN_KEY],
      ['another scheme', `Token ${ADMIN_KEY}`],
      ['two tokens', `Bearer ${ADMIN_KEY} ${ADMIN_KEY}`],
      ['the key in quotes', `Bearer "${ADMIN_KEY}"`],
      ['a comma-joined pair', `Bearer ${ADMIN_KEY}, Bearer ${ADMIN_KEY}`],
    ])('a malformed Authorization header: %s', async (_, header) => {
      const response = await e2e.api.as(null).get('/v1/appointment-types', { Authorization: header });
      expectUnauthenticated(response);
    });

    it.each([
      ['an unknown key', `cbk_${'A'.repeat(43)}`],
      ['the admin key with one character more', `${ADMIN_KEY}x`],
      ['the admin key with one character less', ADMIN_KEY.slice(0, -1)],
      ['the admin key in upper case', ADMIN_KEY.toUpperCase()],
      ['a very long key', 'k'.repeat(10_000)],
    ])('%s is refused', async (_, key) => {
      const response = await e2e.api.as(key).get('/v1/appointment-types');
      expectUnauthenticated(response);
      expect(response.body.message).toBe('The API key is not valid');
    });

    it('a refused booking request writes nothing', async () => {
      const diary = await createDiary(e2e.api);
      const before = await e2e.db.fingerprint();
      for (const key of [null, 'not-a-key', `cbk_${'B'.repeat(43)}`]) {
        const response = await e2e.api.as(key).post('/v1/bookings', bookingBody(diary, '2027-06-07T09:00:00+01:00'));
        expect(response.status).toBe(401);
      }
      expect(await e2e.db.fingerprint()).toEqual(before);
      expect((await e2e.api.get(`/v1/bookings?siteId=${diary.siteId}&date=2027-06-07`)).body.bookings).toEqual([]);
    });

    it('the scheme name is case-insensitive, as RFC 7235 says', async () => {
      const response = await e2e.api.as(null).get('/v1/appointment-types', { Authorization: `bearer ${ADMIN_KEY}` });
      expect(response.status).toBe(200);
    });
  });

  describe('public endpoints', () => {
    it('/health answers without a key', async () => {
      const response = await e2e.api.as(null).get('/health');
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ status: 'ok', database: { status: 'up' }, queueBackend: 'postgres' });
      expect(response.headers.get('www-authenticate')).toBeNull();
    });

    it('/health ignores a bad key rather than refusing it', async () => {
      const response = await e2e.api.as('not-a-key').get('/health');
      expect(response.status).toBe(200);
    });

    it('/docs-json answers without a key and describes the bearer scheme', async () => {
      const response = await e2e.api.as(null).get('/docs-json');
      expect(response.status).toBe(200);
      expect(response.body.openapi).toMatch(/^3\./);
      expect(Object.keys(response.body.paths)).toEqual(expect.arrayContaining(['/v1/bookings', '/v1/slots', '/v1/holds', '/health']));
      expect(response.body.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    });
  });

  describe('403 when the key lacks the scope', () => {
    let diary: Diary;
    let readOnly: string;
    let writeOnly: string;
    let both: string;

    beforeAll(async () => {
      diary = await createDiary(e2e.api);
      readOnly = (await partnerKey(e2e.api, ['slots:read'])).key;
      writeOnly = (await partnerKey(e2e.api, ['bookings:write'])).key;
      both = (await partnerKey(e2e.api, ['slots:read', 'bookings:write'])).key;
    });

    const expectForbidden = (response: { status: number; body: any }, scope: string) => {
      expect({ status: response.status, code: response.body?.code }).toEqual({ status: 403, code: 'FORBIDDEN' });
      expect(response.body.message).toBe(`This API key lacks the "${scope}" scope`);
    };

    it('a slots:read key can search but cannot book, hold, release or list bookings', async () => {
      const search = await e2e.api.as(readOnly).get(`/v1/slots?appointmentType=${diary.typeCode}&siteId=${diary.siteId}&from=2027-06-07&to=2027-06-07`);
      expect(search.status).toBe(200);
      expect(search.body.slots).toHaveLength(8);
      const before = await e2e.db.fingerprint();
      const slot = slotRef(diary, '2027-06-07T09:00:00+01:00');
      expectForbidden(await e2e.api.as(readOnly).post('/v1/bookings', bookingBody(diary, slot.start)), 'bookings:write');
      expectForbidden(await e2e.api.as(readOnly).post('/v1/holds', slot), 'bookings:write');
      expectForbidden(await e2e.api.as(readOnly).delete(`/v1/holds/${UNKNOWN}`), 'bookings:write');
      expectForbidden(await e2e.api.as(readOnly).get(`/v1/bookings?siteId=${diary.siteId}&date=2027-06-07`), 'bookings:write');
      expectForbidden(await e2e.api.as(readOnly).post(`/v1/bookings/${UNKNOWN}/cancel`, { by: 'customer', reason: 'x' }), 'bookings:write');
      expect(await e2e.db.fingerprint()).toEqual(before);
      // The slot is still free for a key that may book.
      expect((await e2e.api.as(both).post('/v1/bookings', bookingBody(diary, slot.start))).status).toBe(201);
    });

    it('a bookings:write key can book but cannot search or read the diary', async () => {
      expectForbidden(await e2e.api.as(writeOnly).get(`/v1/slots?appointmentType=${diary.typeCode}&siteId=${diary.siteId}`), 'slots:read');
      expectForbidden(await e2e.api.as(writeOnly).get(`/v1/sites/${diary.siteId}/free-now?appointmentType=${diary.typeCode}`), 'slots:read');
      expectForbidden(await e2e.api.as(writeOnly).get(`/v1/sites/${diary.siteId}`), 'slots:read');
      expectForbidden(await e2e.api.as(writeOnly).get('/v1/appointment-types'), 'slots:read');
      expectForbidden(await e2e.api.as(writeOnly).get(`/v1/advisers/${diary.adviserId}`), 'slots:read');
      const booked = await e2e.api.as(writeOnly).post('/v1/bookings', bookingBody(diary, '2027-06-07T10:00:00+01:00'));
      expect(booked.status).toBe(201);
    });

    it.each(ADMIN_ONLY)('a partner key with both scopes cannot $method $path', async ({ method, path, body }) => {
      const before = await e2e.db.fingerprint();
      for (const key of [both, readOnly, writeOnly]) expectForbidden(await e2e.api.as(key).request(method, path, body), 'admin');
      expect(await e2e.db.fingerprint()).toEqual(before);
    });

    it('the scope is checked before the body: a forbidden caller learns nothing from validation', async () => {
      const response = await e2e.api.as(readOnly).post('/v1/bookings', { nonsense: true });
      expectForbidden(response, 'bookings:write');
    });

    it('an organisation key with the admin scope may call admin endpoints', async () => {
      const { key } = await partnerKey(e2e.api, ['admin']);
      const site = await e2e.api.as(key).post('/v1/sites', { name: 'Admin-made site', kind: 'library', address: '2 Road', postcode: 'SN2 2BB' });
      expect(site.status).toBe(201);
      expect((await e2e.api.get(`/v1/sites/${site.body.id}`)).body.name).toBe('Admin-made site');
    });
  });

  describe('site managers', () => {
    it('a sites:manage key names the sites it manages, and only such a key does', async () => {
      const organisation = await e2e.api.create('/v1/organisations', { name: 'Site Managers Ltd', kind: 'provider' });
      const site = await e2e.api.create('/v1/sites', { name: 'Managed site', kind: 'jobcentre', address: '1 Road', postcode: 'SN1 1AA' });
      const keys = (body: object) => e2e.api.post(`/v1/organisations/${organisation.id}/api-keys`, body);
      const made = await keys({ scopes: ['sites:manage', 'slots:read'], siteIds: [site.id.toUpperCase()] });
      expect(made.status).toBe(201);
      expect(made.body).toMatchObject({ scopes: ['sites:manage', 'slots:read'], siteIds: [site.id] });
      for (const [body, status, code] of [
        [{ scopes: ['sites:manage'] }, 400, 'INVALID_SITES'],
        [{ scopes: ['slots:read'], siteIds: [site.id] }, 400, 'INVALID_SITES'],
        [{ scopes: ['sites:manage'], siteIds: ['00000000-0000-4000-8000-000000000000'] }, 422, 'UNKNOWN_SITE'],
        [{ scopes: ['sites:manage'], siteIds: [] }, 400, 'VALIDATION_FAILED'],
        [{ scopes: ['sites:manage'], siteIds: ['lewisham'] }, 400, 'VALIDATION_FAILED'],
      ] as const) {
        const refused = await keys(body);
        expect({ status: refused.status, code: refused.body.code }).toEqual({ status, code });
      }
      expect(await e2e.db.query('SELECT count(*)::int AS n FROM api_keys WHERE organisation_id = $1', [organisation.id])).toEqual([{ n: 1 }]);
    });
  });

  describe('API keys are stored hashed and shown once', () => {
    it('the key is returned at creation and only its SHA-256 is stored', async () => {
      const organisation = await e2e.api.create('/v1/organisations', { name: 'Hash Check Ltd', kind: 'partner' });
      const created = await e2e.api.post(`/v1/organisations/${organisation.id}/api-keys`, { scopes: ['slots:read'] });
      expect(created.status).toBe(201);
      expect(Object.keys(created.body).sort()).toEqual(['expiresAt', 'id', 'key', 'organisationId', 'scopes', 'siteIds']);
      const { id, key } = created.body;
      expect(key).toMatch(/^cbk_[A-Za-z0-9_-]{43}$/);
      expect(created.body).toMatchObject({ organisationId: organisation.id, scopes: ['slots:read'], siteIds: [] });

      const [row] = await e2e.db.query<{ key_hash: Buffer; as_text: string }>('SELECT key_hash, k::text AS as_text FROM api_keys k WHERE id = $1', [id]);
      expect(row.key_hash).toHaveLength(32);
      expect(row.key_hash.equals(createHash('sha256').update(key).digest())).toBe(true);
      const secret = key.slice(4);
      expect(row.as_text).not.toContain(secret);
      expect(row.key_hash.toString('latin1')).not.toContain(secret);
      expect(row.key_hash.toString('hex')).not.toContain(Buffer.from(secret).toString('hex'));
      // Nowhere else in the database either.
      const everywhere = await e2e.db.query<{ t: string }>(
        `SELECT string_agg(x::text, '|') AS t FROM (SELECT row_to_json(o)::text AS x FROM organisations o UNION ALL SELECT row_to_json(k)::text FROM api_keys k) rows`,
      );
      expect(everywhere[0].t).not.toContain(secret);

      // The key works, and no endpoint shows it again: the list of keys leaves it out.
      expect((await e2e.api.as(key).get('/v1/appointment-types')).status).toBe(200);
      const list = await e2e.api.get(`/v1/organisations/${organisation.id}/api-keys`);
      expect(list.status).toBe(200);
      expect(list.body.map((k: { id: string }) => k.id)).toEqual([id]);
      expect(JSON.stringify(list.body)).not.toContain(secret);
      expect(JSON.stringify((await e2e.api.get(`/v1/organisations/${organisation.id}`)).body)).not.toContain(secret);
    });

    it('every key is different, even with the same scopes', async () => {
      const organisation = await e2e.api.create('/v1/organisations', { name: 'Two Keys Ltd', kind: 'partner' });
      const a = await e2e.api.create(`/v1/organisations/${organisation.id}/api-keys`, { scopes: ['slots:read'] });
      const b = await e2e.api.create(`/v1/organisations/${organisation.id}/api-keys`, { scopes: ['slots:read'] });
      expect(a.key).not.toBe(b.key);
      expect(a.id).not.toBe(b.id);
      expect(await e2e.db.count('api_keys', 'organisation_id = $1', [organisation.id])).toBe(2);
    });
  });

  describe('partners see only their own bookings and holds', () => {
    let diary: Diary;
    let a: { organisationId: string; key: string };
    let b: { organisationId: string; key: string };
    let bookingOfA: any;
    let bookingOfB: any;
    let bookingOfAdmin: any;
    const DAY = '2027-07-05'; // a Monday
    const at = (time: string) => `${DAY}T${time}:00+01:00`;
    const SHARED_REFERENCE = 'SHARED-REF-42';

    beforeAll(async () => {
      diary = await createDiary(e2e.api);
      a = await partnerKey(e2e.api);
      b = await partnerKey(e2e.api);
      bookingOfA = await e2e.api.as(a.key).create('/v1/bookings', bookingBody(diary, at('09:00'), SHARED_REFERENCE));
      bookingOfB = await e2e.api.as(b.key).create('/v1/bookings', bookingBody(diary, at('10:00'), SHARED_REFERENCE));
      bookingOfAdmin = await e2e.api.create('/v1/bookings', bookingBody(diary, at('11:00'), SHARED_REFERENCE));
    });

    const ids = (response: { body: { bookings: { id: string }[] } }) => response.body.bookings.map((x) => x.id).sort();
    const expectBookingNotFound = (response: { status: number; body: any }) => expect({ status: response.status, code: response.body?.code }).toEqual({ status: 404, code: 'BOOKING_NOT_FOUND' });

    it('each booking records the organisation that made it', () => {
      expect(bookingOfA.organisationId).toBe(a.organisationId);
      expect(bookingOfB.organisationId).toBe(b.organisationId);
      expect(bookingOfAdmin.organisationId).toBeNull();
    });

    it("A cannot read B's booking, nor the admin's", async () => {
      expectBookingNotFound(await e2e.api.as(a.key).get(`/v1/bookings/${bookingOfB.id}`));
      expectBookingNotFound(await e2e.api.as(a.key).get(`/v1/bookings/${bookingOfAdmin.id}`));
      // The answer is the same as for an id that does not exist, so it leaks nothing.
      const missing = await e2e.api.as(a.key).get(`/v1/bookings/${UNKNOWN}`);
      expectBookingNotFound(missing);
      expect((await e2e.api.as(b.key).get(`/v1/bookings/${bookingOfB.id}`)).body.id).toBe(bookingOfB.id);
    });

    it("A cannot cancel or reschedule B's booking, and B's booking stays as it was", async () => {
      const before = await e2e.db.fingerprint();
      expectBookingNotFound(await e2e.api.as(a.key).post(`/v1/bookings/${bookingOfB.id}/cancel`, { by: 'service', reason: 'Not mine to cancel' }));
      const target = slotRef(diary, at('15:00'));
      expectBookingNotFound(await e2e.api.as(a.key).post(`/v1/bookings/${bookingOfB.id}/reschedule`, target));
      expectBookingNotFound(await e2e.api.as(a.key).post(`/v1/bookings/${bookingOfAdmin.id}/cancel`, { by: 'service', reason: 'Not mine' }));
      expect(await e2e.db.fingerprint()).toEqual(before);
      const stillB = await e2e.api.as(b.key).get(`/v1/bookings/${bookingOfB.id}`);
      expect(stillB.body).toEqual(bookingOfB);
    });

    it("A's day sheets show only A's bookings, by site and by adviser", async () => {
      const bySite = await e2e.api.as(a.key).get(`/v1/bookings?siteId=${diary.siteId}&date=${DAY}`);
      expect(bySite.status).toBe(200);
      expect(ids(bySite)).toEqual([bookingOfA.id]);
      expect(ids(await e2e.api.as(a.key).get(`/v1/bookings?adviserId=${diary.adviserId}&date=${DAY}`))).toEqual([bookingOfA.id]);
      expect(ids(await e2e.api.as(b.key).get(`/v1/bookings?siteId=${diary.siteId}&date=${DAY}`))).toEqual([bookingOfB.id]);
    });

    it("A searching B's customer reference finds only A's own customer of that reference", async () => {
      expect(ids(await e2e.api.as(a.key).get(`/v1/bookings?customerReference=${SHARED_REFERENCE}`))).toEqual([bookingOfA.id]);
      expect(ids(await e2e.api.as(b.key).get(`/v1/bookings?customerReference=${SHARED_REFERENCE}`))).toEqual([bookingOfB.id]);
      const { key: c } = await partnerKey(e2e.api);
      expect(ids(await e2e.api.as(c).get(`/v1/bookings?customerReference=${SHARED_REFERENCE}`))).toEqual([]);
    });

    it('the admin sees every organisation’s bookings', async () => {
      const all = [bookingOfA.id, bookingOfB.id, bookingOfAdmin.id].sort();
      expect(ids(await e2e.api.get(`/v1/bookings?siteId=${diary.siteId}&date=${DAY}`))).toEqual(all);
      expect(ids(await e2e.api.get(`/v1/bookings?adviserId=${diary.adviserId}&date=${DAY}`))).toEqual(all);
      expect(ids(await e2e.api.get(`/v1/bookings?customerReference=${SHARED_REFERENCE}`))).toEqual(all);
      expect((await e2e.api.get(`/v1/bookings/${bookingOfB.id}`)).body).toEqual(bookingOfB);
    });

    it("A cannot release, book or reschedule onto B's hold; B still can", async () => {
      const slot = slotRef(diary, at('13:00'));
      const hold = await e2e.api.as(b.key).create('/v1/holds', slot);
      const before = await e2e.db.fingerprint();
      const expectHoldNotFound = (response: { status: number; body: any }) => expect({ status: response.status, code: response.body?.code }).toEqual({ status: 404, code: 'HOLD_NOT_FOUND' });
      expectHoldNotFound(await e2e.api.as(a.key).delete(`/v1/holds/${hold.id}`));
      expectHoldNotFound(await e2e.api.as(a.key).post('/v1/bookings', fromHold(hold.id, 'A-THIEF')));
      expectHoldNotFound(await e2e.api.as(a.key).post(`/v1/bookings/${bookingOfA.id}/reschedule`, { holdId: hold.id }));
      expect(await e2e.db.fingerprint()).toEqual(before);
      const [row] = await e2e.db.query('SELECT released_at, consumed_by FROM holds WHERE id = $1', [hold.id]);
      expect(row).toEqual({ released_at: null, consumed_by: null });
      // While B holds it, the slot is not A's to take directly either.
      const direct = await e2e.api.as(a.key).post('/v1/bookings', bookingBody(diary, slot.start));
      expect({ status: direct.status, code: direct.body.code }).toEqual({ status: 409, code: 'SLOT_FULL' });
      const booked = await e2e.api.as(b.key).post('/v1/bookings', fromHold(hold.id, 'B-OWN'));
      expect(booked.status).toBe(201);
      expect(booked.body).toMatchObject({ start: slot.start, organisationId: b.organisationId });
    });

    it("an admin-made hold is not a partner's either", async () => {
      const hold = await e2e.api.create('/v1/holds', slotRef(diary, at('14:00')));
      const response = await e2e.api.as(a.key).delete(`/v1/holds/${hold.id}`);
      expect({ status: response.status, code: response.body.code }).toEqual({ status: 404, code: 'HOLD_NOT_FOUND' });
      expect((await e2e.api.delete(`/v1/holds/${hold.id}`)).status).toBe(204);
    });

    it("the admin can cancel a partner's booking", async () => {
      const extra = await e2e.api.as(a.key).create('/v1/bookings', bookingBody(diary, at('16:00'), 'A-EXTRA'));
      const cancelled = await e2e.api.post(`/v1/bookings/${extra.id}/cancel`, { by: 'service', reason: 'Adviser ill' });
      expect(cancelled.status).toBe(200);
      expect(cancelled.body).toMatchObject({ id: extra.id, status: 'cancelled', cancelledBy: 'service', organisationId: a.organisationId });
      expect((await e2e.api.as(a.key).get(`/v1/bookings/${extra.id}`)).body.status).toBe('cancelled');
    });
  });
});
