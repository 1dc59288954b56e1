import { HOUR, localClockOf, MINUTE } from '../../common/time/local-time';

/**
 * Replays a site's weeks under a candidate overbooking policy, so that a site manager can see
 * what it would cost and gain before switching it on (issue 8, points 6 and 7). Pure and
 * deterministic: every random thing (who turns up, when they arrive, how long they take) is
 * part of the input, so that candidates compared on one input meet exactly the same customers.
 *
 * Booking. Requests are taken in arrival order. Each takes the earliest session of its type in
 * its window that still has a free seat; failing that, the earliest full one the policy admits
 * it into (an extra); failing that, it is turned away. Extras never take a free seat, so the
 * ordinary bookings are the same under every policy and only the extras differ. Cancellations
 * are not replayed: a late cancellation is a customer who does not turn up.
 *
 * The day. A customer who turns up joins the queue when both they and their appointment time
 * have come (a customer early for 11:00 does not go ahead of one waiting since 10:00), and the
 * queue is first come, first served, ties by lot, never ordered by predicted risk: Samorani et
 * al. found that serving by predicted no-show made those predicted to miss wait about 30%
 * longer when they came.
 * Each adviser sees the customers of a session in sittings of up to its capacity (one at a time
 * for one-to-one), a sitting lasting the session's duration times the longest service factor
 * among those who start it; a customer who arrives while a sitting of their session runs with a
 * place free joins it. Nobody is sent home: whoever turns up is seen, and the time an adviser
 * spends seeing customers outside their sessions is reported as overtime. Pooled, a waiting
 * customer is seen by their own adviser if free, or else by any other adviser at the site who is
 * in a session at that moment, free, and can see the type.
 */

export interface SimAdviser {
  id: string;
  appointmentTypes: readonly string[];
}

export interface SimSession {
  id: string;
  adviserId: string;
  appointmentType: string;
  /** Epoch milliseconds. Sessions of one adviser may overlap (the `overlap` mode's grid). */
  start: number;
  durationMinutes: number;
  capacity: number;
}

export interface SimRequest {
  customerId: string;
  /** When the booking is asked for, epoch milliseconds; requests come in this order. */
  requestedAt: number;
  /** The starts the customer accepts, inclusive, epoch milliseconds. */
  earliestStart: number;
  latestStart: number;
  appointmentType: string;
  /** What the show model says: the only thing about the customer a policy sees. */
  predictedShow: number;
  /** The truth: whether they would come to whichever session they are booked into. */
  turnsUp: boolean;
  /** Arrival minus the booked start, in minutes; negative when early. */
  lateMinutes: number;
  /**
   * A number drawn at random for the customer, that settles a tie in arrival, as in
   * fairness.ts: not the booking order, since extras are booked last and lean towards those
   * predicted to miss.
   */
  lot: number;
  /** Their appointment takes the session's duration times this (default 1). */
  serviceFactor?: number;
  referralSource: string;
}

export interface SimulationInput {
  /** The site's time zone: extras are capped per local day and pooled per local hour. */
  zone: string;
  /** The weeks the sessions span, for the figures per week. */
  weeks: number;
  advisers: readonly SimAdviser[];
  sessions: readonly SimSession[];
  requests: readonly SimRequest[];
}

/**
 * What a rule is told about a full session and a candidate for an extra seat in it. Named as
 * decideOverbooking's request is, so that it plugs in with little glue; a session's excess is
 * its show probabilities beyond its capacity, there being no cancellations here.
 */
export interface AdmissionContext {
  session: SimSession;
  /** Predicted show probabilities of the customers already booked into the session. */
  showProbabilities: readonly number[];
  /** The candidate's predicted show probability. */
  candidate: number;
  customerId: string;
  /** Whether the customer's previous booking in this run was an extra (issue 8 point 5: not twice in a row). */
  extraLastTime: boolean;
  /** Extras at the site on the session's local day. */
  extrasToday: number;
  hoursUntilStart: number;
  /**
   * The other sessions of this type at the site starting in the same local hour, as they
   * stand: what a pooled decision adds to this session's. Not sessions of other types, whose
   * advisers are busy with them.
   */
  pool: readonly { capacity: number; showProbabilities: readonly number[] }[];
}

