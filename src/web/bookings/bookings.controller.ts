import { Controller, Get, Param, Post, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { BookingsService } from '../../bookings/bookings.service';
import { BookingView } from '../../bookings/dto/bookings.dto';
import { Public } from '../../common/auth/auth.decorators';
import { Principal } from '../../common/auth/principal';
import { AppError } from '../../common/errors/app-error';
import { UuidParam } from '../../common/http/validation';
import { Clock } from '../../common/time/clock';
import { SessionStore } from '../../staff/sessions';
import { BookQueries } from '../book/book.queries';
import { searchQuery } from '../book/search';
import { spokenDateTime } from '../format';
import { formField } from '../form-field';
import { booker, fieldErrorsOf, render, WebErrorFilter, WebGuard, type WebRequest } from '../web-session';
import { checkCancelForm } from './cancel-form';

const OUTCOMES: Record<string, string> = { attended: 'Attended', late: 'Attended late', dna: 'Did not attend', cancelled_late: 'Cancelled on the day', left_unseen: 'Left unseen' };

/**
 * A customer's bookings, found by a work coach, and the two changes they make to one: cancel it
 * (a confirmation, a reason) or move it (a slot of the same type, chosen on the booking page
 * and held there, then BookingsService.reschedule). Every step is the work coach's
 * organisation's, so another organisation's customer is not found and their booking is 404.
 */
@ApiExcludeController()
@Public()
@UseGuards(WebGuard)
@UseFilters(WebErrorFilter)
@Controller('app/bookings')
export class BookingsPagesController {
  constructor(
    private readonly bookings: BookingsService,
    private readonly queries: BookQueries,
    private readonly sessions: SessionStore,
    private readonly clock: Clock,
  ) {}

  /** The booking, in words: for the pages' summaries. */
  private async described(booking: BookingView) {
    const [site, typeName, advisers] = await Promise.all([this.queries.site(booking.siteId), this.queries.typeName(booking.appointmentType), this.queries.adviserNames([booking.adviserId])]);
    return { ...booking, when: spokenDateTime(booking.start, site.timezone), where: `${site.name}, ${site.address}, ${site.postcode}`, typeName, adviserName: advisers.get(booking.adviserId) ?? 'An adviser' };
  }

  /** A booking of the work coach's organisation that can still be changed, or a 409 in words. */
  private async changeable(principal: Principal, id: string): Promise<BookingView> {
    const booking = await this.bookings.get(principal, id);
    if (booking.status !== 'booked') throw new AppError(409, 'BOOKING_CANCELLED', 'This appointment is cancelled, so it cannot be changed.');
    if (Date.parse(booking.start) <= this.clock.now()) throw new AppError(409, 'BOOKING_STARTED', 'This appointment has started, so it cannot be changed: record whether the customer came instead.');
    return booking;
  }

  @Get()
  async find(@Req() request: WebRequest, @Res() response: Response): Promise<void> {
    const principal = booker(request);
    const query = request.query as Record<string, unknown>;
    const customer = formField(query, 'customer');
    const searched = query.customer !== undefined;
    let found: BookingView[] | null = null;
    let errors: { href: string; text: string }[] = [];
    if (searched) {
      try {
        found = await this.bookings.findForCustomer(principal, customer);
      } catch (error) {
        if (!(error instanceof AppError) || error.code !== 'INVALID_FILTER') throw error;
        errors = [{ href: '#customer', text: "Enter the customer's reference, mobile number or at least 2 letters of their name" }];
      }
    }
    const now = this.clock.now();
    const [types, sites] = found?.length ? await Promise.all([this.queries.types(), this.queries.sites()]) : [[], []];
    const typeNames = new Map(types.map((t) => [t.code, t.name]));
    const siteById = new Map(sites.map((s) => [s.id, s]));
    const row = (b: BookingView) => ({
      id: b.id,
      when: spokenDateTime(b.start, siteById.get(b.siteId)!.timezone),
      customer: `${b.customer.name} (${b.customer.reference})`,
      typeName: typeNames.get(b.appointmentType) ?? b.appointmentType,
      siteName: siteById.get(b.siteId)!.name,
      status: b.status === 'cancelled' ? 'Cancelled' : b.outcome ? (OUTCOMES[b.outcome] ?? b.outcome) : b.needsRebooking ? 'Needs rebooking' : 'Booked',
    });
    const upcoming = (found ?? []).filter((b) => Date.parse(b.start) > now).map(row);
    // The latest first: the one the customer is asking about is most likely the last.
    const recent = (found ?? []).filter((b) => Date.parse(b.start) <= now).reverse().map(row);
    render(request, response, 'pages/bookings/find', {
      title: "Find a customer's appointments",
      errors,
      fieldErrors: fieldErrorsOf(errors),
      values: { customer },
      results: found && { upcoming, recent },
    });
  }

  @Get(':id/cancel')
  async cancelForm(@Req() request: WebRequest, @Res() response: Response, @Param('id', UuidParam) id: string): Promise<void> {
    const booking = await this.described(await this.changeable(booker(request), id));
    const flash = await this.sessions.takeFlash(request.web.session);
    const errors = flash?.errors ?? [];
    render(request, response, 'pages/bookings/cancel', {
      title: 'Cancel this appointment',
      errors,
      fieldErrors: fieldErrorsOf(errors),
      notice: flash?.notice,
      values: flash?.values ?? { by: 'customer' },
      booking,
      backLink: `/app/bookings/${id}`,
    });
  }

  @Post(':id/cancel')
  async cancel(@Req() request: WebRequest, @Res() response: Response, @Param('id', UuidParam) id: string): Promise<void> {
    const principal = booker(request);
    const form = { by: formField(request.body, 'by'), reason: formField(request.body, 'reason') };
    const checked = checkCancelForm(form);
    if (!checked.cancel) {
      await this.sessions.setFlash(request.web.session, { errors: checked.errors, values: form });
      return response.redirect(303, `/app/bookings/${id}/cancel`);
    }
    try {
      await this.bookings.cancel(principal, id, checked.cancel);
      await this.sessions.setFlash(request.web.session, { notice: 'The appointment is cancelled. If the customer had been told of it, they will be told it is cancelled.' });
    } catch (error) {
      // Cancelled or started meanwhile (by someone else, or this form sent twice): say so on the booking.
      if (!(error instanceof AppError) || error.status !== 409) throw error;
      await this.sessions.setFlash(request.web.session, { errors: [{ href: '#main-content', text: error.message }] });
    }
    response.redirect(303, `/app/bookings/${id}`);
  }

  /**
   * Starts moving a booking: the booking page's own search, for its type at its site, with
   * the move remembered in the session so that the slot chosen comes back here.
   */
  @Post(':id/move')
  async startMove(@Req() request: WebRequest, @Res() response: Response, @Param('id', UuidParam) id: string): Promise<void> {
    const booking = await this.changeable(booker(request), id);
    const search = searchQuery({ appointmentType: booking.appointmentType, nearSiteId: booking.siteId });
    await this.sessions.setDraft(request.web.session, { move: id, search });
    response.redirect(303, `/app/book?${search}`);
  }

  @Get(':id/move/:holdId')
  async moveForm(@Req() request: WebRequest, @Res() response: Response, @Param('id', UuidParam) id: string, @Param('holdId', UuidParam) holdId: string): Promise<void> {
    const principal = booker(request);
    const booking = await this.described(await this.changeable(principal, id));
    const hold = await this.queries.hold(principal, holdId, this.clock.now());
    const flash = await this.sessions.takeFlash(request.web.session);
    const sameType = hold.appointmentType === booking.appointmentType;
    const errors = [
      ...(flash?.errors ?? []),
      ...(sameType ? [] : [{ href: '#slot', text: `Choose a slot for ${booking.typeName}: a moved appointment keeps its type` }]),
    ];
    render(request, response, 'pages/bookings/move', {
      title: 'Move this appointment',
      errors,
      notice: flash?.notice,
      booking,
      hold: { ...hold, when: spokenDateTime(hold.start, hold.timezone), heldUntil: spokenDateTime(hold.expiresAt, hold.timezone).replace(/^.* at /, '') },
      sameType,
      backLink: `/app/book?${request.web.session.draft?.search ?? searchQuery({ appointmentType: booking.appointmentType, nearSiteId: booking.siteId })}`,
    });
  }

  @Post(':id/move/:holdId')
  async move(@Req() request: WebRequest, @Res() response: Response, @Param('id', UuidParam) id: string, @Param('holdId', UuidParam) holdId: string): Promise<void> {
    const principal = booker(request);
    const before = await this.described(await this.changeable(principal, id));
    const hold = await this.queries.hold(principal, holdId, this.clock.now());
    if (hold.appointmentType !== before.appointmentType) return response.redirect(303, `/app/bookings/${id}/move/${holdId}`);
    const session = request.web.session;
    try {
      await this.bookings.reschedule(principal, id, { holdId });
    } catch (error) {
      if (!(error instanceof AppError) || error.status >= 500) throw error;
      if (error.code === 'BOOKING_CANCELLED' || error.code === 'BOOKING_STARTED') {
        await this.sessions.setDraft(session, null);
        await this.sessions.setFlash(session, { errors: [{ href: '#main-content', text: error.message }] });
        return response.redirect(303, `/app/bookings/${id}`);
      }
      // The slot went meanwhile: the appointment stands where it was; the search offers the next ones.
      await this.sessions.setFlash(session, {
        errors: [{ href: '#slots', text: `The slot on ${spokenDateTime(hold.start, hold.timezone)} has just been taken by someone else. The appointment has not moved: choose another slot.` }],
      });
      return response.redirect(303, `/app/book?${session.draft?.search ?? searchQuery({ appointmentType: before.appointmentType, nearSiteId: before.siteId })}`);
    }
    await this.sessions.setDraft(session, null);
    await this.sessions.setFlash(session, { notice: `The appointment is moved from ${before.when}. The customer is sent the new time.` });
    response.redirect(303, `/app/bookings/${id}`);
  }

  /** Not moving after all: the hold is let go, or kept for a new customer's booking instead. */
  @Post(':id/move/:holdId/stop')
  async stopMove(@Req() request: WebRequest, @Res() response: Response, @Param('id', UuidParam) id: string, @Param('holdId', UuidParam) holdId: string): Promise<void> {
    const principal = booker(request);
    await this.sessions.setDraft(request.web.session, null);
    if (formField(request.body, 'instead') === 'book') return response.redirect(303, `/app/book/holds/${holdId}`);
    await this.bookings.releaseHold(principal, holdId).catch((error: unknown) => {
      // Lapsed or used already: nothing is held either way.
      if (!(error instanceof AppError) || error.status >= 500) throw error;
    });
    response.redirect(303, `/app/bookings/${id}`);
  }
}
