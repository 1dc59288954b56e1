import { randomBytes } from 'node:crypto';
import { DateTime } from 'luxon';
import { APPOINTMENT_TYPES, AREAS, DEMO_CUSTOMERS } from './demo-data';

export interface DemoKeys {
  jobcentreKey: string;
  partnerKey: string;
  sampleSiteId: string;
  sampleAdviserId: string;
  sampleBookingId: string | null;
  /** The booking of the customer who prefers email: its confirmation shows in the log or mail catcher. */
  emailBookingId: string | null;
  /** Staff to sign in to the pages at /app as: a work coach of the jobcentre, an adviser and the Lewisham jobcentre's manager. */
  staff: { role: string; email: string; password: string }[];
}

/**
 * Loads the demo dataset through the public API, as an administrator would, so that the
 * demo data passes the same validation as everything else.
 */
export async function seedDemo(baseUrl: string, adminKey: string, zone: string, now: number): Promise<DemoKeys> {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- demo responses are read loosely
  const call = async (method: string, path: string, body: unknown, key = adminKey): Promise<any> => {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: { Authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = await response.json();
    if (response.status >= 300) throw new Error(`Demo seeding failed: ${method} ${path} -> ${response.status} ${JSON.stringify(json)}`);
    return json;
  };

  const provider = await call('POST', '/v1/organisations', { name: 'National Careers Service (demo provider)', kind: 'provider' });
  const jobcentre = await call('POST', '/v1/organisations', { name: 'Jobcentre Plus (demo)', kind: 'jobcentre' });
  const partner = await call('POST', '/v1/organisations', { name: 'Lewisham Library Service (demo partner)', kind: 'partner' });
  const jobcentreKey = (await call('POST', `/v1/organisations/${jobcentre.id}/api-keys`, { scopes: ['slots:read', 'bookings:write'] })).key;
  const partnerKey = (await call('POST', `/v1/organisations/${partner.id}/api-keys`, { scopes: ['slots:read', 'bookings:write'] })).key;
  for (const type of APPOINTMENT_TYPES) await call('POST', '/v1/appointment-types', type);
  // Fresh passwords each run, printed with the keys: the demo may be reachable by others.
  const staff: DemoKeys['staff'] = [];
  const addStaff = async (role: string, name: string, email: string, organisationId: string, more: Record<string, unknown> = {}) => {
    const password = randomBytes(12).toString('base64url');
    await call('POST', '/v1/staff', { name, email, organisationId, role, password, ...more });
    staff.push({ role: role.replace('_', ' '), email, password });
  };
  await addStaff('work_coach', 'Jo Okafor', 'work.coach@jobcentre.example', jobcentre.id);

  // Patterns start on this week's Monday, so that today has a diary for "free now".
  const monday = DateTime.fromMillis(now, { zone }).startOf('week').toISODate()!;
  let sampleSiteId = '';
  let sampleAdviserId = '';
  for (const area of AREAS) {
    const siteIds: Record<string, string> = {};
    const roomIds: Record<string, string> = {};
    for (const [key, site] of Object.entries(area.sites)) {
      // One area each, so that the booking page finds a jobcentre's venue and college near it.
      siteIds[key] = (await call('POST', '/v1/sites', { ...site, area: area.name })).id;
      if (key === 'college') roomIds[key] = (await call('POST', `/v1/sites/${siteIds[key]}/rooms`, { name: 'Workshop room', capacity: 8 })).id;
    }
    for (const [index, person] of area.advisers.entries()) {
      const types = [...new Set(person.patterns.flatMap((p) => p.types))];
      const email = `${person.name.toLowerCase().replace(/[^a-z]+/g, '.')}@careers.example`;
      const adviser = await call('POST', '/v1/advisers', { name: person.name, email, organisationId: provider.id, appointmentTypes: types });
      for (const p of person.patterns) {
        await call('POST', `/v1/advisers/${adviser.id}/patterns`, {
          siteId: siteIds[p.site],
          ...(p.room ? { roomId: roomIds[p.site] } : {}),
          weekdays: p.weekdays,
          startTime: p.startTime,
          endTime: p.endTime,
          validFrom: monday,
          appointmentTypes: p.types,
        });
      }
      if (area.name === 'Lewisham' && index === 0) {
        sampleSiteId = siteIds.jobcentre;
        sampleAdviserId = adviser.id;
        await addStaff('adviser', person.name, email, provider.id, { adviserId: adviser.id });
        await addStaff('site_manager', 'Sam Adeyemi', 'site.manager@careers.example', provider.id, { managedSiteIds: [sampleSiteId] });
      }
    }
  }

  // A few bookings made by the jobcentre, so that day sheets and slot counts show something.
  const slots = (await call('GET', `/v1/slots?appointmentType=CAREERS_GUIDANCE&siteId=${sampleSiteId}`, undefined, jobcentreKey)).slots;
  let sampleBookingId: string | null = null;
  let emailBookingId: string | null = null;
  for (const [i, customer] of DEMO_CUSTOMERS.entries()) {
    const slot = slots[i * 3];
    if (!slot) break;
    const booking = await call(
      'POST',
      '/v1/bookings',
      {
        appointmentType: 'CAREERS_GUIDANCE',
        siteId: slot.siteId,
        adviserId: slot.adviserId,
        start: slot.start,
        customer,
        referral: { source: 'jcp', referrerName: 'Demo work coach', reason: 'Wants help choosing a training course', mandatory: false },
      },
      jobcentreKey,
    );
    sampleBookingId ??= booking.id;
    if (customer.preferredChannel === 'email') emailBookingId ??= booking.id;
  }
  return { jobcentreKey, partnerKey, sampleSiteId, sampleAdviserId, sampleBookingId, emailBookingId, staff };
}
