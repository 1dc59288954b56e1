/**
 * National-scale dataset for the benchmarks: the National Careers Service's first year
 * (seed 001: 538 jobcentres and 2,429 other venues, 1.15 million sessions), so 2,967
 * co-location sites across England and 3,000 careers advisers, each based at a jobcentre,
 * college or careers office and visiting 0-2 nearby venues (libraries, community centres,
 * probation, employers) a half day to two days a week; five appointment types; 12 weeks of
 * diaries from the next Monday, booked as waits go (most of the next fortnight, little
 * beyond six weeks); leave/sickness/training exceptions, site closures and bank holidays.
 *
 *   npm run bench:dataset            (re)builds database careers_booking_bench
 *
 * Deterministic: the same seed (BENCH_SEED, default below) and the same start Monday give
 * the same rows, ids included. The schema comes from migrate() of src; rows are inserted
 * in bulk with multi-row INSERT ... SELECT FROM unnest(...) (one statement per 20k rows).
 * Windows are computed with the service's own pure functions (expandPattern,
 * subtractBlocks, bank holidays), so existing sessions sit exactly where the service would
 * have put them, and obey its rules: no adviser in two patterns at once, no room shared
 * by two patterns at once, pattern types delivered by the adviser, times on 5-minute marks.
 *
 * Attendance history: the year before (52 weeks ending the Sunday before the current week),
 * about BENCH_HISTORY_ROWS (default 1,150,000; 0 for none) past appointments at the same
 * sites, with the same advisers (each at their own sites) and appointment types, drawn by
 * the service's own synthetic history (historyRows, seeded from the dataset's seed and
 * streamed a day at a time) and stored through the service's own insertHistory, as an import
 * would store them. Every column is deterministic except attendance_records.id, which
 * insertHistory takes from gen_random_uuid().
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { hashApiKey } from '../src/common/auth/api-key';
import { migrate } from '../src/common/database/migrator';
import { historyRows } from '../src/attendance/domain/synthetic-history';
import { HistoryRecord, insertHistory, Query, syntheticRecord } from '../src/attendance/history-records';
import { Rng } from '../src/common/random/rng';
import { addDays, DAY, isoWeekday, MINUTE, startOfLocalDay } from '../src/common/time/local-time';
import { DiaryPattern, expandPattern, Interval, OpeningHours, patternsOverlap, subtractBlocks } from '../src/diaries/domain/availability';
import { bankHolidaysBetween } from '../src/sites/domain/bank-holidays';
import { slotCapacity } from '../src/slots/domain/slots';
import { databaseUrl, DATASET_DB, recreateDatabase, withClient } from './lib/db';
import { ROOT } from './lib/paths';

/** Bump when the shape of the data changes, so that benchmarks regenerate a stale database. */
export const GENERATOR_VERSION = 8;

/** The migrations the dataset was built with: a changed schema means a rebuild. */
export function schemaFingerprint(): string {
  const dir = join(ROOT, 'migrations');
  const hash = createHash('sha256');
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.sql')).sort()) hash.update(f).update(readFileSync(join(dir, f)));
  return hash.digest('hex').slice(0, 16);
}
export const DEFAULT_SEED = 'careers-bench-2026';
export const ZONE = 'Europe/London';
export const WEEKS = 12;
const ADVISER_COUNT = 3000;
/** Past appointments in attendance_records (about: the generator rounds per day); 0 for none. The first year's 1.15 million sessions (001). */
export const HISTORY_ROWS = Number(process.env.BENCH_HISTORY_ROWS ?? 1_150_000);
export const HISTORY_WEEKS = 52;
/** The first day of the history: 53 weeks before the dataset's first Monday, so it ends before the current week. */
export const historyFrom = (startDate: string) => addDays(startDate, -(HISTORY_WEEKS + 1) * 7);

export const TYPES = [
  { code: 'SKILLS_HEALTH_CHECK', name: 'Skills health check', duration: 60, capacity: 1, channel: 'face_to_face', buffer: 0, weight: 3 },
  { code: 'CAREERS_GUIDANCE', name: 'Careers guidance interview', duration: 45, capacity: 1, channel: 'face_to_face', buffer: 15, weight: 4 },
  { code: 'FOLLOW_UP', name: 'Follow-up appointment', duration: 30, capacity: 1, channel: 'face_to_face', buffer: 0, weight: 3 },
  { code: 'TELEPHONE_FOLLOW_UP', name: 'Telephone follow-up', duration: 20, capacity: 1, channel: 'telephone', buffer: 10, weight: 2 },
  { code: 'CV_WORKSHOP', name: 'CV workshop (group)', duration: 120, capacity: 8, channel: 'face_to_face', buffer: 0, weight: 6 },
] as const;
type TypeCode = (typeof TYPES)[number]['code'];
const ONE_TO_ONE: TypeCode[] = ['SKILLS_HEALTH_CHECK', 'CAREERS_GUIDANCE', 'FOLLOW_UP', 'TELEPHONE_FOLLOW_UP'];

export const NIL_UUID = '00000000-0000-0000-0000-000000000000';

/** The API key of partner organisation i (i = 0 is the one the benchmarks use). Derived from the seed, never stored. */
export const partnerKey = (seed: string, i: number) => `cbk_${createHash('sha256').update(`bench-key:${seed}:partner:${i}`).digest('base64url')}`;

/** The next Monday strictly after today, as a local date in Europe/London. */
export function nextMonday(now = Date.now()): string {
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: ZONE, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(now));
  return addDays(today, 8 - isoWeekday(today));
}

export interface DatasetMeta {
  version: number;
  schema: string;
  seed: string;
  startDate: string;
  weeks: number;
  generatedAt: string;
  seconds: number;
  counts: Record<string, number>;
  /** Organisation ids of the partners whose keys are partnerKey(seed, i). */
  partnerOrganisations: string[];
  /** The careers providers that employ the advisers (no API keys in the dataset). */
  providerOrganisations: string[];
  siteIds: string[];
  /** The attendance history: rows asked for (BENCH_HISTORY_ROWS), rows stored, first and last local date. */
  history: { requested: number; rows: number; from: string | null; to: string | null; customers: number; seconds: number };
}

// --- reference data -------------------------------------------------------------------

