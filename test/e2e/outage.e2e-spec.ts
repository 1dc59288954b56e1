import type { NestExpressApplication } from '@nestjs/platform-express';
import type { OpenAPIObject, OperationObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { createApp } from '../../src/app.factory';
import { Api, ApiResponse } from '../support/api';
import { freePort } from '../support/app';
import { ResponseContract } from '../support/contract';
import { createTestConfig, SERVER_URL } from '../support/database';
import { DbState } from '../support/db-state';
import { BuiltDiary, bookingBody, createDiary, partnerKey } from '../support/fixtures';
import { TcpProxy } from '../support/tcp-proxy';
import { until } from '../support/wait';

// When PostgreSQL or Redis goes away, partners hear "retry" (503, Retry-After, a stable
// code), never a 500, and nothing is left half-written: a retry with the same
// Idempotency-Key finds the request done exactly once. The app reaches both datastores
// through TCP proxies the tests cut and restore; the test reads PostgreSQL directly.

describe('outages', () => {
  let postgres: TcpProxy;
  let redis: TcpProxy;
  let app: NestExpressApplication;
  let drop: () => Promise<void>;
  let api: Api;
  let db: DbState;
  let diary: BuiltDiary;
  let partner: Api;

  beforeAll(async () => {
    const server = new URL(SERVER_URL);
    postgres = new TcpProxy(server.hostname, Number(server.port || 5432));
    redis = new TcpProxy('127.0.0.1', 6379);
    await Promise.all([postgres.open(), redis.open()]);
    const port = await freePort();
    const test = await createTestConfig({ PORT: String(port), PUBLIC_BASE_URL: `http://127.0.0.1:${port}`, REDIS_URL: redis.url });
    drop = test.drop;
    const proxied = new URL(test.config.DATABASE_URL);
    proxied.hostname = '127.0.0.1';
    proxied.port = String(postgres.port);
    app = await createApp({ ...test.config, DATABASE_URL: proxied.toString() }, { logger: false });
    await app.listen(port, '127.0.0.1');
    api = new Api(`http://127.0.0.1:${port}`);
    db = new DbState(test.config.DATABASE_URL);
    diary = await createDiary(api, { advisers: 5 });
    partner = api.as((await partnerKey(api)).key);
  });

  afterAll(async () => {
    await db?.close();
    await app?.close();
    // drop clears the queue keys through the Redis proxy, so before it goes.
    await drop?.();
    await Promise.all([postgres?.cut(), redis?.cut()]);
  });

  const unavailable = (response: ApiResponse) => {
    expect({ status: response.status, code: response.body?.code, retryAfter: response.headers.get('retry-after') }).toEqual({ status: 503, code: 'SERVICE_UNAVAILABLE', retryAfter: '5' });
  };

  it('a booking storm cut off from PostgreSQL midway: only 201, 409 or 503, and after retrying each 503 with its key every booking exists exactly once', async () => {
    // 40 distinct slots: five advisers' eight hours on a Monday of British Summer Time.
    const requests = diary.adviserIds.flatMap((adviserId, a) =>
      Array.from({ length: 8 }, (_, h) => {
        const reference = `OUTAGE-${a}-${h}`;
        return { key: `storm-${reference}`, reference, body: { ...bookingBody(diary, `2027-04-05T${String(9 + h).padStart(2, '0')}:00:00+01:00`, reference), adviserId } };
      }),
    );
    const book = (r: (typeof requests)[number]) => partner.post('/v1/bookings', r.body, { 'Idempotency-Key': r.key });

    // Cut when the first answer arrives, with the rest in flight or queued for a connection.
    let cut: Promise<void> | undefined;
    const first = await Promise.all(
      requests.map((r) =>
        book(r).then((response) => {
          cut ??= postgres.cut();
          return response;
        }),
      ),
    );
    await cut;
    expect(first.filter((r) => ![201, 409, 503].includes(r.status)).map((r) => `${r.status} ${JSON.stringify(r.body)}`)).toEqual([]);
    const refused = first.filter((r) => r.status === 503);
    expect(refused.length).toBeGreaterThan(0);
    refused.forEach(unavailable);

    // While it is away, reads say the same, and health says which part is down.
    unavailable(await partner.get(`/v1/bookings/${first.find((r) => r.status === 201)!.body.id}`));
    const health = await api.get('/health');
    expect({ status: health.status, body: health.body, retryAfter: health.headers.get('retry-after') }).toEqual({
      status: 503,
      body: { status: 'degraded', database: { status: 'down' }, redis: { status: 'up' }, queueBackend: 'redis' },
      retryAfter: '5',
    });

    await postgres.open();
    // Retried at once rather than after Retry-After, which only slows the test: a 503 may still come while the pool reconnects.
    const final = await Promise.all(
      requests.map(async (r, i) => {
        let response = first[i];
        const deadline = Date.now() + 20_000;
        while (response.status === 503 && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 100));
          response = await book(r);
        }
        return response;
      }),
    );
    // Distinct slots and no one else booking: every request ends in a booking.
    expect(final.map((r) => r.status)).toEqual(requests.map(() => 201));

    const rows = await db.query<{ reference: string; ids: string[] }>(
      `SELECT c.reference, array_agg(b.id::text) AS ids FROM customers c LEFT JOIN bookings b ON b.customer_id = c.id WHERE c.reference LIKE 'OUTAGE-%' GROUP BY c.reference`,
    );
    const booked = Object.fromEntries(rows.map((row) => [row.reference, row.ids]));
    expect(booked).toEqual(Object.fromEntries(requests.map((r, i) => [r.reference, [final[i].body.id]])));
    expect(await db.count('idempotency_keys', "key LIKE 'storm-OUTAGE-%'")).toBe(requests.length);
    // Each booking whole: its seat counted once, its history and reminder plan written with it.
    expect(await db.query("SELECT s.id FROM sessions s WHERE s.booked <> (SELECT count(*) FROM bookings b WHERE b.session_id = s.id AND b.status = 'booked')")).toEqual([]);
    expect(await db.count('booking_events', "kind = 'created' AND booking_id IN (SELECT b.id FROM bookings b JOIN customers c ON c.id = b.customer_id WHERE c.reference LIKE 'OUTAGE-%')")).toBe(requests.length);
    expect(await db.count('reminders', "booking_id IN (SELECT b.id FROM bookings b JOIN customers c ON c.id = b.customer_id WHERE c.reference LIKE 'OUTAGE-%')")).toBeGreaterThanOrEqual(requests.length);
    expect((await api.get('/health')).status).toBe(200);
  });

  it('Redis away: bookings still go through, and health says Redis is down', async () => {
    await redis.cut();
    try {
      const response = await partner.post('/v1/bookings', { ...bookingBody(diary, '2027-04-06T09:00:00+01:00', 'OUTAGE-REDIS'), adviserId: diary.adviserId }, { 'Idempotency-Key': 'redis-away' });
      expect(response.status).toBe(201);
      const health = await until('/health to notice Redis is down', async () => {
        const answer = await api.get('/health');
        return answer.status === 503 && answer;
      });
      expect({ body: health.body, retryAfter: health.headers.get('retry-after') }).toEqual({
        body: { status: 'degraded', database: { status: 'up' }, redis: { status: 'down' }, queueBackend: 'redis' },
        retryAfter: '5',
      });
    } finally {
      await redis.open();
    }
  });

  it('every operation documents its 503, and the contract still fails an answer of a status an operation does not list', async () => {
    const document = (await (await fetch(`${api.baseUrl}/docs-json`)).json()) as OpenAPIObject;
    const operations = Object.values(document.paths).flatMap((item) => Object.values(item as Record<string, OperationObject>));
    expect(operations.filter((o) => !o.responses['503']).map((o) => o.operationId)).toEqual([]);
    expect(operations.filter((o) => o.responses.default || o.responses['5XX']).map((o) => o.operationId)).toEqual([]);
    const contract = new ResponseContract(document);
    const answer = (status: number) => ({ method: 'POST', path: '/v1/bookings', status, contentType: 'application/json', text: JSON.stringify({ code: 'X', message: 'y' }) });
    expect(contract.violations(answer(503))).toEqual([]);
    expect(contract.violations(answer(500))).toEqual([expect.stringMatching(/^the document lists no 500 answer for it/)]);
    expect(contract.violations(answer(502))).toEqual([expect.stringMatching(/^the document lists no 502 answer for it/)]);
  });
});
