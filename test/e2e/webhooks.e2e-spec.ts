import { once } from 'node:events';
import { createServer, IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { Queues } from '../../src/common/queue/queues';
import { WEBHOOK_EVENT_TYPES } from '../../src/webhooks/domain/events';
import { WEBHOOK_QUEUE } from '../../src/webhooks/webhook.dispatcher';
import { useTestApp } from '../support/app';
import { connect } from '../support/database';
import { SteppedClock } from '../support/clock';
import { bookingBody, BuiltDiary, createDiary, partnerKey, slotRef } from '../support/fixtures';
import { until } from '../support/wait';

/** A status, no answer ever, a redirect, or a status given when the test says so. */
type Answer = number | 'hang' | 'redirect' | Promise<number>;

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  json: { type: string; timestamp: string; data: { bookingId: string; sequence: number } & Record<string, unknown> };
  arrived: number;
  status?: number;
  answered?: number;
}

/**
 * A partner's webhook receiver on loopback: answers each path from its script (a status, a
 * hang or a redirect), then 204, and keeps every request with when it came and was answered.
 */
class Receiver {
  readonly requests: Received[] = [];
  private readonly scripts = new Map<string, Answer[]>();
  /** Paths scripted for one event only, and that event's id once it has come. */
  private readonly owners = new Map<string, string | null>();
  private readonly server: Server;
  private tick = 0;
  url = '';