// English postcode areas and a town for each; the weight is roughly how many sites it gets;
// the town centre's latitude and longitude.
const AREAS: [string, string, number, number, number][] = [
  ['B', 'Birmingham', 5, 52.486, -1.89], ['M', 'Manchester', 4, 53.481, -2.243], ['L', 'Liverpool', 3, 53.408, -2.992], ['LS', 'Leeds', 3, 53.801, -1.549], ['S', 'Sheffield', 3, 53.381, -1.47], ['NE', 'Newcastle upon Tyne', 3, 54.978, -1.618],
  ['BS', 'Bristol', 3, 51.455, -2.588], ['NG', 'Nottingham', 3, 52.954, -1.158], ['LE', 'Leicester', 2, 52.637, -1.14], ['CV', 'Coventry', 2, 52.407, -1.51], ['E', 'London', 3, 51.538, -0.03], ['N', 'London', 2, 51.585, -0.11],
  ['SE', 'London', 3, 51.46, -0.03], ['SW', 'London', 2, 51.455, -0.17], ['NW', 'London', 2, 51.55, -0.2], ['W', 'London', 1, 51.51, -0.22], ['SN', 'Swindon', 1, 51.558, -1.782], ['OX', 'Oxford', 1, 51.752, -1.258],
  ['RG', 'Reading', 1, 51.454, -0.978], ['SO', 'Southampton', 2, 50.91, -1.404], ['PO', 'Portsmouth', 1, 50.817, -1.08], ['BN', 'Brighton', 1, 50.823, -0.137], ['CT', 'Canterbury', 1, 51.28, 1.079], ['ME', 'Chatham', 1, 51.38, 0.529],
  ['TN', 'Tunbridge Wells', 1, 51.132, 0.263], ['CB', 'Cambridge', 1, 52.205, 0.122], ['NR', 'Norwich', 1, 52.63, 1.297], ['IP', 'Ipswich', 1, 52.057, 1.148], ['CO', 'Colchester', 1, 51.889, 0.904], ['CM', 'Chelmsford', 1, 51.736, 0.479],
  ['SS', 'Southend-on-Sea', 1, 51.546, 0.707], ['PE', 'Peterborough', 1, 52.573, -0.241], ['LN', 'Lincoln', 1, 53.235, -0.538], ['HU', 'Hull', 2, 53.768, -0.333], ['YO', 'York', 1, 53.96, -1.082], ['DN', 'Doncaster', 2, 53.523, -1.133],
  ['BD', 'Bradford', 2, 53.796, -1.759], ['HD', 'Huddersfield', 1, 53.646, -1.782], ['WF', 'Wakefield', 1, 53.683, -1.499], ['OL', 'Oldham', 1, 53.541, -2.118], ['BL', 'Bolton', 1, 53.578, -2.43], ['WN', 'Wigan', 1, 53.545, -2.633],
  ['PR', 'Preston', 1, 53.763, -2.703], ['BB', 'Blackburn', 1, 53.748, -2.482], ['LA', 'Lancaster', 1, 54.047, -2.801], ['CA', 'Carlisle', 1, 54.893, -2.936], ['DL', 'Darlington', 1, 54.524, -1.553], ['TS', 'Middlesbrough', 2, 54.574, -1.235],
  ['SR', 'Sunderland', 2, 54.906, -1.381], ['DH', 'Durham', 1, 54.776, -1.576], ['WA', 'Warrington', 1, 53.39, -2.597], ['ST', 'Stoke-on-Trent', 2, 53.003, -2.18], ['DE', 'Derby', 2, 52.921, -1.476], ['WV', 'Wolverhampton', 2, 52.587, -2.129],
  ['WS', 'Walsall', 1, 52.586, -1.982], ['DY', 'Dudley', 1, 52.512, -2.081], ['WR', 'Worcester', 1, 52.192, -2.22], ['GL', 'Gloucester', 1, 51.865, -2.244], ['BA', 'Bath', 1, 51.381, -2.359], ['TA', 'Taunton', 1, 51.015, -3.107],
  ['EX', 'Exeter', 1, 50.718, -3.534], ['PL', 'Plymouth', 1, 50.376, -4.143], ['TR', 'Truro', 1, 50.263, -5.051], ['BH', 'Bournemouth', 1, 50.72, -1.88], ['GU', 'Guildford', 1, 51.236, -0.57], ['LU', 'Luton', 1, 51.879, -0.417],
  ['MK', 'Milton Keynes', 1, 52.041, -0.76], ['NN', 'Northampton', 1, 52.24, -0.902],
];
// London is one town in six postcode areas, and people name them so.
const LONDON: Record<string, string> = { E: 'East London', N: 'North London', SE: 'South East London', SW: 'South West London', NW: 'North West London', W: 'West London' };
const areaName = (code: string, town: string) => LONDON[code] ?? town;

/** A point uniformly scattered within `km` of a centre (near enough flat at this size). */
function scatter(rng: Rng, latitude: number, longitude: number, km: number): { latitude: number; longitude: number } {
  const r = km * Math.sqrt(rng.next());
  const bearing = 2 * Math.PI * rng.next();
  const round = (x: number) => Math.round(x * 1e5) / 1e5;
  return { latitude: round(latitude + (r * Math.cos(bearing)) / 111.2), longitude: round(longitude + (r * Math.sin(bearing)) / (111.2 * Math.cos((latitude * Math.PI) / 180))) };
}

const STREETS = ['High Street', 'Station Road', 'Church Street', 'Market Place', 'King Street', 'Victoria Road', 'Queen Street', 'London Road', 'Mill Lane', 'Park Road', 'Bridge Street', 'George Street'];
const INWARD_LETTERS = 'ABDEFGHJLNPQRSTUWXYZ';
const FIRST = ['Aisha', 'Ben', 'Chloe', 'Daniel', 'Ella', 'Femi', 'Grace', 'Harry', 'Imran', 'Jade', 'Kwame', 'Laura', 'Mohammed', 'Niamh', 'Oliver', 'Priya', 'Rhys', 'Sophie', 'Tom', 'Una', 'Vikram', 'Wendy', 'Yusuf', 'Zoe'];
const LAST = ['Ahmed', 'Brown', 'Clarke', 'Davies', 'Evans', 'Foster', 'Green', 'Hughes', 'Iqbal', 'Johnson', 'Khan', 'Lewis', 'Morris', 'Nowak', 'Okafor', 'Patel', 'Roberts', 'Singh', 'Taylor', 'Walker', 'Wright', 'Young'];

