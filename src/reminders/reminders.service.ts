import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Principal } from '../common/auth/principal';
import { requireSite } from '../sites/require-site';
import { APP_CONFIG, AppConfig } from '../common/config/config';
import { AppError } from '../common/errors/app-error';
import { formatInstant } from '../common/time/local-time';
import { MESSAGE_CHANNELS } from './domain/channels';
import { MESSAGE_STEPS } from './domain/reminder-plan';
import { builtInTemplate, templateProblems, worstCaseSms } from './domain/templates';
import { BookingMessagesView, MessageView, ReminderPolicyDto, ReminderPolicyView, SaveTemplateDto, TemplateView } from './dto/reminders.dto';
import { POLICY_COLUMNS, reminderPolicy } from './reminder-planner.service';


@Injectable()
export class RemindersService {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async messages(principal: Principal, bookingId: string): Promise<BookingMessagesView> {
    const [booking] = await this.dataSource.query('SELECT b.organisation_id, b.message_variant, s.timezone FROM bookings b JOIN sites s ON s.id = b.site_id WHERE b.id = $1', [bookingId]);
    if (!booking || (!principal.admin && booking.organisation_id !== principal.organisationId)) throw new AppError(404, 'BOOKING_NOT_FOUND', `No booking with id ${bookingId}`);
    const rows = await this.dataSource.query(
      `SELECT r.id, r.step, r.version, r.send_at, r.status, r.reason,
              coalesce(json_agg(json_build_object('id', m.id, 'channel', m.channel, 'recipient', m.recipient, 'status', m.status, 'variant', m.variant,
                 'body', m.body, 'segments', m.segments, 'providerId', m.provider_id, 'errorCode', m.error_code, 'sentAt', m.sent_at, 'updatedAt', m.updated_at)
                 ORDER BY m.created_at) FILTER (WHERE m.id IS NOT NULL), '[]') AS messages
         FROM reminders r LEFT JOIN messages m ON m.reminder_id = r.id
        WHERE r.booking_id = $1
        GROUP BY r.id
        ORDER BY r.version, r.send_at NULLS LAST, r.step`,
      [bookingId],
    );
    return {
      bookingId,
      variant: booking.message_variant,
      steps: rows.map((r: { step: never; version: number; send_at: Date | null; status: string; reason: string | null; messages: MessageView[] }) => ({
        step: r.step,
        version: r.version,
        sendAt: r.send_at ? formatInstant(r.send_at.getTime(), booking.timezone) : null,
        status: r.status,
        reason: r.reason,
        messages: r.messages.map((m) => ({ ...m, sentAt: m.sentAt ? new Date(m.sentAt).toISOString() : null, updatedAt: new Date(m.updatedAt).toISOString() })),
      })),
    };
  }

  async policy(siteId: string): Promise<ReminderPolicyView> {
    await requireSite(this.dataSource, siteId);
    const [own] = await this.dataSource.query('SELECT 1 FROM reminder_policies WHERE site_id = $1', [siteId]);
    return { siteId, own: !!own, ...(await reminderPolicy(this.dataSource.manager, siteId)) };
  }

  /** Applies to bookings made or moved from now on; plans already made stand. */
  async savePolicy(siteId: string, dto: ReminderPolicyDto): Promise<ReminderPolicyView> {
    await requireSite(this.dataSource, siteId);
    if (dto.quietFrom === dto.quietUntil) throw new AppError(422, 'INVALID_QUIET_HOURS', 'quietFrom and quietUntil must differ (quiet hours cannot be empty or the whole day)');
    const [saved] = await this.dataSource.query(
      `INSERT INTO reminder_policies (site_id, days_before, days_before_at, hours_before, quiet_from, quiet_until, minimum_gap_minutes)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (site_id) DO UPDATE SET days_before = excluded.days_before, days_before_at = excluded.days_before_at, hours_before = excluded.hours_before,
         quiet_from = excluded.quiet_from, quiet_until = excluded.quiet_until, minimum_gap_minutes = excluded.minimum_gap_minutes, updated_at = now()
       RETURNING ${POLICY_COLUMNS}`,
      [siteId, dto.daysBefore, dto.daysBeforeAt, dto.hoursBefore, dto.quietFrom, dto.quietUntil, dto.minimumGapMinutes],
    );
    return { siteId, own: true, ...saved };
  }

  private async typeId(code: string): Promise<string> {
    const [type] = await this.dataSource.query('SELECT id FROM appointment_types WHERE code = $1', [code]);
    if (!type) throw new AppError(404, 'APPOINTMENT_TYPE_NOT_FOUND', `No appointment type with code ${code}`);
    return type.id;
  }

  /** Every template in force for a type: saved ones, and the built-in wording for each variant. */
  async templates(code: string): Promise<TemplateView[]> {
    const typeId = await this.typeId(code);
    const saved: { step: never; channel: never; variant: string; site_id: string | null; subject: string | null; body: string }[] = await this.dataSource.query(
      'SELECT step, channel, variant, site_id, subject, body FROM message_templates WHERE appointment_type_id = $1 ORDER BY step, channel, variant, site_id NULLS FIRST',
      [typeId],
    );
    const builtIn = MESSAGE_STEPS.flatMap((step) =>
      MESSAGE_CHANNELS.flatMap((channel) => this.config.MESSAGE_VARIANTS.map((variant) => ({ step, channel, variant, site_id: null, builtIn: true, ...builtInTemplate(step, channel, variant) }))),
    );
    return [...builtIn, ...saved.map((t) => ({ ...t, builtIn: false }))].map((t) => ({
      step: t.step,
      channel: t.channel,
      variant: t.variant,
      siteId: t.site_id,
      builtIn: t.builtIn,
      subject: t.subject,
      body: t.body,
      worstCaseSegments: t.channel === 'sms' ? worstCaseSms(t).segments : null,
    }));
  }

  /** Saves a template after checking it: known placeholders, and an SMS that fits two segments at its longest. */
  async saveTemplate(code: string, dto: SaveTemplateDto): Promise<TemplateView> {
    const typeId = await this.typeId(code);
    if (dto.siteId) await requireSite(this.dataSource, dto.siteId);
    if (!this.config.MESSAGE_VARIANTS.includes(dto.variant)) {
      throw new AppError(422, 'UNKNOWN_VARIANT', `variant must be one of ${this.config.MESSAGE_VARIANTS.join(', ')} (MESSAGE_VARIANTS)`);
    }
    const template = { subject: dto.subject ?? null, body: dto.body };
    const problems = templateProblems(dto.channel, template);
    if (problems.length) throw new AppError(422, 'TEMPLATE_INVALID', problems.map((p) => p.message).join('. '), problems);
    await this.dataSource.query(
      `INSERT INTO message_templates (id, appointment_type_id, site_id, step, channel, variant, subject, body) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (appointment_type_id, coalesce(site_id, '00000000-0000-0000-0000-000000000000'), step, channel, variant)
       DO UPDATE SET subject = excluded.subject, body = excluded.body, updated_at = now()`,
      [randomUUID(), typeId, dto.siteId ?? null, dto.step, dto.channel, dto.variant, template.subject, template.body],
    );
    return {
      step: dto.step,
      channel: dto.channel,
      variant: dto.variant,
      siteId: dto.siteId ?? null,
      builtIn: false,
      ...template,
      worstCaseSegments: dto.channel === 'sms' ? worstCaseSms(template).segments : null,
    };
  }
}