  constructor() {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        const received: Received = { path: req.url!, headers: req.headers, body, json: JSON.parse(body), arrived: this.tick++ };
        this.requests.push(received);
        const answer = this.answerFor(req.url!, received.headers['webhook-id'] as string);
        if (answer === 'hang') return;
        if (answer === 'redirect') return void res.writeHead(302, { Location: 'http://169.254.169.254/latest/meta-data/' }).end();
        void Promise.resolve(answer).then((status) => {
          received.status = status;
          received.answered = this.tick++;
          res.writeHead(status).end();
        });
      });
    });
  }

  async start(): Promise<void> {
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  script(path: string, answers: Answer[]): void {
    this.scripts.set(path, answers);
  }

  /**
   * Answers for the first event to reach the path, in order, whichever requests of other
   * events come in between (events of different bookings are sent side by side): they get 204.
   */
  scriptFirstEvent(path: string, answers: Answer[]): void {
    this.scripts.set(path, answers);
    this.owners.set(path, null);
  }

  private answerFor(path: string, webhookId: string): Answer {
    if (this.owners.has(path)) {
      const owner = this.owners.get(path) ?? webhookId;
      this.owners.set(path, owner);
      if (owner !== webhookId) return 204;
    }
    return this.scripts.get(path)?.shift() ?? 204;
  }

  at(path: string): Received[] {
    return this.requests.filter((r) => r.path === path);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

/** Whether one of the request's signatures is the secret's, by the specification's own library. */
const signedBy = (secret: string, r: Received) => {
  const expected = new Webhook(secret).sign(r.headers['webhook-id'] as string, new Date(Number(r.headers['webhook-timestamp']) * 1000), r.body);
  return (r.headers['webhook-signature'] as string).split(' ').includes(expected);
};

const DAY = '2027-06-07';
const at = (time: string) => `${DAY}T${time}:00+01:00`;

describe('signed outbound webhooks (e2e)', () => {
  const clock = new SteppedClock();
  // Retries 1,000 times sooner than the real schedule (5 ms, 300 ms, 1.8 s, ...), and a receiver that hangs is given up on after 500 ms.
  const e2e = useTestApp({ RUN_WORKER: 'true', WEBHOOK_RETRY_SCALE: '0.001', WEBHOOK_TIMEOUT_MS: '500', RELAY_INTERVAL_MS: '50' }, { clock });
  const receiver = new Receiver();
  let diary: BuiltDiary;
  let a: { organisationId: string; key: string };
  let b: { organisationId: string; key: string };
  let endpointA: { id: string; secret: string };
  let endpointB: { id: string; secret: string };

  beforeAll(async () => {
    await receiver.start();
    diary = await createDiary(e2e.api);
    a = await partnerKey(e2e.api);
    b = await partnerKey(e2e.api);
  });
  afterAll(() => receiver.stop());

  const deliveries = async (endpointId: string, key = a.key) => {
    const response = await e2e.api.as(key).get(`/v1/webhooks/endpoints/${endpointId}/deliveries?limit=100`);
    expect(response.status).toBe(200);
    return response.body.deliveries as { id: string; webhookId: string; type: string; bookingId: string; sequence: number; status: string; attempts: { statusCode: number | null; error: string | null; durationMs: number; round: number }[] }[];
  };

  it('registers endpoints for every event type, showing each secret once', async () => {
    const created = await e2e.api.as(a.key).post('/v1/webhooks/endpoints', { url: `${receiver.url}/a`, events: [...WEBHOOK_EVENT_TYPES] });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ url: `${receiver.url}/a`, status: 'enabled', disabledReason: null, secret: expect.stringMatching(/^whsec_/) });
    endpointA = created.body;
    endpointB = (await e2e.api.as(b.key).post('/v1/webhooks/endpoints', { url: `${receiver.url}/b`, events: [...WEBHOOK_EVENT_TYPES] })).body;
    const listed = await e2e.api.as(a.key).get('/v1/webhooks/endpoints');
    expect(listed.body.endpoints.map((e: { id: string }) => e.id)).toEqual([endpointA.id]);
    expect(listed.body.endpoints[0]).not.toHaveProperty('secret');
    // Another organisation's endpoint is not there for it.
    expect((await e2e.api.as(b.key).get(`/v1/webhooks/endpoints/${endpointA.id}/deliveries`)).status).toBe(404);
    expect((await e2e.api.as(b.key).delete(`/v1/webhooks/endpoints/${endpointA.id}`)).status).toBe(404);
  });

  it('delivers each event, signed, at least once, in order per booking, with the same id on every retry, through a failure and a timeout', async () => {
    receiver.scriptFirstEvent('/a', [500, 'hang']);
    const api = e2e.api.as(a.key);
    const first = await api.create('/v1/bookings', bookingBody(diary, at('09:00')));
    const second = await api.create('/v1/bookings', bookingBody(diary, at('10:00')));
    expect((await api.post(`/v1/bookings/${first.id}/reschedule`, slotRef(diary, at('11:00')))).status).toBe(200);
    expect((await api.post(`/v1/bookings/${first.id}/cancel`, { by: 'customer', reason: 'Started a job' })).status).toBe(200);
    expect((await api.post(`/v1/bookings/${second.id}/cancel`, { by: 'service', reason: 'Adviser ill' })).status).toBe(200);

    const settled = await until('five deliveries', async () => {
      const list = await deliveries(endpointA.id);
      return list.length === 5 && list.every((d) => d.status === 'delivered') && list;
    });

    const requests = receiver.at('/a');
    const byId = new Map<string, Received[]>();
    for (const r of requests) byId.set(r.headers['webhook-id'] as string, [...(byId.get(r.headers['webhook-id'] as string) ?? []), r]);
    expect(byId.size).toBe(5);
    for (const [id, attempts] of byId) {
      // Each attempt of one event: the same id and the same bytes, signed anew with the endpoint's secret at the app's time.
      expect(new Set(attempts.map((r) => r.body)).size).toBe(1);
      for (const r of attempts) {
        expect(signedBy(endpointA.secret, r)).toBe(true);
        expect(Math.abs(Number(r.headers['webhook-timestamp']) * 1000 - clock.now())).toBeLessThan(5 * 60_000);
        expect(r.headers['content-type']).toBe('application/json');
      }
      expect(attempts.some((r) => r.status === 204)).toBe(true);
      expect(settled.find((d) => d.webhookId === id)).toBeDefined();
    }

    // The first event sent met the failure, then the hang, then got through, under one id.
    const retried = requests[0].headers['webhook-id'];
    expect(requests.filter((r) => r.headers['webhook-id'] === retried).map((r) => r.status ?? 'hang')).toEqual([500, 'hang', 204]);
    const log = settled.find((d) => d.webhookId === retried)!;
    expect(log.attempts).toEqual([
      { at: expect.any(String), statusCode: 500, error: null, durationMs: expect.any(Number), round: 1 },
      { at: expect.any(String), statusCode: null, error: 'TIMEOUT: no answer within 500 ms', durationMs: expect.any(Number), round: 1 },
      { at: expect.any(String), statusCode: 204, error: null, durationMs: expect.any(Number), round: 1 },
    ]);
    expect(log.attempts[1].durationMs).toBeGreaterThanOrEqual(450);

    // In order per booking: no event of a booking reached the receiver before every earlier one had been acknowledged.
    for (const booking of [first.id, second.id]) {
      const ofBooking = requests.filter((r) => r.json.data.bookingId === booking);
      for (const r of ofBooking) {
        const earlier = ofBooking.filter((o) => o.json.data.sequence < r.json.data.sequence);
        for (const e of earlier) expect(ofBooking.some((o) => o.body === e.body && o.status === 204 && o.answered! < r.arrived)).toBe(true);
      }
      const acknowledged = ofBooking.filter((r) => r.status === 204);
      expect(acknowledged.map((r) => r.json.data.sequence)).toEqual([...acknowledged.map((r) => r.json.data.sequence)].sort((x, y) => x - y));
    }
    const types = (booking: string) => requests.filter((r) => r.status === 204 && r.json.data.bookingId === booking).map((r) => r.json.type);
    expect(types(first.id)).toEqual(['booking.created', 'booking.rescheduled', 'booking.cancelled']);
    expect(types(second.id)).toEqual(['booking.created', 'booking.cancelled']);
    const cancelled = requests.find((r) => r.status === 204 && r.json.data.bookingId === second.id && r.json.type === 'booking.cancelled')!;
    expect(cancelled.json).toEqual({ type: 'booking.cancelled', timestamp: expect.any(String), data: { bookingId: second.id, start: expect.any(String), by: 'service', reason: 'Adviser ill', sequence: expect.any(Number) } });

    // The other organisation's endpoint hears nothing of these bookings.
    expect(receiver.at('/b')).toEqual([]);
    expect(await deliveries(endpointB.id, b.key)).toEqual([]);
  });

  it('replays a delivered webhook on request, with the same id', async () => {
    const [latest] = await deliveries(endpointA.id);
    const before = receiver.at('/a').length;
    const replay = await e2e.api.as(a.key).post(`/v1/webhooks/endpoints/${endpointA.id}/deliveries/${latest.id}/replay`);
    expect(replay.status).toBe(202);
    expect(replay.body).toMatchObject({ id: latest.id, webhookId: latest.webhookId, status: 'pending' });
    await until('the replay', async () => receiver.at('/a').length > before && receiver.at('/a').at(-1)!.status === 204);
    expect(receiver.at('/a').at(-1)!.headers['webhook-id']).toBe(latest.webhookId);
    const [after] = await until('the replay logged', async () => {
      const list = await deliveries(endpointA.id);
      return list[0].status === 'delivered' && list;
    });
    expect(after.attempts.at(-1)).toMatchObject({ statusCode: 204, round: 2 });
    // Another organisation cannot replay it.
    expect((await e2e.api.as(b.key).post(`/v1/webhooks/endpoints/${endpointA.id}/deliveries/${latest.id}/replay`)).status).toBe(404);
  });

  it('after a rotation, signs with both secrets for 24 hours, then with the new one alone', async () => {
    const rotated = await e2e.api.as(a.key).post(`/v1/webhooks/endpoints/${endpointA.id}/rotate-secret`);
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).not.toBe(endpointA.secret);
    expect(Date.parse(rotated.body.previousSecretExpiresAt) - clock.now()).toBeGreaterThan(23.9 * 3_600_000);
    const booking = await e2e.api.as(a.key).create('/v1/bookings', bookingBody(diary, at('13:00')));
    const during = await until('a webhook signed during the overlap', async () => receiver.at('/a').find((r) => r.json.data.bookingId === booking.id && r.status === 204));
    expect((during.headers['webhook-signature'] as string).split(' ')).toHaveLength(2);
    expect(signedBy(endpointA.secret, during) && signedBy(rotated.body.secret, during)).toBe(true);

    clock.set(clock.now() + 25 * 3_600_000);
    await e2e.api.as(a.key).post(`/v1/bookings/${booking.id}/cancel`, { by: 'customer', reason: 'Moved away' });
    const later = await until('a webhook signed after the overlap', async () => receiver.at('/a').find((r) => r.json.data.bookingId === booking.id && r.json.type === 'booking.cancelled' && r.status === 204));
    expect((later.headers['webhook-signature'] as string).split(' ')).toHaveLength(1);
    expect(signedBy(rotated.body.secret, later)).toBe(true);
    expect(signedBy(endpointA.secret, later)).toBe(false);
    endpointA = { ...endpointA, secret: rotated.body.secret };
  });

  it('does not follow a redirect', async () => {
    const redirecting = (await e2e.api.as(a.key).post('/v1/webhooks/endpoints', { url: `${receiver.url}/moved`, events: ['booking.created'] })).body;
    receiver.script('/moved', ['redirect', 'redirect', 'redirect']);
    await e2e.api.as(a.key).create('/v1/bookings', bookingBody(diary, at('14:00')));
    const [delivery] = await until('the redirect logged', async () => {
      const list = await deliveries(redirecting.id);
      return list[0]?.attempts.length > 0 && list;
    });
    expect(delivery.attempts[0]).toMatchObject({ statusCode: 302, error: 'REDIRECT_NOT_FOLLOWED: http://169.254.169.254/latest/meta-data/' });
    expect(receiver.requests.every((r) => r.path !== '/latest/meta-data/')).toBe(true);
    expect((await e2e.api.as(a.key).delete(`/v1/webhooks/endpoints/${redirecting.id}`)).status).toBe(204);
  });

  it('deletes an endpoint while an attempt to it is in flight, and the attempt ends quietly', async () => {
    const doomed = (await e2e.api.as(a.key).post('/v1/webhooks/endpoints', { url: `${receiver.url}/doomed`, events: ['booking.created'] })).body;
    let answer!: (status: number) => void;
    receiver.script('/doomed', [new Promise<number>((resolve) => (answer = resolve))]);
    await e2e.api.as(a.key).create('/v1/bookings', bookingBody(diary, at('16:00')));
    await until('the attempt in flight', async () => receiver.at('/doomed').length === 1);
    const [delivery] = await deliveries(doomed.id);
    // The delete held open, as the service's DELETE runs it, while the receiver answers and the
    // worker records the attempt: it must wait for the delete, not deadlock with it or fail.
    const deleting = await connect(e2e.app.config.DATABASE_URL);
    try {
      await deleting.query('BEGIN');
      await deleting.query('DELETE FROM webhook_endpoints WHERE id = $1 AND organisation_id = $2', [doomed.id, a.organisationId]);
      answer(204);
      await until('the worker to wait for the delete', async () => (await e2e.db.query(`SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%webhook%'`)).length > 0);
      await deleting.query('COMMIT');
    } finally {
      await deleting.end();
    }
    const queue = e2e.app.app.get(Queues).queue<unknown>(WEBHOOK_QUEUE);
    const job = await until('the attempt to end', async () => {
      const found = await queue.getJob(`${delivery.id}.1`);
      return found?.finishedOn ? found : undefined;
    });
    expect({ value: job.returnvalue, errors: job.stacktrace }).toEqual({ value: 'stale', errors: [] });
    expect(await e2e.db.count('webhook_deliveries', 'endpoint_id = $1', [doomed.id])).toBe(0);
  });

  it('disables an endpoint whose every attempt has failed for three days, says why, and sends what waited once enabled', async () => {
    const down = (await e2e.api.as(a.key).post('/v1/webhooks/endpoints', { url: `${receiver.url}/down`, events: ['booking.created', 'booking.cancelled'] })).body;
    receiver.script('/down', Array(50).fill(500));
    const booking = await e2e.api.as(a.key).create('/v1/bookings', bookingBody(diary, at('15:00')));
    await until('a failed attempt', async () => (await deliveries(down.id))[0]?.attempts.length);
    // Three days on, still failing.
    clock.set(clock.now() + 3 * 24 * 3_600_000 + 60_000);
    const disabled = await until('the endpoint disabled', async () => {
      const list = (await e2e.api.as(a.key).get('/v1/webhooks/endpoints')).body.endpoints as { id: string; status: string; disabledReason: string | null; failingSince: string | null }[];
      const endpoint = list.find((e) => e.id === down.id)!;
      return endpoint.status === 'disabled' && endpoint;
    });
    expect(disabled.disabledReason).toMatch(/^Every attempt failed for 3 days, from /);
    expect(disabled.failingSince).not.toBeNull();
    // While disabled nothing is sent or recorded for it; the first delivery waits.
    const sent = receiver.at('/down').length;
    await e2e.api.as(a.key).post(`/v1/bookings/${booking.id}/cancel`, { by: 'customer', reason: 'Moved away' });
    expect((await deliveries(down.id)).map((d) => d.status)).toEqual(['pending']);
    expect((await e2e.api.as(a.key).post(`/v1/webhooks/endpoints/${down.id}/deliveries/${(await deliveries(down.id))[0].id}/replay`)).body.code).toBe('ENDPOINT_DISABLED');
    expect(receiver.at('/down').length).toBe(sent);

    receiver.script('/down', []);
    const enabled = await e2e.api.as(a.key).post(`/v1/webhooks/endpoints/${down.id}/enable`);
    expect(enabled.body).toMatchObject({ status: 'enabled', disabledReason: null, failingSince: null });
    await until('the waiting delivery sent', async () => (await deliveries(down.id))[0].status === 'delivered');
    expect(receiver.at('/b')).toEqual([]);
  });
});
