import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppError } from '../common/errors/app-error';
import { Clock } from '../common/time/clock';
import { lockedUntil } from './domain/lockout';
import { Role, StaffMember } from './domain/roles';
import { CreateStaffDto, StaffView } from './dto/staff.dto';
import { hashPassword, verifyPassword } from './password';

const COLUMNS = 'id, name, email, organisation_id, role, managed_site_ids::text[] AS managed_site_ids, adviser_id, password_hash';

interface StaffRow {
  id: string;
  name: string;
  email: string;
  organisation_id: string;
  role: Role;
  managed_site_ids: string[];
  adviser_id: string | null;
  password_hash: string | null;
}

const member = (row: StaffRow): StaffMember => ({ id: row.id, name: row.name, email: row.email, organisationId: row.organisation_id, role: row.role, managedSiteIds: row.managed_site_ids, adviserId: row.adviser_id });

export type SignInResult = { ok: true; staff: StaffMember } | { ok: false; reason: 'wrong' | 'locked'; until?: number };

@Injectable()
export class StaffService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  async create(dto: CreateStaffDto): Promise<StaffView> {
    const sites = dto.managedSiteIds ?? [];
    if ((dto.role === 'site_manager') !== sites.length > 0) {
      throw new AppError(400, 'INVALID_SITES', 'A site_manager names the sites they manage (managedSiteIds), and only a site_manager does');
    }
    const [organisation] = await this.dataSource.query('SELECT 1 FROM organisations WHERE id = $1', [dto.organisationId]);
    if (!organisation) throw new AppError(422, 'UNKNOWN_ORGANISATION', `No organisation with id ${dto.organisationId}`);
    const [{ known }] = await this.dataSource.query('SELECT count(*)::int AS known FROM sites WHERE id = ANY ($1::uuid[])', [sites]);
    if (known !== sites.length) throw new AppError(422, 'UNKNOWN_SITE', 'managedSiteIds names a site that does not exist');
    if (dto.adviserId !== undefined) {
      if (dto.role !== 'adviser') throw new AppError(400, 'INVALID_ADVISER', 'Only an adviser is linked to an adviser (adviserId)');
      const [adviser] = await this.dataSource.query('SELECT 1 FROM advisers WHERE id = $1 AND organisation_id = $2', [dto.adviserId, dto.organisationId]);
      if (!adviser) throw new AppError(422, 'UNKNOWN_ADVISER', "adviserId names no adviser of the account's organisation");
    }
    const passwordHash = dto.password === undefined ? null : await hashPassword(dto.password);
    const rows: StaffRow[] = await this.dataSource.query(
      `INSERT INTO staff (id, name, email, organisation_id, role, managed_site_ids, adviser_id, password_hash, created_at)
       VALUES ($1, $2, $3, $4, $5, $6::uuid[], $7, $8, $9)
       ON CONFLICT (email) DO NOTHING
       RETURNING ${COLUMNS}`,
      [randomUUID(), dto.name, dto.email.toLowerCase(), dto.organisationId, dto.role, sites, dto.adviserId ?? null, passwordHash, new Date(this.clock.now())],
    );
    if (!rows[0]) throw new AppError(409, 'STAFF_EXISTS', 'There is already an account with that email');
    return { ...member(rows[0]), hasPassword: passwordHash !== null };
  }

  async byId(id: string): Promise<StaffMember | null> {
    const [row] = await this.dataSource.query<StaffRow[]>(`SELECT ${COLUMNS} FROM staff WHERE id = $1`, [id]);
    return row ? member(row) : null;
  }

  /**
   * Checks an email and password. A locked account is refused before its password is
   * checked and the attempt is not counted: guessing on learns nothing, and the lock ends
   * 15 minutes after the failures that caused it. An unknown email costs the same time as a
   * known one and is answered the same way.
   *
   * Single sign-on plugs in beside this: an OIDC callback that finds the account by its
   * verified email (or a subject id column) and hands it to SessionStore.signIn, as this does.
   */
  async signIn(email: string, password: string): Promise<SignInResult> {
    const now = this.clock.now();
    const [row] = await this.dataSource.query<StaffRow[]>(`SELECT ${COLUMNS} FROM staff WHERE email = $1`, [email.trim().toLowerCase()]);
    if (!row) {
      await verifyPassword(password, null);
      return { ok: false, reason: 'wrong' };
    }
    const failures = async () =>
      (await this.dataSource.query<{ at: Date }[]>('SELECT at FROM staff_sign_in_failures WHERE staff_id = $1 AND at > $2', [row.id, new Date(now - 24 * 3_600_000)])).map((f) => f.at.getTime());
    const locked = lockedUntil(await failures(), now);
    if (locked !== null) return { ok: false, reason: 'locked', until: locked };
    if (await verifyPassword(password, row.password_hash)) {
      await this.dataSource.query('DELETE FROM staff_sign_in_failures WHERE staff_id = $1', [row.id]);
      return { ok: true, staff: member(row) };
    }
    await this.dataSource.query('INSERT INTO staff_sign_in_failures (staff_id, at) VALUES ($1, $2)', [row.id, new Date(now)]);
    const lockedNow = lockedUntil(await failures(), now);
    return lockedNow === null ? { ok: false, reason: 'wrong' } : { ok: false, reason: 'locked', until: lockedNow };
  }
}
