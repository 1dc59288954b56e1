import type { AddressInfo } from 'node:net';
import { NestExpressApplication } from '@nestjs/platform-express';
import { createApp } from '../../src/app.factory';
import { AppConfig, loadConfig } from '../../src/common/config/config';
import { createTestDatabase } from './database';

export const ADMIN_KEY = 'test-admin-key-0123456789abcdef';

export interface TestApp {
  app: NestExpressApplication;
  config: AppConfig;
  /** Base URL of the listening server, e.g. http://127.0.0.1:41234 */
  url: string;
  close(): Promise<void>;
}

/** The real application, listening on a loopback port, on a database of its own. */
export async function startApp(env: Record<string, string> = {}): Promise<TestApp> {
  const db = await createTestDatabase();
  const config = loadConfig({ DATABASE_URL: db.url, ADMIN_API_KEY: ADMIN_KEY, PORT: '0', LOG_LEVEL: 'error', ...env });
  const app = await createApp(config, { logger: false });
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as AddressInfo;
  return {
    app,
    config,
    url: `http://127.0.0.1:${address.port}`,
    close: async () => {
      await app.close();
      await db.drop();
    },
  };
}
