export const SCOPES = ['slots:read', 'bookings:write', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

/** Who is calling: an organisation's API key, or the bootstrap admin key. */
export interface Principal {
  /** The organisation, or the nil UUID for the bootstrap admin; keys customers and idempotency. */
  clientId: string;
  organisationId: string | null;
  scopes: ReadonlySet<Scope>;
  /** An admin sees and changes everything, not only its own organisation's bookings. */
  admin: boolean;
}

export const NIL_UUID = '00000000-0000-0000-0000-000000000000';
