import { Controller, Get, Param, Post, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { DateTime } from 'luxon';
import { Public } from '../../common/auth/auth.decorators';
import { AppError } from '../../common/errors/app-error';
import { UuidParam } from '../../common/http/validation';
import { Clock } from '../../common/time/clock';
import { addDays, localDateOf } from '../../common/time/local-time';
import { DaySheetService } from '../../overbooking/day-sheet.service';
import { SimulationRunView, SimulationView } from '../../overbooking/dto/simulation.dto';
import { OverbookingService } from '../../overbooking/overbooking.service';
import { ReleaseService } from '../../overbooking/release.service';
import { SimulationService } from '../../overbooking/simulation.service';
import { SessionStore } from '../../staff/sessions';
import type { FieldError } from '../book/customer-form';
import { spokenTime } from '../format';
import { formField } from '../form-field';
import { fieldErrorsOf, render, WebErrorFilter, WebGuard, type WebRequest } from '../web-session';
import { curveChart } from './chart';
import { readDate } from './date-field';
import { checkPolicyForm, policyFormOf, PolicyForm, problemsOf, readPolicyForm } from './policy-form';
import { managedSite, managerOf } from './site-access';
import { SitesQueries } from './sites.queries';

const OUTCOMES: Record<string, string> = { attended: 'Attended', late: 'Late', dna: 'Did not attend', cancelled_late: 'Cancelled on the day', left_unseen: 'Left unseen' };
const percent = (x: number | null, digits = 0) => (x === null ? '–' : `${(x * 100).toFixed(digits)}%`);
const minutes = (x: number | null) => (x === null ? '–' : x.toFixed(1));
const timeOf = (instant: string) => spokenTime(DateTime.fromISO(instant, { setZone: true }));
const policyPath = (siteId: string, appointmentType: string) => `/app/sites/${siteId}/overbooking${appointmentType ? `?appointmentType=${encodeURIComponent(appointmentType)}` : ''}`;

/**
 * The site manager's pages (issue 10 point 4): their sites, a site's day sheet, and the
 * overbooking policy editor with the simulation drawn before anything is saved. Each goes
 * through the overbooking feature's own services as the manager, whose principal manages
 * only their sites: another site is refused, here as by the API.
 */
@ApiExcludeController()
@Public()
@UseGuards(WebGuard)
@UseFilters(WebErrorFilter)
@Controller('app/sites')
export class SitesController {
  constructor(
    private readonly daySheets: DaySheetService,
    private readonly overbooking: OverbookingService,
    private readonly simulations: SimulationService,
    private readonly releases: ReleaseService,
    private readonly queries: SitesQueries,
    private readonly sessions: SessionStore,
    private readonly clock: Clock,
  ) {}

  @Get()
  async list(@Req() request: WebRequest, @Res() response: Response): Promise<void> {
    const principal = managerOf(request);
    const sites = await this.queries.sites(principal.admin ? null : [...(principal.managedSites ?? [])]);
    render(request, response, 'pages/sites/list', { title: 'Your sites', sites });
  }

  @Get(':id')
  async daySheet(@Req() request: WebRequest, @Res() response: Response, @Param('id', UuidParam) id: string): Promise<void> {
    const { principal, site } = await managedSite(this.queries, request, id);
    const { date, errors, typed } = readDate(request.query as Record<string, unknown>, localDateOf(this.clock.now(), site.timezone));
    const [sheet, types, flash] = await Promise.all([this.daySheets.sheet(principal, id, date), this.queries.types(id), this.sessions.takeFlash(request.web.session)]);
    const typeNames = new Map(types.map((t) => [t.code, t.name]));
    errors.push(...(flash?.errors ?? []));
    render(request, response, 'pages/sites/day-sheet', {
      title: site.name,
      site,
      date,
      dayName: DateTime.fromISO(date).toFormat('cccc d LLLL yyyy'),
      notice: flash?.notice,
      noticeType: 'success',
      errors,
      fieldErrors: fieldErrorsOf(errors),
      values: typed,
      previous: `/app/sites/${id}?date=${addDays(date, -1)}`,
      next: `/app/sites/${id}?date=${addDays(date, 1)}`,
      totals: { ...sheet.totals, expectedCustomers: sheet.totals.expectedCustomers.toFixed(1) },
      sessions: sheet.sessions.map((s) => ({
        heading: `${timeOf(s.start)} to ${timeOf(s.end)}, ${s.adviserName}${s.roomName ? `, ${s.roomName}` : ''}`,
        typeName: typeNames.get(s.appointmentType) ?? s.appointmentType,
        booked: s.booked,
        capacity: s.capacity,
        expected: s.expectedCustomers.toFixed(1),
        collision: percent(s.collisionProbability),
        collisionLikely: s.collisionLikely,
        bookings: s.bookings.map((b) => ({
          id: b.bookingId,
          customer: `${b.customerName} (${b.customerReference})`,
          show: b.showProbability === null ? 'Not scored' : percent(b.showProbability),
          overbooked: b.overbooked,
          outcome: b.outcome ? OUTCOMES[b.outcome] : 'Not recorded',
          releasable: b.releasable,
          release: b.release && (b.release.claimed ? `Claimed by ${b.release.claimedBy ?? 'a customer from the waitlist'}` : 'Seat offered to waitlist'),
        })),
        otherBookings: s.otherBookings,
        helpers: s.helpers.map((h) => `${h.adviserName} (${h.inSession ? 'in a session with room' : 'free'}, ${h.expectedSpare.toFixed(1)} seats spare)`),
      })),
    });
  }

  /**
   * "Offer a seat to the waitlist" on the day sheet: the booking released as the manager,
   * then back to the same day, with what happened or why not (the API's own refusals).
   */
  @Post(':id/bookings/:bookingId/release')
  async release(@Req() request: WebRequest, @Res() response: Response, @Param('id', UuidParam) id: string, @Param('bookingId', UuidParam) bookingId: string): Promise<void> {
    const { principal } = await managedSite(this.queries, request, id);
    const date = formField(request.body, 'date');
    const back = `/app/sites/${id}${/^\d{4}-\d{2}-\d{2}$/.test(date) ? `?date=${date}` : ''}`;
    try {
      const released = await this.releases.release(principal, bookingId, request.web.staff!.id);
      await this.sessions.setFlash(request.web.session, { notice: `A seat at ${timeOf(released.start)} has been offered to the waitlist. The customer keeps their appointment.` });
    } catch (error) {
      if (!(error instanceof AppError) || error.status !== 409) throw error;
      await this.sessions.setFlash(request.web.session, { errors: [{ href: `#waitlist-${bookingId}`, text: error.message }] });
    }
    response.redirect(303, back);
  }

  @Get(':id/overbooking')
  async policy(@Req() request: WebRequest, @Res() response: Response, @Param('id', UuidParam) id: string): Promise<void> {
    const { principal, site } = await managedSite(this.queries, request, id);
    const query = request.query as Record<string, unknown>;
    const types = await this.queries.types(id);
    const { appointmentType, errors } = chosenType(types, query);
    const current = await this.overbooking.get(id, appointmentType || undefined);
    const flash = await this.sessions.takeFlash(request.web.session);
    errors.push(...(flash?.errors ?? []));
    // The form sent with "Simulate" (a GET: it changes nothing) carries the mode; otherwise the policy in force, or what a refused save sent.
    const simulating = typeof query.mode === 'string';
    const values: PolicyForm = simulating ? readPolicyForm(query) : ((flash?.values as PolicyForm | undefined) ?? policyFormOf(current));
    let simulation: ReturnType<typeof simulationModel> | null = null;
    let simulationProblem: string | null = null;
    if (simulating && !errors.length) {
      const checked = checkPolicyForm(values);
      errors.push(...checked.errors);
      if (checked.input) {
        try {
          const result = await this.simulations.simulate(principal, id, { policy: checked.input, ...(appointmentType ? { appointmentType } : {}) });
          simulation = simulationModel(result, types.find((t) => t.code === result.appointmentType)?.name ?? result.appointmentType);
        } catch (error) {
          const problems = problemsOf(error);
          if (problems) errors.push(...problems);
          // Too little history, or no diary, to replay: the policy may still be saved, unseen.
          else if (error instanceof AppError && error.status === 422) simulationProblem = error.message;
          else throw error;
        }
      }
    }
    render(request, response, 'pages/sites/overbooking', {
      title: 'Overbooking policy',
      site,
      modeNames: { off: 'Off', overlap: 'Overlap', risk: 'Risk' },
      types,
      appointmentType,
      current: { ...current, maxRiskPercent: percent(current.maxRisk, 1), updated: current.updatedAt ? DateTime.fromISO(current.updatedAt, { zone: site.timezone }).toFormat("d LLLL yyyy 'at' HH:mm") : null },
      errors,
      fieldErrors: fieldErrorsOf(errors),
      values: { ...values, appointmentType },
      notice: flash?.notice,
      noticeType: 'success',
      simulated: simulating && !errors.length,
      simulation,
      simulationProblem,
    });
  }

  @Post(':id/overbooking')
  async save(@Req() request: WebRequest, @Res() response: Response, @Param('id', UuidParam) id: string): Promise<void> {
    const { principal } = await managedSite(this.queries, request, id);
    const body = request.body as Record<string, unknown>;
    const { appointmentType, errors: typeErrors } = chosenType(await this.queries.types(id), body);
    const form = readPolicyForm(body);
    const back = async (errors: FieldError[]) => {
      await this.sessions.setFlash(request.web.session, { errors, values: form as Record<string, string> });
      response.redirect(303, policyPath(id, appointmentType));
    };
    if (typeErrors.length) return back(typeErrors);
    const checked = checkPolicyForm(form);
    if (!checked.input) return back(checked.errors);
    try {
      const saved = await this.overbooking.save(principal, id, { ...checked.input, ...(appointmentType ? { appointmentType } : {}) });
      await this.sessions.setFlash(request.web.session, { notice: `Policy saved (version ${saved.version}). It applies to bookings made from now on.` });
      response.redirect(303, policyPath(id, appointmentType));
    } catch (error) {
      const problems = problemsOf(error);
      if (!problems) throw error;
      return back(problems);
    }
  }
}

/** The type a policy is for: one the site offers, or '' for the site's own policy. */
function chosenType(types: { code: string }[], source: unknown): { appointmentType: string; errors: FieldError[] } {
  const typed = formField(source, 'appointmentType');
  if (!typed || types.some((t) => t.code === typed)) return { appointmentType: typed, errors: [] };
  return { appointmentType: '', errors: [{ href: '#appointmentType', text: 'Select an appointment type offered at this site' }] };
}

const runLabel = (run: SimulationRunView) => (run.policy.mode === 'off' ? 'Off' : `Risk target ${percent(run.policy.maxRisk)}`);

/** The simulation as the page shows it: the chart, its numbers in a table, the fairness of the policy tried. */
function simulationModel(result: SimulationView, typeName: string) {
  const runs = [
    { run: result.off, label: 'Off', candidate: false },
    ...result.curve.map((run) => ({ run, label: runLabel(run), candidate: false })),
    { run: result.policy, label: 'This policy', candidate: true },
  ];
  const fairness = result.policy.fairness;
  return {
    typeName,
    from: DateTime.fromISO(result.from).toFormat('d LLLL yyyy'),
    to: DateTime.fromISO(result.to).toFormat('d LLLL yyyy'),
    weeks: result.weeks,
    recordedOutcomes: result.replayed.recordedOutcomes,
    demand: result.assumedDemand,
    chart: curveChart(runs.map(({ run, label, candidate }) => ({ label, utilisation: run.utilisation, waitedShare: run.waitedShare, candidate }))),
    rows: runs.map(({ run, label }) => ({
      label,
      utilisation: percent(run.utilisation, 1),
      waited: percent(run.waitedShare, 1),
      meanWait: minutes(run.meanWaitMinutes),
      extras: run.extras,
      fairness: run.fairness.atRiskDecileRatio === null ? '–' : run.fairness.atRiskDecileRatio.toFixed(2),
      fair: run.fairness.withinLimit,
    })),
    candidate: { utilisation: percent(result.policy.utilisation, 1), waited: percent(result.policy.waitedShare, 1), offUtilisation: percent(result.off.utilisation, 1) },
    unfair: !fairness.withinLimit ? { ratio: fairness.atRiskDecileRatio!.toFixed(2), limit: fairness.limit } : null,
    limit: fairness.limit,
  };
}
