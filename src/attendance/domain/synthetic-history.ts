import { Rng } from '../../common/random/rng';
import { addDays, DAY, isoWeekday, isValidDate, isValidZone, localToInstant, MINUTE, minutesOfDay, timeOfDay } from '../../common/time/local-time';
import type { Variant } from '../../reminders/domain/templates';
import { Outcome } from './outcomes';
import { ShowSignals } from './show-signals';

/**
 * Synthetic appointment history with known truth: a year of appointments and outcomes whose
 * attendance follows a hidden model, for the demo, the national benchmark dataset, integration
 * tests, and for measuring the show model against the probability that really drove each row.
 *
 * The hidden model, on the logit scale of turning up (positive = more likely to come):
 *
 *   showProbability = sigmoid(customer + lead + reminder + wording + referral + weekday + hour)
 *
 *   customer  logit(r), r ~ Beta(1.5, 0.5) per customer, clipped to [0.01, 0.99]: a strong
 *             spread (mean 0.75; over a quarter nearly always come, r > 0.95; one in thirteen
 *             rarely do, r < 0.3). Customers come back about four times a year, so their own
 *             record is the strongest single predictor, as in published no-show models.
 *   lead      -0.35 per doubling of (1 + lead days), 0 at a week: +1.05 same day, +0.7 next
 *             day, -0.5 at three weeks, -0.85 at six (002 §3.8: the longer the wait, the more DNAs).
 *   reminder  delivered +0.35, failed -0.35; pending (booked under a day ahead, nothing due) 0.
 *   wording   +0.3 when a missed_cost reminder was delivered (Hallsworth et al. 2015: 11.1% to
 *             8.4% DNA is +0.31 on this scale).
 *   referral  self +0.4, jcp 0, partner -0.1; a mandatory referral -0.5 more (a quarter of JCP
 *             referrals and a tenth of partners' are mandatory; self-referrals never).
 *   weekday   Monday and Friday -0.3, Tuesday to Thursday 0.
 *   hour      -0.25 for a start before 10:00.
 *
 * Outcome: a late cancellation first, with chance 0.01 + 0.06 (1 - r) (about 2.5%, a little
 * more among unreliable customers), independent of the rest; otherwise show or DNA drawn from
 * showProbability, so the truth is calibrated by construction; a show is attended (92%), late
 * (7%) or left unseen (1%). DNAs come to about 24% of shows and DNAs, and ranking rows by
 * showProbability itself gives an AUC of about 0.865: the ceiling for any model of these rows.
 *
 * Bookings: lead days mostly 0-21 (tail to 42), booked 08:00-18:00 local on the day that many
 * days before (before the start when the same day); reminder pending when booked less than 24
 * hours ahead, otherwise delivered 85%, failed 15%; wording half and half, as in the trial.
 * Referrals: JCP 65%, partner 25%, self 10% (about 70% of face-to-face referrals came through
 * jobcentres, 001).
 *
 * Diaries: weekdays only; each adviser sits at one of their sites per weekday (the same one every
 * week), and their appointments that day are laid out without overlapping between 09:00 and
 * 16:30 in the site's zone, starting on 5-minute marks. Volume peaks on Mondays and in the first
 * week of each month (DOMAIN, "Scale"). Bank holidays and absences are not modelled.
 */

export interface HistoryOptions {
  seed: string;
  /** The first local date, yyyy-MM-dd; history runs `weeks` weeks from it. */
  from: string;
  weeks: number;
  sites: readonly { id: string; zone: string }[];
  advisers: readonly { id: string; siteIds: readonly string[] }[];
  appointmentTypes: readonly { code: string; durationMinutes: number; channel: ShowSignals['channel'] }[];
  /**
   * On average. An adviser's day holds no more than fits in working hours: a request for more
   * than the advisers can see yields fewer rows.
   */
  appointmentsPerWeek: number;
  /** Distinct customers; by default one for every four appointments, so most come back. */
  customers?: number;
}

export interface SyntheticAppointment {
  /** Unique across seeds too, so that several histories can share a database. */
  legacyId: string;
  siteId: string;
  adviserId: string;
  appointmentType: string;
  channel: ShowSignals['channel'];
  customerReference: string;
  bookedAt: number;
  start: number;
  referralSource: ShowSignals['referralSource'];
  /** Empty for self-referrals. */
  referrerName: string;
  mandatory: boolean;
  reminderVariant: Variant;
  reminder: ShowSignals['reminder'];
  outcome: Outcome;
  /** The hidden truth: the chance that this customer turns up to this appointment. */
  showProbability: number;
  /** The customer's latent reliability r (hidden truth, like showProbability). */
  customerReliability: number;
}

