import { mayManageSite } from '../../common/auth/principal';
import { principalOf, StaffMember } from './roles';

const member = (overrides: Partial<StaffMember>): StaffMember => ({
  id: 's1',
  name: 'Jo Okafor',
  email: 'jo@jcp.example',
  organisationId: 'org-1',
  role: 'work_coach',
  managedSiteIds: [],
  adviserId: null,
  ...overrides,
});

describe('principalOf', () => {
  it("makes a work coach their organisation's booking client, without admin or site management", () => {
    const principal = principalOf(member({}));
    expect(principal).toMatchObject({ clientId: 'org-1', organisationId: 'org-1', admin: false });
    expect([...principal.scopes].sort()).toEqual(['bookings:write', 'slots:read']);
    expect(mayManageSite(principal, 'site-1')).toBe(false);
  });

  it('lets a site manager manage only their own sites', () => {
    const principal = principalOf(member({ role: 'site_manager', managedSiteIds: ['site-1'] }));
    expect(mayManageSite(principal, 'site-1')).toBe(true);
    expect(mayManageSite(principal, 'site-2')).toBe(false);
  });

  it('gives managed sites to nobody but a site manager, whatever the row says', () => {
    expect(mayManageSite(principalOf(member({ role: 'adviser', managedSiteIds: ['site-1'] })), 'site-1')).toBe(false);
  });

  it('makes an admin an admin', () => {
    expect(principalOf(member({ role: 'admin' })).admin).toBe(true);
  });
});
