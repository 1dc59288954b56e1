import { withCustomerHistory } from './customer-history';
import { generateHistory, HistoryOptions, historyRows, SyntheticAppointment } from './synthetic-history';

const LONDON = 'Europe/London';
/** Changes its clocks on other dates than London, and its working day is another UTC day's evening. */
const NEW_YORK = 'America/New_York';
const DAY = 86_400_000;

const sites = [
  ...Array.from({ length: 40 }, (_, i) => ({ id: `site-${i}`, zone: LONDON })),
  { id: 'ny-0', zone: NEW_YORK },
  { id: 'ny-1', zone: NEW_YORK },
];
const advisers = [
  ...Array.from({ length: 60 }, (_, i) => ({ id: `adviser-${i}`, siteIds: [`site-${i % 40}`, `site-${(i * 7 + 3) % 40}`].slice(0, 1 + (i % 2)) })),
  ...Array.from({ length: 4 }, (_, i) => ({ id: `adviser-ny-${i}`, siteIds: ['ny-0', 'ny-1'] })),
];
const appointmentTypes: HistoryOptions['appointmentTypes'] = [
  { code: 'SKILLS_HEALTH_CHECK', durationMinutes: 60, channel: 'face_to_face' },
  { code: 'TELEPHONE_FOLLOW_UP', durationMinutes: 30, channel: 'telephone' },
  { code: 'VIDEO_CV_REVIEW', durationMinutes: 45, channel: 'video' },
  // Not a whole number of 5-minute marks: the next appointment must still start on one.
  { code: 'TRIAGE', durationMinutes: 12, channel: 'face_to_face' },
];
const duration = new Map(appointmentTypes.map((t) => [t.code, t.durationMinutes]));
const zoneOf = new Map(sites.map((s) => [s.id, s.zone]));

/** 2027 from its first Monday: both clock changes in London (28 March, 31 October) and New York (14 March, 7 November). */
const YEAR: HistoryOptions = { seed: 'spec', from: '2027-01-04', weeks: 52, sites, advisers, appointmentTypes, appointmentsPerWeek: 960 };
const rows = generateHistory(YEAR);
const small: HistoryOptions = { ...YEAR, weeks: 3, appointmentsPerWeek: 200 };

// The wall clock by Intl, not by the project's time helpers that the generator uses. Intl is
// slow, so it is asked once per zone and UTC hour: both zones change offset on the hour.
const formats = new Map(
  [LONDON, NEW_YORK].map((zone) => [zone, new Intl.DateTimeFormat('en-GB', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })]),
);
const HOUR = 3_600_000;
const offsets = new Map<string, number>();
function wallClock(instant: number, zone: string): { date: string; minutes: number; weekday: number } {
  const hour = Math.floor(instant / HOUR) * HOUR;
  const key = `${zone}|${hour}`;
  let offset = offsets.get(key);
  if (offset === undefined) {
    const p = Object.fromEntries(formats.get(zone)!.formatToParts(new Date(hour)).map((x) => [x.type, Number(x.value)]));
    offset = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute) - hour;
    offsets.set(key, offset);
  }
  const wall = new Date(instant + offset);
  return { date: wall.toISOString().slice(0, 10), minutes: wall.getUTCHours() * 60 + wall.getUTCMinutes(), weekday: wall.getUTCDay() || 7 };
}

const local = new Map(
  rows.map((r) => {
    const start = wallClock(r.start, zoneOf.get(r.siteId)!);
    const booked = wallClock(r.bookedAt, zoneOf.get(r.siteId)!);
    return [r, { start, booked, leadDays: (Date.parse(start.date) - Date.parse(booked.date)) / DAY }];
  }),
);
const leadDays = (r: SyntheticAppointment) => local.get(r)!.leadDays;

/** Rows that ended in a show or a DNA: the ones DNA rates and the show model are about. */
const decided = rows.filter((r) => r.outcome !== 'cancelled_late');
const dnaRate = (subset: SyntheticAppointment[]) => subset.filter((r) => r.outcome === 'dna').length / subset.length;
const dnaRateWhere = (keep: (r: SyntheticAppointment) => boolean) => dnaRate(decided.filter(keep));

