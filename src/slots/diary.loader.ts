import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { runPrepared } from '../common/database/prepared';
import { AppError, notFound } from '../common/errors/app-error';
import { addDays, DAY } from '../common/time/local-time';
import { DiaryPattern, expandPattern, Interval, OpeningHours, SiteCalendar, subtractBlocks, Window } from '../diaries/domain/availability';
import { BankHolidayRegion, bankHolidaysBetween } from '../sites/domain/bank-holidays';
import { boundingBox, isNear, Place } from '../sites/domain/nearby';
import { OverlapBySite, SessionState, SlotType } from './domain/slots';

export interface LoadedType extends SlotType {
  id: string;
}

export interface SiteInfo extends SiteCalendar {
  minNoticeMinutes: number;
}

/** Everything the pure slot functions need about a part of the diary. */
export interface Diary {
  type: LoadedType;
  windows: Window[];
  sessions: SessionState[];
  sites: Map<string, SiteInfo>;
  roomCapacities: Map<string, number>;
  overlapMinutes: OverlapBySite;
}

export interface DiaryScope {
  typeCode: string;
  siteIds?: string[];
  adviserIds?: string[];
  range: Interval;
  /** The instant at which holds are live or lapsed. */
  now: number;
}

/**
 * On the pool, independent queries run side by side on separate connections; inside a
 * transaction there is one connection, and node-postgres wants one query at a time on it.
 */
async function inParallelWhereSafe<T extends unknown[]>(db: DataSource | EntityManager, queries: { [K in keyof T]: () => Promise<T[K]> }): Promise<T> {
  if (db instanceof DataSource) return Promise.all(queries.map((q) => q())) as Promise<T>;
  const results: unknown[] = [];
  for (const query of queries) results.push(await query());
  return results as T;
}

// UTC dates one day either side of the range cover every zone's local dates in it.
const dateBounds = (range: Interval) => [new Date(range.start - DAY).toISOString().slice(0, 10), new Date(range.end + DAY).toISOString().slice(0, 10)];

/**
 * Reads diaries from PostgreSQL into the plain shapes of the domain functions. It runs on
 * the pool for searches and on a transaction's connection when a booking must see the
 * diary as it stands under its locks.
 */
@Injectable()
export class DiaryLoader {
  // Appointment types cannot be changed once created (the API has no update), so they
  // are safe to keep in memory.
  private readonly types = new Map<string, LoadedType>();

  constructor(private readonly dataSource: DataSource) {}

  async type(code: string, db: DataSource | EntityManager = this.dataSource): Promise<LoadedType> {
    let type = this.types.get(code);
    if (!type) {
      const [row] = await db.query('SELECT id, code, duration_minutes, buffer_minutes, capacity FROM appointment_types WHERE code = $1', [code]);
      if (!row) throw new AppError(422, 'UNKNOWN_APPOINTMENT_TYPE', `No appointment type with code ${code}`);
      type = { id: row.id, code: row.code, durationMinutes: row.duration_minutes, bufferMinutes: row.buffer_minutes, capacity: row.capacity };
      this.types.set(code, type);
    }
    return type;
  }

  async requireSite(siteId: string): Promise<void> {
    const [site] = await this.dataSource.query('SELECT 1 FROM sites WHERE id = $1', [siteId]);
    if (!site) throw notFound('site', siteId);
  }

  /**
   * The sites near a site (itself included): of its area, or within `km` of its point. An
   * index narrows by area and by a box round the point; the domain decides the distance.
   */
  async sitesNear(siteId: string, km: number): Promise<string[]> {
    const [centre]: LocationRow[] = await this.dataSource.query('SELECT id, area, latitude, longitude FROM sites WHERE id = $1', [siteId]);
    if (!centre) throw new AppError(422, 'UNKNOWN_SITE', `No site with id ${siteId} to search near`);
    const from = placeOf(centre);
    const box = from.point ? boundingBox(from.point, km) : null;
    const candidates: LocationRow[] = await this.dataSource.query(
      `SELECT id, area, latitude, longitude FROM sites
        WHERE lower(area) = lower($1)
           OR latitude BETWEEN $2 AND $3 AND longitude BETWEEN $4 AND $5`,
      [from.area, box?.minLatitude ?? null, box?.maxLatitude ?? null, box?.minLongitude ?? null, box?.maxLongitude ?? null],
    );
    return [siteId, ...candidates.filter((c) => c.id !== siteId && isNear(from, placeOf(c), km)).map((c) => c.id)];
  }

