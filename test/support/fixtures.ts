import { randomBytes } from 'node:crypto';
import { generateHistory, SyntheticAppointment } from '../../src/attendance/domain/synthetic-history';
import { Api } from './api';
import { testClock } from './clock';

/**
 * Test data, and the builders that make it through the public API as an admin would.
 * The *Body functions hold the defaults; serviceDiary (context.ts) builds the same
 * diaries from them through the services, without HTTP.
 */
export const uniq = () => randomBytes(3).toString('hex').toUpperCase();

export const WEEKDAYS = ['MON', 'TUE', 'WED', 'THU', 'FRI'];
export const ALL_DAYS = [...WEEKDAYS, 'SAT', 'SUN'];

// Request bodies.

export const organisationBody = (kind: 'provider' | 'jobcentre' | 'partner' = 'provider') => ({ name: `Org ${uniq()}`, kind });

export const siteBody = (overrides: Record<string, unknown> = {}) => ({ name: `Site ${uniq()}`, kind: 'jobcentre', address: '1 High Street, Swindon', postcode: 'SN1 1AA', ...overrides });

export const roomBody = (capacity: number) => ({ name: `Room ${uniq()}`, capacity });

export interface TypeOptions {
  durationMinutes?: number;
  capacity?: number;
  bufferMinutes?: number;
  /** The code is PREFIX_XXXXXX; T by default. */
  prefix?: string;
}

export function typeBody(options: TypeOptions = {}) {
  return {
    code: `${options.prefix ?? 'T'}_${uniq()}`,
    name: 'Careers guidance',
    durationMinutes: options.durationMinutes ?? 60,
    capacity: options.capacity ?? 1,
    channel: 'face_to_face' as const,
    bufferMinutes: options.bufferMinutes ?? 0,
  };
}

export const adviserBody = (organisationId: string, types: string[]) => ({
  name: `Adviser ${uniq()}`,
  email: `adviser.${uniq().toLowerCase()}@careers.example`,
  organisationId,
  appointmentTypes: types,
});

export interface PatternInput {
  siteId: string;
  roomId?: string;
  weekdays?: string[];
  startTime?: string;
  endTime?: string;
  validFrom?: string;
  validTo?: string;
  appointmentTypes: string[];
}

/** A weekly pattern; by default MON-FRI 09:00-17:00 from Monday 4 January 2027, open-ended. */
export function patternBody(input: PatternInput) {
  return {
    siteId: input.siteId,
    ...(input.roomId ? { roomId: input.roomId } : {}),
    weekdays: input.weekdays ?? [...WEEKDAYS],
    startTime: input.startTime ?? '09:00',
    endTime: input.endTime ?? '17:00',
    validFrom: input.validFrom ?? '2027-01-04',
    ...(input.validTo ? { validTo: input.validTo } : {}),
    appointmentTypes: input.appointmentTypes,
  };
}

export function customer(reference = `C-${uniq()}`) {
  return { reference, name: 'Sam Taylor', mobile: '07911 123456', email: 'sam@example.com', preferredChannel: 'sms' as const, consentToContact: true };
}

export const referral = { source: 'jcp' as const, referrerName: 'J. Okafor', reason: 'Career change', mandatory: false };

/** What a hold or a booking needs to know of a diary. */
export interface Diary {
  organisationId: string;
  siteId: string;
  adviserId: string;
  typeCode: string;
}

/** A slot of a diary: the body of a hold, or of a reschedule to that slot. */
export const slotRef = (diary: Diary, start: string) => ({ appointmentType: diary.typeCode, siteId: diary.siteId, adviserId: diary.adviserId, start });

/** A booking body for a slot, ready to POST. */
export function bookingBody(diary: Diary, start: string, customerReference?: string) {
  return { ...slotRef(diary, start), customer: customer(customerReference), referral };
}

/** A booking body that turns a hold into the booking. */
export const fromHold = (holdId: string, customerReference?: string) => ({ holdId, customer: customer(customerReference), referral });

// Builders over HTTP: each fails the test unless the API answers 201.

export async function createOrganisation(api: Api, kind?: 'provider' | 'jobcentre' | 'partner'): Promise<{ id: string }> {
  return api.create('/v1/organisations', organisationBody(kind));
}

export async function createSite(api: Api, overrides: Record<string, unknown> = {}): Promise<{ id: string; timezone: string; minNoticeMinutes: number }> {
  return api.create('/v1/sites', siteBody(overrides));
}

export async function createRoom(api: Api, siteId: string, capacity: number): Promise<{ id: string }> {
  return api.create(`/v1/sites/${siteId}/rooms`, roomBody(capacity));
}

/** Returns the type's code. */
export async function createType(api: Api, options: TypeOptions = {}): Promise<string> {
  const body = typeBody(options);
  await api.create('/v1/appointment-types', body);
  return body.code;
}

export async function createAdviser(api: Api, organisationId: string, types: string[]): Promise<{ id: string }> {
  return api.create('/v1/advisers', adviserBody(organisationId, types));
}

export async function createPattern(api: Api, adviserId: string, input: PatternInput): Promise<{ id: string }> {
  return api.create(`/v1/advisers/${adviserId}/patterns`, patternBody(input));
}

/** A diary as createDiary and serviceDiary build it: `adviserId` is the first of `adviserIds`, the one with the room if there is one. */
export interface BuiltDiary extends Diary {
  adviserIds: string[];
  roomId?: string;
}

