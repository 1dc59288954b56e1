import { ArgumentsHost, Catch, Controller, ExceptionFilter, Get, Logger, Param, Post, Query, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { DataSource } from 'typeorm';
import { Public } from '../common/auth/auth.decorators';
import { Limits, RateLimiter } from '../common/rate-limit/rate-limiter';
import { Clock } from '../common/time/clock';
import { MINUTE } from '../common/time/local-time';
import { messageValues } from '../reminders/domain/message-values';
import { CustomerActions } from '../replies/customer-actions';
import { HELPLINE } from '../replies/domain/conversation';
import { spokenDateTime } from '../web/format';
import { formField } from '../web/form-field';
import { fieldErrorsOf, render } from '../web/web-session';
import { LINK_PATH } from './domain/link-token';
import { LinksService, OpenLink } from './links.service';

// Per client address. A customer needs a handful of pages, but customers on a jobcentre's
// or a library's wifi share one address. The tokens' 128 bits need no limit against
// guessing; this keeps one address from loading the service.
const LIMITS: Limits = { burst: 60, perMinute: 60 };

// Over what every page sends (Cache-Control: no-store among them): the token is in the
// address, so it goes to no other site as a referrer, and no search engine keeps the page.
const PRIVATE = { 'Referrer-Policy': 'no-referrer', 'X-Robots-Tag': 'noindex, nofollow' };

const NOTICES: Record<string, string> = {
  confirmed: 'Thank you, your appointment is confirmed.',
  moved: 'Your appointment has been moved. This is your new time.',
};

class LinkNotFound extends Error {}
class LinkRateLimited extends Error {}

const page = (request: Request, response: Response, view: string, model: Record<string, unknown>, status = 200) =>
  render(request, response, `pages/link/${view}`, { helpline: HELPLINE, ...model }, status, PRIVATE);

/** A wrong, revoked or expired token, or too many requests: the same plain pages, with nothing of the staff pages. */
@Catch()
export class LinkErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('LinkPage');

  catch(error: unknown, host: ArgumentsHost): void {
    const request = host.switchToHttp().getRequest<Request>();
    const response = host.switchToHttp().getResponse<Response>();
    if (error instanceof LinkRateLimited) return page(request, response, 'message', { title: 'Too many requests', message: 'Wait a minute, then try again.' }, 429);
    if (error instanceof LinkNotFound) {
      return page(request, response, 'message', {
        title: 'This link does not work',
        message: 'The link may be mistyped, or no longer work because the appointment was cancelled, moved or has passed. A newer text or email may have a link that works.',
      }, 404);
    }
    this.logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    page(request, response, 'message', { title: 'Sorry, there is a problem with the service', message: 'Try again in a few minutes.' }, 500);
  }
}

/**
 * The page a reminder's personal link opens, with no sign-in: the appointment, and confirm,
 * cancel or move it, by plain forms that need no script. The token in the path is the
 * customer's only credential and, being secret, also what keeps another site from posting
 * these forms. Each action is the SMS replies' own, recorded as the customer's.
 */
