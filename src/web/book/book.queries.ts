import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Principal } from '../../common/auth/principal';
import { AppError } from '../../common/errors/app-error';

export interface SiteOption {
  id: string;
  name: string;
  postcode: string;
  timezone: string;
}

export interface HeldSlot {
  id: string;
  appointmentType: string;
  typeName: string;
  siteId: string;
  siteName: string;
  address: string;
  postcode: string;
  timezone: string;
  adviserName: string;
  start: Date;
  expiresAt: Date;
  live: boolean;
}

/** What the pages show beside the services' answers: names of what the ids refer to. */
@Injectable()
export class BookQueries {
  constructor(private readonly dataSource: DataSource) {}

  async types(): Promise<{ code: string; name: string }[]> {
    return this.dataSource.query('SELECT code, name FROM appointment_types ORDER BY name, code');
  }

  /** Every site, by name. */
  async sites(): Promise<SiteOption[]> {
    return this.dataSource.query('SELECT id, name, postcode, timezone FROM sites ORDER BY name, postcode');
  }

  /** The jobcentres, by name: where a work coach works, and what the booking search starts from. */
  async jobcentres(): Promise<SiteOption[]> {
    return this.dataSource.query("SELECT id, name, postcode, timezone FROM sites WHERE kind = 'jobcentre' ORDER BY name, postcode");
  }

  /** The jobcentre the staff member last searched from, if it is still a jobcentre. */
  async lastJobcentre(staffId: string): Promise<string | null> {
    const [row] = await this.dataSource.query("SELECT s.id FROM staff st JOIN sites s ON s.id = st.last_site_id WHERE st.id = $1 AND s.kind = 'jobcentre'", [staffId]);
    return row?.id ?? null;
  }

  /** Remembers a jobcentre searched from; a site that is no jobcentre (a booking being moved) is not remembered. */
  async rememberJobcentre(staffId: string, siteId: string): Promise<void> {
    await this.dataSource.query(
      "UPDATE staff SET last_site_id = $2 WHERE id = $1 AND last_site_id IS DISTINCT FROM $2 AND EXISTS (SELECT 1 FROM sites WHERE id = $2 AND kind = 'jobcentre')",
      [staffId, siteId],
    );
  }

  async sitesById(ids: string[]): Promise<Map<string, SiteOption>> {
    const rows: SiteOption[] = await this.dataSource.query('SELECT id, name, postcode, timezone FROM sites WHERE id = ANY ($1::uuid[])', [ids]);
    return new Map(rows.map((r) => [r.id, r]));
  }

  async adviserNames(ids: string[]): Promise<Map<string, string>> {
    const rows: { id: string; name: string }[] = await this.dataSource.query('SELECT id, name FROM advisers WHERE id = ANY ($1::uuid[])', [ids]);
    return new Map(rows.map((r) => [r.id, r.name]));
  }

  async site(id: string): Promise<SiteOption & { address: string }> {
    const [row] = await this.dataSource.query('SELECT id, name, address, postcode, timezone FROM sites WHERE id = $1', [id]);
    return row;
  }

  async typeName(code: string): Promise<string> {
    const [row] = await this.dataSource.query('SELECT name FROM appointment_types WHERE code = $1', [code]);
    return row?.name ?? code;
  }

  /** A hold of the caller's organisation, as the bookings service would find it; someone else's is not found. */
  async hold(principal: Principal, id: string, now: number): Promise<HeldSlot> {
    const [row] = await this.dataSource.query(
      `SELECT h.id, h.organisation_id, t.code AS "appointmentType", t.name AS "typeName", s.id AS "siteId", s.name AS "siteName", s.address, s.postcode, s.timezone,
              a.name AS "adviserName", h.starts_at AS start, h.expires_at AS "expiresAt",
              (h.released_at IS NULL AND h.consumed_by IS NULL AND h.expires_at > $2) AS live
         FROM holds h JOIN appointment_types t ON t.id = h.appointment_type_id JOIN sites s ON s.id = h.site_id JOIN advisers a ON a.id = h.adviser_id
        WHERE h.id = $1`,
      [id, new Date(now)],
    );
    if (!row || (!principal.admin && row.organisation_id !== principal.organisationId)) throw new AppError(404, 'HOLD_NOT_FOUND', `No hold with id ${id}`);
    return row;
  }
}
