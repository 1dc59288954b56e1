import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import IORedis from 'ioredis';
import { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../config/config';
import { hashApiKey } from './api-key';
import { KeyLife, lastUseDue, LAST_USED_RESOLUTION_MS } from './key-lifecycle';
import { Principal, Scope } from './principal';

/** An organisation's key as the guard needs it: who it speaks for, and whether it still may. */
export interface KeyRecord extends KeyLife {
  principal: Principal & { keyId: string };
}

// Keys are looked up on every request; a short cache keeps that off the booking path.
// Revocations and new rate limits do not wait for it to expire (see below).
const CACHE_MS = 30_000;
const CACHE_ENTRIES = 10_000;

/** What a message on the channel drops from the cache: one key, or every key of an organisation. */
type Stale = { keyId: string } | { organisationId: string };
const ORGANISATION = 'organisation:';

/**
 * Organisations' API keys as each API instance sees them. Its cache is trusted only while
 * this instance is subscribed to the channel in Redis: a revocation or an organisation's new
 * rate limit, published there by whichever instance made it, drops the keys concerned from
 * every instance's cache, so that it applies everywhere at once. While the subscription is down (Redis away, or none with
 * QUEUE_BACKEND=postgres) every request reads its key from PostgreSQL, and the cache starts
 * empty when the subscription is back, since revocations may have been missed meanwhile.
 */
@Injectable()
export class ApiKeys implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('ApiKeys');
  private readonly cache = new Map<string, { record: KeyRecord | null; until: number }>();
  /** When this instance last wrote each key's lastUsedAt; other instances keep their own. */
  private readonly usesWritten = new Map<string, number>();
  private subscriber: IORedis | null = null;
  private publisher: IORedis | null = null;
  private subscribed = false;
  // Counts what makes a cached record stale, so that a read begun before a revocation arrived is not cached after it.
  private generation = 0;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private get channel(): string {
    return `${this.config.QUEUE_PREFIX}:api-keys:revoked`;
  }

  onModuleInit(): void {
    if (this.config.QUEUE_BACKEND === 'postgres') return;
    const options = { connectTimeout: 1000, enableOfflineQueue: false, maxRetriesPerRequest: 1 };
    // Subscribed by hand on each (re)connection rather than by ioredis's autoResubscribe, so
    // that the cache is trusted again only once the subscription is in place.
    const subscriber = new IORedis(this.config.REDIS_URL, { ...options, autoResubscribe: false });
    subscriber.on('error', () => undefined);
    subscriber.on('close', () => {
      this.subscribed = false;
      this.generation++;
      this.cache.clear();
    });
    subscriber.on('ready', () => {
      subscriber.subscribe(this.channel).then(
        () => {
          this.generation++;
          this.cache.clear();
          this.subscribed = true;
        },
        // The connection failed again; its next 'ready' tries anew.
        () => undefined,
      );
    });
    subscriber.on('message', (_channel: string, message: string) =>
      this.forget(message.startsWith(ORGANISATION) ? { organisationId: message.slice(ORGANISATION.length) } : { keyId: message }),
    );
    this.subscriber = subscriber;
    this.publisher = new IORedis(this.config.REDIS_URL, { ...options, commandTimeout: 1000 });
    this.publisher.on('error', () => undefined);
  }

  /** The organisation key whose secret is `key`, revoked or expired ones included; null for none. */
  async find(key: string, now: number): Promise<KeyRecord | null> {
    const hash = hashApiKey(key).toString('hex');
    const cached = this.subscribed ? this.cache.get(hash) : undefined;
    if (cached && cached.until > now) return cached.record;
    const generation = this.generation;
    const rows: {
      id: string;
      organisation_id: string;
      scopes: Scope[];
      site_ids: string[];
      burst: number | null;
      per_minute: number | null;
      expires_at: Date | null;
      revoked_at: Date | null;
    }[] = await this.dataSource.query(
      `SELECT k.id, k.organisation_id, k.scopes, k.site_ids::text[] AS site_ids, r.burst, r.per_minute, k.expires_at, k.revoked_at
         FROM api_keys k LEFT JOIN rate_limits r ON r.organisation_id = k.organisation_id
        WHERE k.key_hash = $1`,
      [hashApiKey(key)],
    );
    const row = rows[0];
    const record: KeyRecord | null = row
      ? {
          principal: {
            keyId: row.id,
            rateLimit: row.burst === null || row.per_minute === null ? null : { burst: row.burst, perMinute: row.per_minute },
            clientId: row.organisation_id,
            organisationId: row.organisation_id,
            scopes: new Set(row.scopes),
            admin: row.scopes.includes('admin'),
            managedSites: new Set(row.site_ids),
          },
          expiresAt: row.expires_at?.getTime() ?? null,
          revokedAt: row.revoked_at?.getTime() ?? null,
        }
      : null;
    if (this.subscribed && generation === this.generation) {
      if (this.cache.size > CACHE_ENTRIES) this.cache.clear();
      this.cache.set(hash, { record, until: now + CACHE_MS });
    }
    return record;
  }

  /**
   * Notes that the key was used at `now`. Written at most once a minute per key: this
   * instance asks at most that often, and the UPDATE's condition stops a second instance
   * writing within the same minute. Bookkeeping only: the request does not wait for it, and
   * a failure is logged, not answered.
   */
  used(keyId: string, now: number): void {
    void this.writeUse(keyId, now);
  }

  private async writeUse(keyId: string, now: number): Promise<void> {
    if (!lastUseDue(this.usesWritten.get(keyId), now)) return;
    if (this.usesWritten.size > CACHE_ENTRIES) this.usesWritten.clear();
    this.usesWritten.set(keyId, now);
    try {
      await this.dataSource.query(
        `UPDATE api_keys SET last_used_at = $2 WHERE id = $1 AND (last_used_at IS NULL OR last_used_at <= $2::timestamptz - $3 * interval '1 millisecond')`,
        [keyId, new Date(now), LAST_USED_RESOLUTION_MS],
      );
    } catch (error) {
      this.logger.warn(`lastUsedAt of key ${keyId} not written: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /** Tells every instance, this one at once, that the key is revoked (already saved in PostgreSQL). */
  revoked(keyId: string): Promise<void> {
    return this.announce({ keyId }, keyId, `Revocation of key ${keyId}`);
  }

  /** Tells every instance, this one at once, that the organisation's rate limit changed (already saved). */
  limitsChanged(organisationId: string): Promise<void> {
    return this.announce({ organisationId }, ORGANISATION + organisationId, `The rate limit of organisation ${organisationId}`);
  }

  private async announce(stale: Stale, message: string, what: string): Promise<void> {
    this.forget(stale);
    if (!this.publisher) return;
    try {
      await this.publisher.publish(this.channel, message);
    } catch (error) {
      // An instance still subscribed to a Redis this one cannot reach keeps what it cached for at most CACHE_MS.
      this.logger.warn(`${what} not published, other instances may keep the old one for up to ${CACHE_MS / 1000} s: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private forget(stale: Stale): void {
    this.generation++;
    const matches = 'keyId' in stale ? (p: KeyRecord['principal']) => p.keyId === stale.keyId : (p: KeyRecord['principal']) => p.organisationId === stale.organisationId;
    for (const [hash, entry] of this.cache) if (entry.record && matches(entry.record.principal)) this.cache.delete(hash);
  }

  onModuleDestroy(): void {
    this.subscriber?.disconnect();
    this.publisher?.disconnect();
  }
}