describe('generateHistory', () => {
  it('is the same for a seed and different for another', () => {
    const first = generateHistory(small);
    expect(generateHistory(small)).toEqual(first);
    const other = generateHistory({ ...small, seed: 'other' });
    const shape = (history: SyntheticAppointment[]) => history.map((r) => [r.start, r.customerReference, r.outcome]);
    expect(shape(other)).not.toEqual(shape(first));
    expect(new Set([...other, ...first].map((r) => r.legacyId)).size).toBe(other.length + first.length);
  });

  it('streams the rows in start order, about as many as asked for, each with its own id', () => {
    expect([...historyRows(small)]).toEqual(generateHistory(small));
    expect(rows.every((r, i) => i === 0 || rows[i - 1].start <= r.start)).toBe(true);
    expect(Math.abs(rows.length / (YEAR.appointmentsPerWeek * YEAR.weeks) - 1)).toBeLessThan(0.03);
    expect(new Set(rows.map((r) => r.legacyId)).size).toBe(rows.length);
  });

  it("starts on weekdays, on 5-minute marks, within 09:00-16:30 in the site's zone, across both clock changes", () => {
    const outside = rows.filter((r) => {
      const { minutes, weekday } = local.get(r)!.start;
      return weekday > 5 || minutes % 5 !== 0 || minutes < 9 * 60 || minutes + duration.get(r.appointmentType)! > 16 * 60 + 30;
    });
    expect(outside).toEqual([]);
    // 09:00 is a different UTC hour either side of the changes, and the weeks around every
    // change are there, so the checks above crossed them.
    const at = (zone: string) => rows.filter((r) => zoneOf.get(r.siteId) === zone);
    const utcHoursAtNine = (zone: string) => new Set(at(zone).filter((r) => local.get(r)!.start.minutes === 9 * 60).map((r) => new Date(r.start).getUTCHours()));
    expect(utcHoursAtNine(LONDON)).toEqual(new Set([8, 9]));
    expect(utcHoursAtNine(NEW_YORK)).toEqual(new Set([13, 14]));
    const dates = (zone: string) => new Set(at(zone).map((r) => local.get(r)!.start.date));
    for (const date of ['2027-03-26', '2027-03-29', '2027-10-29', '2027-11-01']) expect(dates(LONDON)).toContain(date);
    for (const date of ['2027-03-12', '2027-03-15', '2027-11-05', '2027-11-08']) expect(dates(NEW_YORK)).toContain(date);
  });

  it('never gives an adviser two appointments at once', () => {
    const free = new Map<string, number>();
    const overlapping = rows.filter((r) => {
      const clash = r.start < (free.get(r.adviserId) ?? -Infinity);
      free.set(r.adviserId, r.start + duration.get(r.appointmentType)! * 60_000);
      return clash;
    });
    expect(overlapping).toEqual([]);
  });

  it('books 0-42 days ahead in booking hours, never after the start, the reminder pending only under a day ahead', () => {
    const wrong = rows.filter((r) => {
      const booked = local.get(r)!.booked.minutes;
      return r.bookedAt > r.start || leadDays(r) < 0 || leadDays(r) > 42 || booked < 8 * 60 || booked >= 18 * 60 || (r.reminder === 'pending') !== r.start - r.bookedAt < DAY;
    });
    expect(wrong).toEqual([]);
    const share = (keep: (lead: number) => boolean) => rows.filter((r) => keep(leadDays(r))).length / rows.length;
    expect(share((lead) => lead <= 21)).toBeGreaterThan(0.8);
    expect(share((lead) => lead > 28)).toBeGreaterThan(0.02);
  });

  it('refuses options it cannot honour', () => {
    const refused = (changes: Partial<HistoryOptions>) => expect(() => historyRows({ ...small, ...changes })).toThrow(RangeError);
    refused({ from: '2027-02-30' });
    refused({ weeks: 0 });
    refused({ sites: [...sites, { id: 'nowhere', zone: 'Mars/Olympus' }] });
    refused({ advisers: [{ id: 'lost', siteIds: ['no-such-site'] }] });
    refused({ appointmentTypes: [{ code: 'ALL_DAY', durationMinutes: 8 * 60, channel: 'face_to_face' }] });
    refused({ customers: 0 });
  });
});

