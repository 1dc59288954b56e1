import { randomUUID } from 'node:crypto';
import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Principal } from '../common/auth/principal';
import { APP_CONFIG, AppConfig } from '../common/config/config';
import { runPrepared } from '../common/database/prepared';
import { AppError, notFound } from '../common/errors/app-error';
import { BookingEvent, BookingEvents } from '../common/events/booking-events';
import { Clock } from '../common/time/clock';
import { DAY } from '../common/time/local-time';
import { urlProblem } from './domain/addresses';
import { webhookEventsFor, webhookId, WebhookEventType } from './domain/events';
import { newSecret } from './domain/signing';
import { CreatedWebhookEndpointView, CreateWebhookEndpointDto, RotatedSecretView, WebhookDeliveryView, WebhookEndpointView } from './dto/webhooks.dto';
import { AddressRefused, checkedAddresses, Resolver, systemResolver } from './safe-post';

/** Endpoints an organisation may have: enough for every system it runs, few enough that one booking cannot fan out without bound. */
export const MAX_ENDPOINTS_PER_ORGANISATION = 20;
/** After a rotation the old secret signs beside the new one this long, so receivers can switch without losing a webhook. */
export const ROTATION_OVERLAP_MS = DAY;

interface EndpointRow {
  id: string;
  url: string;
  events: WebhookEventType[];
  status: 'enabled' | 'disabled';
  disabled_reason: string | null;
  disabled_at: Date | null;
  failing_since: Date | null;
  previous_secret_until: Date | null;
  created_at: Date;
}

const ENDPOINT_COLUMNS = 'id, url, events, status, disabled_reason, disabled_at, failing_since, previous_secret_until, created_at';
const iso = (d: Date | null) => (d ? d.toISOString() : null);

const RECORD_EVENT = {
  name: 'webhook_events.record',
  text: `WITH endpoint AS (
           SELECT e.id, e.organisation_id FROM bookings b JOIN webhook_endpoints e ON e.organisation_id = b.organisation_id
            WHERE b.id = $1 AND e.status = 'enabled' AND $2 = ANY (e.events)
         ), event AS (
           INSERT INTO webhook_events (id, organisation_id, booking_id, type, occurred_at, data)
           SELECT $3, organisation_id, $1, $2, $4, $5 FROM endpoint LIMIT 1
           RETURNING id, seq
         )
         INSERT INTO webhook_deliveries (id, event_id, endpoint_id, booking_id, seq, created_at)
         SELECT gen_random_uuid(), event.id, endpoint.id, $1, event.seq, $4 FROM event, endpoint`,
};

/** The resolver endpoints' host names are checked with; tests replace it. */
export const WEBHOOK_RESOLVER = Symbol('WEBHOOK_RESOLVER');
export const webhookResolver = { provide: WEBHOOK_RESOLVER, useValue: systemResolver };

/**
 * Partners' webhook endpoints, and the events about their bookings: recorded in the
 * transaction that changed the booking, one delivery for each of the organisation's enabled
 * endpoints that asked for the type (WebhookDispatcher sends them).
 */
@Injectable()
export class WebhooksService implements OnModuleInit {
  constructor(
    private readonly dataSource: DataSource,
    private readonly events: BookingEvents,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(WEBHOOK_RESOLVER) private readonly resolve: Resolver,
  ) {}

  onModuleInit(): void {
    this.events.subscribe((manager, event) => this.record(manager, event));
  }

  /** One statement per webhook event, which writes nothing when the organisation has no endpoint for it. */
  private async record(manager: EntityManager, event: BookingEvent): Promise<void> {
    for (const draft of webhookEventsFor({ bookingId: event.bookingId, kind: event.kind, actorType: event.actor.type, data: event.data ?? {} })) {
      await runPrepared(manager, RECORD_EVENT, [event.bookingId, draft.type, randomUUID(), new Date(event.at), draft.data]);
    }
  }

  private organisationOf(principal: Principal): string {
    if (!principal.organisationId) throw new AppError(403, 'ORGANISATION_KEY_REQUIRED', "Webhook endpoints belong to an organisation: use one of its API keys");
    return principal.organisationId;
  }

