import { randomBytes } from 'node:crypto';
import { Api } from './api';

/**
 * Finer-grained builders than fixtures.ts createDiary, for tests that need several
 * advisers, sites or patterns sharing one appointment type. Everything goes through the API.
 */
export const uniq = () => randomBytes(3).toString('hex').toUpperCase();

export async function createOrganisation(api: Api, kind: 'provider' | 'jobcentre' | 'partner' = 'provider'): Promise<{ id: string }> {
  return api.create('/v1/organisations', { name: `Org ${uniq()}`, kind });
}

export async function createSite(api: Api, overrides: Record<string, unknown> = {}): Promise<{ id: string; timezone: string; minNoticeMinutes: number }> {
  return api.create('/v1/sites', { name: `Site ${uniq()}`, kind: 'library', address: '2 Market Place, Reading', postcode: 'RG1 2AA', ...overrides });
}

export async function createRoom(api: Api, siteId: string, capacity: number): Promise<{ id: string }> {
  return api.create(`/v1/sites/${siteId}/rooms`, { name: `Room ${uniq()}`, capacity });
}

export async function createType(api: Api, overrides: { durationMinutes?: number; capacity?: number; bufferMinutes?: number; prefix?: string } = {}): Promise<string> {
  const code = `${overrides.prefix ?? 'T'}_${uniq()}`;
  await api.create('/v1/appointment-types', {
    code,
    name: `Type ${code}`,
    durationMinutes: overrides.durationMinutes ?? 60,
    capacity: overrides.capacity ?? 1,
    channel: 'face_to_face',
    bufferMinutes: overrides.bufferMinutes ?? 0,
  });
  return code;
}

export async function createAdviser(api: Api, organisationId: string, types: string[]): Promise<{ id: string }> {
  return api.create('/v1/advisers', { name: `Adviser ${uniq()}`, email: `adviser.${uniq().toLowerCase()}@careers.example`, organisationId, appointmentTypes: types });
}

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

export function patternBody(input: PatternInput) {
  return {
    siteId: input.siteId,
    ...(input.roomId ? { roomId: input.roomId } : {}),
    weekdays: input.weekdays ?? ['MON', 'TUE', 'WED', 'THU', 'FRI'],
    startTime: input.startTime ?? '09:00',
    endTime: input.endTime ?? '17:00',
    validFrom: input.validFrom ?? '2027-01-04',
    ...(input.validTo ? { validTo: input.validTo } : {}),
    appointmentTypes: input.appointmentTypes,
  };
}

export async function createPattern(api: Api, adviserId: string, input: PatternInput): Promise<{ id: string }> {
  return api.create(`/v1/advisers/${adviserId}/patterns`, patternBody(input));
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
