-- Controlled overbooking (issue 8): policies that site managers set per site (and
-- optionally per appointment type), every change audited, and what each booking was
-- admitted under. Site managers get keys of their own, limited to named sites.

ALTER TABLE api_keys DROP CONSTRAINT api_keys_scopes_check;
ALTER TABLE api_keys
  ADD CONSTRAINT api_keys_scopes_check CHECK (scopes <@ ARRAY['slots:read', 'bookings:write', 'sites:manage', 'admin']),
  -- The sites a sites:manage key may manage; empty for every other key.
  ADD COLUMN site_ids uuid[] NOT NULL DEFAULT '{}',
  ADD CONSTRAINT api_keys_manage_names_sites CHECK (('sites:manage' = ANY (scopes)) = (cardinality(site_ids) > 0));

CREATE TABLE overbooking_policies (
  id                        uuid PRIMARY KEY,
  site_id                   uuid NOT NULL REFERENCES sites(id),
  -- Null: every appointment type at the site without a policy of its own.
  appointment_type_id       uuid REFERENCES appointment_types(id),
  mode                      text NOT NULL CHECK (mode IN ('off', 'overlap', 'risk')),
  policy                    jsonb NOT NULL,
  -- Raised by every change; a booking records the version it was admitted under.
  version                   integer NOT NULL,
  updated_at                timestamptz NOT NULL
);
CREATE UNIQUE INDEX overbooking_policies_key ON overbooking_policies (site_id, coalesce(appointment_type_id, '00000000-0000-0000-0000-000000000000'));

-- Who changed a policy, when, and from what to what.
CREATE TABLE overbooking_policy_changes (
  id                   bigserial PRIMARY KEY,
  site_id              uuid NOT NULL REFERENCES sites(id),
  appointment_type_id  uuid REFERENCES appointment_types(id),
  version              integer NOT NULL,
  changed_at           timestamptz NOT NULL,
  actor_type           text NOT NULL CHECK (actor_type IN ('organisation', 'admin')),
  actor_id             uuid,
  before               jsonb,
  after                jsonb NOT NULL
);
CREATE INDEX overbooking_policy_changes_site_idx ON overbooking_policy_changes (site_id, id);

ALTER TABLE bookings
  -- Admitted beyond the session's capacity, under this policy version, at this risk of a collision.
  ADD COLUMN overbooked               boolean NOT NULL DEFAULT false,
  ADD COLUMN overbook_policy_version  integer,
  ADD COLUMN overbook_risk            real;