  /** Refused unless the URL is https to a public address, checked by name resolution too (the address is checked again before each attempt). */
  private async checkUrl(url: string): Promise<void> {
    const problem = urlProblem(url, this.config.WEBHOOKS_ALLOW_LOOPBACK);
    if (problem) throw new AppError(422, problem.code, problem.message);
    try {
      await checkedAddresses(new URL(url).hostname, this.config.WEBHOOKS_ALLOW_LOOPBACK, this.resolve);
    } catch (error) {
      if (error instanceof AddressRefused) throw new AppError(422, 'ADDRESS_NOT_ALLOWED', `Webhooks are sent only to public addresses: ${error.message}`);
      throw new AppError(422, 'URL_UNRESOLVABLE', `The url's host name does not resolve (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    }
  }

  async create(principal: Principal, dto: CreateWebhookEndpointDto): Promise<CreatedWebhookEndpointView> {
    const organisationId = this.organisationOf(principal);
    await this.checkUrl(dto.url);
    const now = new Date(this.clock.now());
    const secret = newSecret();
    const row = await this.dataSource.transaction(async (manager) => {
      // Registrations of one organisation queue here, so the cap holds under concurrent requests.
      await manager.query('SELECT id FROM organisations WHERE id = $1 FOR UPDATE', [organisationId]);
      const [{ n }] = await manager.query('SELECT count(*)::int AS n FROM webhook_endpoints WHERE organisation_id = $1', [organisationId]);
      if (n >= MAX_ENDPOINTS_PER_ORGANISATION) {
        throw new AppError(409, 'TOO_MANY_ENDPOINTS', `An organisation may have at most ${MAX_ENDPOINTS_PER_ORGANISATION} webhook endpoints; delete one first`);
      }
      const [created]: EndpointRow[] = await manager.query(
        `INSERT INTO webhook_endpoints (id, organisation_id, url, events, secret, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING ${ENDPOINT_COLUMNS}`,
        [randomUUID(), organisationId, dto.url, dto.events, secret, now],
      );
      return created;
    });
    return { ...this.view(row), secret };
  }

  async list(principal: Principal): Promise<WebhookEndpointView[]> {
    const rows: EndpointRow[] = await this.dataSource.query(`SELECT ${ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE organisation_id = $1 ORDER BY created_at, id`, [this.organisationOf(principal)]);
    return rows.map((r) => this.view(r));
  }

  /** Its deliveries and their attempts go with it; events already sent elsewhere stay. */
  async remove(principal: Principal, id: string): Promise<void> {
    const [, deleted] = await this.dataSource.query('DELETE FROM webhook_endpoints WHERE id = $1 AND organisation_id = $2', [id, this.organisationOf(principal)]);
    if (!deleted) throw notFound('webhook endpoint', id);
  }

  async rotateSecret(principal: Principal, id: string): Promise<RotatedSecretView> {
    const now = this.clock.now();
    const secret = newSecret();
    const until = new Date(now + ROTATION_OVERLAP_MS);
    const [rows] = await this.dataSource.query(
      `UPDATE webhook_endpoints SET previous_secret = secret, previous_secret_until = $3, secret = $4, updated_at = $5 WHERE id = $1 AND organisation_id = $2 RETURNING id`,
      [id, this.organisationOf(principal), until, secret, new Date(now)],
    );
    if (!rows.length) throw notFound('webhook endpoint', id);
    return { secret, previousSecretExpiresAt: until.toISOString() };
  }

  /** Back on after being disabled: deliveries left pending are sent again, in order, with a fresh schedule. */
  async enable(principal: Principal, id: string): Promise<WebhookEndpointView> {
    const now = new Date(this.clock.now());
    return this.dataSource.transaction(async (manager) => {
      const [[row]]: [EndpointRow[], number] = await manager.query(
        `UPDATE webhook_endpoints SET status = 'enabled', disabled_reason = NULL, disabled_at = NULL, failing_since = NULL, updated_at = $3
          WHERE id = $1 AND organisation_id = $2 RETURNING ${ENDPOINT_COLUMNS}`,
        [id, this.organisationOf(principal), now],
      );
      if (!row) throw notFound('webhook endpoint', id);
      await manager.query(`UPDATE webhook_deliveries SET round = round + 1 WHERE endpoint_id = $1 AND status = 'pending' AND queued_round = round`, [id]);
      return this.view(row);
    });
  }

  private async ownEndpoint(principal: Principal, id: string): Promise<EndpointRow> {
    const [row]: EndpointRow[] = await this.dataSource.query(`SELECT ${ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE id = $1 AND organisation_id = $2`, [id, this.organisationOf(principal)]);
    if (!row) throw notFound('webhook endpoint', id);
    return row;
  }

  async deliveries(principal: Principal, endpointId: string, limit = 50, deliveryId?: string): Promise<WebhookDeliveryView[]> {
    await this.ownEndpoint(principal, endpointId);
    const rows: {
      id: string;
      event_id: string;
      type: WebhookEventType;
      booking_id: string;
      seq: string;
      status: WebhookDeliveryView['status'];
      created_at: Date;
      settled_at: Date | null;
      attempts: { at: string; statusCode: number | null; error: string | null; durationMs: number; round: number }[];
    }[] = await this.dataSource.query(
      `SELECT d.id, d.event_id, e.type, d.booking_id, d.seq, d.status, d.created_at, d.settled_at,
              coalesce((SELECT json_agg(json_build_object('at', a.attempted_at, 'statusCode', a.status_code, 'error', a.error, 'durationMs', a.duration_ms, 'round', a.round) ORDER BY a.id)
                          FROM webhook_attempts a WHERE a.delivery_id = d.id), '[]') AS attempts
         FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id
        WHERE d.endpoint_id = $1 AND ($3::uuid IS NULL OR d.id = $3)
        ORDER BY d.seq DESC LIMIT $2`,
      [endpointId, limit, deliveryId ?? null],
    );
    return rows.map((r) => ({
      id: r.id,
      webhookId: webhookId(r.event_id),
      type: r.type,
      bookingId: r.booking_id,
      sequence: Number(r.seq),
      status: r.status,
      createdAt: r.created_at.toISOString(),
      settledAt: iso(r.settled_at),
      attempts: r.attempts.map((a) => ({ ...a, at: new Date(a.at).toISOString() })),
    }));
  }

  /**
   * Sends a delivered or failed webhook again, with the same webhook-id (receivers that
   * dedupe on it will see it as a repeat) and a fresh retry schedule; it waits for any
   * earlier pending delivery about the same booking, as every delivery does.
   */
  async replay(principal: Principal, endpointId: string, deliveryId: string): Promise<WebhookDeliveryView> {
    const endpoint = await this.ownEndpoint(principal, endpointId);
    const [delivery]: { status: string }[] = await this.dataSource.query('SELECT status FROM webhook_deliveries WHERE id = $1 AND endpoint_id = $2', [deliveryId, endpointId]);
    if (!delivery) throw notFound('webhook delivery', deliveryId);
    if (endpoint.status === 'disabled') throw new AppError(409, 'ENDPOINT_DISABLED', 'The endpoint is disabled; enable it first (POST .../enable)');
    const [rows] = await this.dataSource.query(
      `UPDATE webhook_deliveries SET status = 'pending', round = round + 1, settled_at = NULL WHERE id = $1 AND status <> 'pending' RETURNING id`,
      [deliveryId],
    );
    if (!rows.length) throw new AppError(409, 'DELIVERY_PENDING', 'The delivery is still being tried');
    const [view] = await this.deliveries(principal, endpointId, 1, deliveryId);
    return view;
  }

  private view(row: EndpointRow): WebhookEndpointView {
    return {
      id: row.id,
      url: row.url,
      events: row.events,
      status: row.status,
      disabledReason: row.disabled_reason,
      disabledAt: iso(row.disabled_at),
      failingSince: iso(row.failing_since),
      previousSecretExpiresAt: row.previous_secret_until && row.previous_secret_until.getTime() > this.clock.now() ? row.previous_secret_until.toISOString() : null,
      createdAt: row.created_at.toISOString(),
    };
  }
}