  async load(scope: DiaryScope, db: DataSource | EntityManager = this.dataSource): Promise<Diary> {
    const type = await this.type(scope.typeCode, db);
    const [fromDate, toDate] = dateBounds(scope.range);
    const rows =
      db instanceof DataSource || !scope.siteIds || !scope.adviserIds
        ? await this.readSideBySide(db, scope, type, fromDate, toDate)
        : await this.readInOneStatement(db, { ...scope, siteIds: scope.siteIds, adviserIds: scope.adviserIds }, type, fromDate, toDate);
    if (!rows) return { type, windows: [], sessions: [], sites: new Map(), roomCapacities: new Map(), overlapMinutes: new Map() };
    const { patternRows, siteRows, exceptionRows, sessionRows } = rows;

    const sites = new Map<string, SiteInfo>(
      siteRows.map((s) => [
        s.id,
        {
          id: s.id,
          timezone: s.timezone,
          openingHours: s.opening_hours,
          minNoticeMinutes: s.min_notice_minutes,
          closedDates: new Set([...s.closed, ...bankHolidaysBetween(s.bank_holidays, fromDate, addDays(toDate, 1))]),
        },
      ]),
    );
    const blocks = new Map<string, Interval[]>();
    for (const e of exceptionRows) blocks.set(e.adviser_id, [...(blocks.get(e.adviser_id) ?? []), { start: e.start, end: e.end }]);
    const windows = patternRows.flatMap((row) => subtractBlocks(expandPattern(toPattern(row), sites.get(row.site_id)!, scope.range), blocks.get(row.adviser_id) ?? []));
    return {
      type,
      windows,
      sessions: sessionRows.map(toSession),
      sites,
      roomCapacities: new Map(patternRows.flatMap((p) => (p.room_id ? [[p.room_id, p.room_capacity!] as const] : []))),
      overlapMinutes: new Map(siteRows.flatMap((s) => (s.overlap_minutes ? [[s.id, s.overlap_minutes] as const] : []))),
    };
  }

  /** The patterns first, then the rest of what they need side by side (on the pool) or in turn (in a transaction). */
  private async readSideBySide(db: DataSource | EntityManager, scope: DiaryScope, type: LoadedType, fromDate: string, toDate: string): Promise<DiaryRows | null> {
    const patternRows: PatternRow[] = await db.query(
      `${PATTERNS} WHERE $1 = ANY (p.appointment_types) AND ($2::uuid[] IS NULL OR p.site_id = ANY ($2)) AND ($3::uuid[] IS NULL OR p.adviser_id = ANY ($3)) AND ${PATTERNS_VALID('$4', '$5')}`,
      [type.code, scope.siteIds ?? null, scope.adviserIds ?? null, fromDate, toDate],
    );
    if (patternRows.length === 0) return null;
    const siteIds = [...new Set(patternRows.map((p) => p.site_id))];
    const adviserIds = [...new Set(patternRows.map((p) => p.adviser_id))];
    const [siteRows, exceptionRows, sessionRows] = await inParallelWhereSafe(db, [
      () => db.query(SITES('$1', '$2', '$3', '$4'), [siteIds, fromDate, toDate, type.id]) as Promise<SiteRow[]>,
      () => db.query(EXCEPTIONS('$1', '$2', '$3'), [adviserIds, new Date(scope.range.start), new Date(scope.range.end + DAY)]) as Promise<ExceptionRow[]>,
      () => db.query(PACKED_SESSIONS('$1', '$2', '$3', '$4', '$5'), [siteIds, new Date(scope.range.start - DAY), new Date(scope.range.end + DAY), new Date(scope.now), adviserIds]) as Promise<PackedSessions[]>,
    ]);
    return { patternRows, siteRows, exceptionRows, sessionRows: unpackSessions(sessionRows) };
  }

  /**
   * The same four reads as one statement (a prepared one), for a booking: it holds its
   * connection and its locks through every round trip, and knows its site and adviser.
   */
  private async readInOneStatement(
    manager: EntityManager,
    scope: DiaryScope & { siteIds: string[]; adviserIds: string[] },
    type: LoadedType,
    fromDate: string,
    toDate: string,
  ): Promise<DiaryRows | null> {
    const [rows] = await runPrepared<DiaryRows>(manager, DIARY_IN_ONE, [
      type.code,
      scope.siteIds,
      scope.adviserIds,
      fromDate,
      toDate,
      type.id,
      new Date(scope.range.start),
      new Date(scope.range.end + DAY),
      new Date(scope.range.start - DAY),
      new Date(scope.now),
    ]);
    return rows.patternRows.length === 0 ? null : rows;
  }
}

const PATTERNS = `
  SELECT p.id, p.adviser_id, p.site_id, p.room_id, p.weekdays, to_char(p.start_time, 'HH24:MI') AS start_time,
         to_char(p.end_time, 'HH24:MI') AS end_time, p.valid_from::text AS valid_from, p.valid_to::text AS valid_to,
         p.appointment_types, r.capacity AS room_capacity
    FROM diary_patterns p LEFT JOIN rooms r ON r.id = p.room_id`;
