import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppError } from '../common/errors/app-error';
import { Clock } from '../common/time/clock';
import { lockedUntil, WINDOW_MS } from './domain/lockout';
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

/** An account as an admin sees it: whether it may sign in, and until when it is locked out. */
export interface StaffAccount extends StaffMember {
  active: boolean;
  lockedUntil: number | null;
}

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

  /** A signed-in person's account; null once it is deactivated, so their open pages stop working at once. */
  async byId(id: string): Promise<StaffMember | null> {
    const [row] = await this.dataSource.query<StaffRow[]>(`SELECT ${COLUMNS} FROM staff WHERE id = $1 AND deactivated_at IS NULL`, [id]);
    return row ? member(row) : null;
  }

  /** Every account, by name, with its lock-out as the sign-in form would apply it now. */
  async list(now = this.clock.now()): Promise<StaffAccount[]> {
    const rows = await this.dataSource.query<(StaffRow & { active: boolean; failures: Date[] | null })[]>(
      `SELECT ${COLUMNS}, deactivated_at IS NULL AS active,
              (SELECT array_agg(f.at) FROM staff_sign_in_failures f WHERE f.staff_id = staff.id AND f.at > $1) AS failures
         FROM staff ORDER BY name, email`,
      [new Date(now - WINDOW_MS)],
    );
    return rows.map((row) => ({ ...member(row), active: row.active, lockedUntil: lockedUntil((row.failures ?? []).map((at) => at.getTime()), now) }));
  }

  /**
   * Switches an account off (ending every session it has) or on again. Nobody switches off
   * their own account: the last admin could otherwise lock everyone out of the pages.
   */
  async setActive(id: string, active: boolean, by: string): Promise<void> {
    if (!active && id === by) throw new AppError(409, 'OWN_ACCOUNT', 'You cannot deactivate your own account');
    await this.dataSource.transaction(async (manager) => {
      const [, updated] = await manager.query('UPDATE staff SET deactivated_at = $2 WHERE id = $1', [id, active ? null : new Date(this.clock.now())]);
      if (!updated) throw new AppError(404, 'STAFF_NOT_FOUND', `No staff account with id ${id}`);
      if (!active) await manager.query('DELETE FROM staff_sessions WHERE staff_id = $1', [id]);
    });
  }

  /** Ends a lock-out at once (the person rang the service desk), by forgetting the failures behind it. */
  async unlock(id: string): Promise<void> {
    const [row] = await this.dataSource.query('SELECT 1 FROM staff WHERE id = $1', [id]);
    if (!row) throw new AppError(404, 'STAFF_NOT_FOUND', `No staff account with id ${id}`);
    await this.dataSource.query('DELETE FROM staff_sign_in_failures WHERE staff_id = $1', [id]);
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
    // A deactivated account is answered as an unknown one.
    const [row] = await this.dataSource.query<StaffRow[]>(`SELECT ${COLUMNS} FROM staff WHERE email = $1 AND deactivated_at IS NULL`, [email.trim().toLowerCase()]);
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