export type AdmissionRule = (context: AdmissionContext) => { admit: boolean; risk?: number };

export interface SimulationPolicy {
  label: string;
  /** Asked only about sessions already full. */
  admission: AdmissionRule;
  /** Whether, on the day, any free adviser at the site may see a waiting customer. */
  pooled: boolean;
}

export interface SimulatedBooking {
  /** Index into the input's requests. */
  request: number;
  sessionId: string;
  extra: boolean;
  /** The risk the policy gave when it admitted an extra. */
  risk?: number;
  /** When the customer came: who saw them, when, and how long they waited for it. */
  seenBy?: string;
  serviceStart?: number;
  waitMinutes?: number;
}

export interface SimulationFigures {
  /**
   * Customers seen times their session's duration over its capacity, over the advisers' session
   * minutes: above 1 when extras are seen in overtime.
   */
  utilisation: number;
  seen: number;
  seenPerWeek: number;
  booked: number;
  extras: number;
  turnedAway: number;
  /** Sessions to which more customers came than their capacity. */
  collisions: number;
  /** The waiting figures are over customers who came; null when nobody did. */
  meanWaitMinutes: number | null;
  /** Nearest rank. */
  p95WaitMinutes: number | null;
  waitedShare: number | null;
  /** Session minutes in which an adviser saw nobody. */
  idleAdviserMinutes: number;
  /** Minutes advisers spent seeing customers outside their sessions. */
  overtimeMinutes: number;
  fairness: {
    /** The mean wait of the tenth of customers who came with the lowest predicted show probability. */
    atRiskDecileMeanWaitMinutes: number | null;
    /** That over the mean wait of all who came (issue 8 point 5 wants at most 1.25); null when nobody waited. */
    atRiskDecileRatio: number | null;
    byReferralSource: Record<string, { seen: number; meanWaitMinutes: number }>;
  };
}

export interface SimulationRun {
  label: string;
  figures: SimulationFigures;
  bookings: SimulatedBooking[];
  /** Indices into the input's requests. */
  turnedAway: number[];
}

export function simulate(input: SimulationInput, policy: SimulationPolicy): SimulationRun {
  return run(prepare(input), policy);
}

/** The figures of each candidate on one input, in the candidates' order: the curve a site manager picks from. */
export function sweep(input: SimulationInput, policies: readonly SimulationPolicy[]): { label: string; figures: SimulationFigures }[] {
  const site = prepare(input);
  return policies.map((policy) => ({ label: policy.label, figures: run(site, policy).figures }));
}

interface Site {
  input: SimulationInput;
  /** Session indices by start, then input order. */
  byStart: number[];
  /** Per session: its adviser's index, local date, and the sessions in its pool. */
  adviserOf: Int32Array;
  dateOf: string[];
  poolOf: number[][];
  canSee: Set<string>[];
  /** Per adviser: the merged intervals [start, end) of their sessions. */
  presence: [number, number][][];
  /** Every session start, ascending: when a pooled adviser may come free for the queue. */
  starts: number[];
}

