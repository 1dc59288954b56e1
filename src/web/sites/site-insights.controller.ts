import { Controller, Get, Param, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { DateTime } from 'luxon';
import { came, InsightDimension, LEAD_TIME_BUCKETS } from '../../attendance/domain/insights';
import { DRY_UP_RULE } from '../../attendance/domain/venue-health';
import { InsightGroupView } from '../../attendance/dto/insights.dto';
import { InsightsService } from '../../attendance/insights.service';
import { VenueHealthService } from '../../attendance/venue-health.service';
import { Public } from '../../common/auth/auth.decorators';
import { AppError } from '../../common/errors/app-error';
import { UuidParam } from '../../common/http/validation';
import { Clock } from '../../common/time/clock';
import { addDays, localDateOf } from '../../common/time/local-time';
import { fieldErrorsOf, render, WebErrorFilter, WebGuard, type WebRequest } from '../web-session';
import { barChart, seriesChart } from './chart';
import { readDate } from './date-field';
import { managedSite } from './site-access';
import { SitesQueries } from './sites.queries';

const share = (x: number | null) => (x === null ? '–' : `${Math.round(x * 100)}%`);
const shortDate = (date: string) => DateTime.fromISO(date).toFormat('d LLL');
const longDate = (date: string) => DateTime.fromISO(date).toFormat('d LLLL yyyy');

/** The weeks the DNA page shows unless asked for others: the twelve up to today. */
const DEFAULT_WEEKS = 12;

const REMINDER_STATES: Record<string, string> = { delivered: 'Delivered', failed: 'Failed', pending: 'Not yet delivered', 'not recorded': 'None recorded' };

/**
 * The cuts of the DNA patterns shown, each as a chart and a table: the order of their groups,
 * and a short label for under a bar beside the full one for the table.
 */
const VIEWS: { id: string; dimension: InsightDimension; heading: string; axis: string; order: (g: InsightGroupView) => number; short: (g: InsightGroupView) => string; long: (g: InsightGroupView) => string }[] = [
  { id: 'weekday', dimension: 'weekday', heading: 'By day of the week', axis: 'Day of the week', order: (g) => Number(g.key.weekday), short: (g) => g.labels.weekday.slice(0, 3), long: (g) => g.labels.weekday },
  { id: 'hour', dimension: 'hour', heading: 'By time of day', axis: 'Hour the appointment starts', order: (g) => Number(g.key.hour), short: (g) => g.labels.hour.slice(0, 5), long: (g) => g.labels.hour },
  {
    id: 'lead',
    dimension: 'leadTimeBucket',
    heading: 'By how far ahead it was booked',
    axis: 'Days between booking and appointment',
    order: (g) => LEAD_TIME_BUCKETS.findIndex((b) => b.label === g.key.leadTimeBucket),
    short: (g) => String(g.key.leadTimeBucket),
    long: (g) => g.labels.leadTimeBucket,
  },
  {
    id: 'reminder',
    dimension: 'reminderDelivered',
    heading: 'By reminder',
    axis: 'Reminder',
    order: (g) => Object.keys(REMINDER_STATES).indexOf(g.labels.reminderDelivered),
    short: (g) => REMINDER_STATES[g.labels.reminderDelivered] ?? g.labels.reminderDelivered,
    long: (g) => REMINDER_STATES[g.labels.reminderDelivered] ?? g.labels.reminderDelivered,
  },
  { id: 'type', dimension: 'appointmentType', heading: 'By appointment type', axis: 'Appointment type', order: () => 0, short: (g) => g.labels.appointmentType, long: (g) => g.labels.appointmentType },
];

const FROM = { id: 'from', prefix: 'from-', label: 'Start date' };
const TO = { id: 'to', prefix: 'to-', label: 'End date' };

/** A group's figures as the tables show them. */
function row(label: string, g: InsightGroupView) {
  return {
    label,
    appointments: g.bookings,
    came: came(g.outcomes),
    dna: g.outcomes.dna,
    rate: share(g.dnaRate),
    interval: g.dnaRateInterval ? `${share(g.dnaRateInterval.low)} to ${share(g.dnaRateInterval.high)}` : '–',
  };
}

/**
 * The site manager's reading pages (issue 10 point 4): DNA patterns for a range of days, and
 * venue health by week. Both go through the attendance feature's own services as the
 * manager, so the numbers are the API's.
 */
@ApiExcludeController()
@Public()
@UseGuards(WebGuard)
@UseFilters(WebErrorFilter)
@Controller('app/sites')
export class SiteInsightsController {
  constructor(
    private readonly insights: InsightsService,
    private readonly venueHealth: VenueHealthService,
    private readonly queries: SitesQueries,
    private readonly clock: Clock,
  ) {}

  @Get(':id/dna')
  async dna(@Req() request: WebRequest, @Res() response: Response, @Param('id', UuidParam) id: string): Promise<void> {
    const { principal, site } = await managedSite(this.queries, request, id);
    const query = request.query as Record<string, unknown>;
    const today = localDateOf(this.clock.now(), site.timezone);
    const to = readDate(query, today, TO);
    const from = readDate(query, addDays(to.date, 1 - 7 * DEFAULT_WEEKS), FROM);
    const errors = [...from.errors, ...to.errors];
    const ask = (dimension: InsightDimension) => this.insights.dna(principal, { from: from.date, to: to.date, siteId: [id], groupBy: [dimension] });
    let results = null;
    if (!errors.length) {
      try {
        results = await Promise.all(VIEWS.map((v) => ask(v.dimension)));
      } catch (error) {
        // The range the service refuses (backwards, or over two years) is said beside the dates.
        if (!(error instanceof AppError && error.status === 400)) throw error;
        errors.push({ href: '#from-day', text: error.code === 'INVALID_RANGE' ? 'Start date must be on or before the end date' : 'Show at most two years at a time' });
      }
    }
    const typeNames = new Map((await this.queries.types(id)).map((t) => [t.code, t.name]));
    render(request, response, 'pages/sites/dna', {
      title: 'DNA patterns',
      site,
      errors,
      fieldErrors: fieldErrorsOf(errors),
      values: { from: from.typed, to: to.typed },
      range: `${longDate(from.date)} to ${longDate(to.date)}`,
      total: results && row('All appointments', results[0].total),
      cancelledInAdvance: results?.[0].total.cancelledInAdvance,
      noOutcome: results?.[0].total.noOutcome,
      views: (results ?? []).map((result, i) => {
        const view = VIEWS[i];
        const groups = [...result.groups].sort((a, b) => view.order(a) - view.order(b));
        // Types are named by the site's own names, on the bars as in the table.
        const named = (label: (g: InsightGroupView) => string) => (g: InsightGroupView) => (view.dimension === 'appointmentType' ? (typeNames.get(g.labels.appointmentType) ?? label(g)) : label(g));
        return {
          id: view.id,
          heading: view.heading,
          axis: view.axis,
          chart: barChart(groups.map((g) => ({ label: named(view.short)(g), value: g.dnaRate, interval: g.dnaRateInterval }))),
          rows: groups.map((g) => row(named(view.long)(g), g)),
        };
      }),
    });
  }

  @Get(':id/health')
  async health(@Req() request: WebRequest, @Res() response: Response, @Param('id', UuidParam) id: string): Promise<void> {
    const { principal, site } = await managedSite(this.queries, request, id);
    const health = await this.venueHealth.health(principal, id);
    const flow = health.referralFlow;
    const perWeek = (x: number) => (Number.isInteger(x) ? String(x) : x.toFixed(1));
    render(request, response, 'pages/sites/health', {
      title: 'Venue health',
      site,
      range: `${longDate(health.from)} to ${longDate(health.to)}`,
      rule: DRY_UP_RULE,
      flow: flow && { ...flow, recent: perWeek(flow.recentWeekly), prior: perWeek(flow.priorWeekly) },
      chart: seriesChart(
        health.weeks.map((w) => shortDate(w.weekStarting)),
        [
          { name: 'Referrals made', values: health.weeks.map((w) => w.referrals) },
          { name: 'Came', values: health.weeks.map((w) => w.attended) },
          { name: 'Did not attend', values: health.weeks.map((w) => w.dna) },
        ],
        2,
      ),
      weeks: health.weeks.map((w) => ({ ...w, week: longDate(w.weekStarting), rate: share(w.dnaRate) })),
    });
  }
}
