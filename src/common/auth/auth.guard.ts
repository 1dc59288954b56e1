import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../config/config';
import { AppError } from '../errors/app-error';
import { RateLimiter } from '../rate-limit/rate-limiter';
import { Clock } from '../time/clock';
import { hashApiKey, sameSecret } from './api-key';
import { PUBLIC_KEY, SCOPES_KEY } from './auth.decorators';
import { NIL_UUID, Principal, Scope, SCOPES } from './principal';

// Keys are looked up on every request; a short cache keeps that off the booking path.
// A revoked key therefore keeps working for up to this long, and new limits take as long.
const CACHE_MS = 30_000;

@Injectable()
export class AuthGuard implements CanActivate {
  private readonly cache = new Map<string, { principal: Principal | null; expires: number }>();

  constructor(
    private readonly reflector: Reflector,
    private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly limiter: RateLimiter,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const request = context.switchToHttp().getRequest();
    const header: unknown = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header) : null;
    if (!match) throw new AppError(401, 'UNAUTHENTICATED', 'Send an API key as "Authorization: Bearer <key>"', undefined, { 'WWW-Authenticate': 'Bearer' });
    const principal = await this.principalFor(match[1]);
    if (!principal) throw new AppError(401, 'UNAUTHENTICATED', 'The API key is not valid', undefined, { 'WWW-Authenticate': 'Bearer' });
    // Only organisations' keys are limited: the bootstrap admin key is the operator's own.
    if (principal.keyId) {
      const verdict = await this.limiter.take(principal.keyId, principal.rateLimit ?? this.limiter.defaults);
      if (!verdict.allowed) throw new AppError(429, 'RATE_LIMITED', 'Too many requests with this API key; retry after Retry-After seconds', undefined, verdict.headers);
      const response = context.switchToHttp().getResponse();
      for (const [name, value] of Object.entries(verdict.headers)) response.setHeader(name, value);
    }
    const scope = this.reflector.getAllAndOverride<Scope | undefined>(SCOPES_KEY, targets);
    if (scope && !principal.admin && !principal.scopes.has(scope)) {
      throw new AppError(403, 'FORBIDDEN', `This API key lacks the "${scope}" scope`);
    }
    request.principal = principal;
    return true;
  }

  private async principalFor(key: string): Promise<Principal | null> {
    if (sameSecret(key, this.config.ADMIN_API_KEY)) {
      return { clientId: NIL_UUID, organisationId: null, scopes: new Set(SCOPES), admin: true };
    }
    const cacheKey = hashApiKey(key).toString('hex');
    const cached = this.cache.get(cacheKey);
    if (cached && cached.expires > this.clock.now()) return cached.principal;
    const rows: { id: string; organisation_id: string; scopes: Scope[]; site_ids: string[]; burst: number | null; per_minute: number | null }[] = await this.dataSource.query(
      `SELECT k.id, k.organisation_id, k.scopes, k.site_ids::text[] AS site_ids, r.burst, r.per_minute
         FROM api_keys k LEFT JOIN rate_limits r ON r.organisation_id = k.organisation_id
        WHERE k.key_hash = $1 AND k.revoked_at IS NULL`,
      [hashApiKey(key)],
    );
    const principal = rows[0]
      ? {
          keyId: rows[0].id,
          rateLimit: rows[0].burst === null || rows[0].per_minute === null ? null : { burst: rows[0].burst, perMinute: rows[0].per_minute },
          clientId: rows[0].organisation_id,
          organisationId: rows[0].organisation_id,
          scopes: new Set(rows[0].scopes),
          admin: rows[0].scopes.includes('admin'),
          managedSites: new Set(rows[0].site_ids),
        }
      : null;
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(cacheKey, { principal, expires: this.clock.now() + CACHE_MS });
    return principal;
  }
}