@ApiExcludeController()
@Public()
@UseFilters(LinkErrorFilter)
@Controller(LINK_PATH.replaceAll('/', ''))
export class LinkPageController {
  constructor(
    private readonly links: LinksService,
    private readonly actions: CustomerActions,
    private readonly limiter: RateLimiter,
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  /** The link's booking, once the client's address is within its limit. */
  private async open(request: Request, response: Response, token: string): Promise<OpenLink> {
    // On every answer, redirects too: each carries the token in its address.
    for (const [name, value] of Object.entries(PRIVATE)) response.setHeader(name, value);
    response.setHeader('Cache-Control', 'no-store');
    const verdict = await this.limiter.take(`link:${request.ip}`, LIMITS);
    for (const [name, value] of Object.entries(verdict.headers)) response.setHeader(name, value);
    if (!verdict.allowed) throw new LinkRateLimited();
    const link = await this.links.open(token, this.clock.now());
    if (!link) throw new LinkNotFound();
    return link;
  }

  private appointment(link: OpenLink) {
    const values = messageValues({
      customerName: link.customerName,
      adviserName: link.adviserName,
      appointmentName: link.typeName,
      description: null,
      whatToBring: null,
      durationMinutes: (link.end - link.start) / MINUTE,
      siteName: link.siteName,
      address: link.address,
      postcode: link.postcode,
      start: link.start,
      zone: link.zone,
    });
    return {
      what: link.typeName,
      when: `${spokenDateTime(link.start, link.zone)} (${values.duration})`,
      where: `${link.siteName}, ${values.address}`,
      withWhom: `${link.adviserName}, careers adviser`,
    };
  }

  @Get(':token')
  async show(@Req() request: Request, @Res() response: Response, @Param('token') token: string, @Query('done') done: unknown): Promise<void> {
    const link = await this.open(request, response, token);
    const notice = typeof done === 'string' && Object.hasOwn(NOTICES, done) ? NOTICES[done] : null;
    page(request, response, 'appointment', {
      title: 'Your careers appointment',
      appointment: this.appointment(link),
      started: link.start <= this.clock.now(),
      base: `${LINK_PATH}${token}`,
      notice,
      noticeType: 'success',
    });
  }

  @Post(':token/confirm')
  async confirm(@Req() request: Request, @Res() response: Response, @Param('token') token: string): Promise<void> {
    const link = await this.open(request, response, token);
    const now = this.clock.now();
    const confirmed = await this.dataSource.transaction((manager) => this.actions.confirm(manager, { id: link.bookingId, start: link.start }, { via: 'link', linkId: link.id }, now));
    if (!confirmed) return this.notChanged(request, response);
    response.redirect(303, `${LINK_PATH}${token}?done=confirmed`);
  }

  @Get(':token/cancel')
  async cancelQuestion(@Req() request: Request, @Res() response: Response, @Param('token') token: string): Promise<void> {
    const link = await this.open(request, response, token);
    page(request, response, 'cancel', { title: 'Are you sure you want to cancel your appointment?', appointment: this.appointment(link), base: `${LINK_PATH}${token}`, backLink: `${LINK_PATH}${token}` });
  }

  @Post(':token/cancel')
  async cancel(@Req() request: Request, @Res() response: Response, @Param('token') token: string): Promise<void> {
    const link = await this.open(request, response, token);
    if (!(await this.actions.cancel(link.bookingId, 'Cancelled through the link in a reminder', 'link', this.clock.now()))) return this.notChanged(request, response);
    // The link is revoked with the booking: this page is the last it shows.
    page(request, response, 'message', {
      title: 'Your appointment is cancelled',
      message: `Your appointment on ${spokenDateTime(link.start, link.zone)} is cancelled, and the time can go to someone else. For a new appointment, ask your work coach or call the free helpline.`,
    });
  }

  /** Finds and holds up to three other times, as a MOVE by text does, giving back any this link held before. */
  @Post(':token/rebook')
  async offer(@Req() request: Request, @Res() response: Response, @Param('token') token: string): Promise<void> {
    const link = await this.open(request, response, token);
    const now = this.clock.now();
    if (link.options) await this.actions.release(link.options.map((o) => o.holdId), now);
    const slots = await this.actions.offer({ id: link.bookingId, siteId: link.siteId, siteName: link.siteName, start: link.start, zone: link.zone }, now);
    await this.links.setOptions(link.id, slots);
    response.redirect(303, `${LINK_PATH}${token}/rebook`);
  }

  @Get(':token/rebook')
  async options(@Req() request: Request, @Res() response: Response, @Param('token') token: string): Promise<void> {
    const link = await this.open(request, response, token);
    if (!link.options) return response.redirect(303, `${LINK_PATH}${token}`);
    this.optionsPage(request, response, token, link, []);
  }

  private optionsPage(request: Request, response: Response, token: string, link: OpenLink, errors: { href: string; text: string }[], status = 200): void {
    page(request, response, 'rebook', {
      title: link.options!.length ? 'Choose a new time' : 'No other times are free',
      errors,
      fieldErrors: fieldErrorsOf(errors),
      current: spokenDateTime(link.start, link.zone),
      options: link.options!.map((o, i) => ({ value: String(i + 1), text: spokenDateTime(o.start, o.zone) })),
      siteName: link.siteName,
      base: `${LINK_PATH}${token}`,
      backLink: `${LINK_PATH}${token}`,
    }, status);
  }

  @Post(':token/rebook/choose')
  async choose(@Req() request: Request, @Res() response: Response, @Param('token') token: string): Promise<void> {
    const link = await this.open(request, response, token);
    const options = link.options ?? [];
    const option = formField(request.body, 'option');
    const chosen = /^[1-9]$/.test(option) ? options[Number(option) - 1] : undefined;
    if (!chosen) {
      if (!link.options) return response.redirect(303, `${LINK_PATH}${token}`);
      return this.optionsPage(request, response, token, link, [{ href: '#option', text: 'Choose one of the times' }], 400);
    }
    const now = this.clock.now();
    const others = options.filter((o) => o !== chosen).map((o) => o.holdId);
    if (!(await this.actions.move(link.bookingId, chosen, others, now))) {
      await this.links.setOptions(link.id, options.filter((o) => o !== chosen));
      return this.optionsPage(request, response, token, { ...link, options: options.filter((o) => o !== chosen) }, [{ href: '#option', text: `The time on ${spokenDateTime(chosen.start, chosen.zone)} has just gone. Choose another time.` }], 409);
    }
    // Moving revoked this link with the booking's others: the customer goes on with a new one.
    const fresh = await this.dataSource.transaction((manager) => this.links.issue(manager, link.bookingId, now));
    response.redirect(303, `${LINK_PATH}${fresh.token}?done=moved`);
  }

  private notChanged(request: Request, response: Response): void {
    page(request, response, 'message', {
      title: 'Your appointment could not be changed',
      message: 'It was cancelled, moved or started before this could be done. Call the free helpline if you need help.',
    }, 409);
  }
}
