import { Logger } from '@nestjs/common';
import { Api } from '../support/api';
import { startApp, TestApp } from '../support/app';
import { admin } from '../support/database';
import { TcpProxy } from '../support/tcp-proxy';
import { until } from '../support/wait';

// /health answers anyone, so when a dependency is down it says which, never why: the
// drivers' error text names hosts, ports and databases. The reason goes to the log.

describe('/health while a dependency is down', () => {
  let redis: TcpProxy;
  let app: TestApp;
  let api: Api;
  let warn: jest.SpyInstance;

  const UP = { status: 'ok', database: { status: 'up' }, redis: { status: 'up' }, queueBackend: 'redis' };
  const health = () => api.get('/health');

  beforeAll(async () => {
    redis = new TcpProxy('127.0.0.1', 6379);
    await redis.open();
    app = await startApp({ REDIS_URL: redis.url });
    api = new Api(app.url, null);
  });

  // Each test starts from a healthy app, once what the one before cut has come back.
  beforeEach(async () => {
    const healthy = await until('/health to answer 200', async () => {
      const response = await health();
      return response.status === 200 && response;
    });
    expect(healthy.body).toEqual(UP);
    warn = jest.spyOn(Logger.prototype, 'warn');
  });

  afterEach(() => warn.mockRestore());

  afterAll(async () => {
    await app?.close();
    await redis?.cut();
  });

  it('Redis unreachable: 503 with redis down and no error text; the reason is logged as a warning', async () => {
    await redis.cut();
    try {
      const response = await health();
      expect(response.status).toBe(503);
      expect(response.body).toEqual({ ...UP, status: 'degraded', redis: { status: 'down' } });
      expect(warn).toHaveBeenCalledWith(expect.stringMatching(/^Redis is down: \S/));
    } finally {
      await redis.open();
    }
  });

  it('PostgreSQL refusing connections: 503 with the database down and no error text; the reason is logged as a warning', async () => {
    const name = new URL(app.config.DATABASE_URL).pathname.slice(1);
    await admin(async (c) => {
      await c.query(`ALTER DATABASE ${name} WITH ALLOW_CONNECTIONS false`);
      await c.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [name]);
    });
    try {
      // The first check may pick a pooled connection that was just terminated, which fails
      // with a different reason; the next connection attempt meets the refusal itself.
      const refused = `PostgreSQL is down: database "${name}" is not currently accepting connections`;
      const response = await until('/health to meet the refusal', async () => {
        const r = await health();
        return r.status === 503 && warn.mock.calls.at(-1)?.[0] === refused && r;
      });
      expect(response.body).toEqual({ ...UP, status: 'degraded', database: { status: 'down' } });
    } finally {
      await admin((c) => c.query(`ALTER DATABASE ${name} WITH ALLOW_CONNECTIONS true`));
    }
  });
});
