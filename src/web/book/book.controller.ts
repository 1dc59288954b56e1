import { Controller, Get, Param, Post, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { BookingsService } from '../../bookings/bookings.service';
import { Public } from '../../common/auth/auth.decorators';
import { Principal } from '../../common/auth/principal';
import { AppError } from '../../common/errors/app-error';
import { UuidParam } from '../../common/http/validation';
import { Clock } from '../../common/time/clock';
import { DAY, parseInstant } from '../../common/time/local-time';
import { RemindersService } from '../../reminders/reminders.service';
import { SlotView } from '../../slots/dto/slots.dto';
import { SlotsService } from '../../slots/slots.service';
import { SessionStore } from '../../staff/sessions';
import { spokenDateTime } from '../format';
import { formField } from '../form-field';
import { booker, fieldErrorsOf, render, WebErrorFilter, WebGuard, type WebRequest } from '../web-session';
import { BookQueries } from './book.queries';
import { checkCustomerForm, CUSTOMER_FIELDS, CustomerForm, defaultChannel, FieldError, readCustomerForm } from './customer-form';
import { bookingSearch, BookingSearch, searchQuery, stepLabel } from './search';

// A work coach picks from the first few; more is scrolling past the customer in front of them.
const SLOTS_SHOWN = 10;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Booking for the customer in front of the work coach: a type and sites, the earliest free
 * slots, a slot held while the customer's details are typed, the booking, its confirmation.
 * Every step goes through the API's own services as the work coach's organisation.
 */
@ApiExcludeController()
@Public()
@UseGuards(WebGuard)
@UseFilters(WebErrorFilter)
@Controller('app')
export class BookController {
  constructor(
    private readonly slots: SlotsService,
    private readonly bookings: BookingsService,
    private readonly reminders: RemindersService,
    private readonly queries: BookQueries,
    private readonly sessions: SessionStore,
    private readonly clock: Clock,
  ) {}

  private principal(request: WebRequest): Principal {
    return booker(request);
  }

  @Get('book')
  async search(@Req() request: WebRequest, @Res() response: Response): Promise<void> {
    const principal = this.principal(request);
    const flash = await this.sessions.takeFlash(request.web.session);
    const query = request.query as Record<string, unknown>;
    const staffId = request.web.staff!.id;
    const searched = query.appointmentType !== undefined || query.nearSiteId !== undefined;
    const [types, jobcentres, named, remembered] = await Promise.all([
      this.queries.types(),
      this.queries.jobcentres(),
      this.namedSite(query.nearSiteId),
      searched ? null : this.queries.lastJobcentre(staffId),
    ]);
    const checked = searched ? bookingSearch(query, new Set(types.map((t) => t.code)), new Set(named ? [named.id] : [])) : { errors: [] as FieldError[] };
    const errors = [...(flash?.errors ?? []), ...checked.errors];
    const chosen = 'search' in checked && checked.search ? checked.search : null;
    const draft = request.web.session.draft;
    const [results] = await Promise.all([
      chosen ? this.results(principal, chosen) : null,
      // A move searches near the booking's own site, which is not where the work coach sits.
      chosen && !draft?.move ? this.queries.rememberJobcentre(staffId, chosen.nearSiteId) : null,
    ]);
    render(request, response, 'pages/book/search', {
      title: 'Book an appointment',
      errors,
      fieldErrors: fieldErrorsOf(errors),
      types,
      // A booking being moved searches near its own site, which may be no jobcentre.
      jobcentres: named && !jobcentres.some((j) => j.id === named.id) ? [named, ...jobcentres] : jobcentres,
      values: { appointmentType: typeof query.appointmentType === 'string' ? query.appointmentType : '', nearSiteId: typeof query.nearSiteId === 'string' ? query.nearSiteId : (remembered ?? '') },
      chosen,
      results,
      searchQuery: chosen ? searchQuery(chosen) : '',
      draftCustomer: draft?.name ? { name: draft.name, reference: draft.reference } : null,
    });
  }

  /** The site a search names, if it names one that exists. */
  private async namedSite(id: unknown) {
    return typeof id === 'string' && UUID.test(id) ? ((await this.queries.sitesById([id])).get(id) ?? null) : null;
  }

  /**
   * The earliest free slots at the sites near the jobcentre, up to three months ahead (the
   * search reads no further into the diary than the first few need), and who is free now.
   */
  private async results(principal: Principal, search: BookingSearch) {
    const now = this.clock.now();
    const [found, near] = await Promise.all([
      this.slots.search({ appointmentType: search.appointmentType, nearSiteId: search.nearSiteId, limit: SLOTS_SHOWN, to: new Date(now + 92 * DAY).toISOString() }, now, principal.clientId),
      this.slots.sitesNear(search.nearSiteId),
    ]);
    const earliest = found.filter((s) => !s.overbook);
    const freeNow = await this.slots.freeNowAt(near, search.appointmentType, now);
    const [advisers, sites] = await Promise.all([
      this.queries.adviserNames([...new Set([...earliest, ...freeNow].map((s) => s.adviserId))]),
      this.queries.sitesById([...new Set([...earliest, ...freeNow].map((s) => s.siteId))]),
    ]);
    const row = (slot: SlotView) => ({
      ...slot,
      when: spokenDateTime(slot.start, sites.get(slot.siteId)!.timezone),
      siteName: sites.get(slot.siteId)!.name,
      adviserName: advisers.get(slot.adviserId) ?? 'An adviser',
    });
    return { earliest: earliest.map(row), freeNow: freeNow.map(row) };
  }

  @Post('book/hold')
  async hold(@Req() request: WebRequest, @Res() response: Response): Promise<void> {
    const principal = this.principal(request);
    const body = request.body as Record<string, unknown>;
    const [types, named] = await Promise.all([this.queries.types(), this.namedSite(body.searchNearSiteId)]);
    const checked = bookingSearch({ appointmentType: body.appointmentType, nearSiteId: body.searchNearSiteId }, new Set(types.map((t) => t.code)), new Set(named ? [named.id] : []));
    const siteId = formField(body, 'siteId');
    const adviserId = formField(body, 'adviserId');
    const start = formField(body, 'start');
    if (!checked.search || !UUID.test(siteId) || !UUID.test(adviserId) || parseInstant(start) === null) {
      throw new AppError(400, 'INVALID_FORM', 'The slot chosen could not be read. Go back to the search and choose it again.');
    }
    const back = `/app/book?${searchQuery(checked.search)}`;
    try {
      const hold = await this.bookings.createHold(principal, { appointmentType: checked.search.appointmentType, siteId, adviserId, start });
      const draft = request.web.session.draft ?? {};
      await this.sessions.setDraft(request.web.session, { ...draft, search: searchQuery(checked.search) });
      // Moving a booking (src/web/bookings): the slot goes to the move's confirmation, not to a new customer's details.
      response.redirect(303, draft.move ? `/app/bookings/${draft.move}/move/${hold.id}` : `/app/book/holds/${hold.id}`);
    } catch (error) {
      if (!(error instanceof AppError) || error.status >= 500) throw error;
      const site = (await this.queries.sitesById([siteId])).get(siteId);
      const when = site ? spokenDateTime(start, site.timezone) : 'that time';
      await this.sessions.setFlash(request.web.session, { errors: [{ href: '#slots', text: `The slot on ${when} has just gone. Choose another slot.` }] });
      response.redirect(303, back);
    }
  }

  @Get('book/holds/:id')
  async customer(@Req() request: WebRequest, @Res() response: Response, @Param('id', UuidParam) id: string): Promise<void> {
    const principal = this.principal(request);
    const hold = await this.queries.hold(principal, id, this.clock.now());
    const flash = await this.sessions.takeFlash(request.web.session);
    const draft = request.web.session.draft ?? {};
    const typed: CustomerForm = {};
    for (const field of CUSTOMER_FIELDS) if (draft[field] !== undefined) typed[field] = draft[field];
    const values = flash?.values ?? (Object.keys(typed).length ? typed : { referralSource: 'jcp', referrerName: request.web.staff!.name });
    const errors = flash?.errors ?? [];
    render(request, response, 'pages/book/customer', {
      title: "Customer's details",
      errors,
      fieldErrors: fieldErrorsOf(errors),
      values,
      notice: flash?.notice,
      hold: { ...hold, when: spokenDateTime(hold.start, hold.timezone), heldUntil: spokenDateTime(hold.expiresAt, hold.timezone).replace(/^.* at /, '') },
      backLink: draft.search ? `/app/book?${draft.search}` : '/app/book',
    });
  }

  @Post('book/holds/:id')
  async book(@Req() request: WebRequest, @Res() response: Response, @Param('id', UuidParam) id: string): Promise<void> {
    const principal = this.principal(request);
    const hold = await this.queries.hold(principal, id, this.clock.now());
    const session = request.web.session;
    const form = defaultChannel(readCustomerForm(request.body as Record<string, unknown>));
    const search = session.draft?.search ?? searchQuery({ appointmentType: hold.appointmentType, nearSiteId: hold.siteId });
    // Kept whatever happens next, so that nothing typed is lost if the slot goes.
    await this.sessions.setDraft(session, { ...form, search } as Record<string, string>);
    const again = async (errors: FieldError[], to = `/app/book/holds/${id}`) => {
      await this.sessions.setFlash(session, { errors, values: form as Record<string, string> });
      response.redirect(303, to);
    };
    const checked = checkCustomerForm(form);
    if (!checked.customer || !checked.referral) return again(checked.errors);
    try {
      // Keyed by the hold: a second press of Book returns the first booking rather than a second.
      const { booking } = await this.bookings.book(principal, { holdId: id, customer: checked.customer, referral: checked.referral }, `web-hold-${id}`);
      await this.sessions.setDraft(session, null);
      response.redirect(303, `/app/bookings/${booking.id}`);
    } catch (error) {
      if (!(error instanceof AppError) || error.status >= 500) throw error;
      if (error.code === 'INVALID_MOBILE') return again([{ href: '#mobile', text: 'Enter a UK mobile number, like 07700 900 982' }]);
      if (error.code === 'CONTACT_MISSING') return again([{ href: '#channel', text: error.message }]);
      await this.sessions.setFlash(session, {
        errors: [{ href: '#slots', text: `The slot on ${spokenDateTime(hold.start, hold.timezone)} has just been taken by someone else. What you typed has been kept: choose another slot.` }],
      });
      response.redirect(303, `/app/book?${search}`);
    }
  }

  @Get('bookings/:id')
  async confirmation(@Req() request: WebRequest, @Res() response: Response, @Param('id', UuidParam) id: string): Promise<void> {
    const principal = this.principal(request);
    const booking = await this.bookings.get(principal, id);
    const flash = await this.sessions.takeFlash(request.web.session);
    const [site, typeName, advisers, plan] = await Promise.all([
      this.queries.site(booking.siteId),
      this.queries.typeName(booking.appointmentType),
      this.queries.adviserNames([booking.adviserId]),
      this.reminders.messages(principal, id),
    ]);
    render(request, response, 'pages/book/confirmation', {
      title: booking.status === 'cancelled' ? 'Appointment cancelled' : 'Appointment booked',
      errors: flash?.errors ?? [],
      notice: flash?.notice,
      // Cancelled or started, it is history: attendance is recorded instead (the adviser's day).
      changeable: booking.status === 'booked' && Date.parse(booking.start) > this.clock.now(),
      booking,
      when: spokenDateTime(booking.start, site.timezone),
      site,
      typeName,
      adviserName: advisers.get(booking.adviserId) ?? 'An adviser',
      reminders: plan.steps
        .filter((s) => s.status !== 'cancelled' && s.status !== 'superseded')
        .map((s) => ({ step: stepLabel(s.step), when: s.sendAt ? spokenDateTime(s.sendAt, site.timezone) : 'Not sent', status: s.status })),
    });
  }
}