const PATTERNS_VALID = (from: string, to: string) => `p.valid_from <= ${to} AND (p.valid_to IS NULL OR p.valid_to >= ${from})`;

// The overlap comes from overbooking's policy table, read here in the site's row rather
// than asked of overbooking through a port: one query either way, and a search makes no
// extra round trip for it. The type's own policy wins over the site's, as in admission;
// none is off.
const SITES = (ids: string, from: string, to: string, typeId: string) => `
  SELECT s.id, s.timezone, s.opening_hours, s.min_notice_minutes, s.bank_holidays,
         ARRAY(SELECT c.date::text FROM site_closures c WHERE c.site_id = s.id AND c.date BETWEEN ${from} AND ${to}) AS closed,
         (SELECT CASE WHEN p.mode = 'overlap' THEN (p.policy ->> 'overlapMinutes')::int END FROM overbooking_policies p
           WHERE p.site_id = s.id AND (p.appointment_type_id = ${typeId} OR p.appointment_type_id IS NULL)
           ORDER BY p.appointment_type_id NULLS LAST LIMIT 1) AS overlap_minutes
    FROM sites s WHERE s.id = ANY (${ids})`;

// Windows are whole and last under a day, so one that starts in the range can run a day past
// its end: an absence there still cuts it. Instants as epoch milliseconds, as sessions'.
const EXCEPTIONS = (adviserIds: string, from: string, to: string) => `
  SELECT adviser_id, (extract(epoch FROM lower(period)) * 1000)::float8 AS start, (extract(epoch FROM upper(period)) * 1000)::float8 AS "end"
    FROM diary_exceptions WHERE adviser_id = ANY (${adviserIds}) AND period && tstzrange(${from}, ${to})`;

// Sessions at the sites in question (the rooms there, and the group sessions to join), and
// the advisers' own sessions anywhere: one at another site can run into a window here with
// its buffer, as the adviser exclusion constraint knows. Sessions last under a day, so a
// day's margin finds every one that reaches into the range. Each arm has its index:
// (site_id, starts_at) and (adviser_id, starts_at); PostgreSQL ORs the two bitmaps. The
// adviser arm's start bound is what lets it use its btree.
// Instants as epoch milliseconds (float8 arrives as a number): thousands of rows would
// otherwise each be parsed into three Dates. date_part is float8 arithmetic, where extract's
// numeric cost PostgreSQL about a quarter of the statement's CPU; whole milliseconds are exact
// in it, and rounding drops the float's last-digit noise. Live holds are few, so they are counted once
// and joined rather than counted per session. Extras admitted beyond capacity are customers
// in the session like any other.
const SESSIONS = (siteIds: string, from: string, to: string, now: string, adviserIds: string) => `
  SELECT s.id, s.adviser_id, s.site_id, s.room_id, t.code, s.capacity, s.booked + s.extras AS booked, coalesce(h.held, 0)::int AS held,
         round(date_part('epoch', s.starts_at) * 1000) AS starts_at, round(date_part('epoch', s.ends_at) * 1000) AS ends_at,
         round(date_part('epoch', upper(s.busy)) * 1000) AS busy_until
    FROM sessions s
    JOIN appointment_types t ON t.id = s.appointment_type_id
    LEFT JOIN (SELECT session_id, count(*) AS held FROM holds WHERE released_at IS NULL AND expires_at > ${now} GROUP BY session_id) h
      ON h.session_id = s.id
   WHERE s.site_id = ANY (${siteIds}) AND s.starts_at >= ${from} AND s.starts_at < ${to}
      OR s.adviser_id = ANY (${adviserIds}) AND s.starts_at >= ${from}::timestamptz - interval '1 day' AND s.starts_at < ${to} AND s.busy && tstzrange(${from}, ${to})`;

// A search reads thousands of sessions (some 14,000 for 50 sites over a fortnight): only the
// live ones, which are all it looks at, and each adviser's as one row of comma-separated
// columns rather than a row a session. node-postgres hands each column over as one string
// to split; a row a session cost a parse and a string per field, which with the garbage
// made was half a 50-site search's CPU.
const PACKED_SESSIONS = (siteIds: string, from: string, to: string, now: string, adviserIds: string) => `
  SELECT adviser_id, string_agg(id::text, ',') AS ids, string_agg(site_id::text, ',') AS site_ids,
         string_agg(coalesce(room_id::text, ''), ',') AS room_ids, string_agg(code, ',') AS codes,
         string_agg(capacity::text, ',') AS capacities, string_agg(booked::text, ',') AS booked, string_agg(held::text, ',') AS held,
         string_agg(starts_at::text, ',') AS starts, string_agg(ends_at::text, ',') AS ends, string_agg(busy_until::text, ',') AS busy_until
    FROM (${SESSIONS(siteIds, from, to, now, adviserIds)}) s
   WHERE booked + held > 0
   GROUP BY adviser_id`;

