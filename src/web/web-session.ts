import { randomBytes } from 'node:crypto';
import { ArgumentsHost, CanActivate, Catch, ExceptionFilter, ExecutionContext, HttpException, Inject, Injectable, Logger, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { Principal } from '../common/auth/principal';
import { APP_CONFIG, AppConfig } from '../common/config/config';
import { AppError } from '../common/errors/app-error';
import { keptFields, nextPath, returnPath } from '../staff/domain/resume';
import { maySeeBooking, principalOf, Role, StaffMember } from '../staff/domain/roles';
import { csrfMatches, maskCsrf } from '../staff/domain/csrf';
import { Session, SessionStore } from '../staff/sessions';
import { StaffService } from '../staff/staff.service';
import { sendPage } from './page-encoding';
import { SERVICE_NAME } from './views';

export const COOKIE = 'cb_session';
const SIGNED_OUT_KEY = 'web:signed-out';

/** The page is for people who have not signed in (the sign-in form): a session is made for its CSRF token. */
export const SignedOut = () => SetMetadata(SIGNED_OUT_KEY, true);

/** What the guard found for a page request. */
export interface WebRequest extends Request {
  web: { session: Session; staff: StaffMember | null; principal: Principal | null };
}

/** A signed-in page, reached without a live session: sign in first. */
export class SignInRequired extends Error {}
/** A form posted without this session's CSRF token. */
export class CsrfRefused extends Error {}

function cookieOf(request: Request, name: string): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim();
  }
  return undefined;
}

/**
 * The session cookie: HttpOnly (no script reads it), SameSite=Lax (no other site's form posts
 * it), Secure when the service is reached over https, and scoped to the pages: the API never
 * sees it, so it cannot stand in for an API key.
 */
export function setSessionCookie(response: Response, config: AppConfig, session: Session | null): void {
  const secure = config.PUBLIC_BASE_URL.startsWith('https:') ? '; Secure' : '';
  const value = session ? `${COOKIE}=${session.token}` : `${COOKIE}=; Max-Age=0`;
  response.setHeader('Set-Cookie', `${value}; Path=/app; HttpOnly; SameSite=Lax${secure}`);
}

/**
 * Every page: finds the session, refuses a form without its CSRF token (synchroniser token
 * pattern), and sends anybody not signed in to the sign-in page. Pages act as the signed-in
 * person's principal, so the services apply the API's own rules to them.
 */
@Injectable()
export class WebGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly sessions: SessionStore,
    private readonly staff: StaffService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<WebRequest>();
    const response = context.switchToHttp().getResponse<Response>();
    const signedOut = this.reflector.getAllAndOverride<boolean>(SIGNED_OUT_KEY, [context.getHandler(), context.getClass()]);
    let session = await this.sessions.find(cookieOf(request, COOKIE));
    if (request.method !== 'GET') {
      // A signed-in form posted after its session ended changes nothing either: sign in again,
      // and find what was typed put back.
      if (!session && !signedOut) {
        await this.keepForm(request, response);
        throw new SignInRequired();
      }
      if (!session || !csrfMatches(session, (request.body as Record<string, unknown> | undefined)?._csrf)) throw new CsrfRefused();
    }
    if (!session) {
      if (!signedOut) throw new SignInRequired();
      session = await this.sessions.anonymous();
      setSessionCookie(response, this.config, session);
    }
    const staff = session.staffId ? await this.staff.byId(session.staffId) : null;
    if (!staff && !signedOut) throw new SignInRequired();
    request.web = { session, staff, principal: staff ? principalOf(staff) : null };
    return true;
  }

  /**
   * Keeps a form posted to a session that has ended, on a fresh signed-out session, for the
   * person whose session it was. Only a form the ended session's CSRF token vouches for: a
   * forged post keeps nothing.
   */
  private async keepForm(request: Request, response: Response): Promise<void> {
    const ended = await this.sessions.ended(cookieOf(request, COOKIE));
    const body = request.body as Record<string, unknown> | undefined;
    if (!ended || !csrfMatches(ended, body?._csrf)) return;
    const kept = await this.sessions.keep({ staffId: ended.staffId, returnTo: returnPath(request.headers.referer, request.headers.host), fields: keptFields(body) });
    setSessionCookie(response, this.config, kept);
  }
}

/** The work coach (or admin) booking for customers, as their organisation's principal; anybody else is refused. */
export function booker(request: WebRequest): Principal {
  if (!request.web.staff || !maySeeBooking(request.web.staff.role)) throw new AppError(403, 'FORBIDDEN', 'Booking is for work coaches: your account cannot book appointments.');
  return request.web.principal!;
}