function prepare(input: SimulationInput): Site {
  const { zone, weeks, advisers, sessions, requests } = input;
  if (!(weeks > 0)) throw new RangeError('weeks must be positive');
  const adviserIndex = new Map(advisers.map((a, i) => [a.id, i]));
  if (adviserIndex.size !== advisers.length) throw new RangeError('adviser ids must be unique');
  const adviserOf = new Int32Array(sessions.length);
  const dateOf: string[] = [];
  const hourOf: string[] = [];
  const hours = new Map<string, number[]>();
  sessions.forEach((s, i) => {
    const a = adviserIndex.get(s.adviserId);
    if (a === undefined) throw new RangeError(`session ${s.id}: unknown adviser ${s.adviserId}`);
    if (!(s.durationMinutes > 0) || !Number.isInteger(s.capacity) || s.capacity < 1) throw new RangeError(`session ${s.id}: needs a positive duration and capacity`);
    adviserOf[i] = a;
    const clock = localClockOf(s.start, zone);
    dateOf.push(clock.date);
    hourOf.push(`${clock.date}|${Math.floor(clock.minutes / 60)}`);
    const hour = hours.get(hourOf[i]);
    if (hour) hour.push(i);
    else hours.set(hourOf[i], [i]);
  });
  if (new Set(sessions.map((s) => s.id)).size !== sessions.length) throw new RangeError('session ids must be unique');
  let previous = -Infinity;
  for (const r of requests) {
    if (r.requestedAt < previous) throw new RangeError('requests must come in the order they are made');
    previous = r.requestedAt;
    if (!(r.predictedShow >= 0 && r.predictedShow <= 1)) throw new RangeError(`${r.customerId}: predictedShow must lie in [0, 1]`);
    if (!(r.earliestStart <= r.latestStart)) throw new RangeError(`${r.customerId}: the window must not end before it starts`);
    if (!((r.serviceFactor ?? 1) > 0)) throw new RangeError(`${r.customerId}: serviceFactor must be positive`);
  }
  const canSee = advisers.map((a) => new Set(a.appointmentTypes));
  const poolOf = sessions.map((s, i) => hours.get(hourOf[i])!.filter((j) => j !== i && sessions[j].appointmentType === s.appointmentType));
  const byStart = sessions.map((_, i) => i).sort((x, y) => sessions[x].start - sessions[y].start || x - y);
  const presence = advisers.map((): [number, number][] => []);
  for (const i of byStart) {
    const s = sessions[i];
    const merged = presence[adviserOf[i]];
    const end = s.start + s.durationMinutes * MINUTE;
    const last = merged[merged.length - 1];
    if (last && s.start <= last[1]) last[1] = Math.max(last[1], end);
    else merged.push([s.start, end]);
  }
  return { input, byStart, adviserOf, dateOf, poolOf, canSee, presence, starts: byStart.map((i) => sessions[i].start) };
}

function run(site: Site, policy: SimulationPolicy): SimulationRun {
  const { bookings, turnedAway, bookedIn } = book(site, policy.admission);
  const { visits, busy } = day(site, bookings, bookedIn, policy.pooled);
  return { label: policy.label, figures: figures(site, bookings, bookedIn, visits, busy, turnedAway.length), bookings, turnedAway };
}

function book(site: Site, admission: AdmissionRule) {
  const { sessions, requests } = site.input;
  const bookedIn: number[][] = sessions.map(() => []);
  const shows: number[][] = sessions.map(() => []);
  const extrasOn = new Map<string, number>();
  const extraLastTime = new Map<string, boolean>();
  // Built once, over the live lists, so that asking the rule allocates nothing per session.
  const pools = site.poolOf.map((peers) => peers.map((j) => ({ capacity: sessions[j].capacity, showProbabilities: shows[j] })));
  const bookings: SimulatedBooking[] = [];
  const turnedAway: number[] = [];

  requests.forEach((r, request) => {
    const window: number[] = [];
    for (let k = firstIndex(site.starts.length, (j) => site.starts[j] >= Math.max(r.earliestStart, r.requestedAt)); k < site.starts.length && site.starts[k] <= r.latestStart; k++) {
      if (sessions[site.byStart[k]].appointmentType === r.appointmentType) window.push(site.byStart[k]);
    }
    const take = (i: number, extra: boolean, risk?: number) => {
      bookedIn[i].push(bookings.length);
      shows[i].push(r.predictedShow);
      extraLastTime.set(r.customerId, extra);
      if (extra) extrasOn.set(site.dateOf[i], (extrasOn.get(site.dateOf[i]) ?? 0) + 1);
      bookings.push({ request, sessionId: sessions[i].id, extra, risk });
    };
    const free = window.find((i) => shows[i].length < sessions[i].capacity);
    if (free !== undefined) return take(free, false);
    for (const i of window) {
      const decision = admission({
        session: sessions[i],
        showProbabilities: shows[i],
        candidate: r.predictedShow,
        customerId: r.customerId,
        extraLastTime: extraLastTime.get(r.customerId) ?? false,
        extrasToday: extrasOn.get(site.dateOf[i]) ?? 0,
        hoursUntilStart: (sessions[i].start - r.requestedAt) / HOUR,
        pool: pools[i],
      });
      if (decision.admit) return take(i, true, decision.risk);
    }
    turnedAway.push(request);
  });
  return { bookings, turnedAway, bookedIn };
}