const RELIABILITY = { a: 1.5, b: 0.5, min: 0.01, max: 0.99 };
const EFFECTS = {
  leadPerDoubling: -0.35,
  /** Lead days at which the lead effect is 0 (log2(1 + 7) = 3). */
  leadReference: 3,
  reminder: { pending: 0, delivered: 0.35, failed: -0.35 },
  missedCostDelivered: 0.3,
  source: { jcp: 0, partner: -0.1, self: 0.4 },
  mandatory: -0.5,
  /** ISO weekday - 1. */
  weekday: [-0.3, 0, 0, 0, -0.3],
  beforeTen: -0.25,
} as const;
const LATE_CANCEL = { base: 0.01, unreliable: 0.06 };
const SHOWN: readonly (readonly [Outcome, number])[] = [['attended', 92], ['late', 7], ['left_unseen', 1]];
const DELIVERED = 0.85;
const MISSED_COST_SHARE = 0.5;

/** Lead-day ranges and their weights: mostly within three weeks, a tail to six. */
const LEAD_DAYS: readonly (readonly [readonly [number, number], number])[] = [
  [[0, 0], 6],
  [[1, 1], 8],
  [[2, 7], 30],
  [[8, 14], 26],
  [[15, 21], 16],
  [[22, 28], 8],
  [[29, 42], 6],
];
const MAX_LEAD_DAYS = 42;

const SOURCES: readonly (readonly [ShowSignals['referralSource'], number])[] = [['jcp', 65], ['partner', 25], ['self', 10]];
const MANDATORY_SHARE = { jcp: 0.25, partner: 0.1, self: 0 };
const WORK_COACHES = ['J. Okafor', 'S. Patel', 'M. Hughes', 'A. Kowalski', 'R. Begum', 'T. Campbell', 'L. Nguyen', 'D. Ellis'];
const PARTNER_STAFF = ['Lewisham College', 'Bradford Libraries', 'Swindon Housing', 'South Tyneside Council', 'Birmingham Probation'];

/** ISO weekday - 1: more on Mondays, fewer on Fridays; averages 1. */
const WEEKDAY_VOLUME = [1.2, 1.05, 1, 0.95, 0.8];
/** The first week of a month is busier; the factors average about 1 over a month. */
const MONTH_START = { days: 7, busy: 1.15, quiet: 0.95 };

const DAY_OPENS = minutesOfDay('09:00');
const DAY_CLOSES = minutesOfDay('16:30');
const WORKING_MINUTES = DAY_CLOSES - DAY_OPENS;
const EARLY_UNTIL = minutesOfDay('10:00');
const MARK = 5;
const BOOKING_HOURS = { opens: '08:00', closes: '18:00' };
const MEAN_VISITS = 4;

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** The whole history in start order. For a large history, stream `historyRows` instead. */
export function generateHistory(options: HistoryOptions): SyntheticAppointment[] {
  return [...historyRows(options)];
}

/**
 * The rows of the history in start order, generated a day at a time so memory stays flat.
 * Options it cannot honour are refused here, not at the first row.
 */
export function historyRows(options: HistoryOptions): Generator<SyntheticAppointment> {
  return rowsOf(prepare(options));
}

function* rowsOf(world: World): Generator<SyntheticAppointment> {
  const { options } = world;
  const rng = new Rng(`${options.seed}|appointments`);
  const zones = [...new Set(options.sites.map((s) => s.zone))];
  let pending: SyntheticAppointment[] = [];
  for (let day = 0; day < options.weeks * 7; day++) {
    const date = addDays(options.from, day);
    const weekday = isoWeekday(date);
    if (weekday <= 5) {
      const clocks = new Map(zones.map((zone) => [zone, dayClock(zone, date)]));
      for (const row of appointmentsOn(world, rng, date, weekday, clocks)) pending.push(row);
      pending.sort((x, y) => x.start - y.start);
    }
    // No later day starts before the next day opens in the zone that reaches it first, so
    // what starts before then is final, wherever in the world the sites are.
    const settled = Math.min(...zones.map((zone) => localToInstant(zone, addDays(date, 1), timeOfDay(DAY_OPENS))));
    let n = 0;
    while (n < pending.length && pending[n].start < settled) yield pending[n++];
    pending = pending.slice(n);
  }
  yield* pending;
}

interface World {
  options: HistoryOptions;
  zoneOf: Map<string, string>;
  /**
   * Each adviser's sites, so that weekday w (1-5) is at index (w - 1) % length; rotated by a
   * random turn so that advisers sharing sites do not all start the week at the first one.
   */
  rotas: string[][];
  types: { code: string; channel: ShowSignals['channel']; slotMinutes: number }[];
  /** Per customer: the latent reliability and its logit. */
  reliability: Float64Array;
  logit: Float64Array;
  /** Tells this history's ids from another seed's. */
  tag: string;
  sequence: number;
}

