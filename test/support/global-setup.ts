import { randomBytes } from 'node:crypto';
import { migrate } from '../../src/common/database/migrator';
import { admin, databaseUrl } from './database';

/**
 * Migrates a template database once per run; test files clone it, which takes
 * milliseconds. The name is per run so that runs side by side never touch each other's.
 */
export default async function globalSetup(): Promise<void> {
  if (process.env.TEST_TEMPLATE_DB) return; // both database tiers share one template per run
  const name = `careers_booking_tpl_${randomBytes(4).toString('hex')}`;
  await admin((c) => c.query(`CREATE DATABASE ${name}`));
  await migrate(databaseUrl(name));
  process.env.TEST_TEMPLATE_DB = name;
}
