import { Controller, Get, Inject, Param, Post, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { DateTime } from 'luxon';
import { AttendanceService } from '../../attendance/attendance.service';
import { Public } from '../../common/auth/auth.decorators';
import { APP_CONFIG, AppConfig } from '../../common/config/config';
import { AppError } from '../../common/errors/app-error';
import { UuidParam } from '../../common/http/validation';
import { Clock } from '../../common/time/clock';
import { addDays, isValidDate, localDateOf, localDay } from '../../common/time/local-time';
import { SessionStore } from '../../staff/sessions';
import { spokenTime } from '../format';
import { formField } from '../form-field';
import { render, WebErrorFilter, WebGuard, type WebRequest } from '../web-session';
import { AdviserBooking, DayQueries } from './day.queries';
import { reminderStatus } from './reminder-status';

/** The outcomes an adviser records with one press; a late cancellation is the booking side's to record. */
const DAY_OUTCOMES = [
  { value: 'attended', button: 'Attended', label: 'Attended' },
  { value: 'late', button: 'Late', label: 'Late' },
  { value: 'dna', button: 'DNA', label: 'Did not attend' },
  { value: 'left_unseen', button: 'Left unseen', label: 'Left unseen' },
] as const;
const LABELS: Record<string, string> = { ...Object.fromEntries(DAY_OUTCOMES.map((o) => [o.value, o.label])), cancelled_late: 'Cancelled on the day' };

// Below this the customer is more likely than not to miss: worth a call before the session.
const LIKELY_TO_MISS = 0.5;

const dayLink = (date: string) => `/app/day?date=${date}`;

/**
 * The adviser's day (issue 10 point 3): their sessions across sites with each customer's
 * show probability and reminder, and outcomes recorded with one press through the
 * attendance feature's own service, as the adviser's provider. A later press corrects.
 */
@ApiExcludeController()
@Public()
@UseGuards(WebGuard)
@UseFilters(WebErrorFilter)
@Controller('app')
export class DayController {
  constructor(
    private readonly queries: DayQueries,
    private readonly attendance: AttendanceService,
    private readonly sessions: SessionStore,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The adviser's own diary; advisers' days span sites, all on England's clock. */
  private adviserOf(request: WebRequest): string {
    const staff = request.web.staff!;
    if (staff.role !== 'adviser') throw new AppError(403, 'FORBIDDEN', 'This page is for advisers: your account has no sessions of its own.');
    if (!staff.adviserId) throw new AppError(403, 'NOT_LINKED', "Your account is not linked to an adviser's diary yet. Ask an administrator to link it.");
    return staff.adviserId;
  }

  private dateOf(request: WebRequest): string {
    const date = request.query.date;
    if (date === undefined) return localDateOf(this.clock.now(), this.config.DEFAULT_TIMEZONE);
    if (typeof date !== 'string' || !isValidDate(date)) throw new AppError(400, 'INVALID_DATE', 'That is not a date this page can show. Go to today’s sessions instead.');
    return date;
  }

  @Get('day')
  async day(@Req() request: WebRequest, @Res() response: Response): Promise<void> {
    const adviserId = this.adviserOf(request);
    const date = this.dateOf(request);
    const zone = this.config.DEFAULT_TIMEZONE;
    const { start, end } = localDay(zone, date);
    const now = this.clock.now();
    const sessions = await this.queries.sessions(adviserId, start, end);
    const bookings = await this.queries.bookings(sessions.map((s) => s.id));
    const flash = await this.sessions.takeFlash(request.web.session);
    const row = (b: AdviserBooking, timezone: string) => ({
      id: b.id,
      time: spokenTime(DateTime.fromJSDate(b.start, { zone: timezone })),
      customer: `${b.customerName} (${b.customerReference})`,
      show: b.showProbability === null ? null : { percent: Math.round(b.showProbability * 100), likelyToMiss: b.showProbability < LIKELY_TO_MISS },
      overbooked: b.overbooked,
      reminder: reminderStatus(b.reminders, timezone, now),
      outcome: b.outcome ? LABELS[b.outcome] : null,
      // Outcomes are for appointments that have started: the service refuses the others.
      actions: b.start.getTime() <= now ? DAY_OUTCOMES.filter((o) => o.value !== b.outcome) : [],
    });
    const today = localDateOf(now, zone);
    render(request, response, 'pages/day/day', {
      title: date === today ? 'Today' : DateTime.fromISO(date).toFormat('cccc d LLLL yyyy'),
      date,
      dayName: DateTime.fromISO(date).toFormat('cccc d LLLL yyyy'),
      errors: flash?.errors ?? [],
      notice: flash?.notice,
      noticeType: 'success',
      previous: dayLink(addDays(date, -1)),
      next: dayLink(addDays(date, 1)),
      week: `/app/week?date=${date}`,
      sessions: sessions.map((s) => {
        const at = (d: Date) => spokenTime(DateTime.fromJSDate(d, { zone: s.timezone }));
        return {
          heading: `${at(s.start)} to ${at(s.end)}, ${s.siteName}`,
          typeName: s.typeName,
          booked: s.booked,
          capacity: s.capacity,
          bookings: bookings.filter((b) => b.sessionId === s.id).map((b) => row(b, s.timezone)),
        };
      }),
    });
  }

  @Get('week')
  async week(@Req() request: WebRequest, @Res() response: Response): Promise<void> {
    const adviserId = this.adviserOf(request);
    const date = this.dateOf(request);
    const zone = this.config.DEFAULT_TIMEZONE;
    const monday = DateTime.fromISO(date).startOf('week').toISODate()!;
    const sessions = await this.queries.sessions(adviserId, localDay(zone, monday).start, localDay(zone, addDays(monday, 7)).start);
    const days = Array.from({ length: 7 }, (_, i) => addDays(monday, i)).map((day) => ({
      date: day,
      link: dayLink(day),
      name: DateTime.fromISO(day).toFormat('cccc d LLLL'),
      sessions: sessions
        .filter((s) => localDateOf(s.start.getTime(), zone) === day)
        .map((s) => {
          const at = (d: Date) => spokenTime(DateTime.fromJSDate(d, { zone: s.timezone }));
          return { time: `${at(s.start)} to ${at(s.end)}`, siteName: s.siteName, typeName: s.typeName, booked: s.booked, capacity: s.capacity };
        }),
    }));
    render(request, response, 'pages/day/week', {
      title: `Week beginning ${DateTime.fromISO(monday).toFormat('d LLLL yyyy')}`,
      days,
      previous: `/app/week?date=${addDays(monday, -7)}`,
      next: `/app/week?date=${addDays(monday, 7)}`,
    });
  }

  @Post('day/bookings/:id/outcome')
  async record(@Req() request: WebRequest, @Res() response: Response, @Param('id', UuidParam) id: string): Promise<void> {
    this.adviserOf(request);
    const sentDate = formField(request.body, 'date');
    const back = `${dayLink(isValidDate(sentDate) ? sentDate : localDateOf(this.clock.now(), this.config.DEFAULT_TIMEZONE))}#booking-${id}`;
    const outcome = DAY_OUTCOMES.find((o) => o.value === formField(request.body, 'outcome'));
    if (!outcome) {
      await this.sessions.setFlash(request.web.session, { errors: [{ href: `#booking-${id}`, text: 'Choose attended, late, DNA or left unseen' }] });
      return response.redirect(303, back);
    }
    try {
      const recorded = await this.attendance.recordOutcome(request.web.principal!, id, { outcome: outcome.value });
      const change = recorded.previous ? ` (was ${LABELS[recorded.previous].toLowerCase()})` : '';
      await this.sessions.setFlash(request.web.session, { notice: `${outcome.label} recorded${change}.` });
    } catch (error) {
      // The appointment not started yet, or cancelled meanwhile: said on the page, nothing recorded.
      if (!(error instanceof AppError) || error.status !== 409) throw error;
      await this.sessions.setFlash(request.web.session, { errors: [{ href: `#booking-${id}`, text: error.message }] });
    }
    response.redirect(303, back);
  }
}
