import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { Principal, Scope } from './principal';

export const PUBLIC_KEY = 'auth:public';
export const SCOPES_KEY = 'auth:scopes';

/** The route needs no API key. */
export const Public = () => SetMetadata(PUBLIC_KEY, true);

/** The caller's key must carry this scope (or admin). */
export const RequireScope = (scope: Scope) => SetMetadata(SCOPES_KEY, scope);

export const CurrentPrincipal = createParamDecorator((_: unknown, context: ExecutionContext): Principal => context.switchToHttp().getRequest().principal);
