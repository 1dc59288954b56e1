import { notFound } from '../common/errors/app-error';

/**
 * The site a request names, or 404 SITE_NOT_FOUND: the check every feature that acts on a
 * site makes first. `lock` takes the site's row as a policy change must (bookings hold it
 * FOR SHARE, so the change waits for those under way and those after it see it).
 */
export async function requireSite(db: { query(sql: string, params: unknown[]): Promise<{ timezone: string }[]> }, siteId: string, lock?: 'FOR NO KEY UPDATE'): Promise<{ timezone: string }> {
  const [site] = await db.query(`SELECT timezone FROM sites WHERE id = $1 ${lock ?? ''}`, [siteId]);
  if (!site) throw notFound('site', siteId);
  return site;
}
