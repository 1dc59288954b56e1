import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CustomerDto, ReferralDto } from '../bookings/dto/bookings.dto';
import { Principal } from '../common/auth/principal';
import { ukMobile } from '../common/contact/mobile';
import { AppError } from '../common/errors/app-error';
import { Clock } from '../common/time/clock';
import { formatInstant, parseInstant } from '../common/time/local-time';
import { requireSite } from '../sites/require-site';
import { windowProblem } from './domain/backfill';
import { CreateWaitlistEntryDto, WaitlistEntryView, WaitlistQuery } from './dto/waitlist.dto';

const WINDOW_MESSAGES = {
  WINDOW_EMPTY: 'latest must be after earliest',
  WINDOW_IN_PAST: 'The window has already ended: latest must be in the future',
  WINDOW_TOO_LONG: 'Ask for at most 60 days ahead (from earliest, or from now if earliest has passed)',
} as const;

// A list is for a person to read; more than this is a filter to narrow.
const LIST_LIMIT = 1000;

interface EntryRow {
  id: string;
  status: string;
  customer: CustomerDto;
  referral: ReferralDto;
  code: string;
  site_ids: string[];
  earliest: Date;
  latest: Date;
  organisation_id: string | null;
  created_at: Date;
  closed_at: Date | null;
  booking_id: string | null;
  offers: { offerId: string; siteId: string; start: string; timezone: string; expiresAt: string; text: string; segments: number; offer: string; answer: string | null }[];
}

const ENTRY_SELECT = `
  SELECT e.id, e.status, e.customer, e.referral, t.code, e.site_ids, e.earliest, e.latest, e.organisation_id, e.created_at, e.closed_at, e.booking_id,
         (SELECT coalesce(json_agg(json_build_object('offerId', o.id, 'siteId', o.site_id, 'start', o.starts_at, 'timezone', s.timezone, 'expiresAt', x.expires_at,
                   'text', x.status, 'segments', x.segments, 'offer', o.status, 'answer', x.answer) ORDER BY x.created_at DESC, o.id), '[]')
            FROM waitlist_offer_texts x JOIN waitlist_offers o ON o.id = x.offer_id JOIN sites s ON s.id = o.site_id
           WHERE x.entry_id = e.id) AS offers
    FROM waitlist_entries e JOIN appointment_types t ON t.id = e.appointment_type_id`;

const entryView = (r: EntryRow): WaitlistEntryView => ({
  id: r.id,
  status: r.status,
  customer: { reference: r.customer.reference, name: r.customer.name, mobile: r.customer.mobile ?? null, email: r.customer.email ?? null, preferredChannel: r.customer.preferredChannel, consentToContact: r.customer.consentToContact },
  referral: { source: r.referral.source, referrerName: r.referral.referrerName ?? null, reason: r.referral.reason ?? null, mandatory: r.referral.mandatory ?? false },
  appointmentType: r.code,
  siteIds: r.site_ids,
  earliest: r.earliest.toISOString(),
  latest: r.latest.toISOString(),
  organisationId: r.organisation_id,
  createdAt: r.created_at.toISOString(),
  closedAt: r.closed_at?.toISOString() ?? null,
  bookingId: r.booking_id,
  offers: r.offers.map((o) => ({
    offerId: o.offerId,
    siteId: o.siteId,
    start: formatInstant(Date.parse(o.start), o.timezone),
    expiresAt: new Date(o.expiresAt).toISOString(),
    text: o.text,
    segments: o.segments,
    offer: o.offer,
    answer: o.answer,
  })),
});

/** The mobile offers go to, in E.164: a waitlist reaches customers only by SMS. */
function offerMobile(customer: CustomerDto): string {
  if (!customer.mobile || !customer.consentToContact) {
    throw new AppError(422, 'SMS_REQUIRED', 'Freed slots are offered by SMS: the customer needs a mobile number and consentToContact true');
  }
  return ukMobile(customer.mobile);
}