function prepare(options: HistoryOptions): World {
  const { seed, from, weeks, sites, advisers, appointmentTypes, appointmentsPerWeek } = options;
  if (!isValidDate(from)) throw new RangeError(`from must be a yyyy-MM-dd date, not ${from}`);
  if (!Number.isInteger(weeks) || weeks < 1) throw new RangeError('weeks must be a whole number of weeks, at least 1');
  if (!(appointmentsPerWeek >= 0)) throw new RangeError('appointmentsPerWeek must not be negative');
  if (!advisers.length || !appointmentTypes.length) throw new RangeError('a history needs advisers and appointment types');
  const zoneOf = new Map(sites.map((s) => [s.id, s.zone]));
  for (const zone of new Set(zoneOf.values())) if (!isValidZone(zone)) throw new RangeError(`unknown zone ${zone}`);
  for (const type of appointmentTypes) {
    if (!(type.durationMinutes > 0 && type.durationMinutes <= WORKING_MINUTES)) throw new RangeError(`${type.code}: a duration must fit in a working day`);
  }
  const setup = new Rng(`${seed}|setup`);
  const rotas = advisers.map((adviser) => {
    const unknown = adviser.siteIds.find((id) => !zoneOf.has(id));
    if (unknown !== undefined || !adviser.siteIds.length) throw new RangeError(`adviser ${adviser.id}: needs sites from the list, not ${unknown ?? 'none'}`);
    const turn = setup.int(0, adviser.siteIds.length - 1);
    return [...adviser.siteIds.slice(turn), ...adviser.siteIds.slice(0, turn)];
  });
  const customers = options.customers ?? Math.max(1, Math.round((appointmentsPerWeek * weeks) / MEAN_VISITS));
  if (!Number.isInteger(customers) || customers < 1) throw new RangeError('customers must be a whole number, at least 1');
  const reliability = new Float64Array(customers);
  const logit = new Float64Array(customers);
  for (let c = 0; c < customers; c++) {
    const r = Math.min(RELIABILITY.max, Math.max(RELIABILITY.min, setup.beta(RELIABILITY.a, RELIABILITY.b)));
    reliability[c] = r;
    logit[c] = Math.log(r / (1 - r));
  }
  return {
    options,
    zoneOf,
    rotas,
    // Slots round up to whole marks, so that back-to-back appointments still start on one.
    types: appointmentTypes.map((t) => ({ code: t.code, channel: t.channel, slotMinutes: Math.ceil(t.durationMinutes / MARK) * MARK })),
    reliability,
    logit,
    tag: setup.uuid().slice(0, 8),
    sequence: 0,
  };
}

/** The instants a zone's clock shows on one local date: every start mark, and when bookings could be made for it. */
interface DayClock {
  /** Index i: DAY_OPENS + 5i minutes. */
  marks: number[];
  /** Index k: the booking hours of the date k days earlier. */
  bookingOpens: number[];
  bookingCloses: number[];
}

function dayClock(zone: string, date: string): DayClock {
  const marks: number[] = [];
  for (let minutes = DAY_OPENS; minutes <= DAY_CLOSES; minutes += MARK) marks.push(localToInstant(zone, date, timeOfDay(minutes)));
  const bookingOpens: number[] = [];
  const bookingCloses: number[] = [];
  for (let k = 0; k <= MAX_LEAD_DAYS; k++) {
    const day = addDays(date, -k);
    bookingOpens.push(localToInstant(zone, day, BOOKING_HOURS.opens));
    bookingCloses.push(localToInstant(zone, day, BOOKING_HOURS.closes));
  }
  return { marks, bookingOpens, bookingCloses };
}

function appointmentsOn(world: World, rng: Rng, date: string, weekday: number, clocks: Map<string, DayClock>): SyntheticAppointment[] {
  const { options, rotas, types } = world;
  const monthFactor = Number(date.slice(8, 10)) <= MONTH_START.days ? MONTH_START.busy : MONTH_START.quiet;
  const expected = (options.appointmentsPerWeek / 5) * WEEKDAY_VOLUME[weekday - 1] * monthFactor;
  const wanted = Math.floor(expected) + (rng.chance(expected % 1) ? 1 : 0);
  const perAdviser = new Int32Array(rotas.length);
  for (let i = 0; i < wanted; i++) perAdviser[rng.int(0, rotas.length - 1)]++;

  const rows: SyntheticAppointment[] = [];
  for (let a = 0; a < rotas.length; a++) {
    if (!perAdviser[a]) continue;
    const rota = rotas[a];
    const siteId = rota[(weekday - 1) % rota.length];
    const clock = clocks.get(world.zoneOf.get(siteId)!)!;
    const day: World['types'] = [];
    let busy = 0;
    for (let i = 0; i < perAdviser[a]; i++) {
      const type = rng.pick(types);
      if (busy + type.slotMinutes > WORKING_MINUTES) break;
      day.push(type);
      busy += type.slotMinutes;
    }
    // Uniform non-overlapping placement: sorted offsets into the free time, each appointment
    // pushed along by the ones before it.
    const freeMarks = (WORKING_MINUTES - busy) / MARK;
    const offsets = day.map(() => rng.int(0, freeMarks)).sort((x, y) => x - y);
    let before = 0;
    for (let i = 0; i < day.length; i++) {
      rows.push(appointment(world, rng, options.advisers[a].id, siteId, day[i], clock, offsets[i] + before / MARK, weekday));
      before += day[i].slotMinutes;
    }
  }
  return rows;
}

