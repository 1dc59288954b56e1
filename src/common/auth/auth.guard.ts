import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { APP_CONFIG, AppConfig } from '../config/config';
import { AppError } from '../errors/app-error';
import { RateLimiter } from '../rate-limit/rate-limiter';
import { Clock } from '../time/clock';
import { sameSecret } from './api-key';
import { ApiKeys } from './api-keys';
import { keyStatus } from './key-lifecycle';
import { PUBLIC_KEY, SCOPES_KEY } from './auth.decorators';
import { NIL_UUID, Principal, Scope, SCOPES } from './principal';

const CHALLENGE = { 'WWW-Authenticate': 'Bearer' };
// RFC 6750: a key that was good and no longer is, told apart from one never known.
const INVALID_TOKEN = { 'WWW-Authenticate': 'Bearer error="invalid_token"' };

@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly keys: ApiKeys,
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
    if (!match) throw new AppError(401, 'UNAUTHENTICATED', 'Send an API key as "Authorization: Bearer <key>"', undefined, CHALLENGE);
    const principal = await this.principalFor(match[1]);
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

  private async principalFor(key: string): Promise<Principal> {
    if (sameSecret(key, this.config.ADMIN_API_KEY)) {
      return { clientId: NIL_UUID, organisationId: null, scopes: new Set(SCOPES), admin: true };
    }
    const now = this.clock.now();
    const record = await this.keys.find(key, now);
    if (!record) throw new AppError(401, 'UNAUTHENTICATED', 'The API key is not valid', undefined, CHALLENGE);
    const status = keyStatus(record, now);
    if (status === 'revoked') throw new AppError(401, 'API_KEY_REVOKED', 'This API key has been revoked; ask its organisation for another', undefined, INVALID_TOKEN);
    if (status === 'expired') throw new AppError(401, 'API_KEY_EXPIRED', 'This API key has expired; ask its organisation for another', undefined, INVALID_TOKEN);
    this.keys.used(record.principal.keyId, now);
    return record.principal;
  }
}
