import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../config/config';
import { AppError } from '../errors/app-error';
import { Clock } from '../time/clock';
import { hashApiKey, sameSecret } from './api-key';
import { PUBLIC_KEY, SCOPES_KEY } from './auth.decorators';
import { NIL_UUID, Principal, Scope, SCOPES } from './principal';

// Keys are looked up on every request; a short cache keeps that off the booking path.
// A revoked key therefore keeps working for up to this long.
const CACHE_MS = 30_000;

@Injectable()
export class AuthGuard implements CanActivate {
  private readonly cache = new Map<string, { principal: Principal | null; expires: number }>();

  constructor(
    private readonly reflector: Reflector,
    private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly clock: Clock,
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
    const rows: { organisation_id: string; scopes: Scope[]; site_ids: string[] }[] = await this.dataSource.query(
      'SELECT organisation_id, scopes, site_ids::text[] AS site_ids FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL',
      [hashApiKey(key)],
    );
    const principal = rows[0]
      ? {
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
