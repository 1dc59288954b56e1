import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { NestExpressApplication } from '@nestjs/platform-express';
import { createApp } from '../../src/app.factory';
import { AppConfig } from '../../src/common/config/config';
import { Clock } from '../../src/common/time/clock';
import { Api } from './api';
import { createTestConfig } from './database';
import { DbState } from './db-state';

export interface TestApp {
  app: NestExpressApplication;
  config: AppConfig;
  /** Base URL of the listening server, e.g. http://127.0.0.1:41234 */
  url: string;
  close(): Promise<void>;
}

/** A loopback port free at the time of asking. */
export async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * The real application, listening on a loopback port, on a database of its own. The port
 * is chosen first so that PUBLIC_BASE_URL (which Twilio callbacks are signed against) is
 * the app's real address.
 */
export async function startApp(env: Record<string, string> = {}, options: { clock?: Clock } = {}): Promise<TestApp> {
  const port = await freePort();
  const { config, drop } = await createTestConfig({ PORT: String(port), PUBLIC_BASE_URL: `http://127.0.0.1:${port}`, ...env });
  const app = await createApp(config, { logger: false, clock: options.clock });
  await app.listen(config.PORT, '127.0.0.1');
  return {
    app,
    config,
    url: `http://127.0.0.1:${config.PORT}`,
    close: async () => {
      await app.close();
      await drop();
    },
  };
}

export interface AppUnderTest {
  readonly app: TestApp;
  /** An admin client of the app. */
  readonly api: Api;
  /** A direct connection to the app's database. */
  readonly db: DbState;
}

/**
 * Starts the app (with `env` over the test configuration) before the tests of the
 * enclosing describe block and closes it after them. Read the getters inside tests and
 * hooks: they throw while the block is still being defined.
 */
export function useTestApp(env: Record<string, string> = {}, options: { clock?: Clock } = {}): AppUnderTest {
  let started: AppUnderTest | undefined;
  beforeAll(async () => {
    const app = await startApp(env, options);
    started = { app, api: new Api(app.url), db: new DbState(app.config.DATABASE_URL) };
  });
  // Closing has been seen to take over a minute on a loaded machine (the queue on PostgreSQL
  // winding down, cause not pinned down; 0.3 s when quiet): a slow close is not a failed test.
  afterAll(async () => {
    await started?.db.close();
    await started?.app.close();
  }, 180_000);
  const get = () => {
    if (!started) throw new Error('useTestApp: the app starts in beforeAll; use it inside tests and hooks');
    return started;
  };
  return {
    get app() {
      return get().app;
    },
    get api() {
      return get().api;
    },
    get db() {
      return get().db;
    },
  };
}

/**
 * A second instance of the app started by `first` (useTestApp in the same describe block or
 * an enclosing one), on its configuration: the same database and Redis prefix, as two API
 * servers of one deployment share. `clock` is given to it as useTestApp's was to the first,
 * so that moving one moves both.
 */
export function useSecondInstance(first: AppUnderTest, options: { clock?: Clock } = {}): { readonly api: Api } {
  let second: NestExpressApplication | undefined;
  let api: Api | undefined;
  beforeAll(async () => {
    const port = await freePort();
    second = await createApp({ ...first.app.config, PORT: port }, { logger: false, clock: options.clock });
    await second.listen(port, '127.0.0.1');
    api = new Api(`http://127.0.0.1:${port}`);
  });
  afterAll(() => second?.close(), 180_000);
  return {
    get api() {
      if (!api) throw new Error('useSecondInstance: the instance starts in beforeAll; use it inside tests and hooks');
      return api;
    },
  };
}
