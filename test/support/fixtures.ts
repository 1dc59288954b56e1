import { randomBytes } from 'node:crypto';
import { Api } from './api';

const suffix = () => randomBytes(3).toString('hex').toUpperCase();

export interface Diary {
  organisationId: string;
  siteId: string;
  adviserId: string;
  typeCode: string;
}

/**
 * One provider, one site and one adviser with a weekly pattern: the smallest diary a test
 * can book into. Everything goes through the public API, as an admin would do it.
 */
export async function createDiary(
  api: Api,
  options: {
    durationMinutes?: number;
    capacity?: number;
    bufferMinutes?: number;
    weekdays?: string[];
    startTime?: string;
    endTime?: string;
    validFrom?: string;
    validTo?: string;
    site?: Record<string, unknown>;
    roomCapacity?: number;
  } = {},
): Promise<Diary & { roomId?: string }> {
  const organisation = await api.create('/v1/organisations', { name: `Provider ${suffix()}`, kind: 'provider' });
  const site = await api.create('/v1/sites', { name: `Site ${suffix()}`, kind: 'jobcentre', address: '1 High Street, Swindon', postcode: 'SN1 1AA', ...options.site });
  const typeCode = `T_${suffix()}`;
  await api.create('/v1/appointment-types', {
    code: typeCode,
    name: 'Careers guidance',
    durationMinutes: options.durationMinutes ?? 60,
    capacity: options.capacity ?? 1,
    channel: 'face_to_face',
    bufferMinutes: options.bufferMinutes ?? 0,
  });
  const adviser = await api.create('/v1/advisers', { name: 'Alex Adviser', email: `alex.${suffix()}@careers.example`, organisationId: organisation.id, appointmentTypes: [typeCode] });
  const room = options.roomCapacity ? await api.create(`/v1/sites/${site.id}/rooms`, { name: `Room ${suffix()}`, capacity: options.roomCapacity }) : undefined;
  await api.create(`/v1/advisers/${adviser.id}/patterns`, {
    siteId: site.id,
    ...(room ? { roomId: room.id } : {}),
    weekdays: options.weekdays ?? ['MON', 'TUE', 'WED', 'THU', 'FRI'],
    startTime: options.startTime ?? '09:00',
    endTime: options.endTime ?? '17:00',
    validFrom: options.validFrom ?? '2027-01-04',
    ...(options.validTo ? { validTo: options.validTo } : {}),
    appointmentTypes: [typeCode],
  });
  return { organisationId: organisation.id, siteId: site.id, adviserId: adviser.id, typeCode, roomId: room?.id };
}

export function customer(reference = `C-${suffix()}`) {
  return { reference, name: 'Sam Taylor', mobile: '07911 123456', email: 'sam@example.com', preferredChannel: 'sms', consentToContact: true };
}

export const referral = { source: 'jcp', referrerName: 'J. Okafor', reason: 'Career change', mandatory: false };

/** A booking body for a slot, ready to POST. */
export function bookingBody(diary: Diary, start: string, customerReference?: string) {
  return { appointmentType: diary.typeCode, siteId: diary.siteId, adviserId: diary.adviserId, start, customer: customer(customerReference), referral };
}

/** A partner organisation with a key of the given scopes. */
export async function partnerKey(api: Api, scopes: string[] = ['slots:read', 'bookings:write']): Promise<{ organisationId: string; key: string }> {
  const organisation = await api.create('/v1/organisations', { name: `Partner ${suffix()}`, kind: 'partner' });
  const key = await api.create(`/v1/organisations/${organisation.id}/api-keys`, { scopes });
  return { organisationId: organisation.id, key: key.key };
}
