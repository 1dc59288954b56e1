import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppError } from '../../common/errors/app-error';

export interface SiteSummary {
  id: string;
  name: string;
  postcode: string;
  timezone: string;
}

/** Names for the site manager's pages. */
@Injectable()
export class SitesQueries {
  constructor(private readonly dataSource: DataSource) {}

  /** The sites given, or every site for an admin (null). */
  async sites(ids: string[] | null): Promise<SiteSummary[]> {
    return this.dataSource.query('SELECT id, name, postcode, timezone FROM sites WHERE $1::uuid[] IS NULL OR id = ANY ($1::uuid[]) ORDER BY name, postcode', [ids]);
  }

  async site(id: string): Promise<SiteSummary> {
    const [site] = await this.sites([id]);
    if (!site) throw new AppError(404, 'SITE_NOT_FOUND', `No site with id ${id}`);
    return site;
  }

  /** The appointment types the site's diaries offer, each of which may have a policy of its own. */
  async types(siteId: string): Promise<{ code: string; name: string }[]> {
    return this.dataSource.query(
      `SELECT t.code, t.name FROM appointment_types t
        WHERE EXISTS (SELECT 1 FROM diary_patterns p WHERE p.site_id = $1 AND t.code = ANY (p.appointment_types))
        ORDER BY t.name, t.code`,
      [siteId],
    );
  }
}
