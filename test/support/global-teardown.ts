import { admin } from './database';

export default async function globalTeardown(): Promise<void> {
  const name = process.env.TEST_TEMPLATE_DB;
  if (!name) return;
  delete process.env.TEST_TEMPLATE_DB;
  await admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
}