/** Customers waiting for a time: who put them there sees and removes them; an admin sees all. */
@Injectable()
export class WaitlistService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  async add(principal: Principal, dto: CreateWaitlistEntryDto, now = this.clock.now()): Promise<WaitlistEntryView> {
    const mobile = offerMobile(dto.customer);
    const earliest = parseInstant(dto.earliest)!;
    const latest = parseInstant(dto.latest)!;
    const problem = windowProblem(now, earliest, latest);
    if (problem) throw new AppError(400, problem, WINDOW_MESSAGES[problem]);
    const [type] = await this.dataSource.query('SELECT id FROM appointment_types WHERE code = $1', [dto.appointmentType]);
    if (!type) throw new AppError(422, 'UNKNOWN_APPOINTMENT_TYPE', `No appointment type with code ${dto.appointmentType}`);
    const [{ count }] = await this.dataSource.query('SELECT count(*)::int AS count FROM sites WHERE id = ANY ($1)', [dto.siteIds]);
    if (count !== dto.siteIds.length) throw new AppError(422, 'UNKNOWN_SITE', 'No site with one of those ids');
    const customer = { ...dto.customer, mobile, email: dto.customer.email?.toLowerCase() };
    const id = randomUUID();
    const inserted = await this.dataSource.transaction(async (manager) => {
      // So that a STOP from the number, recorded on customers, reaches someone who has only waited.
      await manager.query(
        `INSERT INTO customers (id, client_id, reference, name, mobile, email, preferred_channel, consent_to_contact) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (client_id, reference) DO NOTHING`,
        [randomUUID(), principal.clientId, customer.reference, customer.name, mobile, customer.email ?? null, customer.preferredChannel, customer.consentToContact],
      );
      return manager.query(
        `INSERT INTO waitlist_entries (id, client_id, organisation_id, customer_reference, customer, mobile, referral, appointment_type_id, site_ids, earliest, latest, status, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'waiting', $12)
         ON CONFLICT (client_id, customer_reference, appointment_type_id) WHERE status = 'waiting' DO NOTHING RETURNING id`,
        [id, principal.clientId, principal.organisationId, customer.reference, customer, mobile, dto.referral, type.id, dto.siteIds, new Date(earliest), new Date(latest), new Date(now)],
      );
    });
    if (!inserted.length) throw new AppError(409, 'ALREADY_WAITING', 'This customer is already waiting for that appointment type: remove that entry first to change it');
    return this.get(principal, id);
  }

  async list(principal: Principal, query: WaitlistQuery): Promise<WaitlistEntryView[]> {
    if (query.siteId) await requireSite(this.dataSource, query.siteId);
    // $1 is always the caller's organisation: an admin sees every organisation's entries.
    const scope = principal.admin ? '$1::uuid IS NULL OR true' : 'e.organisation_id = $1';
    const rows: EntryRow[] = await this.dataSource.query(
      `${ENTRY_SELECT} WHERE (${scope}) AND e.status = $2 AND ($3::uuid IS NULL OR $3 = ANY (e.site_ids)) ORDER BY e.created_at, e.id LIMIT ${LIST_LIMIT}`,
      [principal.organisationId, query.status ?? 'waiting', query.siteId ?? null],
    );
    return rows.map(entryView);
  }

  async get(principal: Principal, id: string): Promise<WaitlistEntryView> {
    const [row]: EntryRow[] = await this.dataSource.query(`${ENTRY_SELECT} WHERE e.id = $1`, [id]);
    // Another organisation's entry is reported as missing, as bookings are.
    if (!row || (!principal.admin && row.organisation_id !== principal.organisationId)) throw new AppError(404, 'WAITLIST_ENTRY_NOT_FOUND', `No waitlist entry with id ${id}`);
    return entryView(row);
  }

  /** Off the list: no more offers. Removing twice is harmless; a fulfilled entry has its booking to cancel instead. */
  async remove(principal: Principal, id: string, now = this.clock.now()): Promise<void> {
    const entry = await this.get(principal, id);
    if (entry.status === 'fulfilled') throw new AppError(409, 'ENTRY_FULFILLED', 'The customer has been booked from the list: cancel the booking instead');
    await this.dataSource.query(`UPDATE waitlist_entries SET status = 'removed', closed_at = $2 WHERE id = $1 AND status = 'waiting'`, [id, new Date(now)]);
  }
}
