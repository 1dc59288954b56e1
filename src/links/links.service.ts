import { randomBytes } from 'node:crypto';
import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../common/config/config';
import { BookingEvent, BookingEvents } from '../common/events/booking-events';
import { publicUrl } from '../common/http/public-url';
import { CustomerLinks, LinkedText, LinkRequest } from '../common/links/customer-links';
import { OfferedSlot } from '../replies/domain/conversation';
import { isTokenShaped, LINK_PATH, linkExpiry, maskToken, sameHash, TOKEN_BYTES, tokenHash, tokenOf, withLink } from './domain/link-token';

/** A link that opens: its booking as the page shows it. */
export interface OpenLink {
  id: string;
  bookingId: string;
  start: number;
  end: number;
  zone: string;
  siteId: string;
  siteName: string;
  address: string;
  postcode: string;
  adviserName: string;
  typeName: string;
  customerName: string;
  /** The times last offered from this link to move to, each held. */
  options: OfferedSlot[] | null;
}

// What stops a link opening: revoked, or the booking cancelled (its links are revoked with it too).
const REVOKED_BY: Partial<Record<BookingEvent['kind'], 'cancelled' | 'moved'>> = { cancelled: 'cancelled', rescheduled: 'moved' };

/**
 * Personal links: made as each reminder is claimed, opened by the page at /b/<token>,
 * revoked in the transaction that cancels or moves their booking.
 */
@Injectable()
export class LinksService extends CustomerLinks implements OnModuleInit {
  constructor(
    private readonly dataSource: DataSource,
    private readonly events: BookingEvents,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    super();
  }

  onModuleInit(): void {
    this.events.subscribe(async (manager, event) => {
      const reason = REVOKED_BY[event.kind];
      if (reason) await this.revoke(manager, event.bookingId, reason, event.at);
    });
  }

  /** A new link for the booking's customer; the token leaves this method only in the URL. */
  async issue(manager: EntityManager, bookingId: string, now: number): Promise<{ url: string; token: string }> {
    const [{ customer_id, starts_at, timezone }] = await manager.query(
      'SELECT b.customer_id, b.starts_at, s.timezone FROM bookings b JOIN sites s ON s.id = b.site_id WHERE b.id = $1',
      [bookingId],
    );
    const [issued] = await this.issueAll(manager, [{ bookingId, customerId: customer_id, start: starts_at.getTime(), zone: timezone }], now);
    return issued;
  }

  /** New links for several bookings, in one statement. */
  private async issueAll(manager: Pick<EntityManager, 'query'>, owners: Omit<LinkRequest, 'channel' | 'body'>[], now: number): Promise<{ url: string; token: string }[]> {
    const tokens = owners.map(() => tokenOf(randomBytes(TOKEN_BYTES)));
    await manager.query(
      `INSERT INTO booking_links (id, token_hash, booking_id, customer_id, expires_at, created_at)
       SELECT gen_random_uuid(), token_hash, booking_id, customer_id, expires_at, $5 FROM unnest($1::bytea[], $2::uuid[], $3::uuid[], $4::timestamptz[]) AS l(token_hash, booking_id, customer_id, expires_at)`,
      [tokens.map(tokenHash), owners.map((o) => o.bookingId), owners.map((o) => o.customerId), owners.map((o) => new Date(linkExpiry(o.start, o.zone))), new Date(now)],
    );
    return tokens.map((token) => ({ url: publicUrl(this.config, `${LINK_PATH}${token}`), token }));
  }

  async carry(manager: EntityManager, requests: LinkRequest[], now: number): Promise<LinkedText[]> {
    if (!requests.length) return [];
    const links = await this.issueAll(manager, requests, now);
    return requests.map((r, i) => {
      const sent = withLink(r.body, r.channel, links[i].url);
      return { sent, stored: maskToken(sent, links[i].token) };
    });
  }

  /**
   * The link's booking, or null for a token that is wrong, revoked, expired, or whose
   * booking is no longer booked: each looks the same from outside. Looked up by the hash,
   * which is then compared in constant time.
   */
  async open(token: string, now: number): Promise<OpenLink | null> {
    if (!isTokenShaped(token)) return null;
    const hash = tokenHash(token);
    const [row] = await this.dataSource.query(
      `SELECT l.id, l.token_hash, l.booking_id, l.options, b.starts_at, b.ends_at, s.id AS site_id, s.name AS site_name, s.address, s.postcode, s.timezone,
              a.name AS adviser_name, t.name AS type_name, c.name AS customer_name
         FROM booking_links l
         JOIN bookings b ON b.id = l.booking_id AND b.customer_id = l.customer_id
         JOIN customers c ON c.id = b.customer_id
         JOIN sites s ON s.id = b.site_id
         JOIN advisers a ON a.id = b.adviser_id
         JOIN appointment_types t ON t.id = b.appointment_type_id
        WHERE l.token_hash = $1 AND l.revoked_at IS NULL AND l.expires_at > $2 AND b.status = 'booked'`,
      [hash, new Date(now)],
    );
    if (!row || !sameHash(row.token_hash, hash)) return null;
    return {
      id: row.id,
      bookingId: row.booking_id,
      start: row.starts_at.getTime(),
      end: row.ends_at.getTime(),
      zone: row.timezone,
      siteId: row.site_id,
      siteName: row.site_name,
      address: row.address,
      postcode: row.postcode,
      adviserName: row.adviser_name,
      typeName: row.type_name,
      customerName: row.customer_name,
      options: row.options,
    };
  }

  /** Keeps the times just offered from this link, for the customer's choice. */
  async setOptions(linkId: string, options: readonly OfferedSlot[]): Promise<void> {
    await this.dataSource.query('UPDATE booking_links SET options = $2 WHERE id = $1', [linkId, JSON.stringify(options)]);
  }

  /** Every live link of the booking stops opening. */
  async revoke(manager: Pick<EntityManager, 'query'>, bookingId: string, reason: 'cancelled' | 'moved' | 'revoked', now: number): Promise<number> {
    const [, count] = await manager.query('UPDATE booking_links SET revoked_at = $2, revoked_reason = $3 WHERE booking_id = $1 AND revoked_at IS NULL', [bookingId, new Date(now), reason]);
    return count;
  }
}
