import { Controller, Get, Param, Post, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '../../common/auth/auth.decorators';
import { UuidParam } from '../../common/http/validation';
import { FollowUpsService } from '../../replies/follow-ups.service';
import { SessionStore } from '../../staff/sessions';
import { spokenDateTime } from '../format';
import { render, WebErrorFilter, WebGuard, type WebRequest } from '../web-session';
import { managedSite } from './site-access';
import { SitesQueries } from './sites.queries';

const REASONS: Record<string, string> = {
  not_understood: 'Not understood',
  move_requested: 'Wants another time, none free to offer',
  unanswerable: 'Several bookings, and no more texts wanted',
};

/**
 * The customers' replies that need a person at the site (issue 10 point 4), through the
 * replies feature's own service as the manager; "Mark as handled" resolves one, by a
 * CSRF-protected form, and comes back to the list.
 */
@ApiExcludeController()
@Public()
@UseGuards(WebGuard)
@UseFilters(WebErrorFilter)
@Controller('app/sites/:id/follow-ups')
export class FollowUpsPagesController {
  constructor(
    private readonly followUps: FollowUpsService,
    private readonly queries: SitesQueries,
    private readonly sessions: SessionStore,
  ) {}

  @Get()
  async list(@Req() request: WebRequest, @Res() response: Response, @Param('id', UuidParam) id: string): Promise<void> {
    const { principal, site } = await managedSite(this.queries, request, id);
    const [{ followUps }, flash] = await Promise.all([this.followUps.list(principal, id), this.sessions.takeFlash(request.web.session)]);
    render(request, response, 'pages/sites/follow-ups', {
      title: 'Follow-ups',
      site,
      notice: flash?.notice,
      noticeType: 'success',
      followUps: followUps.map((f) => ({
        id: f.id,
        from: f.from,
        body: f.body,
        reply: f.reply,
        reason: REASONS[f.reason] ?? f.reason,
        received: spokenDateTime(f.receivedAt, site.timezone),
        booking: f.booking && {
          customer: `${f.booking.customerName} (${f.booking.customerReference})`,
          when: spokenDateTime(f.booking.start, site.timezone),
          cancelled: f.booking.status === 'cancelled',
        },
      })),
    });
  }

  @Post(':followUpId/resolve')
  async resolve(@Req() request: WebRequest, @Res() response: Response, @Param('id', UuidParam) id: string, @Param('followUpId', UuidParam) followUpId: string): Promise<void> {
    const { principal } = await managedSite(this.queries, request, id);
    await this.followUps.resolve(principal, id, followUpId, {});
    await this.sessions.setFlash(request.web.session, { notice: 'Marked as handled: the reply is off the list.' });
    response.redirect(303, `/app/sites/${id}/follow-ups`);
  }
}
