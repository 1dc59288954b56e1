import { Logger } from '@nestjs/common';
import { Api } from '../support/api';
import { startApp, TestApp, useSecondInstance, useTestApp } from '../support/app';
import { bookingBody, createDiary, createOrganisation, partnerKey } from '../support/fixtures';
import { TcpProxy } from '../support/tcp-proxy';

// Each organisation key draws on a token bucket in Redis that every API instance shares:
// a burst, then the sustained rate; over it, 429 with Retry-After. Draft IETF RateLimit
// headers on every answer to such a key. The bootstrap admin key, keyless routes (health,
// Twilio's callbacks) are not limited, and when Redis is away requests go through.

describe('rate limits per API key, across two API instances sharing Redis', () => {
  const e2e = useTestApp();
  const second = useSecondInstance(e2e);

  const limit = (organisationId: string, burst: number, perMinute: number) => e2e.api.request('PUT', `/v1/organisations/${organisationId}/rate-limit`, { burst, perMinute });

  // Sustained rates here are a token every ten seconds or slower, so that a loaded machine's slow
  // requests cannot refill a bucket mid-test: the counts below are then exact, never timing-dependent.
  it('a burst drawn on through both instances, then 429 with Retry-After and the RateLimit headers, then the sustained rate', async () => {
    const partner = await partnerKey(e2e.api);
    expect((await limit(partner.organisationId, 4, 6)).status).toBe(200);
    const [one, two] = [e2e.api.as(partner.key), second.api.as(partner.key)];
    const answers = [];
    for (const api of [one, two, one, two]) answers.push(await api.get('/v1/sites'));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
    expect(answers.map((a) => a.headers.get('ratelimit-policy'))).toEqual(Array(4).fill('"per-key";q=4;w=40'));
    expect(answers.map((a) => a.headers.get('ratelimit')?.match(/r=(\d+)/)?.[1])).toEqual(['3', '2', '1', '0']);

    const refused = await two.get('/v1/sites');
    expect({ status: refused.status, code: refused.body.code }).toEqual({ status: 429, code: 'RATE_LIMITED' });
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(10);
    expect(refused.headers.get('ratelimit')).toMatch(/^"per-key";r=0;t=(3\d|40)$/);
    expect((await one.get('/v1/sites')).status).toBe(429);

    // A token every ten seconds: after Retry-After one request goes, and the next is refused again.
    await new Promise((resolve) => setTimeout(resolve, retryAfter * 1000 + 100));
    expect((await one.get('/v1/sites')).status).toBe(200);
    expect((await two.get('/v1/sites')).status).toBe(429);
  });

  it('a new limit, or the defaults back, applies on both instances from the next request, though each had the key cached', async () => {
    const partner = await partnerKey(e2e.api);
    expect((await limit(partner.organisationId, 50, 6)).status).toBe(200);
    const [one, two] = [e2e.api.as(partner.key), second.api.as(partner.key)];
    const policies = async () => (await Promise.all([one, two].map((api) => api.get('/v1/sites')))).map((a) => a.headers.get('ratelimit-policy'));
    expect(await policies()).toEqual(Array(2).fill('"per-key";q=50;w=500'));

    expect((await second.api.request('PUT', `/v1/organisations/${partner.organisationId}/rate-limit`, { burst: 7, perMinute: 6 })).status).toBe(200);
    expect(await policies()).toEqual(Array(2).fill('"per-key";q=7;w=70'));

    expect((await e2e.api.delete(`/v1/organisations/${partner.organisationId}/rate-limit`)).status).toBe(204);
    const defaults = (await e2e.api.get(`/v1/organisations/${partner.organisationId}/rate-limit`)).body;
    expect(defaults.source).toBe('default');
    expect(await policies()).toEqual(Array(2).fill(expect.stringMatching(new RegExp(`^"per-key";q=${defaults.burst};w=\\d+$`))));
  });

  it("one key's flood does not draw on another key's bucket", async () => {
    const flooder = await partnerKey(e2e.api);
    await limit(flooder.organisationId, 5, 1);
    const booker = await partnerKey(e2e.api);
    await limit(booker.organisationId, 20, 1);
    const diary = await createDiary(e2e.api);
    const flood = Array.from({ length: 200 }, (_, i) => (i % 2 ? e2e.api : second.api).as(flooder.key).get('/v1/sites'));
    const bookings = await Promise.all(
      Array.from({ length: 8 }, (_, h) => (h % 2 ? e2e.api : second.api).as(booker.key).post('/v1/bookings', bookingBody(diary, `2027-04-05T${String(9 + h).padStart(2, '0')}:00:00+01:00`))),
    );
    const flooded = await Promise.all(flood);
    expect(bookings.map((b) => b.status)).toEqual(Array(8).fill(201));
    // The booker's eight requests, and nothing of the flood, came out of its bucket of twenty.
    const remaining = bookings.map((b) => Number(b.headers.get('ratelimit')?.match(/r=(\d+)/)?.[1])).sort((a, b) => a - b);
    expect(remaining).toEqual([12, 13, 14, 15, 16, 17, 18, 19]);
    expect(flooded.filter((f) => f.status === 200).length).toBe(5);
    expect(flooded.filter((f) => ![200, 429].includes(f.status))).toEqual([]);
  });

  it('the bootstrap admin key and keyless routes are not limited; health answers a throttled key too', async () => {
    const partner = await partnerKey(e2e.api);
    await limit(partner.organisationId, 1, 1);
    expect((await e2e.api.as(partner.key).get('/v1/sites')).status).toBe(200);
    expect((await e2e.api.as(partner.key).get('/v1/sites')).status).toBe(429);
    const health = await Promise.all(Array.from({ length: 5 }, () => e2e.api.as(partner.key).get('/health')));
    expect(health.map((h) => [h.status, h.headers.get('ratelimit')])).toEqual(Array(5).fill([200, null]));
    const admin = await Promise.all(Array.from({ length: 20 }, () => e2e.api.get('/v1/sites')));
    expect(admin.map((a) => [a.status, a.headers.get('ratelimit')])).toEqual(Array(20).fill([200, null]));
  });

  it("an organisation's limits: read, set, and back to the defaults; bad input is a 4xx", async () => {
    const organisation = await createOrganisation(e2e.api);
    const path = `/v1/organisations/${organisation.id}/rate-limit`;
    expect((await e2e.api.get(path)).body).toEqual({ organisationId: organisation.id, burst: 200, perMinute: 1200, source: 'default' });
    expect((await limit(organisation.id, 10, 120)).body).toEqual({ organisationId: organisation.id, burst: 10, perMinute: 120, source: 'organisation' });
    expect((await e2e.api.get(path)).body).toEqual({ organisationId: organisation.id, burst: 10, perMinute: 120, source: 'organisation' });
    expect((await e2e.api.delete(path)).status).toBe(204);
    expect((await e2e.api.get(path)).body.source).toBe('default');

    const partner = await partnerKey(e2e.api);
    const before = await e2e.db.fingerprint();
    for (const body of [{ burst: 0, perMinute: 60 }, { burst: 10, perMinute: 0 }, { burst: 100_001, perMinute: 60 }, { burst: 1.5, perMinute: 60 }, { burst: '10', perMinute: 60 }, { burst: 10 }, { burst: 10, perMinute: 60, window: 5 }]) {
      const answer = await e2e.api.request('PUT', path, body);
      expect({ body, status: answer.status, code: answer.body.code }).toEqual({ body, status: 400, code: 'VALIDATION_FAILED' });
    }
    expect((await limit('00000000-0000-4000-8000-000000000000', 10, 60)).body.code).toBe('ORGANISATION_NOT_FOUND');
    expect((await e2e.api.get('/v1/organisations/not-a-uuid/rate-limit')).body.code).toBe('INVALID_ID');
    expect((await e2e.api.as(partner.key).request('PUT', path, { burst: 10, perMinute: 60 })).status).toBe(403);
    expect(await e2e.db.fingerprint()).toEqual(before);
  });

  it('the document lists 429 with its headers on every operation that takes a key, and not on health or the Twilio callbacks', async () => {
    const document = (await (await fetch(`${e2e.app.url}/docs-json`)).json()) as { paths: Record<string, Record<string, { responses: Record<string, { headers?: object }> }>> };
    const operations = Object.entries(document.paths).flatMap(([path, item]) =>
      Object.entries(item).map(([method, operation]) => ({ name: `${method.toUpperCase()} ${path}`, responses: operation.responses })),
    );
    expect(operations.filter((o) => o.responses['401'] && !o.responses['429']).map((o) => o.name)).toEqual([]);
    expect(operations.filter((o) => /^GET \/health|\/webhooks\/twilio\//.test(o.name) && o.responses['429']).map((o) => o.name)).toEqual([]);
    expect(Object.keys(operations.find((o) => o.name === 'POST /v1/bookings')!.responses['429'].headers!)).toEqual(['Retry-After', 'RateLimit', 'RateLimit-Policy']);
  });
});

describe('rate limits while Redis is away', () => {
  let redis: TcpProxy;
  let app: TestApp;

  beforeAll(async () => {
    redis = new TcpProxy('127.0.0.1', 6379);
    await redis.open();
    app = await startApp({ REDIS_URL: redis.url });
  });

  afterAll(async () => {
    await app?.close();
    await redis?.cut();
  });

  it('fail open: requests go through unlimited, and the log says limits are not applied', async () => {
    const api = new Api(app.url);
    const partner = await partnerKey(api);
    await api.request('PUT', `/v1/organisations/${partner.organisationId}/rate-limit`, { burst: 1, perMinute: 1 });
    const warn = jest.spyOn(Logger.prototype, 'warn');
    await redis.cut();
    try {
      const answers = await Promise.all(Array.from({ length: 5 }, () => api.as(partner.key).get('/v1/sites')));
      expect(answers.map((a) => [a.status, a.headers.get('ratelimit')])).toEqual(Array(5).fill([200, null]));
      expect(warn).toHaveBeenCalledWith(expect.stringMatching(/^Rate limits not applied, Redis did not answer: /));
    } finally {
      warn.mockRestore();
      await redis.open();
    }
  });
});
