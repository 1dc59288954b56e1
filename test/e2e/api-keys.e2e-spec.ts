import { useSecondInstance, useTestApp } from '../support/app';
import { SteppedClock } from '../support/clock';
import { createOrganisation } from '../support/fixtures';
import { until } from '../support/wait';

// An organisation's keys over their life: listed without their secrets, used (lastUsedAt,
// written at most once a minute), expired by the clock and revoked. Two API instances share
// PostgreSQL and Redis, each caching the keys it has seen, and a revocation made through
// one must be refused by both from the moment it is answered.

const MINUTE = 60_000;

describe('API keys: expiry, lastUsedAt, listing and revocation across two instances', () => {
  const clock = new SteppedClock();
  const e2e = useTestApp({}, { clock });
  const second = useSecondInstance(e2e, { clock });

  const keysOf = (organisationId: string) => `/v1/organisations/${organisationId}/api-keys`;
  const makeKey = async (organisationId: string, body: object = {}) => (await e2e.api.create(keysOf(organisationId), { scopes: ['slots:read'], ...body })) as { id: string; key: string; expiresAt: string | null };
  const listed = async (organisationId: string, keyId: string) => ((await e2e.api.get(keysOf(organisationId))).body as { id: string }[]).find((k) => k.id === keyId) as any;
  /** lastUsedAt is written behind the request that used the key, which does not wait for it. */
  const lastUsed = (organisationId: string, keyId: string, after: number) =>
    until(`lastUsedAt after ${new Date(after).toISOString()}`, async () => {
      const key = await listed(organisationId, keyId);
      return key.lastUsedAt !== null && Date.parse(key.lastUsedAt) >= after && key;
    });
  /** Long enough for a write begun behind the last request to land, were there one. */
  const settle = () => new Promise((resolve) => setTimeout(resolve, 500));
  /** The row's version: any UPDATE of it, even one that writes the same values, makes a new one. */
  const rowVersion = async (keyId: string) => (await e2e.db.query<{ v: string }>('SELECT xmin::text AS v FROM api_keys WHERE id = $1', [keyId]))[0].v;
  /** The same request through each instance at the same moment. */
  const throughBoth = (key: string) => Promise.all([e2e.api, second.api].map((api) => api.as(key).get('/v1/appointment-types')));
  const refusal = (answer: { status: number; body: any; headers: Headers }) => ({ status: answer.status, code: answer.body?.code, challenge: answer.headers.get('www-authenticate') });

  it('a revoked key is refused by both instances at once, though each had it cached; the organisation\'s other key still works', async () => {
    const organisation = await createOrganisation(e2e.api);
    const doomed = await makeKey(organisation.id);
    const kept = await makeKey(organisation.id);
    // Each instance looks both keys up, and so caches them.
    for (const key of [doomed.key, kept.key]) expect((await throughBoth(key)).map((a) => a.status)).toEqual([200, 200]);

    const revoked = await second.api.delete(`${keysOf(organisation.id)}/${doomed.id}`);
    expect(revoked.status).toBe(204);
    const refused = { status: 401, code: 'API_KEY_REVOKED', challenge: 'Bearer error="invalid_token"' };
    expect((await throughBoth(doomed.key)).map(refusal)).toEqual([refused, refused]);
    expect((await throughBoth(kept.key)).map((a) => a.status)).toEqual([200, 200]);

    const row = await listed(organisation.id, doomed.id);
    expect(row.status).toBe('revoked');
    expect(Math.abs(Date.parse(row.revokedAt) - clock.now())).toBeLessThan(MINUTE);
    // Revoking again answers the same and changes nothing.
    const before = await e2e.db.fingerprint();
    expect((await e2e.api.delete(`${keysOf(organisation.id)}/${doomed.id}`)).status).toBe(204);
    expect(await e2e.db.fingerprint()).toEqual(before);
    expect((await listed(organisation.id, kept.id)).status).toBe('active');
  });

  it('a key is revoked only through its own organisation, and only by an admin', async () => {
    const owner = await createOrganisation(e2e.api);
    const other = await createOrganisation(e2e.api);
    const key = await makeKey(owner.id);
    const partner = await makeKey(owner.id, { scopes: ['slots:read', 'bookings:write'] });
    const before = await e2e.db.fingerprint();
    const elsewhere = await e2e.api.delete(`${keysOf(other.id)}/${key.id}`);
    expect({ status: elsewhere.status, code: elsewhere.body.code }).toEqual({ status: 404, code: 'API_KEY_NOT_FOUND' });
    const byPartner = await e2e.api.as(partner.key).delete(`${keysOf(owner.id)}/${key.id}`);
    expect({ status: byPartner.status, code: byPartner.body.code }).toEqual({ status: 403, code: 'FORBIDDEN' });
    expect((await e2e.api.as(partner.key).get(keysOf(owner.id))).status).toBe(403);
    expect(await e2e.db.fingerprint()).toEqual(before);
    expect((await throughBoth(key.key)).map((a) => a.status)).toEqual([200, 200]);
  });

  it('lists keys oldest first with their life, never their secrets', async () => {
    const organisation = await createOrganisation(e2e.api);
    expect((await e2e.api.get(keysOf(organisation.id))).body).toEqual([]);
    const expiresAt = new Date(clock.now() + 90 * 86_400_000).toISOString();
    const first = await makeKey(organisation.id, { expiresAt: expiresAt.replace('Z', '+00:00') });
    expect(first.expiresAt).toBe(expiresAt);
    const later = await makeKey(organisation.id, { scopes: ['bookings:write'] });
    expect(later.expiresAt).toBeNull();
    const list = await e2e.api.get(keysOf(organisation.id));
    expect(list.status).toBe(200);
    expect(list.body).toEqual([
      { id: first.id, organisationId: organisation.id, scopes: ['slots:read'], siteIds: [], status: 'active', createdAt: expect.any(String), expiresAt, lastUsedAt: null, revokedAt: null },
      { id: later.id, organisationId: organisation.id, scopes: ['bookings:write'], siteIds: [], status: 'active', createdAt: expect.any(String), expiresAt: null, lastUsedAt: null, revokedAt: null },
    ]);
    // Made on the app's clock, as everything else the service dates.
    expect(Math.abs(Date.parse(list.body[0].createdAt) - clock.now())).toBeLessThan(MINUTE);
    const text = JSON.stringify(list.body);
    for (const { key } of [first, later]) expect(text).not.toContain(key.slice(4));
  });

  it('lastUsedAt: written when a key is first used, then at most once a minute however often and through whichever instance it is used', async () => {
    const organisation = await createOrganisation(e2e.api);
    const key = await makeKey(organisation.id);
    const unused = await rowVersion(key.id);
    const firstUse = clock.now();
    expect((await throughBoth(key.key)).map((a) => a.status)).toEqual([200, 200]);
    const used = await lastUsed(organisation.id, key.id, firstUse);
    expect(Date.parse(used.lastUsedAt) - firstUse).toBeLessThan(MINUTE);
    await settle();
    const written = await rowVersion(key.id);
    expect(written).not.toBe(unused);

    // Forty more requests within the minute, half through each instance: no write at all.
    clock.set(Date.parse(used.lastUsedAt) + 30_000);
    for (let i = 0; i < 20; i++) expect((await throughBoth(key.key)).map((a) => a.status)).toEqual([200, 200]);
    await settle();
    expect(await rowVersion(key.id)).toBe(written);
    expect((await listed(organisation.id, key.id)).lastUsedAt).toBe(used.lastUsedAt);

    // A minute on, the next use is written, once.
    clock.set(Date.parse(used.lastUsedAt) + MINUTE + 1000);
    const minuteOn = clock.now();
    expect((await throughBoth(key.key)).map((a) => a.status)).toEqual([200, 200]);
    const again = await lastUsed(organisation.id, key.id, minuteOn);
    expect(Date.parse(again.lastUsedAt) - minuteOn).toBeLessThan(MINUTE);
    await settle();
    const rewritten = await rowVersion(key.id);
    expect(rewritten).not.toBe(written);
    for (let i = 0; i < 5; i++) await throughBoth(key.key);
    await settle();
    expect(await rowVersion(key.id)).toBe(rewritten);
  });

  it('an expired key is refused by both instances from its expiry on, while cached; a key without expiry goes on', async () => {
    const organisation = await createOrganisation(e2e.api);
    const expiresAt = clock.now() + 60 * MINUTE;
    const expiring = await makeKey(organisation.id, { expiresAt: new Date(expiresAt).toISOString() });
    const lasting = await makeKey(organisation.id);
    expect((await throughBoth(expiring.key)).map((a) => a.status)).toEqual([200, 200]);

    clock.set(expiresAt - 2000);
    expect((await throughBoth(expiring.key)).map((a) => a.status)).toEqual([200, 200]);
    clock.set(expiresAt);
    const refused = { status: 401, code: 'API_KEY_EXPIRED', challenge: 'Bearer error="invalid_token"' };
    expect((await throughBoth(expiring.key)).map(refusal)).toEqual([refused, refused]);
    expect((await throughBoth(lasting.key)).map((a) => a.status)).toEqual([200, 200]);
    expect((await listed(organisation.id, expiring.id)).status).toBe('expired');
    expect((await listed(organisation.id, lasting.id)).status).toBe('active');

    // An expiry now or before is refused when the key is made.
    for (const at of [clock.now(), clock.now() - MINUTE]) {
      const made = await e2e.api.post(keysOf(organisation.id), { scopes: ['slots:read'], expiresAt: new Date(at).toISOString() });
      expect({ status: made.status, code: made.body.code }).toEqual({ status: 400, code: 'EXPIRY_IN_PAST' });
    }
    // A key never known is still told apart from one that was.
    const unknown = await e2e.api.as('cbk_not-a-key-anyone-was-given').get('/v1/appointment-types');
    expect(refusal(unknown)).toEqual({ status: 401, code: 'UNAUTHENTICATED', challenge: 'Bearer' });
  });
});
