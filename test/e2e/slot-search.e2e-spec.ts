import { useTestApp } from '../support/app';
import { createAdviser, createOrganisation, createPattern, createSite, createType, partnerKey, uniq } from '../support/fixtures';

// Sites near a jobcentre (the same area, or within NEAR_KM = 10 km) and the earliest slots
// across them with a limit. The diaries start on Monday 4 January 2027, well after the
// tests' clock, so every search below sees the same slots whatever the day it runs.

interface SlotRow {
  siteId: string;
  adviserId: string;
  start: string;
  overbook: boolean;
}

const CATFORD = { latitude: 51.4452, longitude: -0.0209 };
const LEWISHAM = { latitude: 51.4613, longitude: -0.0139 }; // 1.9 km from Catford
const SUTTON = { latitude: 51.3618, longitude: -0.1945 }; // 15 km from Catford
const ENFIELD = { latitude: 51.652, longitude: -0.081 }; // 23 km from Catford

describe('slot search near a site, earliest first, with a limit (e2e)', () => {
  const e2e = useTestApp();
  let typeCode: string;
  let key: string;
  const site: Record<'jobcentre' | 'sameArea' | 'close' | 'far' | 'nowhere', string> = { jobcentre: '', sameArea: '', close: '', far: '', nowhere: '' };
  const area = `South London ${uniq()}`;

  beforeAll(async () => {
    typeCode = await createType(e2e.api, { durationMinutes: 30 });
    const organisation = await createOrganisation(e2e.api);
    // Located when created, or afterwards through PUT .../location: both ways are used.
    site.jobcentre = (await createSite(e2e.api, { area, ...CATFORD })).id;
    site.sameArea = (await createSite(e2e.api, { kind: 'library', area: `  ${area.toLowerCase()} `, ...SUTTON })).id;
    site.close = (await createSite(e2e.api, { kind: 'college' })).id;
    site.far = (await createSite(e2e.api, { kind: 'community', area: `North London ${uniq()}` })).id;
    site.nowhere = (await createSite(e2e.api, { kind: 'other' })).id;
    for (const [id, body] of [
      [site.close, { area: `Kent ${uniq()}`, ...LEWISHAM }],
      [site.far, { area: `North London ${uniq()}`, ...ENFIELD }],
    ] as const) {
      const response = await e2e.api.request('PUT', `/v1/sites/${id}/location`, body);
      expect(response.status).toBe(200);
    }
    // Days and hours differ from site to site, and the jobcentre has two advisers side by
    // side, so that the earliest slots interleave sites and tie on their starts.
    const patterns: [string, Record<string, unknown>][] = [
      [site.jobcentre, { weekdays: ['MON', 'TUE', 'WED', 'THU', 'FRI'], startTime: '09:00', endTime: '12:00' }],
      [site.jobcentre, { weekdays: ['MON', 'WED', 'FRI'], startTime: '09:00', endTime: '17:00' }],
      [site.sameArea, { weekdays: ['MON', 'TUE'], startTime: '08:30', endTime: '10:00' }],
      [site.close, { weekdays: ['TUE', 'THU'], startTime: '08:00', endTime: '18:00' }],
      [site.far, { weekdays: ['MON'], startTime: '07:00', endTime: '19:00' }],
      [site.nowhere, { weekdays: ['MON'], startTime: '07:00', endTime: '19:00' }],
    ];
    for (const [siteId, pattern] of patterns) {
      const adviser = await createAdviser(e2e.api, organisation.id, [typeCode]);
      await createPattern(e2e.api, adviser.id, { siteId, appointmentTypes: [typeCode], ...pattern });
    }
    key = (await partnerKey(e2e.api)).key;
  });

  const search = async (params: Record<string, string | string[]>) => {
    const query = new URLSearchParams();
    for (const [name, value] of Object.entries({ appointmentType: typeCode, from: '2027-01-04', to: '2027-01-31', ...params })) {
      for (const v of ([] as string[]).concat(value)) query.append(name, v);
    }
    const response = await e2e.api.as(key).get<{ slots: SlotRow[] }>(`/v1/slots?${query}`);
    expect(response.status).toBe(200);
    return response.body.slots;
  };

  it('keeps the area and point a site is given, and clears what a PUT leaves out', async () => {
    expect((await e2e.api.get(`/v1/sites/${site.sameArea}`)).body).toMatchObject({ area: area.toLowerCase(), ...SUTTON });
    expect((await e2e.api.get(`/v1/sites/${site.close}`)).body).toMatchObject(LEWISHAM);
    const scratch = await createSite(e2e.api, { area: 'Somewhere', ...CATFORD });
    const cleared = await e2e.api.request('PUT', `/v1/sites/${scratch.id}/location`, { area: null });
    expect(cleared.status).toBe(200);
    expect(cleared.body).toMatchObject({ id: scratch.id, area: null, latitude: null, longitude: null });
    expect((await e2e.api.get(`/v1/sites/${scratch.id}`)).body).toMatchObject({ area: null, latitude: null, longitude: null });
  });

  it('nearSiteId takes the site itself, its area (however typed) and the sites within 10 km, and no others', async () => {
    const slots = await search({ nearSiteId: site.jobcentre });
    expect(new Set(slots.map((s) => s.siteId))).toEqual(new Set([site.jobcentre, site.sameArea, site.close]));
    // Near is not symmetric in area alone: from Sutton, Lewisham is 15 km away and in another area.
    const fromSutton = await search({ nearSiteId: site.sameArea });
    expect(new Set(fromSutton.map((s) => s.siteId))).toEqual(new Set([site.jobcentre, site.sameArea]));
    // siteId adds to the near ones.
    const withFar = await search({ nearSiteId: site.jobcentre, siteId: site.far });
    expect(new Set(withFar.map((s) => s.siteId))).toEqual(new Set([site.jobcentre, site.sameArea, site.close, site.far]));
  });

  it('answers earliest first across sites, ties by adviser', async () => {
    const slots = await search({ nearSiteId: site.jobcentre, siteId: site.far });
    expect(slots.length).toBeGreaterThan(100);
    slots.slice(1).forEach((slot, i) => {
      const [a, b] = [slots[i], slot];
      const order = Date.parse(a.start) - Date.parse(b.start) || (a.adviserId < b.adviserId ? -1 : 1);
      expect(order).toBeLessThan(0);
    });
    expect(slots[0].siteId).toBe(site.far);
    expect(Date.parse(slots[0].start)).toBe(Date.parse('2027-01-04T07:00:00Z'));
  });

  it.each([1, 3, 10, 37, 100])('limit=%i is the first that many of the search without it', async (limit) => {
    const everything = await search({ nearSiteId: site.jobcentre, siteId: site.far });
    const limited = await search({ nearSiteId: site.jobcentre, siteId: site.far, limit: String(limit) });
    expect(limited).toEqual(everything.slice(0, limit));
  });

  it('a limit past the first days reads further: the slots of the week after when the first days are used up', async () => {
    // From a Saturday, the first day of the search has nothing and the next four days 20
    // slots; the 60 asked for run into the Tuesday of the week after.
    const everything = await search({ siteId: site.close, from: '2027-01-09' });
    const limited = await search({ siteId: site.close, from: '2027-01-09', limit: '60' });
    expect(everything.length).toBeGreaterThan(60);
    expect(limited).toEqual(everything.slice(0, 60));
    expect(Date.parse(limited[59].start)).toBeGreaterThan(Date.parse('2027-01-18T00:00:00Z'));
  });

  it('a limit above what there is gives all of it', async () => {
    const everything = await search({ siteId: site.sameArea, from: '2027-01-04', to: '2027-01-05' });
    expect(everything.length).toBeGreaterThan(0);
    expect(everything.length).toBeLessThan(100);
    expect(await search({ siteId: site.sameArea, from: '2027-01-04', to: '2027-01-05', limit: '100' })).toEqual(everything);
  });
});