function appointment(
  world: World,
  rng: Rng,
  adviserId: string,
  siteId: string,
  type: World['types'][number],
  clock: DayClock,
  mark: number,
  weekday: number,
): SyntheticAppointment {
  const start = clock.marks[mark];
  const [lowest, highest] = rng.weighted(LEAD_DAYS);
  const leadDays = rng.int(lowest, highest);
  const opens = clock.bookingOpens[leadDays];
  const closes = leadDays === 0 ? start : clock.bookingCloses[leadDays];
  const bookedAt = opens + Math.floor((rng.next() * (closes - opens)) / MINUTE) * MINUTE;
  const reminder = start - bookedAt < DAY ? 'pending' : rng.chance(DELIVERED) ? 'delivered' : 'failed';
  const reminderVariant: Variant = rng.chance(MISSED_COST_SHARE) ? 'missed_cost' : 'standard';
  const referralSource = rng.weighted(SOURCES);
  const mandatory = rng.chance(MANDATORY_SHARE[referralSource]);
  const referrerName = referralSource === 'jcp' ? rng.pick(WORK_COACHES) : referralSource === 'partner' ? rng.pick(PARTNER_STAFF) : '';
  const customer = rng.int(0, world.logit.length - 1);

  const startMinutes = DAY_OPENS + mark * MARK;
  const showProbability = sigmoid(
    world.logit[customer] +
      EFFECTS.leadPerDoubling * (Math.log2(1 + leadDays) - EFFECTS.leadReference) +
      EFFECTS.reminder[reminder] +
      (reminder === 'delivered' && reminderVariant === 'missed_cost' ? EFFECTS.missedCostDelivered : 0) +
      EFFECTS.source[referralSource] +
      (mandatory ? EFFECTS.mandatory : 0) +
      EFFECTS.weekday[weekday - 1] +
      (startMinutes < EARLY_UNTIL ? EFFECTS.beforeTen : 0),
  );
  const outcome: Outcome = rng.chance(LATE_CANCEL.base + LATE_CANCEL.unreliable * (1 - world.reliability[customer]))
    ? 'cancelled_late'
    : rng.chance(showProbability)
      ? rng.weighted(SHOWN)
      : 'dna';

  return {
    legacyId: `SH-${world.tag}-${world.sequence++}`,
    siteId,
    adviserId,
    appointmentType: type.code,
    channel: type.channel,
    customerReference: `C-${world.tag}-${customer}`,
    bookedAt,
    start,
    referralSource,
    referrerName,
    mandatory,
    reminderVariant,
    reminder,
    outcome,
    showProbability,
    customerReliability: world.reliability[customer],
  };
}

const logit = (p: number) => Math.log(p / (1 - p));
const BETA_GRID = 400;

/**
 * The best any model can do with what is observable: the hidden model with the customer's
 * reliability, which nobody sees, replaced by what their record so far says of it (the
 * generator's Beta prior updated by their shows and DNAs, integrated numerically).
 * showProbability itself knows r and is out of reach for a newcomer; this is the fair ceiling.
 */
export function observableShowProbability(row: Pick<SyntheticAppointment, 'showProbability' | 'customerReliability'>, history: ShowSignals['history']): number {
  const rest = logit(row.showProbability) - logit(row.customerReliability);
  const a = RELIABILITY.a + history.showed;
  const b = RELIABILITY.b + history.missed;
  let weight = 0;
  let sum = 0;
  // Over the whole Beta, clipping each draw as the generator does (cutting the Beta off at
  // the clip instead would drop the mass beyond it and predict low).
  for (let i = 0; i < BETA_GRID; i++) {
    const r = (i + 0.5) / BETA_GRID;
    const density = Math.exp((a - 1) * Math.log(r) + (b - 1) * Math.log(1 - r));
    weight += density;
    sum += density * sigmoid(logit(Math.min(RELIABILITY.max, Math.max(RELIABILITY.min, r))) + rest);
  }
  return sum / weight;
}
