import type { Principal, Scope } from '../../common/auth/principal';

export const ROLES = ['work_coach', 'adviser', 'site_manager', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export interface StaffMember {
  id: string;
  name: string;
  email: string;
  organisationId: string;
  role: Role;
  managedSiteIds: string[];
  /** The adviser whose diary is an adviser's own (their day page); null for the other roles, or until linked. */
  adviserId: string | null;
}

// What each role may do through the pages, in the API's own scopes, so that a page is held to
// exactly the rules an API key with those scopes would be.
const SCOPES: Record<Role, Scope[]> = {
  work_coach: ['slots:read', 'bookings:write'],
  // Outcomes are recorded with bookings:write, by the adviser's provider.
  adviser: ['slots:read', 'bookings:write'],
  site_manager: ['slots:read', 'bookings:write', 'sites:manage'],
  admin: ['slots:read', 'bookings:write', 'sites:manage', 'admin'],
};

/**
 * The principal a staff member acts as: their organisation's, with their role's scopes. The
 * services see no difference between this and an API key of the organisation, so a work
 * coach sees only what their organisation booked.
 */
export function principalOf(staff: StaffMember): Principal {
  const scopes = new Set(SCOPES[staff.role]);
  return {
    clientId: staff.organisationId,
    organisationId: staff.organisationId,
    scopes,
    admin: scopes.has('admin'),
    managedSites: new Set(staff.role === 'site_manager' ? staff.managedSiteIds : []),
  };
}

/** Whether the role books for customers (the booking pages). */
export const maySeeBooking = (role: Role): boolean => role === 'work_coach' || role === 'admin';

const HOME: Partial<Record<Role, string>> = { adviser: '/app/day', site_manager: '/app/sites' };

/** The page a role starts on after signing in. */
export const homeOf = (staff: StaffMember): string => HOME[staff.role] ?? '/app/book';
