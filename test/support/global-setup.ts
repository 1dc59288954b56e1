import { migrate } from '../../src/common/database/migrator';
import { admin, databaseUrl, TEMPLATE_DB } from './database';

/** Migrates a template database once per run; test files clone it, which takes milliseconds. */
export default async function globalSetup(): Promise<void> {
  await admin(async (c) => {
    const stale = await c.query("SELECT datname FROM pg_database WHERE datname LIKE 'careers_booking_test_%'");
    for (const { datname } of stale.rows) await c.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
    await c.query(`CREATE DATABASE ${TEMPLATE_DB}`);
  });
  await migrate(databaseUrl(TEMPLATE_DB));
}
