export const SCOPES = ['slots:read', 'bookings:write', 'sites:manage', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

/** Who is calling: an organisation's API key, or the bootstrap admin key. */
export interface Principal {
  /** The organisation, or the nil UUID for the bootstrap admin; keys customers and idempotency. */
  clientId: string;
  organisationId: string | null;
  scopes: ReadonlySet<Scope>;
  /** An admin sees and changes everything, not only its own organisation's bookings. */
  admin: boolean;
  /** The sites a sites:manage key may manage (a site manager's, set when the key is made). */
  managedSites?: ReadonlySet<string>;
  /** The organisation API key's id, whose token bucket the request draws on; none for the bootstrap admin. */
  keyId?: string;
  /** The organisation's own limits on its keys; none for the service's defaults. */
  rateLimit?: { burst: number; perMinute: number } | null;
  /** The customer acting on their own booking (by replying to a text), which its history records as theirs. */
  customer?: true;
}

/** Whether the caller may change how a site is run (its overbooking policy): an admin, or a site manager of that site. */
export const mayManageSite = (principal: Principal, siteId: string): boolean => principal.admin || (principal.scopes.has('sites:manage') && !!principal.managedSites?.has(siteId));

export const NIL_UUID = '00000000-0000-0000-0000-000000000000';
