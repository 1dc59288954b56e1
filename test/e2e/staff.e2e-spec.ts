import { useTestApp } from '../support/app';
import { createDiary, createOrganisation, createSite, partnerKey, uniq } from '../support/fixtures';

describe('POST /v1/staff', () => {
  const e2e = useTestApp();

  it('creates an account that keeps no password in the answer or in clear', async () => {
    const organisation = await createOrganisation(e2e.api, 'jobcentre');
    const email = `Jo.${uniq()}@JCP.example`;
    const staff = await e2e.api.create('/v1/staff', { name: 'Jo Okafor', email, organisationId: organisation.id, role: 'work_coach', password: 'plum anchor tidal lantern' });
    expect(staff).toEqual({ id: expect.any(String), name: 'Jo Okafor', email: email.toLowerCase(), organisationId: organisation.id, role: 'work_coach', managedSiteIds: [], adviserId: null, hasPassword: true });
    const [row] = await e2e.db.query('SELECT password_hash FROM staff WHERE id = $1', [staff.id]);
    expect(row.password_hash).toMatch(/^scrypt\$/);
    expect(row.password_hash).not.toContain('plum');

    const again = await e2e.api.post('/v1/staff', { name: 'Jo Again', email: email.toUpperCase(), organisationId: organisation.id, role: 'adviser' });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('STAFF_EXISTS');
  });

  it('gives a site manager their sites, and an account for single sign-on no password', async () => {
    const organisation = await createOrganisation(e2e.api);
    const site = await createSite(e2e.api);
    const manager = await e2e.api.create('/v1/staff', { name: 'Priya Shah', email: `priya.${uniq()}@careers.example`, organisationId: organisation.id, role: 'site_manager', managedSiteIds: [site.id] });
    expect(manager).toMatchObject({ role: 'site_manager', managedSiteIds: [site.id], hasPassword: false });
  });

  it("links an adviser's account to an adviser of their organisation, and only an adviser's", async () => {
    const diary = await createDiary(e2e.api);
    const body = (overrides: Record<string, unknown>) => ({ name: 'Grace Mensah', email: `grace.${uniq()}@careers.example`, organisationId: diary.organisationId, role: 'adviser', ...overrides });
    const adviser = await e2e.api.create('/v1/staff', body({ adviserId: diary.adviserId }));
    expect(adviser).toMatchObject({ role: 'adviser', adviserId: diary.adviserId });
    const elsewhere = await createOrganisation(e2e.api);
    const refused = [
      await e2e.api.post('/v1/staff', body({ adviserId: diary.adviserId, organisationId: elsewhere.id })),
      await e2e.api.post('/v1/staff', body({ adviserId: diary.adviserId, role: 'work_coach' })),
    ];
    expect(refused.map((r) => [r.status, r.body.code])).toEqual([[422, 'UNKNOWN_ADVISER'], [400, 'INVALID_ADVISER']]);
  });

  it('is for admins only', async () => {
    const partner = await partnerKey(e2e.api);
    const refused = await e2e.api.as(partner.key).post('/v1/staff', { name: 'Jo', email: `jo.${uniq()}@x.example`, organisationId: partner.organisationId, role: 'admin', password: 'plum anchor tidal lantern' });
    expect(refused.status).toBe(403);
    expect(await e2e.db.count('staff')).toBe(3);
  });
});