interface Visit {
  booking: number;
  session: number;
  arrival: number;
  ready: number;
  lot: number;
}

interface Sitting {
  session: number;
  members: number;
  end: number;
}

/**
 * Serves everyone who turns up, filling in each visit's booking with who saw them, when, and
 * the wait; answers the visits in queue order and each adviser's busy intervals.
 */
function day(site: Site, bookings: SimulatedBooking[], bookedIn: number[][], pooled: boolean): { visits: Visit[]; busy: [number, number][][] } {
  const { sessions, requests } = site.input;
  const visits: Visit[] = [];
  bookedIn.forEach((held, session) => {
    for (const booking of held) {
      const r = requests[bookings[booking].request];
      if (!r.turnsUp) continue;
      const arrival = sessions[session].start + r.lateMinutes * MINUTE;
      visits.push({ booking, session, arrival, ready: Math.max(arrival, sessions[session].start), lot: r.lot });
    }
  });
  visits.sort((x, y) => x.ready - y.ready || x.arrival - y.arrival || x.lot - y.lot);

  const advisers = site.input.advisers.length;
  const freeAt = new Float64Array(advisers).fill(-Infinity);
  const running: (Sitting | null)[] = Array(advisers).fill(null);
  const busy: [number, number][][] = site.input.advisers.map(() => []);
  const serve = (v: Visit, adviser: number, start: number) => {
    const b = bookings[v.booking];
    b.seenBy = site.input.advisers[adviser].id;
    b.serviceStart = start;
    b.waitMinutes = (start - v.ready) / MINUTE;
  };
  const adviserFor = (v: Visit, t: number): number => {
    const own = site.adviserOf[v.session];
    if (freeAt[own] <= t) return own;
    if (!pooled) return -1;
    const type = sessions[v.session].appointmentType;
    for (let a = 0; a < advisers; a++) if (freeAt[a] <= t && site.canSee[a].has(type) && inSession(site.presence[a], t)) return a;
    return -1;
  };

  const queue: Visit[] = [];
  let next = 0;
  let t = visits.length ? visits[0].ready : Infinity;
  while (t < Infinity) {
    for (; next < visits.length && visits[next].ready <= t; next++) {
      const v = visits[next];
      const joinable = running.findIndex((s) => s !== null && s.session === v.session && s.end > t && s.members < sessions[v.session].capacity);
      if (joinable < 0) queue.push(v);
      else {
        running[joinable]!.members++;
        serve(v, joinable, t);
      }
    }
    for (let q = 0; q < queue.length; ) {
      const head = queue[q];
      const adviser = adviserFor(head, t);
      if (adviser < 0) {
        q++;
        continue;
      }
      const session = sessions[head.session];
      const group = [head];
      for (let k = q + 1; k < queue.length && group.length < session.capacity; k++) if (queue[k].session === head.session) group.push(queue[k]);
      for (const v of group) queue.splice(queue.indexOf(v, q), 1);
      const factor = Math.max(...group.map((v) => requests[bookings[v.booking].request].serviceFactor ?? 1));
      const end = t + session.durationMinutes * factor * MINUTE;
      for (const v of group) serve(v, adviser, t);
      running[adviser] = { session: head.session, members: group.length, end };
      freeAt[adviser] = end;
      busy[adviser].push([t, end]);
    }
    let after = next < visits.length ? visits[next].ready : Infinity;
    for (const free of freeAt) if (free > t) after = Math.min(after, free);
    if (pooled && queue.length) {
      const k = firstIndex(site.starts.length, (j) => site.starts[j] > t);
      if (k < site.starts.length) after = Math.min(after, site.starts[k]);
    }
    t = queue.length || next < visits.length ? after : Infinity;
  }
  return { visits, busy };
}

