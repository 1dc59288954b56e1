import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import IORedis from 'ioredis';
import { APP_CONFIG, AppConfig } from '../config/config';

export interface Limits {
  /** Requests that may come at once: the bucket's size. */
  burst: number;
  /** Requests a minute it refills at. */
  perMinute: number;
}

export interface Verdict {
  allowed: boolean;
  /** The RateLimit and RateLimit-Policy headers (draft-ietf-httpapi-ratelimit-headers), and Retry-After when refused. */
  headers: Record<string, string>;
}

// One token bucket per key in a Redis hash, taken and refilled in one script so that every
// API instance draws from the same bucket without a race. Redis's clock, not the instance's:
// instances whose clocks disagree would otherwise refill a bucket by different amounts.
const TAKE = `
local burst = tonumber(ARGV[1])
local per_ms = tonumber(ARGV[2])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1]) or burst
local at = tonumber(state[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - at) * per_ms)
local allowed = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil((burst - tokens) / per_ms) + 1000)
return {allowed, tostring(tokens)}
`;

// A limiter that waits on a slow Redis slows every request it guards: past this, let the request through.
const COMMAND_TIMEOUT_MS = 250;
// While Redis is away every request would log; once in this long is enough to be noticed.
const WARN_EVERY_MS = 10_000;

type WithTake = IORedis & { takeToken(key: string, burst: number, perMs: number): Promise<[number, string]> };

/**
 * Per-key rate limits shared by every API instance through Redis. If Redis cannot answer,
 * requests go through (fail open): bookings need only PostgreSQL, and refusing every
 * partner's every request because the limiter's store is away would turn a Redis outage
 * into an outage of the whole API, which is worse than a while without limits. A
 * deployment without Redis (QUEUE_BACKEND=postgres) has no limits.
 */
@Injectable()
export class RateLimiter implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('RateLimiter');
  private redis: WithTake | null = null;
  private warnedAt = -Infinity;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  onModuleInit(): void {
    if (this.config.QUEUE_BACKEND === 'postgres') {
      this.logger.log('No rate limits: they are kept in Redis, which QUEUE_BACKEND=postgres runs without');
      return;
    }
    // Connected now, so that the first requests are counted rather than let through while it connects.
    // No offline queue and one try: while Redis is away a request learns so at once and goes through.
    const redis = new IORedis(this.config.REDIS_URL, { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 1000, commandTimeout: COMMAND_TIMEOUT_MS });
    // ioredis reconnects by itself; without a listener each failed attempt would be an unhandled 'error'.
    redis.on('error', () => undefined);
    redis.defineCommand('takeToken', { numberOfKeys: 1, lua: TAKE });
    this.redis = redis as WithTake;
  }

  get defaults(): Limits {
    return { burst: this.config.RATE_LIMIT_BURST, perMinute: this.config.RATE_LIMIT_PER_MINUTE };
  }

  /** Takes a token from the bucket of `key` (an API key's id) for one request. */
  async take(key: string, limits: Limits): Promise<Verdict> {
    if (!this.redis) return { allowed: true, headers: {} };
    const perMs = limits.perMinute / 60_000;
    let tokens: number;
    let allowed: boolean;
    try {
      const [ok, left] = await this.redis.takeToken(`${this.config.QUEUE_PREFIX}:rate-limit:${key}`, limits.burst, perMs);
      allowed = ok === 1;
      tokens = Number(left);
    } catch (error) {
      if (Date.now() - this.warnedAt >= WARN_EVERY_MS) {
        this.warnedAt = Date.now();
        this.logger.warn(`Rate limits not applied, Redis did not answer: ${error instanceof Error ? error.message : String(error)}`);
      }
      return { allowed: true, headers: {} };
    }
    // The draft's quota over a window, for a bucket: its size, over the time it takes to fill from empty.
    const window = Math.ceil(limits.burst / perMs / 1000);
    const headers: Record<string, string> = {
      'RateLimit-Policy': `"per-key";q=${limits.burst};w=${window}`,
      'RateLimit': `"per-key";r=${Math.floor(tokens)};t=${Math.ceil((limits.burst - tokens) / perMs / 1000)}`,
    };
    if (!allowed) headers['Retry-After'] = String(Math.max(1, Math.ceil((1 - tokens) / perMs / 1000)));
    return { allowed, headers };
  }

  onModuleDestroy(): void {
    this.redis?.disconnect();
  }
}
