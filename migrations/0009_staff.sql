-- Staff accounts and their sessions (issue 10): the people at a desk who use the pages, as
-- opposed to the systems that call the API with keys. A staff member acts for their
-- organisation, with what their role may do.

CREATE TABLE staff (
  id               uuid PRIMARY KEY,
  name             text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  -- Kept in lower case: the sign-in form looks it up as typed, whatever its case.
  email            text NOT NULL UNIQUE CHECK (email = lower(email)),
  organisation_id  uuid NOT NULL REFERENCES organisations(id),
  role             text NOT NULL CHECK (role IN ('work_coach', 'adviser', 'site_manager', 'admin')),
  -- The sites a site manager manages; empty for the other roles.
  managed_site_ids uuid[] NOT NULL DEFAULT '{}',
  -- "scrypt$N$r$p$salt$hash" (base64url): the parameters travel with the hash, so they can be
  -- raised later and old hashes still checked. Null for someone who will sign in only through
  -- an identity provider (OIDC), once there is one.
  password_hash    text,
  created_at       timestamptz NOT NULL
);

-- Failed sign-ins, counted over a sliding window per account for the lock-out. Cleared by a
-- successful sign-in.
CREATE TABLE staff_sign_in_failures (
  staff_id uuid NOT NULL REFERENCES staff(id),
  at       timestamptz NOT NULL
);
CREATE INDEX staff_sign_in_failures_idx ON staff_sign_in_failures (staff_id, at);

-- Browser sessions. The cookie carries a random token; only its SHA-256 is stored, so the table
-- read by someone else signs nobody in. A session exists before sign-in too (staff_id null)
-- because the sign-in form needs its CSRF token; signing in replaces it with a new one.
CREATE TABLE staff_sessions (
  id_hash      bytea PRIMARY KEY,
  staff_id     uuid REFERENCES staff(id),
  -- The synchroniser token every form of this session must send back.
  csrf_token   text NOT NULL,
  -- What one page hands the next across a redirect: errors and what was typed (post/redirect/get),
  -- and the customer being booked while the work coach chooses another slot.
  flash        jsonb,
  draft        jsonb,
  created_at   timestamptz NOT NULL,
  last_seen_at timestamptz NOT NULL,
  expires_at   timestamptz NOT NULL
);
CREATE INDEX staff_sessions_expires_idx ON staff_sessions (expires_at);