type Kind = 'jobcentre' | 'college' | 'library' | 'community' | 'probation' | 'employer' | 'other';
// The first year's venues (001): 538 jobcentres and 2,429 others, "dedicated National Careers
// Service premises, further education colleges, community centres, housing associations,
// libraries and local authority offices" ('other' is the careers offices, council offices
// and housing associations).
const SITE_MIX: [Kind, number][] = [['jobcentre', 538], ['library', 700], ['community', 650], ['college', 420], ['other', 479], ['probation', 90], ['employer', 90]];
// Where advisers are based, and how many each kind draws beyond the one every jobcentre has;
// the other kinds are venues an adviser visits from a base near by.
const BASE_WEIGHT: Partial<Record<Kind, number>> = { jobcentre: 2, college: 1, other: 2 };
// Share of a venue's diary that gets booked, against a jobcentre's (most referrals come through jobcentres, 001).
const DEMAND: Record<Kind, number> = { jobcentre: 1, college: 0.85, other: 0.9, library: 0.75, community: 0.7, probation: 0.9, employer: 0.8 };
// Share of a week's packable slots booked by its distance from today: waits of up to two weeks
// were usual and six the worst (002), so the far weeks hold little beyond follow-ups.
const BOOKED_BY_WEEK = [0.8, 0.62, 0.42, 0.27, 0.17, 0.11, 0.08, 0.06, 0.05, 0.04, 0.03, 0.03];
const KIND_LABEL: Record<Kind, string> = { jobcentre: 'Jobcentre Plus', college: 'College', library: 'Library', community: 'Community Centre', probation: 'Probation Office', employer: 'Employer Hub', other: 'Careers Point' };
const MON_FRI = ['MON', 'TUE', 'WED', 'THU', 'FRI'] as const;
const hours = (days: readonly string[], open: string, close: string): OpeningHours => Object.fromEntries(days.map((d) => [d, { open, close }]));
const OPENING: Record<Kind, () => OpeningHours | null> = {
  jobcentre: () => hours(MON_FRI, '08:30', '17:00'),
  college: () => ({ ...hours(['MON', 'TUE', 'WED', 'THU'], '08:00', '20:00'), FRI: { open: '08:00', close: '17:00' } }),
  library: () => ({ ...hours(['MON', 'TUE', 'THU', 'FRI'], '09:00', '17:30'), WED: { open: '09:00', close: '13:00' }, SAT: { open: '09:00', close: '13:00' } }),
  community: () => null,
  probation: () => hours(MON_FRI, '09:00', '17:00'),
  employer: () => hours(MON_FRI, '08:00', '18:00'),
  other: () => null,
};
const MIN_NOTICE: Record<Kind, number> = { jobcentre: 0, college: 60, library: 120, community: 1440, probation: 0, employer: 60, other: 240 };
const CLOSURE_REASONS = ['Staff training day', 'Building maintenance', 'Fire alarm testing', 'Office move', 'Local election polling station'];

// --- generation -----------------------------------------------------------------------

interface Site {
  id: string;
  name: string;
  kind: Kind;
  address: string;
  postcode: string;
  area: number;
  point: { latitude: number; longitude: number };
  openingHours: OpeningHours | null;
  minNotice: number;
  closures: { id: string; date: string; reason: string }[];
  rooms: { id: string; name: string; capacity: number }[];
}

interface Pattern extends DiaryPattern {
  types: TypeCode[];
}

/** Everything to insert, column arrays per table. */
class Columns {
  readonly data = new Map<string, unknown[][]>();
  readonly counts = new Map<string, number>();
  private pending = 0;
  push(table: string, row: unknown[]) {
    let rows = this.data.get(table);
    if (!rows) this.data.set(table, (rows = []));
    rows.push(row);
    this.counts.set(table, (this.counts.get(table) ?? 0) + 1);
    this.pending++;
  }
  get buffered() {
    return this.pending;
  }
  /** Hands over the rows gathered so far and starts afresh (rows are loaded in batches as they are made). */
  take(): Map<string, unknown[][]> {
    const data = new Map(this.data);
    this.data.clear();
    this.pending = 0;
    return data;
  }
}

