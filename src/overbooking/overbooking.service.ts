import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { mayManageSite, Principal } from '../common/auth/principal';
import { AppError } from '../common/errors/app-error';
import { actorOf } from '../common/events/booking-events';
import { Clock } from '../common/time/clock';
import { requireSite } from '../sites/require-site';
import { OverbookingPolicy, policyProblems, POLICY_OFF, resolvePolicy } from './domain/policy';
import { OverbookingPolicyDto, OverbookingPolicyView, PolicyChangesView } from './dto/overbooking.dto';

interface PolicyRow {
  policy: OverbookingPolicy;
  version: number;
  updated_at: Date;
}

/**
 * Overbooking policies, per site and optionally per appointment type, set by an admin or a
 * manager of the site; every change is kept with who made it and what it replaced.
 */
@Injectable()
export class OverbookingService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  private async type(db: DataSource | EntityManager, code: string | undefined): Promise<{ id: string; durationMinutes: number } | null> {
    if (code === undefined) return null;
    const [type] = await db.query('SELECT id, duration_minutes FROM appointment_types WHERE code = $1', [code]);
    if (!type) throw new AppError(422, 'UNKNOWN_APPOINTMENT_TYPE', `No appointment type ${code}`);
    return { id: type.id, durationMinutes: type.duration_minutes };
  }

  private view(siteId: string, appointmentType: string | null, row: PolicyRow | undefined): OverbookingPolicyView {
    return { siteId, appointmentType, ...(row?.policy ?? POLICY_OFF), version: row?.version ?? 0, updatedAt: row?.updated_at.toISOString() ?? null };
  }

  async get(siteId: string, appointmentType?: string): Promise<OverbookingPolicyView> {
    await requireSite(this.dataSource, siteId);
    const type = await this.type(this.dataSource, appointmentType);
    const [row] = await this.dataSource.query(
      `SELECT policy, version, updated_at FROM overbooking_policies WHERE site_id = $1 AND appointment_type_id IS NOT DISTINCT FROM $2`,
      [siteId, type?.id ?? null],
    );
    return this.view(siteId, appointmentType ?? null, row);
  }

  async save(principal: Principal, siteId: string, dto: OverbookingPolicyDto, now = this.clock.now()): Promise<OverbookingPolicyView> {
    if (!mayManageSite(principal, siteId)) throw new AppError(403, 'SITE_NOT_MANAGED', 'This key may not manage that site');
    const { appointmentType, ...input } = dto;
    return this.dataSource.transaction(async (manager) => {
      await requireSite(manager, siteId, 'FOR NO KEY UPDATE');
      const type = await this.type(manager, appointmentType);
      // A site-wide overlap is measured against the shortest appointment given at the site.
      const [shortest] = type ? [type] : await manager.query(
        `SELECT min(t.duration_minutes) AS "durationMinutes" FROM appointment_types t
          WHERE EXISTS (SELECT 1 FROM diary_patterns p WHERE p.site_id = $1 AND t.code = ANY (p.appointment_types))`,
        [siteId],
      );
      const problems = policyProblems(input, shortest?.durationMinutes ? shortest : undefined);
      if (problems.length) {
        throw new AppError(400, 'VALIDATION_FAILED', problems.map((p) => `${p.field} ${p.message}`).join('. '), problems.map((p) => ({ field: p.field, problems: [`${p.field} ${p.message}`] })));
      }
      const policy = resolvePolicy(input);
      const [before]: (PolicyRow & { id: string })[] = await manager.query(
        `SELECT id, policy, version, updated_at FROM overbooking_policies WHERE site_id = $1 AND appointment_type_id IS NOT DISTINCT FROM $2 FOR UPDATE`,
        [siteId, type?.id ?? null],
      );
      const version = (before?.version ?? 0) + 1;
      const at = new Date(now);
      if (before) await manager.query('UPDATE overbooking_policies SET mode = $2, policy = $3, version = $4, updated_at = $5 WHERE id = $1', [before.id, policy.mode, policy, version, at]);
      else {
        await manager.query('INSERT INTO overbooking_policies (id, site_id, appointment_type_id, mode, policy, version, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7)', [
          randomUUID(), siteId, type?.id ?? null, policy.mode, policy, version, at,
        ]);
      }
      const actor = actorOf(principal);
      await manager.query(
        `INSERT INTO overbooking_policy_changes (site_id, appointment_type_id, version, changed_at, actor_type, actor_id, before, after) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [siteId, type?.id ?? null, version, at, actor.type, 'id' in actor ? actor.id : null, before?.policy ?? null, policy],
      );
      return this.view(siteId, appointmentType ?? null, { policy, version, updated_at: at });
    });
  }

  async changes(principal: Principal, siteId: string): Promise<PolicyChangesView> {
    if (!mayManageSite(principal, siteId)) throw new AppError(403, 'SITE_NOT_MANAGED', 'This key may not manage that site');
    await requireSite(this.dataSource, siteId);
    const rows: { version: number; code: string | null; changed_at: Date; actor_type: string; actor_id: string | null; before: Record<string, unknown> | null; after: Record<string, unknown> }[] =
      await this.dataSource.query(
        `SELECT c.version, t.code, c.changed_at, c.actor_type, c.actor_id, c.before, c.after
           FROM overbooking_policy_changes c LEFT JOIN appointment_types t ON t.id = c.appointment_type_id
          WHERE c.site_id = $1 ORDER BY c.id`,
        [siteId],
      );
    return {
      siteId,
      changes: rows.map((r) => ({ version: r.version, appointmentType: r.code, changedAt: r.changed_at.toISOString(), actorType: r.actor_type, organisationId: r.actor_id, before: r.before, after: r.after })),
    };
  }
}
