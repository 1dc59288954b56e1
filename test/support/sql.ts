import { Client } from 'pg';

/** A direct connection to a test database, for what the API cannot do (e.g. letting a hold lapse). */
export async function withClient<T>(url: string, fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Makes a hold lapse now, as if its minutes had run out. */
export function expireHold(url: string, holdId: string): Promise<void> {
  return withClient(url, async (c) => {
    const result = await c.query(`UPDATE holds SET expires_at = now() - interval '1 second' WHERE id = $1`, [holdId]);
    if (result.rowCount !== 1) throw new Error(`No hold ${holdId} to expire`);
  });
}