/** Makes the rows into `out`, pausing (yield) after each adviser so that the caller can load what is ready. */
export function* generate(seed: string, startDate: string, out: Columns) {
  const rng = new Rng(`${seed}|${startDate}`);
  const endDate = addDays(startDate, WEEKS * 7); // exclusive
  const range: Interval = { start: startOfLocalDay(ZONE, startDate), end: startOfLocalDay(ZONE, endDate) };
  const bankHolidays = bankHolidaysBetween('ENG', startDate, endDate);

  // Organisations: regional careers providers employ the advisers; jobcentre districts and
  // partners (colleges, councils, charities) refer and book.
  const providers = Array.from({ length: 10 }, (_, i) => ({ id: rng.uuid(), name: `Careers provider ${['North East', 'North West', 'Yorkshire', 'East Midlands', 'West Midlands', 'East', 'London', 'South East', 'South West', 'Central'][i]}` }));
  const jobcentres = Array.from({ length: 6 }, (_, i) => ({ id: rng.uuid(), name: `Jobcentre Plus district ${i + 1}` }));
  const partners = Array.from({ length: 40 }, (_, i) => ({ id: rng.uuid(), name: `Partner ${['college', 'council', 'charity', 'housing association'][i % 4]} ${i + 1}` }));
  for (const o of providers) out.push('organisations', [o.id, o.name, 'provider']);
  for (const o of jobcentres) out.push('organisations', [o.id, o.name, 'jobcentre']);
  for (const o of partners) out.push('organisations', [o.id, o.name, 'partner']);
  const bookers = [...jobcentres, ...partners];
  bookers.forEach((o, i) => {
    const key = i < jobcentres.length ? `cbk_${createHash('sha256').update(`bench-key:${seed}:jobcentre:${i}`).digest('base64url')}` : partnerKey(seed, i - jobcentres.length);
    out.push('api_keys', [rng.uuid(), o.id, hashApiKey(key), ['slots:read', 'bookings:write']]);
  });

  const typeIds = new Map<TypeCode, string>();
  for (const t of TYPES) {
    const id = rng.uuid();
    typeIds.set(t.code, id);
    out.push('appointment_types', [id, t.code, t.name, t.duration, t.capacity, t.channel, t.buffer]);
  }
  const typeOf = new Map(TYPES.map((t) => [t.code as TypeCode, t]));

  // Sites. Their points come from a generator of their own, so that adding them left every
  // other row as it was.
  const sites: Site[] = [];
  const places = new Rng(`${seed}|${startDate}|places`);
  const areaWeights = AREAS.map((a, i) => [i, a[2]] as const);
  const kinds = rng.shuffle(SITE_MIX.flatMap(([kind, n]) => Array.from({ length: n }, () => kind)));
  for (let i = 0; i < kinds.length; i++) {
    const area = rng.weighted(areaWeights);
    const [code, town, , latitude, longitude] = AREAS[area];
    const kind = kinds[i];
    const district = rng.int(1, code.length === 1 ? 20 : 30);
    const postcode = `${code}${district} ${rng.int(1, 9)}${rng.pick([...INWARD_LETTERS])}${rng.pick([...INWARD_LETTERS])}`;
    const street = rng.pick(STREETS);
    const site: Site = {
      id: rng.uuid(),
      name: `${town} ${KIND_LABEL[kind]} (${street}, ${i + 1})`,
      kind,
      address: `${rng.int(1, 250)} ${street}, ${town}`,
      postcode,
      area,
      point: scatter(places, latitude, longitude, 15),
      openingHours: OPENING[kind](),
      minNotice: MIN_NOTICE[kind],
      closures: [],
      rooms: [],
    };
    const room = (name: string, capacity: number) => site.rooms.push({ id: rng.uuid(), name, capacity });
    if (kind === 'jobcentre') {
      for (let r = 1; r <= rng.int(2, 4); r++) room(`Interview room ${r}`, 1);
      if (rng.chance(0.5)) room('Training room', 12);
    } else if (kind === 'college') {
      room('Careers hub 1', 1);
      room('Careers hub 2', 1);
      room('Room C101', 20);
    } else if (kind === 'library' && rng.chance(0.7)) {
      room('Meeting room', rng.pick([6, 8, 10]));
    } else if (kind === 'community' && rng.chance(0.5)) {
      room('Main hall', 30);
    }
    if (rng.chance(0.05)) {
      const dates = new Set<string>();
      for (let c = rng.int(1, 2); c > 0; c--) dates.add(addDays(startDate, rng.int(0, WEEKS * 7 - 1)));
      for (const date of dates) site.closures.push({ id: rng.uuid(), date, reason: rng.pick(CLOSURE_REASONS) });
    }
    sites.push(site);
    out.push('sites', [site.id, site.name, site.kind, site.address, site.postcode, ZONE, site.openingHours === null ? null : JSON.stringify(site.openingHours), site.minNotice, 'ENG', areaName(code, town), site.point.latitude, site.point.longitude]);
    for (const c of site.closures) out.push('site_closures', [c.id, site.id, c.date, c.reason]);
    for (const r of site.rooms) out.push('rooms', [r.id, site.id, r.name, r.capacity]);
  }
  const sitesByArea = new Map<number, Site[]>();
  for (const s of sites) sitesByArea.set(s.area, [...(sitesByArea.get(s.area) ?? []), s]);
  const calendars = new Map(sites.map((s) => [s.id, { id: s.id, timezone: ZONE, openingHours: s.openingHours, closedDates: new Set([...bankHolidays, ...s.closures.map((c) => c.date)]) }]));
  const roomCapacities = new Map(sites.flatMap((s) => s.rooms.map((r) => [r.id, r.capacity] as const)));
  const roomUse = new Map<string, Pattern[]>();
  const siteById = new Map(sites.map((s) => [s.id, s]));

  // Advisers and where they work. Each is based at a jobcentre, college or careers office
  // (every one of them has an adviser, the advisers left over go by BASE_WEIGHT) and is to
  // visit 0-2 venues besides. Every venue is then given to the nearest adviser of its area
  // with a visit to spare (the nearest of any there if none has), and visits still spare go
  // to the venues of the area with the fewest visitors, nearest first, so that some venues
  // see two advisers.
  const bases = sites.filter((s) => BASE_WEIGHT[s.kind] !== undefined);
  const baseWeights = bases.map((s) => [s, BASE_WEIGHT[s.kind]!] as const);
  const everyBase = rng.shuffle([...bases]);
  interface Adviser { id: string; home: Site; sites: Site[]; visits: number; delivers: TypeCode[] }
  const staff: Adviser[] = [];
  for (let a = 0; a < ADVISER_COUNT; a++) {
    const id = rng.uuid();
    const first = rng.pick(FIRST);
    const last = rng.pick(LAST);
    const home = a < everyBase.length ? everyBase[a] : rng.weighted(baseWeights);
    const provider = providers[home.area % providers.length];
    out.push('advisers', [id, `${first} ${last}`, `${first}.${last}.${a}@careers.example`.toLowerCase(), provider.id]);
    const delivers: TypeCode[] = ['CAREERS_GUIDANCE', 'FOLLOW_UP'];
    if (rng.chance(0.75)) delivers.push('SKILLS_HEALTH_CHECK');
    if (rng.chance(0.5)) delivers.push('TELEPHONE_FOLLOW_UP');
    if (rng.chance(0.15)) delivers.push('CV_WORKSHOP');
    for (const code of delivers) out.push('adviser_appointment_types', [id, typeIds.get(code)]);
    staff.push({ id, home, sites: [home], visits: rng.weighted([[0, 25], [1, 45], [2, 30]] as const), delivers });
  }
  const km = (a: Site, b: Site) => Math.hypot(a.point.latitude - b.point.latitude, (a.point.longitude - b.point.longitude) * Math.cos((a.point.latitude * Math.PI) / 180)) * 111.2;
  const staffByArea = new Map<number, Adviser[]>();
  for (const s of staff) staffByArea.set(s.home.area, [...(staffByArea.get(s.home.area) ?? []), s]);
  const nearest = <T>(items: T[], distance: (item: T) => number): T | undefined => items.reduce<T | undefined>((best, item) => (best === undefined || distance(item) < distance(best) ? item : best), undefined);
  const spare = (s: Adviser) => s.sites.length - 1 < s.visits;
  const visitors = new Map<Site, number>();
  const visit = (adviser: Adviser, venue: Site) => {
    adviser.sites.push(venue);
    visitors.set(venue, (visitors.get(venue) ?? 0) + 1);
  };
  for (const venue of rng.shuffle(sites.filter((s) => BASE_WEIGHT[s.kind] === undefined))) {
    const local = staffByArea.get(venue.area) ?? staff;
    visit(nearest(local.filter(spare), (s) => km(s.home, venue)) ?? nearest(local, (s) => km(s.home, venue))!, venue);
  }
  for (const s of staff) {
    while (spare(s)) {
      const others = (sitesByArea.get(s.home.area) ?? []).filter((v) => BASE_WEIGHT[v.kind] === undefined && !s.sites.includes(v));
      const venue = nearest(others, (v) => (visitors.get(v) ?? 0) * 1000 + km(s.home, v));
      if (!venue) break;
      visit(s, venue);
    }
  }

  // Their patterns, exceptions, sessions and bookings.
  const advisers: { id: string; siteIds: string[] }[] = [];
  let customerSeq = 0;
  let windowsTotal = 0;
  let slotsOffered = 0;
  for (const { id, sites: mySites, delivers } of staff) {
    advisers.push({ id, siteIds: mySites.map((s) => s.id) });

    // One rota, or two when the adviser's pattern changes at week 7.
    const changes = rng.chance(0.1);
    const periods: [string, string | null][] = changes
      ? [[addDays(startDate, -rng.int(0, 365)), addDays(startDate, 41)], [addDays(startDate, 42), null]]
      : [[addDays(startDate, -rng.int(0, 365)), null]];
    const patterns: Pattern[] = [];
    for (const [validFrom, validTo] of periods) patterns.push(...rota(rng, id, mySites, delivers, validFrom, validTo, roomUse));
    for (const p of patterns) {
      out.push('diary_patterns', [p.id, id, p.siteId, p.roomId, p.weekdays, p.startTime, p.endTime, p.validFrom, p.validTo, p.appointmentTypes]);
    }

    // Absences.
    const blocks: Interval[] = [];
    const absence = (kind: string, from: number, to: number, note: string) => {
      blocks.push({ start: from, end: to });
      out.push('diary_exceptions', [rng.uuid(), id, new Date(from).toISOString(), new Date(to).toISOString(), kind, note]);
    };
    if (rng.chance(0.15)) {
      const day = addDays(startDate, rng.int(0, WEEKS * 7 - 7));
      absence('leave', startOfLocalDay(ZONE, day), startOfLocalDay(ZONE, addDays(day, rng.int(1, 5))), 'Annual leave');
    }
    if (rng.chance(0.05)) {
      const day = addDays(startDate, rng.int(0, WEEKS * 7 - 3));
      absence('sickness', startOfLocalDay(ZONE, day), startOfLocalDay(ZONE, addDays(day, rng.int(1, 2))), 'Sick');
    }
    if (rng.chance(0.1)) {
      const day = addDays(startDate, rng.int(0, WEEKS * 7 - 1));
      absence('training', startOfLocalDay(ZONE, day) + 13 * 60 * MINUTE, startOfLocalDay(ZONE, day) + 17 * 60 * MINUTE, 'Team training');
    }

    for (const p of patterns) {
      const site = siteById.get(p.siteId)!;
      const windows = subtractBlocks(expandPattern(p, calendars.get(p.siteId)!, range), blocks);
      windowsTotal += windows.length;
      const typeWeights = p.types.map((code) => [code, typeOf.get(code)!.weight] as const);
      for (const w of windows) {
        const week = Math.floor((w.start - range.start) / (7 * DAY));
        const pBooked = BOOKED_BY_WEEK[week] * DEMAND[site.kind];
        let cursor = w.start;
        for (;;) {
          const code = rng.weighted(typeWeights);
          const t = typeOf.get(code)!;
          const end = cursor + t.duration * MINUTE;
          if (end > w.end) break;
          slotsOffered++;
          if (rng.chance(pBooked)) {
            const sessionId = rng.uuid();
            const capacity = slotCapacity({ code, durationMinutes: t.duration, bufferMinutes: t.buffer, capacity: t.capacity }, p.roomId, roomCapacities);
            const busyUntil = end + t.buffer * MINUTE;
            const startsAt = new Date(cursor).toISOString();
            const endsAt = new Date(end).toISOString();
            out.push('sessions', [sessionId, id, site.id, p.roomId, typeIds.get(code), startsAt, endsAt, new Date(busyUntil).toISOString(), capacity]);
            const seats = capacity === 1 ? 1 : rng.int(Math.ceil(capacity / 3), capacity);
            const booking = (status: 'booked' | 'cancelled') => {
              const booker = rng.weighted([[0, 55], [1, 40], [2, 5]] as const);
              const org = booker === 0 ? rng.pick(jobcentres) : booker === 1 ? rng.pick(partners) : null;
              const customerId = rng.uuid();
              const seq = ++customerSeq;
              const name = `${rng.pick(FIRST)} ${rng.pick(LAST)}`;
              const channel = rng.weighted([['sms', 70], ['email', 25], ['none', 5]] as const);
              out.push('customers', [customerId, org?.id ?? NIL_UUID, `REF-${seq}`, name, `+447700${String(900000 + (seq % 100000)).padStart(6, '0')}`, `customer${seq}@example.com`, channel, channel !== 'none']);
              out.push('bookings', [
                rng.uuid(), status === 'booked' ? sessionId : null, customerId, org?.id ?? null, id, site.id, p.roomId, typeIds.get(code),
                startsAt, endsAt, status,
                booker === 0 ? 'jcp' : booker === 1 ? 'partner' : 'self', booker === 2 ? null : 'Work coach', 'Career change', booker === 0 && rng.chance(0.2),
                status === 'cancelled' ? 'customer' : null, status === 'cancelled' ? 'Found work' : null, status === 'cancelled' ? new Date(range.start - rng.int(1, 20) * DAY).toISOString() : null,
              ]);
            };
            for (let s = 0; s < seats; s++) booking('booked');
            if (rng.chance(0.06)) booking('cancelled');
          }
          cursor = end + t.buffer * MINUTE;
        }
      }
    }
    yield;
  }
  return { partners, providers, sites, advisers, windowsTotal, slotsOffered };

  function rota(rng: Rng, adviserId: string, mySites: Site[], delivers: TypeCode[], validFrom: string, validTo: string | null, rooms: Map<string, Pattern[]>): Pattern[] {
    const dayCount = rng.weighted([[5, 40], [4, 30], [3, 20], [2, 10]] as const);
    const days = rng.shuffle([1, 2, 3, 4, 5]).slice(0, dayCount);
    const shape = rng.weighted([[['09:00', '12:30', '13:30', '17:00'], 60], [['09:30', '13:00', '14:00', '16:30'], 25], [['10:00', '16:00'], 15]] as const);
    // Cells: (weekday, start, end) -> site, a day's half or the whole of a short day. Each
    // cell is in exactly one pattern and the cells of a day never overlap, so the adviser's
    // patterns never overlap. The base has the first day; the venues visited take theirs from
    // the others (a half day, a day or two days a week, a library perhaps its Saturday
    // morning), and the base has what is left.
    const halves = (day: number) => (shape.length === 4 ? [[day, shape[0], shape[1]], [day, shape[2], shape[3]]] : [[day, shape[0], shape[1]]]) as [number, string, string][];
    const free = new Map(days.slice(1).map((day) => [day, halves(day)]));
    const wholeDays = (n: number) => {
      const taken = [...free].filter(([, cells]) => cells.length === shape.length / 2).slice(0, n);
      for (const [day] of taken) free.delete(day);
      return taken.flatMap(([, cells]) => cells);
    };
    const halfDay = () => {
      const [day, cells] = [...free][0] ?? [];
      if (day === undefined) return [];
      if (cells.length === 1) free.delete(day);
      return [cells.shift()!];
    };
    const cells: { site: Site; weekday: number; start: string; end: string }[] = [];
    for (const venue of mySites.slice(1)) {
      const visit = rng.weighted([['half', 45], ['day', 40], ['two days', 15]] as const);
      for (const [weekday, start, end] of visit === 'half' ? halfDay() : wholeDays(visit === 'day' ? 1 : 2)) cells.push({ site: venue, weekday, start, end });
      if (venue.kind === 'library' && !cells.some((c) => c.weekday === 6) && rng.chance(0.2)) cells.push({ site: venue, weekday: 6, start: '09:00', end: '13:00' });
    }
    for (const [weekday, start, end] of [...halves(days[0]), ...[...free.values()].flat()]) cells.push({ site: mySites[0], weekday, start, end });
    const groups = new Map<string, { site: Site; start: string; end: string; weekdays: number[] }>();
    for (const c of cells) {
      const key = `${c.site.id}|${c.start}|${c.end}`;
      const g = groups.get(key) ?? { site: c.site, start: c.start, end: c.end, weekdays: [] };
      g.weekdays.push(c.weekday);
      groups.set(key, g);
    }
    const oneToOne = delivers.filter((d) => ONE_TO_ONE.includes(d));
    let workshopPlaced = false;
    const result: Pattern[] = [];
    for (const g of groups.values()) {
      const workshop = delivers.includes('CV_WORKSHOP') && !workshopPlaced && g.start >= '12:00';
      if (workshop) workshopPlaced = true;
      const candidate = { weekdays: g.weekdays.sort(), startTime: g.start, endTime: g.end, validFrom, validTo };
      // Workshops want a room that seats a group; a share of one-to-one patterns take an interview room.
      const wanted = workshop ? g.site.rooms.filter((r) => r.capacity >= 6) : rng.chance(0.4) ? g.site.rooms.filter((r) => r.capacity === 1) : [];
      const room = wanted.find((r) => !(rooms.get(r.id) ?? []).some((other) => patternsOverlap(candidate, other)));
      const types: TypeCode[] = workshop ? ['CV_WORKSHOP', 'FOLLOW_UP'] : oneToOne;
      const pattern: Pattern = { id: rng.uuid(), adviserId, siteId: g.site.id, roomId: room?.id ?? null, ...candidate, appointmentTypes: types, types };
      if (room) rooms.set(room.id, [...(rooms.get(room.id) ?? []), pattern]);
      result.push(pattern);
    }
    return result;
  }
}

