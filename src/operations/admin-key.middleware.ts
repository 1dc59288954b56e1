import type { RequestHandler } from 'express';
import { sameSecret } from '../common/auth/api-key';

/**
 * The secret offered in an Authorization header: a bearer token, or the password of Basic
 * credentials, whatever the user name, which is what a browser's sign-in prompt sends.
 */
export function offeredSecret(header: unknown): string | null {
  if (typeof header !== 'string') return null;
  const bearer = /^Bearer\s+(\S+)$/i.exec(header);
  if (bearer) return bearer[1];
  const basic = /^Basic\s+([A-Za-z0-9+/]+={0,2})$/i.exec(header);
  if (!basic) return null;
  const credentials = Buffer.from(basic[1], 'base64').toString('utf8');
  // RFC 7617: the user id cannot contain a colon, so the first one ends it.
  const colon = credentials.indexOf(':');
  return colon < 0 ? null : credentials.slice(colon + 1);
}

/**
 * Lets through only requests that carry the bootstrap admin key, for pages that live
 * outside Nest's routing and so outside the global AuthGuard. A refusal challenges with
 * Basic, so that a browser asks for the key instead of showing the JSON.
 */
export function adminKeyOnly(adminKey: string, realm: string): RequestHandler {
  return (request, response, next) => {
    const secret = offeredSecret(request.headers.authorization);
    if (secret !== null && sameSecret(secret, adminKey)) return next();
    response
      .status(401)
      .set('WWW-Authenticate', `Basic realm="${realm}"`)
      .json({
        code: 'UNAUTHENTICATED',
        message: secret === null ? 'Sign in with the admin API key as the password (any user name), or send "Authorization: Bearer <admin key>"' : 'The admin API key is not valid',
      });
  };
}