describe('the hidden model', () => {
  it('misses 20-30% of decided appointments, and cancels 2-4% late', () => {
    expect(dnaRate(decided)).toBeGreaterThan(0.2);
    expect(dnaRate(decided)).toBeLessThan(0.3);
    const share = (outcome: SyntheticAppointment['outcome']) => rows.filter((r) => r.outcome === outcome).length / rows.length;
    expect(share('cancelled_late')).toBeGreaterThan(0.02);
    expect(share('cancelled_late')).toBeLessThan(0.04);
    expect(share('late')).toBeGreaterThan(share('left_unseen'));
    expect(share('left_unseen')).toBeGreaterThan(0);
  });

  it('misses more the longer the lead time', () => {
    const buckets = [[0, 2], [3, 7], [8, 14], [15, 28], [29, 42]].map(([lo, hi]) => dnaRateWhere((r) => leadDays(r) >= lo && leadDays(r) <= hi));
    for (let i = 1; i < buckets.length; i++) expect(buckets[i]).toBeGreaterThan(buckets[i - 1] + 0.015);
  });

  it('misses less after a delivered reminder than a failed one, and less again with the missed-cost wording', () => {
    expect(dnaRateWhere((r) => r.reminder === 'delivered') + 0.05).toBeLessThan(dnaRateWhere((r) => r.reminder === 'failed'));
    const delivered = (variant: string) => dnaRateWhere((r) => r.reminder === 'delivered' && r.reminderVariant === variant);
    expect(delivered('missed_cost') + 0.015).toBeLessThan(delivered('standard'));
  });

  it('misses more on Mondays and Fridays than mid-week, more before 10:00, more on mandatory JCP referrals', () => {
    const weekday = (r: SyntheticAppointment) => local.get(r)!.start.weekday;
    const midweek = dnaRateWhere((r) => weekday(r) >= 2 && weekday(r) <= 4);
    expect(dnaRateWhere((r) => weekday(r) === 1)).toBeGreaterThan(midweek + 0.015);
    expect(dnaRateWhere((r) => weekday(r) === 5)).toBeGreaterThan(midweek + 0.015);
    const early = (r: SyntheticAppointment) => local.get(r)!.start.minutes < 10 * 60;
    expect(dnaRateWhere(early)).toBeGreaterThan(dnaRateWhere((r) => !early(r)) + 0.01);
    const jcp = (mandatory: boolean) => dnaRateWhere((r) => r.referralSource === 'jcp' && r.mandatory === mandatory);
    expect(jcp(true)).toBeGreaterThan(jcp(false) + 0.03);
  });

  it("brings customers back, and a customer's own record predicts them", () => {
    expect(rows.length / new Set(rows.map((r) => r.customerReference)).size).toBeGreaterThan(3);
    const bad: SyntheticAppointment[] = [];
    const good: SyntheticAppointment[] = [];
    for (const { row, history } of withCustomerHistory(rows)) {
      if (row.outcome === 'cancelled_late' || history.showed + history.missed < 2) continue;
      if (history.missed > history.showed) bad.push(row);
      else if (history.missed === 0) good.push(row);
    }
    expect(dnaRate(bad)).toBeGreaterThan(dnaRate(good) + 0.25);
  });

  it('is calibrated: each decile of showProbability turns up as often as it says', () => {
    const sorted = [...decided].sort((x, y) => x.showProbability - y.showProbability);
    for (let d = 0; d < 10; d++) {
      const decile = sorted.slice(Math.floor((d * sorted.length) / 10), Math.floor(((d + 1) * sorted.length) / 10));
      const expected = 1 - decile.reduce((sum, r) => sum + r.showProbability, 0) / decile.length;
      expect(Math.abs(dnaRate(decile) - expected)).toBeLessThan(0.03);
    }
  });
});

describe('withCustomerHistory', () => {
  it('counts exactly the earlier shows and DNAs that had started when the row was booked', () => {
    const byCustomer = new Map<string, SyntheticAppointment[]>();
    for (const r of rows) byCustomer.set(r.customerReference, [...(byCustomer.get(r.customerReference) ?? []), r]);
    const wrong = [...withCustomerHistory(rows)].filter(({ row, history }) => {
      const known = byCustomer.get(row.customerReference)!.filter((r) => r.start < row.bookedAt && r.outcome !== 'cancelled_late');
      const missed = known.filter((r) => r.outcome === 'dna').length;
      return history.missed !== missed || history.showed !== known.length - missed;
    });
    expect(wrong).toEqual([]);
  });

  it('leaves out an appointment that started after the row was booked, even one that started before the row', () => {
    const day = (n: number) => Date.UTC(2027, 0, 4 + n, 10);
    const customerReference = 'C-1';
    const booked = [
      { id: 'missed', customerReference, bookedAt: day(1), start: day(5), outcome: 'dna' as const },
      { id: 'cancelled', customerReference, bookedAt: day(2), start: day(8), outcome: 'cancelled_late' as const },
      // Booked before 'missed' happened.
      { id: 'long-wait', customerReference, bookedAt: day(0), start: day(20), outcome: 'attended' as const },
      { id: 'after-miss', customerReference, bookedAt: day(10), start: day(25), outcome: 'late' as const },
      { id: 'someone-else', customerReference: 'C-2', bookedAt: day(0), start: day(26), outcome: 'dna' as const },
      { id: 'last', customerReference, bookedAt: day(29), start: day(30), outcome: 'attended' as const },
    ];
    const histories = Object.fromEntries([...withCustomerHistory(booked)].map(({ row, history }) => [row.id, history]));
    expect(histories).toEqual({
      missed: { showed: 0, missed: 0 },
      cancelled: { showed: 0, missed: 0 },
      'long-wait': { showed: 0, missed: 0 },
      'after-miss': { showed: 0, missed: 1 },
      'someone-else': { showed: 0, missed: 0 },
      last: { showed: 2, missed: 1 },
    });
  });

  it('refuses rows out of start order', () => {
    const row = (start: number) => ({ customerReference: 'C-1', bookedAt: 0, start, outcome: 'attended' as const });
    expect(() => [...withCustomerHistory([row(2), row(1)])]).toThrow(RangeError);
  });
});