// --- loading --------------------------------------------------------------------------

const TABLES: { table: string; columns: string; select: string }[] = [
  { table: 'organisations', columns: 'id, name, kind', select: 'SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[])' },
  { table: 'api_keys', columns: 'id, organisation_id, key_hash, scopes', select: 'SELECT a, b, c, string_to_array(d, \',\') FROM unnest($1::uuid[], $2::uuid[], $3::bytea[], $4::text[]) AS u(a, b, c, d)' },
  { table: 'appointment_types', columns: 'id, code, name, duration_minutes, capacity, channel, buffer_minutes', select: 'SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::int[], $5::int[], $6::text[], $7::int[])' },
  { table: 'sites', columns: 'id, name, kind, address, postcode, timezone, opening_hours, min_notice_minutes, bank_holidays, area, latitude, longitude', select: 'SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::jsonb[], $8::int[], $9::text[], $10::text[], $11::float8[], $12::float8[])' },
  { table: 'site_closures', columns: 'id, site_id, date, reason', select: 'SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::date[], $4::text[])' },
  { table: 'rooms', columns: 'id, site_id, name, capacity', select: 'SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::int[])' },
  { table: 'advisers', columns: 'id, name, email, organisation_id', select: 'SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::uuid[])' },
  { table: 'adviser_appointment_types', columns: 'adviser_id, appointment_type_id', select: 'SELECT * FROM unnest($1::uuid[], $2::uuid[])' },
  {
    table: 'diary_patterns',
    columns: 'id, adviser_id, site_id, room_id, weekdays, start_time, end_time, valid_from, valid_to, appointment_types',
    select: `SELECT a, b, c, d, string_to_array(e, ',')::smallint[], f, g, h, i, string_to_array(j, ',') FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::text[], $6::time[], $7::time[], $8::date[], $9::date[], $10::text[]) AS u(a, b, c, d, e, f, g, h, i, j)`,
  },
  { table: 'diary_exceptions', columns: 'id, adviser_id, period, kind, note', select: `SELECT a, b, tstzrange(c, d, '[)'), e, f FROM unnest($1::uuid[], $2::uuid[], $3::timestamptz[], $4::timestamptz[], $5::text[], $6::text[]) AS u(a, b, c, d, e, f)` },
  {
    table: 'sessions',
    columns: 'id, adviser_id, site_id, room_id, appointment_type_id, starts_at, ends_at, busy, capacity',
    select: `SELECT a, b, c, d, e, f, g, tstzrange(f, h, '[)'), i FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::uuid[], $6::timestamptz[], $7::timestamptz[], $8::timestamptz[], $9::int[]) AS u(a, b, c, d, e, f, g, h, i)`,
  },
  { table: 'customers', columns: 'id, client_id, reference, name, mobile, email, preferred_channel, consent_to_contact', select: 'SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::boolean[])' },
  {
    table: 'bookings',
    // arranged_at (NOT NULL, no default, since migration 0003) = created_at: now() is the load
    // transaction's start, which is what created_at's default takes too.
    columns: 'id, session_id, customer_id, organisation_id, adviser_id, site_id, room_id, appointment_type_id, starts_at, ends_at, status, referral_source, referrer_name, referral_reason, referral_mandatory, cancelled_by, cancel_reason, cancelled_at, created_at, arranged_at',
    select: 'SELECT *, now(), now() FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::uuid[], $6::uuid[], $7::uuid[], $8::uuid[], $9::timestamptz[], $10::timestamptz[], $11::text[], $12::text[], $13::text[], $14::text[], $15::boolean[], $16::text[], $17::text[], $18::timestamptz[])',
  },
];

