import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { mayManageSite, Principal } from '../common/auth/principal';
import { AppError } from '../common/errors/app-error';
import { Clock } from '../common/time/clock';
import { formatInstant } from '../common/time/local-time';
import { requireSite } from '../sites/require-site';
import { FollowUpsView, FollowUpView, ResolveFollowUpDto } from './dto/replies.dto';

/** The replies waiting for a person at a site. They name customers and their numbers, so only the site's managers see them. */
@Injectable()
export class FollowUpsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  private async checkSite(principal: Principal, siteId: string): Promise<void> {
    if (!mayManageSite(principal, siteId)) throw new AppError(403, 'SITE_NOT_MANAGED', 'This key may not manage that site');
    await requireSite(this.dataSource, siteId);
  }

  async list(principal: Principal, siteId: string): Promise<FollowUpsView> {
    await this.checkSite(principal, siteId);
    const rows = await this.dataSource.query(
      `SELECT f.id, f.reason, m.sender, m.body, m.received_at, m.reply,
              b.id AS booking_id, b.starts_at, b.status, s.timezone, c.reference, c.name
         FROM follow_ups f
         JOIN inbound_messages m ON m.id = f.inbound_message_id
         LEFT JOIN bookings b ON b.id = f.booking_id
         LEFT JOIN sites s ON s.id = b.site_id
         LEFT JOIN customers c ON c.id = b.customer_id
        WHERE f.site_id = $1 AND f.resolved_at IS NULL
        ORDER BY m.received_at, f.id`,
      [siteId],
    );
    const followUps: FollowUpView[] = rows.map((r: any) => ({
      id: r.id,
      reason: r.reason,
      from: r.sender,
      body: r.body,
      receivedAt: r.received_at.toISOString(),
      reply: r.reply,
      booking: r.booking_id
        ? { id: r.booking_id, start: formatInstant(r.starts_at.getTime(), r.timezone), status: r.status, customerReference: r.reference, customerName: r.name }
        : null,
    }));
    return { siteId, followUps };
  }

  async resolve(principal: Principal, siteId: string, id: string, dto: ResolveFollowUpDto): Promise<void> {
    await this.checkSite(principal, siteId);
    const [, found] = await this.dataSource.query(
      `UPDATE follow_ups SET resolved_at = coalesce(resolved_at, $3), resolved_note = coalesce(resolved_note, $4) WHERE id = $1 AND site_id = $2`,
      [id, siteId, new Date(this.clock.now()), dto.note ?? null],
    );
    if (!found) throw new AppError(404, 'FOLLOW_UP_NOT_FOUND', `No follow-up with id ${id} at this site`);
  }
}
