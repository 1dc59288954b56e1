import { applyDecorators, createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import { ApiErrors } from '../http/openapi';
import type { Principal, Scope } from './principal';

export const PUBLIC_KEY = 'auth:public';
export const SCOPES_KEY = 'auth:scopes';

/** The route needs no API key. */
export const Public = () => SetMetadata(PUBLIC_KEY, true);

/** The caller's key must carry this scope (or admin); documented with the guard's two refusals. */
export const RequireScope = (scope: Scope) => applyDecorators(SetMetadata(SCOPES_KEY, scope), ApiErrors(401, 403));

export const CurrentPrincipal = createParamDecorator((_: unknown, context: ExecutionContext): Principal => context.switchToHttp().getRequest().principal);