// Arrays inside arrays (weekdays, scopes, appointment types) travel as comma-joined text.
const cell = (v: unknown) => (Array.isArray(v) ? v.join(',') : v);

/** Inserts one batch of every table, in the order of the foreign keys. */
async function load(client: Client, data: Map<string, unknown[][]>, timings: Map<string, number>) {
  const BATCH = 20_000;
  for (const { table, columns, select } of TABLES) {
    const rows = data.get(table) ?? [];
    const started = Date.now();
    for (let i = 0; i < rows.length; i += BATCH) {
      const batch = rows.slice(i, i + BATCH);
      const params = batch[0].map((_, c) => batch.map((r) => cell(r[c])));
      await client.query(`INSERT INTO ${table} (${columns}) ${select}`, params);
    }
    timings.set(table, (timings.get(table) ?? 0) + Date.now() - started);
  }
}

/** Every foreign key of the schema, checked with one anti-join each; throws on the first orphan. */
async function checkForeignKeys(client: Client) {
  const { rows } = await client.query(`
    SELECT c.conrelid::regclass::text AS child, c.confrelid::regclass::text AS parent,
           (SELECT string_agg(quote_ident(attname), ',' ORDER BY k.i) FROM unnest(c.conkey) WITH ORDINALITY k(n, i) JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n) AS fk,
           (SELECT string_agg(quote_ident(attname), ',' ORDER BY k.i) FROM unnest(c.confkey) WITH ORDINALITY k(n, i) JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n) AS pk
      FROM pg_constraint c WHERE c.contype = 'f' AND c.connamespace = 'public'::regnamespace`);
  for (const { child, parent, fk, pk } of rows) {
    const cols = (fk as string).split(',');
    const notNull = cols.map((col) => `c.${col} IS NOT NULL`).join(' AND ');
    const join = cols.map((col, i) => `p.${(pk as string).split(',')[i]} = c.${col}`).join(' AND ');
    const orphans = await client.query(`SELECT count(*)::int AS n FROM ${child} c WHERE ${notNull} AND NOT EXISTS (SELECT 1 FROM ${parent} p WHERE ${join})`);
    if (orphans.rows[0].n > 0) throw new Error(`${orphans.rows[0].n} rows of ${child}(${fk}) name no ${parent}(${pk})`);
  }
}