function figures(site: Site, bookings: SimulatedBooking[], bookedIn: number[][], visits: Visit[], busy: [number, number][][], turnedAway: number): SimulationFigures {
  const { sessions, requests, weeks } = site.input;
  let presenceMinutes = 0;
  let idle = 0;
  let overtime = 0;
  site.presence.forEach((intervals, a) => {
    const inside = overlapMs(intervals, busy[a]);
    const present = intervals.reduce((sum, [s, e]) => sum + e - s, 0);
    presenceMinutes += present / MINUTE;
    idle += (present - inside) / MINUTE;
    overtime += (busy[a].reduce((sum, [s, e]) => sum + e - s, 0) - inside) / MINUTE;
  });

  const waits = visits.map((v) => bookings[v.booking].waitMinutes!);
  const seatMinutes = visits.reduce((sum, v) => sum + sessions[v.session].durationMinutes / sessions[v.session].capacity, 0);
  const collisions = bookedIn.filter((held, i) => held.filter((b) => requests[bookings[b].request].turnsUp).length > sessions[i].capacity).length;
  const mean = (xs: number[]) => (xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : null);
  const meanWait = mean(waits);

  const byRisk = visits.map((v, i) => ({ show: requests[bookings[v.booking].request].predictedShow, i })).sort((x, y) => x.show - y.show || x.i - y.i);
  const decileWait = mean(byRisk.slice(0, Math.ceil(visits.length / 10)).map((x) => waits[x.i]));
  const bySource: Record<string, { seen: number; meanWaitMinutes: number }> = {};
  visits.forEach((v, i) => {
    const source = requests[bookings[v.booking].request].referralSource;
    const group = (bySource[source] ??= { seen: 0, meanWaitMinutes: 0 });
    group.seen++;
    group.meanWaitMinutes += (waits[i] - group.meanWaitMinutes) / group.seen;
  });

  const sorted = [...waits].sort((x, y) => x - y);
  return {
    utilisation: presenceMinutes ? seatMinutes / presenceMinutes : 0,
    seen: visits.length,
    seenPerWeek: visits.length / weeks,
    booked: bookings.length,
    extras: bookings.filter((b) => b.extra).length,
    turnedAway,
    collisions,
    meanWaitMinutes: meanWait,
    p95WaitMinutes: sorted.length ? sorted[Math.ceil(0.95 * sorted.length) - 1] : null,
    waitedShare: waits.length ? waits.filter((w) => w > 0).length / waits.length : null,
    idleAdviserMinutes: idle,
    overtimeMinutes: overtime,
    fairness: {
      atRiskDecileMeanWaitMinutes: decileWait,
      atRiskDecileRatio: meanWait ? decileWait! / meanWait : null,
      byReferralSource: bySource,
    },
  };
}

/** The total length of the intersection of two sorted lists of disjoint intervals. */
function overlapMs(xs: [number, number][], ys: [number, number][]): number {
  let total = 0;
  for (let i = 0, j = 0; i < xs.length && j < ys.length; ) {
    total += Math.max(0, Math.min(xs[i][1], ys[j][1]) - Math.max(xs[i][0], ys[j][0]));
    if (xs[i][1] < ys[j][1]) i++;
    else j++;
  }
  return total;
}

function inSession(intervals: [number, number][], t: number): boolean {
  const k = firstIndex(intervals.length, (i) => intervals[i][0] > t) - 1;
  return k >= 0 && t < intervals[k][1];
}

/** The first index in [0, n) at which a test that turns true once and stays true holds; n if none. */
function firstIndex(n: number, test: (i: number) => boolean): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (test(mid)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