// Each role's pages, in the order they sit in the service navigation.
const NAVIGATION: { href: string; text: string; views: string; may: (role: Role) => boolean }[] = [
  { href: '/app/book', text: 'Book', views: 'pages/book/', may: maySeeBooking },
  { href: '/app/bookings', text: 'Find appointments', views: 'pages/bookings/', may: maySeeBooking },
  { href: '/app/day', text: 'My day', views: 'pages/day/', may: (role) => role === 'adviser' },
  { href: '/app/sites', text: 'Sites', views: 'pages/sites/', may: (role) => role === 'site_manager' || role === 'admin' },
  { href: '/app/staff', text: 'Staff', views: 'pages/staff/', may: (role) => role === 'admin' },
];

/**
 * Renders a page with what every page needs: the signed-in person, the CSRF token for its
 * forms (masked afresh for this page) and a nonce for its scripts, under a
 * Content-Security-Policy that runs no other script (a second line behind the templates'
 * escaping). Sent compressed when that is safe (page-encoding.ts).
 */
export function render(request: Request, response: Response, view: string, model: Record<string, unknown>, status = 200, headers: Record<string, string> = {}): void {
  const web = (request as Partial<WebRequest>).web;
  const cspNonce = randomBytes(16).toString('base64');
  response.setHeader(
    'Content-Security-Policy',
    `default-src 'self'; script-src 'self' 'nonce-${cspNonce}'; style-src 'self'; img-src 'self' data:; font-src 'self'; ` +
      "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'",
  );
  response.setHeader('X-Content-Type-Options', 'nosniff');
  response.setHeader('Referrer-Policy', 'same-origin');
  // Pages show customers' details: not for shared caches, nor for the back button after sign-out.
  response.setHeader('Cache-Control', 'no-store');
  // A page's own, over these (a customer's link page keeps even its referrer to itself).
  for (const [name, value] of Object.entries(headers)) response.setHeader(name, value);
  const staff = web?.staff ?? null;
  const navigation = staff ? NAVIGATION.filter((n) => n.may(staff.role)).map((n) => ({ href: n.href, text: n.text, active: view.startsWith(n.views) })) : [];
  const csrfToken = web ? maskCsrf(web.session.csrfToken) : undefined;
  response.status(status).render(view, { serviceName: SERVICE_NAME, staff, csrfToken, cspNonce, navigation, errors: [], fieldErrors: {}, values: {}, ...model }, (error, html) => {
    if (error) return request.next!(error);
    sendPage(request, response, html);
  });
}

/** The sign-in page, to go on to `next` (a nextPath) once signed in. */
export const signInPage = (next: string | null): string => (next ? `/app/sign-in?next=${encodeURIComponent(next)}` : '/app/sign-in');

/** Answers for people: a page, or a redirect to sign in, never the API's JSON. */
@Catch()
export class WebErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('WebErrorFilter');

  catch(error: unknown, host: ArgumentsHost): void {
    const request = host.switchToHttp().getRequest<Request>();
    const response = host.switchToHttp().getResponse<Response>();
    // A page asked for by a plain GET is gone on to once signed in; a form is kept instead (keepForm).
    if (error instanceof SignInRequired) return response.redirect(303, signInPage(request.method === 'GET' ? nextPath(request.originalUrl) : null));
    if (error instanceof CsrfRefused) {
      return render(request, response, 'pages/error', {
        title: 'This form has expired',
        message: 'The form was not sent from an open page of this service, so nothing was changed. Go back, reload the page and try again.',
        link: { href: '/app', text: 'Go to the start' },
      }, 403);
    }
    const status = error instanceof AppError ? error.status : error instanceof HttpException ? error.getStatus() : 500;
    if (status === 404) {
      return render(request, response, 'pages/error', { title: 'Page not found', message: 'There is no such page, or it is not yours to see.', link: { href: '/app', text: 'Go to the start' } }, 404);
    }
    if (status < 500) {
      return render(request, response, 'pages/error', { title: 'There is a problem', message: (error as Error).message, link: { href: '/app', text: 'Go to the start' } }, status);
    }
    this.logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    render(request, response, 'pages/error', { title: 'Sorry, there is a problem with the service', message: 'Try again in a few minutes.' }, 500);
  }
}

/** The message next to each field, from the error summary's entries. */
export function fieldErrorsOf(errors: { href: string; text: string }[] = []): Record<string, string> {
  const byField: Record<string, string> = {};
  for (const error of errors) byField[error.href.slice(1)] ??= error.text;
  return byField;
}