/** One adviser's sessions, a column each, the values in the same order in every column. */
interface PackedSessions {
  adviser_id: string;
  ids: string;
  site_ids: string;
  room_ids: string;
  codes: string;
  capacities: string;
  booked: string;
  held: string;
  starts: string;
  ends: string;
  busy_until: string;
}

function unpackSessions(packed: PackedSessions[]): SessionRow[] {
  const rows: SessionRow[] = [];
  for (const p of packed) {
    const [ids, sites, rooms, codes, capacities, booked, held, starts, ends, busyUntil] = [p.ids, p.site_ids, p.room_ids, p.codes, p.capacities, p.booked, p.held, p.starts, p.ends, p.busy_until].map((column) => column.split(','));
    for (let i = 0; i < ids.length; i++) {
      rows.push({
        id: ids[i],
        adviser_id: p.adviser_id,
        site_id: sites[i],
        room_id: rooms[i] || null,
        code: codes[i],
        capacity: Number(capacities[i]),
        booked: Number(booked[i]),
        held: Number(held[i]),
        starts_at: Number(starts[i]),
        ends_at: Number(ends[i]),
        busy_until: Number(busyUntil[i]),
      });
    }
  }
  return rows;
}

// As the four reads above, the sites and advisers those of the patterns found (an InitPlan's
// array, which the indexes take as they take a parameter's); each set of rows as JSON.
const PATTERN_SITES = 'ARRAY(SELECT DISTINCT site_id FROM p)';
const PATTERN_ADVISERS = 'ARRAY(SELECT DISTINCT adviser_id FROM p)';
const DIARY_IN_ONE = {
  name: 'diary.load_one',
  text: `
  WITH p AS (${PATTERNS} WHERE $1 = ANY (p.appointment_types) AND p.site_id = ANY ($2) AND p.adviser_id = ANY ($3) AND ${PATTERNS_VALID('$4', '$5')})
  SELECT (SELECT coalesce(json_agg(p), '[]') FROM p) AS "patternRows",
         (SELECT coalesce(json_agg(x), '[]') FROM (${SITES(PATTERN_SITES, '$4', '$5', '$6')}) x) AS "siteRows",
         (SELECT coalesce(json_agg(x), '[]') FROM (${EXCEPTIONS(PATTERN_ADVISERS, '$7', '$8')}) x) AS "exceptionRows",
         (SELECT coalesce(json_agg(x), '[]') FROM (${SESSIONS(PATTERN_SITES, '$9', '$8', '$10', PATTERN_ADVISERS)}) x) AS "sessionRows"`,
};

interface DiaryRows {
  patternRows: PatternRow[];
  siteRows: SiteRow[];
  exceptionRows: ExceptionRow[];
  sessionRows: SessionRow[];
}

interface ExceptionRow {
  adviser_id: string;
  start: number;
  end: number;
}

interface LocationRow {
  id: string;
  area: string | null;
  latitude: number | null;
  longitude: number | null;
}

const placeOf = (row: LocationRow): Place => ({ area: row.area, point: row.latitude === null || row.longitude === null ? null : { latitude: row.latitude, longitude: row.longitude } });

interface PatternRow {
  id: string;
  adviser_id: string;
  site_id: string;
  room_id: string | null;
  weekdays: number[];
  start_time: string;
  end_time: string;
  valid_from: string;
  valid_to: string | null;
  appointment_types: string[];
  room_capacity: number | null;
}

interface SiteRow {
  id: string;
  timezone: string;
  opening_hours: OpeningHours | null;
  min_notice_minutes: number;
  bank_holidays: BankHolidayRegion;
  closed: string[];
  overlap_minutes: number | null;
}

interface SessionRow {
  id: string;
  adviser_id: string;
  site_id: string;
  room_id: string | null;
  code: string;
  starts_at: number;
  ends_at: number;
  busy_until: number;
  capacity: number;
  booked: number;
  held: number;
}

const toPattern = (row: PatternRow): DiaryPattern => ({
  id: row.id,
  adviserId: row.adviser_id,
  siteId: row.site_id,
  roomId: row.room_id,
  weekdays: row.weekdays,
  startTime: row.start_time,
  endTime: row.end_time,
  validFrom: row.valid_from,
  validTo: row.valid_to,
  appointmentTypes: row.appointment_types,
});

const toSession = (row: SessionRow): SessionState => ({
  id: row.id,
  adviserId: row.adviser_id,
  siteId: row.site_id,
  roomId: row.room_id,
  appointmentTypeCode: row.code,
  start: row.starts_at,
  end: row.ends_at,
  busyUntil: row.busy_until,
  capacity: row.capacity,
  booked: row.booked,
  held: row.held,
});