export interface DiaryOptions {
  type?: TypeOptions;
  site?: Record<string, unknown>;
  pattern?: Omit<Partial<PatternInput>, 'siteId' | 'roomId' | 'appointmentTypes'>;
  /** A room of this capacity at the site, for the first adviser's pattern. */
  roomCapacity?: number;
  /** How many advisers share the site, the type and the pattern; 1 by default. */
  advisers?: number;
}

/**
 * One provider, one site, one appointment type and advisers with a weekly pattern (see
 * patternBody): the smallest diary a test can book into. By default one adviser, 60-minute
 * one-to-ones MON-FRI 09:00-17:00 from 2027-01-04.
 */
export async function createDiary(api: Api, options: DiaryOptions = {}): Promise<BuiltDiary> {
  const organisation = await createOrganisation(api);
  const site = await createSite(api, options.site);
  const typeCode = await createType(api, options.type);
  const room = options.roomCapacity ? await createRoom(api, site.id, options.roomCapacity) : undefined;
  const adviserIds: string[] = [];
  for (let i = 0; i < (options.advisers ?? 1); i++) {
    const adviser = await createAdviser(api, organisation.id, [typeCode]);
    await createPattern(api, adviser.id, { siteId: site.id, roomId: i === 0 ? room?.id : undefined, appointmentTypes: [typeCode], ...options.pattern });
    adviserIds.push(adviser.id);
  }
  return { organisationId: organisation.id, siteId: site.id, adviserId: adviserIds[0], adviserIds, typeCode, roomId: room?.id };
}

/** A partner organisation with a key of the given scopes. */
export async function partnerKey(api: Api, scopes: string[] = ['slots:read', 'bookings:write']): Promise<{ organisationId: string; key: string }> {
  const organisation = await createOrganisation(api, 'partner');
  const key = await api.create(`/v1/organisations/${organisation.id}/api-keys`, { scopes });
  return { organisationId: organisation.id, key: key.key };
}

/** GET /v1/slots with repeated siteId / adviserId parameters; fails the test unless 200. */
export async function searchSlots(
  api: Api,
  query: { appointmentType: string; siteId?: string[]; adviserId?: string[]; from?: string; to?: string },
): Promise<{ siteId: string; adviserId: string; roomId: string | null; start: string; end: string; capacity: number; remaining: number }[]> {
  const params = new URLSearchParams({ appointmentType: query.appointmentType });
  for (const id of query.siteId ?? []) params.append('siteId', id);
  for (const id of query.adviserId ?? []) params.append('adviserId', id);
  if (query.from) params.set('from', query.from);
  if (query.to) params.set('to', query.to);
  const response = await api.get(`/v1/slots?${params}`);
  if (response.status !== 200) throw new Error(`GET /v1/slots?${params} -> ${response.status} ${JSON.stringify(response.body)}`);
  return response.body.slots;
}

/** An instant as a UTC ISO string, for comparing starts whatever offset they are written with. */
export const utc = (value: string) => new Date(value).toISOString();

/** Local wall-clock "HH:mm" of each slot (slots are written with the site's offset). */
export const times = (slots: { start: string }[]) => slots.map((s) => s.start.slice(11, 16));

/** The hour (0-23) on London's clocks, worked out with Intl rather than the code under test. */
export const londonHour = (now = testClock.now()) => Number(new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', hour: '2-digit', hourCycle: 'h23' }).format(now));

/**
 * A site reminder policy whose quiet hours (one hour, in the afternoon) are away from the
 * present London hour and from the default reminder times, so that a confirmation goes
 * at once whenever the tests run and the other steps keep their default times.
 */
export function awakePolicy(now = testClock.now()) {
  const hour = londonHour(now);
  const quiet = hour === 13 ? 16 : 13;
  return { daysBefore: 2, daysBeforeAt: '10:00', hoursBefore: 3, quietFrom: `${quiet}:00`, quietUntil: `${quiet + 1}:00`, minimumGapMinutes: 60 };
}

/**
 * A synthetic history of the diary's site (hour-long face-to-face appointments with its
 * advisers), of the appointments over a day before now that `keep` keeps, imported through
 * the API as an old diary system's would be; fails the test unless every row is taken.
 */
export async function importHistory(
  api: Api,
  diary: BuiltDiary,
  options: { seed: string; from: string; weeks: number; appointmentsPerWeek: number; keep?: (row: SyntheticAppointment) => boolean },
): Promise<SyntheticAppointment[]> {
  const { keep = () => true, ...history } = options;
  const rows = generateHistory({
    ...history,
    sites: [{ id: diary.siteId, zone: 'Europe/London' }],
    advisers: diary.adviserIds.map((id) => ({ id, siteIds: [diary.siteId] })),
    appointmentTypes: [{ code: diary.typeCode, durationMinutes: 60, channel: 'face_to_face' }],
  }).filter((row) => row.start < testClock.now() - 24 * 3_600_000 && keep(row));
  const imported = await api.post('/v1/history/import', {
    rows: rows.map((r) => ({
      legacyId: r.legacyId,
      siteId: r.siteId,
      adviserId: r.adviserId,
      appointmentType: r.appointmentType,
      customerReference: r.customerReference,
      bookedAt: new Date(r.bookedAt).toISOString(),
      start: new Date(r.start).toISOString(),
      referralSource: r.referralSource,
      mandatory: r.mandatory,
      outcome: r.outcome,
    })),
  });
  expect(imported.body).toMatchObject({ accepted: rows.length, rejected: [] });
  return rows;
}