/**
 * A year of attendance history for the dataset's sites, advisers and types: historyRows
 * (streamed, a day at a time) stored by insertHistory in batches, the next batch generated
 * while PostgreSQL stores the last.
 */
async function loadHistory(
  client: Client,
  seed: string,
  startDate: string,
  sites: { id: string }[],
  advisers: { id: string; siteIds: string[] }[],
  log: (line: string) => void,
): Promise<DatasetMeta['history']> {
  const t0 = Date.now();
  if (HISTORY_ROWS <= 0) return { requested: HISTORY_ROWS, rows: 0, from: null, to: null, customers: 0, seconds: 0 };
  const from = historyFrom(startDate);
  const customers = Math.round(HISTORY_ROWS / 4);
  const rows = historyRows({
    seed: `${seed}|history`,
    from,
    weeks: HISTORY_WEEKS,
    sites: sites.map((s) => ({ id: s.id, zone: ZONE })),
    advisers,
    appointmentTypes: TYPES.map((t) => ({ code: t.code, durationMinutes: t.duration, channel: t.channel })),
    appointmentsPerWeek: HISTORY_ROWS / HISTORY_WEEKS,
    customers,
  });
  const query: Query = (sql, params) => client.query(sql, params).then((r) => r.rows);
  const BATCH = 20_000;
  await client.query('BEGIN');
  let stored = 0;
  let pending: Promise<number> = Promise.resolve(0);
  let batch: HistoryRecord[] = [];
  for (const row of rows) {
    batch.push(syntheticRecord(row));
    if (batch.length === BATCH) {
      stored += await pending;
      pending = insertHistory(query, batch);
      batch = [];
    }
  }
  stored += await pending;
  stored += await insertHistory(query, batch);
  await client.query('COMMIT');
  const to = addDays(from, HISTORY_WEEKS * 7 - 1);
  const seconds = (Date.now() - t0) / 1000;
  log(`  attendance history: ${stored} appointments ${from} to ${to} for ${customers} customers, generated and stored in ${seconds.toFixed(1)} s`);
  return { requested: HISTORY_ROWS, rows: stored, from, to, customers, seconds };
}

