import { checkStaffForm, readStaffForm } from './staff-form';

const ORG = '0b9e8a56-46a1-4c7e-9a43-3a4d7c1d2e11';
const SITE = '6f1c2b7e-8d4a-4f5b-9c3e-2a1b0c9d8e7f';
const valid = { name: 'Jo Okafor', email: 'Jo@JCP.example', organisationId: ORG, role: 'work_coach', managedSiteIds: [], adviserId: '', password: '' };

describe('the new staff account form', () => {
  it('reads strings and the ticked sites, nothing else', () => {
    expect(readStaffForm({ name: ' Jo ', managedSiteIds: [SITE, 7], _csrf: 'x', role: ['admin'] })).toEqual({ ...valid, name: 'Jo', email: '', organisationId: '', role: '', managedSiteIds: [SITE] });
    expect(readStaffForm({ managedSiteIds: SITE }).managedSiteIds).toEqual([SITE]);
  });

  it('makes the account by the API’s own rules, without what belongs to another role', async () => {
    const checked = await checkStaffForm({ ...valid, managedSiteIds: [SITE], adviserId: SITE });
    expect(checked.errors).toEqual([]);
    expect({ ...checked.staff }).toEqual({ name: 'Jo Okafor', email: 'Jo@JCP.example', organisationId: ORG, role: 'work_coach' });
    expect({ ...(await checkStaffForm({ ...valid, role: 'site_manager', managedSiteIds: [SITE], password: 'plum anchor tidal lantern' })).staff }).toMatchObject({ managedSiteIds: [SITE], password: 'plum anchor tidal lantern' });
  });

  it('says what is wrong, field by field, in the order of the form', async () => {
    const checked = await checkStaffForm({ ...valid, name: '', email: 'jo@', organisationId: 'nope', role: 'site_manager', password: 'short' });
    expect(checked.errors.map((e) => e.href)).toEqual(['#name', '#email', '#organisationId', '#managedSiteIds', '#password']);
    expect((await checkStaffForm({ ...valid, role: 'boss' })).errors.map((e) => e.href)).toEqual(['#role']);
    expect((await checkStaffForm({ ...valid, role: 'adviser', adviserId: 'x' })).errors.map((e) => e.href)).toEqual(['#adviserId']);
  });
});