export async function buildDataset(options: { seed?: string; startDate?: string; log?: (line: string) => void } = {}): Promise<DatasetMeta> {
  const seed = options.seed ?? process.env.BENCH_SEED ?? DEFAULT_SEED;
  const startDate = options.startDate ?? nextMonday();
  const log = options.log ?? ((line: string) => console.log(line));
  const t0 = Date.now();
  log(`Generating the national dataset (seed "${seed}", ${WEEKS} weeks from Monday ${startDate}) into ${DATASET_DB}`);
  const url = await recreateDatabase(DATASET_DB);
  await migrate(url);
  const out = new Columns();
  const timings = new Map<string, number>();
  let result!: { partners: { id: string }[]; providers: { id: string }[]; sites: { id: string }[]; advisers: { id: string; siteIds: string[] }[]; windowsTotal: number; slotsOffered: number };
  let history!: DatasetMeta['history'];
  await withClient(url, async (client) => {
    await client.query('SET synchronous_commit = off');
    // Foreign keys are checked once, in bulk, after the load (checkForeignKeys) rather than
    // row by row: in replica mode PostgreSQL skips its per-row FK triggers, which would
    // otherwise take most of the load time. CHECK, UNIQUE and the exclusion constraints
    // are still enforced on every row, and the schema's own triggers (e.g. counters kept
    // by trigger) are switched to ALWAYS for the load so that they still fire, then put
    // back as they were, in the same transaction.
    await client.query(`SET session_replication_role = replica`);
    await client.query('BEGIN');
    const triggers: { rel: string; name: string; enabled: string }[] = (
      await client.query(`SELECT t.tgrelid::regclass::text AS rel, quote_ident(t.tgname) AS name, t.tgenabled AS enabled
                            FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
                           WHERE NOT t.tgisinternal AND c.relnamespace = 'public'::regnamespace`)
    ).rows;
    for (const t of triggers) await client.query(`ALTER TABLE ${t.rel} ENABLE ALWAYS TRIGGER ${t.name}`);
    // Generation (here) and insertion (in PostgreSQL) overlap: a batch is sent, and the
    // next one is made while the server works on it.
    let pending: Promise<void> = Promise.resolve();
    let busy = false;
    const rows = generate(seed, startDate, out);
    for (let step = rows.next(); ; step = rows.next()) {
      if (step.done) {
        result = step.value;
        break;
      }
      if (out.buffered >= 100_000) {
        await pending;
        const batch = out.take();
        busy = true;
        pending = load(client, batch, timings).then(() => void (busy = false));
      } else if (busy) {
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    await pending;
    await load(client, out.take(), timings);
    const restore: Record<string, string> = { O: 'ENABLE', D: 'DISABLE', R: 'ENABLE REPLICA', A: 'ENABLE ALWAYS' };
    for (const t of triggers) await client.query(`ALTER TABLE ${t.rel} ${restore[t.enabled] ?? 'ENABLE'} TRIGGER ${t.name}`);
    await client.query('CREATE TABLE bench_meta (key text PRIMARY KEY, value jsonb NOT NULL)');
    await client.query('COMMIT');
    log(`  generated and inserted in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${result.windowsTotal} diary windows, ${result.slotsOffered} packed slots`);
    for (const [table, n] of out.counts) log(`  ${table.padEnd(26)} ${String(n).padStart(8)} rows  (${((timings.get(table) ?? 0) / 1000).toFixed(1)} s in INSERT)`);
    // Still in replica mode: the history's foreign keys are checked in bulk below with the rest.
    history = await loadHistory(client, seed, startDate, result.sites, result.advisers, log);
    await client.query(`SET session_replication_role = origin`);
    const t2 = Date.now();
    await checkForeignKeys(client);
    log(`  foreign keys checked in bulk in ${((Date.now() - t2) / 1000).toFixed(1)} s`);
    const t1 = Date.now();
    await client.query('VACUUM (ANALYZE)');
    log(`  VACUUM ANALYZE ${((Date.now() - t1) / 1000).toFixed(1)} s`);
  });
  const { partners, providers, sites } = result;
  const counts = { ...Object.fromEntries(out.counts), attendance_records: history.rows };
  const meta: DatasetMeta = {
    version: GENERATOR_VERSION,
    schema: schemaFingerprint(),
    seed,
    startDate,
    weeks: WEEKS,
    generatedAt: new Date().toISOString(),
    seconds: (Date.now() - t0) / 1000,
    counts,
    partnerOrganisations: partners.map((p) => p.id),
    providerOrganisations: providers.map((p) => p.id),
    siteIds: sites.map((s) => s.id),
    history,
  };
  await withClient(url, (c) => c.query(`INSERT INTO bench_meta (key, value) VALUES ('dataset', $1)`, [JSON.stringify(meta)]));
  log(`Dataset ready in ${meta.seconds.toFixed(1)} s`);
  return meta;
}

export async function readMeta(): Promise<DatasetMeta | null> {
  try {
    return await withClient(databaseUrl(DATASET_DB), async (c) => (await c.query(`SELECT value FROM bench_meta WHERE key = 'dataset'`)).rows[0]?.value ?? null);
  } catch {
    return null;
  }
}

/**
 * The dataset as the benchmarks need it: rebuilt when missing, made by another version
 * of this generator or seed, or when its first Monday is no longer in the future.
 */
export async function ensureDataset(log?: (line: string) => void): Promise<DatasetMeta> {
  const seed = process.env.BENCH_SEED ?? DEFAULT_SEED;
  const meta = await readMeta();
  if (meta && meta.version === GENERATOR_VERSION && meta.schema === schemaFingerprint() && meta.seed === seed && meta.startDate === nextMonday() && meta.history?.requested === HISTORY_ROWS) return meta;
  if (meta) (log ?? console.log)(`The dataset in ${DATASET_DB} is stale (generator, schema, seed, start date or history size changed): rebuilding it`);
  return buildDataset({ seed, log });
}

if (require.main === module) {
  buildDataset()
    .then((meta) => console.log(JSON.stringify(meta.counts, null, 2)))
    .catch((error) => {
      console.error(error);
      process.exit(1);
    });
}
